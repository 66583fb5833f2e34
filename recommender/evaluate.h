// Offline quality of recommendations: genre precision@k of nearest
// neighbours, for a run's embeddings and for two baselines on the same
// tracks (seeded random picks; a hand-crafted audio-feature vector).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/progress.h"
#include "core/status.h"
#include "db/database.h"

namespace cratedig::recommender {

// Share of recommendations in the query's parent genre, averaged over
// queries (tracks with a known genre). "other_artist": the same with the
// query artist's other tracks excluded from the candidates; "other_album":
// with the other tracks of the query's album (release) excluded, so that a
// shared production sound cannot stand in for the genre.
struct GenrePrecision {
  double p5 = 0, p10 = 0;
  double p5_other_artist = 0, p10_other_artist = 0;
  double p5_other_album = 0, p10_other_album = 0;
  int64_t queries = 0;
  std::map<std::string, double> p10_by_genre;  // genre -> p@10
};

// The tracks being evaluated: row-aligned genre, ArtistKey and album key
// per track.
struct EvalTracks {
  std::vector<std::string> genre;   // "" = unknown (never a query, never a
                                    // hit)
  std::vector<std::string> artist;  // ArtistKey; "" never matches
  // Album key (EvaluateRecommendations: the release). Empty vector or ""
  // for a row: no album, never matches.
  std::vector<std::string> album;
  size_t size() const { return genre.size(); }
  const std::string& AlbumOf(size_t row) const;
};

// Exact cosine neighbours of each row among all other rows.
// REQUIRES: vectors has tracks.size() rows of dim floats, unit length.
GenrePrecision NeighbourPrecision(const std::vector<float>& vectors, int dim,
                                  const EvalTracks& tracks,
                                  const ProgressFn& progress = {},
                                  const CancelFlag* cancel = nullptr);

// k distinct random other tracks per query (std::mt19937_64 with `seed`).
GenrePrecision RandomPrecision(const EvalTracks& tracks, uint64_t seed);

struct AudioFeatureOptions {
  // Frequency bands the tile rows are split into; each gives the mean and
  // the standard deviation of its pixels (dB) over all the track's tiles.
  // Default: 32 (2 x 32 = 64-d).
  int bands = 32;
};

// Per-track feature vectors from the stored spectrogram tiles of
// `dataset_hash`, each dimension standardised over the tracks, then
// L2-normalised. A track without readable tiles gets a zero row and counts
// in `missing`.
Result<std::vector<float>> AudioFeatureVectors(
    db::Database& db, const std::string& dataset_hash,
    const std::vector<int64_t>& track_ids, const AudioFeatureOptions& o,
    int64_t* missing = nullptr, const ProgressFn& progress = {},
    const CancelFlag* cancel = nullptr);

struct EvaluateOptions {
  uint64_t seed = 1;           // random baseline. Default: 1.
  bool audio_features = true;  // the tile-feature baseline
  AudioFeatureOptions features;
};

struct RecsEvaluation {
  int64_t run_id = 0;
  int64_t tracks = 0;  // tracks with embeddings
  std::vector<std::pair<std::string, GenrePrecision>> methods;  // "cnn" 1st
  int64_t feature_tracks_missing = 0;
  // p@10 of "cnn" above every baseline's (plain and other-artist).
  bool cnn_beats_baselines = false;

  json::Json ToJson() const;
};

Result<RecsEvaluation> EvaluateRecommendations(
    db::Database& db, int64_t run_id, const EvaluateOptions& o = {},
    const ProgressFn& progress = {}, const CancelFlag* cancel = nullptr);

// Stores the evaluation in the run's metrics JSON under "recommendations",
// keeping every other key. Corrupt when the stored metrics are not a JSON
// object (nothing is overwritten then).
Status StoreInRunMetrics(db::Database& db, const RecsEvaluation& e);

}  // namespace cratedig::recommender
