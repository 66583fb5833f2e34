#include "samplestore/catalogue.h"

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>

#include "core/files.h"
#include "core/json.h"
#include "samplestore/pages.h"

namespace cratedig::samplestore {
namespace {

// Pins the generated catalogue byte for byte: tests and the demo's numbers
// depend on it, so a refactor of catalogue.cc must not change one draw.
// Re-record only when the catalogue is meant to change, and say why.
TEST(CatalogueTest, CatalogueIsTheRecordedOne) {
  EXPECT_EQ(Sha256Hex(GenerateCatalogue(7, 20).ToJson()),
            "bcd4e3e30758234480cee7728342c83502bd09813734e5e25bcffae5ab9be533");
}

TEST(CatalogueTest, SameSeedSameCatalogueOtherSeedDiffers) {
  const Catalogue a = GenerateCatalogue(7, 12);
  const Catalogue b = GenerateCatalogue(7, 12);
  const Catalogue c = GenerateCatalogue(8, 12);
  EXPECT_EQ(a.ToJson(), b.ToJson());
  EXPECT_NE(a.ToJson(), c.ToJson());
}

TEST(CatalogueTest, EveryParentGenreGetsExactlyItsTracks) {
  const int n = 13;
  const Catalogue cat = GenerateCatalogue(3, n);
  std::map<std::string, int> per_parent;
  std::set<std::string> slugs;
  for (const auto& r : cat.releases) {
    per_parent[r.parent_genre] += static_cast<int>(r.tracks.size());
    slugs.insert(r.listing_slug);
    EXPECT_GE(r.tracks.size(), 1u);
    EXPECT_LE(r.tracks.size(), 4u);
  }
  EXPECT_EQ(per_parent.size(), 10u);  // nine parents + "" (Techno)
  for (const auto& [parent, count] : per_parent) {
    EXPECT_EQ(count, parent.empty() ? n / 4 : n) << parent;
  }
  // Every listing of configs/samplestore.toml, plus the unmapped one.
  EXPECT_EQ(slugs.size(), StoreListings().size());
  EXPECT_TRUE(slugs.count("uplifting-trance") && slugs.count("trance-music"));
  EXPECT_TRUE(slugs.count("indie") && slugs.count("rock"));
  EXPECT_TRUE(slugs.count("techno"));
}

TEST(CatalogueTest, IdsPathsAndDatesHaveTheStoreShape) {
  const Catalogue cat = GenerateCatalogue(11, 20);
  const std::regex release_id(R"(\d{7}-\d{2})");
  const std::regex track_id(R"(\d{7}-\d{2}-01-\d{2})");
  const std::regex date(R"(20(0[89]|1\d|2[0-3])-\d{2}-\d{2})");
  std::set<std::string> ids;
  for (const auto& r : cat.releases) {
    EXPECT_TRUE(std::regex_match(r.store_id, release_id)) << r.store_id;
    EXPECT_TRUE(ids.insert(r.store_id).second) << "duplicate " << r.store_id;
    EXPECT_TRUE(std::regex_match(r.release_date, date)) << r.release_date;
    EXPECT_EQ(r.url_path,
              "/products/" + Slugify(r.title) + "/" + r.store_id + "/");
    for (const auto& t : r.tracks) {
      EXPECT_TRUE(std::regex_match(t.store_id, track_id)) << t.store_id;
      EXPECT_EQ(t.store_id.substr(0, r.store_id.size()), r.store_id);
      if (t.has_preview) {
        EXPECT_EQ(t.preview_path, "/MP3/SF" + t.store_id + ".mp3");
      } else {
        EXPECT_EQ(t.preview_path, "");
      }
    }
  }
}

TEST(CatalogueTest, NamesExerciseEscapingAndEdgeCases) {
  const Catalogue cat = GenerateCatalogue(7, 40);
  int various = 0, no_preview = 0, utf8 = 0, quotes = 0, amps = 0,
      multi_genre_slug = 0;
  std::map<std::string, std::set<std::string>> genres_of_slug;
  for (const auto& r : cat.releases) {
    various += r.artist == "Various";
    genres_of_slug[r.listing_slug].insert(r.store_genre);
    for (const auto& t : r.tracks) {
      no_preview += !t.has_preview;
      for (const std::string* s : {&t.artist, &t.title, &r.label}) {
        utf8 += std::any_of(s->begin(), s->end(),
                            [](char c) { return (c & 0x80) != 0; });
        quotes += s->find('"') != std::string::npos;
        amps += s->find('&') != std::string::npos;
      }
    }
  }
  for (const auto& [slug, g] : genres_of_slug) multi_genre_slug += g.size() > 1;
  EXPECT_GT(various, 0);
  EXPECT_GT(no_preview, 0);
  EXPECT_GT(utf8, 0);
  EXPECT_GT(quotes, 0);
  EXPECT_GT(amps, 0);
  EXPECT_GT(multi_genre_slug, 0);
}

TEST(CatalogueTest, ListingDateAndSlug) {
  EXPECT_EQ(ListingDate("2023-11-21"), "21 Nov 23");
  EXPECT_EQ(ListingDate("2008-01-05"), "05 Jan 08");
  EXPECT_EQ(Slugify("Some \"Title\" EP"), "some-title-ep");
  EXPECT_EQ(Slugify("東京"), "release");
  EXPECT_EQ(HtmlEscape("a & \"b\" <c>"), "a &amp; &quot;b&quot; &lt;c&gt;");
}

TEST(CatalogueTest, JsonHoldsEveryTrack) {
  const Catalogue cat = GenerateCatalogue(5, 3);
  const std::string text = cat.ToJson();
  for (const auto& r : cat.releases) {
    EXPECT_NE(text.find("\"store_id\": \"" + r.store_id + "\""),
              std::string::npos);
    for (const auto& t : r.tracks) {
      EXPECT_NE(text.find("\"store_id\": \"" + t.store_id + "\""),
                std::string::npos);
    }
  }
  EXPECT_NE(text.find("\"parent_genre\": \"\""), std::string::npos);
  // A valid JSON document (core/json's strict parser) with every release.
  auto parsed = json::Parse(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ((*parsed)["releases"].size(), cat.releases.size());
}

}  // namespace
}  // namespace cratedig::samplestore

namespace cratedig::samplestore {
namespace {

TEST(CatalogueTest, SomeReleasesAreOnTwoListingsOfTheirParentGenre) {
  const Catalogue cat = GenerateCatalogue(7, 40);
  int multi = 0;
  for (const auto& r : cat.releases) {
    if (r.also_listed.empty()) continue;
    ++multi;
    // Only from the first listing of a parent genre to its siblings, so
    // the best-ranked listing (db/listing_tables.h) is its own.
    EXPECT_TRUE(r.listing_slug == "indie" || r.listing_slug == "trance-music")
        << r.listing_slug;
    for (const std::string& slug : r.also_listed) {
      const auto items = ListingItems(cat, slug);
      EXPECT_NE(std::find(items.begin(), items.end(), &r), items.end());
    }
  }
  EXPECT_GE(multi, 4);
  // A listing's items stay newest first.
  const auto rock = ListingItems(cat, "rock");
  for (size_t i = 1; i < rock.size(); ++i) {
    EXPECT_GE(rock[i - 1]->release_date, rock[i]->release_date);
  }
}

}  // namespace
}  // namespace cratedig::samplestore
