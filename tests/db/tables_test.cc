// Round trips through every typed table.
#include <gtest/gtest.h>

#include "db/catalogue_tables.h"
#include "db/crawl_tables.h"
#include "db/dataset_tables.h"
#include "db/model_tables.h"
#include "db/refresh_tables.h"
#include "tests/db/test_db.h"

namespace cratedig::db {
namespace {

class TablesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::Open(tmp_.path());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }

  // A release with two tracks; returns the track ids.
  std::pair<int64_t, int64_t> AddCatalogue() {
    ReleasesTable releases(*db_);
    ReleaseRecord r;
    r.store_id = "1234567-02";
    r.url = "http://127.0.0.1/products/x/1234567-02/";
    r.artist = "Foo & Bär";
    r.title = "Some \"Title\" EP";
    r.label = "Label";
    r.catalogue_number = "CAT 001";
    r.release_date = "2023-11-21";
    r.store_genre = "Uplifting Trance";
    r.parent_genre = "Trance";
    auto rid = releases.Upsert(r);
    EXPECT_TRUE(rid.ok());
    TracksTable tracks(*db_);
    TrackRecord t;
    t.release_id = *rid;
    t.store_id = "1234567-02-01-01";
    t.position = 1;
    t.artist = "Foo";
    t.title = "Track One";
    t.parent_genre = "Trance";
    t.bpm = 138;
    t.duration_s = 372;
    t.preview_url = "http://127.0.0.1/MP3/SF1234567-02-01-01.mp3";
    auto a = tracks.Upsert(t);
    t.store_id = "1234567-02-01-02";
    t.position = 2;
    t.title = "Track Two";
    t.preview_url.reset();
    t.missing_fields = "preview_url";
    auto b = tracks.Upsert(t);
    EXPECT_TRUE(a.ok() && b.ok());
    return {*a, *b};
  }

  testing::TempDbPath tmp_;
  std::unique_ptr<Database> db_;
};

TEST_F(TablesTest, Hosts) {
  HostsTable hosts(*db_);
  EXPECT_FALSE(hosts.Get("http://127.0.0.1:1")->has_value());
  ASSERT_TRUE(hosts.Put({"http://127.0.0.1:1", 200, "User-agent: *", 5}).ok());
  ASSERT_TRUE(hosts.Put({"http://127.0.0.1:1", 404, std::nullopt, 6}).ok());
  auto h = hosts.Get("http://127.0.0.1:1");
  ASSERT_TRUE(h.ok() && h->has_value());
  EXPECT_EQ((*h)->robots_status, 404);
  EXPECT_FALSE((*h)->robots_txt.has_value());
  EXPECT_EQ((*h)->fetched_at, 6);
}

TEST_F(TablesTest, ValidatorsAndListingRefreshes) {
  ValidatorsTable v(*db_);
  const std::string url = "http://127.0.0.1:1/a/?b=1";
  EXPECT_FALSE(v.Get(url)->has_value());
  ASSERT_TRUE(v.Put({url, "\"abc\"", std::nullopt, 5}).ok());
  ASSERT_TRUE(
      v.Put({url, std::nullopt, "Thu, 03 Dec 2026 07:00:00 GMT", 6}).ok());
  auto got = v.Get(url);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_FALSE((*got)->etag.has_value());  // replaced, not merged
  EXPECT_EQ((*got)->last_modified, "Thu, 03 Dec 2026 07:00:00 GMT");
  EXPECT_EQ((*got)->fetched_at, 6);
  EXPECT_EQ(v.Count().value(), 1);
  // No validators at all: nothing to send next time, so nothing is kept.
  ASSERT_TRUE(v.Put({url, std::nullopt, std::nullopt, 7}).ok());
  EXPECT_EQ(v.Count().value(), 0);

  ListingRefreshTable r(*db_);
  ASSERT_TRUE(r.Put({"trance-music", 10, 3, 2}).ok());
  ASSERT_TRUE(r.Put({"breakbeat", 11, 1, 0}).ok());
  ASSERT_TRUE(r.Put({"trance-music", 12, 1, 0}).ok());
  auto all = r.List();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].slug, "breakbeat");
  EXPECT_EQ((*all)[1].refreshed_at, 12);
  EXPECT_EQ((*all)[1].pages, 1);
}

