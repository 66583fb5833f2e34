// Chooses, builds, caches and checks the index a recommender searches.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "recommender/vector_index.h"

namespace cratedig::recommender {

enum class IndexKind { kAuto, kExact, kHnsw };

// "auto" | "exact" | "hnsw".
Result<IndexKind> ParseIndexKind(std::string_view name);
const char* IndexKindName(IndexKind kind);

struct IndexOptions {
  IndexKind kind = IndexKind::kAuto;
  // kAuto picks HNSW at or above this many vectors. Default: 50,000: exact
  // search costs ~33 ns per 128-d vector per query on one core, so at 50,000
  // a query takes ~1.7 ms; below that exact is both fast enough and perfect.
  size_t hnsw_threshold = 50000;
  HnswOptions hnsw;
  // Where HNSW graphs are saved and reloaded from, one file per content
  // fingerprint. Default: "" = build in memory each time.
  std::string cache_dir;
  // Queries used to measure an HNSW index's recall@recall_k against exact
  // search. Default: 200 (0 = do not measure).
  size_t recall_queries = 200;
  int recall_k = 10;
};

struct IndexReport {
  std::string kind;  // "exact" | "hnsw"
  size_t vectors = 0;
  bool from_cache = false;       // HNSW graph loaded from cache_path
  std::string cache_path;        // "" when not cached
  double build_seconds = 0;      // build or load time
  std::optional<double> recall;  // HNSW only, when measured
  int recall_k = 10;
};

// The cache file name for these vectors and settings:
// "hnsw-<n>x<dim>-m<M>-ef<efc>-<sha256 prefix of the vectors>.bin".
std::string HnswCacheName(const float* data, size_t n, int dim,
                          const HnswOptions& o);

// Builds the index `options` asks for over n rows of dim floats (unit
// length). HNSW: loads cache_dir/HnswCacheName(...) when it is valid, else
// builds and saves it there (a broken cache file is rebuilt, not fatal).
// `report` (may be null) says what was done.
Result<std::unique_ptr<VectorIndex>> MakeIndex(
    const float* data, size_t n, int dim, const IndexOptions& options,
    IndexReport* report = nullptr, const ProgressFn& progress = {},
    const CancelFlag* cancel = nullptr);

}  // namespace cratedig::recommender
