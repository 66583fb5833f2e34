// Which tiles a run trains, validates and evaluates on, and their labels.
//
// A tile's label is its track's parent genre, as an index into the
// dataset's parent_genres (the network's outputs, in that order; stored
// with the dataset version, from the site profile).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "db/database.h"
#include "db/dataset_tables.h"

namespace cratedig::trainer {

// Index of `parent_genre` among `genres`; -1 when it is not one of them.
int LabelIndex(const std::vector<std::string>& genres,
               const std::string& parent_genre);

struct TileItem {
  int64_t tile_id = 0;
  int64_t track_id = 0;
  int label = -1;    // -1: the track has no (known) parent genre
  std::string path;  // absolute
};

// Tile height and width of a dataset and the classes its labels index,
// from its stored settings.
struct TileGeometry {
  int height = 256;
  int width = 256;
  std::vector<std::string> genres;  // the dataset's parent_genres, in order
  int classes() const { return static_cast<int>(genres.size()); }
};
Result<TileGeometry> DatasetGeometry(const db::DatasetRecord& d);

// The tiles of one split ("" = all), ordered by track and tile index.
// REQUIRES labelled: tiles whose track has no known parent genre are left
// out and counted in *unlabelled (may be null).
Result<std::vector<TileItem>> LoadTiles(db::Database& db,
                                        const db::DatasetRecord& d,
                                        const std::string& split, bool labelled,
                                        int64_t* unlabelled);

}  // namespace cratedig::trainer
