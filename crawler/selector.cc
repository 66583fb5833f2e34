#include "crawler/selector.h"

#include <cstring>

#include "core/strings.h"
#include "crawler/html.h"

namespace cratedig::crawler {

namespace {

bool IsIdentChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

const GumboNode* ParentElement(const GumboNode* node) {
  const GumboNode* p = node->parent;
  if (p == nullptr || p->type != GUMBO_NODE_ELEMENT) return nullptr;
  return p;
}

// A recursive-descent parser over the selector text.
class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  Status Error(const std::string& what) const {
    return Status::InvalidArgument("selector '" + std::string(s_) + "' at " +
                                   std::to_string(pos_) + ": " + what);
  }
  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek() const { return AtEnd() ? '\0' : s_[pos_]; }
  void SkipSpace() {
    while (!AtEnd() && IsSpace(s_[pos_])) ++pos_;
  }
  std::string Ident() {
    size_t start = pos_;
    while (!AtEnd() && IsIdentChar(s_[pos_])) ++pos_;
    return std::string(s_.substr(start, pos_ - start));
  }
  Result<std::string> Value() {
    char q = Peek();
    if (q == '"' || q == '\'') {
      ++pos_;
      std::string out;
      while (!AtEnd() && s_[pos_] != q) {
        if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) ++pos_;
        out += s_[pos_++];
      }
      if (AtEnd()) return Error("unterminated string");
      ++pos_;
      return out;
    }
    std::string id = Ident();
    if (id.empty()) return Error("expected a value");
    return id;
  }

  size_t pos_ = 0;
  std::string_view s_;
};

}  // namespace

Result<Selector> Selector::Parse(std::string_view text) {
  Selector sel;
  sel.text_ = std::string(text);
  Parser p(text);
  p.SkipSpace();
  if (p.AtEnd()) return p.Error("empty selector");
  Complex cx;
  char pending = 0;  // combinator seen before the next compound
  for (;;) {
    // One compound selector.
    Compound c;
    bool any = false;
    if (p.Peek() == '*') {
      ++p.pos_;
      any = true;
    } else if (IsIdentChar(p.Peek())) {
      c.tag = Lower(p.Ident());
      any = true;
    }
    for (;;) {
      char ch = p.Peek();
      if (ch == '.' || ch == '#') {
        ++p.pos_;
        std::string name = p.Ident();
        if (name.empty())
          return p.Error("expected a name after '" + std::string(1, ch) + "'");
        if (ch == '.') {
          c.classes.push_back(name);
        } else {
          c.id = name;
        }
        any = true;
      } else if (ch == '[') {
        ++p.pos_;
        p.SkipSpace();
        AttrCond a;
        a.name = Lower(p.Ident());
        if (a.name.empty()) return p.Error("expected an attribute name");
        p.SkipSpace();
        char op = p.Peek();
        if (op != ']') {
          if (op == '=') {
            a.op = AttrOp::kEquals;
            ++p.pos_;
          } else if ((op == '*' || op == '^' || op == '$' || op == '~') &&
                     p.pos_ + 1 < text.size() && text[p.pos_ + 1] == '=') {
            a.op = op == '*'   ? AttrOp::kContains
                   : op == '^' ? AttrOp::kPrefix
                   : op == '$' ? AttrOp::kSuffix
                               : AttrOp::kWord;
            p.pos_ += 2;
          } else {
            return p.Error("unsupported attribute operator");
          }
          p.SkipSpace();
          CRATEDIG_ASSIGN_OR_RETURN(a.value, p.Value());
          p.SkipSpace();
        }
        if (p.Peek() != ']') return p.Error("expected ']'");
        ++p.pos_;
        c.attrs.push_back(std::move(a));
        any = true;
      } else {
        break;
      }
    }
    if (!any) return p.Error("expected a selector");
    if (!cx.parts.empty()) cx.combinators.push_back(pending);
    cx.parts.push_back(std::move(c));

    // What follows: a combinator, a comma, or the end.
    size_t before = p.pos_;
    p.SkipSpace();
    if (p.AtEnd()) break;
    char ch = p.Peek();
    if (ch == ',') {
      ++p.pos_;
      p.SkipSpace();
      sel.list_.push_back(std::move(cx));
      cx = Complex();
      if (p.AtEnd()) return p.Error("expected a selector after ','");
      continue;
    }
    if (ch == '>') {
      ++p.pos_;
      p.SkipSpace();
      pending = '>';
    } else if (p.pos_ > before) {
      pending = ' ';
    } else {
      return p.Error(std::string("unsupported syntax '") + ch + "'");
    }
    if (p.AtEnd()) return p.Error("expected a selector after a combinator");
  }
  sel.list_.push_back(std::move(cx));
  return sel;
}

