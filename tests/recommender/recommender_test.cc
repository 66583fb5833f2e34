// Recommender over a fixture database: self removed, same artist removed,
// run resolution, JSON round trips, PCA.
#include "recommender/recommender.h"

#include <gtest/gtest.h>

#include "core/json.h"
#include "db/model_tables.h"
#include "recommender/pca.h"
#include "tests/recommender/fixture.h"

namespace cratedig::recommender {
namespace {

class RecommenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(
        testing::BuildFixture(dir_.path(), testing::GenreClusterTracks(), fx_),
        "");
    auto db = db::Database::Open(fx_.db_path);
    ASSERT_TRUE(db.ok());
    db_ = std::move(*db);
  }
  testing::TempDir dir_;
  testing::Fixture fx_;
  std::unique_ptr<db::Database> db_;
};

TEST_F(RecommenderTest, ForTrackRemovesSelfAndRanksGenreFirst) {
  auto rec = Recommender::Open(*db_, std::nullopt);
  ASSERT_TRUE(rec.ok()) << rec.status().ToString();
  EXPECT_EQ((*rec)->run_id(), fx_.run_id);
  EXPECT_EQ((*rec)->index_report().kind, "exact");
  RecommendOptions o;
  o.k = 5;
  auto recs = (*rec)->ForTrack(fx_.track_ids[0], o);
  ASSERT_TRUE(recs.ok());
  ASSERT_EQ(recs->size(), 5u);
  for (const auto& r : *recs) EXPECT_NE(r.track.id, fx_.track_ids[0]);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ((*recs)[i].track.parent_genre, "Trance");
    EXPECT_GT((*recs)[i].similarity, 0.99f);
  }
  EXPECT_LT((*recs)[3].similarity, 0.1f);
  // The nearest is row 1 (offsets 0.01 vs 0.02 differ least), the same
  // artist ("Artist A"); excluding the artist drops it.
  EXPECT_EQ((*recs)[0].track.id, fx_.track_ids[1]);
  EXPECT_EQ((*recs)[0].track.artist, "Artist A");
  EXPECT_FALSE((*recs)[0].track.preview_url.empty());
  o.exclude_same_artist = true;
  auto other = (*rec)->ForTrack(fx_.track_ids[0], o);
  ASSERT_TRUE(other.ok());
  for (const auto& r : *other) EXPECT_NE(r.track.artist, "Artist A");
  EXPECT_EQ((*other)[0].track.parent_genre, "Trance");
  EXPECT_EQ((*other)[1].track.parent_genre, "Trance");
  EXPECT_NE((*other)[2].track.parent_genre, "Trance");

  EXPECT_EQ((*rec)->ForTrack(999999, o).status().code(), StatusCode::kNotFound);
  auto by_vec = (*rec)->ForVector({0, 5, 0, 0, 0, 0, 0, 0}, o);
  ASSERT_TRUE(by_vec.ok());
  EXPECT_EQ((*by_vec)[0].track.parent_genre, "Drum and Bass");
  EXPECT_FALSE((*rec)->ForVector({1, 2}, o).ok());  // wrong length
}

TEST_F(RecommenderTest, OpensTheNewestRunWithEmbeddings) {
  db::ModelRunsTable runs(*db_);
  db::ModelRunRecord empty;
  empty.dataset_hash = fx_.dataset_hash;
  empty.network = "seed";
  empty.status = db::RunStatus::kRunning;
  auto newer = runs.Create(empty);
  ASSERT_TRUE(newer.ok());
  auto r = Recommender::Open(*db_, std::nullopt, IndexOptions{});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->run_id(), fx_.run_id);  // the newer run has no embeddings
  EXPECT_FALSE(Recommender::Open(*db_, *newer, IndexOptions{}).ok());
}

TEST(PcaTest, FindsTheSpreadAxes) {
  // Points spread along x (large) and y (small), nothing along z.
  std::vector<float> data;
  for (int i = -10; i <= 10; ++i) {
    for (int j = -2; j <= 2; ++j) {
      data.insert(data.end(),
                  {static_cast<float>(i) * 3.0f, static_cast<float>(j), 0.0f});
    }
  }
  const size_t n = data.size() / 3;
  auto xy = PcaProject(data.data(), n, 3);
  ASSERT_EQ(xy.size(), 2 * n);
  for (size_t i = 0; i < n; ++i) {
    EXPECT_NEAR(xy[2 * i], data[3 * i], 1e-3);          // first axis: x
    EXPECT_NEAR(xy[2 * i + 1], data[3 * i + 1], 1e-3);  // second axis: y
  }
  EXPECT_EQ(PcaProject(data.data(), 1, 3), std::vector<float>(2, 0.0f));
}

}  // namespace
}  // namespace cratedig::recommender
