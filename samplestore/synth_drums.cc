#include "samplestore/synth_drums.h"

#include <algorithm>
#include <cmath>

namespace cratedig::samplestore::synth {

void Kick(Mix& m, int s0, const KickP& p, float vel) {
  const int len = std::min(m.n - s0, static_cast<int>(p.decay * 5 * kSr));
  double ph = 0, fenv = 1, env = vel * p.gain;
  const double fd = std::exp(-1.0 / (p.sweep * kSr));
  const double ed = std::exp(-1.0 / (p.decay * kSr));
  for (int i = 0; i < len; ++i) {
    const double f = p.f1 + (p.f0 - p.f1) * fenv;
    Advance(ph, f / kSr);
    float x = Sin(ph) * static_cast<float>(env);
    if (i < 64) x += static_cast<float>(p.click * vel * (1 - i / 64.0));
    m.Put(s0 + i, x, 0.707f, 0.707f, 0);
    fenv *= fd;
    env *= ed;
  }
}

void NoiseHit(Mix& m, int s0, const NoiseHitP& p, float vel, Noise& nz) {
  const int len = std::min(m.n - s0, static_cast<int>(p.decay * 5 * kSr));
  if (len <= 0) return;
  Svf f;
  f.Set(p.fc, p.q);
  const Pan pan(p.pan);
  double env = vel * p.gain, ph = 0;
  const double ed = std::exp(-1.0 / (p.decay * kSr));
  const int burst = static_cast<int>(0.011 * kSr);
  for (int i = 0; i < len; ++i) {
    f.Run(nz.Next());
    float x = p.mode == 0 ? f.low : p.mode == 1 ? f.band * 2 : f.high;
    double e = env;
    if (p.attack_bursts > 0 && i < 3 * burst) {
      e = vel * p.gain * (1.0 - (i % burst) / static_cast<double>(burst));
    }
    x *= static_cast<float>(e);
    if (p.tone_amt > 0) {
      Advance(ph, p.tone_hz / kSr);
      x += Sin(ph) * static_cast<float>(env * p.tone_amt);
    }
    m.Put(s0 + i, x, pan.l, pan.r, static_cast<float>(p.send));
    env *= ed;
  }
}

void Tone(Mix& m, int s0, double f0, double f1, double decay, double gain,
          double pan, double send) {
  const int len = std::min(m.n - s0, static_cast<int>(decay * 6 * kSr));
  const Pan pp(pan);
  double ph = 0, env = gain, fenv = 1;
  const double ed = std::exp(-1.0 / (decay * kSr));
  const double fd = std::exp(-1.0 / (0.02 * kSr));
  for (int i = 0; i < len; ++i) {
    Advance(ph, (f1 + (f0 - f1) * fenv) / kSr);
    m.Put(s0 + i, Sin(ph) * static_cast<float>(env), pp.l, pp.r,
          static_cast<float>(send));
    env *= ed;
    fenv *= fd;
  }
}

}  // namespace cratedig::samplestore::synth
