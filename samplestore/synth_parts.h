// The parts of a track, played in SynthesizeTrack's order: drums, bass,
// harmony, lead, noise beds, then the mix-down. Each draws its sound
// settings for the style from t.rng and plays over t's bars and sections.
// Internal to samplestore/synth*; see synth_track.h for the draw-order
// contract.
#pragma once

#include "samplestore/synth_drums.h"
#include "samplestore/synth_style.h"
#include "samplestore/synth_track.h"

namespace cratedig::samplestore::synth {

// This track's drum sounds.
struct DrumKit {
  KickP kick;
  NoiseHitP snare, clap, hat, ohat;
  double perc_hz = 0, perc_pan = 0;
};
DrumKit PickDrumKit(Track& t);

// This track's drum patterns, from the style's: one main kick and a
// variation, one each for the other drums.
struct DrumPatterns {
  Pattern kick, kick2, snare, clap, hat, open_hat, perc;
};
DrumPatterns PickDrumPatterns(Track& t);

void PlayDrums(Track& t, const DrumKit& kit, const DrumPatterns& pat);

// Bass line (hip hop and dancehall follow `kick_pattern`), plus techno's
// rumble.
void PlayBass(Track& t, Pattern kick_pattern);

// Chords, stabs, power chords or picked arpeggios, by style.
void PlayHarmony(Track& t);

// Arps and melodies, for the styles that have a lead.
void PlayLead(Track& t);

// Tape hiss, vinyl crackle and white-noise risers into section starts.
void AddNoiseBeds(Track& t);

// Echo and reverb from the send bus, then the master (synth_effects.h).
StereoPcm MixDown(Track& t);

}  // namespace cratedig::samplestore::synth
