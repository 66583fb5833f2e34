// One track being synthesised: the state every part (drums, bass, harmony,
// lead, noise beds, mix-down) shares, and the track-level choices made
// before the parts play: tempo grid, key and chords, and the arrangement.
// Internal to samplestore/synth*.
//
// Contract: the parts draw from `rng` in SynthesizeTrack's fixed order; a
// track is reproducible only while no draw is added, dropped or reordered
// (tests/samplestore/synth_golden_test.cc checks it).
#pragma once

#include <string>
#include <vector>

#include "samplestore/rng.h"
#include "samplestore/synth_dsp.h"
#include "samplestore/synth_style.h"

namespace cratedig::samplestore::synth {

// Which layers play in a 4-bar section.
struct Layers {
  bool kick = true, snare = true, hats = true, perc = true, bass = true,
       harmony = true, lead = true;
};

struct Chords {
  int root = 0;              // midi of the key's root, bass octave
  std::vector<int> scale;    // semitone offsets, 7 degrees
  std::vector<int> degrees;  // one per bar (cycled)
  bool sevenths = false;
  int Tone(int degree, int idx) const {  // idx-th chord tone of a degree
    const int d = degree + 2 * idx;
    return root + scale[d % 7] + 12 * (d / 7);
  }
};

struct Track {
  Track(const std::string& style_name, Rng& r, Noise& noise)
      : name(style_name), rng(r), nz(noise) {}

  const std::string& name;  // the style
  Rng& rng;
  Noise& nz;
  Mix m;
  Style st;
  double beat = 0, step = 0;  // seconds per beat and per 16th
  double swing = 0;           // share of a step the off-16ths are late
  int bars = 0;               // covers the track, with a bar to spare
  Chords ch;
  int bars_per_chord = 1;
  std::vector<Layers> sections;  // one per 4 bars

  int ChordDegree(int bar) const {
    return ch.degrees[(bar / bars_per_chord) % ch.degrees.size()];
  }
  const Layers& Section(int bar) const { return sections[bar / 4]; }
  // The sample where 16th `s` of `bar` starts, swung, moved by `jitter` s.
  int StepSample(int bar, int s, double jitter) const {
    double t = (bar * 16 + s) * step;
    if (s % 2 == 1) t += swing * step;
    t += jitter;
    return static_cast<int>(std::max(0.0, t) * kSr);
  }
  // The style's timing jitter for one hit (draws only if it has any).
  double Jitter() { return st.humanize > 0 ? rng.Gauss() * st.humanize : 0.0; }
};

// Sets up `t` for `seconds` of the style at `bpm`: silent mix, recipe,
// tempo grid (draws the swing).
void StartTrack(Track& t, double bpm, double seconds);

// Draws the key, scale, chord progression and chord length.
void PickKey(Track& t);

// Draws the arrangement: which layers each 4-bar section plays.
void PickSections(Track& t);

}  // namespace cratedig::samplestore::synth
