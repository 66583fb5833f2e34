// Recommender index benchmark: build time, single-query latency (p50, p99)
// and recall@10 of exact and HNSW search over clustered 128-d vectors (and
// optionally a run's real embeddings). Writes the vectors as .npy so
// sklearn_bench.py measures scikit-learn on exactly the same data.
//
//   recommender_bench [--sizes 9000,1000000] [--out DIR] [--queries N]
//                     [--db cratedig.db [--run ID]] [--ef-search 64]
//                     [--ef-construction 200] [--m 16] [--keep-index 1]
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "db/database.h"
#include "db/model_tables.h"
#include "recommender/embedding_set.h"
#include "recommender/index_factory.h"
#include "recommender/vector_index.h"

namespace rec = cratedig::recommender;
using Clock = std::chrono::steady_clock;

namespace {

double Seconds(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// n unit vectors around `clusters` centres (see tests/recommender/
// clustered.h): the first `n` rows are the base, the rest the queries.
std::vector<float> Clustered(size_t n, int dim, int clusters, float spread,
                             uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> g(0.0f, 1.0f);
  std::vector<float> centres(static_cast<size_t>(clusters) * dim);
  for (float& c : centres) c = g(rng);
  for (int c = 0; c < clusters; ++c) rec::NormalizeL2(&centres[c * dim], dim);
  std::uniform_int_distribution<int> pick(0, clusters - 1);
  std::vector<float> out(n * dim);
  for (size_t i = 0; i < n; ++i) {
    const float* c = &centres[static_cast<size_t>(pick(rng)) * dim];
    for (int d = 0; d < dim; ++d) out[i * dim + d] = c[d] + spread * g(rng);
    rec::NormalizeL2(&out[i * dim], dim);
  }
  return out;
}

// NumPy .npy v1.0, little-endian float32 or int64, C order.
void WriteNpy(const std::filesystem::path& p, const void* data, size_t rows,
              size_t cols, const char* dtype, size_t item) {
  std::string header = "{'descr': '" + std::string(dtype) +
                       "', 'fortran_order': False, 'shape': (" +
                       std::to_string(rows) + ", " + std::to_string(cols) +
                       "), }";
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::ofstream f(p, std::ios::binary);
  f.write("\x93NUMPY\x01\x00", 8);
  uint16_t len = static_cast<uint16_t>(header.size());
  f.write(reinterpret_cast<const char*>(&len), 2);
  f << header;
  f.write(static_cast<const char*>(data), rows * cols * item);
}

struct Latency {
  double p50_ms = 0, p99_ms = 0, mean_ms = 0;
  double cpu_p99_ms = 0;  // thread CPU time: immune to preemption by other
                          // processes on a shared machine
};

double ThreadCpuMs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

double Percentile(std::vector<double> v, int pct) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, v.size() * pct / 100)];
}

Latency Measure(const rec::VectorIndex& index, const float* queries, size_t nq,
                int dim, std::vector<std::vector<rec::Neighbor>>* answers) {
  std::vector<double> ms, cpu;
  ms.reserve(nq);
  cpu.reserve(nq);
  if (answers) answers->clear();
  for (size_t i = 0; i < nq; ++i) {
    const double c0 = ThreadCpuMs();
    auto t0 = Clock::now();
    auto nb = index.Search(queries + i * dim, 10);
    ms.push_back(Seconds(t0) * 1e3);
    cpu.push_back(ThreadCpuMs() - c0);
    if (answers) answers->push_back(std::move(nb));
  }
  Latency l;
  l.p50_ms = Percentile(ms, 50);
  l.p99_ms = Percentile(ms, 99);
  l.cpu_p99_ms = Percentile(cpu, 99);
  for (double x : ms) l.mean_ms += x / ms.size();
  return l;
}

double Recall(const std::vector<std::vector<rec::Neighbor>>& truth,
              const std::vector<std::vector<rec::Neighbor>>& got) {
  double sum = 0;
  for (size_t i = 0; i < truth.size(); ++i) {
    size_t hit = 0;
    for (const auto& t : truth[i]) {
      for (const auto& g : got[i]) hit += g.row == t.row;
    }
    sum += truth[i].empty() ? 1.0 : double(hit) / truth[i].size();
  }
  return truth.empty() ? 1.0 : sum / truth.size();
}

struct Args {
  std::vector<size_t> sizes = {9000, 1000000};
  std::string out = "bench-recommender";
  size_t queries = 1000;
  std::string db;
  int64_t run = 0;
  rec::HnswOptions hnsw;
  bool keep_index = true;  // --keep-index 0 removes the saved graph
};

