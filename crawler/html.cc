#include "crawler/html.h"

#include <cstring>

namespace cratedig::crawler {

HtmlDocument::HtmlDocument(std::string_view html)
    : html_(html),
      output_(gumbo_parse_with_options(&kGumboDefaultOptions, html_.data(),
                                       html_.size())) {}

HtmlDocument::~HtmlDocument() {
  gumbo_destroy_output(&kGumboDefaultOptions, output_);
}

const GumboNode* HtmlDocument::root() const { return output_->root; }

std::string TagName(const GumboNode* node) {
  if (node == nullptr || node->type != GUMBO_NODE_ELEMENT) return "";
  const GumboElement& el = node->v.element;
  if (el.tag != GUMBO_TAG_UNKNOWN) return gumbo_normalized_tagname(el.tag);
  // Unknown tags keep their original spelling: "<my-tag attr>" -> "my-tag".
  GumboStringPiece piece = el.original_tag;
  gumbo_tag_from_original_text(&piece);
  std::string out(piece.data ? piece.data : "", piece.length);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

const char* AttrOf(const GumboNode* node, const char* name) {
  if (node == nullptr || node->type != GUMBO_NODE_ELEMENT) return nullptr;
  const GumboAttribute* a =
      gumbo_get_attribute(&node->v.element.attributes, name);
  return a ? a->value : nullptr;
}

namespace {

using SkipFn = std::function<bool(const GumboNode*)>;

void AppendText(const GumboNode* node, std::string& out,
                const SkipFn* skip = nullptr) {
  switch (node->type) {
    case GUMBO_NODE_TEXT:
    case GUMBO_NODE_WHITESPACE:
    case GUMBO_NODE_CDATA:
      out += node->v.text.text;
      return;
    case GUMBO_NODE_ELEMENT:
    case GUMBO_NODE_TEMPLATE: {
      GumboTag tag = node->v.element.tag;
      if (tag == GUMBO_TAG_SCRIPT || tag == GUMBO_TAG_STYLE) return;
      if (tag == GUMBO_TAG_BR) {
        out += ' ';
        return;
      }
      const GumboVector& kids = node->v.element.children;
      for (unsigned i = 0; i < kids.length; ++i) {
        const auto* kid = static_cast<const GumboNode*>(kids.data[i]);
        if (skip != nullptr && (*skip)(kid)) continue;
        AppendText(kid, out, skip);
      }
      return;
    }
    default:
      return;
  }
}

void AppendLines(const GumboNode* node, std::vector<std::string>& lines) {
  if (node->type == GUMBO_NODE_ELEMENT || node->type == GUMBO_NODE_TEMPLATE) {
    if (node->v.element.tag == GUMBO_TAG_BR) {
      lines.emplace_back();
      return;
    }
    if (node->v.element.tag == GUMBO_TAG_SCRIPT ||
        node->v.element.tag == GUMBO_TAG_STYLE) {
      return;
    }
    const GumboVector& kids = node->v.element.children;
    for (unsigned i = 0; i < kids.length; ++i) {
      AppendLines(static_cast<const GumboNode*>(kids.data[i]), lines);
    }
    return;
  }
  AppendText(node, lines.back());
}

}  // namespace

std::string CollapseWhitespace(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool pending_space = false;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
                 c == '\v';
    if (c == 0xC2 && i + 1 < s.size() &&
        static_cast<unsigned char>(s[i + 1]) == 0xA0) {
      space = true;  // U+00A0 (&nbsp;) in UTF-8
      ++i;
    }
    if (space) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += static_cast<char>(c);
  }
  return out;
}

std::string TextOf(const GumboNode* node) {
  if (node == nullptr) return "";
  std::string raw;
  AppendText(node, raw);
  return CollapseWhitespace(raw);
}

std::string TextOf(const GumboNode* node, const SkipFn& skip) {
  if (node == nullptr) return "";
  std::string raw;
  AppendText(node, raw, &skip);
  return CollapseWhitespace(raw);
}

std::vector<std::string> LinesOf(const GumboNode* node) {
  std::vector<std::string> raw(1);
  if (node != nullptr) AppendLines(node, raw);
  std::vector<std::string> out;
  for (const std::string& l : raw) {
    std::string c = CollapseWhitespace(l);
    if (!c.empty()) out.push_back(std::move(c));
  }
  return out;
}

}  // namespace cratedig::crawler
