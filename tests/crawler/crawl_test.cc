// The crawl engine and the downloader against MiniStore on loopback.
#include "crawler/crawl.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "../db/test_db.h"
#include "config/toml_reader.h"
#include "core/files.h"
#include "crawler/download.h"
#include "crawler/robots.h"
#include "db/catalogue_tables.h"
#include "db/crawl_tables.h"
#include "tests/crawler/db_dump.h"
#include "tests/crawler/mini_store.h"

namespace cratedig::crawler {
namespace {

using testing::MiniRelease;
using testing::MiniStore;
using testing::MiniStoreOptions;

config::SiteProfile Profile(const std::string& base_url, double delay) {
  auto p = config::LoadConfig<config::SiteProfile>(
      std::string(CRATEDIG_SOURCE_DIR) + "/configs/samplestore.toml",
      {"base_url=\"" + base_url + "\"",
       "politeness.delay=" + std::to_string(delay),
       "politeness.backoff_base=0.01", "politeness.backoff_max=0.05"});
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return *p;
}

CrawlOptions Options() {
  CrawlOptions o;
  o.genres = {"trance-music", "Drum and Bass"};  // a slug and a parent
  o.seed = 5;
  return o;
}

void ExpectMatchesCatalogue(db::Database& db, const MiniStore& store) {
  db::ReleasesTable releases(db);
  db::TracksTable tracks(db);
  EXPECT_EQ(releases.Count().value(),
            static_cast<int64_t>(store.releases().size()));
  for (const MiniRelease& want : store.releases()) {
    auto got = releases.GetByStoreId(want.store_id);
    ASSERT_TRUE(got.ok() && got->has_value()) << want.store_id;
    const db::ReleaseRecord& r = **got;
    EXPECT_EQ(r.url, store.base_url() + want.url_path);
    EXPECT_EQ(r.artist, want.artist);
    EXPECT_EQ(r.title, want.title);
    EXPECT_EQ(r.label, want.label);
    EXPECT_EQ(r.catalogue_number, want.cat);
    EXPECT_EQ(r.release_date, want.date_iso);
    EXPECT_EQ(r.store_genre, want.store_genre);
    EXPECT_EQ(r.parent_genre, want.parent);
    EXPECT_EQ(r.missing_fields, "");
    for (const auto& wt : want.tracks) {
      auto t = tracks.GetByStoreId(wt.store_id);
      ASSERT_TRUE(t.ok() && t->has_value()) << wt.store_id;
      EXPECT_EQ((*t)->release_id, r.id);
      EXPECT_EQ((*t)->position, wt.position);
      EXPECT_EQ((*t)->artist, wt.artist);
      EXPECT_EQ((*t)->title, wt.title);
      EXPECT_EQ((*t)->duration_s, wt.duration_s);
      EXPECT_EQ((*t)->bpm, wt.bpm);
      EXPECT_EQ((*t)->label, want.label);
      EXPECT_EQ((*t)->parent_genre, want.parent);
      if (wt.has_preview) {
        EXPECT_EQ((*t)->preview_url,
                  store.base_url() + "/MP3/SF" + wt.store_id + ".mp3");
      } else {
        EXPECT_FALSE((*t)->preview_url.has_value()) << wt.store_id;
      }
    }
  }
}

TEST(CrawlTest, FullCrawlWithFaultsMatchesTheCatalogue) {
  MiniStoreOptions so;
  so.faults = true;
  so.retry_after = "1";
  MiniStore store(so);
  db::testing::TempDbPath path;
  auto db = db::Database::Open(path.path());
  ASSERT_TRUE(db.ok());
  const double delay = 0.02;
  int reports = 0;
  auto stats = RunCrawl(**db, Profile(store.base_url(), delay), Options(),
                        nullptr, [&](const Progress&) { ++reports; });
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  ExpectMatchesCatalogue(**db, store);
  // 2 genres x 3 listing pages + 46 product pages.
  EXPECT_EQ(stats->listing_pages, 6);
  EXPECT_EQ(stats->product_pages, 46);
  EXPECT_EQ(stats->failed_pages, 0);
  EXPECT_EQ(stats->pending_left, 0);
  EXPECT_GT(stats->retries, 0);  // the faults were there
  EXPECT_GT(stats->http_429, 0);
  EXPECT_EQ(stats->parse_errors, 0);
  EXPECT_GT(reports, 0);

  // Politeness, from the store's log: robots first; nothing disallowed;
  // requests at least 0.5 x delay apart; none sooner than a Retry-After.
  auto log = store.log();
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log.front().first, "/robots.txt");
  RobotsRules rules = ParseRobots(
      "User-agent: *\nDisallow: /search/\nDisallow: /cart/\n"
      "Disallow: /account/\n",
      "cratedig");
  for (size_t i = 0; i < log.size(); ++i) {
    EXPECT_TRUE(rules.Allowed(log[i].first)) << log[i].first;
    if (i > 0) {
      EXPECT_GE(log[i].second - log[i - 1].second, 0.5 * delay) << i;
    }
  }
  for (double t429 : store.retry_after_times()) {
    for (const auto& [url, t] : log) {
      EXPECT_FALSE(t > t429 && t < t429 + 1.0) << url;
    }
  }
  // A second run finds nothing to do and changes nothing.
  std::string before = testing::DumpCatalogue(**db);
  auto again = RunCrawl(**db, Profile(store.base_url(), delay), Options());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->pages, 0);
  EXPECT_EQ(testing::DumpCatalogue(**db), before);
}

