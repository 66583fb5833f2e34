// Fast tests of the trainer's data path additions: the decoded-tile cache,
// the augmentation, the learning-rate schedules and the new settings.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "config/train_settings.h"
#include "tests/trainer/synthetic.h"
#include "trainer/augment.h"
#include "trainer/input_stats.h"
#include "trainer/schedule.h"
#include "trainer/tile_cache.h"
#include "trainer/tile_loader.h"
#include "trainer/tile_source.h"

namespace cratedig::trainer {
namespace {

namespace fs = std::filesystem;
using testing::MakeSyntheticDataset;
using testing::SyntheticOptions;
using testing::TempDir;

struct Fixture {
  TempDir dir{"data"};
  std::unique_ptr<db::Database> db;
  testing::SyntheticDataset ds;
  std::vector<TileItem> items;
  explicit Fixture(bool corrupt = false) {
    db = std::move(*db::Database::Open((dir.path() / "t.db").string()));
    SyntheticOptions so;
    so.tracks_per_genre = 5;
    so.corrupt_one = corrupt;
    ds = MakeSyntheticDataset(*db, dir.path(), so);
    auto d = db::DatasetsTable(*db).Resolve(ds.hash);
    items = *LoadTiles(*db, *d, "", false, nullptr);
  }
  fs::path cache_path() const {
    return TileCache::PathFor(ds.tiles_dir, ds.hash);
  }
};

// Every batch's pixels, labels and items, in order.
std::vector<Batch> ReadAll(const std::vector<TileItem>& items,
                           LoaderOptions lo) {
  std::vector<Batch> out;
  TileLoader l(items, lo);
  while (auto b = l.Next()) out.push_back(std::move(*b));
  return out;
}

TEST(TileCacheTest, ServesThePngsPixelsAndRebuildsOnlyWhenATileChanges) {
  Fixture f(/*corrupt=*/true);
  ASSERT_GT(f.items.size(), 10u);
  auto c = TileCache::Open(f.cache_path(), f.items, 256, 256, {}, nullptr);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE((*c)->stats().rewritten);
  EXPECT_EQ((*c)->stats().decoded, static_cast<int64_t>(f.items.size()));
  EXPECT_EQ((*c)->stats().corrupt, 1);

  // Same batches (pixels, labels, skipped tiles) with and without it.
  LoaderOptions lo;
  lo.batch_size = 7;
  lo.shuffle = true;
  lo.seed = 3;
  auto plain = ReadAll(f.items, lo);
  lo.cache = c->get();
  auto cached = ReadAll(f.items, lo);
  ASSERT_EQ(plain.size(), cached.size());
  for (size_t i = 0; i < plain.size(); ++i) {
    EXPECT_EQ(plain[i].pixels, cached[i].pixels) << i;
    EXPECT_EQ(plain[i].labels, cached[i].labels);
    EXPECT_EQ(plain[i].items, cached[i].items);
  }

  // Unchanged PNGs: reused as is.
  c->reset();
  auto again = TileCache::Open(f.cache_path(), f.items, 256, 256, {}, nullptr);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE((*again)->stats().rewritten);
  EXPECT_EQ((*again)->stats().decoded, 0);

  // One tile rewritten with other pixels: that one is decoded again and
  // served new; the cache never hands out the stale bytes.
  const TileItem& t = f.items[3];
  cv::Mat img(256, 256, CV_8UC1, cv::Scalar(201));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a new mtime
  ASSERT_TRUE(cv::imwrite(t.path, img));
  again->reset();
  auto fresh = TileCache::Open(f.cache_path(), f.items, 256, 256, {}, nullptr);
  ASSERT_TRUE(fresh.ok());
  EXPECT_TRUE((*fresh)->stats().rewritten);
  EXPECT_EQ((*fresh)->stats().decoded, 1);
  const uint8_t* p = (*fresh)->Pixels(t.tile_id);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p[0], 201);
  EXPECT_EQ(p[256 * 256 - 1], 201);
  EXPECT_EQ((*fresh)->Pixels(-5), nullptr);

  // A damaged cache file is rebuilt, not trusted.
  fresh->reset();
  { std::ofstream(f.cache_path(), std::ios::binary) << "garbage"; }
  auto rebuilt =
      TileCache::Open(f.cache_path(), f.items, 256, 256, {}, nullptr);
  ASSERT_TRUE(rebuilt.ok());
  EXPECT_EQ((*rebuilt)->stats().decoded, static_cast<int64_t>(f.items.size()));
  EXPECT_EQ((*rebuilt)->Pixels(t.tile_id)[0], 201);
}

TEST(TileCacheTest, AnUnwritableFolderIsAClearError) {
  Fixture f;
  auto c = TileCache::Open("/proc/cratedig-no/x.tilecache", f.items, 256, 256,
                           {}, nullptr);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("tile cache"), std::string::npos);
}

