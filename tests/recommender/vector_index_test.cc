// Exact top-k against a brute-force reference; HNSW recall, save and load.
#include "recommender/vector_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <random>

#include "recommender/index_factory.h"
#include "tests/recommender/clustered.h"
#include "tests/recommender/fixture.h"

namespace cratedig::recommender {
namespace {

using testing::ClusteredVectors;

// The obvious way: every score in double, full sort by (score desc, row).
std::vector<Neighbor> BruteForce(const std::vector<float>& data, int dim,
                                 const float* q, size_t k,
                                 const RowFilter& keep = {}) {
  const size_t n = data.size() / dim;
  std::vector<std::pair<double, uint32_t>> all;
  for (size_t i = 0; i < n; ++i) {
    if (keep && !keep(static_cast<uint32_t>(i))) continue;
    double s = 0;
    for (int d = 0; d < dim; ++d) s += double(data[i * dim + d]) * q[d];
    all.push_back({s, static_cast<uint32_t>(i)});
  }
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  });
  std::vector<Neighbor> out;
  for (size_t i = 0; i < std::min(k, all.size()); ++i) {
    out.push_back({all[i].second, static_cast<float>(all[i].first)});
  }
  return out;
}

std::vector<float> RandomUnit(size_t n, int dim, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> g;
  std::vector<float> v(n * dim);
  for (float& x : v) x = g(rng);
  for (size_t i = 0; i < n; ++i) NormalizeL2(&v[i * dim], dim);
  return v;
}

TEST(ExactIndexTest, MatchesBruteForceOnRandomData) {
  // dim 37 is not a multiple of the 16-float lanes: padding is exercised.
  for (int dim : {8, 37, 128}) {
    const size_t n = 3001;
    auto data = RandomUnit(n, dim, 11 + dim);
    auto queries = RandomUnit(50, dim, 99 + dim);
    ExactIndex index(data.data(), n, dim);
    for (size_t qi = 0; qi < 50; ++qi) {
      const float* q = &queries[qi * dim];
      for (size_t k : {1, 10, 100}) {
        auto got = index.Search(q, k);
        auto want = BruteForce(data, dim, q, k);
        ASSERT_EQ(got.size(), want.size());
        for (size_t i = 0; i < want.size(); ++i) {
          EXPECT_NEAR(got[i].score, want[i].score, 1e-5)
              << "dim " << dim << " rank " << i;
          // Rows agree unless float rounding reorders a near-tie.
          bool near_tie =
              (i > 0 && std::fabs(want[i].score - want[i - 1].score) < 1e-5) ||
              (i + 1 < want.size() &&
               std::fabs(want[i].score - want[i + 1].score) < 1e-5);
          if (!near_tie) {
            EXPECT_EQ(got[i].row, want[i].row);
          }
        }
      }
    }
  }
}

TEST(ExactIndexTest, TiesBreakByAscendingRow) {
  const int dim = 16;
  // Rows 0..99 are 10 distinct vectors repeated 10 times: exact ties.
  auto base = RandomUnit(10, dim, 5);
  std::vector<float> data;
  for (int r = 0; r < 100; ++r) {
    data.insert(data.end(), base.begin() + (r % 10) * dim,
                base.begin() + (r % 10 + 1) * dim);
  }
  ExactIndex index(data.data(), 100, dim);
  auto got = index.Search(&base[3 * dim], 15);
  ASSERT_EQ(got.size(), 15u);
  // The ten copies of vector 3 come first, in row order.
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(got[i].row, static_cast<uint32_t>(3 + 10 * i));
    EXPECT_FLOAT_EQ(got[i].score, got[0].score);
  }
  auto want = BruteForce(data, dim, &base[3 * dim], 15);
  for (size_t i = 0; i < 15; ++i) EXPECT_EQ(got[i].row, want[i].row);
}

