// Field completeness on hand-made pages: a field that drops in the newest
// pages warns, a field that is stable or was never there does not.
#include <gtest/gtest.h>

#include "../db/test_db.h"
#include "catalogue/completeness.h"
#include "db/catalogue_tables.h"
#include "db/crawl_tables.h"
#include "db/listing_tables.h"

namespace cratedig::catalogue {
namespace {

db::ReleaseListingRecord L(int64_t release, const std::string& listing,
                           int rank, std::optional<std::string> store = {},
                           std::optional<std::string> parent = {}) {
  db::ReleaseListingRecord r;
  r.release_id = release;
  r.listing = listing;
  r.rank = rank;
  r.store_genre = std::move(store);
  r.parent_genre = std::move(parent);
  return r;
}

const FieldDrift* Find(const CompletenessReport& r, const std::string& listing,
                       const std::string& kind, const std::string& field) {
  for (const FieldDrift& d : r.drift) {
    if (d.listing == listing && d.page_kind == kind && d.field == field &&
        d.record == "track") {
      return &d;
    }
  }
  return nullptr;
}

TEST(CompletenessTest, FieldDroppingInTheNewestPagesWarns) {
  db::testing::TempDbPath path;
  auto db = db::Database::Open(path.path());
  ASSERT_TRUE(db.ok());
  db::FrontierTable frontier(**db);
  db::PageFieldsTable fields(**db);
  // 10 product pages of "indie", fetched in order; bpm on 10 of 10 tracks
  // in the first 8, on none in the last 2. Title on all; label never.
  for (int i = 0; i < 10; ++i) {
    const std::string url = "http://x/p/" + std::to_string(i);
    ASSERT_TRUE(frontier.Add(url, db::PageKind::kProduct, "indie").ok());
    auto e = frontier.Get(url);
    ASSERT_TRUE(e.ok() && *e);
    ASSERT_TRUE(frontier.MarkDone((*e)->id, 200).ok());
    const int bpm = i < 8 ? 10 : 0;
    ASSERT_TRUE(fields
                    .Put((*e)->id, {{"track", "bpm", bpm, 10},
                                    {"track", "title", 10, 10},
                                    {"track", "preview_url", 0, 10}})
                    .ok());
  }
  CompletenessOptions o;  // newest 20% = 2 pages, 20 tracks

  auto r = FieldCompleteness(**db, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const FieldDrift* bpm = Find(*r, "indie", "product", "bpm");
  ASSERT_NE(bpm, nullptr);
  EXPECT_EQ(bpm->earlier_pages, 8);
  EXPECT_EQ(bpm->newest_pages, 2);
  EXPECT_EQ(bpm->earlier.present, 80);
  EXPECT_EQ(bpm->newest.present, 0);
  EXPECT_TRUE(bpm->warn);
  const FieldDrift* all = Find(*r, "", "product", "bpm");
  ASSERT_NE(all, nullptr);
  EXPECT_TRUE(all->warn);
  EXPECT_FALSE(Find(*r, "indie", "product", "title")->warn);
  EXPECT_FALSE(Find(*r, "indie", "product", "preview_url")->warn);
  EXPECT_EQ(r->warnings(), 2);

  // A wider window (half the pages) holds 3 good pages of 5: 60% of 100%
  // is above the default drop ratio of 0.5.
  o.newest_share = 0.5;
  r = FieldCompleteness(**db, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Find(*r, "indie", "product", "bpm")->newest.present, 30);
  EXPECT_FALSE(Find(*r, "indie", "product", "bpm")->warn);

  // Too few records in a window for a verdict.
  o.newest_share = 0.2;
  o.min_records = 21;
  r = FieldCompleteness(**db, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->warnings(), 0);
}

TEST(CompletenessTest, StoredSharesPerListingCountAReleaseInEachListing) {
  db::testing::TempDbPath path;
  auto db = db::Database::Open(path.path());
  ASSERT_TRUE(db.ok());
  db::ReleasesTable releases(**db);
  db::TracksTable tracks(**db);
  db::ReleaseListingsTable listings(**db);
  std::vector<db::ReleaseRecord> rs(4);
  for (int i = 0; i < 4; ++i) {
    rs[i].store_id = "100000" + std::to_string(i) + "-01";
    rs[i].url = "u" + std::to_string(i);
    rs[i].title = "T";
    if (i < 2) rs[i].label = "L";
  }
  auto ids = releases.MergeMany(rs, true);
  ASSERT_TRUE(ids.ok());
  ASSERT_TRUE(listings.Put(L((*ids)[0], "indie", 0)).ok());
  ASSERT_TRUE(listings.Put(L((*ids)[0], "rock", 1)).ok());
  ASSERT_TRUE(listings.Put(L((*ids)[1], "rock", 1)).ok());
  ASSERT_TRUE(listings.Put(L((*ids)[2], "rock", 1)).ok());
  std::vector<db::TrackRecord> ts;
  for (int i = 0; i < 4; ++i) {
    db::TrackRecord t;
    t.release_id = (*ids)[i];
    t.store_id = rs[i].store_id + "-01-01";
    t.position = 1;
    if (i % 2 == 0) t.bpm = 120;
    ts.push_back(t);
  }
  ASSERT_TRUE(tracks.MergeMany(ts, true).ok());
  auto r = FieldCompleteness(**db);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->all.releases, 4);
  EXPECT_EQ(r->all.tracks, 4);
  ASSERT_EQ(r->listings.size(), 3u);  // indie, rock, (none)
  EXPECT_EQ(r->listings[0].listing, "indie");
  EXPECT_EQ(r->listings[1].listing, "rock");
  EXPECT_EQ(r->listings[1].releases, 3);
  EXPECT_EQ(r->listings[2].listing, "(none)");
  auto share = [](const std::vector<FieldShare>& v, const std::string& f) {
    for (const auto& s : v) {
      if (s.field == f) return s.share();
    }
    return -1.0;
  };
  EXPECT_DOUBLE_EQ(share(r->all.release_fields, "label"), 0.5);
  EXPECT_DOUBLE_EQ(share(r->listings[1].release_fields, "label"), 2.0 / 3);
  EXPECT_DOUBLE_EQ(share(r->all.track_fields, "bpm"), 0.5);
  EXPECT_DOUBLE_EQ(share(r->listings[0].track_fields, "bpm"), 1.0);
  EXPECT_TRUE(r->drift.empty());  // no pages recorded
}

}  // namespace
}  // namespace cratedig::catalogue
