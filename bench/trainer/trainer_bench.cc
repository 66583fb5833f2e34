// Throughput of the `seed` network in one of cratedig's backends, in
// tiles/s: training and embedding, end to end (PNG tiles decoded by the
// loader thread) and model only (one batch already in memory), plus the
// loader alone. The backends are driven through trainer/backend.h, exactly
// as `cratedig train` / `embed` drive them. "tiny-dnn-stock" is the same
// network from tiny-dnn's own layers (convolution, ELU, max-pool), trained
// the same way (RMSprop, a fit() per batch), for comparison.
// bench/trainer/run.sh runs each backend and the same network in PyTorch's
// Python API (seed_pytorch.py) on the same tiles and prints them side by
// side.
//
//   trainer_bench --dir DIR [--tiles 1024] [--threads 2] [--batch 128]
//                 [--backend libtorch|tiny-dnn|tiny-dnn-stock] [--model-only 0]
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
#include "core/stopwatch.h"
#include "trainer/backend.h"
#include "trainer/runtime.h"
#include "trainer/tile_cache.h"
#include "trainer/tile_loader.h"
#include "trainer/tinydnn/seed_net.h"

namespace fs = std::filesystem;
using namespace cratedig;
using namespace cratedig::trainer;
using Clock = std::chrono::steady_clock;

namespace {

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

// tiny-dnn's own layers behind the same interface (train and embed only).
class StockTinyDnn : public Net {
 public:
  explicit StockTinyDnn(const NetSpec& spec) : spec_(spec) {
    tiny_dnn::set_random_seed(1);
    Status st = tdnn::BuildSeedNet(net_, spec.classes, spec.height, spec.width,
                                   /*fast=*/false);
    if (!st.ok()) throw std::runtime_error(st.ToString());
    net_.init_weight();
    opt_.alpha = 1e-3f;
    opt_.mu = 0.9f;
  }
  const NetSpec& spec() const override { return spec_; }
  Status SetLearningRate(double lr) override {
    opt_.alpha = static_cast<float>(lr);
    return Status::Ok();
  }
  Status SetInputNorm(const std::vector<float>&,
                      const std::vector<float>&) override {
    return Status::InvalidArgument("not in the stock tiny-dnn peer");
  }
  Result<StepStats> TrainStep(const BatchView& b) override {
    std::vector<tiny_dnn::tensor_t> in = Images(b), t(b.n);
    for (int i = 0; i < b.n; ++i) {
      tiny_dnn::vec_t v(spec_.classes, 0.0f);
      v[b.labels[i]] = 1;
      t[i] = {v};
    }
    net_.fit<tiny_dnn::cross_entropy_multiclass>(opt_, in, t, b.n, 1);
    return StepStats{};
  }
  Status ForwardBatch(const BatchView& b, std::vector<float>*,
                      std::vector<float>* emb) override {
    net_.set_netphase(tiny_dnn::net_phase::test);
    net_.predict(Images(b));
    if (emb) {
      emb->clear();
      // Four conv + pool pairs, then the dense-128 layer. (A copy: a
      // range-for over output()[0] would outlive output()'s temporary.)
      const tiny_dnn::tensor_t out = net_[8]->output()[0];
      for (const auto& v : out) emb->insert(emb->end(), v.begin(), v.end());
    }
    return Status::Ok();
  }
  Status AfterEpoch(const std::function<std::optional<BatchView>()>&) override {
    return Status::Ok();
  }
  Status SaveCheckpoint(const std::string&, const LoopState&) override {
    return Status::Ok();
  }
  Status LoadCheckpoint(const std::string&, LoopState*) override {
    return Status::Ok();
  }

 private:
  std::vector<tiny_dnn::tensor_t> Images(const BatchView& b) const {
    std::vector<tiny_dnn::tensor_t> in(b.n);
    for (int i = 0; i < b.n; ++i) {
      in[i] = {tiny_dnn::vec_t(b.x + 65536 * i, b.x + 65536 * (i + 1))};
    }
    return in;
  }
  NetSpec spec_;
  tdnn::Network net_;
  tiny_dnn::RMSprop opt_;
};

}  // namespace

