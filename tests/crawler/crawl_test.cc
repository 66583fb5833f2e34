// The crawl engine and the downloader against MiniStore on loopback.
#include "crawler/crawl.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <vector>

#include "../db/test_db.h"
#include "config/toml_reader.h"
#include "core/files.h"
#include "crawler/download.h"
#include "crawler/robots.h"
#include "db/catalogue_tables.h"
#include "db/crawl_tables.h"
#include "db/writer_lock.h"
#include "tests/crawler/db_dump.h"
#include "tests/crawler/mini_store.h"

namespace cratedig::crawler {
namespace {

using testing::MiniRelease;
using testing::MiniStore;
using testing::MiniStoreOptions;

config::SiteProfile Profile(const std::string& base_url, double delay,
                            std::vector<std::string> more = {}) {
  std::vector<std::string> sets = {"base_url=\"" + base_url + "\"",
                                   "politeness.delay=" + std::to_string(delay),
                                   "politeness.backoff_base=0.01",
                                   "politeness.backoff_max=0.05"};
  sets.insert(sets.end(), more.begin(), more.end());
  auto p = config::LoadConfig<config::SiteProfile>(
      std::string(CRATEDIG_SOURCE_DIR) + "/configs/samplestore.toml", sets);
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
                        [&](const Progress&) { ++reports; });
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
  auto st = RunCrawl(
      **db, profile, Options(),
      [&](const Progress& p) {
        if (p.done >= 3) cancel.requested = true;
      },
      &cancel);
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

// Issue 12: pages that fail for transient reasons are not lost for good. With
// no retries inside a run, the store's 503s and 429s fail some pages; each
// keeps its attempt count, last error and reason, and later runs fetch them
// again until the catalogue is complete.
TEST(CrawlRetryTest, TransientFailuresAreRetriedByLaterRuns) {
  MiniStoreOptions so;
  so.faults = true;
  so.retry_after = "0";
  MiniStore store(so);
  db::testing::TempDbPath path;
  auto db = db::Database::Open(path.path());
  ASSERT_TRUE(db.ok());
  config::SiteProfile profile =
      Profile(store.base_url(), 0,
              {"politeness.max_retries=0", "politeness.rerun_backoff_base=0"});
  auto first = RunCrawl(**db, profile, Options());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_GT(first->failed_pages, 0);  // the faults bit
  db::FrontierTable frontier(**db);
  auto failed = frontier.List(db::FrontierStatus::kFailed);
  ASSERT_TRUE(failed.ok());
  ASSERT_FALSE(failed->empty());
  for (const db::FrontierEntry& e : *failed) {
    EXPECT_EQ(e.attempts, 1) << e.url;
    ASSERT_TRUE(e.failure.has_value()) << e.url;
    EXPECT_TRUE(*e.failure == "http_5xx" || *e.failure == "http_429")
        << *e.failure;
    EXPECT_TRUE(e.last_error.has_value());
  }
  auto reasons = frontier.CountFailuresByReason();
  ASSERT_TRUE(reasons.ok());
  int64_t counted = 0;
  for (const auto& [reason, n] : *reasons) counted += n;
  EXPECT_EQ(counted, static_cast<int64_t>(failed->size()));

  int runs = 1;
  for (;; ++runs) {
    ASSERT_LT(runs, 6) << "transient failures still left";
    auto again = RunCrawl(**db, profile, Options());
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_GT(again->requeued, 0);
    auto counts = frontier.CountByStatus();
    ASSERT_TRUE(counts.ok());
    if ((*counts)["failed"] == 0 && (*counts)["pending"] == 0) break;
  }
  ExpectMatchesCatalogue(**db, store);
  auto done = frontier.CountFailuresByReason();
  ASSERT_TRUE(done.ok());
  EXPECT_TRUE(done->empty());
}

// The wait between runs grows, and --retry-failed overrides it and also
// retries failures that are not transient (a 404).
TEST(CrawlRetryTest, BackoffAcrossRunsAndRetryFailed) {
  MiniStoreOptions so;
  so.faults = true;
  so.retry_after = "0";
  MiniStore store(so);
  db::testing::TempDbPath path;
  auto db = db::Database::Open(path.path());
  ASSERT_TRUE(db.ok());
  config::SiteProfile profile = Profile(
      store.base_url(), 0,
      {"politeness.max_retries=0", "politeness.rerun_backoff_base=3600"});
  db::FrontierTable frontier(**db);
  ASSERT_TRUE(frontier
                  .Add(store.base_url() + "/products/gone/1-1/",
                       db::PageKind::kProduct, "trance-music")
                  .ok());
  auto first = RunCrawl(**db, profile, Options());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto gone = frontier.Get(store.base_url() + "/products/gone/1-1/");
  ASSERT_TRUE(gone.ok() && gone->has_value());
  EXPECT_EQ((*gone)->status, db::FrontierStatus::kFailed);
  EXPECT_EQ((*gone)->failure, "http_404");
  auto failed = frontier.List(db::FrontierStatus::kFailed);
  ASSERT_TRUE(failed.ok());
  ASSERT_GT(failed->size(), 1u);
  for (const db::FrontierEntry& e : *failed) {
    if (e.failure == "http_404") continue;
    // Retried no sooner than the backoff: one hour after the failure.
    EXPECT_GE(e.next_attempt_at, *e.finished_at + 3599 * 1000) << e.url;
  }

  // Within the backoff: nothing is fetched again.
  auto second = RunCrawl(**db, profile, Options());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->requeued, 0);
  EXPECT_EQ(second->pages, 0);

