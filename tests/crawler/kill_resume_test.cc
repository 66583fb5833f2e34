// SIGKILL at random moments, then the same command again: the database ends
// equal to an uninterrupted run's. Runs the real `cratedig` binary as a
// child process against MiniStore on loopback.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include "../db/test_db.h"
#include "db/crawl_tables.h"
#include "tests/crawler/child_process.h"
#include "tests/crawler/db_dump.h"
#include "tests/crawler/mini_store.h"

namespace cratedig::crawler {
namespace {

namespace fs = std::filesystem;
using testing::Child;

std::vector<std::string> Command(const std::string& what,
                                 const std::string& base_url,
                                 const std::string& db,
                                 const std::string& out = "") {
  std::vector<std::string> a = {
      std::string(CRATEDIG_BINARY_DIR) + "/cli/cratedig",
      "-q",
      what,
      "--config",
      std::string(CRATEDIG_SOURCE_DIR) + "/configs/samplestore.toml",
      "--db",
      db,
      "--base-url",
      base_url,
      "--delay",
      "0.01",
      "--set",
      "politeness.backoff_base=0.01"};
  if (what == "crawl") {
    a.push_back("--genres");
    a.push_back("Trance,Drum and Bass");
  } else {
    a.insert(a.end(), {"--per-genre", "15", "--seed", "42", "--out", out});
  }
  return a;
}

int RunToEnd(const std::vector<std::string>& cmd) {
  Child c(cmd);
  EXPECT_TRUE(c.ok());
  return c.Wait();
}

TEST(KillResumeTest, SigkillAtRandomMomentsThenRerunEqualsOneRun) {
  testing::MiniStoreOptions so;
  so.releases_per_genre = 60;
  so.faults = true;
  so.retry_after = "0";
  testing::MiniStore store(so);
  db::testing::TempDbPath ref_db, killed_db;
  fs::path out = fs::temp_directory_path() /
                 ("cratedig_kill_" + std::to_string(::getpid()));
  fs::remove_all(out);

  ASSERT_EQ(RunToEnd(Command("crawl", store.base_url(), ref_db.path())), 0);
  ASSERT_EQ(RunToEnd(Command("download", store.base_url(), ref_db.path(),
                             (out / "ref").string())),
            0);

  std::mt19937 rng(std::random_device{}());
  int killed = 0;
  for (const char* what : {"crawl", "download"}) {
    for (int i = 0; i < 5; ++i) {
      Child c(Command(what, store.base_url(), killed_db.path(),
                      (out / "killed").string()));
      ASSERT_TRUE(c.ok());
      int ms = std::uniform_int_distribution<int>(30, 400)(rng);
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
      c.Kill();
      int rc = c.Wait();
      killed += rc == -SIGKILL;
    }
    ASSERT_EQ(RunToEnd(Command(what, store.base_url(), killed_db.path(),
                               (out / "killed").string())),
              0);
  }
  EXPECT_GE(killed, 5);  // most kills landed mid-run

  auto ref = db::Database::Open(ref_db.path());
  auto got = db::Database::Open(killed_db.path());
  ASSERT_TRUE(ref.ok() && got.ok());
  std::string want = testing::DumpCatalogue(**ref);
  EXPECT_GT(want.size(), 1000u);
  EXPECT_EQ(testing::DumpCatalogue(**got), want);
  db::FrontierTable frontier(**got);
  auto counts = frontier.CountByStatus();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ((*counts)["pending"], 0);
  // No partial file is visible: every file is <sha256>.mp3 and whole.
  for (const auto& e : fs::directory_iterator(out / "killed")) {
    std::string name = e.path().filename().string();
    if (name.rfind(".tmp-", 0) == 0) continue;  // a killed write, never used
    EXPECT_EQ(e.path().extension(), ".mp3") << name;
    EXPECT_TRUE(fs::exists(out / "ref" / name)) << name;
    EXPECT_EQ(fs::file_size(e.path()), fs::file_size(out / "ref" / name));
  }
  fs::remove_all(out);
}

}  // namespace
}  // namespace cratedig::crawler
