// Synthetic embeddings: a mixture of Gaussian clusters on the unit sphere,
// the shape real track embeddings have (uniform random vectors are HNSW's
// worst case and say nothing about our data).
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "recommender/embedding_set.h"

namespace cratedig::recommender::testing {

// n unit vectors of `dim` floats around `clusters` random unit centres,
// with per-coordinate noise `spread` before normalisation.
inline std::vector<float> ClusteredVectors(size_t n, int dim, int clusters,
                                           float spread, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> g(0.0f, 1.0f);
  std::vector<float> centres(static_cast<size_t>(clusters) * dim);
  for (float& c : centres) c = g(rng);
  for (int c = 0; c < clusters; ++c) NormalizeL2(&centres[c * dim], dim);
  std::uniform_int_distribution<int> pick(0, clusters - 1);
  std::vector<float> out(n * dim);
  for (size_t i = 0; i < n; ++i) {
    const float* c = &centres[static_cast<size_t>(pick(rng)) * dim];
    for (int d = 0; d < dim; ++d) out[i * dim + d] = c[d] + spread * g(rng);
    NormalizeL2(&out[i * dim], dim);
  }
  return out;
}

}  // namespace cratedig::recommender::testing
