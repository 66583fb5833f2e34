// Progress reporting: library code calls a ProgressFn; only the CLI prints.
#pragma once

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
struct CancelFlag {
  volatile bool requested = false;  // written from a signal handler
  bool stop() const { return requested; }
};

}  // namespace cratedig