void RunOne(const std::string& name, const std::vector<float>& base, size_t n,
            const std::vector<float>& queries, size_t nq, int dim,
            const Args& a) {
  namespace fs = std::filesystem;
  fs::create_directories(a.out);
  WriteNpy(fs::path(a.out) / (name + "_base.npy"), base.data(), n, dim, "<f4",
           4);
  WriteNpy(fs::path(a.out) / (name + "_queries.npy"), queries.data(), nq, dim,
           "<f4", 4);

  auto t0 = Clock::now();
  rec::ExactIndex exact(base.data(), n, dim);
  double exact_build = Seconds(t0);
  std::vector<std::vector<rec::Neighbor>> truth;
  Latency le = Measure(exact, queries.data(), nq, dim, &truth);
  // Ground truth ids for sklearn_bench.py's recall.
  std::vector<int64_t> ids(nq * 10, -1);
  for (size_t i = 0; i < nq; ++i) {
    for (size_t j = 0; j < truth[i].size() && j < 10; ++j) {
      ids[i * 10 + j] = truth[i][j].row;
    }
  }
  WriteNpy(fs::path(a.out) / (name + "_truth.npy"), ids.data(), nq, 10, "<i8",
           8);
  std::printf("| %s | %zu | exact | %.3f | %.3f | %.3f | %.3f | 1.000 |\n",
              name.c_str(), n, exact_build, le.p50_ms, le.p99_ms,
              le.cpu_p99_ms);
  std::fflush(stdout);

  // A graph kept from an earlier run of the same vectors and settings is
  // reloaded (the build column then says "loaded"): the 1M build takes
  // minutes, and query latency is worth re-measuring on a quiet machine.
  auto path = fs::path(a.out) /
              (name + "-" + rec::HnswCacheName(base.data(), n, dim, a.hnsw));
  t0 = Clock::now();
  auto hnsw = rec::HnswIndex::Load(path.string(), base.data(), n, dim, a.hnsw);
  const bool reused = hnsw.ok();
  if (!reused) {
    t0 = Clock::now();
    hnsw = rec::HnswIndex::Build(base.data(), n, dim, a.hnsw);
  }
  double hnsw_build = Seconds(t0);
  if (!hnsw.ok()) {
    std::fprintf(stderr, "HNSW: %s\n", hnsw.status().ToString().c_str());
    return;
  }
  std::vector<std::vector<rec::Neighbor>> got;
  Latency lh = Measure(**hnsw, queries.data(), nq, dim, &got);
  double recall = Recall(truth, got);
  // Save + load round trip time (what `serve` pays on a restart).
  t0 = Clock::now();
  cratedig::Status st = (*hnsw)->Save(path.string());
  double save_s = Seconds(t0);
  t0 = Clock::now();
  auto loaded =
      rec::HnswIndex::Load(path.string(), base.data(), n, dim, a.hnsw);
  double load_s = Seconds(t0);
  if (!a.keep_index) fs::remove(path);
  std::printf(
      "| %s | %zu | hnsw (M=%d, efC=%d, ef=%d) | %s%.3f | %.3f | %.3f | %.3f |"
      " %.3f | save %.2f s, load %.2f s%s\n",
      name.c_str(), n, a.hnsw.m, a.hnsw.ef_construction, a.hnsw.ef_search,
      reused ? "loaded " : "", hnsw_build, lh.p50_ms, lh.p99_ms, lh.cpu_p99_ms,
      recall, save_s, load_s,
      st.ok() && loaded.ok() ? "" : " (save/load FAILED)");
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--sizes") {
      a.sizes.clear();
      size_t pos = 0;
      while (pos < v.size()) {
        size_t c = v.find(',', pos);
        if (c == std::string::npos) c = v.size();
        a.sizes.push_back(std::stoull(v.substr(pos, c - pos)));
        pos = c + 1;
      }
    } else if (k == "--out") {
      a.out = v;
    } else if (k == "--queries") {
      a.queries = std::stoull(v);
    } else if (k == "--db") {
      a.db = v;
    } else if (k == "--run") {
      a.run = std::stoll(v);
    } else if (k == "--ef-search") {
      a.hnsw.ef_search = std::stoi(v);
    } else if (k == "--ef-construction") {
      a.hnsw.ef_construction = std::stoi(v);
    } else if (k == "--keep-index") {
      a.keep_index = v != "0";
    } else if (k == "--m") {
      a.hnsw.m = std::stoi(v);
    } else {
      std::fprintf(stderr, "unknown flag %s\n", k.c_str());
      return 2;
    }
  }
  const int dim = 128;
  std::printf(
      "| data | vectors | index | build s | p50 ms | p99 ms | p99 cpu ms | "
      "recall@10 |\n"
      "|---|---|---|---|---|---|---|---|\n");
  for (size_t n : a.sizes) {
    // ~1,000 tracks per cluster, as a genre-and-style mixture would give.
    const int clusters = static_cast<int>(std::max<size_t>(9, n / 1000));
    auto all = Clustered(n + a.queries, dim, clusters, 0.08f, 42);
    std::vector<float> base(all.begin(), all.begin() + n * dim);
    std::vector<float> queries(all.begin() + n * dim, all.end());
    all.clear();
    all.shrink_to_fit();
    RunOne("clustered" + std::to_string(n), base, n, queries, a.queries, dim,
           a);
  }
  if (!a.db.empty()) {
    auto db = cratedig::db::Database::Open(a.db);
    if (!db.ok()) {
      std::fprintf(stderr, "%s\n", db.status().ToString().c_str());
      return 1;
    }
    std::optional<int64_t> want;
    if (a.run) want = a.run;
    auto run = cratedig::db::ModelRunsTable(**db).Resolve(
        want, cratedig::db::RunNeed::kEmbedded);
    auto set = run.ok() ? rec::LoadEmbeddings(**db, run->id)
                        : cratedig::Result<rec::EmbeddingSet>(run.status());
    if (!set.ok()) {
      std::fprintf(stderr, "%s\n", set.status().ToString().c_str());
      return 1;
    }
    // The catalogue's own tracks as queries, as `recommend --track` does.
    const size_t nq = std::min(a.queries, set->size());
    std::vector<float> queries(set->vectors.begin(),
                               set->vectors.begin() + nq * set->dim);
    RunOne("run" + std::to_string(run->id), set->vectors, set->size(), queries,
           nq, set->dim, a);
  }
  return 0;
}
