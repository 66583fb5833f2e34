// `recommend --file`: the embedding of any audio file FFmpeg reads, made
// with the same dataset settings and model as a run's catalogue vectors.
// Lives in its own library (cratedig_recommender_file) because it needs
// dataset/ (decode, tiles) and trainer/ (libtorch); the rest of the
// recommender does not.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "db/database.h"

namespace cratedig::recommender {

struct FileEmbedding {
  std::vector<float> vec;
  int tiles = 0;
};

// Reads run `run_id`'s dataset settings (the dataset's stored canonical
// TOML), tiles `path` with them, and embeds the tiles with the run's model.
// InvalidArgument when the file gives no tile (shorter than one tile).
Result<FileEmbedding> EmbedAudioFile(db::Database& db, int64_t run_id,
                                     const std::string& path, int threads = 0);

}  // namespace cratedig::recommender
