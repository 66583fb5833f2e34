// EmbeddingSet: one model run's per-track vectors, L2-normalised, in one
// row-major matrix, with the catalogue fields recommendations print.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "db/database.h"

namespace cratedig::recommender {

struct TrackInfo {
  int64_t id = 0;
  std::string artist, title, parent_genre;  // "" when unknown
  std::string preview_url;                  // the store's URL; "" when none
  int64_t release_id = 0;                   // its release (album)
};

struct EmbeddingSet {
  int64_t run_id = 0;
  int dim = 0;
  std::vector<int64_t> track_ids;  // row -> track id, ascending
  std::vector<float> vectors;      // rows x dim, each row of unit length
                                   // (or all zeros for a zero embedding)
  std::vector<TrackInfo> tracks;   // row -> catalogue fields

  size_t size() const { return track_ids.size(); }
  const float* row(size_t i) const { return vectors.data() + i * dim; }
  // The row of a track, or nullopt when the run has no vector for it.
  std::optional<size_t> RowOf(int64_t track_id) const;

  // Builds the id -> row map. REQUIRES: called after track_ids is final.
  void IndexRows();

 private:
  std::unordered_map<int64_t, size_t> row_of_;
};

// Scales `v` to unit length; leaves an all-zero vector as it is.
void NormalizeL2(float* v, int dim);

// Loads every embedding of `run_id` plus the tracks' catalogue fields.
// Errors: NotFound when the run has none; Corrupt when vectors disagree in
// length.
Result<EmbeddingSet> LoadEmbeddings(db::Database& db, int64_t run_id);

// Lower-cased, trimmed artist, the key "same artist" compares ("" never
// matches anything).
std::string ArtistKey(const std::string& artist);

}  // namespace cratedig::recommender
