// Seeded randomness for the sample store: a hash for "decide from (seed,
// key)" and a small PRNG for sequences. Never std::random_device: the same
// seed must give byte-identical pages and mp3s on every run and thread count.
#pragma once

#include <cstdint>
#include <string_view>

namespace cratedig::samplestore {

// SplitMix64 finaliser: a good 64-bit mix of `x`.
inline uint64_t Mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// FNV-1a of `s`, then mixed with `seed`. Stable across platforms.
inline uint64_t HashKey(uint64_t seed, std::string_view s, uint64_t n = 0) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
  return Mix64(Mix64(h ^ Mix64(seed)) + n);
}

// A uniform double in [0, 1) from a 64-bit value.
inline double ToUnit(uint64_t x) {
  return (x >> 11) * (1.0 / 9007199254740992.0);
}

// xoshiro256** seeded through SplitMix64.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (auto& s : s_) {
      seed += 0x9e3779b97f4a7c15ULL;
      s = Mix64(seed);
    }
  }
  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  double Uniform() { return ToUnit(Next()); }  // [0, 1)
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // An integer in [lo, hi] inclusive. REQUIRES: lo <= hi.
  int Int(int lo, int hi) {
    return lo + static_cast<int>(Next() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool Chance(double p) { return Uniform() < p; }
  // Roughly normal (sum of uniforms), mean 0, sd 1.
  double Gauss() {
    double s = 0;
    for (int i = 0; i < 4; ++i) s += Uniform();
    return (s - 2.0) * 1.7320508075688772;
  }
  template <typename C>
  const auto& Pick(const C& c) {
    return c[Next() % c.size()];
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace cratedig::samplestore
