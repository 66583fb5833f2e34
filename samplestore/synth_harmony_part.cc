#include <algorithm>
#include <string>
#include <vector>

#include "samplestore/synth_drums.h"
#include "samplestore/synth_parts.h"
#include "samplestore/synth_voice.h"

namespace cratedig::samplestore::synth {
namespace {

struct HarmonyLine {
  NoteP sound;
  Pattern rhythm = "x...............";
  double len = 4;      // beats per hit
  double octave = 36;  // semitones above the chord root
};

// Rock/Indie: a driven power-chord guitar, or now and then a clean picked
// one.
void PickGuitar(Rng& rng, HarmonyLine& h) {
  NoteP& harm = h.sound;
  Pattern& hrhythm = h.rhythm;
  double& hlen = h.len;
  double& harm_oct = h.octave;
  harm.wave = Wave::kSuper;
  harm.voices = 2;
  harm.detune = 0.08;
  harm.drive = rng.Uniform(3, 9);
  harm.fc = rng.Uniform(2500, 4500);
  harm.q = 1.2;
  harm.sustain = 0.8;
  harm.send = 0.15;
  hrhythm = rng.Chance(0.5) ? "x.x.x.x.x.x.x.x." : "x..x..x.x..x..x.";
  hlen = 0.5;
  harm_oct = 24;
  harm.gain *= 1.2;
  if (rng.Chance(0.35)) {  // indie: clean picked guitar
    harm.drive = 0;
    harm.wave = Wave::kSaw;
    harm.voices = 1;
    harm.decay = 0.25;
    harm.sustain = 0.1;
    harm.fc = 3000;
    hrhythm = "xxxxxxxxxxxxxxxx";
    hlen = 0.3;
    harm_oct = 36;
  }
}

// The style's harmony instrument and its rhythm.
HarmonyLine PickHarmony(Track& t) {
  const std::string& name = t.name;
  Rng& rng = t.rng;
  HarmonyLine h;
  NoteP& harm = h.sound;
  Pattern& hrhythm = h.rhythm;
  double& hlen = h.len;
  double& harm_oct = h.octave;
  harm.gain = rng.Uniform(0.12, 0.2);
  if (name == "Trance") {
    harm.wave = Wave::kSuper;
    harm.voices = rng.Int(4, 6);
    harm.detune = rng.Uniform(0.15, 0.35);
    harm.attack = rng.Uniform(0.05, 0.4);
    harm.fc = rng.Uniform(2500, 6000);
    harm.sustain = 0.9;
    harm.send = 0.7;
    harm.release = 0.4;
  } else if (name == "Funky House") {
    harm.wave = rng.Chance(0.6) ? Wave::kKeys : Wave::kOrgan;
    harm.fc = 5000;
    harm.decay = rng.Uniform(0.15, 0.4);
    harm.sustain = 0.2;
    harm.send = 0.3;
    hrhythm = rng.Pick(std::vector<Pattern>{
        "..x..x....x..x..", "x..x..x...x..x..", "...x..x....x..x."});
    hlen = 0.5;
    harm.gain *= 1.3;
  } else if (name == "Minimal House" || name == "Techno") {
    harm.wave = rng.Chance(0.5) ? Wave::kSine : Wave::kSquare;
    harm.fc = rng.Uniform(1000, 3000);
    harm.decay = 0.08;
    harm.sustain = 0;
    harm.send = 0.8;
    hrhythm = rng.Pick(std::vector<Pattern>{
        "...x......x.....", "......x.......x.", ".x.....?...x...."});
    hlen = 0.25;
    harm_oct = 48;
    harm.gain *= 0.7;
  } else if (name == "Drum and Bass") {
    harm.wave = Wave::kSuper;
    harm.voices = 3;
    harm.fc = rng.Uniform(800, 1800);
    harm.attack = 0.5;
    harm.sustain = 0.8;
    harm.send = 0.8;
    harm.release = 0.8;
    harm.gain *= 0.8;
  } else if (name == "Hip Hop / R&B" || name == "Downtempo") {
    harm.wave = Wave::kKeys;
    harm.fc = rng.Uniform(1500, 3500);
    harm.decay = rng.Uniform(0.8, 2.0);
    harm.sustain = 0.3;
    harm.send = name == "Downtempo" ? 0.8 : 0.3;
    harm.release = 0.3;
    if (name == "Downtempo" && rng.Chance(0.5)) {
      harm.wave = Wave::kSuper;
      harm.voices = 3;
      harm.attack = 0.8;
      harm.fc = 1500;
      harm.sustain = 0.9;
    }
  } else if (name == "Dancehall") {
    harm.wave = Wave::kOrgan;
    harm.fc = 4000;
    harm.decay = 0.08;
    harm.sustain = 0.3;
    harm.send = 0.5;
    hrhythm = rng.Chance(0.6) ? "..x...x...x...x." : "..xx..xx..xx..xx";
    hlen = 0.3;
    harm.gain *= 1.2;
  } else if (name == "Rock/Indie") {
    PickGuitar(rng, h);
  } else {  // Breakbeat stabs
    harm.wave = Wave::kSuper;
    harm.voices = 3;
    harm.fc = rng.Uniform(1500, 4000);
    harm.fc_env = 2;
    harm.decay = 0.12;
    harm.sustain = 0.1;
    harm.send = 0.5;
    hrhythm = rng.Pick(std::vector<Pattern>{
        "x.....x.........", "......x.....x...", "x..x............"});
    hlen = 0.4;
  }
  return h;
}

}  // namespace

void PlayHarmony(Track& t) {
  Mix& m = t.m;
  Rng& rng = t.rng;
  const std::string& name = t.name;
  const HarmonyLine h = PickHarmony(t);
  const NoteP& harm = h.sound;
  const Pattern hrhythm = h.rhythm;
  const double hlen = h.len, harm_oct = h.octave;
  const bool power = name == "Rock/Indie" && harm.drive > 0;
  const bool arpeggio = hrhythm[1] == 'x' && hrhythm[2] == 'x' &&
                        hrhythm[3] == 'x';  // picked: one note at a time
  const int chord_tones = t.ch.sevenths ? 4 : 3;
  for (int bar = 0; bar < t.bars; ++bar) {
    if (!t.Section(bar).harmony) continue;
    const int deg = t.ChordDegree(bar);
    for (int s = 0; s < 16; ++s) {
      float v = StepVel(hrhythm[s], rng);
      if (v <= 0) continue;
      const int at = t.StepSample(bar, s, t.Jitter());
      if (at >= m.n) break;
      const double dur = hlen * t.beat;
      if (power) {  // root, fifth, octave
        const int r = t.ch.Tone(deg, 0) + static_cast<int>(harm_oct);
        for (int off : {0, 7, 12}) {
          Note(m, at, dur, MidiHz(r + off), harm, v, at + off);
        }
      } else if (arpeggio) {
        const int r =
            t.ch.Tone(deg, s % chord_tones) + static_cast<int>(harm_oct);
        Note(m, at, dur, MidiHz(r), harm, v, at);
      } else {
        for (int tone = 0; tone < chord_tones; ++tone) {
          Note(m, at, dur,
               MidiHz(t.ch.Tone(deg, tone) + static_cast<int>(harm_oct)), harm,
               v * 0.8f, at + tone);
        }
      }
    }
  }
}

}  // namespace cratedig::samplestore::synth
