// A picture of what the dataset makes of one file: its whole spectrogram
// (squeezed to the picture's width, tile boundaries ticked) above every
// tile at full size. For docs and for looking at a preview by eye
// (`cratedig dataset picture`).
#pragma once

#include <opencv2/core.hpp>
#include <string>

#include "config/dataset_settings.h"
#include "core/status.h"

namespace cratedig::dataset {

struct PictureOptions {
  int tiles_per_row = 6;  // Default: 6.
  int gap = 8;            // pixels between tiles. Default: 8.
  std::string title;      // Default: empty, the file name.
};

// Returns a CV_8UC1 image. Errors: as TilesForFile.
Result<cv::Mat> RenderSpectrogramAndTiles(const std::string& path,
                                          const config::DatasetSettings& s,
                                          const PictureOptions& o = {});

}  // namespace cratedig::dataset
