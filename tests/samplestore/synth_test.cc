#include "samplestore/synth.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/files.h"
#include "samplestore/mp3_encoder.h"
#include "tests/samplestore/mp3_decode.h"

namespace cratedig::samplestore {
namespace {

double Rms(const std::vector<float>& v) {
  double s = 0;
  for (float x : v) s += double(x) * x;
  return std::sqrt(s / v.size());
}

TEST(SynthTest, EveryStyleMakesBoundedNonSilentAudioOfTheRightLength) {
  for (const std::string& style : SynthStyles()) {
    StereoPcm pcm = SynthesizeTrack(7, style, "1234567-01-01-01", 120, 3.3);
    ASSERT_EQ(pcm.frames(), 145530) << style;  // round(3.3 * 44100)
    ASSERT_EQ(pcm.right.size(), pcm.left.size());
    float peak = 0;
    for (int i = 0; i < pcm.frames(); ++i) {
      peak = std::max({peak, std::fabs(pcm.left[i]), std::fabs(pcm.right[i])});
    }
    EXPECT_LE(peak, 0.951f) << style;
    EXPECT_GT(Rms(pcm.left), 0.03) << style;
  }
}

TEST(SynthTest, DeterministicPerTrackAndDifferentAcrossTracks) {
  StereoPcm a = SynthesizeTrack(7, "Trance", "t1", 136, 2);
  StereoPcm b = SynthesizeTrack(7, "Trance", "t1", 136, 2);
  StereoPcm c = SynthesizeTrack(7, "Trance", "t2", 136, 2);
  StereoPcm d = SynthesizeTrack(8, "Trance", "t1", 136, 2);
  EXPECT_EQ(a.left, b.left);
  EXPECT_EQ(a.right, b.right);
  EXPECT_NE(a.left, c.left);
  EXPECT_NE(a.left, d.left);
}

TEST(SynthTest, GenresDifferInTheirSpectralBalance) {
  // Crude check that recipes matter: the share of high-frequency energy
  // (first difference) varies a lot between a dark and a bright genre.
  auto brightness = [](const StereoPcm& p) {
    double hi = 0, all = 0;
    for (size_t i = 1; i < p.left.size(); ++i) {
      const double dx = p.left[i] - p.left[i - 1];
      hi += dx * dx;
      all += double(p.left[i]) * p.left[i];
    }
    return hi / all;
  };
  double hiphop = 0, dnb = 0;
  for (int i = 0; i < 4; ++i) {
    const std::string id = "x" + std::to_string(i);
    hiphop += brightness(SynthesizeTrack(3, "Hip Hop / R&B", id, 90, 4));
    dnb += brightness(SynthesizeTrack(3, "Drum and Bass", id, 172, 4));
  }
  EXPECT_GT(dnb, hiphop * 1.3);
}

TEST(Mp3EncoderTest, DecodesToTheRequestedLengthAndIsDeterministic) {
  for (double seconds : {1.0, 6.5}) {
    StereoPcm pcm = SynthesizeTrack(7, "Funky House", "f1", 124, seconds);
    auto mp3 = EncodeMp3(pcm);
    ASSERT_TRUE(mp3.ok()) << mp3.status().ToString();
    auto again = EncodeMp3(pcm);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(Sha256Hex(*mp3), Sha256Hex(*again));
    // 128 kbps: ~16 kB per second.
    EXPECT_NEAR(mp3->size() / seconds, 16000, 1500);
    auto d = testing_util::DecodeMp3(*mp3);
    ASSERT_TRUE(d.ok) << d.error;
    EXPECT_EQ(d.sample_rate, 44100);
    EXPECT_EQ(d.channels, 2);
    EXPECT_NEAR(d.frames / 44100.0, seconds, 0.1);
    EXPECT_GT(d.peak, 0.1);
  }
}

TEST(Mp3EncoderTest, RejectsEmptyInput) {
  EXPECT_FALSE(EncodeMp3(StereoPcm{}).ok());
}

}  // namespace
}  // namespace cratedig::samplestore
