#include "core/gray_png.h"

#include <png.h>

#include <cstring>
#include <filesystem>

namespace cratedig {

Result<GrayImage> ReadGrayPng(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return Status::NotFound(path + ": no such file");
  }
  png_image img;
  std::memset(&img, 0, sizeof img);
  img.version = PNG_IMAGE_VERSION;
  // On failure libpng frees its state itself and leaves the reason in
  // img.message.
  if (!png_image_begin_read_from_file(&img, path.c_str())) {
    return Status::Corrupt(path + ": libpng: " + img.message);
  }
  img.format = PNG_FORMAT_GRAY;
  GrayImage out;
  out.width = static_cast<int>(img.width);
  out.height = static_cast<int>(img.height);
  out.pixels.resize(PNG_IMAGE_SIZE(img));
  if (!png_image_finish_read(&img, nullptr, out.pixels.data(), 0, nullptr)) {
    std::string why = img.message;
    png_image_free(&img);
    return Status::Corrupt(path + ": libpng: " + why);
  }
  return out;
}

}  // namespace cratedig
