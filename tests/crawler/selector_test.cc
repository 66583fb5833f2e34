#include "crawler/selector.h"

#include <gtest/gtest.h>

#include "crawler/html.h"

namespace cratedig::crawler {
namespace {

constexpr const char* kHtml = R"(<html><body>
<div id="main" class="box  wide">
  <p class="a">one</p>
  <section><p class="a b">two</p></section>
  <a href="/x/song.mp3" title="Next Page" data-x="1">three</a>
  <a href="/y/page.html" title="Next">four</a>
</div>
<p class="b">five</p>
<my-widget kind="w">six</my-widget>
</body></html>)";

std::vector<std::string> Texts(const std::string& sel) {
  HtmlDocument doc(kHtml);
  auto s = Selector::Parse(sel);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  std::vector<std::string> out;
  if (!s.ok()) return out;
  for (const GumboNode* n : s->SelectAll(doc.root())) {
    out.push_back(TextOf(n));
  }
  return out;
}

using V = std::vector<std::string>;

TEST(SelectorTest, TagClassId) {
  EXPECT_EQ(Texts("p"), (V{"one", "two", "five"}));
  EXPECT_EQ(Texts(".a"), (V{"one", "two"}));
  EXPECT_EQ(Texts("p.a.b"), (V{"two"}));
  EXPECT_EQ(Texts(".b"), (V{"two", "five"}));
  EXPECT_EQ(Texts("#main > p"), (V{"one"}));
  EXPECT_EQ(Texts("div.wide.box a"), (V{"three", "four"}));
  EXPECT_EQ(Texts("MY-WIDGET"), (V{"six"}));
  EXPECT_EQ(Texts("*[kind]"), (V{"six"}));
}

TEST(SelectorTest, Attributes) {
  EXPECT_EQ(Texts("a[title]"), (V{"three", "four"}));
  EXPECT_EQ(Texts("a[title=\"Next Page\"]"), (V{"three"}));
  EXPECT_EQ(Texts("a[title='Next']"), (V{"four"}));
  EXPECT_EQ(Texts("a[title=Next]"), (V{"four"}));
  EXPECT_EQ(Texts("a[href*=\".mp3\"]"), (V{"three"}));
  EXPECT_EQ(Texts("a[href^=\"/y/\"]"), (V{"four"}));
  EXPECT_EQ(Texts("a[href$=\".html\"]"), (V{"four"}));
  EXPECT_EQ(Texts("[class~=b]"), (V{"two", "five"}));
  EXPECT_EQ(Texts("a[TITLE=\"next page\"]"), V{});  // values are exact
  EXPECT_EQ(Texts("[data-x=\"1\"]"), (V{"three"}));
}

TEST(SelectorTest, Combinators) {
  EXPECT_EQ(Texts("div p"), (V{"one", "two"}));
  EXPECT_EQ(Texts("div > p"), (V{"one"}));
  EXPECT_EQ(Texts("div>section>p"), (V{"two"}));
  EXPECT_EQ(Texts("body > p"), (V{"five"}));
  EXPECT_EQ(Texts("html p.b"), (V{"two", "five"}));
  EXPECT_EQ(Texts("section > .a, body > .b"), (V{"two", "five"}));
  // Descendant backtracking: the nearest div fails, an outer one matches.
  EXPECT_EQ(Texts("body section p"), (V{"two"}));
}

TEST(SelectorTest, SelectFirstAndScope) {
  HtmlDocument doc(kHtml);
  auto div = Selector::Parse("#main");
  auto p = Selector::Parse("p");
  ASSERT_TRUE(div.ok() && p.ok());
  const GumboNode* main = div->SelectFirst(doc.root());
  ASSERT_NE(main, nullptr);
  EXPECT_EQ(p->SelectAll(main).size(), 2u);  // "five" is outside
  EXPECT_EQ(TextOf(p->SelectFirst(main)), "one");
  auto none = Selector::Parse("table");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->SelectFirst(doc.root()), nullptr);
}

TEST(SelectorTest, PruneKeepsFieldsInTheirOwnItem) {
  // The first item is unclosed, so the second is nested inside it.
  HtmlDocument doc(R"(<div class="item"><span class="f">A</span>
      <div class="item"><span class="f">B</span><b class="g">only B</b>)");
  auto item = Selector::Parse(".item");
  auto f = Selector::Parse(".f");
  auto g = Selector::Parse(".g");
  ASSERT_TRUE(item.ok() && f.ok() && g.ok());
  auto items = item->SelectAll(doc.root());
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(f->SelectAll(items[0]).size(), 2u);  // without pruning: leaks
  EXPECT_EQ(f->SelectAll(items[0], *item).size(), 1u);
  EXPECT_EQ(g->SelectFirst(items[0], *item), nullptr);
  EXPECT_NE(g->SelectFirst(items[1], *item), nullptr);
}

TEST(SelectorTest, RejectsUnsupportedSyntax) {
  for (const char* bad : {"", "  ", "a:hover", "a + b", "a ~ b", "[x", ".", "#",
                          "a,", "a >", "[x|=y]", "[=y]", "a[x='y]"}) {
    EXPECT_FALSE(Selector::Parse(bad).ok()) << bad;
  }
  auto st = Selector::Parse("div:first-child").status();
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("div:first-child"), std::string::npos);
}

TEST(HtmlTest, TextAndLines) {
  HtmlDocument doc(
      "<div id=d> CAT&nbsp;001 <br>21 Nov 23<br/>\n  <br> Uplifting "
      "<b>Trance</b><script>var x='no';</script></div>");
  auto d = Selector::Parse("#d");
  ASSERT_TRUE(d.ok());
  const GumboNode* n = d->SelectFirst(doc.root());
  EXPECT_EQ(TextOf(n), "CAT 001 21 Nov 23 Uplifting Trance");
  EXPECT_EQ(LinesOf(n), (V{"CAT 001", "21 Nov 23", "Uplifting Trance"}));
  EXPECT_EQ(LinesOf(nullptr), V{});
  EXPECT_EQ(CollapseWhitespace("  a \t\n b  "), "a b");
}

}  // namespace
}  // namespace cratedig::crawler
