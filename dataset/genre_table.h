// The per-genre overview `cratedig status` prints: catalogue tracks,
// previews and the newest dataset's tiles for each parent genre. Built here
// so the CLI only prints it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "db/database.h"

namespace cratedig::dataset {

struct GenreRow {
  std::string genre;  // "" = tracks with no parent genre (unmapped)
  int64_t tracks = 0, previews_ok = 0, previews_failed = 0;
  int64_t tiles_train = 0, tiles_val = 0, tiles_holdout = 0;
};

struct GenreTable {
  // The newest dataset's labels (its parent_genres; the default nine when
  // there is no dataset) always, in label order, then any other genre the
  // database holds.
  std::vector<GenreRow> rows;
  GenreRow total;            // genre "total"
  std::string dataset_hash;  // whose tiles are counted; "" = none
  size_t datasets = 0;       // how many versions the database holds
};

Result<GenreTable> ReadGenreTable(db::Database& db);

}  // namespace cratedig::dataset
