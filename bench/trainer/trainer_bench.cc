// Throughput of the `seed` network in cratedig (libtorch), in tiles/s:
// training and embedding, end to end (PNG tiles decoded by the loader
// thread) and model only (tensors already in memory), plus the loader alone.
// bench/trainer/run.sh runs this and the same network in PyTorch's Python
// API (seed_pytorch.py) on the same tiles and prints them side by side.
//
//   trainer_bench --dir DIR [--tiles 1024] [--threads 2] [--batch 128]
// Writes DIR/tiles/*.png (if missing) and DIR/tiles.u8 (the decoded tiles,
// n x 256 x 256 bytes, for the Python side) and prints "name value" lines.
#include <fmt/format.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <random>

#include "core/files.h"
#include "trainer/networks.h"
#include "trainer/runtime.h"
#include "trainer/tile_loader.h"

namespace fs = std::filesystem;
using namespace cratedig;
using namespace cratedig::trainer;
using Clock = std::chrono::steady_clock;

namespace {

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::vector<TileItem> MakeTiles(const fs::path& dir, int n) {
  fs::create_directories(dir / "tiles");
  std::mt19937_64 rng(1);
  std::vector<TileItem> items;
  std::ofstream raw(dir / "tiles.u8", std::ios::binary);
  for (int i = 0; i < n; ++i) {
    TileItem t;
    t.tile_id = i;
    t.label = i % 9;
    t.path = (dir / "tiles" / fmt::format("{:05d}.png", i)).string();
    cv::Mat img;
    if (fs::exists(t.path)) img = cv::imread(t.path, cv::IMREAD_GRAYSCALE);
    if (img.empty()) {
      // Spectrogram-like: noise with a genre-dependent bright band.
      img = cv::Mat(256, 256, CV_8UC1);
      for (int r = 0; r < 256; ++r) {
        for (int c = 0; c < 256; ++c) {
          img.at<uint8_t>(r, c) = static_cast<uint8_t>(rng() % 90);
        }
      }
      const int top = 12 + t.label * 26;
      for (int r = top; r < top + 14; ++r) {
        for (int c = 0; c < 256; ++c) {
          img.at<uint8_t>(r, c) = static_cast<uint8_t>(150 + rng() % 100);
        }
      }
      cv::imwrite(t.path, img, {cv::IMWRITE_PNG_COMPRESSION, 1});
    }
    raw.write(reinterpret_cast<const char*>(img.data), 256 * 256);
    items.push_back(t);
  }
  return items;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = "/tmp/cratedig_trainer_bench";
  int n = 1024, threads = 2, batch = 128;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--dir") dir = argv[i + 1];
    if (k == "--tiles") n = std::atoi(argv[i + 1]);
    if (k == "--threads") threads = std::atoi(argv[i + 1]);
    if (k == "--batch") batch = std::atoi(argv[i + 1]);
  }
  threads = TuneRuntime(threads);
  const std::vector<TileItem> items = MakeTiles(dir, n);
  fmt::print("tiles {}\nthreads {}\nbatch {}\n", n, threads, batch);

  LoaderOptions lo;
  lo.batch_size = batch;
  lo.shuffle = true;
  lo.seed = 1;

  {  // the loader alone (one thread decoding PNGs)
    auto t = Clock::now();
    TileLoader loader(items, lo);
    int64_t got = 0;
    while (auto b = loader.Next()) got += b->n;
    fmt::print("loader_only {:.1f}\n", got / Since(t));
  }

  torch::manual_seed(1);
  auto net = *MakeNet("seed", 9, 256, 256);
  torch::optim::RMSprop opt(
      net->parameters(),
      torch::optim::RMSpropOptions(1e-3).alpha(0.9).eps(1e-7));
  auto step = [&](float* px, int64_t* labels, int bn) {
    torch::Tensor x = torch::from_blob(px, {bn, 1, 256, 256});
    torch::Tensor y = torch::from_blob(labels, {bn}, torch::kInt64);
    opt.zero_grad();
    auto [logits, emb] = net->Forward(x);
    torch::Tensor loss = torch::nn::functional::cross_entropy(logits, y);
    loss.backward();
    opt.step();
    return loss.item<double>();
  };

  // A warm-up batch (oneDNN primitive creation, first-touch pages).
  Batch first;
  {
    TileLoader loader(items, lo);
    first = *loader.Next();
    net->train();
    step(first.pixels.data(), first.labels.data(), first.n);
  }
  {  // train, end to end: the loader decodes PNGs ahead of the model
    net->train();
    auto t = Clock::now();
    TileLoader loader(items, lo);
    int64_t got = 0;
    while (auto b = loader.Next()) {
      step(b->pixels.data(), b->labels.data(), b->n);
      got += b->n;
    }
    fmt::print("train_end_to_end {:.1f}\n", got / Since(t));
  }
  {  // train, model only: one batch already in memory, n tiles' worth
    net->train();
    const int steps = std::max(1, n / batch);
    auto t = Clock::now();
    for (int i = 0; i < steps; ++i) {
      step(first.pixels.data(), first.labels.data(), first.n);
    }
    fmt::print("train_model_only {:.1f}\n", steps * first.n / Since(t));
  }
  net->eval();
  auto embed = [&](float* px, int bn) {
    torch::InferenceMode guard;
    auto [logits, emb] = net->Forward(torch::from_blob(px, {bn, 1, 256, 256}));
    return emb.sum().item<double>();
  };
  embed(first.pixels.data(), first.n);  // warm-up
  {
    auto t = Clock::now();
    lo.shuffle = false;
    TileLoader loader(items, lo);
    int64_t got = 0;
    while (auto b = loader.Next()) {
      embed(b->pixels.data(), b->n);
      got += b->n;
    }
    fmt::print("embed_end_to_end {:.1f}\n", got / Since(t));
  }
  {
    const int steps = std::max(1, n / batch);
    auto t = Clock::now();
    for (int i = 0; i < steps; ++i) embed(first.pixels.data(), first.n);
    fmt::print("embed_model_only {:.1f}\n", steps * first.n / Since(t));
  }
  return 0;
}
