// The synthesiser's building blocks: a sine table, oscillator shapes, white
// noise, a state-variable filter, equal-power panning and the mix bus every
// instrument writes into. Internal to samplestore/synth*; header-only so the
// per-sample calls inline.
//
// Everything here is part of the sample store's bit-exact contract (see
// tests/samplestore/synth_golden_test.cc): change no arithmetic.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

#include "samplestore/rng.h"
#include "samplestore/synth.h"

namespace cratedig::samplestore::synth {

inline constexpr double kSr = kSampleRate;
inline constexpr double kPi = 3.141592653589793;
inline constexpr int kTable = 8192;

// One sine period; phases are in cycles [0, 1).
inline std::array<float, kTable> MakeSineTable() {
  std::array<float, kTable> a{};
  for (int i = 0; i < kTable; ++i) {
    a[i] = static_cast<float>(std::sin(2 * kPi * i / kTable));
  }
  return a;
}
inline const std::array<float, kTable> kSine = MakeSineTable();

// Phases past 1 wrap through the mask, so Sin(ph * 2) is the octave.
inline float Sin(double ph) {
  return kSine[static_cast<int>(ph * kTable) & (kTable - 1)];
}
inline void Advance(double& ph, double inc) {
  ph += inc;
  if (ph >= 1.0) ph -= std::floor(ph);
}
inline float Saw(double ph) { return static_cast<float>(2.0 * ph - 1.0); }
inline float Square(double ph, double pw = 0.5) { return ph < pw ? 1.f : -1.f; }
inline float Tri(double ph) {
  return static_cast<float>(ph < 0.5 ? 4 * ph - 1 : 3 - 4 * ph);
}
inline float SoftClip(float x) {
  x = std::clamp(x, -3.f, 3.f);
  return x * (27 + x * x) / (27 + 9 * x * x);
}
inline double MidiHz(double m) { return 440.0 * std::pow(2.0, (m - 69) / 12); }

// xorshift32 noise in [-1, 1).
struct Noise {
  uint32_t s;
  explicit Noise(uint64_t seed) : s(static_cast<uint32_t>(Mix64(seed)) | 1u) {}
  float Next() {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    return static_cast<int32_t>(s) * (1.0f / 2147483648.0f);
  }
};

// State-variable filter (trapezoidal); Set() may be called per block.
struct Svf {
  float a1 = 0, a2 = 0, a3 = 0, k = 1, ic1 = 0, ic2 = 0;
  float low = 0, band = 0, high = 0;
  void Set(double fc, double q) {
    fc = std::clamp(fc, 20.0, kSr * 0.45);
    const double g = std::tan(kPi * fc / kSr);
    k = static_cast<float>(1.0 / q);
    a1 = static_cast<float>(1.0 / (1.0 + g * (g + k)));
    a2 = static_cast<float>(g * a1);
    a3 = static_cast<float>(g * a2);
  }
  void Run(float x) {
    const float v3 = x - ic2;
    const float v1 = a1 * ic1 + a2 * v3;
    const float v2 = ic2 + a2 * ic1 + a3 * v3;
    ic1 = 2 * v1 - ic1;
    ic2 = 2 * v2 - ic2;
    low = v2;
    band = v1;
    high = x - k * v1 - v2;
  }
};

struct Bus {
  std::vector<float> l, r;
};

// The mix being built: dry signal and an effects send.
struct Mix {
  int n = 0;
  Bus dry, send;
  void Put(int i, float x, float gl, float gr, float send_amt) {
    dry.l[i] += x * gl;
    dry.r[i] += x * gr;
    if (send_amt > 0) {
      send.l[i] += x * gl * send_amt;
      send.r[i] += x * gr * send_amt;
    }
  }
};

struct Pan {
  float l, r;
  explicit Pan(double p) {  // -1 left .. 1 right, equal power
    const double a = (std::clamp(p, -1.0, 1.0) + 1) * kPi / 4;
    l = static_cast<float>(std::cos(a));
    r = static_cast<float>(std::sin(a));
  }
};

}  // namespace cratedig::samplestore::synth
