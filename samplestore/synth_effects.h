// Effects and the master bus: a small comb/allpass reverb and a ping-pong
// echo (both fed by the Mix's send bus), and the master stage that turns
// the dry bus into the track's PCM. Internal to samplestore/synth*.
#pragma once

#include "samplestore/synth_dsp.h"

namespace cratedig::samplestore::synth {

// A small comb/allpass room on the send bus, written into the dry bus. One
// comb bank on the mono sum; the two channels differ in their allpasses.
void Reverb(Mix& m, double size, double damp, double wet);

// A ping-pong delay of the send bus (dub echoes), into the dry bus.
void Echo(Mix& m, double seconds, double feedback, double wet);

// The master: a one-pole low-pass at `tone_fc` Hz, gain to `target_rms`,
// soft clip, then down to a 0.95 peak if louder. Consumes m's dry bus.
StereoPcm Master(Mix& m, double tone_fc, double target_rms);

}  // namespace cratedig::samplestore::synth
