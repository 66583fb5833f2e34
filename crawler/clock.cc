#include "crawler/clock.h"

#include <chrono>

namespace cratedig::crawler {

double SystemClock::Now() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double SystemClock::WallNow() {
  return std::chrono::duration<double>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

SystemClock& SystemClock::Get() {
  static SystemClock clock;
  return clock;
}

Jitter::Jitter(uint64_t seed)
    : rng_(seed != 0 ? seed
                     : (static_cast<uint64_t>(std::random_device{}()) << 32) ^
                           std::random_device{}()) {}

double Jitter::Uniform(double lo, double hi) {
  if (hi <= lo) return lo;
  return std::uniform_real_distribution<double>(lo, hi)(rng_);
}

}  // namespace cratedig::crawler
