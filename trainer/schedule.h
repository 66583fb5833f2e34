// Learning-rate schedules, as a factor of the configured learning rate at
// each optimizer step (torch-free, so it is testable on its own).
#pragma once

#include <cstdint>
#include <string>

namespace cratedig::trainer {

// The factor for step `step` (0-based) of `total` steps, under schedule
// "constant" (always 1), "cosine" (linear warm-up from 0 over the first 5%,
// then 0.5 * (1 + cos(pi * t)) down to 0) or "onecycle" (cosine up from
// 1/25 to 1 over the first 30%, cosine down to 1/1e4 after). Steps past
// `total` get the last step's factor. REQUIRES: a known schedule name
// (TrainSettings::Validate checks it).
double LearningRateFactor(const std::string& schedule, int64_t step,
                          int64_t total);

}  // namespace cratedig::trainer
