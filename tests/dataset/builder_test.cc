// The whole build against a real SQLite file and WAV previews made here.
#include "dataset/builder.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <set>

#include "dataset/audio_tiles.h"
#include "dataset/manifest.h"
#include "db/catalogue_tables.h"
#include "db/dataset_tables.h"
#include "tests/dataset/test_audio.h"

namespace cratedig::dataset {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;
using testing::WriteWav;

class BuilderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    opt_.db_path = tmp_ / "test.db";
    opt_.out_dir = tmp_ / "tiles";
    auto db = db::Database::Open(opt_.db_path);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    settings_.threads = 2;
  }

  // A release with one track and a downloaded preview at `file`.
  int64_t AddTrack(const std::string& store_id,
                   std::optional<std::string> genre, const std::string& file,
                   db::PreviewStatus status = db::PreviewStatus::kOk) {
    db::ReleaseRecord r;
    r.store_id = store_id;
    r.url = "http://127.0.0.1/products/x/" + store_id + "/";
    r.parent_genre = genre;
    auto rid = db::ReleasesTable(*db_).Upsert(r);
    EXPECT_TRUE(rid.ok());
    db::TrackRecord t;
    t.release_id = *rid;
    t.store_id = store_id + "-01-01";
    t.position = 1;
    t.parent_genre = genre;
    auto id = db::TracksTable(*db_).Upsert(t);
    EXPECT_TRUE(id.ok());
    db::PreviewRecord p;
    p.track_id = *id;
    p.url = "http://127.0.0.1/MP3/SF" + t.store_id + ".mp3";
    p.status = status;
    p.path = file;
    EXPECT_TRUE(db::PreviewsTable(*db_).Put(p).ok());
    return *id;
  }

  std::string Wav(const std::string& name, double seconds, uint32_t seed) {
    const std::string path = tmp_ / name;
    WriteWav(path, testing::Noisy(seconds, seed));
    return path;
  }

  Result<BuildReport> Build() { return BuildDataset(settings_, opt_); }

  std::map<int64_t, std::string> SplitOfTracks() {
    auto rows = db::DatasetsTable(*db_).ListTracks(settings_.Hash());
    EXPECT_TRUE(rows.ok());
    std::map<int64_t, std::string> out;
    for (const auto& r : *rows) out[r.track_id] = r.split;
    return out;
  }

  TempDir tmp_;
  BuildOptions opt_;
  config::DatasetSettings settings_;
  std::unique_ptr<db::Database> db_;
};

// PNG signature, then IHDR: width, height, bit depth, colour type (0: grey).
void ExpectGreyPng(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::string head(26, '\0');
  in.read(head.data(), 26);
  ASSERT_EQ(head.substr(1, 3), "PNG") << p;
  auto be32 = [&](int at) {
    return (uint32_t(uint8_t(head[at])) << 24) |
           (uint32_t(uint8_t(head[at + 1])) << 16) |
           (uint32_t(uint8_t(head[at + 2])) << 8) | uint8_t(head[at + 3]);
  };
  EXPECT_EQ(be32(16), 256u);
  EXPECT_EQ(be32(20), 256u);
  EXPECT_EQ(head[24], 8) << "8 bits per pixel";
  EXPECT_EQ(head[25], 0) << "colour type 0: one grey channel";
  cv::Mat img = cv::imread(p.string(), cv::IMREAD_UNCHANGED);
  EXPECT_EQ(img.type(), CV_8UC1);
  EXPECT_EQ(img.rows, 256);
  EXPECT_EQ(img.cols, 256);
}

