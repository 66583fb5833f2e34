// Per-file timing of the tile pipeline (decode / STFT / PNG), the harness
// behind `cratedig dataset bench-track` and bench/dataset/run_bench.py.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "config/dataset_settings.h"
#include "core/json.h"

namespace cratedig::dataset {

struct TrackTiming {
  std::string file;  // the file name, without its folder
  bool ok = false;
  double audio_s = 0;  // seconds of audio decoded
  int tiles = 0;
  double decode_s = 0, stft_s = 0, png_s = 0;  // per stage, wall
  double wall_s = 0, cpu_s = 0;                // the whole file
  std::string error;                           // set when !ok

  // One JSON object, the line format run_bench.py reads.
  json::Json ToJson() const;
};

// Times ProcessTrack on each of `files` in turn, on this thread, and calls
// `on_file` after each. Tiles are written under `out` (a temp folder,
// removed afterwards, when empty). A file that fails is reported in its
// TrackTiming, not as an error.
void BenchTracks(const std::vector<std::string>& files,
                 const config::DatasetSettings& settings,
                 const std::filesystem::path& out,
                 const std::function<void(const TrackTiming&)>& on_file);

}  // namespace cratedig::dataset
