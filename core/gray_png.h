// ReadGrayPng: decodes an 8-bit grey PNG (a spectrogram tile) with libpng's
// simplified API, which reports problems in its result instead of printing
// "libpng error: IDAT: CRC error" to stderr with no file name (what
// cv::imread does). Every error names the file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace cratedig {

struct GrayImage {
  int width = 0, height = 0;
  std::vector<uint8_t> pixels;  // row-major, width x height
};

// NotFound when the file is missing; Corrupt "<path>: libpng: <why>" when
// it is not a readable PNG. Colour PNGs are converted to grey.
Result<GrayImage> ReadGrayPng(const std::string& path);

}  // namespace cratedig
