// Typed access to the catalogue: releases, tracks and downloaded previews.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "db/database.h"

namespace cratedig::db {

struct ReleaseRecord {
  int64_t id = 0;        // assigned by Upsert
  std::string store_id;  // "<titleId>-<productId>"; the natural key
  std::string url;
  std::optional<std::string> artist, title, label, catalogue_number,
      release_date, store_genre, parent_genre;
  std::string missing_fields;  // comma-separated, "" when complete
};

struct TrackRecord {
  int64_t id = 0;
  int64_t release_id = 0;
  std::string store_id;  // "<titleId>-<productId>-01-<NN>"; the natural key
  int position = 0;
  std::optional<std::string> artist, title, label, catalogue_number,
      release_date, store_genre, parent_genre;
  std::optional<double> bpm, duration_s;
  std::optional<std::string> preview_url;
  std::string missing_fields;
};

class ReleasesTable {
 public:
  explicit ReleasesTable(Database& db) : db_(db) {}
  // Inserts or replaces the fields of the release with this store_id and
  // returns its id (stable across upserts).
  Result<int64_t> Upsert(const ReleaseRecord& r);
  Result<std::optional<ReleaseRecord>> GetByStoreId(const std::string& id);
  Result<int64_t> Count();
  // The crawler's write: inserts each release, or merges it into the stored
  // one field by field. prefer_new: a non-NULL new value replaces the stored
  // one (a listing page); otherwise new values only fill NULL fields (a
  // product page filling what the listing lacked). NULL never overwrites a
  // value. missing_fields is recomputed from the merged row. Returns the ids,
  // in input order. One prepared statement for the batch.
  Result<std::vector<int64_t>> MergeMany(const std::vector<ReleaseRecord>& rs,
                                         bool prefer_new);
  // All rows ordered by store_id (canonical dumps, tests).
  Result<std::vector<ReleaseRecord>> ListAll();

 private:
  Database& db_;
};

struct TrackQuery {
  std::optional<std::string> parent_genre;
  bool with_preview_url = false;
  // Case-insensitive substring of artist or title.
  std::optional<std::string> text;
  int limit = -1;  // -1: all
};

class TracksTable {
 public:
  explicit TracksTable(Database& db) : db_(db) {}
  // Keyed by store_id; returns the track's id.
  Result<int64_t> Upsert(const TrackRecord& t);
  Result<std::optional<TrackRecord>> Get(int64_t id);
  Result<std::optional<TrackRecord>> GetByStoreId(const std::string& id);
  Result<std::vector<TrackRecord>> Find(const TrackQuery& q);
  Result<int64_t> Count();
  // parent genre ("" for unmapped) -> tracks.
  Result<std::map<std::string, int64_t>> CountByParentGenre();
  // The crawler's write, with the merge rules of ReleasesTable::MergeMany for
  // the track-level fields (artist, title, bpm, duration_s, preview_url);
  // release_id and position are set from the record. The release-level
  // fields (label, catalogue number, date, genres) are then copied from each
  // track's release row, so a track always agrees with its release.
  // missing_fields covers artist, title, duration, bpm.
  Status MergeMany(const std::vector<TrackRecord>& ts, bool prefer_new);
  // All rows ordered by store_id (canonical dumps, tests).
  Result<std::vector<TrackRecord>> ListAll();

 private:
  Database& db_;
};

enum class PreviewStatus { kOk, kFailed };

struct PreviewRecord {
  int64_t track_id = 0;
  std::string url;
  PreviewStatus status = PreviewStatus::kFailed;
  std::optional<std::string> path;  // absolute path of the file
  std::optional<std::string> sha256;
  std::optional<int64_t> bytes;
  std::optional<int> http_status;
  std::optional<std::string> error;
  int attempts = 0;
  int64_t updated_at = 0;  // set by Put
};

class PreviewsTable {
 public:
  explicit PreviewsTable(Database& db) : db_(db) {}
  Status Put(const PreviewRecord& p);
  Result<std::optional<PreviewRecord>> Get(int64_t track_id);
  Result<std::vector<PreviewRecord>> List(std::optional<PreviewStatus> s);
  // parent genre -> {"ok": n, "failed": m}
  Result<std::map<std::string, std::map<std::string, int64_t>>>
  CountByGenreAndStatus();

 private:
  Database& db_;
};

}  // namespace cratedig::db
