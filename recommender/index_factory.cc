#include "recommender/index_factory.h"

#include <chrono>
#include <filesystem>

#include "core/files.h"

namespace cratedig::recommender {

Result<IndexKind> ParseIndexKind(std::string_view name) {
  if (name == "auto") return IndexKind::kAuto;
  if (name == "exact") return IndexKind::kExact;
  if (name == "hnsw") return IndexKind::kHnsw;
  return Status::InvalidArgument("unknown index kind '" + std::string(name) +
                                 "' (expected auto, exact or hnsw)");
}

const char* IndexKindName(IndexKind kind) {
  switch (kind) {
    case IndexKind::kAuto:
      return "auto";
    case IndexKind::kExact:
      return "exact";
    case IndexKind::kHnsw:
      return "hnsw";
  }
  return "?";
}

std::string HnswCacheName(const float* data, size_t n, int dim,
                          const HnswOptions& o) {
  std::string_view bytes(reinterpret_cast<const char*>(data),
                         n * dim * sizeof(float));
  return "hnsw-" + std::to_string(n) + "x" + std::to_string(dim) + "-m" +
         std::to_string(o.m) + "-ef" + std::to_string(o.ef_construction) + "-" +
         Sha256Hex(bytes).substr(0, 16) + ".bin";
}

Result<std::unique_ptr<VectorIndex>> MakeIndex(
    const float* data, size_t n, int dim, const IndexOptions& options,
    IndexReport* report, const ProgressFn& progress, const CancelFlag* cancel) {
  IndexReport local;
  IndexReport& r = report ? *report : local;
  r = IndexReport{};
  r.vectors = n;
  r.recall_k = options.recall_k;
  const auto start = std::chrono::steady_clock::now();
  auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                         start)
        .count();
  };

  const bool hnsw =
      options.kind == IndexKind::kHnsw ||
      (options.kind == IndexKind::kAuto && n >= options.hnsw_threshold);
  if (!hnsw || n == 0) {
    r.kind = "exact";
    auto exact = std::make_unique<ExactIndex>(data, n, dim);
    r.build_seconds = seconds();
    return std::unique_ptr<VectorIndex>(std::move(exact));
  }

  r.kind = "hnsw";
  std::unique_ptr<HnswIndex> index;
  if (!options.cache_dir.empty()) {
    r.cache_path = (std::filesystem::path(options.cache_dir) /
                    HnswCacheName(data, n, dim, options.hnsw))
                       .string();
    auto loaded = HnswIndex::Load(r.cache_path, data, n, dim, options.hnsw);
    if (loaded.ok()) {
      index = std::move(loaded).value();
      r.from_cache = true;
    }
  }
  if (!index) {
    CRATEDIG_ASSIGN_OR_RETURN(
        index, HnswIndex::Build(data, n, dim, options.hnsw, progress, cancel));
    if (!r.cache_path.empty()) {
      CRATEDIG_RETURN_IF_ERROR(index->Save(r.cache_path));
    }
  }
  r.build_seconds = seconds();
  if (options.recall_queries > 0) {
    ExactIndex exact(data, n, dim);
    r.recall =
        MeasureRecall(exact, *index, data, n, dim,
                      std::min(options.recall_queries, n), options.recall_k);
  }
  return std::unique_ptr<VectorIndex>(std::move(index));
}

}  // namespace cratedig::recommender