TEST(ExactIndexTest, FilterAndSmallSets) {
  auto data = RandomUnit(50, 8, 3);
  ExactIndex index(data.data(), 50, 8);
  RowFilter even = [](uint32_t r) { return r % 2 == 0; };
  auto got = index.Search(&data[0], 10, even);
  auto want = BruteForce(data, 8, &data[0], 10, even);
  ASSERT_EQ(got.size(), 10u);
  for (size_t i = 0; i < 10; ++i) EXPECT_EQ(got[i].row, want[i].row);
  EXPECT_EQ(got[0].row, 0u);  // the query itself, similarity 1
  EXPECT_NEAR(got[0].score, 1.0f, 1e-6);
  EXPECT_EQ(index.Search(&data[0], 500).size(), 50u);  // k > n
  EXPECT_TRUE(index.Search(&data[0], 0).empty());
  RowFilter none = [](uint32_t) { return false; };
  EXPECT_TRUE(index.Search(&data[0], 5, none).empty());
}

TEST(HnswIndexTest, SmallIndexSaveLoadRoundTrip) {
  const int dim = 32;
  const size_t n = 5000;
  auto data = ClusteredVectors(n, dim, 20, 0.3f, 1);
  HnswOptions o;
  o.ef_construction = 100;
  auto built = HnswIndex::Build(data.data(), n, dim, o);
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  testing::TempDir dir("hnsw");
  const std::string path = (dir.path() / "sub" / "index.bin").string();
  ASSERT_TRUE((*built)->Save(path).ok());
  EXPECT_FALSE(
      std::filesystem::exists(path + ".tmp." + std::to_string(::getpid())));
  auto loaded = HnswIndex::Load(path, data.data(), n, dim, o);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  for (size_t q = 0; q < 200; ++q) {
    auto a = (*built)->Search(&data[q * dim], 10);
    auto b = (*loaded)->Search(&data[q * dim], 10);
    ASSERT_EQ(a, b) << "query " << q;
  }
  // Other vectors of the same shape: the file is refused, not trusted.
  auto other = ClusteredVectors(n, dim, 20, 0.3f, 2);
  auto stale = HnswIndex::Load(path, other.data(), n, dim, o);
  EXPECT_EQ(stale.status().code(), StatusCode::kCorrupt);
  // A different count, a truncated file and a missing file.
  EXPECT_FALSE(HnswIndex::Load(path, data.data(), n - 1, dim, o).ok());
  std::filesystem::resize_file(path, 1000);
  EXPECT_EQ(HnswIndex::Load(path, data.data(), n, dim, o).status().code(),
            StatusCode::kCorrupt);
  EXPECT_EQ(
      HnswIndex::Load(path + ".nope", data.data(), n, dim, o).status().code(),
      StatusCode::kNotFound);
}

// HNSW's scores are the exact inner products, equal to ExactIndex's bit for
// bit, also when dim is not a multiple of the 16-float lanes.
TEST(HnswIndexTest, ScoresEqualTheExactIndexScores) {
  for (int dim : {13, 16, 37}) {
    const size_t n = 500;
    auto data = RandomUnit(n, dim, 21 + dim);
    auto queries = RandomUnit(20, dim, 23 + dim);
    ExactIndex exact(data.data(), n, dim);
    auto hnsw = HnswIndex::Build(data.data(), n, dim, HnswOptions{});
    ASSERT_TRUE(hnsw.ok()) << hnsw.status().ToString();
    std::vector<float> all(n);
    for (size_t qi = 0; qi < 20; ++qi) {
      const float* q = &queries[qi * dim];
      exact.ScoreAll(q, all.data());
      auto got = (*hnsw)->Search(q, 10);
      ASSERT_EQ(got.size(), 10u);
      for (const auto& nb : got) {
        EXPECT_EQ(nb.score, all[nb.row]) << "dim " << dim << " row " << nb.row;
      }
    }
  }
}

