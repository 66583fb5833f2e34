#include "recommender/file_query.h"

#include "config/dataset_settings.h"
#include "dataset/audio_tiles.h"
#include "db/model_tables.h"
#include "trainer/embedder.h"

namespace cratedig::recommender {

bool TilesAreSilent(const std::vector<cv::Mat>& tiles) {
  for (const cv::Mat& t : tiles) {
    double lo = 0, hi = 0;
    cv::minMaxLoc(t, &lo, &hi);
    if (hi >= 8) return false;
  }
  return true;
}

Result<FileEmbedding> EmbedAudioFile(db::Database& db, int64_t run_id,
                                     const std::string& path, int threads) {
  // The same lookup the embedder makes, first: a bad run or file is
  // reported before any model is loaded.
  CRATEDIG_ASSIGN_OR_RETURN(db::TrainedRun trained,
                            db::ModelRunsTable(db).GetTrained(run_id));
  const db::DatasetRecord& ds = trained.dataset;
  CRATEDIG_ASSIGN_OR_RETURN(
      auto settings, config::ParseConfig<config::DatasetSettings>(
                         ds.settings, "dataset " + ds.hash.substr(0, 12)));
  CRATEDIG_ASSIGN_OR_RETURN(auto tiles, dataset::TilesForFile(path, settings));
  if (tiles.empty()) {
    return Status::InvalidArgument(path +
                                   " is too short for one spectrogram tile");
  }
  CRATEDIG_ASSIGN_OR_RETURN(auto embedder,
                            trainer::Embedder::Open(db, run_id, threads));
  FileEmbedding out;
  out.tiles = static_cast<int>(tiles.size());
  if (TilesAreSilent(tiles)) {
    out.warning = path +
                  " is silent (nothing above the spectrogram's floor): these "
                  "recommendations say nothing about how it sounds";
  }
  CRATEDIG_ASSIGN_OR_RETURN(out.vec, embedder->EmbedTrack(tiles));
  return out;
}

}  // namespace cratedig::recommender
