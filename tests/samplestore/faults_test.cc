#include "samplestore/faults.h"

#include <gtest/gtest.h>

#include <map>

#include "config/toml_reader.h"

namespace cratedig::samplestore {
namespace {

TEST(FaultsTest, ExampleFileLoads) {
  auto f = config::LoadConfig<Faults>(std::string(CRATEDIG_SOURCE_DIR) +
                                      "/configs/faults.toml");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_GT(f->rate_429, 0);
  EXPECT_GT(f->rate_corrupt_mp3, 0);
}

TEST(FaultsTest, DefaultsAreAllZero) {
  auto f = config::ParseConfig<Faults>("", "empty");
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(f->any_transient());
  Catalogue cat = GenerateCatalogue(1, 20);
  ApplyPermanentFaults(*f, &cat);
  for (const auto& r : cat.releases) {
    EXPECT_TRUE(r.faults.empty());
    for (const auto& t : r.tracks) EXPECT_TRUE(t.faults.empty());
  }
}

TEST(FaultsTest, BadValuesAndTyposAreRejected) {
  EXPECT_FALSE(config::ParseConfig<Faults>("rate_429 = 1.5", "x").ok());
  EXPECT_FALSE(
      config::ParseConfig<Faults>("rate_500 = 0.6\nrate_503 = 0.6", "x").ok());
  EXPECT_FALSE(config::ParseConfig<Faults>("rate_42 = 0.1", "x").ok());
  EXPECT_FALSE(
      config::ParseConfig<Faults>("offsite_url = \"ftp://x/\"", "x").ok());
}

TEST(FaultsTest, TransientRatesOverManyPaths) {
  Faults f;
  f.rate_429 = 0.1;
  f.rate_503 = 0.05;
  f.rate_truncated = 0.2;
  std::map<TransientFault, int> n;
  const int kPaths = 20000;
  for (int i = 0; i < kPaths; ++i) {
    ++n[PickTransientFault(f, 7, "/p/" + std::to_string(i), 0)];
  }
  EXPECT_NEAR(n[TransientFault::k429] / double(kPaths), 0.1, 0.01);
  EXPECT_NEAR(n[TransientFault::k503] / double(kPaths), 0.05, 0.01);
  EXPECT_NEAR(n[TransientFault::kTruncated] / double(kPaths), 0.2, 0.015);
  EXPECT_EQ(n[TransientFault::k500], 0);
}

TEST(FaultsTest, PermanentFaultsAreRecordedAtTheirRates) {
  Faults f;
  f.rate_corrupt_mp3 = 0.1;
  f.rate_preview_404 = 0.1;
  f.rate_oversized = 0.05;
  f.rate_malformed_html = 0.1;
  f.rate_redirect_loop = 0.1;
  f.rate_redirect_offsite = 0.1;
  Catalogue cat = GenerateCatalogue(7, 300);
  ApplyPermanentFaults(f, &cat);
  std::map<std::string, int> n;
  int tracks = 0, releases = 0;
  for (const auto& r : cat.releases) {
    ++releases;
    ASSERT_LE(r.faults.size(), 1u);
    for (const auto& x : r.faults) ++n[x];
    for (const auto& t : r.tracks) {
      if (!t.has_preview) {
        EXPECT_TRUE(t.faults.empty());
        continue;
      }
      ++tracks;
      ASSERT_LE(t.faults.size(), 1u);
      for (const auto& x : t.faults) ++n[x];
    }
  }
  ASSERT_GT(releases, 800);
  EXPECT_NEAR(n["corrupt_mp3"] / double(tracks), 0.1, 0.025);
  EXPECT_NEAR(n["preview_404"] / double(tracks), 0.1, 0.025);
  EXPECT_NEAR(n["oversized"] / double(tracks), 0.05, 0.02);
  EXPECT_NEAR(n["malformed_html"] / double(releases), 0.1, 0.035);
  EXPECT_NEAR(n["redirect_loop"] / double(releases), 0.1, 0.035);
  EXPECT_NEAR(n["redirect_offsite"] / double(releases), 0.1, 0.035);
  // Deterministic: the same again.
  Catalogue again = GenerateCatalogue(7, 300);
  ApplyPermanentFaults(f, &again);
  EXPECT_EQ(cat.ToJson(), again.ToJson());
}

}  // namespace
}  // namespace cratedig::samplestore
