// The crawler against the real sample store (samplestore/) on loopback with
// faults on, checked against the store's ground truth and request log.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>
#include <utility>

#include "../db/test_db.h"
#include "config/toml_reader.h"
#include "core/files.h"
#include "crawler/crawl.h"
#include "crawler/download.h"
#include "crawler/mp3_check.h"
#include "db/catalogue_tables.h"
#include "db/crawl_tables.h"
#include "samplestore/sample_store.h"
#include "tests/crawler/child_process.h"
#include "tests/crawler/db_dump.h"

namespace cratedig::crawler {
namespace {

namespace fs = std::filesystem;
using samplestore::ReleaseTruth;
using samplestore::TrackTruth;

bool Has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

struct LogLine {
  double t = 0;  // unix seconds
  std::string path, agent;
  int status = 0;
};

std::vector<LogLine> ReadLog(const std::string& file) {
  std::vector<LogLine> out;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string x;
    while (std::getline(ss, x, '\t')) f.push_back(x);
    if (f.size() < 5) continue;
    std::tm tm{};
    const char* rest = strptime(f[0].c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
    if (rest == nullptr) continue;
    LogLine l;
    l.t = static_cast<double>(timegm(&tm)) + std::atof(rest);  // ".123456Z"
    l.path = f[2];
    l.agent = f[3];
    l.status = std::atoi(f[4].c_str());
    out.push_back(l);
  }
  return out;
}

class SampleStoreCrawlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cratedig_ss_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  enum class Level { kNone, kSome, kHarshest };
  void StartStore(bool faults) {
    StartStore(faults ? Level::kSome : Level::kNone);
  }
  void StartStore(Level level) {
    samplestore::StoreOptions o;
    o.seed = 11;
    o.tracks_per_genre = 4;
    o.preview_seconds = 2;
    o.threads = 2;
    o.request_log = (dir_ / "requests.log").string();
    if (level == Level::kHarshest) {
      // Every request of a path faults (the transient rates sum to 1: the
      // most Validate allows) until max_consecutive (4) faulted answers in
      // a row, one more than a run's retries (politeness.max_retries = 3):
      // many pages and previews fail a whole run and need a later one.
      // Slow answers succeed after their delay and end a streak.
      // Permanent faults at 3-4x configs/faults.toml's rates.
      samplestore::Faults& f = o.faults;
      f.rate_429 = 0.15;
      f.rate_429_date = 0.15;
      f.rate_503 = 0.2;
      f.rate_500 = 0.2;
      f.rate_truncated = 0.2;
      f.rate_slow = 0.1;
      f.slow_delay = 0.1;
      f.retry_after = 0;  // the HTTP-date form still waits to the second
      f.max_consecutive = 4;
      f.rate_corrupt_mp3 = 0.1;
      f.rate_preview_404 = 0.1;
      f.rate_oversized = 0.05;
      f.oversized_bytes = 3 << 20;
      f.rate_malformed_html = 0.15;
      f.rate_redirect_loop = 0.05;
      f.rate_redirect_offsite = 0.05;
    } else if (level == Level::kSome) {
      samplestore::Faults& f = o.faults;
      f.rate_429 = 0.02;
      f.rate_429_date = 0.02;
      f.rate_503 = 0.02;
      f.rate_500 = 0.05;
      f.rate_slow = 0.02;
      f.slow_delay = 0.2;
      f.rate_truncated = 0.05;
      f.retry_after = 1;
      f.rate_corrupt_mp3 = 0.1;
      f.rate_preview_404 = 0.1;
      f.rate_oversized = 0.05;
      f.oversized_bytes = 3 << 20;
      f.rate_malformed_html = 0.15;
      f.rate_redirect_loop = 0.05;
      f.rate_redirect_offsite = 0.05;
    }
    auto s = samplestore::SampleStore::Start(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }
  config::SiteProfile Profile(double delay,
                              const std::vector<std::string>& more = {}) {
    std::vector<std::string> sets = {
        "base_url=\"" + store_->base_url() + "\"",
        "politeness.delay=" + std::to_string(delay),
        "politeness.backoff_base=0.02",
        "politeness.backoff_max=0.1",
        "politeness.max_response_bytes=2097152",
        "politeness.timeout=10"};
    sets.insert(sets.end(), more.begin(), more.end());
    auto p = config::LoadConfig<config::SiteProfile>(
        std::string(CRATEDIG_SOURCE_DIR) + "/configs/samplestore.toml", sets);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return *p;
  }

  // Checks that `db` holds every release and track of the store's own
  // catalogue, each once and with the truth's fields, and every preview URL
  // the listings show. Returns the number of releases whose product page
  // cannot be reached (redirect loop or off-site).
  int ExpectHoldsTheCatalogue(db::Database& db) {
    const samplestore::Catalogue& truth = store_->catalogue();
    db::ReleasesTable releases(db);
    db::TracksTable tracks(db);
    size_t ntracks = 0;
    int unreachable_products = 0;
    for (const ReleaseTruth& want : truth.releases) {
      auto got = releases.GetByStoreId(want.store_id);
      EXPECT_TRUE(got.ok() && got->has_value()) << want.store_id;
      if (!got.ok() || !got->has_value()) continue;
      const db::ReleaseRecord& r = **got;
      EXPECT_EQ(r.url, store_->base_url() + want.url_path);
      EXPECT_EQ(r.artist, want.artist) << want.store_id;
      EXPECT_EQ(r.title, want.title) << want.store_id;
      EXPECT_EQ(r.label, want.label) << want.store_id;
      EXPECT_EQ(r.catalogue_number, want.catalogue_number) << want.store_id;
      EXPECT_EQ(r.release_date, want.release_date) << want.store_id;
      EXPECT_EQ(r.store_genre, want.store_genre) << want.store_id;
      EXPECT_EQ(r.parent_genre.value_or(""), want.parent_genre)
          << want.store_id;
      unreachable_products += Has(want.faults, "redirect_loop") ||
                              Has(want.faults, "redirect_offsite");
      for (const TrackTruth& wt : want.tracks) {
        ++ntracks;
        auto t = tracks.GetByStoreId(wt.store_id);
        EXPECT_TRUE(t.ok() && t->has_value()) << wt.store_id;
        if (!t.ok() || !t->has_value()) continue;
        EXPECT_EQ((*t)->release_id, r.id);
        EXPECT_EQ((*t)->position, wt.position);
        EXPECT_EQ((*t)->artist, wt.artist) << wt.store_id;
        EXPECT_EQ((*t)->title, wt.title) << wt.store_id;
        EXPECT_EQ((*t)->duration_s, wt.duration_s) << wt.store_id;
        EXPECT_EQ((*t)->bpm, wt.bpm) << wt.store_id;
        EXPECT_EQ((*t)->parent_genre.value_or(""), want.parent_genre);
        // The listing row carries the previews, also of releases whose
        // product page cannot be reached.
        if (wt.has_preview) {
          EXPECT_EQ((*t)->preview_url, store_->base_url() + wt.preview_path)
              << wt.store_id;
        } else {
          EXPECT_FALSE((*t)->preview_url.has_value()) << wt.store_id;
        }
      }
    }
    // Nothing doubled, nothing that the store does not have.
    EXPECT_EQ(releases.Count().value(),
              static_cast<int64_t>(truth.releases.size()));
    EXPECT_EQ(tracks.Count().value(), static_cast<int64_t>(ntracks));
    return unreachable_products;
  }

  // Checks every preview of a mapped track against the truth: the corrupt,
  // 404 and oversized ones failed with their reason; every other one is ok,
  // its file in `out_dir` named by its sha256 and a valid mp3 of the
  // recorded sha256. `out_dir` holds exactly those files (no temp files, no
  // strays). Returns {ok, failed}.
  std::pair<int, int> ExpectPreviewsVerified(db::Database& db,
                                             const std::string& out_dir) {
    const samplestore::Catalogue& truth = store_->catalogue();
    db::TracksTable tracks(db);
    db::PreviewsTable previews(db);
    int ok = 0, failed = 0;
    std::set<std::string> want_files;
    for (const ReleaseTruth& want : truth.releases) {
      if (want.parent_genre.empty()) continue;
      for (const TrackTruth& wt : want.tracks) {
        if (!wt.has_preview) continue;
        auto t = tracks.GetByStoreId(wt.store_id);
        EXPECT_TRUE(t.ok() && t->has_value()) << wt.store_id;
        if (!t.ok() || !t->has_value()) continue;
        auto p = previews.Get((*t)->id);
        EXPECT_TRUE(p.ok() && p->has_value()) << wt.store_id;
        if (!p.ok() || !p->has_value()) continue;
        const db::PreviewRecord& pr = **p;
        if (Has(wt.faults, "corrupt_mp3")) {
          ++failed;
          EXPECT_EQ(pr.status, db::PreviewStatus::kFailed);
          EXPECT_TRUE(pr.error.has_value() &&
                      pr.error->find("frame") != std::string::npos)
              << pr.error.value_or("");
        } else if (Has(wt.faults, "preview_404")) {
          ++failed;
          EXPECT_EQ(pr.status, db::PreviewStatus::kFailed);
          EXPECT_EQ(pr.http_status, 404);
        } else if (Has(wt.faults, "oversized")) {
          ++failed;
          EXPECT_EQ(pr.status, db::PreviewStatus::kFailed);
          EXPECT_TRUE(pr.error.has_value() &&
                      pr.error->find("large") != std::string::npos)
              << pr.error.value_or("");
        } else {
          ++ok;
          EXPECT_EQ(pr.status, db::PreviewStatus::kOk)
              << wt.store_id << " " << pr.error.value_or("");
          EXPECT_TRUE(pr.path.has_value()) << wt.store_id;
          if (!pr.path) continue;
          auto bytes = ReadFile(*pr.path);
          EXPECT_TRUE(bytes.ok()) << *pr.path;
          if (!bytes.ok()) continue;
          EXPECT_TRUE(CheckMp3(*bytes).ok()) << *pr.path;
          EXPECT_EQ(Sha256Hex(*bytes), pr.sha256);
          EXPECT_EQ(fs::path(*pr.path).filename().string(),
                    pr.sha256.value_or("") + ".mp3");
          want_files.insert(fs::path(*pr.path).filename().string());
        }
      }
    }
    std::set<std::string> got_files;
    for (const auto& e : fs::directory_iterator(out_dir)) {
      got_files.insert(e.path().filename().string());
    }
    EXPECT_EQ(got_files, want_files);
    return {ok, failed};
  }

  fs::path dir_;
  std::unique_ptr<samplestore::SampleStore> store_;
};

TEST_F(SampleStoreCrawlTest, CrawlAndDownloadWithFaultsMatchTheTruth) {
  StartStore(/*faults=*/true);
  db::testing::TempDbPath path;
  auto db = db::Database::Open(path.path());
  ASSERT_TRUE(db.ok());
  const double delay = 0.02;
  config::SiteProfile profile = Profile(delay);
  CrawlOptions co;
  co.seed = 3;
  co.full = true;  // every product page, with its faults
  auto st = RunCrawl(**db, profile, co);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->pending_left, 0);
  EXPECT_GT(st->retries, 0);

