#include "db/migrations.h"

#include <gtest/gtest.h>

#include "db/catalogue_tables.h"
#include "db/database.h"
#include "tests/db/test_db.h"

namespace cratedig::db {
namespace {

// The whole schema as text, to compare before and after a re-open.
std::string SchemaDump(Database& db) {
  auto s = db.Prepare(
      "SELECT type, name, coalesce(sql,'') FROM sqlite_master ORDER BY name");
  std::string out;
  while (*s->Step()) out += s->Text(0) + " " + s->Text(1) + " " + s->Text(2);
  return out;
}

TEST(MigrationsTest, VersionsAreConsecutive) {
  int v = 0;
  for (const Migration& m : Migrations()) EXPECT_EQ(m.version, ++v);
  EXPECT_EQ(LatestSchemaVersion(), v);
}

TEST(MigrationsTest, FreshDatabaseIsFullyMigratedAndReopenIsNoop) {
  testing::TempDbPath tmp;
  std::string schema;
  {
    auto db = Database::Open(tmp.path());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    EXPECT_EQ((*db)->UserVersion(), LatestSchemaVersion());
    schema = SchemaDump(**db);
    EXPECT_NE(schema.find("CREATE TABLE embeddings"), std::string::npos);
  }
  auto again = Database::Open(tmp.path());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->UserVersion(), LatestSchemaVersion());
  EXPECT_EQ(SchemaDump(**again), schema);
}

TEST(MigrationsTest, OlderDatabaseIsMigratedKeepingItsRows) {
  testing::TempDbPath tmp;
  {
    DatabaseOptions v1;
    v1.target_version = 1;
    auto db = Database::Open(tmp.path(), v1);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    EXPECT_EQ((*db)->UserVersion(), 1);
    // v1 has no tiles table yet.
    EXPECT_FALSE((*db)->Prepare("SELECT * FROM tiles").ok());
    ReleasesTable releases(**db);
    ReleaseRecord r;
    r.store_id = "100-1";
    r.url = "http://127.0.0.1/products/x/100-1/";
    r.artist = "Old Artist";
    ASSERT_TRUE(releases.Upsert(r).ok());
  }
  auto db = Database::Open(tmp.path());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_EQ((*db)->UserVersion(), LatestSchemaVersion());
  EXPECT_TRUE((*db)->Prepare("SELECT * FROM tiles").ok());
  ReleasesTable releases(**db);
  auto got = releases.GetByStoreId("100-1");
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->artist, "Old Artist");
}

TEST(MigrationsTest, NewerDatabaseIsRefused) {
  testing::TempDbPath tmp;
  {
    auto db = Database::Open(tmp.path());
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("PRAGMA user_version = 99").ok());
  }
  auto db = Database::Open(tmp.path());
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.status().message().find("newer"), std::string::npos)
      << db.status().ToString();
  EXPECT_NE(db.status().message().find(tmp.path()), std::string::npos);
}

TEST(MigrationsTest, NotADatabaseIsAClearError) {
  testing::TempDbPath tmp;
  FILE* f = std::fopen(tmp.path().c_str(), "wb");
  std::fputs(
      "this is not an sqlite file, just some text padding it out......"
      "...............................................................",
      f);
  std::fclose(f);
  auto db = Database::Open(tmp.path());
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.status().message().find(tmp.path()), std::string::npos)
      << db.status().ToString();
}

TEST(MigrationsTest, ForeignKeysAreEnforced) {
  testing::TempDbPath tmp;
  auto db = Database::Open(tmp.path());
  ASSERT_TRUE(db.ok());
  TracksTable tracks(**db);
  TrackRecord t;
  t.release_id = 12345;  // no such release
  t.store_id = "1-1-01-01";
  t.position = 1;
  EXPECT_FALSE(tracks.Upsert(t).ok());
}

TEST(MigrationsTest, FailedTransactionRollsBack) {
  testing::TempDbPath tmp;
  auto db = Database::Open(tmp.path());
  ASSERT_TRUE(db.ok());
  ReleasesTable releases(**db);
  Status st = (*db)->InTransaction([&]() -> Status {
    ReleaseRecord r;
    r.store_id = "1-2";
    r.url = "u";
    CRATEDIG_RETURN_IF_ERROR(releases.Upsert(r).status());
    return Status::Internal("abort");
  });
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(*releases.Count(), 0);
}

}  // namespace
}  // namespace cratedig::db

namespace cratedig::db {
namespace {

TEST(MigrationsTest, ListingsOfReleasesCrawledBeforeV6AreBackfilled) {
  testing::TempDbPath tmp;
  {
    DatabaseOptions v5;
    v5.target_version = 5;
    auto db = Database::Open(tmp.path(), v5);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ReleasesTable releases(**db);
    ReleaseRecord r;
    r.store_id = "100-1";
    r.url = "http://127.0.0.1/products/x/100-1/";
    r.store_genre = "Indie";
    r.parent_genre = "Rock/Indie";
    ASSERT_TRUE(releases.Upsert(r).ok());
    auto add = (*db)->Prepare(
        "INSERT INTO frontier (url, kind, context, added_at) VALUES (?, "
        "'product', 'indie', 1)");
    ASSERT_TRUE(add.ok());
    add->Bind(1, r.url);
    ASSERT_TRUE(add->Run().ok());
  }
  auto db = Database::Open(tmp.path());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto st = (*db)->Prepare(
      "SELECT listing, store_genre, parent_genre FROM release_listings");
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE(*st->Step());
  EXPECT_EQ(st->Text(0), "indie");
  EXPECT_EQ(st->Text(1), "Indie");
  EXPECT_EQ(st->Text(2), "Rock/Indie");
  EXPECT_FALSE(*st->Step());
}

TEST(MigrationsTest, ReadOnlyOpenNeverCreatesNorMigrates) {
  testing::TempDbPath tmp;
  DatabaseOptions ro;
  ro.read_only = true;
  auto missing = Database::Open(tmp.path(), ro);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(tmp.path()));
  {
    DatabaseOptions v2;
    v2.target_version = 2;
    ASSERT_TRUE(Database::Open(tmp.path(), v2).ok());
  }
  auto db = Database::Open(tmp.path(), ro);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_EQ((*db)->UserVersion(), 2);
  EXPECT_FALSE(*(*db)->HasTable("model_runs"));
  EXPECT_TRUE(*(*db)->HasTable("tiles"));
  EXPECT_FALSE((*db)->Exec("CREATE TABLE x (a)").ok());  // read-only
}

}  // namespace
}  // namespace cratedig::db
