// Cosine top-k over L2-normalised vectors: exact, and approximate (HNSW).
//
// Every index answers the same question: the k rows with the highest inner
// product with a unit-length query (= cosine similarity), best first, ties
// broken by ascending row so answers are deterministic. Rows are positions
// in the matrix the index was built from (EmbeddingSet rows); callers map
// them to track ids.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/progress.h"
#include "core/status.h"

namespace cratedig::recommender {

struct Neighbor {
  uint32_t row = 0;
  float score = 0;  // inner product = cosine similarity for unit vectors
  bool operator==(const Neighbor&) const = default;
};

// True when a row may be returned. Called only for rows that would enter
// the answer, so it may be moderately expensive. Empty: keep every row.
using RowFilter = std::function<bool(uint32_t row)>;

// The order of answers: higher score first, then lower row.
inline bool Better(const Neighbor& a, const Neighbor& b) {
  return a.score > b.score || (a.score == b.score && a.row < b.row);
}

class VectorIndex {
 public:
  virtual ~VectorIndex() = default;
  // REQUIRES: q has dim() values (unit length for cosine). Returns at most
  // k neighbours that pass `keep`, best first. Thread-safe (const).
  virtual std::vector<Neighbor> Search(const float* q, size_t k,
                                       const RowFilter& keep = {}) const = 0;
  virtual std::string_view kind() const = 0;  // "exact" | "hnsw"
  virtual size_t size() const = 0;
  virtual int dim() const = 0;
};

// Brute force: one matrix-vector product (a vectorised loop over rows padded
// to 16 floats) and a bounded heap for the top k. ~0.3 ms per query at
// 9,000 x 128 on one core; linear in rows.
class ExactIndex final : public VectorIndex {
 public:
  // Copies n rows of dim floats.
  ExactIndex(const float* data, size_t n, int dim);

  std::vector<Neighbor> Search(const float* q, size_t k,
                               const RowFilter& keep = {}) const override;
  std::string_view kind() const override { return "exact"; }
  size_t size() const override { return n_; }
  int dim() const override { return dim_; }

  // out[i] = <row i, q> for every row. REQUIRES: out has size() floats.
  void ScoreAll(const float* q, float* out) const;

 private:
  size_t n_;
  int dim_;
  int stride_;  // dim_ rounded up to 16
  std::vector<float> data_;
};

struct HnswOptions {
  // Links per node. Default: 16 (hnswlib's recommendation for 128-d).
  int m = 16;
  // Candidate list while building. Default: 200; higher builds slower and
  // gives better recall.
  int ef_construction = 200;
  // Candidate list while searching; raised to k when smaller. Default: 64
  // (recall@10 >= 0.95 on clustered 128-d data up to 1M rows; see
  // bench/recommender/README.md).
  int ef_search = 64;
  // Build threads. Default: 0 = all cores.
  int threads = 0;
  // Seed of the level generator. Default: 100.
  uint64_t seed = 100;
};

// Hierarchical navigable small-world graph (hnswlib, inner-product space).
class HnswIndex final : public VectorIndex {
 public:
  ~HnswIndex() override;

  // Builds over n rows of dim floats (copied into the graph). Polls
  // `cancel`; reports progress as stage "index", unit "vectors".
  static Result<std::unique_ptr<HnswIndex>> Build(
      const float* data, size_t n, int dim, const HnswOptions& options,
      const ProgressFn& progress = {}, const CancelFlag* cancel = nullptr);

  // Loads a file written by Save() and checks that it holds exactly these
  // n rows (count and a sample of stored vectors). Corrupt on mismatch.
  static Result<std::unique_ptr<HnswIndex>> Load(const std::string& path,
                                                 const float* data, size_t n,
                                                 int dim,
                                                 const HnswOptions& options);

  // Writes the graph atomically (temp file + rename).
  Status Save(const std::string& path) const;

  std::vector<Neighbor> Search(const float* q, size_t k,
                               const RowFilter& keep = {}) const override;
  std::string_view kind() const override { return "hnsw"; }
  size_t size() const override { return n_; }
  int dim() const override { return dim_; }

  // Not thread-safe with concurrent Search calls.
  void set_ef_search(int ef);

 private:
  struct Impl;
  explicit HnswIndex(std::unique_ptr<Impl> impl, size_t n, int dim);
  std::unique_ptr<Impl> impl_;
  size_t n_;
  int dim_;
};

// Share of the true top-k (by `truth`) that `approx` returns, averaged over
// `queries` rows of `data` picked with `seed` (each query's own row is
// excluded from both answers, as a recommendation excludes the track).
double MeasureRecall(const VectorIndex& truth, const VectorIndex& approx,
                     const float* data, size_t n, int dim, size_t queries,
                     size_t k, uint64_t seed = 7);

// The same for external query vectors (nq x dim).
double MeasureRecallQueries(const VectorIndex& truth, const VectorIndex& approx,
                            const float* queries, size_t nq, size_t k);

}  // namespace cratedig::recommender