  // An hour later (moved back in the database): the transient ones only,
  // and a second failure of them would wait twice as long.
  ASSERT_TRUE((*db)
                  ->Exec("UPDATE frontier SET next_attempt_at=1 WHERE "
                         "next_attempt_at>0 AND status='failed'")
                  .ok());
  auto third = RunCrawl(**db, profile, Options());
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->requeued, static_cast<int64_t>(failed->size()) - 1);
  auto after = frontier.Get(store.base_url() + "/products/gone/1-1/");
  ASSERT_TRUE(after.ok() && after->has_value());
  EXPECT_EQ((*after)->attempts, 1);  // the 404 was left alone

  // --retry-failed: everything failed, now, whatever the reason.
  CrawlOptions o = Options();
  o.retry_failed = true;
  auto fourth = RunCrawl(**db, profile, o);
  ASSERT_TRUE(fourth.ok());
  EXPECT_GE(fourth->requeued, 1);
  auto last = frontier.Get(store.base_url() + "/products/gone/1-1/");
  ASSERT_TRUE(last.ok() && last->has_value());
  EXPECT_EQ((*last)->attempts, 2);
  EXPECT_EQ((*last)->status, db::FrontierStatus::kFailed);
}

// Issue 12: "112 tracks written" was printed for 56 tracks (each track is
// on its listing and its product page).
TEST(CrawlTest, TrackCountIsDistinct) {
  MiniStore store;
  db::testing::TempDbPath path;
  auto db = db::Database::Open(path.path());
  ASSERT_TRUE(db.ok());
  auto st = RunCrawl(**db, Profile(store.base_url(), 0), Options());
  ASSERT_TRUE(st.ok());
  db::TracksTable tracks(**db);
  db::ReleasesTable releases(**db);
  EXPECT_EQ(st->tracks, tracks.Count().value());
  EXPECT_EQ(st->releases, releases.Count().value());
}