TEST_F(BuilderTest, BuildsTilesAndRecordsBadFilesWithoutStopping) {
  const std::string good = Wav("good.wav", 30.0, 1);
  const int64_t ok_id = AddTrack("100-1", "Trance", good);
  const int64_t short_id = AddTrack("100-2", "Trance", Wav("s.wav", 3.0, 2));
  const std::string empty = tmp_ / "empty.mp3";
  std::ofstream(empty).close();
  const int64_t empty_id = AddTrack("100-3", "Breakbeat", empty);
  const std::string junk = tmp_ / "junk.mp3";
  std::ofstream(junk) << std::string(4096, 'x');
  const int64_t junk_id = AddTrack("100-4", "Breakbeat", junk);
  const int64_t gone_id = AddTrack("100-5", "Breakbeat", tmp_ / "gone.mp3");
  AddTrack("100-6", std::nullopt, Wav("nogenre.wav", 6.0, 3));
  AddTrack("100-7", "Trance", "", db::PreviewStatus::kFailed);

  auto r = Build();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->sources, 6);
  EXPECT_EQ(r->no_genre, 1);
  EXPECT_EQ(r->pending, 5);
  EXPECT_EQ(r->ok, 1);
  EXPECT_EQ(r->failed, 4);
  EXPECT_EQ(r->tiles, 5);  // floor(30 * 50 / 256)
  EXPECT_EQ(r->tiles_dir, fs::absolute(opt_.out_dir).string());
  EXPECT_GT(r->seconds.decode, 0);
  ASSERT_EQ(r->failures.size(), 4u);
  std::map<int64_t, std::string> why;
  for (const auto& f : r->failures) why[f.track_id] = f.reason;
  EXPECT_NE(why[short_id].find("too short"), std::string::npos);
  EXPECT_NE(why[empty_id].find("empty"), std::string::npos);
  EXPECT_NE(why[junk_id].find("junk.mp3"), std::string::npos);
  EXPECT_NE(why[gone_id].find("no such file"), std::string::npos);

  db::DatasetsTable table(*db_);
  auto rec = table.GetTrack(settings_.Hash(), ok_id);
  ASSERT_TRUE(rec.ok() && rec->has_value());
  EXPECT_TRUE((*rec)->ok);
  EXPECT_EQ((*rec)->tiles, 5);
  EXPECT_NEAR(*(*rec)->seconds, 30.0, 0.01);
  auto bad = table.GetTrack(settings_.Hash(), junk_id);
  ASSERT_TRUE(bad.ok() && bad->has_value());
  EXPECT_FALSE((*bad)->ok);
  ASSERT_TRUE((*bad)->reason.has_value());

  auto ds = table.Get(settings_.Hash());
  ASSERT_TRUE(ds.ok() && ds->has_value());
  EXPECT_EQ((*ds)->tiles_dir, r->tiles_dir);
  EXPECT_TRUE(fs::path((*ds)->tiles_dir).is_absolute());
  auto stored =
      config::ParseConfig<config::DatasetSettings>((*ds)->settings, "db");
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(stored->Hash(), settings_.Hash());

  auto tiles = table.ListTiles(settings_.Hash(), "");
  ASSERT_TRUE(tiles.ok());
  ASSERT_EQ(tiles->size(), 5u);
  auto expected = TilesForFile(good, settings_);
  ASSERT_TRUE(expected.ok());
  for (const auto& t : *tiles) {
    EXPECT_EQ(t.track_id, ok_id);
    EXPECT_EQ(t.parent_genre, "Trance");
    EXPECT_TRUE(fs::path(t.path).is_relative());
    EXPECT_EQ(t.path.find(".."), std::string::npos);
    const fs::path file = fs::path(r->tiles_dir) / t.path;
    ExpectGreyPng(file);
    cv::Mat img = cv::imread(file.string(), cv::IMREAD_UNCHANGED);
    EXPECT_EQ(cv::norm(img, (*expected)[static_cast<size_t>(t.tile_index)],
                       cv::NORM_INF),
              0.0)
        << "the PNG holds exactly the tile";
  }
  // No temp files are left behind.
  for (const auto& e : fs::recursive_directory_iterator(r->tiles_dir)) {
    EXPECT_EQ(e.path().string().find(".tmp"), std::string::npos) << e.path();
  }
}

