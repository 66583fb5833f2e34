// Training-time augmentation of a batch of spectrogram tiles, torch-free
// so the loader thread can apply it while the model computes.
//
// Every draw comes from a generator seeded with (seed, epoch, batch), so a
// run (and a resumed run) sees the same augmented batches whatever the
// timing of the threads.
#pragma once

#include <cstdint>
#include <vector>

#include "config/train_settings.h"
#include "trainer/tile_loader.h"

namespace cratedig::trainer {

struct AugmentOptions {
  int shift_columns = 0;  // circular time shift of up to this many columns
  int time_masks = 0;     // stripes of up to mask_columns columns
  int mask_columns = 0;
  int freq_masks = 0;  // stripes of up to mask_rows rows
  int mask_rows = 0;
  double mixup_alpha = 0;  // 0: no mixup

  static AugmentOptions From(const config::TrainSettings& s);
  bool any() const {
    return shift_columns > 0 || time_masks > 0 || freq_masks > 0 ||
           mixup_alpha > 0;
  }
};

// Augments b's pixels in place; with mixup, also sets b.mix_lambda and
// b.mix_partner (labels are untouched: the loss mixes them).
void AugmentBatch(const AugmentOptions& o, uint64_t seed, Batch& b);

// The generator seed of batch `batch` of epoch `epoch` of a run seeded
// `seed` (a fixed mixing; see the header comment).
uint64_t BatchSeed(uint64_t seed, int epoch, int64_t batch);

}  // namespace cratedig::trainer
