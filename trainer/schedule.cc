#include "trainer/schedule.h"

#include <algorithm>
#include <cmath>

namespace cratedig::trainer {

namespace {

// Cosine from a (t = 0) to b (t = 1).
double Cos(double a, double b, double t) {
  return b + (a - b) * 0.5 * (1 + std::cos(M_PI * std::clamp(t, 0.0, 1.0)));
}

}  // namespace

double LearningRateFactor(const std::string& schedule, int64_t step,
                          int64_t total) {
  if (schedule == "constant" || total <= 1) return 1.0;
  const double t = static_cast<double>(std::min(step, total - 1)) /
                   static_cast<double>(total - 1);
  if (schedule == "cosine") {
    constexpr double kWarm = 0.05;
    // Step 0 gets a small non-zero rate (a zero step would waste a batch).
    if (t < kWarm) return std::max(t, 0.5 / total) / kWarm;
    return Cos(1.0, 0.0, (t - kWarm) / (1 - kWarm));
  }
  // onecycle
  constexpr double kUp = 0.3;
  if (t < kUp) return Cos(1.0 / 25, 1.0, t / kUp);
  return Cos(1.0, 1e-4, (t - kUp) / (1 - kUp));
}

}  // namespace cratedig::trainer
