// HtmlDocument: an owned Gumbo parse tree, plus the text helpers the page
// parsers need. Gumbo never fails on malformed HTML (unclosed tags, stray
// end tags): it repairs the tree the way browsers do, so parsers see a tree
// whatever the bytes were.
#pragma once

#include <gumbo.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace cratedig::crawler {

class HtmlDocument {
 public:
  explicit HtmlDocument(std::string_view html);
  ~HtmlDocument();
  HtmlDocument(const HtmlDocument&) = delete;
  HtmlDocument& operator=(const HtmlDocument&) = delete;

  // The <html> element (never null).
  const GumboNode* root() const;

 private:
  std::string html_;  // Gumbo keeps pointers into the source
  GumboOutput* output_;
};

// Lower-case tag name of an element ("div"); "" for non-elements.
std::string TagName(const GumboNode* node);

// The value of attribute `name`, or nullptr when absent.
const char* AttrOf(const GumboNode* node, const char* name);

// The text content of a node and its descendants, with runs of whitespace
// (including U+00A0 no-break space) collapsed to one space and trimmed.
std::string TextOf(const GumboNode* node);
// The same, leaving out the subtrees of descendants for which skip() is
// true (e.g. an unclosed track element that swallowed the next track).
std::string TextOf(const GumboNode* node,
                   const std::function<bool(const GumboNode*)>& skip);

// The text of a node split at its <br> elements: one entry per line,
// each whitespace-collapsed and trimmed; empty lines dropped.
std::vector<std::string> LinesOf(const GumboNode* node);

// Collapses whitespace runs (ASCII and U+00A0) to one space and trims.
std::string CollapseWhitespace(std::string_view s);

}  // namespace cratedig::crawler
