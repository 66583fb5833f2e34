// Evaluation: per-tile softmax outputs -> the original work's figures.
//
// Tile accuracy is the argmax of each tile; track accuracy sums the softmax
// of a track's tiles and takes the argmax (as the original did). The
// per-genre table, the confusion matrix (tracks: rows true, columns
// predicted) and the JSON stored in model_runs.metrics["evaluation"] all
// come from one Evaluation. No torch here.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/status.h"

namespace cratedig::trainer {

struct GenreResult {
  std::string genre;
  int64_t tracks = 0, tracks_right = 0;
  int64_t tiles = 0, tiles_right = 0;
};

struct Evaluation {
  int64_t run_id = 0;
  std::string backend;  // of the run: "libtorch" | "tiny-dnn"
  std::string dataset_hash;
  std::string split = "holdout";
  std::vector<std::string> genres;  // label order
  int64_t tiles = 0, tiles_right = 0;
  int64_t tracks = 0, tracks_right = 0;
  int64_t corrupt_tiles = 0;           // skipped
  std::string first_corrupt;           // why the first one was: names the tile
  std::vector<GenreResult> per_genre;  // label order
  std::vector<std::vector<int64_t>> confusion;  // tracks [true][predicted]
  std::vector<std::vector<int64_t>> tile_confusion;
  std::string heatmap_path;  // the PNG, once written

  double tile_accuracy() const {
    return tiles ? double(tiles_right) / tiles : 0;
  }
  double track_accuracy() const {
    return tracks ? double(tracks_right) / tracks : 0;
  }
  // "Result: 74.8% of 110 holdout tracks right: Trance 91%, Drum and Bass
  // 90%, ..." (genres by accuracy, best first), as the original reported.
  std::string ResultLine() const;
  // One row per genre: tracks, right, track accuracy, tile accuracy.
  std::string GenreTable() const;
  // The track confusion matrix, rows true, columns predicted.
  std::string ConfusionText() const;
  json::Json ToJson() const;
};

// Collects tiles (in any order) and computes an Evaluation.
class EvalAccumulator {
 public:
  explicit EvalAccumulator(std::vector<std::string> genres);
  // probs: genres.size() softmax values of one tile with true label `label`.
  void Add(int64_t track_id, int label, const float* probs);
  Evaluation Finish() const;

 private:
  struct Track {
    int label = 0;
    std::vector<double> sum;
  };
  std::vector<std::string> genres_;
  std::map<int64_t, Track> tracks_;
  std::vector<std::vector<int64_t>> tile_confusion_;
};

// Writes the track confusion matrix as a heatmap (row-normalised, counts in
// the cells, genre names on the rows) atomically.
Status WriteConfusionPng(const Evaluation& e, const std::string& path);

}  // namespace cratedig::trainer
