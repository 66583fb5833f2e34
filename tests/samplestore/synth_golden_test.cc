// Pins the sample store's audio bit for bit. The store is deterministic and
// tests, the demo's numbers and the benchmarks depend on the exact previews,
// so a refactor of samplestore/synth* must not change one sample. A change
// here is only right when the audio is meant to change (a new recipe), or
// when the compiler or libm rounds std::sin/exp/pow differently: then
// re-record the hashes the failure prints, and say why in the commit.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "core/files.h"
#include "samplestore/synth.h"

namespace cratedig::samplestore {
namespace {

// SHA-256 of both channels' float bits (host byte order).
std::string PcmHash(const StereoPcm& pcm) {
  std::string bytes(pcm.left.size() * sizeof(float) * 2, '\0');
  std::memcpy(bytes.data(), pcm.left.data(), pcm.left.size() * sizeof(float));
  std::memcpy(bytes.data() + pcm.left.size() * sizeof(float), pcm.right.data(),
              pcm.right.size() * sizeof(float));
  return Sha256Hex(bytes);
}

struct Golden {
  const char* style;
  const char* track_id;
  double bpm;
  const char* sha256;
};

// Two tracks per style, 20 s each: long enough for several 4-bar sections
// (breakdowns, risers, fills), at each style's usual tempo.
const std::vector<Golden>& Goldens() {
  static const std::vector<Golden> kGoldens = {
#include "tests/samplestore/synth_golden.inc"
  };
  return kGoldens;
}

TEST(SynthGoldenTest, EveryStyleSynthesisesTheRecordedSamples) {
  ASSERT_EQ(Goldens().size(), 2 * SynthStyles().size());
  std::string actual;
  bool all_equal = true;
  for (const Golden& g : Goldens()) {
    const std::string hash =
        PcmHash(SynthesizeTrack(42, g.style, g.track_id, g.bpm, 20.0));
    EXPECT_EQ(hash, g.sha256) << g.style << " " << g.track_id;
    all_equal = all_equal && hash == g.sha256;
    actual += std::string("{\"") + g.style + "\", \"" + g.track_id + "\", " +
              std::to_string(static_cast<int>(g.bpm)) + ", \"" + hash +
              "\"},\n";
  }
  if (!all_equal) ADD_FAILURE() << "actual hashes:\n" << actual;
}

}  // namespace
}  // namespace cratedig::samplestore
