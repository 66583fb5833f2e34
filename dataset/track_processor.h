// One track from audio file to tile PNGs on disk: decode -> spectrogram ->
// tiles -> PNG files, timed per stage. No database here: the builder
// records the outcome; `dataset bench-track` times this same code.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "config/dataset_settings.h"
#include "core/status.h"

namespace cratedig::dataset {

// Seconds spent per stage (wall time of the calling thread).
struct StageSeconds {
  double decode = 0, stft = 0, png = 0, db = 0;
  StageSeconds& operator+=(const StageSeconds& o) {
    decode += o.decode;
    stft += o.stft;
    png += o.png;
    db += o.db;
    return *this;
  }
};

struct TrackOutput {
  // Ok, or why the track gives no tiles. kCorrupt / kNotFound: a problem of
  // this input (recorded, skipped); anything else (kIoError writing tiles):
  // a problem of the machine, which stops a build.
  Status status;
  double audio_seconds = 0;
  // Tile paths relative to the tiles root, in tile order.
  std::vector<std::string> tiles;
  StageSeconds seconds;
};

// The relative path of tile `index` of `track_id` in dataset `hash`:
// "<hash>/<track_id / 1000, 3 digits>/<track_id>_<index, 3 digits>.png".
// Built from numbers and our own hash only, never from network text.
std::string TilePath(const std::string& hash, int64_t track_id, int index);
// The optional whole spectrogram: "<hash>/<bucket>/<track_id>_full.png".
std::string FullSpectrogramPath(const std::string& hash, int64_t track_id);

// Makes the tiles of `audio_path` and writes them under `tiles_root` at
// TilePath(hash, track_id, i). Every file is written to a temp name and
// renamed into place, so a reader never sees a partial PNG. Durability is
// the caller's: files are not fsynced here (BuildDataset syncs the file
// system once per batch of tracks, before it records them).
TrackOutput ProcessTrack(const std::string& audio_path, int64_t track_id,
                         const std::string& hash,
                         const std::filesystem::path& tiles_root,
                         const config::DatasetSettings& s);

}  // namespace cratedig::dataset
