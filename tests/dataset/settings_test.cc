#include <gtest/gtest.h>

#include "config/dataset_settings.h"

namespace cratedig::config {
namespace {

const std::string kConfigs = std::string(CRATEDIG_SOURCE_DIR) + "/configs/";

TEST(DatasetSettingsTest, ShippedConfigLoadsWithTheOriginalGeometry) {
  auto s = LoadConfig<DatasetSettings>(kConfigs + "dataset.toml");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->sample_rate, 44100);
  EXPECT_EQ(s->height, 256);
  EXPECT_EQ(s->tile_width, 256);
  EXPECT_DOUBLE_EQ(s->columns_per_second, 50.0);
  EXPECT_DOUBLE_EQ(s->dynamic_range_db, 120.0);
  EXPECT_EQ(s->frequency_scale, "linear");
  EXPECT_DOUBLE_EQ(s->train_fraction, 0.65);
  EXPECT_DOUBLE_EQ(s->val_fraction, 0.25);
  EXPECT_DOUBLE_EQ(s->holdout_fraction, 0.10);
  // The shipped file spells out the defaults: same dataset version.
  EXPECT_EQ(s->Hash(), DatasetSettings{}.Hash());
}

TEST(DatasetSettingsTest, HashChangesWithTileAffectingSettingsOnly) {
  const DatasetSettings base;
  const std::string h = base.Hash();
  ASSERT_EQ(h.size(), 16u);
  std::vector<std::pair<const char*, std::function<void(DatasetSettings&)>>>
      changes_tiles = {
          {"sample_rate", [](auto& s) { s.sample_rate = 22050; }},
          {"columns_per_second", [](auto& s) { s.columns_per_second = 40; }},
          {"height", [](auto& s) { s.height = 128; }},
          {"fft_size", [](auto& s) { s.fft_size = 1024; }},
          {"frequency_scale", [](auto& s) { s.frequency_scale = "mel"; }},
          {"dynamic_range_db", [](auto& s) { s.dynamic_range_db = 90; }},
          {"tile_width", [](auto& s) { s.tile_width = 128; }},
          {"max_seconds", [](auto& s) { s.max_seconds = 30; }},
          {"seed", [](auto& s) { s.seed = 7; }},
          {"train/val",
           [](auto& s) {
             s.train_fraction = 0.7;
             s.val_fraction = 0.2;
           }},
      };
  for (auto& [name, change] : changes_tiles) {
    DatasetSettings s;
    change(s);
    EXPECT_NE(s.Hash(), h) << name;
  }
  std::vector<std::pair<const char*, std::function<void(DatasetSettings&)>>>
      keeps = {
          {"threads", [](auto& s) { s.threads = 7; }},
          {"png_compression", [](auto& s) { s.png_compression = 9; }},
          {"fsync", [](auto& s) { s.fsync = false; }},
          {"write_full_spectrogram",
           [](auto& s) { s.write_full_spectrogram = true; }},
          {"tracks_per_genre", [](auto& s) { s.tracks_per_genre = 1000; }},
          {"mel_fmax on the linear scale", [](auto& s) { s.mel_fmax = 8000; }},
      };
  for (auto& [name, change] : keeps) {
    DatasetSettings s;
    change(s);
    EXPECT_EQ(s.Hash(), h) << name;
  }
  DatasetSettings mel;
  mel.frequency_scale = "mel";
  DatasetSettings mel2 = mel;
  mel2.mel_fmax = 8000;
  EXPECT_NE(mel.Hash(), mel2.Hash()) << "mel_fmax matters on the mel scale";
}

TEST(DatasetSettingsTest, ToTomlRoundTripsToTheSameHash) {
  DatasetSettings s;
  s.frequency_scale = "mel";
  s.fft_size = 2048;
  s.mel_fmax = 11025;
  s.threads = 3;
  s.seed = 99;
  auto back = ParseConfig<DatasetSettings>(s.ToToml(), "stored");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->Hash(), s.Hash());
  EXPECT_EQ(back->ToToml(), s.ToToml());
  EXPECT_EQ(back->threads, 3);
}

TEST(DatasetSettingsTest, BadValuesNameTheKey) {
  auto a = ParseConfig<DatasetSettings>("fft_size = 256\n", "d.toml");
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("'fft_size'"), std::string::npos)
      << a.status().message();
  auto b = ParseConfig<DatasetSettings>(
      "[splits]\ntrain = 0.5\nval = 0.25\nholdout = 0.1\n", "d.toml");
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("'splits'"), std::string::npos);
  auto c =
      ParseConfig<DatasetSettings>("frequency_scale = \"log\"\n", "d.toml");
  ASSERT_FALSE(c.ok());
  auto d = ParseConfig<DatasetSettings>("colums_per_second = 50\n", "d.toml");
  ASSERT_FALSE(d.ok()) << "a typo is an unknown key";
  auto e = ParseConfig<DatasetSettings>("", "d.toml", {"threads=2"});
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->threads, 2);
}

}  // namespace
}  // namespace cratedig::config