TEST(AugmentTest, SeededPerBatchAndChangesOnlyWhatItShould) {
  Fixture f;
  LoaderOptions lo;
  lo.batch_size = 8;
  auto batches = ReadAll(f.items, lo);
  ASSERT_FALSE(batches.empty());
  AugmentOptions o;
  o.shift_columns = 50;
  o.time_masks = 2;
  o.mask_columns = 30;
  o.freq_masks = 2;
  o.mask_rows = 30;
  o.mixup_alpha = 0.4;
  Batch a = batches[0], b = batches[0], c = batches[0];
  AugmentBatch(o, BatchSeed(1, 1, 0), a);
  AugmentBatch(o, BatchSeed(1, 1, 0), b);
  AugmentBatch(o, BatchSeed(1, 1, 1), c);
  EXPECT_EQ(a.pixels, b.pixels);  // same seed, same bytes
  EXPECT_EQ(a.mix_partner, b.mix_partner);
  EXPECT_NE(a.pixels, c.pixels);
  EXPECT_NE(a.pixels, batches[0].pixels);
  EXPECT_EQ(a.labels, batches[0].labels);
  ASSERT_EQ(a.mix_partner.size(), static_cast<size_t>(a.n));
  EXPECT_GE(a.mix_lambda, 0.5f);
  EXPECT_LE(a.mix_lambda, 1.0f);
  EXPECT_NE(BatchSeed(1, 1, 0), BatchSeed(1, 2, 0));

  // A pure shift only moves columns: every row keeps its values.
  AugmentOptions shift;
  shift.shift_columns = 100;
  Batch s = batches[0];
  AugmentBatch(shift, 42, s);
  EXPECT_TRUE(s.mix_partner.empty());
  for (int r = 0; r < 256; r += 51) {
    std::vector<float> x(batches[0].pixels.begin() + r * 256,
                         batches[0].pixels.begin() + (r + 1) * 256);
    std::vector<float> y(s.pixels.begin() + r * 256,
                         s.pixels.begin() + (r + 1) * 256);
    std::sort(x.begin(), x.end());
    std::sort(y.begin(), y.end());
    EXPECT_EQ(x, y) << r;
  }
}

TEST(RowStatsTest, MeanAndScalePerRow) {
  Fixture f;
  LoaderOptions lo;
  auto st = MeasureRowStats(f.items, lo);
  ASSERT_TRUE(st.ok());
  ASSERT_EQ(st->mean.size(), 256u);
  // Texture 1 genres brighten even rows: their mean is above odd rows'.
  EXPECT_GT(st->mean[0], st->mean[1]);
  for (float s : st->scale) {
    EXPECT_GT(s, 0);
    EXPECT_LE(s, 1 / 0.05f + 1e-3f);
  }
}

TEST(ScheduleTest, Shapes) {
  EXPECT_EQ(LearningRateFactor("constant", 5, 100), 1.0);
  // cosine: warm-up, peak, then down to 0.
  EXPECT_LT(LearningRateFactor("cosine", 0, 100), 0.2);
  EXPECT_NEAR(LearningRateFactor("cosine", 5, 100), 1.0, 0.05);
  EXPECT_NEAR(LearningRateFactor("cosine", 99, 100), 0.0, 1e-9);
  EXPECT_GT(LearningRateFactor("cosine", 30, 100),
            LearningRateFactor("cosine", 60, 100));
  // onecycle: lr/25 up to lr at 30%, then down to ~0.
  EXPECT_NEAR(LearningRateFactor("onecycle", 0, 101), 1.0 / 25, 1e-9);
  EXPECT_NEAR(LearningRateFactor("onecycle", 30, 101), 1.0, 1e-9);
  EXPECT_NEAR(LearningRateFactor("onecycle", 100, 101), 1e-4, 1e-9);
  EXPECT_NEAR(LearningRateFactor("onecycle", 500, 101), 1e-4, 1e-9);
}

TEST(TrainSettingsTest, NewKeysAreCheckedAndRoundTrip) {
  auto bad = [](const std::string& toml, const std::string& key) {
    auto r = config::ParseConfig<config::TrainSettings>(toml, "t");
    ASSERT_FALSE(r.ok()) << toml;
    EXPECT_NE(r.status().message().find(key), std::string::npos)
        << r.status().message();
  };
  bad("weight_decay = 0.01", "weight_decay");  // rmsprop has none
  bad("schedule = \"step\"", "schedule");
  bad("label_smoothing = 0.7", "label_smoothing");
  bad("time_masks = 2", "mask_columns");
  bad("normalize = \"global\"", "normalize");
  bad("aggregate = \"max\"", "aggregate");
  bad("mixup_alpha = -1", "mixup_alpha");
  auto s = config::ParseConfig<config::TrainSettings>(
      "optimizer = \"adamw\"\nweight_decay = 0.05\nschedule = \"onecycle\"\n"
      "normalize = \"per_frequency\"\naggregate = \"l2_mean\"\n"
      "deterministic = false\ntile_cache = false\nshift_columns = 9\n",
      "t");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto back = config::ParseConfig<config::TrainSettings>(s->ToToml(), "t2");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->ToToml(), s->ToToml());
  EXPECT_EQ(back->weight_decay, 0.05);
  EXPECT_FALSE(back->deterministic);
  EXPECT_EQ(back->shift_columns, 9);
}

}  // namespace
}  // namespace cratedig::trainer
