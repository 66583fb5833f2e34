// The pitched voice: one note of a subtractive synth (oscillator shape,
// unison voices, ADSR-ish envelope, low-pass filter with its own envelope,
// vibrato, drive). Bass, harmony and lead are all this voice with other
// settings. Internal to samplestore/synth*.
#pragma once

#include <cstdint>

#include "samplestore/synth_dsp.h"

namespace cratedig::samplestore::synth {

enum class Wave { kSine, kSaw, kSquare, kTri, kReese, kSuper, kKeys, kOrgan };

struct NoteP {
  Wave wave = Wave::kSaw;
  double attack = 0.005, decay = 0.3, sustain = 0.6, release = 0.05;
  double fc = 2000, fc_env = 0, fc_decay = 0.1, q = 0.8;
  double gain = 0.3, pan = 0, send = 0, detune = 0.1, drive = 0;
  int voices = 1;
  double vibrato = 0;  // semitones
};

// Adds one note of `dur` seconds (plus release) at `hz`; `salt` sets the
// voices' start phases.
void Note(Mix& m, int s0, double dur, double hz, const NoteP& p, float vel,
          uint64_t salt);

}  // namespace cratedig::samplestore::synth
