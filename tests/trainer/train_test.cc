// Trains small networks on a synthetic 9-genre dataset: accuracy, corrupt
// tiles, NaN detection, evaluation and embeddings stored with the run,
// identical outputs after save/load, and a SIGKILLed `cratedig train`
// resumed to the same accuracy band.
#include "trainer/train.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "config/train_settings.h"
#include "core/files.h"
#include "db/model_tables.h"
#include "tests/trainer/synthetic.h"
#include "trainer/backend.h"
#include "trainer/embed.h"
#include "trainer/embedder.h"
#include "trainer/evaluate.h"
#include "trainer/runtime.h"

extern char** environ;

namespace cratedig::trainer {
namespace {

namespace fs = std::filesystem;
using testing::MakeSyntheticDataset;
using testing::SyntheticOptions;
using testing::TempDir;

constexpr double kChance = 1.0 / 9.0;

// Small and quick, but the real networks at 256x256.
config::TrainSettings TestSettings(const fs::path& runs) {
  config::TrainSettings s;
  s.batch_size = 16;
  s.eval_batch_size = 32;
  s.epochs = 4;
  s.patience = 2;
  s.seed = 1;
  s.runs_dir = runs.string();
  return s;
}

class TrainTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { TuneRuntime(0); }
  void SetUp() override {
    auto db = db::Database::Open((dir_.path() / "t.db").string());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }
  TempDir dir_{"train"};
  std::unique_ptr<db::Database> db_;
};

// Each backend this build has.
class TrainBackendTest : public TrainTest,
                         public ::testing::WithParamInterface<std::string> {};

TEST_P(TrainBackendTest, LearnsEvaluatesEmbedsAndReloadsIdentically) {
  SyntheticOptions so;
  so.corrupt_one = true;
  auto ds = MakeSyntheticDataset(*db_, dir_.path(), so);
  ASSERT_EQ(ds.tracks, 90);
  ASSERT_FALSE(ds.corrupt_path.empty());

  config::TrainSettings s = TestSettings(dir_.path() / "runs");
  s.backend = GetParam();
  std::vector<db::EpochRecord> epochs;
  TrainOptions to;
  to.on_epoch = [&](const db::EpochRecord& e) {
    epochs.push_back(e);
    std::printf(
        "epoch %d: loss %.3f acc %.3f val loss %.3f acc %.3f, %.0f "
        "tiles/s, %.1f s\n",
        e.epoch, e.train_loss, e.train_acc, e.val_loss, e.val_acc,
        e.tiles_per_s, e.seconds);
  };
  auto r = Train(*db_, s, to, {}, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->corrupt_tiles, 1);  // skipped and counted, once
  EXPECT_EQ(r->train_tiles, 9 * 6 * 2);
  EXPECT_TRUE(fs::path(r->checkpoint_path).is_absolute());
  EXPECT_TRUE(fs::exists(r->checkpoint_path));
  EXPECT_EQ(r->backend, GetParam());
  EXPECT_EQ(fs::path(r->checkpoint_path).extension(),
            CheckpointSuffix(GetParam()));
  EXPECT_TRUE(fs::exists(fs::path(r->checkpoint_path).parent_path() /
                         ("last" + CheckpointSuffix(GetParam()))));
  ASSERT_EQ(static_cast<int>(epochs.size()), r->epochs_run);
  EXPECT_LT(epochs.back().train_loss, epochs.front().train_loss);

  db::ModelRunsTable runs(*db_);
  auto run = runs.Get(r->run_id);
  ASSERT_TRUE(run.ok() && run->has_value());
  EXPECT_EQ((*run)->status, db::RunStatus::kDone);
  EXPECT_EQ((*run)->network, "seed");
  EXPECT_EQ((*run)->dataset_hash, ds.hash);
  EXPECT_EQ(*(*run)->checkpoint_path, r->checkpoint_path);
  auto stored = runs.Epochs(r->run_id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->size(), epochs.size());

  // Holdout: far above chance.
  auto e = EvaluateRun(*db_, r->run_id, {}, {}, nullptr);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->tracks, ds.holdout_tracks);
  EXPECT_GE(e->track_accuracy(), 3 * kChance) << e->ResultLine();
  EXPECT_GE(e->tile_accuracy(), 3 * kChance);
  std::printf("%s\n", e->ResultLine().c_str());
  EXPECT_TRUE(fs::exists(e->heatmap_path));
  EXPECT_EQ(fs::path(e->heatmap_path).parent_path(),
            fs::path(r->checkpoint_path).parent_path());
  run = runs.Get(r->run_id);
  ASSERT_TRUE(run.ok() && run->has_value() && (*run)->metrics);
  const std::string& metrics = *(*run)->metrics;
  EXPECT_NE(metrics.find("\"training\":{"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("\"backend\":\"" + GetParam() + "\""),
            std::string::npos)
      << metrics;
  EXPECT_NE((*run)->config.find("backend = \"" + GetParam() + "\""),
            std::string::npos)
      << (*run)->config;
  EXPECT_EQ(e->backend, GetParam());
  EXPECT_NE(metrics.find("\"evaluation\":{"), std::string::npos);
  EXPECT_NE(metrics.find("\"corrupt_tiles\":1"), std::string::npos);

  // Embeddings of every track (all splits), twice: identical.
  auto em = EmbedRun(*db_, r->run_id, {}, {}, nullptr);
  ASSERT_TRUE(em.ok()) << em.status().ToString();
  EXPECT_EQ(em->tracks, 90);
  EXPECT_EQ(em->tiles, ds.tiles - 1);
  EXPECT_EQ(em->corrupt_tiles, 1);
  // Issue 12: the skipped tile is named (the CLI prints it as a warning).
  EXPECT_NE(em->first_corrupt.find(ds.corrupt_path), std::string::npos)
      << em->first_corrupt;
  {
    EvaluateOptions on_train;  // the corrupt tile is a training tile
    on_train.split = "train";
    auto et = EvaluateRun(*db_, r->run_id, on_train, {}, nullptr);
    ASSERT_TRUE(et.ok()) << et.status().ToString();
    EXPECT_EQ(et->corrupt_tiles, 1);
    EXPECT_NE(et->first_corrupt.find(ds.corrupt_path), std::string::npos)
        << et->first_corrupt;
    EXPECT_TRUE(e->first_corrupt.empty()) << e->first_corrupt;  // holdout
  }
  db::EmbeddingsTable table(*db_);
  auto first = table.ListForRun(r->run_id);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 90u);
  ASSERT_TRUE(EmbedRun(*db_, r->run_id, {}, {}, nullptr).ok());
  auto second = table.ListForRun(r->run_id);
  ASSERT_TRUE(second.ok());
  for (size_t i = 0; i < first->size(); ++i) {
    ASSERT_EQ((*first)[i].vec, (*second)[i].vec);
    ASSERT_EQ((*first)[i].vec.size(), 128u);
  }

