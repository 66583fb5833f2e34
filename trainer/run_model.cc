#include "trainer/run_model.h"

#include "trainer/backend.h"

namespace cratedig::trainer {

Result<OpenedRun> OpenRun(db::Database& db, int64_t run_id) {
  CRATEDIG_ASSIGN_OR_RETURN(db::TrainedRun t,
                            db::ModelRunsTable(db).GetTrained(run_id));
  OpenedRun o;
  CRATEDIG_ASSIGN_OR_RETURN(
      o.settings,
      config::ParseConfig<config::TrainSettings>(
          t.run.config, "config of model run " + std::to_string(run_id)));
  o.dataset = std::move(t.dataset);
  CRATEDIG_ASSIGN_OR_RETURN(o.geometry, DatasetGeometry(o.dataset));
  // A run stored before backends were a setting is a libtorch run.
  if (o.settings.backend == "auto") o.settings.backend = kLibtorch;
  auto made =
      Model::Create(o.settings.backend, o.settings.network,
                    o.geometry.classes(), o.geometry.height, o.geometry.width,
                    o.settings.seed, o.settings.normalize == "per_frequency");
  if (!made.ok()) {
    return Status(made.status().code(), "model run " + std::to_string(run_id) +
                                            " (" + o.settings.backend +
                                            "): " + made.status().message());
  }
  o.model = std::move(*made);
  CRATEDIG_RETURN_IF_ERROR(o.model->LoadCheckpoint(*t.run.checkpoint_path));
  o.run = std::move(t.run);
  return o;
}

Status RunInference(Model& model, const std::vector<TileItem>& items,
                    int batch_size, int prefetch, bool want_probs,
                    bool want_embeddings, const BatchFn& fn,
                    const std::string& stage, const ProgressFn& progress,
                    const CancelFlag* cancel, CorruptTiles* corrupt,
                    const TileCache* cache) {
  LoaderOptions lo;
  lo.cache = cache;
  lo.batch_size = batch_size;
  lo.prefetch = prefetch;
  lo.height = model.height();
  lo.width = model.width();
  TileLoader loader(items, lo);
  std::vector<float> probs, emb;
  int64_t done = 0;
  while (auto b = loader.Next()) {
    if (cancel != nullptr && cancel->stop()) {
      return Status::Cancelled(stage + " stopped");
    }
    CRATEDIG_RETURN_IF_ERROR(model.Forward(b->pixels.data(), b->n,
                                           want_probs ? &probs : nullptr,
                                           want_embeddings ? &emb : nullptr));
    CRATEDIG_RETURN_IF_ERROR(fn(*b, probs, emb));
    done += b->n;
    Report(progress, {stage, done + loader.corrupt(),
                      static_cast<int64_t>(items.size()), "tiles", ""});
  }
  if (corrupt != nullptr) {
    corrupt->count = loader.corrupt();
    corrupt->first = loader.first_corrupt_reason();
  }
  return Status::Ok();
}

Result<std::unique_ptr<TileCache>> OpenRunCache(db::Database& db,
                                                const OpenedRun& o,
                                                const ProgressFn& progress,
                                                const CancelFlag* cancel) {
  if (!o.settings.tile_cache) return std::unique_ptr<TileCache>();
  return OpenDatasetCache(db, o.dataset, progress, cancel);
}

}  // namespace cratedig::trainer