// m = 2 fills the upper layers' link lists: hnswlib's SSE prefetch read one
// link past such a list, out of its heap block (ASan: heap-buffer-overflow
// in searchBaseLayer). Built without that path, it must stay in bounds;
// such a sparse graph still finds most points' nearest neighbour (itself).
TEST(HnswIndexTest, FullUpperLayerListsStayInBounds) {
  const int dim = 16;
  const size_t n = 3000;
  auto data = ClusteredVectors(n, dim, 10, 0.3f, 8);
  HnswOptions o;
  o.m = 2;
  o.ef_search = 200;
  o.threads = 1;  // one insertion order: the same graph on every run
  auto built = HnswIndex::Build(data.data(), n, dim, o);
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  testing::TempDir dir("hnsw_m2");
  const std::string path = (dir.path() / "index.bin").string();
  ASSERT_TRUE((*built)->Save(path).ok());
  auto loaded = HnswIndex::Load(path, data.data(), n, dim, o);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  size_t queries = 0, found = 0;
  for (size_t q = 0; q < n; q += 97, ++queries) {
    auto got = (*loaded)->Search(&data[q * dim], 1);
    ASSERT_EQ(got.size(), 1u);
    ASSERT_LT(got[0].row, n);
    found += got[0].row == q;
  }
  EXPECT_GE(found * 10, queries * 8) << found << " of " << queries;
}

TEST(HnswIndexTest, FilterOverFetches) {
  const int dim = 16;
  const size_t n = 2000;
  auto data = ClusteredVectors(n, dim, 4, 0.2f, 3);
  auto built = HnswIndex::Build(data.data(), n, dim, HnswOptions{});
  ASSERT_TRUE(built.ok());
  // Keep only 1 row in 50: the index must widen its search to find 10.
  RowFilter rare = [](uint32_t r) { return r % 50 == 7; };
  auto got = (*built)->Search(&data[0], 10, rare);
  ASSERT_EQ(got.size(), 10u);
  for (const auto& nb : got) EXPECT_EQ(nb.row % 50, 7u);
  EXPECT_TRUE(std::is_sorted(got.begin(), got.end(), Better));
}

TEST(IndexFactoryTest, AutoPicksByThresholdAndCachesHnsw) {
  const int dim = 16;
  const size_t n = 3000;
  auto data = ClusteredVectors(n, dim, 10, 0.3f, 4);
  IndexOptions o;
  o.hnsw_threshold = 5000;
  IndexReport r;
  auto exact = MakeIndex(data.data(), n, dim, o, &r);
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ((*exact)->kind(), "exact");
  EXPECT_FALSE(r.recall.has_value());

  testing::TempDir dir("cache");
  o.hnsw_threshold = 1000;
  o.cache_dir = dir.path().string();
  auto first = MakeIndex(data.data(), n, dim, o, &r);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ((*first)->kind(), "hnsw");
  EXPECT_FALSE(r.from_cache);
  ASSERT_TRUE(r.recall.has_value());
  EXPECT_GE(*r.recall, 0.95);
  EXPECT_TRUE(std::filesystem::exists(r.cache_path));
  auto second = MakeIndex(data.data(), n, dim, o, &r);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(r.from_cache);
  // Other data gets another file name, so never a stale graph.
  auto other = ClusteredVectors(n, dim, 10, 0.3f, 5);
  EXPECT_NE(HnswCacheName(data.data(), n, dim, o.hnsw),
            HnswCacheName(other.data(), n, dim, o.hnsw));
  // A corrupt cache file is rebuilt, not fatal.
  std::filesystem::resize_file(r.cache_path, 10);
  auto third = MakeIndex(data.data(), n, dim, o, &r);
  ASSERT_TRUE(third.ok());
  EXPECT_FALSE(r.from_cache);
  EXPECT_GT(std::filesystem::file_size(r.cache_path), 10u);

  o.kind = IndexKind::kExact;  // the flag beats the threshold
  auto forced = MakeIndex(data.data(), n, dim, o, &r);
  ASSERT_TRUE(forced.ok());
  EXPECT_EQ((*forced)->kind(), "exact");
  EXPECT_FALSE(ParseIndexKind("fast").ok());
}

TEST(HnswIndexTest, CancelStopsTheBuild) {
  auto data = ClusteredVectors(20000, 16, 4, 0.2f, 6);
  CancelFlag cancel;
  cancel.requested = true;
  auto built =
      HnswIndex::Build(data.data(), 20000, 16, HnswOptions{}, {}, &cancel);
  EXPECT_EQ(built.status().code(), StatusCode::kCancelled);
}

}  // namespace
}  // namespace cratedig::recommender
