// `recommend --file`: the embedding of any audio file FFmpeg reads, made
// with the same dataset settings and model as a run's catalogue vectors.
// Lives in its own library (cratedig_recommender_file) because it needs
// dataset/ (decode, tiles) and trainer/ (libtorch); the rest of the
// recommender does not.
#pragma once

#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "core/status.h"
#include "db/database.h"

namespace cratedig::recommender {

struct FileEmbedding {
  std::vector<float> vec;
  int tiles = 0;
  // Non-empty when the answer deserves doubt: a silent file (every tile at
  // the spectrogram's floor) still has an embedding, but its neighbours
  // say nothing about how it sounds.
  std::string warning;
};

// True when every pixel of every tile is within a few dB of the
// spectrogram's floor (pixel value < 8 of 255): silence, or nearly.
bool TilesAreSilent(const std::vector<cv::Mat>& tiles);

// Reads run `run_id`'s dataset settings (the dataset's stored canonical
// TOML), tiles `path` with them, and embeds the tiles with the run's model.
// InvalidArgument when the file gives no tile (shorter than one tile).
Result<FileEmbedding> EmbedAudioFile(db::Database& db, int64_t run_id,
                                     const std::string& path, int threads = 0);

}  // namespace cratedig::recommender
