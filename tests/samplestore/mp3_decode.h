// Test helper: decodes mp3 bytes in memory with FFmpeg's libraries.
#pragma once

#include <string>

namespace cratedig::samplestore::testing_util {

struct Decoded {
  bool ok = false;
  std::string error;
  int sample_rate = 0;
  int channels = 0;
  long long frames = 0;  // samples per channel after decoding
  double peak = 0;       // max |sample|
};

Decoded DecodeMp3(const std::string& bytes);

}  // namespace cratedig::samplestore::testing_util