  // The public Embedder, loaded from the checkpoint: the stored vector of a
  // track, and the same bits when run again.
  auto emb = Embedder::Open(*db_, r->run_id, 0);
  ASSERT_TRUE(emb.ok()) << emb.status().ToString();
  EXPECT_EQ((*emb)->dataset_hash(), ds.hash);
  db::DatasetsTable datasets(*db_);
  auto tiles = datasets.ListTiles(ds.hash, "holdout");
  ASSERT_TRUE(tiles.ok() && !tiles->empty());
  const int64_t track = tiles->front().track_id;
  std::vector<cv::Mat> mats;
  for (const auto& t : *tiles) {
    if (t.track_id == track) {
      mats.push_back(
          cv::imread(ds.tiles_dir + "/" + t.path, cv::IMREAD_GRAYSCALE));
    }
  }
  auto v1 = (*emb)->EmbedTrack(mats);
  auto v2 = (*emb)->EmbedTrack(mats);
  ASSERT_TRUE(v1.ok() && v2.ok());
  EXPECT_EQ(*v1, *v2);
  auto stored_vec = table.Get(r->run_id, track);
  ASSERT_TRUE(stored_vec.ok() && stored_vec->has_value());
  ASSERT_EQ((*stored_vec)->vec.size(), v1->size());
  for (size_t j = 0; j < v1->size(); ++j) {
    // Other batch sizes may pick other (equally exact) kernels.
    EXPECT_NEAR((*stored_vec)->vec[j], (*v1)[j], 1e-4f) << j;
  }
  auto emb2 = Embedder::Open(*db_, r->run_id, 0);
  ASSERT_TRUE(emb2.ok());
  auto v3 = (*emb2)->EmbedTrack(mats);
  ASSERT_TRUE(v3.ok());
  EXPECT_EQ(*v1, *v3);
  // Wrong tile sizes are refused, not misread.
  EXPECT_FALSE((*emb)->EmbedTiles({cv::Mat(10, 10, CV_8UC1)}).ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, TrainBackendTest,
                         ::testing::ValuesIn(AvailableBackends()));

// A run whose stored backend does not match its checkpoint (as a libtorch
// run looks to a build that has tiny-dnn only, or a file swapped by hand):
// evaluate and embed refuse it clearly, naming the problem.
TEST_F(TrainTest, ARunOfTheOtherBackendIsRefusedClearly) {
  auto ds = MakeSyntheticDataset(*db_, dir_.path(), SyntheticOptions{});
  config::TrainSettings s = TestSettings(dir_.path() / "runs");
  s.backend = kTinyDnn;
  s.epochs = 1;
  auto r = Train(*db_, s, {}, {}, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  db::ModelRunsTable runs(*db_);
  auto run = runs.Get(r->run_id);
  ASSERT_TRUE(run.ok() && run->has_value());
  const std::string from = "backend = \"tiny-dnn\"";
  const size_t at = (*run)->config.find(from);
  ASSERT_NE(at, std::string::npos) << (*run)->config;
  (*run)->config.replace(at, from.size(), "backend = \"libtorch\"");
  {
    auto st = db_->Prepare("UPDATE model_runs SET config=? WHERE id=?");
    ASSERT_TRUE(st.ok());
    st->BindAll((*run)->config, (*run)->id);
    ASSERT_TRUE(st->Run().ok());
  }
  auto e = EvaluateRun(*db_, r->run_id, {}, {}, nullptr);
  ASSERT_FALSE(e.ok());
  const std::string msg = e.status().ToString();
  EXPECT_NE(msg.find("libtorch"), std::string::npos) << msg;
  EXPECT_FALSE(EmbedRun(*db_, r->run_id, {}, {}, nullptr).ok());
  // The same through the config a user would write: refused before any
  // run is made when this build lacks the backend.
  s.backend = "caffe";
  auto bad = Train(*db_, s, {}, {}, nullptr);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().ToString().find("unknown backend"), std::string::npos);
}

// Determinism: the same settings, seed and threads give the same bits,
// with every random part the backend has switched on (augmentation,
// mixup, dropout, shuffles) and the tile cache in use.
TEST_P(TrainBackendTest, TrainingTwiceGivesBitIdenticalMetricsAndEmbeddings) {
  SyntheticOptions so;
  so.tracks_per_genre = 5;
  auto ds = MakeSyntheticDataset(*db_, dir_.path(), so);
  config::TrainSettings s = TestSettings(dir_.path() / "runs");
  s.backend = GetParam();
  s.epochs = 2;
  s.patience = 0;
  s.schedule = "onecycle";
  s.shift_columns = 40;
  s.time_masks = 1;
  s.mask_columns = 20;
  s.freq_masks = 1;
  s.mask_rows = 20;
  s.aggregate = "l2_mean";
  if (GetParam() == kLibtorch) {
    s.optimizer = "adamw";
    s.weight_decay = 0.01;
    s.label_smoothing = 0.1;
    s.mixup_alpha = 0.3;
    s.normalize = "per_frequency";
  }
  ASSERT_TRUE(s.deterministic && s.tile_cache);
  db::ModelRunsTable runs(*db_);
  db::EmbeddingsTable table(*db_);
  struct Outcome {
    std::vector<db::EpochRecord> epochs;
    std::vector<db::EmbeddingRecord> vecs;
    std::string result;
  };
  auto once = [&](int64_t seed) {
    config::TrainSettings t = s;
    t.seed = seed;
    Outcome o;
    auto r = Train(*db_, t, {}, {}, nullptr);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return o;
    o.epochs = *runs.Epochs(r->run_id);
    auto e = EvaluateRun(*db_, r->run_id, {}, {}, nullptr);
    EXPECT_TRUE(e.ok());
    if (e.ok()) o.result = e->ResultLine();
    EXPECT_TRUE(EmbedRun(*db_, r->run_id, {}, {}, nullptr).ok());
    o.vecs = *table.ListForRun(r->run_id);
    return o;
  };
  Outcome a = once(1), b = once(1), c = once(2);
  ASSERT_EQ(a.epochs.size(), 2u);
  ASSERT_EQ(a.epochs.size(), b.epochs.size());
  for (size_t i = 0; i < a.epochs.size(); ++i) {
    // Exact: not EXPECT_DOUBLE_EQ.
    EXPECT_EQ(a.epochs[i].train_loss, b.epochs[i].train_loss) << i;
    EXPECT_EQ(a.epochs[i].train_acc, b.epochs[i].train_acc) << i;
    EXPECT_EQ(a.epochs[i].val_loss, b.epochs[i].val_loss) << i;
    EXPECT_EQ(a.epochs[i].val_acc, b.epochs[i].val_acc) << i;
  }
  EXPECT_EQ(a.result, b.result);
  ASSERT_EQ(a.vecs.size(), 45u);
  ASSERT_EQ(a.vecs.size(), b.vecs.size());
  for (size_t i = 0; i < a.vecs.size(); ++i) {
    ASSERT_EQ(a.vecs[i].track_id, b.vecs[i].track_id);
    ASSERT_EQ(0, std::memcmp(a.vecs[i].vec.data(), b.vecs[i].vec.data(),
                             a.vecs[i].vec.size() * sizeof(float)))
        << "track " << a.vecs[i].track_id;
  }
  // The comparison can fail: another seed gives other numbers.
  ASSERT_FALSE(c.epochs.empty());
  EXPECT_NE(a.epochs[0].train_loss, c.epochs[0].train_loss);
}

// What tiny-dnn cannot do is refused by name before any epoch, never
// silently ignored.
TEST_F(TrainTest, TinyDnnRefusesTheOptionsItLacks) {
  auto ds = MakeSyntheticDataset(*db_, dir_.path(), {});
  for (auto [key, set] : std::vector<
           std::pair<std::string, std::function<void(config::TrainSettings&)>>>{
           {"adamw", [](config::TrainSettings& t) { t.optimizer = "adamw"; }},
           {"label_smoothing",
            [](config::TrainSettings& t) { t.label_smoothing = 0.1; }},
           {"mixup_alpha",
            [](config::TrainSettings& t) { t.mixup_alpha = 0.2; }},
           {"per_frequency",
            [](config::TrainSettings& t) { t.normalize = "per_frequency"; }},
       }) {
    config::TrainSettings t = TestSettings(dir_.path() / "runs");
    t.backend = kTinyDnn;
    set(t);
    auto r = Train(*db_, t, {}, {}, nullptr);
    ASSERT_FALSE(r.ok()) << key;
    EXPECT_NE(r.status().message().find(key), std::string::npos)
        << r.status().message();
    EXPECT_NE(r.status().message().find("tiny-dnn"), std::string::npos);
  }
}

TEST_F(TrainTest, PoisonedLearningRateStopsWithAClearMessage) {
  SyntheticOptions so;
  so.tracks_per_genre = 5;
  so.tiles_per_track = 2;
  MakeSyntheticDataset(*db_, dir_.path(), so);
  config::TrainSettings s = TestSettings(dir_.path() / "runs");
  s.learning_rate = 1e30;
  s.epochs = 2;
  auto r = Train(*db_, s, {}, {}, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("diverged"), std::string::npos)
      << r.status().ToString();
  EXPECT_NE(r.status().message().find("learning_rate"), std::string::npos);
  db::ModelRunsTable runs(*db_);
  auto all = runs.List();
  ASSERT_TRUE(all.ok() && all->size() == 1);
  EXPECT_EQ(all->front().status, db::RunStatus::kFailed);
}

// Runs the real binary; returns its pid. Output goes to `log`.
pid_t Spawn(const std::vector<std::string>& args, const fs::path& log) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  return rc == 0 ? pid : -1;
}

