// Per-frequency statistics of the training tiles, for the networks' input
// normalisation (TrainSettings::normalize = "per_frequency").
#pragma once

#include <vector>

#include "core/status.h"
#include "trainer/tile_loader.h"

namespace cratedig::trainer {

struct RowStats {
  std::vector<float> mean;  // per row (frequency bin), of pixels / 255
  // 1 / standard deviation, the deviation floored at 0.05 (~13 grey
  // levels): a row that is nearly constant in training (silence, the
  // band above a lowpass) must not turn small differences into huge
  // inputs.
  std::vector<float> scale;
};

// Reads every item once, in order, with `options` (no shuffle, no
// transform), and returns each row's mean and inverse standard deviation
// over all tiles and columns. InvalidArgument when no tile decodes.
Result<RowStats> MeasureRowStats(const std::vector<TileItem>& items,
                                 LoaderOptions options);

}  // namespace cratedig::trainer
