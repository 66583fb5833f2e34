// Recommender: "sounds like" top-k for a catalogue track or any vector, over
// one model run's embeddings.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "db/database.h"
#include "recommender/embedding_set.h"
#include "recommender/index_factory.h"

namespace cratedig::recommender {

struct Recommendation {
  TrackInfo track;
  float similarity = 0;  // cosine, in [-1, 1]
};

struct RecommendOptions {
  int k = 5;  // Default: 5, as the original post did.
  // Drop tracks whose artist equals the query's (case-insensitive).
  bool exclude_same_artist = false;
};

class Recommender {
 public:
  // Loads the embeddings of `run` (default: the newest run with
  // embeddings) and builds the index `index` asks for.
  static Result<std::unique_ptr<Recommender>> Open(
      db::Database& db, std::optional<int64_t> run,
      const IndexOptions& index = {}, const ProgressFn& progress = {},
      const CancelFlag* cancel = nullptr);
  // From an already loaded set (tests, benchmarks).
  static Result<std::unique_ptr<Recommender>> FromSet(
      EmbeddingSet set, const IndexOptions& index = {},
      const ProgressFn& progress = {}, const CancelFlag* cancel = nullptr);

  // The k nearest tracks to a catalogue track, the track itself removed.
  // NotFound when the run has no embedding for it.
  Result<std::vector<Recommendation>> ForTrack(int64_t track_id,
                                               const RecommendOptions& o) const;
  // The k nearest tracks to any vector (normalised here). `artist`, when
  // given with exclude_same_artist, filters that artist out.
  Result<std::vector<Recommendation>> ForVector(
      std::vector<float> vec, const RecommendOptions& o,
      const std::string& artist = "") const;

  const EmbeddingSet& set() const { return set_; }
  const IndexReport& index_report() const { return report_; }
  int64_t run_id() const { return set_.run_id; }
  // Catalogue fields of a track in the run, or null.
  const TrackInfo* Track(int64_t track_id) const;

 private:
  Recommender() = default;
  std::vector<Recommendation> ToRecs(const std::vector<Neighbor>& nb) const;

  EmbeddingSet set_;
  std::vector<std::string> artist_keys_;  // row -> ArtistKey
  std::unique_ptr<VectorIndex> index_;
  IndexReport report_;
};

}  // namespace cratedig::recommender