// Issue 12: two crawls on one database both fetched everything. The second
// one now refuses, naming the holder; a killed holder's lock is taken over.
TEST(WriterLockTest, OneWriterPerDatabaseAndStaleLockTakenOver) {
  db::testing::TempDbPath path;
  auto db = db::Database::Open(path.path());
  ASSERT_TRUE(db.ok());
  {
    auto held = db::WriterLock::Acquire(path.path(), "crawl");
    ASSERT_TRUE(held.ok()) << held.status().ToString();
    auto st = RunCrawl(**db, Profile("http://127.0.0.1:1", 0), Options());
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.status().code(), StatusCode::kUnavailable);
    EXPECT_NE(st.status().message().find("another crawl holds test.db since "),
              std::string::npos)
        << st.status().message();
    DownloadOptions dl;
    dl.out_dir =
        (std::filesystem::path(path.path()).parent_path() / "pv").string();
    auto d = RunDownload(**db, Profile("http://127.0.0.1:1", 0), dl);
    EXPECT_EQ(d.status().code(), StatusCode::kUnavailable);
  }
  EXPECT_FALSE(std::filesystem::exists(db::WriterLock::LockPath(path.path())));

  // A child takes the lock and is SIGKILLed while holding it.
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto l = db::WriterLock::Acquire(path.path(), "download");
    char c = l.ok() ? 'y' : 'n';
    (void)!::write(fds[1], &c, 1);
    for (;;) ::pause();
  }
  char c = 0;
  ASSERT_EQ(::read(fds[0], &c, 1), 1);
  ASSERT_EQ(c, 'y');
  auto busy = db::WriterLock::Acquire(path.path(), "crawl");
  ASSERT_FALSE(busy.ok());
  EXPECT_NE(busy.status().message().find("another download holds test.db"),
            std::string::npos)
      << busy.status().message();
  EXPECT_NE(busy.status().message().find("(pid " + std::to_string(child) + ")"),
            std::string::npos)
      << busy.status().message();
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  ::close(fds[0]);
  ::close(fds[1]);
  // Its lock file is still there, with its text: stale, taken over.
  EXPECT_TRUE(std::filesystem::exists(db::WriterLock::LockPath(path.path())));
  auto mine = db::WriterLock::Acquire(path.path(), "crawl");
  EXPECT_TRUE(mine.ok()) << mine.status().ToString();
}

// Issue 12: download trusted any file already there; a preview damaged on
// disk is now fetched again. And a full disk says so.
TEST(DownloadTest, DamagedFilesAreFetchedAgainAndFullDiskIsNamed) {
  MiniStore store;
  db::testing::TempDbPath path;
  auto db = db::Database::Open(path.path());
  ASSERT_TRUE(db.ok());
  config::SiteProfile profile = Profile(store.base_url(), 0);
  CrawlOptions co = Options();
  co.genres = {"trance-music"};
  ASSERT_TRUE(RunCrawl(**db, profile, co).ok());
  namespace fs = std::filesystem;
  fs::path out = fs::path(path.path()).parent_path() / "previews";
  DownloadOptions o;
  o.per_genre = 6;
  o.out_dir = out.string();
  auto st = RunDownload(**db, profile, o);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  ASSERT_GE(st->ok, 4);
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(out)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 3u);
  fs::resize_file(files[0], fs::file_size(files[0]) / 2);  // truncated
  {
    auto data = ReadFile(files[1]);  // same size, one byte changed
    ASSERT_TRUE(data.ok());
    (*data)[data->size() - 1] ^= 0x55;
    ASSERT_TRUE(WriteFileAtomic(files[1], *data).ok());
  }
  fs::remove(files[2]);  // gone
  auto again = RunDownload(**db, profile, o);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->damaged, 3);
  EXPECT_EQ(again->ok, 3);
  for (const fs::path& f : {files[0], files[1], files[2]}) {
    auto sha = Sha256File(f);
    ASSERT_TRUE(sha.ok()) << f;
    EXPECT_EQ(*sha + ".mp3", f.filename().string());
  }

  // Full disk: the temp file of every track is /dev/full (ENOSPC).
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  fs::path out2 = fs::path(path.path()).parent_path() / "full";
  fs::create_directories(out2);
  db::TracksTable tracks(**db);
  auto all = tracks.Find({});
  ASSERT_TRUE(all.ok());
  for (const db::TrackRecord& t : *all) {
    fs::create_symlink("/dev/full",
                       out2 / (".tmp-" + std::to_string(::getpid()) + "-" +
                               std::to_string(t.id) + ".part"));
  }
  o.out_dir = out2.string();
  ASSERT_TRUE((*db)->Exec("DELETE FROM previews").ok());
  auto full = RunDownload(**db, profile, o);
  ASSERT_FALSE(full.ok());
  EXPECT_NE(full.status().message().find("No space left on device"),
            std::string::npos)
      << full.status().message();
  EXPECT_NE(full.status().message().find("no space left"), std::string::npos);
}

}  // namespace
}  // namespace cratedig::crawler
