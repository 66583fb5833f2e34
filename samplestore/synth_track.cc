#include "samplestore/synth_track.h"

#include <algorithm>
#include <cmath>

namespace cratedig::samplestore::synth {

void StartTrack(Track& t, double bpm, double seconds) {
  t.m.n = std::max(1, static_cast<int>(std::lround(seconds * kSr)));
  t.m.dry.l.assign(t.m.n, 0.f);
  t.m.dry.r.assign(t.m.n, 0.f);
  t.m.send = t.m.dry;
  t.st = StyleFor(t.name);
  t.beat = 60.0 / bpm;
  t.step = t.beat / 4;
  t.swing = t.rng.Uniform(t.st.swing_lo, t.st.swing_hi);
  t.bars = static_cast<int>(seconds / (4 * t.beat)) + 2;
}

void PickKey(Track& t) {
  const std::string& name = t.name;
  Rng& rng = t.rng;
  Chords& ch = t.ch;
  static const std::vector<int> kMinor = {0, 2, 3, 5, 7, 8, 10};
  static const std::vector<int> kMajor = {0, 2, 4, 5, 7, 9, 11};
  static const std::vector<int> kDorian = {0, 2, 3, 5, 7, 9, 10};
  double p_major = 0.3;
  if (name == "Rock/Indie" || name == "Funky House" || name == "Dancehall") {
    p_major = 0.55;
  }
  if (name == "Drum and Bass" || name == "Techno") p_major = 0.1;
  ch.root = 28 + rng.Int(0, 11);  // E1..D#2
  ch.scale =
      rng.Chance(p_major) ? kMajor : (rng.Chance(0.3) ? kDorian : kMinor);
  static const std::vector<std::vector<int>> kProgs = {
      {0, 5, 2, 6}, {0, 3, 4, 0}, {0, 5, 3, 4}, {0, 6, 5, 6}, {0, 4, 5, 3},
      {1, 4, 0, 0}, {0, 0, 3, 3}, {0, 2, 3, 4}, {5, 3, 0, 4}};
  ch.degrees = rng.Pick(kProgs);
  if (name == "Minimal House" || name == "Techno") {
    ch.degrees =
        rng.Chance(0.6) ? std::vector<int>{0} : std::vector<int>{0, 0, 5, 0};
  }
  ch.sevenths = name == "Downtempo" || name == "Hip Hop / R&B" ||
                name == "Funky House" || rng.Chance(0.15);
  t.bars_per_chord =
      (name == "Trance" || name == "Downtempo") ? rng.Int(1, 2) : 1;
}

void PickSections(Track& t) {
  Rng& rng = t.rng;
  const int start_section = rng.Int(0, 3);
  for (int s = 0; s * 4 < t.bars; ++s) {
    Layers l;
    const double u = rng.Uniform();
    const int phase = (s + start_section) % 4;
    if (phase == 3 && u < 0.35) {  // breakdown: no kick, no bass
      l.kick = false;
      l.bass = false;
      l.snare = rng.Chance(0.3);
      l.hats = rng.Chance(0.5);
    } else if (phase == 0 && u < 0.3) {  // intro-like: no harmony
      l.harmony = false;
      l.lead = false;
    }
    if (rng.Chance(0.2)) l.perc = false;
    if (rng.Chance(0.3)) l.lead = false;
    t.sections.push_back(l);
  }
}

}  // namespace cratedig::samplestore::synth
