#include "dataset/splits.h"

#include <algorithm>
#include <array>
#include <tuple>

#include "core/files.h"

namespace cratedig::dataset {

uint64_t OrderKey(int64_t seed, const std::string& store_id) {
  const std::string h =
      Sha256Hex(std::to_string(seed) + "\n" + store_id).substr(0, 16);
  return std::stoull(h, nullptr, 16);
}

namespace {

struct Keyed {
  uint64_t key;
  Candidate c;
};

std::vector<Keyed> SortByGenreAndKey(std::vector<Candidate> cs, int64_t seed) {
  std::vector<Keyed> out;
  out.reserve(cs.size());
  for (Candidate& c : cs) {
    const uint64_t k = OrderKey(seed, c.store_id);
    out.push_back({k, std::move(c)});
  }
  std::sort(out.begin(), out.end(), [](const Keyed& a, const Keyed& b) {
    return std::tie(a.c.parent_genre, a.key, a.c.store_id) <
           std::tie(b.c.parent_genre, b.key, b.c.store_id);
  });
  return out;
}

int64_t Total(const SplitCounts& counts, const std::string& genre) {
  auto it = counts.find(genre);
  if (it == counts.end()) return 0;
  int64_t n = 0;
  for (const auto& [split, count] : it->second) n += count;
  return n;
}

}  // namespace

std::vector<Candidate> SelectCandidates(std::vector<Candidate> pending,
                                        const SplitCounts& existing,
                                        const config::DatasetSettings& s) {
  std::vector<Keyed> sorted = SortByGenreAndKey(std::move(pending), s.seed);
  std::vector<Candidate> out;
  out.reserve(sorted.size());
  std::map<std::string, int64_t> taken;
  for (Keyed& k : sorted) {
    const std::string& g = k.c.parent_genre;
    if (!taken.count(g)) taken[g] = Total(existing, g);
    if (s.tracks_per_genre > 0 && taken[g] >= s.tracks_per_genre) continue;
    ++taken[g];
    out.push_back(std::move(k.c));
  }
  return out;
}

std::map<int64_t, std::string> AssignSplits(
    const std::vector<Candidate>& pending, const SplitCounts& existing,
    const config::DatasetSettings& s) {
  const double target[3] = {s.train_fraction, s.val_fraction,
                            s.holdout_fraction};
  std::vector<Keyed> sorted = SortByGenreAndKey(pending, s.seed);
  std::map<std::string, std::array<int64_t, 3>> counts;
  std::map<int64_t, std::string> out;
  for (const Keyed& k : sorted) {
    const std::string& g = k.c.parent_genre;
    auto it = counts.find(g);
    if (it == counts.end()) {
      std::array<int64_t, 3> init{0, 0, 0};
      auto e = existing.find(g);
      if (e != existing.end()) {
        for (int i = 0; i < 3; ++i) {
          auto f = e->second.find(kSplitNames[i]);
          if (f != e->second.end()) init[static_cast<size_t>(i)] = f->second;
        }
      }
      it = counts.emplace(g, init).first;
    }
    std::array<int64_t, 3>& c = it->second;
    const int64_t next = c[0] + c[1] + c[2] + 1;
    int best = 0;
    double best_deficit = -1e300;
    for (int i = 0; i < 3; ++i) {
      const double deficit = target[i] * static_cast<double>(next) -
                             static_cast<double>(c[static_cast<size_t>(i)]);
      if (target[i] > 0 && deficit > best_deficit + 1e-12) {
        best = i;
        best_deficit = deficit;
      }
    }
    ++c[static_cast<size_t>(best)];
    out[k.c.track_id] = kSplitNames[best];
  }
  return out;
}

}  // namespace cratedig::dataset
