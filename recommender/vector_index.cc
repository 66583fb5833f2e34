#include "recommender/vector_index.h"

// hnswlib's SSE code path prefetches the neighbour after the last one of a
// link list: when an upper-layer list is full, that reads 4 bytes past its
// malloc'd block (a heap-buffer-overflow ASan reports in every build with
// m links; nmslib/hnswlib#107, still open upstream and in Debian's 0.6.2).
// NO_MANUAL_VECTORIZATION compiles hnswlib without that path (and without
// its SSE distances); HnswSpace below brings back a vectorised distance.
// This must be the only file that includes hnswlib (one definition of its
// templates per program).
#define NO_MANUAL_VECTORIZATION
#include <hnswlib/hnswlib.h>
#ifdef USE_SSE
#error "hnswlib's SSE prefetch overreads its link lists: keep it off"
#endif
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <random>
#include <thread>
#include <unordered_set>

#include "core/files.h"

namespace cratedig::recommender {

namespace {

// An AVX2 clone of a function beside the portable one, picked by an ifunc
// resolver at load time. Not under ThreadSanitizer: it instruments the
// resolver, which the dynamic loader runs before TSan is initialised (a
// crash before main); TSan builds (scripts/tsan) take the portable code.
#if defined(__SANITIZE_THREAD__)
#define CRATEDIG_AVX2_CLONE
#else
#define CRATEDIG_AVX2_CLONE __attribute__((target_clones("avx2", "default")))
#endif

constexpr int kLanes = 16;      // floats per vector step (two AVX registers)
constexpr size_t kBlock = 256;  // rows scored per block (stays in L1)

// <r, q> over `dim` floats. The lane array makes the reduction vectorisable
// without -ffast-math. A tail shorter than the lanes is added lane by lane,
// so the sum is bit-identical to that of the vectors zero-padded to a
// multiple of kLanes (ExactIndex's rows): both indexes give equal scores.
// Always inlined, so it is compiled for each target_clones caller's ISA.
[[gnu::always_inline]] inline float DotLanes(const float* r, const float* q,
                                             size_t dim) {
  float acc[kLanes] = {};
  size_t c = 0;
  for (; c + kLanes <= dim; c += kLanes) {
    for (int l = 0; l < kLanes; ++l) acc[l] += r[c + l] * q[c + l];
  }
  for (size_t l = 0; c + l < dim; ++l) acc[l] += r[c + l] * q[c + l];
  float s = 0;
  for (int l = 0; l < kLanes; ++l) s += acc[l];
  return s;
}

// out[i] = <m[i], q> for n rows of `stride` floats (a multiple of kLanes).
// target_clones gives an AVX2 version picked at load time on machines that
// have it.
CRATEDIG_AVX2_CLONE void DotRows(const float* m, size_t n, int stride,
                                 const float* q, float* out) {
  for (size_t i = 0; i < n; ++i) {
    out[i] = DotLanes(m + i * stride, q, static_cast<size_t>(stride));
  }
}

// hnswlib's distance for unit vectors: -<a, b> (smaller is closer, which is
// all the graph needs), so a search's score is exactly the inner product.
// `dim` points at the vectors' size_t length.
CRATEDIG_AVX2_CLONE float NegativeDot(const void* a, const void* b,
                                      const void* dim) {
  return -DotLanes(static_cast<const float*>(a), static_cast<const float*>(b),
                   *static_cast<const size_t*>(dim));
}

// The inner-product space with our vectorised kernel (hnswlib's own is
// compiled out, see the top of this file).
class HnswSpace final : public hnswlib::SpaceInterface<float> {
 public:
  explicit HnswSpace(int dim) : dim_(static_cast<size_t>(dim)) {}
  size_t get_data_size() override { return dim_ * sizeof(float); }
  hnswlib::DISTFUNC<float> get_dist_func() override { return NegativeDot; }
  void* get_dist_func_param() override { return &dim_; }

 private:
  size_t dim_;
};

// A bounded heap whose top is the worst kept neighbour.
class TopK {
 public:
  explicit TopK(size_t k) : k_(k) { heap_.reserve(k); }
  // True when (row, score) would enter the answer.
  bool Wants(uint32_t row, float score) const {
    if (k_ == 0) return false;
    return heap_.size() < k_ || Better({row, score}, heap_.front());
  }
  void Push(uint32_t row, float score) {
    auto cmp = [](const Neighbor& a, const Neighbor& b) {
      return Better(a, b);
    };
    if (heap_.size() < k_) {
      heap_.push_back({row, score});
      std::push_heap(heap_.begin(), heap_.end(), cmp);
    } else {
      std::pop_heap(heap_.begin(), heap_.end(), cmp);
      heap_.back() = {row, score};
      std::push_heap(heap_.begin(), heap_.end(), cmp);
    }
  }
  std::vector<Neighbor> Sorted() && {
    std::sort(heap_.begin(), heap_.end(), Better);
    return std::move(heap_);
  }

