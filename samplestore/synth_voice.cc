#include "samplestore/synth_voice.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace cratedig::samplestore::synth {
namespace {

// One sample of the oscillator `wave` at phase `ph` (the saw shapes, kSaw,
// kReese and kSuper, differ only in their voices); `bell` is the keys'
// decaying second partial.
inline float Oscillate(Wave wave, double ph, float bell) {
  switch (wave) {
    case Wave::kSine:
      return Sin(ph);
    case Wave::kSquare:
      return Square(ph) * 0.6f;
    case Wave::kTri:
      return Tri(ph);
    case Wave::kKeys:
      return Sin(ph) + Sin(ph * 2) * 0.4f * bell + Sin(ph * 3) * 0.15f;
    case Wave::kOrgan:
      return Sin(ph) * 0.6f + Sin(ph * 2) * 0.4f + Sin(ph * 4) * 0.25f;
    default:
      return Saw(ph);
  }
}

}  // namespace

void Note(Mix& m, int s0, double dur, double hz, const NoteP& p, float vel,
          uint64_t salt) {
  const int held = static_cast<int>(dur * kSr);
  const int len = std::min(m.n - s0, held + static_cast<int>(p.release * kSr));
  if (len <= 0) return;
  const int nv = std::max(1, p.voices);
  std::array<double, 8> ph{}, inc{};
  std::array<Pan, 8> pans{Pan(0), Pan(0), Pan(0), Pan(0),
                          Pan(0), Pan(0), Pan(0), Pan(0)};
  for (int v = 0; v < nv && v < 8; ++v) {
    const double spread = nv == 1 ? 0 : (2.0 * v / (nv - 1) - 1);
    inc[v] = hz * std::pow(2.0, spread * p.detune / 12) / kSr;
    ph[v] = ToUnit(Mix64(salt + v));
    pans[v] = Pan(std::clamp(p.pan + spread * 0.6, -1.0, 1.0));
  }
  Svf fl, fr;
  double fenv = 1;
  const double fd = std::exp(-1.0 / (p.fc_decay * kSr));
  const double dd = std::exp(-1.0 / (p.decay * kSr));
  const double rd = std::exp(-1.0 / (std::max(0.005, p.release) * kSr / 3));
  const int attack = std::max(1, static_cast<int>(p.attack * kSr));
  double env_dec = 1, level = 0, vib_ph = 0;
  float bell = 1;
  const float bell_decay = static_cast<float>(std::exp(-6.0 / kSr));
  const float norm = 1.0f / std::sqrt(static_cast<float>(nv));
  for (int i = 0; i < len; ++i) {
    if ((i & 31) == 0) {
      const double fc = p.fc * (1 + p.fc_env * fenv);
      fl.Set(fc, p.q);
      fr.a1 = fl.a1;
      fr.a2 = fl.a2;
      fr.a3 = fl.a3;
      fr.k = fl.k;
    }
    if (i < attack) {
      level = static_cast<double>(i) / attack;
    } else if (i < held) {
      level = p.sustain + (1 - p.sustain) * env_dec;
      env_dec *= dd;
    } else {
      level *= rd;
    }
    double vib = 1;
    if (p.vibrato > 0) {
      Advance(vib_ph, 5.0 / kSr);
      vib = 1 + Sin(vib_ph) * p.vibrato * 0.0578;
    }
    float sl = 0, sr = 0;
    for (int v = 0; v < nv && v < 8; ++v) {
      const float x = Oscillate(p.wave, ph[v], bell);
      Advance(ph[v], inc[v] * vib);
      if (nv == 1) {
        sl = x;
      } else {
        sl += x * pans[v].l;
        sr += x * pans[v].r;
      }
    }
    bell *= bell_decay;
    float yl, yr;
    if (nv == 1) {  // one voice: filter once, pan after
      fl.Run(sl * norm);
      yl = fl.low * pans[0].l;
      yr = fl.low * pans[0].r;
    } else {
      fl.Run(sl * norm);
      fr.Run(sr * norm);
      yl = fl.low;
      yr = fr.low;
    }
    if (p.drive > 0) {
      yl = SoftClip(yl * static_cast<float>(1 + p.drive));
      yr = SoftClip(yr * static_cast<float>(1 + p.drive));
    }
    const float a = static_cast<float>(level * p.gain * vel);
    const int k = s0 + i;
    m.dry.l[k] += yl * a;
    m.dry.r[k] += yr * a;
    if (p.send > 0) {
      m.send.l[k] += yl * a * static_cast<float>(p.send);
      m.send.r[k] += yr * a * static_cast<float>(p.send);
    }
    fenv *= fd;
  }
}

}  // namespace cratedig::samplestore::synth
