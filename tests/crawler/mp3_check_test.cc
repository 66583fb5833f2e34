#include "crawler/mp3_check.h"

#include <gtest/gtest.h>

namespace cratedig::crawler {
namespace {

// n frames of MPEG-1 Layer III, 128 kbps, 44.1 kHz (417 bytes each).
std::string Frames(int n) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    std::string f(417, '\0');
    f[0] = '\xFF';
    f[1] = '\xFB';
    f[2] = '\x90';
    f[3] = '\x00';
    out += f;
  }
  return out;
}

TEST(Mp3CheckTest, AcceptsFramesAndId3) {
  EXPECT_TRUE(CheckMp3(Frames(3)).ok());
  EXPECT_TRUE(CheckMp3(Frames(1)).ok());  // too short to confirm: accepted
  std::string id3 = std::string("ID3\x04\x00\x00\x00\x00\x00\x05", 10) +
                    std::string(5, 'x') + Frames(2);
  EXPECT_TRUE(CheckMp3(id3).ok());
}

TEST(Mp3CheckTest, RejectsNonAudio) {
  EXPECT_EQ(CheckMp3("").code(), StatusCode::kCorrupt);
  EXPECT_FALSE(CheckMp3("<html><body>Not found</body></html>").ok());
  EXPECT_FALSE(CheckMp3(std::string(5000, 'A')).ok());
  std::string bad = Frames(2);
  bad[417 + 1] = 0x00;  // the second frame's sync is broken
  EXPECT_FALSE(CheckMp3(bad).ok());
  std::string reserved = Frames(2);
  reserved[2] = '\xF0';  // bitrate index 15 is invalid
  EXPECT_FALSE(CheckMp3(reserved).ok());
  std::string tag_only("ID3\x04\x00\x00\x00\x00\x00\x05xxxxx", 15);
  EXPECT_FALSE(CheckMp3(tag_only).ok());
}

}  // namespace
}  // namespace cratedig::crawler
