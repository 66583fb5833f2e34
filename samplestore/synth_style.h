// The genres' drum recipes: 16-step patterns per drum, swing and timing
// feel, and how a pattern step turns into a velocity. Internal to
// samplestore/synth*.
#pragma once

#include <string>
#include <vector>

#include "samplestore/rng.h"

namespace cratedig::samplestore::synth {

// 16 steps per bar: 'x' hit, 'o' ghost, '?' 35% chance, '.' rest. Returns
// 0 for no hit.
float StepVel(char c, Rng& rng);

using Pattern = const char*;

struct Style {
  std::vector<Pattern> kick, snare, clap, hat, open_hat, perc;
  double swing_lo = 0, swing_hi = 0;
  double humanize = 0.0;  // seconds of timing jitter
};

// The recipe of a style (one of SynthStyles()).
Style StyleFor(const std::string& name);

}  // namespace cratedig::samplestore::synth