 private:
  size_t k_;
  std::vector<Neighbor> heap_;
};

}  // namespace

// ---- exact -------------------------------------------------------------

ExactIndex::ExactIndex(const float* data, size_t n, int dim)
    : n_(n), dim_(dim), stride_((dim + kLanes - 1) / kLanes * kLanes) {
  data_.assign(n_ * stride_, 0.0f);
  for (size_t i = 0; i < n_; ++i) {
    std::memcpy(&data_[i * stride_], data + i * dim_, dim_ * sizeof(float));
  }
}

void ExactIndex::ScoreAll(const float* q, float* out) const {
  std::vector<float> qp(stride_, 0.0f);
  std::memcpy(qp.data(), q, dim_ * sizeof(float));
  DotRows(data_.data(), n_, stride_, qp.data(), out);
}

std::vector<Neighbor> ExactIndex::Search(const float* q, size_t k,
                                         const RowFilter& keep) const {
  std::vector<float> qp(stride_, 0.0f);
  std::memcpy(qp.data(), q, dim_ * sizeof(float));
  TopK top(std::min(k, n_));
  float scores[kBlock];
  for (size_t b = 0; b < n_; b += kBlock) {
    const size_t m = std::min(kBlock, n_ - b);
    DotRows(&data_[b * stride_], m, stride_, qp.data(), scores);
    for (size_t j = 0; j < m; ++j) {
      const uint32_t row = static_cast<uint32_t>(b + j);
      if (top.Wants(row, scores[j]) && (!keep || keep(row))) {
        top.Push(row, scores[j]);
      }
    }
  }
  return std::move(top).Sorted();
}

// ---- HNSW --------------------------------------------------------------

struct HnswIndex::Impl {
  explicit Impl(int dim) : space(dim) {}
  HnswSpace space;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> graph;
};

HnswIndex::HnswIndex(std::unique_ptr<Impl> impl, size_t n, int dim)
    : impl_(std::move(impl)), n_(n), dim_(dim) {}

HnswIndex::~HnswIndex() = default;

Result<std::unique_ptr<HnswIndex>> HnswIndex::Build(const float* data, size_t n,
                                                    int dim,
                                                    const HnswOptions& o,
                                                    const ProgressFn& progress,
                                                    const CancelFlag* cancel) {
  if (n == 0 || dim <= 0) {
    return Status::InvalidArgument("HNSW index needs at least one vector");
  }
  if (o.m < 2 || o.ef_construction < 1 || o.ef_search < 1) {
    return Status::InvalidArgument("HNSW m >= 2, ef >= 1 required");
  }
  auto impl = std::make_unique<Impl>(dim);
  try {
    impl->graph = std::make_unique<hnswlib::HierarchicalNSW<float>>(
        &impl->space, n, o.m, o.ef_construction, o.seed);
  } catch (const std::exception& e) {
    return Status::IoError(std::string("HNSW allocation failed: ") + e.what());
  }
  impl->graph->setEf(o.ef_search);
  // The first point alone, so every thread starts from a non-empty graph.
  impl->graph->addPoint(data, 0);

  int threads =
      o.threads > 0
          ? o.threads
          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // hnswlib's addPoint is thread-safe but for its level generator, a
  // shared std::minstd_rand drawn under per-element locks: concurrent draws
  // race (ThreadSanitizer shows it) and at worst repeat a level.
  std::atomic<size_t> next{1};
  std::atomic<bool> stop{false};
  auto work = [&] {
    for (;;) {
      if (stop.load(std::memory_order_relaxed)) return;
      size_t i = next.fetch_add(1);
      if (i >= n) return;
      impl->graph->addPoint(data + i * dim, i);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  // The calling thread works too, and alone reports progress (ProgressFn
  // implementations need not be thread-safe).
  for (;;) {
    if (cancel && cancel->stop()) stop = true;
    if (stop) break;
    size_t i = next.fetch_add(1);
    if (i >= n) break;
    impl->graph->addPoint(data + i * dim, i);
    if (progress && i % 4096 == 0) {
      Report(progress, {"index", static_cast<int64_t>(std::min(i, n)),
                        static_cast<int64_t>(n), "vectors", "HNSW build"});
    }
  }
  for (auto& t : pool) t.join();
  if (stop) return Status::Cancelled("HNSW build cancelled");
  Report(progress, {"index", static_cast<int64_t>(n), static_cast<int64_t>(n),
                    "vectors", "HNSW build"});
  return std::unique_ptr<HnswIndex>(new HnswIndex(std::move(impl), n, dim));
}

Result<std::unique_ptr<HnswIndex>> HnswIndex::Load(const std::string& path,
                                                   const float* data, size_t n,
                                                   int dim,
                                                   const HnswOptions& o) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return Status::NotFound("no HNSW index file " + path);
  }
  auto impl = std::make_unique<Impl>(dim);
  try {
    impl->graph = std::make_unique<hnswlib::HierarchicalNSW<float>>(
        &impl->space, path, false, n);
  } catch (const std::exception& e) {
    return Status::Corrupt("HNSW index " + path + ": " + e.what());
  }
  auto& g = *impl->graph;
  if (g.cur_element_count != n ||
      g.data_size_ != static_cast<size_t>(dim) * sizeof(float)) {
    return Status::Corrupt("HNSW index " + path + " holds " +
                           std::to_string(g.cur_element_count) +
                           " vectors of another shape, expected " +
                           std::to_string(n) + " x " + std::to_string(dim));
  }
  // Spot-check stored vectors against ours: a stale file for other data is
  // caught even when the counts agree.
  const size_t checks = std::min<size_t>(n, 64);
  for (size_t c = 0; c < checks; ++c) {
    const size_t label = c * (n / checks);
    auto it = g.label_lookup_.find(label);
    if (it == g.label_lookup_.end() ||
        std::memcmp(g.getDataByInternalId(it->second), data + label * dim,
                    dim * sizeof(float)) != 0) {
      return Status::Corrupt("HNSW index " + path +
                             " was built from other vectors");
    }
  }
  g.setEf(o.ef_search);
  return std::unique_ptr<HnswIndex>(new HnswIndex(std::move(impl), n, dim));
}

Status HnswIndex::Save(const std::string& path) const {
  namespace fs = std::filesystem;
  fs::path target(path);
  std::error_code ec;
  if (target.has_parent_path())
    fs::create_directories(target.parent_path(), ec);
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  try {
    impl_->graph->saveIndex(tmp);
  } catch (const std::exception& e) {
    fs::remove(tmp, ec);
    return Status::IoError("cannot write HNSW index " + tmp + ": " + e.what());
  }
  // hnswlib does not report write errors: check the size it must have.
  auto& g = *impl_->graph;
  uintmax_t min_bytes = g.cur_element_count * g.size_data_per_element_;
  uintmax_t got = fs::file_size(tmp, ec);
  if (ec || got < min_bytes) {
    fs::remove(tmp, ec);
    return Status::IoError("short write of HNSW index " + path);
  }
  return CommitTempFile(tmp, path);
}

std::vector<Neighbor> HnswIndex::Search(const float* q, size_t k,
                                        const RowFilter& keep) const {
  k = std::min(k, n_);
  if (k == 0) return {};
  // hnswlib 0.6 has no search filter: over-fetch and filter, widening until
  // enough rows pass or the whole index has been asked for.
  size_t fetch = keep ? std::min(n_, k + 16) : k;
  for (;;) {
    auto pq = impl_->graph->searchKnn(q, fetch);
    std::vector<Neighbor> out;
    out.reserve(pq.size());
    while (!pq.empty()) {
      const auto& [dist, label] = pq.top();
      // HnswSpace's distance is -<a, b>.
      out.push_back({static_cast<uint32_t>(label), -dist});
      pq.pop();
    }
    std::sort(out.begin(), out.end(), Better);
    if (keep) {
      std::erase_if(out, [&](const Neighbor& nb) { return !keep(nb.row); });
    }
    if (out.size() >= k || fetch >= n_) {
      if (out.size() > k) out.resize(k);
      return out;
    }
    fetch = std::min(n_, fetch * 4);
  }
}

void HnswIndex::set_ef_search(int ef) { impl_->graph->setEf(ef); }

// ---- recall --------------------------------------------------------------

namespace {
double Overlap(const std::vector<Neighbor>& truth,
               const std::vector<Neighbor>& got) {
  if (truth.empty()) return 1.0;
  std::unordered_set<uint32_t> want;
  for (const auto& t : truth) want.insert(t.row);
  size_t hit = 0;
  for (const auto& g : got) hit += want.count(g.row);
  return static_cast<double>(hit) / truth.size();
}
}  // namespace

double MeasureRecall(const VectorIndex& truth, const VectorIndex& approx,
                     const float* data, size_t n, int dim, size_t queries,
                     size_t k, uint64_t seed) {
  if (n == 0 || queries == 0) return 1.0;
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<size_t> pick(0, n - 1);
  double sum = 0;
  for (size_t i = 0; i < queries; ++i) {
    const uint32_t q = static_cast<uint32_t>(queries >= n ? i % n : pick(rng));
    auto not_self = [q](uint32_t row) { return row != q; };
    sum += Overlap(
        truth.Search(data + static_cast<size_t>(q) * dim, k, not_self),
        approx.Search(data + static_cast<size_t>(q) * dim, k, not_self));
  }
  return sum / queries;
}

double MeasureRecallQueries(const VectorIndex& truth, const VectorIndex& approx,
                            const float* queries, size_t nq, size_t k) {
  if (nq == 0) return 1.0;
  const int dim = truth.dim();
  double sum = 0;
  for (size_t i = 0; i < nq; ++i) {
    sum += Overlap(truth.Search(queries + i * dim, k),
                   approx.Search(queries + i * dim, k));
  }
  return sum / nq;
}

}  // namespace cratedig::recommender
