#include "dataset/audio_tiles.h"

#include <fmt/format.h>

#include "dataset/audio_decoder.h"
#include "dataset/spectrogram.h"

namespace cratedig::dataset {

std::vector<cv::Mat> CutTiles(const cv::Mat& spectrogram,
                              const config::DatasetSettings& s) {
  std::vector<cv::Mat> tiles;
  const int n = spectrogram.cols / s.tile_width;
  tiles.reserve(static_cast<size_t>(std::max(0, n)));
  for (int i = 0; i < n; ++i) {
    tiles.push_back(spectrogram(cv::Rect(i * s.tile_width, 0, s.tile_width,
                                         spectrogram.rows))
                        .clone());
  }
  return tiles;
}

std::string TooShortReason(double seconds, const config::DatasetSettings& s) {
  return fmt::format("too short: {:.2f} s of audio, a tile needs {:.2f} s",
                     seconds, s.tile_seconds());
}

Result<std::vector<cv::Mat>> TilesForFile(const std::string& path,
                                          const config::DatasetSettings& s) {
  DecodeOptions dopt;
  dopt.max_seconds = s.max_seconds;
  CRATEDIG_ASSIGN_OR_RETURN(std::vector<float> samples,
                            DecodeAudio(path, s.sample_rate, dopt));
  cv::Mat spec = ComputeSpectrogram(samples, s);
  std::vector<cv::Mat> tiles = CutTiles(spec, s);
  if (tiles.empty()) {
    return Status::Corrupt(
        path + ": " +
        TooShortReason(static_cast<double>(samples.size()) / s.sample_rate, s));
  }
  return tiles;
}

}  // namespace cratedig::dataset
