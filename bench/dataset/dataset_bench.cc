// Micro-benchmarks of the dataset stages that do not need a file: the STFT
// of a 2-minute preview and PNG encoding of its tiles. The per-track
// comparison with ffmpeg and sox is run_bench.py.
#include <benchmark/benchmark.h>

#include <cmath>
#include <opencv2/imgcodecs.hpp>
#include <vector>

#include "config/dataset_settings.h"
#include "dataset/audio_tiles.h"
#include "dataset/spectrogram.h"

namespace {

using cratedig::config::DatasetSettings;

std::vector<float> Preview(double seconds, int rate) {
  std::vector<float> x(static_cast<size_t>(seconds * rate));
  uint32_t r = 12345;
  for (size_t i = 0; i < x.size(); ++i) {
    r = r * 1664525u + 1013904223u;
    x[i] = static_cast<float>(0.3 * std::sin(2 * M_PI * 440.0 * i / rate) +
                              0.1 * ((r >> 8) / 16777216.0 - 0.5));
  }
  return x;
}

void BM_Spectrogram120s(benchmark::State& state) {
  DatasetSettings s;
  s.fft_size = static_cast<int>(state.range(0));
  const std::vector<float> x = Preview(120.0, s.sample_rate);
  for (auto _ : state) {
    cv::Mat img = cratedig::dataset::ComputeSpectrogram(x, s);
    benchmark::DoNotOptimize(img.data);
  }
  state.SetLabel("fft " + std::to_string(s.fft_size));
}
BENCHMARK(BM_Spectrogram120s)
    ->Arg(512)
    ->Arg(1024)
    ->Unit(benchmark::kMillisecond);

void BM_Spectrogram120sMel(benchmark::State& state) {
  DatasetSettings s;
  s.frequency_scale = "mel";
  s.fft_size = 2048;
  const std::vector<float> x = Preview(120.0, s.sample_rate);
  for (auto _ : state) {
    cv::Mat img = cratedig::dataset::ComputeSpectrogram(x, s);
    benchmark::DoNotOptimize(img.data);
  }
}
BENCHMARK(BM_Spectrogram120sMel)->Unit(benchmark::kMillisecond);

// Encodes the 23 tiles of a 2-minute preview at a zlib level.
void BM_PngTiles(benchmark::State& state) {
  DatasetSettings s;
  const cv::Mat spec =
      cratedig::dataset::ComputeSpectrogram(Preview(120.0, s.sample_rate), s);
  const auto tiles = cratedig::dataset::CutTiles(spec, s);
  const std::vector<int> params = {
      cv::IMWRITE_PNG_COMPRESSION, static_cast<int>(state.range(0)),
      cv::IMWRITE_PNG_STRATEGY, static_cast<int>(state.range(1))};
  std::vector<uchar> buf;
  size_t bytes = 0;
  for (auto _ : state) {
    bytes = 0;
    for (const cv::Mat& t : tiles) {
      cv::imencode(".png", t, buf, params);
      bytes += buf.size();
    }
  }
  state.counters["KiB/track"] = static_cast<double>(bytes) / 1024.0;
}
// Args: zlib level, strategy (0 default, 1 filtered, 2 Huffman only, 3 RLE).
BENCHMARK(BM_PngTiles)
    ->Args({0, 0})
    ->Args({1, 0})
    ->Args({1, 1})
    ->Args({1, 2})
    ->Args({1, 3})
    ->Args({6, 0})
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
