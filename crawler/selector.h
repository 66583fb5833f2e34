// Selector: a small CSS selector matcher over a Gumbo tree.
//
// Supported (enough for store pages, and all a site profile may use):
//   tag  *  .class  #id  [attr]  [attr=v]  [attr*=v]  [attr^=v]  [attr$=v]
//   [attr~=v]   (values quoted with ' or ", or bare identifiers)
//   compound selectors (div.a.b[x="1"]), the descendant (" ") and child (">")
//   combinators, and selector lists ("a, b").
// Tag names and attribute names match case-insensitively, class and
// attribute values case-sensitively (as in HTML documents).
// Anything else (pseudo-classes, ~ +, namespaces) is rejected by Parse with
// an InvalidArgument naming the position, so a typo in a profile fails at
// load time rather than matching nothing.
#pragma once

#include <gumbo.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace cratedig::crawler {

class Selector {
 public:
  static Result<Selector> Parse(std::string_view text);

  // True when `node` (an element) matches one of the list's selectors.
  bool Matches(const GumboNode* node) const;
  // Matching elements among the descendants of `scope` (not scope itself),
  // in document order. Combinators may look above `scope`, as in
  // querySelectorAll.
  std::vector<const GumboNode*> SelectAll(const GumboNode* scope) const;
  // The first match in document order, or nullptr.
  const GumboNode* SelectFirst(const GumboNode* scope) const;
  // The same, without entering (or matching) elements that match `prune`:
  // a field of one item is looked up in that item only, even when broken
  // HTML nested the next item inside it.
  std::vector<const GumboNode*> SelectAll(const GumboNode* scope,
                                          const Selector& prune) const;
  const GumboNode* SelectFirst(const GumboNode* scope,
                               const Selector& prune) const;

  const std::string& text() const { return text_; }

 private:
  enum class AttrOp { kExists, kEquals, kContains, kPrefix, kSuffix, kWord };
  struct AttrCond {
    std::string name;  // lower case
    AttrOp op = AttrOp::kExists;
    std::string value;
  };
  struct Compound {
    std::string tag;  // "" = any
    std::string id;
    std::vector<std::string> classes;
    std::vector<AttrCond> attrs;
  };
  struct Complex {
    std::vector<Compound> parts;
    std::vector<char> combinators;  // between parts[i] and parts[i+1]: ' ' '>'
  };

  static bool MatchCompound(const GumboNode* node, const Compound& c);
  static bool MatchFrom(const GumboNode* node, const Complex& cx, size_t idx);

  std::string text_;
  std::vector<Complex> list_;
};

}  // namespace cratedig::crawler
