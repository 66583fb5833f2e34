#include <algorithm>
#include <string>
#include <vector>

#include "samplestore/synth_effects.h"
#include "samplestore/synth_parts.h"

namespace cratedig::samplestore::synth {

void AddNoiseBeds(Track& t) {
  const std::string& name = t.name;
  Rng& rng = t.rng;
  Mix& m = t.m;
  Noise& nz = t.nz;
  double crackle = 0, hiss = rng.Uniform(0.0005, 0.003);
  if (name == "Hip Hop / R&B" || name == "Downtempo") {
    crackle = rng.Uniform(0.0, 0.5);
    hiss *= 3;
  }
  if (name == "Rock/Indie") hiss *= 2;
  {
    Svf hf;
    hf.Set(name == "Hip Hop / R&B" || name == "Downtempo" ? 4000 : 9000, 0.7);
    for (int i = 0; i < m.n; ++i) {
      float x = nz.Next() * static_cast<float>(hiss);
      if (crackle > 0 && (nz.s & 0xfff) == 7) x += nz.Next() * 0.3f * crackle;
      hf.Run(x);
      m.dry.l[i] += hf.low;
      m.dry.r[i] += hf.low * 0.9f;
    }
  }
  if (name == "Trance" || name == "Techno" || name == "Breakbeat") {
    // White-noise risers into section starts.
    for (int bar = 3; bar < t.bars; bar += 4) {
      if (!rng.Chance(0.5)) continue;
      const int s0 = t.StepSample(bar, 0, 0);
      const int len = std::min(m.n - s0, static_cast<int>(4 * t.beat * kSr));
      Svf f;
      for (int i = 0; i < len; ++i) {
        if ((i & 31) == 0) f.Set(500 + 9000.0 * i / len, 1.5);
        f.Run(nz.Next());
        const float a = 0.08f * static_cast<float>(i) / len;
        m.Put(s0 + i, f.band * a, 0.707f, 0.707f, 0.5f);
      }
    }
  }
}

StereoPcm MixDown(Track& t) {
  const std::string& name = t.name;
  Rng& rng = t.rng;
  Mix& m = t.m;
  if (name == "Dancehall" || name == "Minimal House" || name == "Techno" ||
      name == "Downtempo" || rng.Chance(0.2)) {
    // Drawn one by one: the order of a call's arguments is unspecified, and
    // GCC's (last to first) is the one the recorded audio has.
    const double wet = rng.Uniform(0.2, 0.45);
    const double feedback = rng.Uniform(0.3, 0.55);
    const double delay = t.beat * (rng.Chance(0.5) ? 0.75 : 0.5);
    Echo(m, delay, feedback, wet);
  }
  double room = rng.Uniform(0.2, 0.6);
  if (name == "Trance" || name == "Downtempo" || name == "Drum and Bass") {
    room = rng.Uniform(0.6, 0.95);
  }
  const double reverb_wet = rng.Uniform(0.5, 1.0);
  const double damp = rng.Uniform(0.2, 0.6);
  Reverb(m, room, damp, reverb_wet);

  double tone_fc = rng.Uniform(9000, 16000);
  if (name == "Hip Hop / R&B" || name == "Downtempo") {
    tone_fc = rng.Uniform(4500, 9000);
  }
  // Loudness to a target RMS (a track-random drive), soft clip, then peak.
  const double target_rms = rng.Uniform(0.14, 0.22);
  return Master(m, tone_fc, target_rms);
}

}  // namespace cratedig::samplestore::synth
