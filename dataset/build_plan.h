// The plan stage of BuildDataset (builder.h): make the dataset's row and
// tiles folder ready, then decide which tracks this run builds, in which
// split and in which order. Reads and writes only the datasets tables (and
// removes a killed run's temp files); the tracks are built by the work
// stage (track_pool.h) and committed by builder.cc.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "config/dataset_settings.h"
#include "core/status.h"
#include "dataset/builder.h"
#include "db/dataset_tables.h"

namespace cratedig::dataset {

// One track to build.
struct BuildJob {
  int64_t track_id = 0;
  std::string path;   // the preview file
  std::string split;  // train / validation / holdout
};

// The absolute, normalised tiles folder for `out_dir`, created if missing.
Result<std::filesystem::path> TilesRoot(const std::string& out_dir);

// Makes r.dataset_hash's row exist (refusing another tiles folder than the
// one it was built into), removes temp tiles a killed run left under
// `root` and, with o.retry_failed, forgets the failed tracks. Fills
// r.stale_temp_removed and r.retried.
Status PrepareDataset(const config::DatasetSettings& s, const BuildOptions& o,
                      const std::filesystem::path& root,
                      db::DatasetsTable& table, BuildReport& r);

// The tracks this run builds: the sources with one of s.parent_genres not
// yet recorded for the dataset, limited by tracks_per_genre and
// o.max_tracks, split, and interleaved across genres (seeded) so a partial
// run is balanced. Fills r.sources, no_genre, already_done, over_limit.
Result<std::vector<BuildJob>> PlanJobs(const config::DatasetSettings& s,
                                       const BuildOptions& o,
                                       db::DatasetsTable& table,
                                       BuildReport& r);

}  // namespace cratedig::dataset
