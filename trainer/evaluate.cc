#include "trainer/evaluate.h"

#include <filesystem>

#include "config/site_profile.h"
#include "core/json.h"
#include "trainer/run_model.h"

namespace cratedig::trainer {

Result<Evaluation> EvaluateRun(db::Database& db, int64_t run_id,
                               const EvaluateOptions& options,
                               const ProgressFn& progress,
                               const CancelFlag* cancel) {
  CRATEDIG_ASSIGN_OR_RETURN(OpenedRun o, OpenRun(db, run_id));
  CRATEDIG_ASSIGN_OR_RETURN(
      auto items, LoadTiles(db, o.dataset, options.split, true, nullptr));
  if (items.empty()) {
    return Status::NotFound("dataset " + o.dataset.hash + " has no labelled " +
                            options.split + " tiles");
  }
  EvalAccumulator acc(o.geometry.genres);
  const int k = o.geometry.classes();
  CorruptTiles corrupt;
  CRATEDIG_ASSIGN_OR_RETURN(auto cache, OpenRunCache(db, o, progress, cancel));
  CRATEDIG_RETURN_IF_ERROR(RunInference(
      *o.model, items,
      options.batch_size > 0 ? options.batch_size : o.settings.eval_batch_size,
      o.settings.prefetch_batches, true, false,
      [&](const Batch& b, const std::vector<float>& probs,
          const std::vector<float>&) {
        for (int i = 0; i < b.n; ++i) {
          const TileItem& t = items[b.items[i]];
          acc.Add(t.track_id, t.label, probs.data() + i * k);
        }
        return Status::Ok();
      },
      "evaluate", progress, cancel, &corrupt, cache.get()));
  Evaluation e = acc.Finish();
  e.run_id = run_id;
  e.backend = o.model->backend();
  e.dataset_hash = o.dataset.hash;
  e.split = options.split;
  e.corrupt_tiles = corrupt.count;
  e.first_corrupt = corrupt.first;
  e.heatmap_path =
      (std::filesystem::path(*o.run.checkpoint_path).parent_path() /
       (options.split == "holdout" ? "confusion.png"
                                   : "confusion-" + options.split + ".png"))
          .string();
  CRATEDIG_RETURN_IF_ERROR(WriteConfusionPng(e, e.heatmap_path));

  db::ModelRunsTable runs(db);
  CRATEDIG_ASSIGN_OR_RETURN(auto fresh, runs.Get(run_id));
  if (!fresh) return Status::NotFound("model run vanished");
  CRATEDIG_ASSIGN_OR_RETURN(std::string metrics,
                            json::SetMember(fresh->metrics.value_or(""),
                                            options.split == "holdout"
                                                ? "evaluation"
                                                : "evaluation_" + options.split,
                                            e.ToJson()));
  fresh->metrics = metrics;
  CRATEDIG_RETURN_IF_ERROR(runs.Update(*fresh));
  return e;
}

}  // namespace cratedig::trainer
