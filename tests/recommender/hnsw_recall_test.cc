// The acceptance figure for the approximate index (label: slow).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "recommender/vector_index.h"
#include "tests/recommender/clustered.h"
#include "tests/recommender/fixture.h"

namespace cratedig::recommender {
namespace {

using testing::ClusteredVectors;

// The acceptance figure: recall@10 >= 0.95 on 100,000 clustered 128-d
// vectors (held-out queries from the same mixture), and a saved-then-loaded
// graph answering exactly like the one built.
TEST(HnswRecallTest, Recall100kClustered) {
  const int dim = 128;
  const size_t n = 100000;
  // Held-out queries: 300 extra draws from the same mixture.
  auto mixed = ClusteredVectors(n + 300, dim, 100, 0.08f, 42);
  std::vector<float> base(mixed.begin(), mixed.begin() + n * dim);
  std::vector<float> held(mixed.begin() + n * dim, mixed.end());
  HnswOptions o;  // the defaults the CLI uses
  auto t0 = std::chrono::steady_clock::now();
  auto built = HnswIndex::Build(base.data(), n, dim, o);
  ASSERT_TRUE(built.ok());
  double build_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count();
  ExactIndex exact(base.data(), n, dim);
  double recall = MeasureRecallQueries(exact, **built, held.data(), 300, 10);
  std::printf("HNSW 100k x 128: build %.1f s, recall@10 %.4f\n", build_s,
              recall);
  EXPECT_GE(recall, 0.95);

  testing::TempDir dir("hnsw100k");
  const std::string path = (dir.path() / "index.bin").string();
  ASSERT_TRUE((*built)->Save(path).ok());
  auto loaded = HnswIndex::Load(path, base.data(), n, dim, o);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  for (size_t q = 0; q < 300; ++q) {
    ASSERT_EQ((*built)->Search(&held[q * dim], 10),
              (*loaded)->Search(&held[q * dim], 10));
  }
}

}  // namespace
}  // namespace cratedig::recommender