TEST_F(BuilderTest, RerunningDoesNothing) {
  for (int i = 0; i < 4; ++i) {
    AddTrack("200-" + std::to_string(i), "Trance",
             Wav("t" + std::to_string(i) + ".wav", 11.0, i));
  }
  const std::string junk = tmp_ / "junk.ogg";
  std::ofstream(junk) << "OggS garbage";
  AddTrack("200-9", "Trance", junk);
  auto first = Build();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->ok, 4);
  EXPECT_EQ(first->failed, 1);
  EXPECT_EQ(first->tiles, 8);
  std::map<std::string, fs::file_time_type> mtimes;
  for (const auto& e : fs::recursive_directory_iterator(first->tiles_dir)) {
    if (e.is_regular_file()) mtimes[e.path().string()] = e.last_write_time();
  }
  ASSERT_EQ(mtimes.size(), 8u);

  auto again = Build();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->pending, 0);
  EXPECT_EQ(again->already_done, 5);
  EXPECT_EQ(again->ok + again->failed + again->tiles, 0);
  for (const auto& [p, t] : mtimes) {
    EXPECT_EQ(fs::last_write_time(p), t) << p << " was rewritten";
  }
  auto tiles = db::DatasetsTable(*db_).ListTiles(settings_.Hash(), "");
  ASSERT_TRUE(tiles.ok());
  EXPECT_EQ(tiles->size(), 8u);

  // Issue 12: a kill during a build left "*.png.tmp.<pid>" tiles that no
  // later run removed. A dead pid's temp file goes; a live one's stays.
  const fs::path bucket = fs::path(first->tiles_dir) / first->dataset_hash;
  pid_t dead = ::fork();
  ASSERT_GE(dead, 0);
  if (dead == 0) ::_exit(0);
  ASSERT_EQ(::waitpid(dead, nullptr, 0), dead);
  const fs::path stale =
      bucket / "000" / ("9_000.png.tmp." + std::to_string(dead));
  const fs::path live =
      bucket / "000" / ("9_001.png.tmp." + std::to_string(::getppid()));
  fs::create_directories(stale.parent_path());
  std::ofstream(stale) << "half a png";
  std::ofstream(live) << "being written";
  auto cleaned = Build();
  ASSERT_TRUE(cleaned.ok()) << cleaned.status().ToString();
  EXPECT_EQ(cleaned->stale_temp_removed, 1);
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_TRUE(fs::exists(live));
  fs::remove(live);

  // --retry-failed tries the failed one again (now fixed), nothing else.
  WriteWav(junk, testing::Noisy(6.0, 9));
  opt_.retry_failed = true;
  auto retry = Build();
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  EXPECT_EQ(retry->retried, 1);
  EXPECT_EQ(retry->pending, 1);
  EXPECT_EQ(retry->ok, 1);
  EXPECT_EQ(retry->tiles, 1);
}

