#include "recommender/file_query.h"

#include "config/dataset_settings.h"
#include "dataset/audio_tiles.h"
#include "db/dataset_tables.h"
#include "db/model_tables.h"
#include "trainer/embedder.h"

namespace cratedig::recommender {

Result<FileEmbedding> EmbedAudioFile(db::Database& db, int64_t run_id,
                                     const std::string& path, int threads) {
  db::ModelRunsTable runs(db);
  CRATEDIG_ASSIGN_OR_RETURN(auto run, runs.Get(run_id));
  if (!run) return Status::NotFound("no model run " + std::to_string(run_id));
  db::DatasetsTable datasets(db);
  CRATEDIG_ASSIGN_OR_RETURN(auto ds, datasets.Get(run->dataset_hash));
  if (!ds) {
    return Status::NotFound("model run " + std::to_string(run_id) +
                            " names dataset " + run->dataset_hash +
                            ", which the database does not hold");
  }
  CRATEDIG_ASSIGN_OR_RETURN(
      auto settings, config::ParseConfig<config::DatasetSettings>(
                         ds->settings, "dataset " + ds->hash.substr(0, 12)));
  CRATEDIG_ASSIGN_OR_RETURN(auto tiles, dataset::TilesForFile(path, settings));
  if (tiles.empty()) {
    return Status::InvalidArgument(path +
                                   " is too short for one spectrogram tile");
  }
  CRATEDIG_ASSIGN_OR_RETURN(auto embedder,
                            trainer::Embedder::Open(db, run_id, threads));
  if (embedder->dataset_hash() != run->dataset_hash) {
    return Status::Internal("embedder and run disagree on the dataset");
  }
  FileEmbedding out;
  out.tiles = static_cast<int>(tiles.size());
  CRATEDIG_ASSIGN_OR_RETURN(out.vec, embedder->EmbedTrack(tiles));
  return out;
}

}  // namespace cratedig::recommender