// The enums' names are the database's words; a word the code does not
// know (a newer or hand-edited database) is an error, not a silent default.
TEST_F(TablesTest, UnknownStateNamesReadAsCorrupt) {
  FrontierTable f(*db_);
  ASSERT_TRUE(*f.Add("http://h/a", PageKind::kProduct, "trance"));
  auto a = *f.Get("http://h/a");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->kind, PageKind::kProduct);
  ASSERT_TRUE(db_->Exec("UPDATE frontier SET kind='sitemap'").ok());
  auto bad = f.Get("http://h/a");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(bad.status().message().find("'sitemap'"), std::string::npos);
  EXPECT_EQ(f.CountByContext().status().code(), StatusCode::kCorrupt);
  // frontier.status and model_runs.status have CHECK constraints; a file
  // written without them (another version, a hand edit) is what is left.
  ASSERT_TRUE(db_->Exec("PRAGMA ignore_check_constraints = ON").ok());
  ASSERT_TRUE(
      db_->Exec("UPDATE frontier SET kind='product', status='paused'").ok());
  EXPECT_EQ(f.Get("http://h/a").status().code(), StatusCode::kCorrupt);

  ASSERT_TRUE(DatasetsTable(*db_).Ensure({"h1", "toml", "/t", 0}).ok());
  ModelRunsTable runs(*db_);
  ModelRunRecord r;
  r.dataset_hash = "h1";
  r.network = "seed";
  r.status = RunStatus::kStopped;
  const int64_t id = *runs.Create(r);
  EXPECT_EQ((*runs.Get(id))->status, RunStatus::kStopped);
  ASSERT_TRUE(db_->Exec("UPDATE model_runs SET status='trained'").ok());
  auto run = runs.Get(id);
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(run.status().message().find("'trained'"), std::string::npos);
  EXPECT_EQ(runs.List().status().code(), StatusCode::kCorrupt);
}

TEST_F(TablesTest, FrontierLifecycle) {
  FrontierTable f(*db_);
  EXPECT_TRUE(*f.Add("http://h/a", PageKind::kListing, "trance"));
  EXPECT_FALSE(
      *f.Add("http://h/a", PageKind::kListing, "trance"));  // idempotent
  EXPECT_TRUE(*f.Add("http://h/b", PageKind::kProduct));
  auto ready = f.Ready(NowMs(), 10);
  ASSERT_TRUE(ready.ok());
  ASSERT_EQ(ready->size(), 2u);
  EXPECT_EQ((*ready)[0].url, "http://h/a");
  EXPECT_EQ((*ready)[0].context, "trance");

  int64_t later = NowMs() + 60000;
  ASSERT_TRUE(f.MarkRetry((*ready)[0].id, later, 429, "too many").ok());
  ASSERT_TRUE(f.MarkDone((*ready)[1].id, 200).ok());
  EXPECT_TRUE(f.Ready(NowMs(), 10)->empty());
  EXPECT_EQ(**f.NextDue(), later);
  auto a = *f.Get("http://h/a");
  EXPECT_EQ(a->attempts, 1);
  EXPECT_EQ(a->http_status, 429);
  EXPECT_EQ(a->last_error, "too many");
  ASSERT_TRUE(
      f.MarkFinal(a->id, FrontierStatus::kForbidden, std::nullopt, "robots.txt")
          .ok());
  auto counts = *f.CountByStatus();
  EXPECT_EQ(counts["done"], 1);
  EXPECT_EQ(counts["forbidden"], 1);
  EXPECT_EQ(counts["pending"], 0);
  EXPECT_EQ(f.List(FrontierStatus::kForbidden)->size(), 1u);
  EXPECT_FALSE(f.NextDue()->has_value());
}

TEST_F(TablesTest, ReleasesAndTracksUpsertKeepIds) {
  auto [a, b] = AddCatalogue();
  EXPECT_NE(a, b);
  auto [a2, b2] = AddCatalogue();  // same store ids again
  EXPECT_EQ(a, a2);
  EXPECT_EQ(b, b2);
  TracksTable tracks(*db_);
  EXPECT_EQ(*tracks.Count(), 2);
  auto t = *tracks.Get(a);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->artist, "Foo");
  EXPECT_EQ(t->bpm, 138);
  EXPECT_EQ(t->preview_url, "http://127.0.0.1/MP3/SF1234567-02-01-01.mp3");
  auto t2 = *tracks.GetByStoreId("1234567-02-01-02");
  ASSERT_TRUE(t2.has_value());
  EXPECT_FALSE(t2->preview_url.has_value());
  EXPECT_EQ(t2->missing_fields, "preview_url");

  auto rel = *ReleasesTable(*db_).GetByStoreId("1234567-02");
  ASSERT_TRUE(rel.has_value());
  EXPECT_EQ(rel->artist, "Foo & Bär");
  EXPECT_EQ(rel->title, "Some \"Title\" EP");
  EXPECT_EQ(rel->release_date, "2023-11-21");

  TrackQuery q;
  q.with_preview_url = true;
  EXPECT_EQ(tracks.Find(q)->size(), 1u);
  q = {};
  q.text = "TWO";
  ASSERT_EQ(tracks.Find(q)->size(), 1u);
  EXPECT_EQ(tracks.Find(q)->front().id, b);
  q = {};
  q.parent_genre = "Dancehall";
  EXPECT_TRUE(tracks.Find(q)->empty());
  EXPECT_EQ((*tracks.CountByParentGenre())["Trance"], 2);
}

