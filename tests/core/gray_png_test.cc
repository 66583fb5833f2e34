// ReadGrayPng (issue 12): a damaged tile's error names the tile, and
// nothing is printed behind the caller's back.
#include "core/gray_png.h"

#include <gtest/gtest.h>
#include <png.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace cratedig {
namespace {

namespace fs = std::filesystem;

class GrayPngTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cratedig_png_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A 16x8 grey gradient written with libpng.
  std::string Write(const std::string& name) {
    std::vector<uint8_t> px(16 * 8);
    for (size_t i = 0; i < px.size(); ++i) px[i] = static_cast<uint8_t>(i);
    png_image img;
    std::memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    img.width = 16;
    img.height = 8;
    img.format = PNG_FORMAT_GRAY;
    const std::string path = (dir_ / name).string();
    EXPECT_TRUE(
        png_image_write_to_file(&img, path.c_str(), 0, px.data(), 0, nullptr))
        << img.message;
    return path;
  }
  fs::path dir_;
};

TEST_F(GrayPngTest, ReadsWhatWasWritten) {
  auto g = ReadGrayPng(Write("ok.png"));
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->width, 16);
  EXPECT_EQ(g->height, 8);
  ASSERT_EQ(g->pixels.size(), 128u);
  EXPECT_EQ(g->pixels[5], 5);
  EXPECT_EQ(g->pixels[127], 127);
}

TEST_F(GrayPngTest, DamagedTileErrorNamesItAndPrintsNothing) {
  const std::string path = Write("bad.png");
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const size_t idat = bytes.find("IDAT");
  ASSERT_NE(idat, std::string::npos);
  bytes[idat + 6] ^= 0x5a;  // inside the compressed data: CRC mismatch
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;

  ::testing::internal::CaptureStderr();
  auto g = ReadGrayPng(path);
  const std::string printed = ::testing::internal::GetCapturedStderr();
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), StatusCode::kCorrupt);
  EXPECT_EQ(g.status().message().rfind(path + ": libpng: ", 0), 0u)
      << g.status().message();
  EXPECT_EQ(printed, "");

  std::ofstream(dir_ / "text.png") << "not a png";
  auto t = ReadGrayPng((dir_ / "text.png").string());
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("text.png: libpng: "), std::string::npos);
  EXPECT_EQ(ReadGrayPng((dir_ / "none.png").string()).status().code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace cratedig
