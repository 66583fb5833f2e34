#include "config/site_profile.h"

#include <gtest/gtest.h>

namespace cratedig::config {
namespace {

const std::string kConfigs = std::string(CRATEDIG_SOURCE_DIR) + "/configs/";

TEST(SiteProfileTest, ShippedProfilesLoad) {
  for (const char* name : {"junodownload.toml", "samplestore.toml"}) {
    auto p = LoadConfig<SiteProfile>(kConfigs + name);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    EXPECT_EQ(p->parent_genres.size(), 9u);
    EXPECT_GE(p->listings.size(), 9u);
    EXPECT_EQ(p->genre_map.at("Uplifting Trance"), "Trance");
    EXPECT_EQ(p->genre_map.at("Minimal/Tech House"), "Minimal House");
    EXPECT_EQ(p->genre_map.at("Indie"), "Rock/Indie");
    EXPECT_EQ(p->genre_map.at("Rock"), "Rock/Indie");
    EXPECT_NE(p->user_agent.find("+http"), std::string::npos)
        << "the user agent must carry a contact URL";
    EXPECT_TRUE(p->politeness.obey_robots);
    EXPECT_EQ(p->selectors.next_page, "a[title=\"Next Page\"]");
  }
  auto real = LoadConfig<SiteProfile>(kConfigs + "junodownload.toml");
  EXPECT_EQ(real->base_url, "https://www.junodownload.com");
  EXPECT_DOUBLE_EQ(real->politeness.delay, 1.0);
  EXPECT_EQ(real->politeness.max_retries, 3);
}

TEST(SiteProfileTest, EveryParentOfTheMapIsAParentGenre) {
  auto p = ParseConfig<SiteProfile>(
      "base_url = \"http://127.0.0.1:1\"\n[genre_map]\n\"Techno\" = "
      "\"Techno\"\n",
      "p.toml");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(),
            "p.toml: key 'genre_map.Techno': expected one of parent_genres, "
            "got 'Techno'");
}

TEST(SiteProfileTest, PolitenessRangesAreChecked) {
  auto p = ParseConfig<SiteProfile>(
      "base_url = \"http://127.0.0.1:1\"\n[politeness]\ndelay = -1\n",
      "p.toml");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(),
            "p.toml: key 'politeness.delay': expected a number >= 0");
}

TEST(SiteProfileTest, RequiredNamesKnownFields) {
  auto ok = ParseConfig<SiteProfile>(
      "base_url = \"http://127.0.0.1:1\"\nrequired = [\"bpm\"]\n", "p.toml");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->required, std::vector<std::string>{"bpm"});
  auto bad = ParseConfig<SiteProfile>(
      "base_url = \"http://127.0.0.1:1\"\nrequired = [\"colour\"]\n", "p.toml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("unknown field 'colour'"),
            std::string::npos)
      << bad.status().message();
}

TEST(SiteProfileTest, OnlyHttpBaseUrls) {
  auto p =
      ParseConfig<SiteProfile>("base_url = \"file:///etc/passwd\"\n", "p.toml");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("'base_url'"), std::string::npos);
}

TEST(SiteProfileTest, SetOverridesAProfileKey) {
  auto p = LoadConfig<SiteProfile>(kConfigs + "samplestore.toml",
                                   {"politeness.delay=0.2"});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_DOUBLE_EQ(p->politeness.delay, 0.2);
}

TEST(SiteProfileTest, ToTomlRoundTrips) {
  auto p = LoadConfig<SiteProfile>(kConfigs + "junodownload.toml");
  ASSERT_TRUE(p.ok());
  auto again = ParseConfig<SiteProfile>(p->ToToml(), "roundtrip");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->ToToml(), p->ToToml());
  EXPECT_EQ(again->genre_map, p->genre_map);
  EXPECT_EQ(again->listings.size(), p->listings.size());
}

// Found by fuzz/site_profile_fuzz: toml++ 3.3 wrote a key whose only
// unusual characters are ', tab or newline bare (Rock'n'Roll = ...), so the
// profile's own TOML did not parse. Genre names like these are plausible.
TEST(SiteProfileTest, ToTomlRoundTripsKeysWithQuotesAndTabs) {
  auto p = ParseConfig<SiteProfile>(
      "base_url = \"http://127.0.0.1:8080\"\n"
      "parent_genres = [\"Rock\", \"Drum 'n' Bass\"]\n"
      "[genre_map]\n"
      "\"Rock'n'Roll\" = \"Rock\"\n"
      "\"Drum 'n' Bass\" = \"Drum 'n' Bass\"\n"
      "\"Tab\\tRock\" = \"Rock\"\n"
      "\"Line\\nRock\" = \"Rock\"\n"
      "\"'\" = \"Rock\"\n"
      "Plain = \"Rock\"\n",
      "quotes.toml");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->genre_map.size(), 6u);
  const std::string text = p->ToToml();
  auto again = ParseConfig<SiteProfile>(text, "roundtrip");
  ASSERT_TRUE(again.ok()) << again.status().ToString() << "\n" << text;
  EXPECT_EQ(again->genre_map, p->genre_map);
  EXPECT_EQ(again->ToToml(), text);
  EXPECT_NE(text.find("\"Rock'n'Roll\" = "), std::string::npos) << text;
}

}  // namespace
}  // namespace cratedig::config
