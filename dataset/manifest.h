// Reading a built dataset back: what `dataset stats` shows and the CSV
// manifest (`dataset export-csv`) other tools train from.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "db/dataset_tables.h"

namespace cratedig::dataset {

struct DatasetStats {
  db::DatasetRecord dataset;
  std::vector<db::SplitGenreCount> counts;       // ok tracks and their tiles
  std::vector<db::DatasetTrackRecord> failures;  // by track id
  int64_t ok_tracks = 0, tiles = 0;
};

Result<DatasetStats> ComputeStats(db::Database& db, const std::string& hash);

// Writes "path,label,split,track_id,tile_index" (path absolute: tiles_dir
// joined with the tile's relative path; fields quoted per RFC 4180), one
// row per tile, ordered by track and tile; atomically. Returns the rows.
Result<int64_t> ExportManifestCsv(db::Database& db, const std::string& hash,
                                  const std::string& out_path);

// RFC 4180 quoting when a field needs it.
std::string CsvField(const std::string& s);

}  // namespace cratedig::dataset
