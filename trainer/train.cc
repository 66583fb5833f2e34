#include "trainer/train.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <memory>
#include <set>

#include "core/json.h"
#include "core/stopwatch.h"
#include "trainer/augment.h"
#include "trainer/backend.h"
#include "trainer/input_stats.h"
#include "trainer/schedule.h"
#include "trainer/tile_cache.h"
#include "trainer/tile_loader.h"
#include "trainer/tile_source.h"

namespace cratedig::trainer {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Training tiles whose statistics a batch-norm network's running averages
// are re-estimated from after each epoch: enough for stable means and
// variances, and ~1/6 of an epoch's cost on the demo's 1,075 tiles.
constexpr int64_t kBatchNormTiles = 1024;

struct EpochStats {
  double loss = 0, acc = 0;
  int64_t tiles = 0;
  double seconds = 0;
};

// One training run from its first to its last epoch. Every step returns a
// Status; Train() turns a failed one into the run's final state ("stopped"
// when cancelled, else "failed"), so no path leaves the run "running".
class TrainJob {
 public:
  TrainJob(db::Database& db, const TrainOptions& options,
           const ProgressFn& progress, const CancelFlag* cancel)
      : db_(db),
        runs_(db),
        options_(options),
        progress_(progress),
        cancel_(cancel) {}

  // Creates the run (or reopens the one to resume) and marks it running.
  // Nothing to undo when this fails.
  Status Start(const config::TrainSettings& settings);

  // Everything after Start: tiles, network, epochs, the final record.
  Result<TrainReport> Run();

  // Marks the run stopped (Cancelled) or failed; keeps the caller's error.
  Status End(Status why);

 private:
  Status Prepare();
  LoaderOptions EpochLoader(int epoch) const;
  Status CheckCancel(int epoch) const;
  Result<EpochStats> TrainEpoch(int epoch, const std::string& tag);
  Status RecalibrateNormalization(int epoch, const std::string& tag);
  Result<EpochStats> Validate(int epoch, const std::string& tag);
  // Stores the epoch's row, then the early-stopping state and checkpoints.
  // Returns whether early stopping ends the run.
  Result<bool> EndEpoch(int epoch, const EpochStats& tr, const EpochStats& va,
                        Clock::time_point started);
  Status Finish();
  void NoteCorrupt(const TileLoader& l, const std::vector<TileItem>& items) {
    for (size_t i : l.corrupt_items()) corrupt_.insert(items[i].tile_id);
    if (report_.first_corrupt.empty()) {
      report_.first_corrupt = l.first_corrupt_reason();
    }
  }

  db::Database& db_;
  db::ModelRunsTable runs_;
  const TrainOptions& options_;
  const ProgressFn& progress_;
  const CancelFlag* cancel_;
  const Clock::time_point t0_ = Clock::now();