TEST_F(TablesTest, SqlInjectionIsJustText) {
  AddCatalogue();
  TracksTable tracks(*db_);
  TrackQuery q;
  q.text = "'; DROP TABLE tracks; --";
  EXPECT_TRUE(tracks.Find(q)->empty());
  EXPECT_EQ(*tracks.Count(), 2);
}

TEST_F(TablesTest, Previews) {
  auto [a, b] = AddCatalogue();
  PreviewsTable p(*db_);
  PreviewRecord ok;
  ok.track_id = a;
  ok.url = "http://127.0.0.1/MP3/SF1234567-02-01-01.mp3";
  ok.status = PreviewStatus::kOk;
  ok.path = "/tmp/previews/ab.mp3";
  ok.sha256 = "ab";
  ok.bytes = 480000;
  ok.http_status = 200;
  ok.attempts = 1;
  ASSERT_TRUE(p.Put(ok).ok());
  PreviewRecord bad;
  bad.track_id = b;
  bad.url = "http://127.0.0.1/MP3/x.mp3";
  bad.status = PreviewStatus::kFailed;
  bad.http_status = 404;
  bad.error = "HTTP 404";
  ASSERT_TRUE(p.Put(bad).ok());
  auto got = *p.Get(a);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->path, "/tmp/previews/ab.mp3");
  EXPECT_EQ(got->bytes, 480000);
  EXPECT_GT(got->updated_at, 0);
  EXPECT_EQ(p.List(PreviewStatus::kOk)->size(), 1u);
  EXPECT_EQ(p.List(std::nullopt)->size(), 2u);
  auto counts = *p.CountByGenreAndStatus();
  EXPECT_EQ(counts["Trance"]["ok"], 1);
  EXPECT_EQ(counts["Trance"]["failed"], 1);
}

TEST_F(TablesTest, DatasetsAndTiles) {
  auto [a, b] = AddCatalogue();
  DatasetsTable d(*db_);
  ASSERT_TRUE(d.Ensure({"h1", "x = 1", "/tmp/tiles", 0}).ok());
  ASSERT_TRUE(d.Ensure({"h1", "x = 2", "/elsewhere", 0}).ok());  // kept
  auto ds = *d.Get("h1");
  ASSERT_TRUE(ds.has_value());
  EXPECT_EQ(ds->settings, "x = 1");
  EXPECT_EQ(ds->tiles_dir, "/tmp/tiles");

  std::vector<TileRecord> tiles;
  for (int i = 0; i < 3; ++i) {
    TileRecord t;
    t.dataset_hash = "h1";
    t.track_id = a;
    t.tile_index = i;
    t.path = "1/" + std::to_string(i) + ".png";
    t.split = "train";
    tiles.push_back(t);
  }
  ASSERT_TRUE(
      d.PutTrack({"h1", a, "train", true, std::nullopt, 3, 30.0}, tiles).ok());
  ASSERT_TRUE(
      d.PutTrack({"h1", b, "val", false, "corrupt mp3", 0, std::nullopt}, {})
          .ok());
  auto listed = *d.ListTiles("h1", "train");
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed[2].path, "1/2.png");
  EXPECT_EQ(listed[0].parent_genre, "Trance");
  EXPECT_TRUE(d.ListTiles("h1", "holdout")->empty());
  auto failed = *d.GetTrack("h1", b);
  ASSERT_TRUE(failed.has_value());
  EXPECT_FALSE(failed->ok);
  EXPECT_EQ(failed->reason, "corrupt mp3");
  EXPECT_EQ(d.ListTracks("h1")->size(), 2u);
  auto counts = *d.CountBySplitAndGenre("h1");
  ASSERT_EQ(counts.size(), 1u);
  EXPECT_EQ(counts[0].tiles, 3);
  EXPECT_EQ(counts[0].split, "train");
}

