// Embedder: a finished run's network as a 128-d tile/track embedder, for
// code outside trainer/ (recommend --file). Torch-free header (pimpl).
#pragma once

#include <cstdint>
#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "core/status.h"
#include "db/database.h"

namespace cratedig::trainer {

class Embedder {
 public:
  // Loads the final checkpoint of model run `run_id` (network and settings
  // from the run's stored config). threads: libtorch threads, 0 = all cores
  // (also applies trainer::TuneRuntime, process-wide).
  static Result<std::unique_ptr<Embedder>> Open(db::Database& db,
                                                int64_t run_id,
                                                int threads = 0);
  // 128-d pre-activation embedding per tile. REQUIRES: tiles are CV_8UC1 of
  // the run's tile size (256x256 by default); InvalidArgument otherwise.
  Result<std::vector<std::vector<float>>> EmbedTiles(
      const std::vector<cv::Mat>& tiles);
  // Unweighted mean over the tiles of one track. REQUIRES: !tiles.empty().
  Result<std::vector<float>> EmbedTrack(const std::vector<cv::Mat>& tiles);
  // The dataset version the run was trained on.
  const std::string& dataset_hash() const;
  ~Embedder();

 private:
  struct Impl;
  explicit Embedder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cratedig::trainer
