// Clock: the time source of the politeness layer, injectable so tests can
// check spacing, backoff and Retry-After without sleeping.
#pragma once

#include <cstdint>
#include <random>

namespace cratedig::crawler {

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic seconds (arbitrary origin): all scheduling uses this.
  virtual double Now() = 0;
  // Seconds since the Unix epoch: only to turn an HTTP-date into a delay.
  virtual double WallNow() = 0;
};

// steady_clock and system_clock.
class SystemClock : public Clock {
 public:
  double Now() override;
  double WallNow() override;
  static SystemClock& Get();
};

// A clock that only moves when told to. WallNow() = wall_origin + Now().
class FakeClock : public Clock {
 public:
  explicit FakeClock(double wall_origin = 1.7e9) : wall_origin_(wall_origin) {}
  double Now() override { return now_; }
  double WallNow() override { return wall_origin_ + now_; }
  void Advance(double seconds) { now_ += seconds; }
  void Set(double now) { now_ = now; }

 private:
  double now_ = 0;
  double wall_origin_;
};

// The source of jitter. Seeded, so a test (or a rerun) sees the same
// sequence. Default seed 0 means "from std::random_device".
class Jitter {
 public:
  explicit Jitter(uint64_t seed = 0);
  // Uniform in [lo, hi).
  double Uniform(double lo, double hi);

 private:
  std::mt19937_64 rng_;
};

}  // namespace cratedig::crawler
