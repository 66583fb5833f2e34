#include "samplestore/synth.h"

#include <algorithm>
#include <stdexcept>

#include "samplestore/rng.h"
#include "samplestore/synth_parts.h"
#include "samplestore/synth_track.h"

namespace cratedig::samplestore {

const std::vector<std::string>& SynthStyles() {
  static const std::vector<std::string> kStyles = {
      "Breakbeat",   "Dancehall",     "Downtempo",     "Drum and Bass",
      "Funky House", "Hip Hop / R&B", "Minimal House", "Rock/Indie",
      "Trance",      "Techno"};
  return kStyles;
}

// The stages draw from one Rng in this fixed order; any change to it changes
// every track (tests/samplestore/synth_golden_test.cc).
StereoPcm SynthesizeTrack(uint64_t seed, const std::string& name,
                          const std::string& track_id, double bpm,
                          double seconds) {
  const auto& styles = SynthStyles();
  if (std::find(styles.begin(), styles.end(), name) == styles.end()) {
    throw std::invalid_argument("unknown synth style " + name);
  }
  Rng rng(HashKey(seed, track_id, 0x5717));
  synth::Noise nz(rng.Next());
  synth::Track t(name, rng, nz);
  synth::StartTrack(t, bpm, seconds);
  synth::PickKey(t);
  const synth::DrumKit kit = synth::PickDrumKit(t);
  const synth::DrumPatterns patterns = synth::PickDrumPatterns(t);
  synth::PickSections(t);
  synth::PlayDrums(t, kit, patterns);
  synth::PlayBass(t, patterns.kick);
  synth::PlayHarmony(t);
  synth::PlayLead(t);
  synth::AddNoiseBeds(t);
  return synth::MixDown(t);
}

}  // namespace cratedig::samplestore