TEST_F(BuilderTest, SplitsAreByWholeTrackStratifiedAndStable) {
  const std::vector<std::string> genres = {"Trance", "Dancehall", "Downtempo"};
  int n = 0;
  auto add = [&](int per_genre) {
    for (const auto& g : genres) {
      for (int i = 0; i < per_genre; ++i, ++n) {
        // 5.5 s: one tile per track keeps the test quick.
        AddTrack("300-" + std::to_string(n), g,
                 Wav("g" + std::to_string(n) + ".wav", 5.5, n));
      }
    }
  };
  add(12);
  auto first = Build();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->ok, 36);
  const auto before = SplitOfTracks();

  add(8);  // the catalogue grows
  auto second = Build();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->pending, 24);
  const auto after = SplitOfTracks();
  ASSERT_EQ(after.size(), 60u);
  for (const auto& [id, split] : before) {
    EXPECT_EQ(after.at(id), split) << "track " << id << " moved";
  }

  // No track has tiles in two splits, and tiles carry their track's split.
  auto tiles = db::DatasetsTable(*db_).ListTiles(settings_.Hash(), "");
  ASSERT_TRUE(tiles.ok());
  std::map<int64_t, std::set<std::string>> splits_of;
  std::map<std::string, std::map<std::string, int>> per_genre;
  for (const auto& t : *tiles) {
    splits_of[t.track_id].insert(t.split);
    EXPECT_EQ(t.split, after.at(t.track_id));
  }
  for (const auto& [id, s] : splits_of) EXPECT_EQ(s.size(), 1u) << id;
  auto counts = db::DatasetsTable(*db_).CountBySplitAndGenre(settings_.Hash());
  ASSERT_TRUE(counts.ok());
  for (const auto& c : *counts) per_genre[c.parent_genre][c.split] = c.tracks;
  for (const auto& g : genres) {
    EXPECT_NEAR(per_genre[g]["train"], 13, 1) << g;  // 65% of 20
    EXPECT_NEAR(per_genre[g]["val"], 5, 1) << g;
    EXPECT_NEAR(per_genre[g]["holdout"], 2, 1) << g;
  }

  // A fresh build of all 60 at once gives the same stratification.
  auto csv = tmp_ / "manifest.csv";
  auto rows = ExportManifestCsv(*db_, "", csv);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, 60);
  std::ifstream in(csv);
  std::string header, line;
  std::getline(in, header);
  EXPECT_EQ(header, "path,label,split,track_id,tile_index");
  std::getline(in, line);
  const std::string path = line.substr(0, line.find(','));
  EXPECT_TRUE(fs::exists(path)) << path;
  EXPECT_TRUE(fs::path(path).is_absolute());
}

TEST_F(BuilderTest, SettingsChangeMakesANewDatasetBesideTheOld) {
  const int64_t id = AddTrack("400-1", "Trance", Wav("a.wav", 6.0, 1));
  auto a = Build();
  ASSERT_TRUE(a.ok());
  config::DatasetSettings mel = settings_;
  mel.frequency_scale = "mel";
  auto b = BuildDataset(mel, opt_);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_NE(a->dataset_hash, b->dataset_hash);
  EXPECT_EQ(b->ok, 1);
  EXPECT_NE(TilePath(a->dataset_hash, id, 0), TilePath(b->dataset_hash, id, 0));
  EXPECT_TRUE(
      fs::exists(fs::path(a->tiles_dir) / TilePath(a->dataset_hash, id, 0)));
  EXPECT_TRUE(
      fs::exists(fs::path(b->tiles_dir) / TilePath(b->dataset_hash, id, 0)));

  // The same dataset cannot silently move to another folder.
  BuildOptions elsewhere = opt_;
  elsewhere.out_dir = tmp_ / "other";
  auto c = BuildDataset(settings_, elsewhere);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);

  auto st = ComputeStats(*db_, "");
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->ok_tracks, 1);
}

TEST_F(BuilderTest, TracksPerGenreAndCancelAndResume) {
  for (int i = 0; i < 6; ++i) {
    AddTrack("500-" + std::to_string(i), "Trance",
             Wav("c" + std::to_string(i) + ".wav", 5.5, i));
  }
  CancelFlag cancel;
  cancel.requested = true;
  auto r = BuildDataset(settings_, opt_, {}, &cancel);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCancelled);
  EXPECT_TRUE(SplitOfTracks().empty());

  settings_.tracks_per_genre = 4;  // not part of the dataset's identity
  auto first = Build();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->ok, 4);
  EXPECT_EQ(first->over_limit, 2);
  settings_.tracks_per_genre = 0;
  auto rest = Build();
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->ok, 2);
  EXPECT_EQ(SplitOfTracks().size(), 6u);
}

}  // namespace
}  // namespace cratedig::dataset
