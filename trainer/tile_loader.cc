#include "trainer/tile_loader.h"

#include <algorithm>
#include <numeric>
#include <random>
#include <utility>

#include "core/gray_png.h"
#include "trainer/tile_cache.h"

namespace cratedig::trainer {

std::vector<size_t> TileLoader::Order(size_t n, bool shuffle, uint64_t seed) {
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  if (shuffle) {
    // Fisher-Yates with our own index draw: std::shuffle's use of the engine
    // is implementation-defined, and a resumed run must see the same order.
    std::mt19937_64 rng(seed);
    for (size_t i = n; i > 1; --i) {
      size_t j = static_cast<size_t>(rng() % i);
      std::swap(order[i - 1], order[j]);
    }
  }
  return order;
}

TileLoader::TileLoader(const std::vector<TileItem>& items,
                       LoaderOptions options)
    : items_(items), opt_(std::move(options)) {
  thread_ = std::thread([this] { Run(); });
}

TileLoader::~TileLoader() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  space_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void TileLoader::Run() {
  const std::vector<size_t> order =
      Order(items_.size(), opt_.shuffle, opt_.seed);
  const size_t pixels = static_cast<size_t>(opt_.height) * opt_.width;
  size_t next = 0;
  int64_t batch_no = 0;
  while (next < order.size()) {
    Batch b;
    b.height = opt_.height;
    b.width = opt_.width;
    b.pixels.resize(pixels * opt_.batch_size);
    std::vector<size_t> bad;
    std::string first_bad;
    while (b.n < opt_.batch_size && next < order.size()) {
      const size_t idx = order[next++];
      float* dst = b.pixels.data() + pixels * b.n;
      if (opt_.cache != nullptr) {
        const uint8_t* src = opt_.cache->Pixels(items_[idx].tile_id);
        if (src == nullptr) {
          if (first_bad.empty()) {
            first_bad =
                items_[idx].path + ": not in the tile cache (did not decode)";
          }
          bad.push_back(idx);
          continue;
        }
        for (size_t k = 0; k < pixels; ++k) dst[k] = src[k] * (1.0f / 255.0f);
      } else {
        auto img = ReadGrayPng(items_[idx].path);
        if (img.ok() &&
            (img->height != opt_.height || img->width != opt_.width)) {
          img = Status::Corrupt(
              items_[idx].path + ": " + std::to_string(img->width) + "x" +
              std::to_string(img->height) + " pixels, not " +
              std::to_string(opt_.width) + "x" + std::to_string(opt_.height));
        }
        if (!img.ok()) {
          if (first_bad.empty()) first_bad = img.status().message();
          bad.push_back(idx);
          continue;
        }
        for (uint8_t v : img->pixels) *dst++ = v * (1.0f / 255.0f);
      }
      b.labels.push_back(items_[idx].label);
      b.items.push_back(idx);
      ++b.n;
    }
    b.pixels.resize(pixels * b.n);
    if (b.n > 0 && opt_.transform) opt_.transform(b, batch_no++);
    std::unique_lock<std::mutex> lock(mu_);
    corrupt_.insert(corrupt_.end(), bad.begin(), bad.end());
    if (first_corrupt_reason_.empty()) first_corrupt_reason_ = first_bad;
    if (b.n > 0) {
      space_.wait(lock, [&] {
        return stop_ || static_cast<int>(queue_.size()) < opt_.prefetch;
      });
      if (stop_) break;
      queue_.push_back(std::move(b));
      ready_.notify_one();
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  done_ = true;
  ready_.notify_all();
}

std::optional<Batch> TileLoader::Next() {
  std::unique_lock<std::mutex> lock(mu_);
  ready_.wait(lock, [&] { return !queue_.empty() || done_; });
  if (queue_.empty()) return std::nullopt;
  Batch b = std::move(queue_.front());
  queue_.pop_front();
  space_.notify_one();
  return b;
}

int64_t TileLoader::corrupt() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int64_t>(corrupt_.size());
}

std::vector<size_t> TileLoader::corrupt_items() const {
  std::lock_guard<std::mutex> lock(mu_);
  return corrupt_;
}

std::string TileLoader::first_corrupt_reason() const {
  std::lock_guard<std::mutex> lock(mu_);
  return first_corrupt_reason_;
}

}  // namespace cratedig::trainer
