// Tiles from audio: the dataset's unit of training and inference.
//
// Used by the dataset builder and by the recommender (`recommend --file
// any.mp3`), so a file outside the catalogue is cut exactly like the tiles
// the model was trained on.
#pragma once

#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "config/dataset_settings.h"
#include "core/status.h"

namespace cratedig::dataset {

// Cuts a spectrogram into height x tile_width tiles from the left; leftover
// columns at the end are dropped. Each tile owns its pixels (a copy).
std::vector<cv::Mat> CutTiles(const cv::Mat& spectrogram,
                              const config::DatasetSettings& s);

// Decodes any FFmpeg-readable file and returns its 256x256 CV_8UC1 tiles
// (s.height x s.tile_width in general) with the given settings. A file too
// short for one tile gives kCorrupt ("too short: ..."), as do unreadable,
// empty or zero-length files (see DecodeAudio).
// REQUIRES: s passed Validate(). Thread-safe.
Result<std::vector<cv::Mat>> TilesForFile(const std::string& path,
                                          const config::DatasetSettings& s);

// The reason given for audio too short for one tile ("too short: 3.20 s of
// audio, a tile needs 5.12 s").
std::string TooShortReason(double seconds, const config::DatasetSettings& s);

}  // namespace cratedig::dataset