  config::TrainSettings s_;
  db::ModelRunRecord run_;
  db::DatasetRecord dataset_;
  TileGeometry geom_;
  std::vector<TileItem> train_, val_;
  fs::path last_, best_;
  std::unique_ptr<TileCache> cache_;  // when s_.tile_cache
  AugmentOptions augment_;
  int64_t steps_per_epoch_ = 0;
  std::unique_ptr<Net> net_;
  LoopState st_;
  std::set<int64_t> corrupt_;  // tile ids, over all epochs and both splits
  TrainReport report_;
};

Status TrainJob::Start(const config::TrainSettings& settings) {
  s_ = settings;
  if (options_.resume) {
    CRATEDIG_ASSIGN_OR_RETURN(
        run_, runs_.Resolve(options_.resume_run_id > 0
                                ? std::optional<int64_t>(options_.resume_run_id)
                                : std::nullopt,
                            db::RunNeed::kUnfinished));
    CRATEDIG_ASSIGN_OR_RETURN(
        s_, config::ParseConfig<config::TrainSettings>(
                run_.config, "config of model run " + std::to_string(run_.id)));
    s_.threads = settings.threads;
    // A run stored before backends were a setting is a libtorch run.
    if (s_.backend == "auto") s_.backend = kLibtorch;
    CRATEDIG_RETURN_IF_ERROR(ResolveBackend(s_.backend).status());
    CRATEDIG_ASSIGN_OR_RETURN(
        dataset_, db::DatasetsTable(db_).Resolve(run_.dataset_hash));
    if (dataset_.hash != run_.dataset_hash) {
      return Status::NotFound("dataset " + run_.dataset_hash + " of run " +
                              std::to_string(run_.id) + " is gone");
    }
    run_.status = db::RunStatus::kRunning;
    run_.finished_at.reset();
    return runs_.Update(run_);
  }
  CRATEDIG_ASSIGN_OR_RETURN(s_.backend, ResolveBackend(s_.backend));
  CRATEDIG_ASSIGN_OR_RETURN(dataset_,
                            db::DatasetsTable(db_).Resolve(s_.dataset));
  run_.dataset_hash = dataset_.hash;
  run_.network = s_.network;
  run_.config = s_.ToToml();
  run_.status = db::RunStatus::kRunning;
  CRATEDIG_ASSIGN_OR_RETURN(run_.id, runs_.Create(run_));
  return Status::Ok();
}

Status TrainJob::End(Status why) {
  run_.status = why.code() == StatusCode::kCancelled ? db::RunStatus::kStopped
                                                     : db::RunStatus::kFailed;
  run_.finished_at = db::NowMs();
  Status st = runs_.Update(run_);
  (void)st;  // the training error is the one worth reporting
  return why;
}

Status TrainJob::Prepare() {
  report_.run_id = run_.id;
  report_.dataset_hash = dataset_.hash;
  report_.backend = s_.backend;
  CRATEDIG_ASSIGN_OR_RETURN(geom_, DatasetGeometry(dataset_));
  int64_t unl_train = 0, unl_val = 0;
  CRATEDIG_ASSIGN_OR_RETURN(
      train_, LoadTiles(db_, dataset_, "train", true, &unl_train));
  CRATEDIG_ASSIGN_OR_RETURN(val_,
                            LoadTiles(db_, dataset_, "val", true, &unl_val));
  report_.train_tiles = static_cast<int64_t>(train_.size());
  report_.val_tiles = static_cast<int64_t>(val_.size());
  report_.unlabelled_tiles = unl_train + unl_val;
  if (train_.empty() || val_.empty()) {
    return Status::InvalidArgument(fmt::format(
        "dataset {} has {} labelled train and {} val tiles; need both",
        dataset_.hash, train_.size(), val_.size()));
  }

  std::error_code ec;
  const fs::path dir = fs::path(s_.ResolvedRunsDir(db_.path())) /
                       ("run-" + std::to_string(run_.id));
  fs::create_directories(dir, ec);
  if (ec) {
    return Status::IoError("cannot create " + dir.string() + ": " +
                           ec.message());
  }
  // Bit-identical results need the same thread count: the run's, recorded.
  report_.threads = SetBackendThreads(s_.threads);
  SetBackendDeterministic(s_.deterministic);
  // Decoded tiles (see tile_cache.h): one decode per dataset version.
  if (s_.tile_cache) {
    auto c = OpenDatasetCache(db_, dataset_, progress_, cancel_);
    if (!c.ok()) {
      return Status(c.status().code(),
                    c.status().message() +
                        " (or train without it: --set tile_cache=false)");
    }
    cache_ = std::move(*c);
  }
  augment_ = AugmentOptions::From(s_);
  steps_per_epoch_ =
      (static_cast<int64_t>(train_.size()) + s_.batch_size - 1) / s_.batch_size;

  const std::string suffix = CheckpointSuffix(s_.backend);
  last_ = dir / ("last" + suffix);
  best_ = dir / ("best" + suffix);

  NetSpec spec;
  spec.backend = s_.backend;
  spec.network = s_.network;
  spec.classes = geom_.classes();
  spec.height = geom_.height;
  spec.width = geom_.width;
  spec.seed = s_.seed;
  spec.optimizer = s_.optimizer;
  spec.learning_rate = s_.learning_rate;
  spec.weight_decay = s_.weight_decay;
  spec.label_smoothing = s_.label_smoothing;
  spec.mixup = s_.mixup_alpha > 0;
  spec.per_frequency_norm = s_.normalize == "per_frequency";
  CRATEDIG_ASSIGN_OR_RETURN(net_, CreateNet(spec));
  if (options_.resume && fs::exists(last_)) {
    CRATEDIG_RETURN_IF_ERROR(net_->LoadCheckpoint(last_.string(), &st_));
  } else if (spec.per_frequency_norm) {
    // Statistics of the training tiles, stored with the weights.
    LoaderOptions so = EpochLoader(0);
    so.shuffle = false;
    so.batch_size = s_.eval_batch_size;
    CRATEDIG_ASSIGN_OR_RETURN(RowStats rs, MeasureRowStats(train_, so));
    CRATEDIG_RETURN_IF_ERROR(net_->SetInputNorm(rs.mean, rs.scale));
  }
  report_.first_epoch = static_cast<int>(st_.epoch) + 1;
  return Status::Ok();
}

LoaderOptions TrainJob::EpochLoader(int epoch) const {
  LoaderOptions lo;
  lo.batch_size = s_.batch_size;
  lo.shuffle = true;
  // A fresh order per epoch that a resumed run reproduces.
  lo.seed = static_cast<uint64_t>(s_.seed) * 1000003ULL + epoch;
  lo.prefetch = s_.prefetch_batches;
  lo.height = geom_.height;
  lo.width = geom_.width;
  lo.cache = cache_.get();
  return lo;
}

Status TrainJob::CheckCancel(int epoch) const {
  if (cancel_ != nullptr && cancel_->stop()) {
    return Status::Cancelled(
        fmt::format("training of run {} stopped in epoch {}; continue with "
                    "`cratedig train --resume`",
                    run_.id, epoch));
  }
  return Status::Ok();
}

Result<EpochStats> TrainJob::TrainEpoch(int epoch, const std::string& tag) {
  EpochStats tr;
  const auto te = Clock::now();
  LoaderOptions lo = EpochLoader(epoch);
  if (augment_.any()) {
    // Seeded per (run seed, epoch, batch): the same batches in every run
    // and after a resume, whatever the threads' timing.
    lo.transform = [this, epoch](Batch& b, int64_t k) {
      AugmentBatch(augment_,
                   BatchSeed(static_cast<uint64_t>(s_.seed), epoch, k), b);
    };
  }
  TileLoader loader(train_, lo);
  double loss_sum = 0;
  int64_t correct = 0;
  int batch_no = 0;
  while (auto b = loader.Next()) {
    ++batch_no;
    CRATEDIG_RETURN_IF_ERROR(CheckCancel(epoch));
    CRATEDIG_RETURN_IF_ERROR(net_->SetLearningRate(
        s_.learning_rate *
        LearningRateFactor(s_.schedule,
                           (epoch - 1) * steps_per_epoch_ + batch_no - 1,
                           s_.epochs * steps_per_epoch_)));
    BatchView view{b->pixels.data(), b->labels.data(), b->n};
    if (!b->mix_partner.empty()) {
      view.mix_partner = b->mix_partner.data();
      view.mix_lambda = b->mix_lambda;
    }
    CRATEDIG_ASSIGN_OR_RETURN(StepStats step, net_->TrainStep(view));
    if (!std::isfinite(step.loss_sum)) {
      return Status::InvalidArgument(fmt::format(
          "training diverged: the loss is {} in epoch {}, batch {} "
          "(learning_rate {} with {}); lower learning_rate, or check the "
          "tiles",
          step.loss_sum / b->n, epoch, batch_no, s_.learning_rate,
          s_.optimizer));
    }
    loss_sum += step.loss_sum;
    correct += step.correct;
    tr.tiles += b->n;
    const double secs = SecondsSince(te);
    Report(progress_,
           {"train " + tag, tr.tiles + loader.corrupt(),
            static_cast<int64_t>(train_.size()), "tiles",
            fmt::format("loss {:.4f} acc {:.3f} {:.0f} tiles/s",
                        loss_sum / tr.tiles, double(correct) / tr.tiles,
                        secs > 0 ? tr.tiles / secs : 0.0)});
  }
  NoteCorrupt(loader, train_);
  if (tr.tiles == 0) {
    return Status::Corrupt("no train tile of dataset " + dataset_.hash +
                           " could be decoded");
  }
  tr.loss = loss_sum / tr.tiles;
  tr.acc = double(correct) / tr.tiles;
  tr.seconds = SecondsSince(te);
  return tr;
}

// Batch-norm statistics for the weights as they now are (see
// Net::AfterEpoch; nothing for networks without batch norm), from a seeded
// sample of at most kBatchNormTiles training tiles, so a resumed run
// recomputes the same statistics.
Status TrainJob::RecalibrateNormalization(int epoch, const std::string& tag) {
  LoaderOptions bo = EpochLoader(epoch);
  bo.seed ^= 0x6e6f726dULL;
  std::unique_ptr<TileLoader> loader;  // made on first use only
  int64_t seen = 0;
  std::optional<Batch> b;
  return net_->AfterEpoch([&]() -> std::optional<BatchView> {
    if (!loader) loader = std::make_unique<TileLoader>(train_, bo);
    if (seen >= kBatchNormTiles || !(b = loader->Next())) return std::nullopt;
    seen += b->n;
    Report(progress_,
           {"batch-norm " + tag, seen,
            std::min<int64_t>(kBatchNormTiles, train_.size()), "tiles", ""});
    return BatchView{b->pixels.data(), b->labels.data(), b->n};
  });
}

Result<EpochStats> TrainJob::Validate(int epoch, const std::string& tag) {
  EpochStats va;
  LoaderOptions vo = EpochLoader(epoch);
  vo.shuffle = false;
  vo.batch_size = s_.eval_batch_size;
  TileLoader loader(val_, vo);
  const int k = geom_.classes();
  double loss_sum = 0;
  int64_t correct = 0;
  std::vector<float> probs;
  while (auto b = loader.Next()) {
    CRATEDIG_RETURN_IF_ERROR(CheckCancel(epoch));
    CRATEDIG_RETURN_IF_ERROR(net_->Forward(
        BatchView{b->pixels.data(), nullptr, b->n}, &probs, nullptr));
    for (int i = 0; i < b->n; ++i) {
      const float* p = probs.data() + static_cast<size_t>(i) * k;
      const int64_t y = b->labels[i];
      // Cross-entropy from the probabilities; a probability that
      // underflowed to 0 counts as the smallest float (loss ~87).
      loss_sum -=
          std::log(std::max<double>(p[y], std::numeric_limits<float>::min()));
      correct += (std::max_element(p, p + k) - p) == y;
    }
    va.tiles += b->n;
    Report(progress_, {"val " + tag, va.tiles + loader.corrupt(),
                       static_cast<int64_t>(val_.size()), "tiles", ""});
  }
  NoteCorrupt(loader, val_);
  if (va.tiles == 0) {
    return Status::Corrupt("no val tile of dataset " + dataset_.hash +
                           " could be decoded");
  }
  va.loss = loss_sum / va.tiles;
  va.acc = double(correct) / va.tiles;
  if (!std::isfinite(va.loss)) {
    return Status::InvalidArgument(
        fmt::format("training diverged: the validation loss is {} after "
                    "epoch {} (learning_rate {}); lower it",
                    va.loss, epoch, s_.learning_rate));
  }
  return va;
}

Result<bool> TrainJob::EndEpoch(int epoch, const EpochStats& tr,
                                const EpochStats& va,
                                Clock::time_point started) {
  // The row goes first: a crash before last.* is written redoes this epoch
  // on resume and replaces the row, so no completed epoch is without one.
  db::EpochRecord rec;
  rec.run_id = run_.id;
  rec.epoch = epoch;
  rec.train_loss = tr.loss;
  rec.train_acc = tr.acc;
  rec.val_loss = va.loss;
  rec.val_acc = va.acc;
  rec.seconds = SecondsSince(started);
  rec.tiles_per_s = tr.seconds > 0 ? tr.tiles / tr.seconds : 0;
  CRATEDIG_RETURN_IF_ERROR(runs_.PutEpoch(rec));
  st_.epoch = epoch;
  if (va.loss < st_.best_val_loss) {
    st_.best_val_loss = va.loss;
    st_.best_val_acc = va.acc;
    st_.best_epoch = epoch;
    st_.bad_epochs = 0;
    CRATEDIG_RETURN_IF_ERROR(net_->SaveCheckpoint(best_.string(), st_));
  } else {
    ++st_.bad_epochs;
  }
  CRATEDIG_RETURN_IF_ERROR(net_->SaveCheckpoint(last_.string(), st_));
  if (options_.on_epoch) options_.on_epoch(rec);
  return s_.patience > 0 && st_.bad_epochs >= s_.patience;
}

Status TrainJob::Finish() {
  report_.epochs_run = static_cast<int>(st_.epoch);
  report_.best_epoch = static_cast<int>(st_.best_epoch);
  report_.best_val_loss = st_.best_val_loss;
  report_.best_val_acc = st_.best_val_acc;
  report_.corrupt_tiles = static_cast<int64_t>(corrupt_.size());
  report_.checkpoint_path = best_.string();
  report_.seconds = SecondsSince(t0_);

  run_.status = db::RunStatus::kDone;
  run_.checkpoint_path = report_.checkpoint_path;
  run_.finished_at = db::NowMs();
  json::Json training =
      json::Json({{"backend", report_.backend},
                  {"epochs", report_.epochs_run},
                  {"best_epoch", report_.best_epoch},
                  {"best_val_loss", report_.best_val_loss},
                  {"best_val_acc", report_.best_val_acc},
                  {"early_stopped", report_.early_stopped},
                  {"train_tiles", report_.train_tiles},
                  {"val_tiles", report_.val_tiles},
                  {"unlabelled_tiles", report_.unlabelled_tiles},
                  {"corrupt_tiles", report_.corrupt_tiles},
                  {"threads", report_.threads},
                  {"deterministic", s_.deterministic}});
  CRATEDIG_ASSIGN_OR_RETURN(
      std::string metrics,
      json::SetMember(run_.metrics.value_or(""), "training", training));
  run_.metrics = metrics;
  return runs_.Update(run_);
}

Result<TrainReport> TrainJob::Run() {
  CRATEDIG_RETURN_IF_ERROR(Prepare());
  if (s_.patience > 0 && st_.bad_epochs >= s_.patience) {
    report_.early_stopped = true;  // a resumed run that had already stopped
  }
  for (int epoch = static_cast<int>(st_.epoch) + 1;
       epoch <= s_.epochs && !report_.early_stopped; ++epoch) {
    const std::string tag = fmt::format("epoch {}/{}", epoch, s_.epochs);
    const auto started = Clock::now();
    CRATEDIG_ASSIGN_OR_RETURN(EpochStats tr, TrainEpoch(epoch, tag));
    CRATEDIG_RETURN_IF_ERROR(RecalibrateNormalization(epoch, tag));
    CRATEDIG_ASSIGN_OR_RETURN(EpochStats va, Validate(epoch, tag));
    CRATEDIG_ASSIGN_OR_RETURN(report_.early_stopped,
                              EndEpoch(epoch, tr, va, started));
  }
  CRATEDIG_RETURN_IF_ERROR(Finish());
  return report_;
}

}  // namespace

Result<TrainReport> Train(db::Database& db,
                          const config::TrainSettings& settings,
                          const TrainOptions& options,
                          const ProgressFn& progress,
                          const CancelFlag* cancel) {
  TrainJob job(db, options, progress, cancel);
  CRATEDIG_RETURN_IF_ERROR(job.Start(settings));
  Result<TrainReport> r = Status::Internal("not run");
  try {
    r = job.Run();
  } catch (const std::exception& e) {
    // Backends catch their own library's exceptions; this is for the rest
    // (std::bad_alloc, a loader thread that could not start).
    r = Status::Internal(std::string("training failed: ") + e.what());
  }
  if (!r.ok()) return job.End(r.status());
  return r;
}

}  // namespace cratedig::trainer
