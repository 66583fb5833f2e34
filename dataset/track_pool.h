// The work stage of BuildDataset (builder.h): a pool of threads that run
// one function (ProcessTrack) over the planned jobs in order and hand each
// finished track back to the calling thread, which alone writes to the
// database.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "core/progress.h"
#include "dataset/build_plan.h"
#include "dataset/track_processor.h"

namespace cratedig::dataset {

struct FinishedTrack {
  const BuildJob* job = nullptr;
  TrackOutput out;
};

class TrackPool {
 public:
  using Process = std::function<TrackOutput(const BuildJob&)>;

  // Starts `threads` workers (none when `jobs` is empty). A worker takes no
  // new job once Stop() was called or `cancel` (may be null) is set.
  // `jobs` and `cancel` must outlive the pool.
  TrackPool(const std::vector<BuildJob>& jobs, int threads, Process process,
            const CancelFlag* cancel);
  ~TrackPool();  // stops and joins
  TrackPool(const TrackPool&) = delete;
  TrackPool& operator=(const TrackPool&) = delete;

  // Waits until tracks have finished and moves them into *batch (replacing
  // its contents). Returns false, with *batch empty, once every worker has
  // exited and all finished tracks were handed out.
  bool Next(std::deque<FinishedTrack>* batch);

  // Workers take no new job (the ones in flight still finish).
  void Stop() { stop_.store(true); }

  // Joins the workers; returns their stage seconds, summed.
  StageSeconds Join();

 private:
  void Work(int w);

  const std::vector<BuildJob>& jobs_;
  Process process_;
  const CancelFlag* cancel_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<FinishedTrack> finished_;  // guarded by mu_
  int running_ = 0;                     // guarded by mu_
  std::atomic<size_t> next_{0};
  std::atomic<bool> stop_{false};
  std::vector<StageSeconds> worker_seconds_;  // one per worker, its own
  std::vector<std::thread> threads_;
};

}  // namespace cratedig::dataset
