// Train: stored tiles -> a trained network, recorded as a model run.
//
// Reads the train and val tiles of a dataset version, trains the configured
// network with the configured backend (trainer/backend.h) and a loader thread
// decoding and shuffling PNGs ahead of the model, validates after every epoch,
// and stops early when the validation loss has not improved for `patience`
// epochs. After every epoch it writes
// "<runs_dir>/run-<id>/last.<suffix>" (network, optimizer, epoch, RNG and
// early-stopping state; suffix .pt for libtorch, .tdnn for tiny-dnn)
// atomically, and "best.<suffix>" when the validation loss improved;
// `resume` continues an unfinished run from last.*, even after a SIGKILL.
// The run's final checkpoint is best.* (absolute path in the run).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "config/train_settings.h"
#include "core/progress.h"
#include "db/database.h"
#include "db/model_tables.h"

namespace cratedig::trainer {

struct TrainOptions {
  // Continue an unfinished run (status running, stopped or failed) instead
  // of starting one; its stored settings are used (threads excepted).
  bool resume = false;
  // The run to resume. Default: 0, the newest unfinished run.
  int64_t resume_run_id = 0;
  // Called after each epoch is stored (the CLI prints a line).
  std::function<void(const db::EpochRecord&)> on_epoch;
};

struct TrainReport {
  int64_t run_id = 0;
  std::string dataset_hash;
  std::string backend;  // "libtorch" | "tiny-dnn", as stored with the run
  int first_epoch = 1;  // > 1 when resumed
  int epochs_run = 0;   // the last epoch completed
  int best_epoch = 0;
  double best_val_loss = 0, best_val_acc = 0;
  bool early_stopped = false;
  int64_t train_tiles = 0, val_tiles = 0;
  int64_t unlabelled_tiles = 0;  // tracks without a known parent genre
  int64_t corrupt_tiles = 0;     // skipped: unreadable or wrong size
  std::string first_corrupt;     // why the first one was: names the tile
  std::string checkpoint_path;   // absolute
  int threads = 0;               // compute threads used (results depend on it)
  double seconds = 0;
};

// Trains (or resumes) a run. Returns Cancelled (run "stopped", resumable)
// when `cancel` is set, and InvalidArgument naming the epoch and batch when
// the loss turns NaN or infinite (run "failed"). Any other error once the
// run exists, exceptions included, marks it "failed": a run is never left
// "running" by a returning Train. InvalidArgument before any run is made
// when the backend is unknown or not in this build.
Result<TrainReport> Train(db::Database& db,
                          const config::TrainSettings& settings,
                          const TrainOptions& options,
                          const ProgressFn& progress, const CancelFlag* cancel);

}  // namespace cratedig::trainer
