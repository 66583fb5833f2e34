// Synthesised genre audio: one track's preview as stereo PCM.
//
// Each style ("Trance", "Drum and Bass", ..., "Techno"; ListingDef::style)
// is a recipe: a tempo feel (four-on-the-floor, breakbeat, two-step, boom-bap,
// dembow, live rock, laid-back), drum patterns, a bass line, a harmony
// instrument, swing, effects and noise. Every track draws its own key, scale,
// chord progression, drum sounds, mix levels, instrument variants and
// arrangement (4-bar sections that drop or add layers) from
// HashKey(seed, track store id), so genres are learnable but overlap
// (house, minimal, trance and techno share the 4/4 kick; breakbeat and drum
// and bass share breaks; hip hop, dancehall and downtempo share tempos).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cratedig::samplestore {

inline constexpr int kSampleRate = 44100;

struct StereoPcm {
  std::vector<float> left, right;  // same length; samples in [-1, 1]
  int frames() const { return static_cast<int>(left.size()); }
};

// The styles SynthesizeTrack knows, in label order (nine parents + Techno).
const std::vector<std::string>& SynthStyles();

// Synthesises `seconds` of audio (round(seconds * 44100) frames) at `bpm`.
// Deterministic in (seed, style, track_id, bpm, seconds); thread-safe.
// REQUIRES: style is one of SynthStyles(); seconds > 0; bpm > 0.
StereoPcm SynthesizeTrack(uint64_t seed, const std::string& style,
                          const std::string& track_id, double bpm,
                          double seconds);

}  // namespace cratedig::samplestore
