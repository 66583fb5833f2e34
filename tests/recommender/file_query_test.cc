// `recommend --file`: an audio file is tiled and embedded like the
// catalogue, so a preview already in the catalogue finds itself and its
// neighbours.
#include "recommender/file_query.h"

#include <gtest/gtest.h>

#include <set>

#include "config/dataset_settings.h"
#include "db/catalogue_tables.h"
#include "db/dataset_tables.h"
#include "db/model_tables.h"
#include "demo/demo.h"
#include "recommender/recommender.h"
#include "tests/recommender/fixture.h"

namespace cratedig::recommender {
namespace {

TEST(FileQueryTest, ErrorsComeBeforeAnyModelIsLoaded) {
  testing::TempDir dir("fileq");
  testing::Fixture fx;
  ASSERT_EQ(
      testing::BuildFixture(dir.path(), testing::GenreClusterTracks(), fx), "");
  auto db = db::Database::Open(fx.db_path);
  ASSERT_TRUE(db.ok());
  const std::string wav = fx.preview_files[0].string();
  EXPECT_EQ(EmbedAudioFile(**db, 999, wav).status().code(),
            StatusCode::kNotFound);
  // The fixture's dataset settings are not a DatasetSettings TOML.
  EXPECT_FALSE(EmbedAudioFile(**db, fx.run_id, wav).ok());

  // Real settings, and a 1 s file: shorter than one 5.12 s tile.
  config::DatasetSettings s;
  db::DatasetsTable datasets(**db);
  ASSERT_TRUE(
      datasets.Ensure({s.Hash(), s.ToToml(), fx.tiles_dir.string(), 0}).ok());
  db::ModelRunsTable runs(**db);
  db::ModelRunRecord run;
  run.dataset_hash = s.Hash();
  run.network = "seed";
  run.status = db::RunStatus::kDone;
  run.checkpoint_path = (dir.path() / "never-read.pt").string();
  auto run_id = runs.Create(run);
  ASSERT_TRUE(run_id.ok());
  auto short_wav = dir.path() / "short.wav";
  testing::WriteWav(short_wav, 1.0, 440, 44100);
  auto r = EmbedAudioFile(**db, *run_id, short_wav.string());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("too short"), std::string::npos)
      << r.status().ToString();
  EXPECT_EQ(
      EmbedAudioFile(**db, *run_id, (dir.path() / "missing.mp3").string()).ok(),
      false);
}

// A real trained database, made once for this file by the demo pipeline
// itself at a tiny scale: a sample store of 10 tracks per genre with 11 s
// previews (2 tiles each), crawled, downloaded, tiled, trained for 2 epochs,
// evaluated and embedded. ~30 s on 2 cores.
class TrainedCatalogue : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir("fileq_demo");
    demo::DemoOptions o;
    o.workdir = (dir_->path() / "demo").string();
    const std::string src = CRATEDIG_SOURCE_DIR;
    o.site_config = src + "/configs/samplestore.toml";
    o.dataset_config = src + "/configs/dataset.toml";
    o.train_config = src + "/configs/train.toml";
    o.tracks_per_genre = 10;
    o.preview_seconds = 11;
    o.epochs = 2;
    o.delay = 0;
    o.examples = 1;
    auto r = demo::RunDemo(
        o, [](const Progress&) {}, [](const std::string&) {}, nullptr);
    if (r.ok()) {
      db_path_ = r->db_path;
    } else {
      error_ = r.status().ToString();
    }
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override { ASSERT_EQ(error_, "") << "the demo pipeline failed"; }

  static testing::TempDir* dir_;
  static std::string db_path_, error_;
};
testing::TempDir* TrainedCatalogue::dir_ = nullptr;
std::string TrainedCatalogue::db_path_;
std::string TrainedCatalogue::error_;

// The pipeline left a complete catalogue: every downloaded preview of the
// 9 genres became tiles, a run and one embedding per tiled track.
TEST_F(TrainedCatalogue, DemoPipelineLeavesEveryStagesRecords) {
  auto db = db::Database::Open(db_path_);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto ok = db::PreviewsTable(**db).List(db::PreviewStatus::kOk);
  ASSERT_TRUE(ok.ok());
  EXPECT_GE(ok->size(), 80u);  // 90 tracks, a few without a preview
  auto rec = Recommender::Open(**db, std::nullopt);
  ASSERT_TRUE(rec.ok()) << rec.status().ToString();
  auto n = db::EmbeddingsTable(**db).CountForRun((*rec)->run_id());
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, static_cast<int64_t>(ok->size()));
  std::set<std::string> genres;
  for (const auto& p : *ok) {
    if (const TrackInfo* t = (*rec)->Track(p.track_id)) {
      genres.insert(t->parent_genre);
    }
  }
  EXPECT_EQ(genres.size(), 9u);
}

TEST_F(TrainedCatalogue, CataloguePreviewFindsItselfAndItsNeighbours) {
  auto db = db::Database::Open(db_path_);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto rec = Recommender::Open(**db, std::nullopt);
  ASSERT_TRUE(rec.ok()) << rec.status().ToString();
  db::PreviewsTable previews(**db);
  auto ok = previews.List(db::PreviewStatus::kOk);
  ASSERT_TRUE(ok.ok());
  int checked = 0;
  for (const auto& p : *ok) {
    if (checked == 3) break;
    if (!p.path || !(*rec)->Track(p.track_id)) continue;
    auto fe = EmbedAudioFile(**db, (*rec)->run_id(), *p.path);
    ASSERT_TRUE(fe.ok()) << fe.status().ToString();
    EXPECT_EQ(fe->warning, "");
    RecommendOptions o;
    o.k = 6;
    auto by_file = (*rec)->ForVector(fe->vec, o);
    ASSERT_TRUE(by_file.ok());
    ASSERT_FALSE(by_file->empty());
    EXPECT_EQ((*by_file)[0].track.id, p.track_id);
    EXPECT_GT((*by_file)[0].similarity, 0.99f);
    o.k = 5;
    auto by_id = (*rec)->ForTrack(p.track_id, o);
    ASSERT_TRUE(by_id.ok());
    std::set<int64_t> want;
    for (const auto& r : *by_id) want.insert(r.track.id);
    int same = 0;
    for (size_t i = 1; i < by_file->size(); ++i) {
      same += want.count((*by_file)[i].track.id);
    }
    EXPECT_GE(same, 4) << "track " << p.track_id;
    ++checked;
  }
  EXPECT_EQ(checked, 3);
}

// Issue 12: silence got recommendations with no warning.
TEST_F(TrainedCatalogue, SilenceGetsAWarning) {
  auto db = db::Database::Open(db_path_);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto rec = Recommender::Open(**db, std::nullopt);
  ASSERT_TRUE(rec.ok()) << rec.status().ToString();
  const auto silent = dir_->path() / "silence.wav";
  testing::WriteWav(silent, 11.0, /*hz=*/0.0, 22050);
  auto fe = EmbedAudioFile(**db, (*rec)->run_id(), silent.string());
  ASSERT_TRUE(fe.ok()) << fe.status().ToString();
  EXPECT_NE(fe->warning.find("is silent"), std::string::npos) << fe->warning;
}

}  // namespace
}  // namespace cratedig::recommender