TEST_F(TablesTest, ModelRunsEpochsEmbeddings) {
  auto [a, b] = AddCatalogue();
  ASSERT_TRUE(DatasetsTable(*db_).Ensure({"h1", "", "/t", 0}).ok());
  ModelRunsTable runs(*db_);
  ModelRunRecord r;
  r.dataset_hash = "h1";
  r.network = "seed";
  r.config = "epochs = 20";
  auto id = runs.Create(r);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  r.id = *id;
  r.status = RunStatus::kDone;
  r.checkpoint_path = "/runs/1/final.pt";
  r.metrics = R"({"track_accuracy":0.75})";
  r.finished_at = 42;
  ASSERT_TRUE(runs.Update(r).ok());
  auto got = *runs.Get(*id);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->status, RunStatus::kDone);
  EXPECT_EQ(got->metrics, R"({"track_accuracy":0.75})");
  EXPECT_EQ(runs.List()->size(), 1u);
  r.id = 999;
  EXPECT_EQ(runs.Update(r).code(), StatusCode::kNotFound);

  ASSERT_TRUE(runs.PutEpoch({*id, 1, 2.1, 0.2, 2.0, 0.25, 300, 10}).ok());
  ASSERT_TRUE(runs.PutEpoch({*id, 2, 1.1, 0.5, 1.2, 0.45, 310, 9}).ok());
  auto epochs = *runs.Epochs(*id);
  ASSERT_EQ(epochs.size(), 2u);
  EXPECT_DOUBLE_EQ(epochs[1].val_acc, 0.45);

  EmbeddingsTable e(*db_);
  std::vector<float> v(128);
  for (int i = 0; i < 128; ++i) v[i] = 0.5f * i - 3.25f;
  ASSERT_TRUE(e.Put({*id, a, 5, v}).ok());
  ASSERT_TRUE(e.Put({*id, b, 4, std::vector<float>(128, 1.0f)}).ok());
  auto back = *e.Get(*id, a);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->vec, v);
  EXPECT_EQ(back->tiles, 5);
  EXPECT_EQ(e.ListForRun(*id)->size(), 2u);
  EXPECT_EQ(*e.CountForRun(*id), 2);
  EXPECT_FALSE(e.Get(*id + 1, a)->has_value());
}

TEST_F(TablesTest, DatasetResolveByPrefixOrNewest) {
  DatasetsTable d(*db_);
  EXPECT_EQ(d.Resolve("").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(d.Ensure({"abc1", "", "/t", 100}).ok());
  ASSERT_TRUE(d.Ensure({"abd2", "", "/t", 200}).ok());
  EXPECT_EQ(d.Resolve("")->hash, "abd2");  // the newest
  EXPECT_EQ(d.Resolve("abc")->hash, "abc1");
  EXPECT_EQ(d.Resolve("abd2")->hash, "abd2");
  EXPECT_EQ(d.Resolve("ab").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(d.Resolve("x").status().code(), StatusCode::kNotFound);
}

TEST_F(TablesTest, RunResolvePicksByNeed) {
  auto [a, b] = AddCatalogue();
  (void)b;
  ASSERT_TRUE(DatasetsTable(*db_).Ensure({"h1", "", "/t", 0}).ok());
  ModelRunsTable runs(*db_);
  for (RunNeed need :
       {RunNeed::kDone, RunNeed::kUnfinished, RunNeed::kEmbedded}) {
    EXPECT_EQ(runs.Resolve(std::nullopt, need).status().code(),
              StatusCode::kNotFound);
  }
  ModelRunRecord r;
  r.dataset_hash = "h1";
  r.network = "seed";
  r.status = RunStatus::kDone;
  const int64_t embedded = *runs.Create(r);  // oldest: done, embedded
  ASSERT_TRUE(EmbeddingsTable(*db_).Put({embedded, a, 1, {1.0f}}).ok());
  const int64_t done = *runs.Create(r);  // done, no embeddings
  r.status = RunStatus::kFailed;
  const int64_t failed = *runs.Create(r);  // newest

  EXPECT_EQ(runs.Resolve(std::nullopt, RunNeed::kDone)->id, done);
  EXPECT_EQ(runs.Resolve(std::nullopt, RunNeed::kUnfinished)->id, failed);
  EXPECT_EQ(runs.Resolve(std::nullopt, RunNeed::kEmbedded)->id, embedded);
  EXPECT_EQ(runs.Resolve(embedded, RunNeed::kDone)->id, embedded);
  EXPECT_EQ(runs.Resolve(done, RunNeed::kEmbedded).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(runs.Resolve(done, RunNeed::kUnfinished).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(runs.Resolve(failed, RunNeed::kDone).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(runs.Resolve(12345, RunNeed::kDone).status().code(),
            StatusCode::kNotFound);

  // A done run without a checkpoint is not trained; one with is, with its
  // dataset.
  EXPECT_EQ(runs.GetTrained(done).status().code(), StatusCode::kNotFound);
  r.id = done;
  r.status = RunStatus::kDone;
  r.checkpoint_path = "/runs/2/final.pt";
  ASSERT_TRUE(runs.Update(r).ok());
  auto trained = runs.GetTrained(done);
  ASSERT_TRUE(trained.ok()) << trained.status().ToString();
  EXPECT_EQ(trained->dataset.hash, "h1");
  EXPECT_EQ(trained->run.checkpoint_path, "/runs/2/final.pt");
}

}  // namespace
}  // namespace cratedig::db