int WaitExit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

std::string Slurp(const fs::path& p) {
  auto r = ReadFile(p);
  return r.ok() ? *r : "";
}

TEST_F(TrainTest, KilledMidEpochAndResumedEndsInTheSameBand) {
  const std::string bin = CRATEDIG_BINARY_DIR "/cli/cratedig";
  if (!fs::exists(bin)) GTEST_SKIP() << bin << " is not built";
  MakeSyntheticDataset(*db_, dir_.path());
  const fs::path runs_dir = dir_.path() / "runs";
  const fs::path cfg = dir_.path() / "train.toml";
  ASSERT_TRUE(WriteFileAtomic(cfg, TestSettings(runs_dir).ToToml()).ok());
  const std::string db_path = (dir_.path() / "t.db").string();
  const fs::path log = dir_.path() / "train.log";

  pid_t pid =
      Spawn({bin, "train", "--config", cfg.string(), "--db", db_path}, log);
  ASSERT_GT(pid, 0);
  // Kill it once the first epoch's checkpoint is on disk: epoch 2 is then
  // under way (or its first batches are).
  const fs::path last = runs_dir / "run-1" / "last.pt";
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::minutes(5);
  bool exited = false;
  while (!fs::exists(last)) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      break;
    }
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << Slurp(log);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_FALSE(exited) << "train exited before its first checkpoint:\n"
                       << Slurp(log);
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  EXPECT_EQ(WaitExit(pid), -SIGKILL);

  db::ModelRunsTable runs(*db_);
  auto killed = runs.Get(1);
  ASSERT_TRUE(killed.ok() && killed->has_value());
  EXPECT_EQ((*killed)->status, db::RunStatus::kRunning);  // nobody marked it

  pid = Spawn(
      {bin, "train", "--resume", "--config", cfg.string(), "--db", db_path},
      log);
  ASSERT_GT(pid, 0);
  ASSERT_EQ(WaitExit(pid), 0) << Slurp(log);
  const std::string out = Slurp(log);
  EXPECT_NE(out.find("resuming"), std::string::npos) << out;
  EXPECT_NE(out.find("epochs 2.."), std::string::npos) << out;

  auto run = runs.Get(1);
  ASSERT_TRUE(run.ok() && run->has_value());
  EXPECT_EQ((*run)->status, db::RunStatus::kDone);
  auto all = runs.List();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 1u);  // resumed, not a new run
  auto epochs = runs.Epochs(1);
  ASSERT_TRUE(epochs.ok());
  for (size_t i = 0; i < epochs->size(); ++i) {
    EXPECT_EQ((*epochs)[i].epoch, static_cast<int>(i) + 1);
  }
  auto e = EvaluateRun(*db_, 1, {}, {}, nullptr);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_GE(e->track_accuracy(), 3 * kChance) << e->ResultLine();
}

}  // namespace
}  // namespace cratedig::trainer
