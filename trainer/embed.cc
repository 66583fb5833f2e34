#include "trainer/embed.h"

#include <chrono>
#include <cmath>
#include <map>

#include "db/model_tables.h"
#include "trainer/run_model.h"

namespace cratedig::trainer {

double TileWeight(const float* v, int d) {
  double sq = 0;
  for (int j = 0; j < d; ++j) sq += double(v[j]) * v[j];
  return sq > 0 ? 1.0 / std::sqrt(sq) : 1.0;
}

Result<EmbedReport> EmbedRun(db::Database& db, int64_t run_id,
                             const EmbedOptions& options,
                             const ProgressFn& progress,
                             const CancelFlag* cancel) {
  const auto t0 = std::chrono::steady_clock::now();
  CRATEDIG_ASSIGN_OR_RETURN(OpenedRun o, OpenRun(db, run_id));
  CRATEDIG_ASSIGN_OR_RETURN(auto items,
                            LoadTiles(db, o.dataset, "", false, nullptr));
  const int d = Model::embedding_dim();
  struct Sum {
    std::vector<double> v;
    int tiles = 0;
  };
  std::map<int64_t, Sum> sums;
  EmbedReport r;
  r.run_id = run_id;
  CRATEDIG_ASSIGN_OR_RETURN(auto cache, OpenRunCache(db, o, progress, cancel));
  const bool l2 = o.settings.aggregate == "l2_mean";
  CorruptTiles corrupt;
  CRATEDIG_RETURN_IF_ERROR(RunInference(
      *o.model, items,
      options.batch_size > 0 ? options.batch_size : o.settings.eval_batch_size,
      o.settings.prefetch_batches, false, true,
      [&](const Batch& b, const std::vector<float>&,
          const std::vector<float>& emb) {
        for (int i = 0; i < b.n; ++i) {
          Sum& s = sums[items[b.items[i]].track_id];
          if (s.v.empty()) s.v.assign(d, 0.0);
          const float* e = emb.data() + static_cast<size_t>(i) * d;
          const double w = l2 ? TileWeight(e, d) : 1.0;
          for (int j = 0; j < d; ++j) s.v[j] += w * e[j];
          ++s.tiles;
        }
        r.tiles += b.n;
        return Status::Ok();
      },
      "embed", progress, cancel, &corrupt, cache.get()));
  r.corrupt_tiles = corrupt.count;
  r.first_corrupt = corrupt.first;
  db::EmbeddingsTable table(db);
  CRATEDIG_RETURN_IF_ERROR(db.InTransaction([&]() -> Status {
    for (const auto& [track, s] : sums) {
      db::EmbeddingRecord rec;
      rec.run_id = run_id;
      rec.track_id = track;
      rec.tiles = s.tiles;
      rec.vec.resize(d);
      for (int j = 0; j < d; ++j) {
        rec.vec[j] = static_cast<float>(s.v[j] / s.tiles);
      }
      CRATEDIG_RETURN_IF_ERROR(table.Put(rec));
    }
    return Status::Ok();
  }));
  r.tracks = static_cast<int64_t>(sums.size());
  r.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count();
  return r;
}

}  // namespace cratedig::trainer
