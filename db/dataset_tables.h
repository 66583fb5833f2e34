// Typed access to datasets (versions by settings hash), the per-track
// outcome of building one (split, ok/failed and why), and tiles.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "db/database.h"

namespace cratedig::db {

struct DatasetRecord {
  std::string hash;
  std::string settings;   // canonical TOML
  std::string tiles_dir;  // absolute; TileRecord::path is relative to it
  int64_t created_at = 0;
};

struct DatasetTrackRecord {
  std::string dataset_hash;
  int64_t track_id = 0;
  std::string split;  // "train" | "val" | "holdout"
  bool ok = false;
  std::optional<std::string> reason;  // set when !ok
  int tiles = 0;
  std::optional<double> seconds;
};

struct TileRecord {
  int64_t id = 0;
  std::string dataset_hash;
  int64_t track_id = 0;
  int tile_index = 0;
  std::string path;  // relative to the tiles folder
  std::string split;
  // Filled by List(): the track's parent genre (the label).
  std::string parent_genre;
};

// A downloaded preview and what a dataset needs of its track.
struct DatasetSource {
  int64_t track_id = 0;
  std::string store_id;
  std::optional<std::string> parent_genre;  // unset: not one of the labels
  std::string path;                         // absolute audio file path
};

struct SplitGenreCount {
  std::string split, parent_genre;
  int64_t tracks = 0, tiles = 0;
};

class DatasetsTable {
 public:
  explicit DatasetsTable(Database& db) : db_(db) {}
  // Inserts the dataset if its hash is new; keeps the original otherwise.
  Status Ensure(const DatasetRecord& d);
  Result<std::optional<DatasetRecord>> Get(const std::string& hash);
  Result<std::vector<DatasetRecord>> List();  // newest first
  // The one way a command names a dataset: the version whose hash starts
  // with `hash_or_prefix`, or the newest when it is empty. NotFound when
  // there is none (or no dataset at all); InvalidArgument when the prefix
  // matches several.
  Result<DatasetRecord> Resolve(const std::string& hash_or_prefix);

  // Records a processed track and its tiles in one call. REQUIRES: the
  // caller wraps it in a transaction with anything else of that track.
  Status PutTrack(const DatasetTrackRecord& t,
                  const std::vector<TileRecord>& tiles);
  Result<std::optional<DatasetTrackRecord>> GetTrack(const std::string& hash,
                                                     int64_t track_id);
  Result<std::vector<DatasetTrackRecord>> ListTracks(const std::string& hash);
  // Forgets the failed tracks of a dataset so a build tries them again.
  // Returns how many were removed.
  Result<int64_t> DeleteFailedTracks(const std::string& hash);

  // Every preview with status ok and a path, with its track's store id and
  // parent genre, ordered by track id. Reads previews and tracks.
  Result<std::vector<DatasetSource>> ListSources();

  // split empty: all splits.
  Result<std::vector<TileRecord>> ListTiles(const std::string& hash,
                                            const std::string& split);
  Result<std::vector<SplitGenreCount>> CountBySplitAndGenre(
      const std::string& hash);

 private:
  Database& db_;
};

}  // namespace cratedig::db