bool Selector::MatchCompound(const GumboNode* node, const Compound& c) {
  if (node == nullptr || node->type != GUMBO_NODE_ELEMENT) return false;
  if (!c.tag.empty() && TagName(node) != c.tag) return false;
  if (!c.id.empty()) {
    const char* id = AttrOf(node, "id");
    if (id == nullptr || c.id != id) return false;
  }
  if (!c.classes.empty()) {
    const char* cls = AttrOf(node, "class");
    if (cls == nullptr) return false;
    std::string_view all(cls);
    for (const std::string& want : c.classes) {
      bool found = false;
      size_t i = 0;
      while (i < all.size() && !found) {
        while (i < all.size() && IsSpace(all[i])) ++i;
        size_t j = i;
        while (j < all.size() && !IsSpace(all[j])) ++j;
        if (all.substr(i, j - i) == want) found = true;
        i = j;
      }
      if (!found) return false;
    }
  }
  for (const AttrCond& a : c.attrs) {
    // Gumbo lower-cases attribute names of HTML elements.
    const char* v = AttrOf(node, a.name.c_str());
    if (v == nullptr) return false;
    std::string_view val(v);
    switch (a.op) {
      case AttrOp::kExists:
        break;
      case AttrOp::kEquals:
        if (val != a.value) return false;
        break;
      case AttrOp::kContains:
        if (a.value.empty() || val.find(a.value) == std::string_view::npos) {
          return false;
        }
        break;
      case AttrOp::kPrefix:
        if (a.value.empty() || val.substr(0, a.value.size()) != a.value) {
          return false;
        }
        break;
      case AttrOp::kSuffix:
        if (a.value.empty() || val.size() < a.value.size() ||
            val.substr(val.size() - a.value.size()) != a.value) {
          return false;
        }
        break;
      case AttrOp::kWord: {
        bool found = false;
        size_t i = 0;
        while (i < val.size() && !found) {
          while (i < val.size() && IsSpace(val[i])) ++i;
          size_t j = i;
          while (j < val.size() && !IsSpace(val[j])) ++j;
          if (j > i && val.substr(i, j - i) == a.value) found = true;
          i = j;
        }
        if (!found) return false;
        break;
      }
    }
  }
  return true;
}

bool Selector::MatchFrom(const GumboNode* node, const Complex& cx, size_t idx) {
  if (!MatchCompound(node, cx.parts[idx])) return false;
  if (idx == 0) return true;
  char comb = cx.combinators[idx - 1];
  if (comb == '>') {
    const GumboNode* parent = ParentElement(node);
    return parent != nullptr && MatchFrom(parent, cx, idx - 1);
  }
  for (const GumboNode* a = ParentElement(node); a != nullptr;
       a = ParentElement(a)) {
    if (MatchFrom(a, cx, idx - 1)) return true;
  }
  return false;
}

bool Selector::Matches(const GumboNode* node) const {
  for (const Complex& cx : list_) {
    if (MatchFrom(node, cx, cx.parts.size() - 1)) return true;
  }
  return false;
}

namespace {

// Visits element descendants in document order; fn returns false to stop.
// Elements for which prune() is true are neither visited nor entered.
template <typename Fn, typename Prune>
bool Walk(const GumboNode* node, const Fn& fn, const Prune& prune) {
  if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_TEMPLATE &&
      node->type != GUMBO_NODE_DOCUMENT) {
    return true;
  }
  const GumboVector& kids = node->type == GUMBO_NODE_DOCUMENT
                                ? node->v.document.children
                                : node->v.element.children;
  for (unsigned i = 0; i < kids.length; ++i) {
    const auto* kid = static_cast<const GumboNode*>(kids.data[i]);
    if (kid->type != GUMBO_NODE_ELEMENT && kid->type != GUMBO_NODE_TEMPLATE) {
      continue;
    }
    if (prune(kid)) continue;
    if (!fn(kid)) return false;
    if (!Walk(kid, fn, prune)) return false;
  }
  return true;
}

// Matches among the descendants of `scope`, in document order, not
// entering elements for which prune() is true.
template <typename Prune>
std::vector<const GumboNode*> AllMatches(const Selector& sel,
                                         const GumboNode* scope,
                                         const Prune& prune) {
  std::vector<const GumboNode*> out;
  if (scope == nullptr) return out;
  Walk(
      scope,
      [&](const GumboNode* n) {
        if (sel.Matches(n)) out.push_back(n);
        return true;
      },
      prune);
  return out;
}

template <typename Prune>
const GumboNode* FirstMatch(const Selector& sel, const GumboNode* scope,
                            const Prune& prune) {
  const GumboNode* found = nullptr;
  if (scope == nullptr) return nullptr;
  Walk(
      scope,
      [&](const GumboNode* n) {
        if (!sel.Matches(n)) return true;
        found = n;
        return false;
      },
      prune);
  return found;
}

bool NoPrune(const GumboNode*) { return false; }

}  // namespace

std::vector<const GumboNode*> Selector::SelectAll(
    const GumboNode* scope) const {
  return AllMatches(*this, scope, NoPrune);
}

const GumboNode* Selector::SelectFirst(const GumboNode* scope) const {
  return FirstMatch(*this, scope, NoPrune);
}

std::vector<const GumboNode*> Selector::SelectAll(const GumboNode* scope,
                                                  const Selector& prune) const {
  return AllMatches(*this, scope,
                    [&](const GumboNode* n) { return prune.Matches(n); });
}

const GumboNode* Selector::SelectFirst(const GumboNode* scope,
                                       const Selector& prune) const {
  return FirstMatch(*this, scope,
                    [&](const GumboNode* n) { return prune.Matches(n); });
}

}  // namespace cratedig::crawler