int main(int argc, char** argv) {
  std::string dir = "/tmp/cratedig_trainer_bench";
  std::string backend = "libtorch";
  int n = 1024, threads = 2, batch = 128;
  bool model_only = true;  // --model-only 0: end-to-end figures only
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--dir") dir = argv[i + 1];
    if (k == "--tiles") n = std::atoi(argv[i + 1]);
    if (k == "--threads") threads = std::atoi(argv[i + 1]);
    if (k == "--batch") batch = std::atoi(argv[i + 1]);
    if (k == "--backend") backend = argv[i + 1];
    if (k == "--model-only") model_only = std::atoi(argv[i + 1]) != 0;
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
    fmt::print("loader_only {:.1f}\n", got / SecondsSince(t));
  }

  // The decoded-tile cache (trainer/tile_cache.h): built once per dataset
  // version, then reused; the "_cached" figures read it instead of PNGs.
  std::unique_ptr<TileCache> cache;
  {
    const fs::path cpath = fs::path(dir) / "bench.tilecache";
    fs::remove(cpath);
    auto t = Clock::now();
    auto c = TileCache::Open(cpath, items, 256, 256, {}, nullptr);
    if (!c.ok()) {
      fmt::print(stderr, "{}\n", c.status().ToString());
      return 1;
    }
    fmt::print("cache_build {:.1f}\n", items.size() / SecondsSince(t));
    cache = std::move(*c);
  }
  LoaderOptions lc = lo;
  lc.cache = cache.get();
  {  // the loader alone, reading the cache
    auto t = Clock::now();
    TileLoader loader(items, lc);
    int64_t got = 0;
    while (auto b = loader.Next()) got += b->n;
    fmt::print("loader_only_cached {:.1f}\n", got / SecondsSince(t));
  }

  NetSpec spec;
  spec.backend = backend;
  spec.network = "seed";
  spec.classes = 9;
  spec.seed = 1;
  std::unique_ptr<Net> net;
  if (backend == "tiny-dnn-stock") {
    net = std::make_unique<StockTinyDnn>(spec);
  } else {
    auto made = CreateNet(spec);
    if (!made.ok()) {
      fmt::print(stderr, "{}\n", made.status().ToString());
      return 1;
    }
    net = std::move(*made);
  }
  auto step = [&](float* px, int64_t* labels, int bn) {
    auto r = net->TrainStep(BatchView{px, labels, bn});
    if (!r.ok()) {
      fmt::print(stderr, "{}\n", r.status().ToString());
      std::exit(1);
    }
  };
  std::vector<float> emb;
  auto embed = [&](float* px, int bn) {
    Status st = net->Forward(BatchView{px, nullptr, bn}, nullptr, &emb);
    if (!st.ok()) {
      fmt::print(stderr, "{}\n", st.ToString());
      std::exit(1);
    }
  };

  // A warm-up batch (primitive creation, first-touch pages).
  Batch first;
  {
    TileLoader loader(items, lo);
    first = *loader.Next();
    step(first.pixels.data(), first.labels.data(), first.n);
  }
  {  // train, end to end: the loader decodes PNGs ahead of the model
    auto t = Clock::now();
    TileLoader loader(items, lo);
    int64_t got = 0;
    while (auto b = loader.Next()) {
      step(b->pixels.data(), b->labels.data(), b->n);
      got += b->n;
    }
    fmt::print("train_end_to_end {:.1f}\n", got / SecondsSince(t));
  }
  {  // train, end to end, the loader reading the tile cache
    auto t = Clock::now();
    TileLoader loader(items, lc);
    int64_t got = 0;
    while (auto b = loader.Next()) {
      step(b->pixels.data(), b->labels.data(), b->n);
      got += b->n;
    }
    fmt::print("train_end_to_end_cached {:.1f}\n", got / SecondsSince(t));
  }
  const int steps = std::max(1, n / batch);
  if (model_only) {  // train, model only: one batch in memory, n tiles' worth
    auto t = Clock::now();
    for (int i = 0; i < steps; ++i) {
      step(first.pixels.data(), first.labels.data(), first.n);
    }
    fmt::print("train_model_only {:.1f}\n", steps * first.n / SecondsSince(t));
  }
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
    fmt::print("embed_end_to_end {:.1f}\n", got / SecondsSince(t));
  }
  if (model_only) {
    auto t = Clock::now();
    lc.shuffle = false;
    TileLoader loader(items, lc);
    int64_t got = 0;
    while (auto b = loader.Next()) {
      embed(b->pixels.data(), b->n);
      got += b->n;
    }
    fmt::print("embed_end_to_end_cached {:.1f}\n", got / SecondsSince(t));
  }
  {
    auto t = Clock::now();
    for (int i = 0; i < steps; ++i) embed(first.pixels.data(), first.n);
    fmt::print("embed_model_only {:.1f}\n", steps * first.n / SecondsSince(t));
  }
  return 0;
}
