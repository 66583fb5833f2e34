// Test audio made by hand: 16-bit PCM WAV files (FFmpeg reads them like any
// preview) and signal generators. Everything lives under a temp folder.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace cratedig::dataset::testing {

inline constexpr int kRate = 44100;

// A fresh folder under the system temp dir, removed at the end.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> n{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("cratedig_dataset_test_" + std::to_string(::getpid()) + "_" +
            std::to_string(n++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  ~TempDir() { std::filesystem::remove_all(dir_); }
  const std::filesystem::path& path() const { return dir_; }
  std::string operator/(const std::string& name) const {
    return (dir_ / name).string();
  }

 private:
  std::filesystem::path dir_;
};

inline void PutLe(std::string& s, uint32_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) s += static_cast<char>((v >> (8 * i)) & 255);
}

// Writes interleaved samples in [-1, 1] as a 16-bit PCM RIFF/WAVE file.
inline void WriteWav(const std::string& path, const std::vector<float>& x,
                     int channels = 1, int rate = kRate) {
  const uint32_t data_bytes = static_cast<uint32_t>(x.size() * 2);
  std::string s = "RIFF";
  PutLe(s, 36 + data_bytes, 4);
  s += "WAVEfmt ";
  PutLe(s, 16, 4);
  PutLe(s, 1, 2);  // PCM
  PutLe(s, static_cast<uint32_t>(channels), 2);
  PutLe(s, static_cast<uint32_t>(rate), 4);
  PutLe(s, static_cast<uint32_t>(rate * channels * 2), 4);
  PutLe(s, static_cast<uint32_t>(channels * 2), 2);
  PutLe(s, 16, 2);
  s += "data";
  PutLe(s, data_bytes, 4);
  for (float v : x) {
    const int q =
        static_cast<int>(std::lround(std::clamp(v, -1.0f, 1.0f) * 32767.0f));
    PutLe(s, static_cast<uint32_t>(static_cast<uint16_t>(q)), 2);
  }
  std::ofstream(path, std::ios::binary) << s;
}

inline std::vector<float> Tone(double hz, double seconds, double amp = 0.5,
                               int rate = kRate) {
  std::vector<float> x(static_cast<size_t>(seconds * rate));
  for (size_t i = 0; i < x.size(); ++i) {
    x[i] = static_cast<float>(amp * std::sin(2 * M_PI * hz * i / rate));
  }
  return x;
}

// Linear sweep: instantaneous frequency f0 + (f1 - f0) * t / seconds.
inline std::vector<float> Sweep(double f0, double f1, double seconds,
                                double amp = 0.5, int rate = kRate) {
  std::vector<float> x(static_cast<size_t>(seconds * rate));
  const double k = (f1 - f0) / seconds;
  for (size_t i = 0; i < x.size(); ++i) {
    const double t = static_cast<double>(i) / rate;
    x[i] = static_cast<float>(amp *
                              std::sin(2 * M_PI * (f0 * t + 0.5 * k * t * t)));
  }
  return x;
}

// A quick deterministic "music-like" signal: a few tones plus noise.
inline std::vector<float> Noisy(double seconds, uint32_t seed) {
  std::vector<float> x = Tone(220.0 * (1 + seed % 5), seconds, 0.3);
  uint32_t r = seed * 2654435761u + 1;
  for (float& v : x) {
    r = r * 1664525u + 1013904223u;
    v += 0.1f * (static_cast<float>(r >> 8) / 16777216.0f - 0.5f);
  }
  return x;
}

}  // namespace cratedig::dataset::testing
