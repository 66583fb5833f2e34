#include "crawler/robots.h"

#include <gtest/gtest.h>

namespace cratedig::crawler {
namespace {

TEST(RobotsTest, ProductToken) {
  EXPECT_EQ(ProductToken("cratedig/0.1 (+https://x; y)"), "cratedig");
  EXPECT_EQ(ProductToken("ExampleBot"), "examplebot");
  EXPECT_EQ(ProductToken("Foo-Bar_2"), "foo-bar_");
}

TEST(RobotsTest, PatternMatching) {
  EXPECT_TRUE(RobotsPatternMatches("/", "/anything"));
  EXPECT_TRUE(RobotsPatternMatches("/fish", "/fish.html"));
  EXPECT_TRUE(RobotsPatternMatches("/fish", "/fishheads/yummy.html"));
  EXPECT_FALSE(RobotsPatternMatches("/fish", "/Fish.asp"));
  EXPECT_FALSE(RobotsPatternMatches("/fish", "/catfish"));
  EXPECT_TRUE(RobotsPatternMatches("/fish*.php", "/fish.php"));
  EXPECT_TRUE(RobotsPatternMatches("/fish*.php", "/fishheads/catfish.php?p"));
  EXPECT_FALSE(RobotsPatternMatches("/fish*.php", "/Fish.PHP"));
  EXPECT_TRUE(RobotsPatternMatches("/*.php$", "/filename.php"));
  EXPECT_TRUE(RobotsPatternMatches("/*.php$", "/folder/filename.php"));
  EXPECT_FALSE(RobotsPatternMatches("/*.php$", "/filename.php?parameters"));
  EXPECT_FALSE(RobotsPatternMatches("/*.php$", "/filename.php5"));
  EXPECT_TRUE(RobotsPatternMatches("/a*b*c$", "/axxbyyc"));
  EXPECT_TRUE(RobotsPatternMatches("/a*c$", "/acxc"));  // backtracks
  EXPECT_FALSE(RobotsPatternMatches("/a*c$", "/acx"));
  EXPECT_TRUE(RobotsPatternMatches("*", ""));
}

// The example of RFC 9309 section 5.1 (groups by user agent).
constexpr const char* kRfcExample = R"(User-Agent: *
Disallow: *.gif$
Disallow: /example/
Allow: /publications/

User-Agent: foobot
Disallow:/
Allow:/example/page.html
Allow:/example/allowed.gif

User-Agent: barbot
User-Agent: bazbot
Disallow: /example/page.html

User-Agent: quxbot

EOF
)";

TEST(RobotsTest, RfcExampleGroups) {
  RobotsRules any = ParseRobots(kRfcExample, "otherbot");
  EXPECT_FALSE(any.Allowed("/example/x"));
  EXPECT_FALSE(any.Allowed("/pics/a.gif"));
  EXPECT_TRUE(any.Allowed("/publications/x"));
  EXPECT_TRUE(any.Allowed("/other"));

  RobotsRules foo = ParseRobots(kRfcExample, "FooBot");  // case-insensitive
  EXPECT_FALSE(foo.Allowed("/"));
  EXPECT_FALSE(foo.Allowed("/other"));
  EXPECT_TRUE(foo.Allowed("/example/page.html"));
  EXPECT_TRUE(foo.Allowed("/example/allowed.gif"));
  EXPECT_FALSE(foo.Allowed("/example/other.gif"));

  for (const char* agent : {"barbot", "bazbot"}) {
    RobotsRules r = ParseRobots(kRfcExample, agent);
    EXPECT_FALSE(r.Allowed("/example/page.html")) << agent;
    EXPECT_TRUE(r.Allowed("/example/other")) << agent;  // not the * group
    EXPECT_TRUE(r.Allowed("/x.gif")) << agent;
  }
  RobotsRules qux = ParseRobots(kRfcExample, "quxbot");  // empty group
  EXPECT_TRUE(qux.Allowed("/example/page.html"));
  EXPECT_TRUE(qux.Allowed("/x.gif"));
}

TEST(RobotsTest, LongestMatchAndAllowWinsTies) {
  // RFC 9309 section 2.2.2 / 5.2 examples.
  RobotsRules r = ParseRobots(
      "user-agent: *\nallow: /example/page/\ndisallow: /example/page/"
      "disallowed.gif\nallow: /p\ndisallow: /\nallow: /tie\ndisallow: /tie\n",
      "cratedig");
  EXPECT_TRUE(r.Allowed("/example/page/"));
  EXPECT_FALSE(r.Allowed("/example/page/disallowed.gif"));
  EXPECT_TRUE(r.Allowed("/example/page/other.gif"));
  EXPECT_TRUE(r.Allowed("/page"));
  EXPECT_FALSE(r.Allowed("/"));
  EXPECT_TRUE(r.Allowed("/tie/x"));  // same length: Allow wins
}

TEST(RobotsTest, MergesGroupsCommentsAndCrawlDelay) {
  RobotsRules r = ParseRobots(
      "# store robots\nDisallow: /before-any-agent\n"
      "User-agent: cratedig # us\nDisallow: /search/ # no search\n"
      "Crawl-delay: 2.5\nSitemap: https://x/sitemap.xml\n\n"
      "User-agent: *\nDisallow: /\n\n"
      "USER-AGENT: CrateDig\nDisallow: /cart/\n",
      "cratedig");
  EXPECT_FALSE(r.Allowed("/search/?q=x"));
  EXPECT_FALSE(r.Allowed("/cart/add/1"));
  EXPECT_TRUE(r.Allowed("/trance/back-cat/releases/1/"));
  EXPECT_TRUE(r.Allowed("/before-any-agent"));
  ASSERT_TRUE(r.crawl_delay().has_value());
  EXPECT_DOUBLE_EQ(*r.crawl_delay(), 2.5);
  EXPECT_FALSE(ParseRobots("User-agent: *\nDisallow: /x\n", "cratedig")
                   .crawl_delay()
                   .has_value());
}

TEST(RobotsTest, RobotsTxtAlwaysAllowedAndEscapesNormalised) {
  RobotsRules r = ParseRobots("User-agent: *\nDisallow: /\n", "cratedig");
  EXPECT_TRUE(r.Allowed("/robots.txt"));
  RobotsRules e = ParseRobots("User-agent: *\nDisallow: /a%2fb\n", "x");
  EXPECT_FALSE(e.Allowed("/a%2Fb/c"));
  EXPECT_TRUE(ParseRobots("garbage\n\n:::\n", "x").Allowed("/anything"));
  EXPECT_TRUE(ParseRobots("User-agent: *\nDisallow:\n", "x").Allowed("/a"));
}

TEST(RobotsTest, FetchOutcomes) {
  EXPECT_FALSE(
      RobotsForFetch(200, "User-agent: *\nDisallow: /a\n", "x").Allowed("/a"));
  EXPECT_TRUE(RobotsForFetch(404, "", "x").Allowed("/a"));
  EXPECT_TRUE(RobotsForFetch(403, "", "x").Allowed("/a"));
  EXPECT_FALSE(RobotsForFetch(503, "", "x").Allowed("/a"));
  EXPECT_FALSE(RobotsForFetch(429, "", "x").Allowed("/a"));
  EXPECT_FALSE(RobotsForFetch(0, "", "x").Allowed("/a"));
}

}  // namespace
}  // namespace cratedig::crawler
