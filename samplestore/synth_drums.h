// Drum instruments: a pitch-swept sine kick, filtered-noise hits (snare,
// clap, hats, crash) and a short tuned percussion tone. Each adds one hit
// into a Mix at sample s0. Internal to samplestore/synth*.
#pragma once

#include "samplestore/synth_dsp.h"

namespace cratedig::samplestore::synth {

struct KickP {
  double f0 = 160, f1 = 50, sweep = 0.03, decay = 0.25, gain = 1, click = 0.2;
};
void Kick(Mix& m, int s0, const KickP& p, float vel);

struct NoiseHitP {
  double decay = 0.05, gain = 0.3, fc = 8000, q = 0.7, tone_hz = 0,
         tone_amt = 0, pan = 0, send = 0;
  int mode = 2;              // 0 low, 1 band, 2 high
  double attack_bursts = 0;  // clap: >0 gives three quick bursts
};
void NoiseHit(Mix& m, int s0, const NoiseHitP& p, float vel, Noise& nz);

// A sine falling from f0 to f1 in ~20 ms, decaying with `decay` seconds.
void Tone(Mix& m, int s0, double f0, double f1, double decay, double gain,
          double pan, double send);

}  // namespace cratedig::samplestore::synth
