// Progress reporting: library code calls a ProgressFn; only the CLI prints.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace cratedig {

struct Progress {
  std::string stage;   // "crawl", "download", "dataset", "train", ...
  int64_t done = 0;    // units finished so far
  int64_t total = 0;   // 0 when unknown
  std::string unit;    // "pages", "tracks", "tiles"
  std::string detail;  // free text: "loss 0.83 acc 0.61 412 tiles/s"
  // Seconds left as the stage itself reckons them (a polite crawl knows its
  // pace in advance); < 0: unknown, the bar extrapolates from done/s.
  double eta_s = -1;
};

// May be empty; callers must check before calling (use Report()).
using ProgressFn = std::function<void(const Progress&)>;

inline void Report(const ProgressFn& fn, const Progress& p) {
  if (fn) fn(p);
}

// A cooperative stop request (SIGINT). Long-running library calls poll it
// between units of work and return Status::Cancelled when it is set.
// `requested` is written from a signal handler (or any thread) and read by
// worker threads: a lock-free atomic is both async-signal-safe and free of
// data races (a volatile bool is neither ordered nor atomic across threads).
struct CancelFlag {
  static_assert(std::atomic<bool>::is_always_lock_free,
                "a signal handler may only store to a lock-free atomic");
  std::atomic<bool> requested{false};
  bool stop() const { return requested.load(std::memory_order_relaxed); }
};

}  // namespace cratedig
