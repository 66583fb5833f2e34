#include "recommender/spectrogram_image.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace cratedig::recommender {

Result<std::string> ComposeSpectrogramPng(
    const std::vector<std::string>& tile_paths,
    const SpectrogramImageOptions& o) {
  std::vector<cv::Mat> parts;
  for (const std::string& p : tile_paths) {
    if (static_cast<int>(parts.size()) >= o.max_tiles) break;
    cv::Mat img = cv::imread(p, cv::IMREAD_GRAYSCALE);
    if (img.empty()) continue;
    if (!parts.empty() && img.rows != parts.front().rows) continue;
    parts.push_back(img);
  }
  if (parts.empty()) return Status::NotFound("no readable spectrogram tiles");
  cv::Mat joined;
  cv::hconcat(parts, joined);
  if (o.colour) {
    cv::Mat coloured;
    cv::applyColorMap(joined, coloured, cv::COLORMAP_INFERNO);
    joined = coloured;
  }
  std::vector<uchar> png;
  if (!cv::imencode(".png", joined, png)) {
    return Status::Internal("PNG encoding failed");
  }
  return std::string(png.begin(), png.end());
}

}  // namespace cratedig::recommender
