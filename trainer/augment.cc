#include "trainer/augment.h"

#include <algorithm>
#include <random>

namespace cratedig::trainer {

AugmentOptions AugmentOptions::From(const config::TrainSettings& s) {
  AugmentOptions o;
  o.shift_columns = s.shift_columns;
  o.time_masks = s.time_masks;
  o.mask_columns = s.mask_columns;
  o.freq_masks = s.freq_masks;
  o.mask_rows = s.mask_rows;
  o.mixup_alpha = s.mixup_alpha;
  return o;
}

uint64_t BatchSeed(uint64_t seed, int epoch, int64_t batch) {
  // splitmix64 over the three numbers: nearby (epoch, batch) pairs get
  // unrelated streams.
  auto mix = [](uint64_t z) {
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  return mix(mix(mix(seed) ^ static_cast<uint64_t>(epoch)) ^
             static_cast<uint64_t>(batch));
}

namespace {

// A uniform integer in [0, n) from our own arithmetic: the standard
// distributions' algorithms are implementation-defined.
int Below(std::mt19937_64& rng, int n) {
  return n <= 1 ? 0 : static_cast<int>(rng() % static_cast<uint64_t>(n));
}

}  // namespace

void AugmentBatch(const AugmentOptions& o, uint64_t seed, Batch& b) {
  std::mt19937_64 rng(seed);
  const int h = b.height, w = b.width;
  const size_t px = static_cast<size_t>(h) * w;
  std::vector<float> row(w);
  for (int i = 0; i < b.n; ++i) {
    float* t = b.pixels.data() + px * i;
    if (o.shift_columns > 0) {
      // Circular: the tile keeps all its content, only the phase of the
      // bars against the tile's edges moves.
      const int s = Below(rng, 2 * std::min(o.shift_columns, w - 1) + 1) -
                    std::min(o.shift_columns, w - 1);
      if (s != 0) {
        const int k = ((s % w) + w) % w;
        for (int r = 0; r < h; ++r) {
          float* p = t + static_cast<size_t>(r) * w;
          std::rotate(p, p + (w - k), p + w);
        }
      }
    }
    if (o.time_masks > 0 || o.freq_masks > 0) {
      double sum = 0;
      for (size_t k = 0; k < px; ++k) sum += t[k];
      const float mean = static_cast<float>(sum / px);
      for (int m = 0; m < o.time_masks; ++m) {
        const int len = Below(rng, std::min(o.mask_columns, w) + 1);
        const int c0 = Below(rng, w - len + 1);
        for (int r = 0; r < h; ++r) {
          std::fill_n(t + static_cast<size_t>(r) * w + c0, len, mean);
        }
      }
      for (int m = 0; m < o.freq_masks; ++m) {
        const int len = Below(rng, std::min(o.mask_rows, h) + 1);
        const int r0 = Below(rng, h - len + 1);
        std::fill_n(t + static_cast<size_t>(r0) * w,
                    static_cast<size_t>(len) * w, mean);
      }
    }
  }
  b.mix_partner.clear();
  b.mix_lambda = 1;
  if (o.mixup_alpha > 0 && b.n > 1) {
    std::gamma_distribution<double> g(o.mixup_alpha, 1.0);
    const double x = g(rng), y = g(rng);
    double lam = x + y > 0 ? x / (x + y) : 0.5;
    lam = std::max(lam, 1 - lam);  // the tile's own label stays the larger
    b.mix_lambda = static_cast<float>(lam);
    b.mix_partner.resize(b.n);
    for (int i = 0; i < b.n; ++i) b.mix_partner[i] = i;
    for (int i = b.n; i > 1; --i) {
      std::swap(b.mix_partner[i - 1], b.mix_partner[Below(rng, i)]);
    }
    const std::vector<float> orig = b.pixels;
    const float a = b.mix_lambda, c = 1 - b.mix_lambda;
    for (int i = 0; i < b.n; ++i) {
      float* dst = b.pixels.data() + px * i;
      const float* other = orig.data() + px * b.mix_partner[i];
      for (size_t k = 0; k < px; ++k) dst[k] = a * dst[k] + c * other[k];
    }
  }
}

}  // namespace cratedig::trainer
