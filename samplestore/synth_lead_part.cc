#include <algorithm>
#include <string>
#include <vector>

#include "samplestore/synth_drums.h"
#include "samplestore/synth_parts.h"
#include "samplestore/synth_voice.h"

namespace cratedig::samplestore::synth {
namespace {

struct LeadLine {
  NoteP sound;
  bool plays = true;  // most styles have no lead; some only sometimes
  Pattern rhythm = "x.x.x.x.x.x.x.x.";
  double len = 0.4;  // beats per note
};

// The style's lead (arp, melody or acid line), if it has one.
LeadLine PickLead(Track& t) {
  const std::string& name = t.name;
  Rng& rng = t.rng;
  LeadLine l;
  NoteP& lead = l.sound;
  bool& has_lead = l.plays;
  Pattern& lrhythm = l.rhythm;
  double& llen = l.len;
  lead.gain = rng.Uniform(0.08, 0.14);
  lead.send = 0.6;
  if (name == "Trance") {
    lead.wave = rng.Chance(0.5) ? Wave::kSquare : Wave::kSaw;
    lead.fc = 3000;
    lead.fc_env = 2;
    lead.decay = 0.1;
    lead.sustain = 0.2;
    lrhythm = "xxxxxxxxxxxxxxxx";
    llen = 0.2;
  } else if (name == "Downtempo" || name == "Hip Hop / R&B") {
    lead.wave = Wave::kSine;
    lead.fc = 4000;
    lead.attack = 0.05;
    lead.vibrato = 0.3;
    lead.sustain = 0.7;
    lrhythm = rng.Pick(std::vector<Pattern>{
        "x.......x.......", "x.....x.....x...", "x..............."});
    llen = 1.5;
    has_lead = rng.Chance(0.6);
  } else if (name == "Breakbeat" || name == "Techno") {
    lead.wave = Wave::kSaw;
    lead.fc = 1200;
    lead.fc_env = 6;
    lead.q = 4;
    lead.decay = 0.1;
    lead.sustain = 0.1;
    lrhythm = "x.xx.x.xx.x.x.xx";
    llen = 0.2;
    has_lead = rng.Chance(name == "Techno" ? 0.4 : 0.5);
  } else {
    has_lead = false;
  }
  return l;
}

}  // namespace

void PlayLead(Track& t) {
  const std::string& name = t.name;
  Rng& rng = t.rng;
  Mix& m = t.m;
  const LeadLine l = PickLead(t);
  const NoteP& lead = l.sound;
  const Pattern lrhythm = l.rhythm;
  const double llen = l.len;
  if (!l.plays) return;
  std::vector<int> motif(8);
  for (int& x : motif) x = rng.Int(0, 6);
  for (int bar = 0; bar < t.bars; ++bar) {
    if (!t.Section(bar).lead) continue;
    const int deg = t.ChordDegree(bar);
    int k = 0;
    for (int s = 0; s < 16; ++s) {
      float v = StepVel(lrhythm[s], rng);
      if (v <= 0) continue;
      const int at = t.StepSample(bar, s, 0);
      if (at >= m.n) break;
      int note;
      if (name == "Trance") {
        note = t.ch.Tone(deg, k % 3 + (k / 3) % 2) + 48;
      } else {
        note = t.ch.root + 48 + t.ch.scale[(deg + motif[k % 8]) % 7];
      }
      ++k;
      Note(m, at, llen * t.beat, MidiHz(note), lead, v,
           static_cast<uint64_t>(at));
    }
  }
}

}  // namespace cratedig::samplestore::synth
