// Elapsed wall time for stage timings and reports (the steady clock, so a
// clock change does not distort them).
#pragma once

#include <chrono>

namespace cratedig {

// Seconds since `t0`, a std::chrono::steady_clock::now() taken earlier.
inline double SecondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
      .count();
}

}  // namespace cratedig