TEST(CrawlTest, ResumingInSlicesEqualsOneRun) {
  MiniStore store;
  db::testing::TempDbPath full_path, sliced_path;
  auto full = db::Database::Open(full_path.path());
  auto sliced = db::Database::Open(sliced_path.path());
  ASSERT_TRUE(full.ok() && sliced.ok());
  config::SiteProfile profile = Profile(store.base_url(), 0);
  ASSERT_TRUE(RunCrawl(**full, profile, Options()).ok());
  CrawlOptions o = Options();
  o.max_pages = 7;
  int runs = 0;
  for (;; ++runs) {
    auto st = RunCrawl(**sliced, profile, o);
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    EXPECT_LE(st->pages, 7);
    if (st->pending_left == 0) break;
    ASSERT_LT(runs, 20);
  }
  EXPECT_GE(runs, 6);
  EXPECT_EQ(testing::DumpCatalogue(**sliced), testing::DumpCatalogue(**full));
  ExpectMatchesCatalogue(**sliced, store);
}

TEST(CrawlTest, CancelStopsAfterInFlightAndResumes) {
  MiniStore store;
  db::testing::TempDbPath path;
  auto db = db::Database::Open(path.path());
  ASSERT_TRUE(db.ok());
  config::SiteProfile profile = Profile(store.base_url(), 0);
  CancelFlag cancel;
  auto st = RunCrawl(**db, profile, Options(), &cancel, [&](const Progress& p) {
    if (p.done >= 3) cancel.requested = true;
  });
  ASSERT_TRUE(st.ok());
  EXPECT_TRUE(st->cancelled);
  EXPECT_GT(st->pending_left, 0);
  EXPECT_LT(st->pages, 10);
  auto rest = RunCrawl(**db, profile, Options());
  ASSERT_TRUE(rest.ok());
  EXPECT_FALSE(rest->cancelled);
  ExpectMatchesCatalogue(**db, store);
}

TEST(CrawlTest, UnknownGenreIsAnError) {
  db::testing::TempDbPath path;
  auto db = db::Database::Open(path.path());
  ASSERT_TRUE(db.ok());
  CrawlOptions o;
  o.genres = {"Polka"};
  auto st = RunCrawl(**db, Profile("http://127.0.0.1:1", 0), o);
  EXPECT_EQ(st.status().code(), StatusCode::kInvalidArgument);
}

TEST(DownloadTest, DownloadsChecksAndRecords) {
  MiniStoreOptions so;
  so.faults = true;
  so.retry_after = "0";
  MiniStore store(so);
  db::testing::TempDbPath path;
  auto db = db::Database::Open(path.path());
  ASSERT_TRUE(db.ok());
  config::SiteProfile profile = Profile(store.base_url(), 0);
  ASSERT_TRUE(RunCrawl(**db, profile, Options()).ok());

  std::filesystem::path out = std::filesystem::temp_directory_path() /
                              ("cratedig_dl_" + std::to_string(::getpid()));
  std::filesystem::remove_all(out);
  DownloadOptions o;
  o.per_genre = 1000;
  o.out_dir = out.string();
  auto st = RunDownload(**db, profile, o);
  ASSERT_TRUE(st.ok()) << st.status().ToString();

  db::TracksTable tracks(**db);
  db::PreviewsTable previews(**db);
  int want_ok = 0, want_failed = 0;
  for (const MiniRelease& r : store.releases()) {
    for (const auto& t : r.tracks) {
      if (!t.has_preview) continue;
      auto row = tracks.GetByStoreId(t.store_id);
      ASSERT_TRUE(row.ok() && row->has_value());
      auto p = previews.Get((*row)->id);
      ASSERT_TRUE(p.ok() && p->has_value()) << t.store_id;
      if (t.preview_404 || t.preview_corrupt) {
        ++want_failed;
        EXPECT_EQ((*p)->status, db::PreviewStatus::kFailed) << t.store_id;
        ASSERT_TRUE((*p)->error.has_value());
        if (t.preview_404) {
          EXPECT_EQ((*p)->http_status, 404);
          EXPECT_NE((*p)->error->find("404"), std::string::npos);
        } else {
          EXPECT_NE((*p)->error->find("frame sync"), std::string::npos)
              << *(*p)->error;
        }
        EXPECT_FALSE((*p)->path.has_value());
      } else {
        ++want_ok;
        ASSERT_EQ((*p)->status, db::PreviewStatus::kOk)
            << t.store_id << ": " << (*p)->error.value_or("");
        ASSERT_TRUE((*p)->path.has_value());
        std::filesystem::path f(*(*p)->path);
        EXPECT_TRUE(f.is_absolute());
        EXPECT_EQ(f.filename().string(), *(*p)->sha256 + ".mp3");
        auto sha = Sha256File(f);
        ASSERT_TRUE(sha.ok());
        EXPECT_EQ(*sha, *(*p)->sha256);
        EXPECT_EQ(static_cast<int64_t>(std::filesystem::file_size(f)),
                  *(*p)->bytes);
      }
    }
  }
  EXPECT_EQ(st->ok, want_ok);
  EXPECT_EQ(st->failed, want_failed);
  EXPECT_GT(want_failed, 3);
  // No temp files left; only content-addressed names.
  for (const auto& e : std::filesystem::directory_iterator(out)) {
    EXPECT_EQ(e.path().extension(), ".mp3") << e.path();
    EXPECT_EQ(e.path().stem().string().size(), 64u) << e.path();
  }
  // A rerun skips what is there and retries only the failures.
  auto again = RunDownload(**db, profile, o);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->skipped, want_ok);
  EXPECT_EQ(again->ok, 0);
  EXPECT_EQ(again->failed, want_failed);
  std::filesystem::remove_all(out);
}

}  // namespace
}  // namespace cratedig::crawler
