// Listing-first crawling, --full, incremental refresh and conditional
// requests against the real sample store (9 genres x 40 tracks, the
// reproduction's shape) on loopback, checked against its ground truth.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "../db/test_db.h"
#include "config/toml_reader.h"
#include "crawler/crawl.h"
#include "crawler/crawl_plan.h"
#include "crawler/download.h"
#include "db/catalogue_tables.h"
#include "db/refresh_tables.h"
#include "samplestore/sample_store.h"

namespace cratedig::crawler {
namespace {

using samplestore::ReleaseTruth;
using samplestore::TrackTruth;

bool RowHasPreview(const ReleaseTruth& r) {
  for (const TrackTruth& t : r.tracks) {
    if (t.has_preview) return true;
  }
  return false;
}

class ListingFirstTest : public ::testing::Test {
 protected:
  void StartStore(int held_back = 0) {
    samplestore::StoreOptions o;
    o.seed = 7;
    o.tracks_per_genre = 40;
    o.preview_seconds = 0.25;  // the audio is not what these tests look at
    o.threads = 2;
    o.held_back = held_back;
    auto s = samplestore::SampleStore::Start(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }
  config::SiteProfile Profile() {
    auto p = config::LoadConfig<config::SiteProfile>(
        std::string(CRATEDIG_SOURCE_DIR) + "/configs/samplestore.toml",
        {"base_url=\"" + store_->base_url() + "\"", "politeness.delay=0"});
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return *p;
  }
  int64_t TruthTracks() const {
    int64_t n = 0;
    for (const ReleaseTruth& r : store_->catalogue().releases) {
      n += static_cast<int64_t>(r.tracks.size());
    }
    return n;
  }
  // Every release and track of the truth is stored, with its preview URL.
  void ExpectEveryTrackWithItsPreview(db::Database& db) {
    db::ReleasesTable releases(db);
    db::TracksTable tracks(db);
    for (const ReleaseTruth& want : store_->catalogue().releases) {
      auto r = releases.GetByStoreId(want.store_id);
      ASSERT_TRUE(r.ok() && r->has_value()) << want.store_id;
      EXPECT_EQ((*r)->store_genre, want.store_genre);
      EXPECT_EQ((*r)->parent_genre.value_or(""), want.parent_genre);
      for (const TrackTruth& wt : want.tracks) {
        auto t = tracks.GetByStoreId(wt.store_id);
        ASSERT_TRUE(t.ok() && t->has_value()) << wt.store_id;
        EXPECT_EQ((*t)->title, wt.title);
        EXPECT_EQ((*t)->duration_s, wt.duration_s);
        EXPECT_EQ((*t)->bpm, wt.bpm);
        if (wt.has_preview) {
          EXPECT_EQ((*t)->preview_url, store_->base_url() + wt.preview_path);
        } else {
          EXPECT_FALSE((*t)->preview_url.has_value()) << wt.store_id;
        }
      }
    }
    EXPECT_EQ(tracks.Count().value(), TruthTracks());
  }

  // As above, for a store with releases held back: the published ones.
  void ExpectEveryPublishedTrack(db::Database& db) {
    db::TracksTable tracks(db);
    int64_t n = 0;
    for (const ReleaseTruth& want : store_->catalogue().releases) {
      if (!store_->Published(want.store_id)) continue;
      for (const TrackTruth& wt : want.tracks) {
        ++n;
        auto t = tracks.GetByStoreId(wt.store_id);
        ASSERT_TRUE(t.ok() && t->has_value()) << wt.store_id;
        if (wt.has_preview) {
          EXPECT_EQ((*t)->preview_url, store_->base_url() + wt.preview_path);
        }
      }
    }
    EXPECT_EQ(tracks.Count().value(), n);
  }

  std::unique_ptr<samplestore::SampleStore> store_;
};

TEST_F(ListingFirstTest, DefaultCrawlStoresEveryTrackInATenthOfARequest) {
  StartStore();
  db::testing::TempDbPath path;
  auto db = db::Database::Open(path.path());
  ASSERT_TRUE(db.ok());
  auto st = RunCrawl(**db, Profile(), CrawlOptions{});
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  ExpectEveryTrackWithItsPreview(**db);
  // Product pages only for rows without any preview (the store has none
  // for any of their tracks, so only the product page could say more).
  // A release listed under two listings is two rows, one product page.
  int64_t rows_without_previews = 0, rows = 0, listed_without_previews = 0;
  for (const ReleaseTruth& r : store_->catalogue().releases) {
    const int64_t listed = 1 + static_cast<int64_t>(r.also_listed.size());
    rows += listed;
    rows_without_previews += !RowHasPreview(r);
    listed_without_previews += RowHasPreview(r) ? 0 : listed;
  }
  EXPECT_EQ(st->product_pages, rows_without_previews);
  EXPECT_EQ(st->listing_only, rows - listed_without_previews);
  const double per_track =
      static_cast<double>(st->requests) / static_cast<double>(TruthTracks());
  EXPECT_LE(per_track, 0.1) << st->requests << " requests";
  EXPECT_EQ(static_cast<uint64_t>(st->requests), store_->requests());
  // One kept-alive connection carried every request.
  EXPECT_EQ(st->counters["downloader/connections_opened"], 1);
  EXPECT_EQ(st->counters["downloader/request_count"], st->requests);
}

TEST_F(ListingFirstTest, FullFetchesEveryProductPage) {
  StartStore();
  db::testing::TempDbPath path;
  auto db = db::Database::Open(path.path());
  ASSERT_TRUE(db.ok());
  CrawlOptions co;
  co.full = true;
  auto st = RunCrawl(**db, Profile(), co);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  ExpectEveryTrackWithItsPreview(**db);
  EXPECT_EQ(st->product_pages,
            static_cast<int64_t>(store_->catalogue().releases.size()));
  EXPECT_EQ(st->listing_only, 0);
}

TEST_F(ListingFirstTest, RefreshOfAnUnchangedStoreIsOneRequestPerListing) {
  StartStore();
  db::testing::TempDbPath path;
  auto db = db::Database::Open(path.path());
  ASSERT_TRUE(db.ok());
  const config::SiteProfile profile = Profile();
  ASSERT_TRUE(RunCrawl(**db, profile, CrawlOptions{}).ok());
  const int64_t tracks_before = db::TracksTable(**db).Count().value();
  const uint64_t before = store_->requests();

  CrawlOptions co;
  co.refresh = true;
  auto st = RunCrawl(**db, profile, co);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  const int64_t listings = static_cast<int64_t>(profile.listings.size());
  EXPECT_LE(static_cast<int64_t>(store_->requests() - before), listings + 2);
  // Every listing's page 1 answered 304 to its stored validators.
  EXPECT_EQ(st->not_modified, listings);
  EXPECT_EQ(store_->not_modified(), static_cast<uint64_t>(listings));
  EXPECT_EQ(st->refreshed_listings, listings);
  EXPECT_EQ(st->new_releases, 0);
  EXPECT_EQ(db::TracksTable(**db).Count().value(), tracks_before);
  auto refreshed = db::ListingRefreshTable(**db).List();
  ASSERT_TRUE(refreshed.ok());
  ASSERT_EQ(static_cast<int64_t>(refreshed->size()), listings);
  for (const auto& r : *refreshed) {
    EXPECT_EQ(r.pages, 1) << r.slug;
    EXPECT_EQ(r.new_releases, 0) << r.slug;
  }
}

TEST_F(ListingFirstTest, RefreshStoresNewReleasesAndStopsAtKnownOnes) {
  StartStore(/*held_back=*/3);
  db::testing::TempDbPath path;
  auto db = db::Database::Open(path.path());
  ASSERT_TRUE(db.ok());
  const config::SiteProfile profile = Profile();
  ASSERT_TRUE(RunCrawl(**db, profile, CrawlOptions{}).ok());
  db::ReleasesTable releases(**db);
  for (const ReleaseTruth& r : store_->catalogue().releases) {
    EXPECT_EQ(releases.GetByStoreId(r.store_id)->has_value(),
              store_->Published(r.store_id))
        << r.store_id;
  }

  // A day later: two new releases at the top of every listing.
  const int published = store_->Publish(2);
  ASSERT_GT(published, 0);
  const uint64_t before = store_->requests();
  CrawlOptions co;
  co.refresh = true;
  auto st = RunCrawl(**db, profile, co);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->new_releases, published);
  for (const ReleaseTruth& r : store_->catalogue().releases) {
    auto got = releases.GetByStoreId(r.store_id);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->has_value(), store_->Published(r.store_id)) << r.store_id;
  }
  // Page 1 (new releases) and page 2 (known ones: stop) at most, per
  // listing, plus the product pages of new rows without previews.
  const int64_t listings = static_cast<int64_t>(profile.listings.size());
  EXPECT_LE(st->listing_pages, 2 * listings);
  EXPECT_EQ(static_cast<int64_t>(store_->requests() - before),
            st->listing_pages + st->product_pages + st->not_modified);
  EXPECT_LE(st->product_pages, published);
  ExpectEveryPublishedTrack(**db);
}

TEST_F(ListingFirstTest, RefreshUpdatesAChangedRowAndStopsThere) {
  StartStore();
  db::testing::TempDbPath path;
  auto db = db::Database::Open(path.path());
  ASSERT_TRUE(db.ok());
  const config::SiteProfile profile = Profile();
  ASSERT_TRUE(RunCrawl(**db, profile, CrawlOptions{}).ok());
  // The newest release of one listing: on its page 1.
  const ReleaseTruth* top = nullptr;
  for (const ReleaseTruth& r : store_->catalogue().releases) {
    if (r.listing_slug == "drumandbass") {
      top = &r;
      break;
    }
  }
  ASSERT_NE(top, nullptr);
  ASSERT_TRUE(store_->SetLabel(top->store_id, "Relabelled Records"));
  CrawlOptions co;
  co.refresh = true;
  auto st = RunCrawl(**db, profile, co);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  auto got = db::ReleasesTable(**db).GetByStoreId(top->store_id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->label, "Relabelled Records");
  // That listing's page 1 came back in full, all known: the walk stopped.
  // Every other listing: a 304.
  const int64_t listings = static_cast<int64_t>(profile.listings.size());
  EXPECT_EQ(st->listing_pages, 1);
  EXPECT_EQ(st->not_modified, listings - 1);
  EXPECT_EQ(st->new_releases, 0);
}

TEST_F(ListingFirstTest, PlanIsMadeFromTheDatabaseAloneAndMatchesTheCrawl) {
  StartStore();
  db::testing::TempDbPath path;
  auto db = db::Database::Open(path.path());
  ASSERT_TRUE(db.ok());
  const config::SiteProfile profile = Profile();
  const int64_t listings = static_cast<int64_t>(profile.listings.size());

  // An empty database: one robots.txt and one page per listing are sure,
  // the listings' sizes are not.
  auto empty = PlanCrawl(**db, profile, CrawlOptions{}, PlanOptions{});
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_EQ(store_->requests(), 0u);
  EXPECT_TRUE(empty->unknown_sizes);
  EXPECT_EQ(empty->robots, 1);
  EXPECT_EQ(empty->listing_requests, listings);
  PlanOptions assume;
  assume.assume_releases_per_listing = 1000;
  auto assumed = PlanCrawl(**db, profile, CrawlOptions{}, assume);
  ASSERT_TRUE(assumed.ok());
  EXPECT_EQ(assumed->listing_requests, listings * 10);  // 100 a page
  EXPECT_EQ(assumed->product_requests, 0);              // no share known yet
  assume.assume_product_share = 0.25;
  auto with_share = PlanCrawl(**db, profile, CrawlOptions{}, assume);
  ASSERT_TRUE(with_share.ok());
  EXPECT_EQ(with_share->product_requests, listings * 250);
  EXPECT_NE(FormatPlan(*assumed).find("assumed"), std::string::npos);

  ASSERT_TRUE(RunCrawl(**db, profile, CrawlOptions{}).ok());
  CrawlOptions refresh;
  refresh.refresh = true;
  auto plan = PlanCrawl(**db, profile, refresh, PlanOptions{});
  ASSERT_TRUE(plan.ok());
  EXPECT_FALSE(plan->unknown_sizes);
  const uint64_t before = store_->requests();
  auto st = RunCrawl(**db, profile, refresh);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(plan->CrawlRequests(),
            static_cast<int64_t>(store_->requests() - before));

  // --full after a listing-first crawl: every row stored alone gets its
  // product page, as planned.
  CrawlOptions full;
  full.full = true;
  auto full_plan = PlanCrawl(**db, profile, full, PlanOptions{});
  ASSERT_TRUE(full_plan.ok());
  auto fst = RunCrawl(**db, profile, full);
  ASSERT_TRUE(fst.ok());
  EXPECT_EQ(full_plan->product_requests, fst->product_pages);
  EXPECT_GT(fst->product_pages, 0);
}

TEST_F(ListingFirstTest, PreviewsReuseOneConnectionAndArePlanned) {
  StartStore();
  db::testing::TempDbPath path;
  auto db = db::Database::Open(path.path());
  ASSERT_TRUE(db.ok());
  const config::SiteProfile profile = Profile();
  ASSERT_TRUE(RunCrawl(**db, profile, CrawlOptions{}).ok());
  PlanOptions po;
  po.previews_per_genre = 30;
  auto plan = PlanCrawl(**db, profile, CrawlOptions{}, po);
  ASSERT_TRUE(plan.ok());
  DownloadOptions dopt;
  dopt.per_genre = 30;
  dopt.out_dir = (std::filesystem::path(path.path()).parent_path() /
                  "listing_first_previews")
                     .string();
  auto dst = RunDownload(**db, profile, dopt);
  std::filesystem::remove_all(dopt.out_dir);
  ASSERT_TRUE(dst.ok()) << dst.status().ToString();
  EXPECT_EQ(plan->preview_requests, dst->ok + dst->failed);
  EXPECT_EQ(dst->ok, 9 * 30);
  EXPECT_EQ(dst->counters["downloader/connections_opened"], 1);
}

}  // namespace
}  // namespace cratedig::crawler
