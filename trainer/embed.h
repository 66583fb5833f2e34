// EmbedRun: the 128-d embedding of every track of a run's dataset.
//
// For every tile of every track (all splits, labelled or not) the dense-128
// output before its activation; the unweighted mean per track is stored in
// db::EmbeddingsTable under the run (replacing earlier ones), in one
// transaction at the end.
#pragma once

#include <cstdint>
#include <string>

#include "core/progress.h"
#include "db/database.h"

namespace cratedig::trainer {

struct EmbedOptions {
  int batch_size = 0;  // Default: 0, the run's eval_batch_size.
};

struct EmbedReport {
  int64_t run_id = 0;
  int64_t tracks = 0, tiles = 0;
  int64_t corrupt_tiles = 0;  // skipped
  std::string first_corrupt;  // why the first one was: names the tile
  double seconds = 0;
};

Result<EmbedReport> EmbedRun(db::Database& db, int64_t run_id,
                             const EmbedOptions& options,
                             const ProgressFn& progress,
                             const CancelFlag* cancel);

// A tile vector's weight in its track's mean under aggregate "l2_mean":
// 1 / its length (1 for a zero vector), so every tile counts as a unit
// direction.
double TileWeight(const float* v, int d);

}  // namespace cratedig::trainer
