#include "dataset/track_pool.h"

#include <utility>

namespace cratedig::dataset {

TrackPool::TrackPool(const std::vector<BuildJob>& jobs, int threads,
                     Process process, const CancelFlag* cancel)
    : jobs_(jobs), process_(std::move(process)), cancel_(cancel) {
  if (jobs_.empty()) return;
  worker_seconds_.resize(static_cast<size_t>(threads));
  running_ = threads;
  threads_.reserve(static_cast<size_t>(threads));
  for (int w = 0; w < threads; ++w)
    threads_.emplace_back([this, w] { Work(w); });
}

TrackPool::~TrackPool() {
  Stop();
  Join();
}

void TrackPool::Work(int w) {
  for (;;) {
    if (stop_.load() || (cancel_ && cancel_->stop())) break;
    const size_t i = next_.fetch_add(1);
    if (i >= jobs_.size()) break;
    FinishedTrack d{&jobs_[i], process_(jobs_[i])};
    worker_seconds_[static_cast<size_t>(w)] += d.out.seconds;
    std::lock_guard<std::mutex> lock(mu_);
    finished_.push_back(std::move(d));
    cv_.notify_one();
  }
  std::lock_guard<std::mutex> lock(mu_);
  --running_;
  cv_.notify_one();
}

bool TrackPool::Next(std::deque<FinishedTrack>* batch) {
  batch->clear();
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return !finished_.empty() || running_ == 0; });
  if (finished_.empty() && running_ == 0) return false;
  batch->swap(finished_);
  return true;
}

StageSeconds TrackPool::Join() {
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  StageSeconds sum;
  for (const StageSeconds& ws : worker_seconds_) sum += ws;
  return sum;
}

}  // namespace cratedig::dataset
