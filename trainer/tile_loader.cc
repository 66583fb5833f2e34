#include "trainer/tile_loader.h"

#include <algorithm>
#include <numeric>
#include <opencv2/imgcodecs.hpp>
#include <random>

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
    : items_(items), opt_(options) {
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
  while (next < order.size()) {
    Batch b;
    b.height = opt_.height;
    b.width = opt_.width;
    b.pixels.resize(pixels * opt_.batch_size);
    std::vector<size_t> bad;
    while (b.n < opt_.batch_size && next < order.size()) {
      const size_t idx = order[next++];
      cv::Mat img = cv::imread(items_[idx].path, cv::IMREAD_GRAYSCALE);
      if (img.empty() || img.rows != opt_.height || img.cols != opt_.width ||
          img.type() != CV_8UC1) {
        bad.push_back(idx);
        continue;
      }
      float* dst = b.pixels.data() + pixels * b.n;
      for (int r = 0; r < img.rows; ++r) {
        const uint8_t* src = img.ptr<uint8_t>(r);
        for (int c = 0; c < img.cols; ++c) *dst++ = src[c] * (1.0f / 255.0f);
      }
      b.labels.push_back(items_[idx].label);
      b.items.push_back(idx);
      ++b.n;
    }
    b.pixels.resize(pixels * b.n);
    std::unique_lock<std::mutex> lock(mu_);
    corrupt_.insert(corrupt_.end(), bad.begin(), bad.end());
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

}  // namespace cratedig::trainer
