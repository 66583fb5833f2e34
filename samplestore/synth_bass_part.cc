#include <algorithm>
#include <string>
#include <vector>

#include "samplestore/synth_drums.h"
#include "samplestore/synth_parts.h"
#include "samplestore/synth_voice.h"

namespace cratedig::samplestore::synth {
namespace {

struct BassLine {
  NoteP sound;
  Pattern pattern;
  double len;  // beats per hit
  int octave;  // semitones above the chord root
};

// The style's bass sound and rhythm (hip hop and dancehall follow the kick).
BassLine PickBass(Track& t, Pattern kpat) {
  const std::string& name = t.name;
  Rng& rng = t.rng;
  NoteP bass;
  bass.gain = rng.Uniform(0.35, 0.5);
  bass.release = 0.03;
  Pattern bpat = "x.......x.......";
  double bass_len = 0.2;  // in beats for each hit... (set per style)
  int octave = 0;
  if (name == "Trance") {
    bass.wave = Wave::kSaw;
    bass.fc = rng.Uniform(300, 700);
    bass.fc_env = rng.Uniform(1, 4);
    bass.fc_decay = 0.05;
    bpat = rng.Chance(0.6) ? "..xx..xx..xx..xx" : "..x...x...x...x.";
    bass_len = 0.2;
    octave = 12;
  } else if (name == "Funky House") {
    bass.wave = rng.Chance(0.5) ? Wave::kSaw : Wave::kSquare;
    bass.fc = rng.Uniform(400, 900);
    bass.fc_env = 3;
    bass.fc_decay = 0.08;
    bpat = rng.Pick(std::vector<Pattern>{"x..x..x.x.x..x..", "x.x..xx...x.x..x",
                                         "..x.x..x..x.x..x"});
    bass_len = 0.22;
    octave = 12;
  } else if (name == "Minimal House" || name == "Techno") {
    bass.wave = rng.Chance(0.6) ? Wave::kSine : Wave::kSquare;
    bass.fc = rng.Uniform(200, 500);
    bpat = rng.Pick(std::vector<Pattern>{"..x.......x.....", "..x...x...x...x.",
                                         "...x......x..x.."});
    bass_len = 0.15;
    octave = 12;
  } else if (name == "Drum and Bass") {
    bass.wave = rng.Chance(0.7) ? Wave::kReese : Wave::kSine;
    bass.voices = bass.wave == Wave::kReese ? 2 : 1;
    bass.detune = rng.Uniform(0.1, 0.3);
    bass.fc = rng.Uniform(250, 700);
    bass.drive = rng.Uniform(0.5, 2.5);
    bpat = rng.Pick(std::vector<Pattern>{"x...............", "x.........x.....",
                                         "x.....x........."});
    bass_len = 1.8;
  } else if (name == "Hip Hop / R&B" || name == "Dancehall") {
    bass.wave = Wave::kSine;
    bass.fc = 400;
    bass.drive = rng.Uniform(0.0, 1.5);
    bass.decay = rng.Uniform(0.3, 0.8);
    bass.sustain = 0.2;
    bpat = (name == "Dancehall") ? kpat : rng.Pick(t.st.kick);
    bass_len = 1.0;
  } else if (name == "Downtempo") {
    bass.wave = rng.Chance(0.5) ? Wave::kTri : Wave::kSine;
    bass.fc = 600;
    bpat = rng.Pick(std::vector<Pattern>{"x.......x.......", "x.....x...x.....",
                                         "x.........x....."});
    bass_len = 1.2;
    octave = 12;
  } else if (name == "Rock/Indie") {
    bass.wave = Wave::kSaw;
    bass.fc = rng.Uniform(500, 1000);
    bass.drive = 0.8;
    bpat = rng.Chance(0.6) ? "x.x.x.x.x.x.x.x." : "x...x...x...x...";
    bass_len = 0.45;
    octave = 12;
  } else {  // Breakbeat: acid-ish
    bass.wave = Wave::kSaw;
    bass.fc = rng.Uniform(250, 600);
    bass.fc_env = rng.Uniform(3, 8);
    bass.fc_decay = rng.Uniform(0.05, 0.15);
    bass.q = rng.Uniform(2, 5);
    bass.drive = rng.Uniform(0.5, 2);
    bpat = rng.Pick(std::vector<Pattern>{"x..x..x...x.x..x", "x.xx..x.x..x.x..",
                                         "x..x.x..x..x..xx"});
    bass_len = 0.2;
    octave = 12;
  }
  bass.decay = std::max(bass.decay, 0.1);
  return {bass, bpat, bass_len, octave};
}

}  // namespace

void PlayBass(Track& t, Pattern kick_pattern) {
  const std::string& name = t.name;
  Rng& rng = t.rng;
  Mix& m = t.m;
  const BassLine line = PickBass(t, kick_pattern);
  const NoteP& bass = line.sound;
  const Pattern bpat = line.pattern;
  const double bass_len = line.len;
  const int octave = line.octave;
  const std::vector<int> riff = {
      0, 0, rng.Chance(0.5) ? 7 : 12, 0, rng.Chance(0.5) ? 3 : 5, 0, 10, 0};
  for (int bar = 0; bar < t.bars; ++bar) {
    if (!t.Section(bar).bass) continue;
    const int deg = t.ChordDegree(bar);
    for (int s = 0; s < 16; ++s) {
      float v = StepVel(bpat[s], rng);
      if (v <= 0) continue;
      const int at = t.StepSample(bar, s, t.Jitter() * 0.5);
      if (at >= m.n) break;
      int note = t.ch.Tone(deg, 0) + octave;
      if (name == "Breakbeat" || name == "Funky House") note += riff[s % 8];
      Note(m, at, bass_len * t.beat, MidiHz(note), bass, v,
           static_cast<uint64_t>(bar) * 16 + static_cast<uint64_t>(s));
    }
  }
  if (name == "Techno") {  // rumble: the kick's low end smeared out
    NoteP rum;
    rum.wave = Wave::kSine;
    rum.fc = 150;
    rum.gain = 0.2;
    rum.send = 0.8;
    for (int bar = 0; bar < t.bars; ++bar) {
      if (!t.Section(bar).bass) continue;
      for (int b = 0; b < 4; ++b) {
        const int at = t.StepSample(bar, b * 4 + 2, 0);
        if (at < m.n)
          Note(m, at, t.beat * 0.4, MidiHz(t.ch.root + 12), rum, 1, b);
      }
    }
  }
}

}  // namespace cratedig::samplestore::synth
