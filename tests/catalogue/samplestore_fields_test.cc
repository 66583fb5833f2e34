// Against the sample store: one release on several listings is stored once
// with all of them, the export has one row per stored track, and the
// field-completeness report catches a selector broken half-way through a
// crawl (the BPM selector of product pages, overridden as --set would).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "../db/test_db.h"
#include "catalogue/completeness.h"
#include "catalogue/export.h"
#include "config/toml_reader.h"
#include "crawler/crawl.h"
#include "db/catalogue_tables.h"
#include "db/listing_tables.h"
#include "samplestore/sample_store.h"
#include "tests/catalogue/strict_csv.h"
#include "tests/cli/run_command.h"

namespace cratedig::catalogue {
namespace {

namespace fs = std::filesystem;

class SampleStoreFieldsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    samplestore::StoreOptions o;
    o.seed = 5;
    o.tracks_per_genre = 24;
    o.preview_seconds = 1;
    o.threads = 2;
    auto s = samplestore::SampleStore::Start(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = s->release();
  }
  static void TearDownTestSuite() {
    delete store_;
    store_ = nullptr;
  }
  config::SiteProfile Profile(std::vector<std::string> extra = {}) {
    std::vector<std::string> sets = {"base_url=\"" + store_->base_url() + "\"",
                                     "politeness.delay=0.001",
                                     "politeness.randomize_delay=false"};
    sets.insert(sets.end(), extra.begin(), extra.end());
    auto p = config::LoadConfig<config::SiteProfile>(
        std::string(CRATEDIG_SOURCE_DIR) + "/configs/samplestore.toml", sets);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return *p;
  }
  static samplestore::SampleStore* store_;
};
samplestore::SampleStore* SampleStoreFieldsTest::store_ = nullptr;

TEST_F(SampleStoreFieldsTest, ReleaseOnSeveralListingsIsStoredOnceWithAll) {
  ASSERT_NE(store_, nullptr);
  db::testing::TempDbPath path;
  {
    auto db = db::Database::Open(path.path());
    ASSERT_TRUE(db.ok());
    auto st = crawler::RunCrawl(**db, Profile(), {});
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    ASSERT_EQ(st->pending_left, 0);
    const samplestore::Catalogue& truth = store_->catalogue();
    db::ReleasesTable releases(**db);
    db::TracksTable tracks(**db);
    db::ReleaseListingsTable listings(**db);
    size_t ntracks = 0, multi = 0;
    for (const auto& want : truth.releases) ntracks += want.tracks.size();
    EXPECT_EQ(*releases.Count(), static_cast<int64_t>(truth.releases.size()));
    EXPECT_EQ(*tracks.Count(), static_cast<int64_t>(ntracks));
    for (const auto& want : truth.releases) {
      auto got = releases.GetByStoreId(want.store_id);
      ASSERT_TRUE(got.ok() && *got) << want.store_id;
      // The genre rule: the best-ranked listing's genres, whatever the
      // crawl order; the release's own listing comes first in the profile.
      EXPECT_EQ((*got)->store_genre.value_or(""), want.store_genre);
      EXPECT_EQ((*got)->parent_genre.value_or(""), want.parent_genre);
      std::set<std::string> want_listings = {want.listing_slug};
      want_listings.insert(want.also_listed.begin(), want.also_listed.end());
      auto rows = listings.ListFor((*got)->id);
      ASSERT_TRUE(rows.ok());
      std::set<std::string> got_listings;
      for (const auto& m : *rows) got_listings.insert(m.listing);
      EXPECT_EQ(got_listings, want_listings) << want.store_id;
      EXPECT_EQ(rows->front().listing, want.listing_slug);
      multi += !want.also_listed.empty();
    }
    EXPECT_GE(multi, 2u);
  }
  // The export: one CSV record per stored track, lists of listings.
  ExportOptions o;
  std::ostringstream csv;
  auto st = RunExport(path.path(), o, csv);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  std::string error;
  auto recs = testing::ParseStrictCsv(csv.str(), &error);
  ASSERT_TRUE(recs) << error;
  size_t ntracks = 0;
  for (const auto& r : store_->catalogue().releases) ntracks += r.tracks.size();
  EXPECT_EQ(recs->size(), ntracks + 1);
  o.format = Format::kJsonLines;
  std::ostringstream jsonl;
  ASSERT_TRUE(RunExport(path.path(), o, jsonl).ok());
  std::istringstream in(jsonl.str());
  std::string line;
  size_t lines = 0, two = 0;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line);
    ++lines;
    two += j["listings"].size() == 2;
  }
  EXPECT_EQ(lines, ntracks);
  EXPECT_GE(two, 2u);
  // `status` counts the same tracks.
  auto status = cratedig::testing::RunCratedig("status --db " + path.path());
  EXPECT_EQ(status.exit_code, 0);
  EXPECT_NE(status.output.find(std::to_string(ntracks) + " tracks"),
            std::string::npos)
      << status.output;
}

TEST_F(SampleStoreFieldsTest, BrokenBpmSelectorShowsAsADropInTheNewestPages) {
  ASSERT_NE(store_, nullptr);
  db::testing::TempDbPath path;
  auto db = db::Database::Open(path.path());
  ASSERT_TRUE(db.ok());
  // Half the pages with the good profile, the rest after the "markup
  // change": the product pages' BPM selector matches nothing.
  const samplestore::Catalogue& cat = store_->catalogue();
  int64_t listing_pages = 0;
  for (const auto& l : samplestore::StoreListings()) {
    listing_pages +=
        (static_cast<int64_t>(samplestore::ListingItems(cat, l.slug).size()) +
         9) /
        10;  // 10 items per page
  }
  const int64_t products = static_cast<int64_t>(cat.releases.size());
  // --full: every product page, not only those of listing rows that lack
  // a required field (the product pages carry the broken selector).
  crawler::CrawlOptions half;  // all listing pages, 60% of the products
  half.full = true;
  half.max_pages = listing_pages + products * 6 / 10;
  auto first = crawler::RunCrawl(**db, Profile(), half);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_GT(first->product_pages, 10);
  crawler::CrawlOptions rest;
  rest.full = true;
  auto second = crawler::RunCrawl(
      **db, Profile({"selectors.product_track_bpm=\".no-such-class\""}), rest);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  ASSERT_EQ(second->pending_left, 0);
  ASSERT_GT(second->product_pages, 10);

  auto r = FieldCompleteness(**db);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const FieldDrift* bpm = nullptr;
  for (const FieldDrift& d : r->drift) {
    if (d.listing.empty() && d.page_kind == "product" && d.field == "bpm") {
      bpm = &d;
    }
    // Nothing else changed.
    if (d.field != "bpm" || d.page_kind != "product") {
      EXPECT_FALSE(d.warn) << d.listing << " " << d.page_kind << " " << d.record
                           << " " << d.field;
    }
  }
  ASSERT_NE(bpm, nullptr);
  EXPECT_GT(bpm->earlier.share(), 0.5);
  EXPECT_EQ(bpm->newest.present, 0);
  EXPECT_TRUE(bpm->warn);
  // The stored records hide it: the listings still give every BPM.
  for (const FieldShare& s : r->all.track_fields) {
    if (s.field == "bpm") {
      EXPECT_EQ(s.present, s.total);
    }
  }
  // And the command says so.
  auto out =
      cratedig::testing::RunCratedig("status --fields --db " + path.path());
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_NE(out.output.find("warning: track bpm dropped"), std::string::npos)
      << out.output;
  EXPECT_NE(out.output.find("DROPPED"), std::string::npos);
}

}  // namespace
}  // namespace cratedig::catalogue
