// A finished model run, loaded for inference, and batched inference over
// stored tiles (shared by evaluate, embed and Embedder).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/train_settings.h"
#include "core/progress.h"
#include "db/database.h"
#include "db/dataset_tables.h"
#include "db/model_tables.h"
#include "trainer/model.h"
#include "trainer/tile_cache.h"
#include "trainer/tile_loader.h"
#include "trainer/tile_source.h"

namespace cratedig::trainer {

struct OpenedRun {
  db::ModelRunRecord run;
  config::TrainSettings settings;  // as stored with the run
  db::DatasetRecord dataset;
  TileGeometry geometry;
  std::unique_ptr<Model> model;  // with the final checkpoint's weights
};

// REQUIRES: the run is done (has a final checkpoint). NotFound otherwise.
Result<OpenedRun> OpenRun(db::Database& db, int64_t run_id);

// Runs `model` over `items` in batches of `batch_size` (a loader thread
// decodes ahead) and calls `fn` per batch with the softmax probabilities
// and/or embeddings it asked for. Corrupt tiles are skipped and counted in
// *corrupt, with why the first one was (naming its file). Polls `cancel`
// between batches.
struct CorruptTiles {
  int64_t count = 0;
  std::string first;  // "<tile path>: <why>"; empty when none
};
using BatchFn =
    std::function<Status(const Batch& b, const std::vector<float>& probs,
                         const std::vector<float>& embeddings)>;
Status RunInference(Model& model, const std::vector<TileItem>& items,
                    int batch_size, int prefetch, bool want_probs,
                    bool want_embeddings, const BatchFn& fn,
                    const std::string& stage, const ProgressFn& progress,
                    const CancelFlag* cancel, CorruptTiles* corrupt,
                    const TileCache* cache = nullptr);

// The run's dataset's tile cache when its settings ask for one
// (tile_cache), else nullptr. Builds or refreshes it if needed.
Result<std::unique_ptr<TileCache>> OpenRunCache(db::Database& db,
                                                const OpenedRun& o,
                                                const ProgressFn& progress,
                                                const CancelFlag* cancel);

}  // namespace cratedig::trainer
