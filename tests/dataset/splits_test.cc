#include "dataset/splits.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace cratedig::dataset {
namespace {

std::vector<Candidate> Tracks(const std::string& genre, int n, int first_id) {
  std::vector<Candidate> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(
        {first_id + i, genre + "-" + std::to_string(first_id + i), genre});
  }
  return out;
}

std::map<std::string, int> Count(const std::map<int64_t, std::string>& m) {
  std::map<std::string, int> c;
  for (const auto& [id, split] : m) ++c[split];
  return c;
}

TEST(SplitsTest, EachGenreIsSplit65_25_10WithinOneTrack) {
  config::DatasetSettings s;
  std::vector<Candidate> all = Tracks("Trance", 1000, 0);
  auto more = Tracks("Dancehall", 37, 5000);
  all.insert(all.end(), more.begin(), more.end());
  auto splits = AssignSplits(all, {}, s);
  ASSERT_EQ(splits.size(), all.size());
  std::map<std::string, std::map<std::string, int>> by;
  for (const Candidate& c : all) ++by[c.parent_genre][splits.at(c.track_id)];
  EXPECT_EQ(by["Trance"]["train"], 650);
  EXPECT_EQ(by["Trance"]["val"], 250);
  EXPECT_EQ(by["Trance"]["holdout"], 100);
  EXPECT_NEAR(by["Dancehall"]["train"], 0.65 * 37, 1.0);
  EXPECT_NEAR(by["Dancehall"]["val"], 0.25 * 37, 1.0);
  EXPECT_NEAR(by["Dancehall"]["holdout"], 0.10 * 37, 1.0);
}

TEST(SplitsTest, SeededAndIndependentOfInputOrderAndIds) {
  config::DatasetSettings s;
  std::vector<Candidate> a = Tracks("Trance", 200, 0);
  std::vector<Candidate> b = a;
  std::shuffle(b.begin(), b.end(), std::mt19937(5));
  EXPECT_EQ(AssignSplits(a, {}, s), AssignSplits(b, {}, s));
  config::DatasetSettings other = s;
  other.seed = 2;
  EXPECT_NE(AssignSplits(a, {}, s), AssignSplits(a, {}, other));
}

TEST(SplitsTest, NewTracksFillTowardTheTargetsAroundExistingOnes) {
  config::DatasetSettings s;
  // 20 tracks already sit in train; 20 new ones should go mostly elsewhere.
  SplitCounts existing{{"Trance", {{"train", 20}}}};
  auto splits = AssignSplits(Tracks("Trance", 20, 0), existing, s);
  auto c = Count(splits);
  EXPECT_NEAR(c["train"] + 20, 26, 1);  // 0.65 * 40
  EXPECT_NEAR(c["val"], 10, 1);
  EXPECT_NEAR(c["holdout"], 4, 1);
}

TEST(SplitsTest, ZeroFractionSplitGetsNothing) {
  config::DatasetSettings s;
  s.train_fraction = 0.8;
  s.val_fraction = 0.2;
  s.holdout_fraction = 0;
  auto c = Count(AssignSplits(Tracks("Trance", 50, 0), {}, s));
  EXPECT_EQ(c["holdout"], 0);
  EXPECT_EQ(c["train"], 40);
}

TEST(SplitsTest, SelectKeepsExistingAndPicksLowestKeys) {
  config::DatasetSettings s;
  s.tracks_per_genre = 10;
  std::vector<Candidate> pending = Tracks("Trance", 30, 0);
  SplitCounts existing{{"Trance", {{"train", 4}}}};
  auto chosen = SelectCandidates(pending, existing, s);
  ASSERT_EQ(chosen.size(), 6u);
  // The six with the lowest keys.
  std::vector<uint64_t> keys;
  for (const auto& c : pending) keys.push_back(OrderKey(s.seed, c.store_id));
  std::sort(keys.begin(), keys.end());
  for (const auto& c : chosen) {
    EXPECT_LE(OrderKey(s.seed, c.store_id), keys[5]);
  }
  s.tracks_per_genre = 0;
  EXPECT_EQ(SelectCandidates(pending, existing, s).size(), 30u);
}

}  // namespace
}  // namespace cratedig::dataset