  // Every release and track of the truth, with the right fields.
  const samplestore::Catalogue& truth = store_->catalogue();
  const int unreachable_products = ExpectHoldsTheCatalogue(**db);
  EXPECT_EQ(st->failed_pages, unreachable_products);

  // Previews: the corrupt, 404 and oversized ones failed with their reason,
  // everything else downloaded and checked.
  DownloadOptions dopt;
  dopt.per_genre = 1000;
  dopt.out_dir = (dir_ / "previews").string();
  auto dst = RunDownload(**db, profile, dopt);
  ASSERT_TRUE(dst.ok()) << dst.status().ToString();
  auto [ok, failed] = ExpectPreviewsVerified(**db, dopt.out_dir);
  EXPECT_EQ(dst->ok, ok);
  EXPECT_EQ(dst->failed, failed);
  EXPECT_GT(ok, 10);
  // Seed 11 gives every kind of permanent fault at least once.
  EXPECT_GT(failed, 2);
  EXPECT_GT(unreachable_products, 0);
  int malformed = 0;
  for (const ReleaseTruth& r : truth.releases) {
    malformed += Has(r.faults, "malformed_html");
  }
  EXPECT_GT(malformed, 0);

  // Politeness, from the store's request log.
  store_->Stop();
  std::vector<LogLine> log = ReadLog((dir_ / "requests.log").string());
  ASSERT_GT(log.size(), 40u);
  int limited = 0;
  // Where the crawl's requests end and the download's begin (the crawl never
  // fetches /MP3/): the spacing rule holds within a run, and a new run knows
  // nothing of the previous one.
  size_t crawl_requests = 0;
  while (crawl_requests < log.size() &&
         log[crawl_requests].path.rfind("/MP3/", 0) != 0) {
    ++crawl_requests;
  }
  for (size_t i = 0; i < log.size(); ++i) {
    const LogLine& l = log[i];
    for (const char* banned : {"/search/", "/cart/", "/account/"}) {
      EXPECT_NE(l.path.rfind(banned, 0), 0u) << l.path;
    }
    EXPECT_EQ(l.agent.rfind("cratedig/", 0), 0u) << l.agent;
    if (i == 0) continue;
    if (i != crawl_requests) {
      EXPECT_GE(l.t - log[i - 1].t, 0.5 * delay - 1e-4)
          << log[i - 1].path << " -> " << l.path;
    }
    if (log[i - 1].status == 429 || log[i - 1].status == 503) {
      ++limited;
      // Retry-After is 1 s, as seconds or as an HTTP-date (whole seconds,
      // so at least the next full second).
      EXPECT_GE(l.t, std::floor(log[i - 1].t) + 1.0)
          << log[i - 1].path << " -> " << l.path;
    }
  }
  EXPECT_GT(limited, 0);
}

// Issue 12, "Done when": under the harshest faults the store allows, a crawl
// plus at most 4 re-runs ends holding every track the store has (checked
// against its own catalogue), and a download plus at most 4 re-runs ends
// with every good preview present and verified, nothing lost, doubled or
// corrupt. Later runs retry transient failures at once
// (rerun_backoff_base = 0; the default waits 5 minutes).
TEST_F(SampleStoreCrawlTest, HarshestFaultsCrawlAndFourRerunsHoldEverything) {
  StartStore(Level::kHarshest);
  db::testing::TempDbPath path;
  auto db = db::Database::Open(path.path());
  ASSERT_TRUE(db.ok());
  config::SiteProfile profile = Profile(
      0.002, {"politeness.backoff_base=0.002", "politeness.backoff_max=0.01",
              "politeness.rerun_backoff_base=0"});
  ASSERT_EQ(profile.politeness.max_retries, 3);
  CrawlOptions co;
  co.seed = 3;
  co.full = true;  // every product page, with its faults
  const samplestore::Catalogue& truth = store_->catalogue();
  int unreachable = 0;
  for (const ReleaseTruth& r : truth.releases) {
    unreachable +=
        Has(r.faults, "redirect_loop") || Has(r.faults, "redirect_offsite");
  }
  ASSERT_GT(unreachable, 0);
  db::FrontierTable frontier(**db);
  int crawls = 0;
  int64_t first_failed = 0;
  for (; crawls < 5; ++crawls) {
    auto st = RunCrawl(**db, profile, co);
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    if (crawls == 0) first_failed = st->failed_pages;
    auto counts = frontier.CountByStatus();
    ASSERT_TRUE(counts.ok());
    // Done when only the permanently unreachable product pages are failed.
    if ((*counts)["pending"] == 0 && (*counts)["failed"] == unreachable) {
      ++crawls;
      break;
    }
  }
  // The faults bit: the first run alone could not finish.
  EXPECT_GT(first_failed, unreachable);
  EXPECT_GE(crawls, 2);
  EXPECT_LE(crawls, 5) << "a crawl plus 4 re-runs";
  ExpectHoldsTheCatalogue(**db);

  DownloadOptions dopt;
  dopt.per_genre = 1000;
  dopt.out_dir = (dir_ / "previews").string();
  int downloads = 0;
  int64_t first_failed_previews = 0;
  int64_t want_failed = 0;
  for (const ReleaseTruth& r : truth.releases) {
    if (r.parent_genre.empty()) continue;
    for (const TrackTruth& t : r.tracks) {
      want_failed += t.has_preview && (Has(t.faults, "corrupt_mp3") ||
                                       Has(t.faults, "preview_404") ||
                                       Has(t.faults, "oversized"));
    }
  }
  for (; downloads < 5; ++downloads) {
    auto dst = RunDownload(**db, profile, dopt);
    ASSERT_TRUE(dst.ok()) << dst.status().ToString();
    if (downloads == 0) first_failed_previews = dst->failed;
    if (dst->failed == want_failed) {
      ++downloads;
      break;
    }
  }
  EXPECT_GT(first_failed_previews, want_failed);
  EXPECT_LE(downloads, 5) << "a download plus 4 re-runs";
  auto [ok, failed] = ExpectPreviewsVerified(**db, dopt.out_dir);
  EXPECT_GT(ok, 10);
  EXPECT_EQ(failed, want_failed);
}

std::vector<std::string> CrawlCommand(const std::string& base_url,
                                      const std::string& db) {
  return {std::string(CRATEDIG_BINARY_DIR) + "/cli/cratedig",
          "-q",
          "crawl",
          "--config",
          std::string(CRATEDIG_SOURCE_DIR) + "/configs/samplestore.toml",
          "--db",
          db,
          "--base-url",
          base_url,
          "--delay",
          "0.01",
          "--set",
          "politeness.backoff_base=0.01",
          "--set",
          "politeness.max_response_bytes=2097152"};
}

TEST_F(SampleStoreCrawlTest, SigkillAtFiveRandomMomentsThenResumeEqualsOneRun) {
  StartStore(/*faults=*/true);
  db::testing::TempDbPath ref_db, killed_db;
  // The kill moments are drawn inside the reference run's own duration, so
  // they land mid-crawl however fast the machine (a fixed 20-300 ms window
  // missed the crawl once start-up got faster and the crawl listing-first).
  int ref_ms = 0;
  {
    auto start = std::chrono::steady_clock::now();
    testing::Child c(CrawlCommand(store_->base_url(), ref_db.path()));
    ASSERT_TRUE(c.ok());
    ASSERT_EQ(c.Wait(), 0);
    ref_ms =
        static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - start)
                             .count());
  }
  std::mt19937 rng(std::random_device{}());
  int killed = 0;
  for (int i = 0; i < 5; ++i) {
    testing::Child c(CrawlCommand(store_->base_url(), killed_db.path()));
    ASSERT_TRUE(c.ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(
        std::uniform_int_distribution<int>(ref_ms / 20, ref_ms / 2)(rng)));
    c.Kill();
    killed += c.Wait() == -SIGKILL;
  }
  testing::Child last(CrawlCommand(store_->base_url(), killed_db.path()));
  ASSERT_TRUE(last.ok());
  ASSERT_EQ(last.Wait(), 0);
  EXPECT_GE(killed, 3);
  auto ref = db::Database::Open(ref_db.path());
  auto got = db::Database::Open(killed_db.path());
  ASSERT_TRUE(ref.ok() && got.ok());
  std::string want = testing::DumpCatalogue(**ref);
  EXPECT_GT(want.size(), 1000u);
  EXPECT_EQ(testing::DumpCatalogue(**got), want);
}

}  // namespace
}  // namespace cratedig::crawler
