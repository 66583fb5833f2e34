// Database::Open modes (issue 12): read-only verbs never create a database
// (a typo in --db is an error) and read one they cannot write to.
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "db/crawl_tables.h"
#include "db/database.h"
#include "tests/db/test_db.h"

namespace cratedig::db {
namespace {

namespace fs = std::filesystem;

DatabaseOptions Mode(OpenMode m) {
  DatabaseOptions o;
  o.mode = m;
  return o;
}

TEST(OpenModeTest, MissingDatabaseIsNotCreated) {
  testing::TempDbPath path;
  for (OpenMode m : {OpenMode::kReadOnly, OpenMode::kExisting}) {
    auto db = Database::Open(path.path(), Mode(m));
    ASSERT_FALSE(db.ok());
    EXPECT_EQ(db.status().code(), StatusCode::kNotFound);
    EXPECT_NE(db.status().message().find("no database at " + path.path()),
              std::string::npos)
        << db.status().message();
    EXPECT_FALSE(fs::exists(path.path()));
  }
  auto dir = Database::Open(fs::path(path.path()).parent_path().string(),
                            Mode(OpenMode::kReadOnly));
  ASSERT_FALSE(dir.ok());
  EXPECT_NE(dir.status().message().find("is a directory"), std::string::npos);
  // The default still creates (crawl).
  EXPECT_TRUE(Database::Open(path.path()).ok());
  EXPECT_TRUE(fs::exists(path.path()));
}

TEST(OpenModeTest, ReadOnlyReadsAndNeverWrites) {
  testing::TempDbPath path;
  {
    auto db = Database::Open(path.path());
    ASSERT_TRUE(db.ok());
    FrontierTable f(**db);
    ASSERT_TRUE(f.Add("http://127.0.0.1/a", PageKind::kListing).ok());
  }
  auto db = Database::Open(path.path(), Mode(OpenMode::kReadOnly));
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_TRUE((*db)->read_only());
  FrontierTable f(**db);
  auto counts = f.CountByStatus();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ((*counts)["pending"], 1);
  EXPECT_FALSE(f.Add("http://127.0.0.1/b", PageKind::kListing).ok());
}

// On a read-only filesystem (a read-only bind mount of the database's folder,
// in a private mount namespace of a child process) the WAL index cannot be
// created; reading must still work and writing must fail cleanly.
TEST(OpenModeTest, ReadOnlyWorksOnAReadOnlyFilesystem) {
  testing::TempDbPath path;
  {
    auto db = Database::Open(path.path());
    ASSERT_TRUE(db.ok());
    FrontierTable f(**db);
    ASSERT_TRUE(f.Add("http://127.0.0.1/a", PageKind::kListing).ok());
  }
  ASSERT_FALSE(fs::exists(path.path() + "-shm"));  // closed cleanly
  const std::string dir = fs::path(path.path()).parent_path().string();
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // 77: cannot set up the read-only mount here (not root): skip.
    if (::unshare(CLONE_NEWNS) != 0) ::_exit(77);
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
      ::_exit(77);
    }
    if (::mount(dir.c_str(), dir.c_str(), nullptr, MS_BIND, nullptr) != 0 ||
        ::mount(nullptr, dir.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY,
                nullptr) != 0) {
      ::_exit(77);
    }
    if (::access(path.path().c_str(), W_OK) == 0) ::_exit(77);
    auto rw = Database::Open(path.path(), Mode(OpenMode::kExisting));
    if (rw.ok()) ::_exit(10);  // the fault did not bite
    auto db = Database::Open(path.path(), Mode(OpenMode::kReadOnly));
    if (!db.ok()) {
      std::fprintf(stderr, "%s\n", db.status().ToString().c_str());
      ::_exit(11);
    }
    FrontierTable f(**db);
    auto counts = f.CountByStatus();
    if (!counts.ok()) {
      std::fprintf(stderr, "%s\n", counts.status().ToString().c_str());
      ::_exit(12);
    }
    ::_exit((*counts)["pending"] == 1 ? 0 : 13);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 77) GTEST_SKIP() << "no read-only mount here";
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(OpenModeTest, ReadOnlyMigratesAnOlderWritableFile) {
  testing::TempDbPath path;
  {
    DatabaseOptions o;
    o.target_version = 1;
    ASSERT_TRUE(Database::Open(path.path(), o).ok());
  }
  auto db = Database::Open(path.path(), Mode(OpenMode::kReadOnly));
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_EQ((*db)->UserVersion(), LatestSchemaVersion());
}

}  // namespace
}  // namespace cratedig::db
