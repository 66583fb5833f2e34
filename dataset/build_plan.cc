#include "dataset/build_plan.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "dataset/splits.h"

namespace cratedig::dataset {

namespace fs = std::filesystem;

namespace {

// Removes "<name>.tmp.<pid>" files (track_processor.cc's temp tiles) that
// a killed run left under `dir`: those whose pid is no live process. A temp
// file of a live process (another build of this dataset) is left alone.
Result<int64_t> RemoveStaleTempFiles(const fs::path& dir) {
  int64_t removed = 0;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return removed;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const std::string name = it->path().filename().string();
    const size_t at = name.rfind(".tmp.");
    if (at == std::string::npos || at + 5 >= name.size()) continue;
    const std::string digits = name.substr(at + 5);
    if (digits.find_first_not_of("0123456789") != std::string::npos ||
        digits.size() > 9) {
      continue;
    }
    const pid_t pid = static_cast<pid_t>(std::stol(digits));
    const bool alive =
        pid == ::getpid() || ::kill(pid, 0) == 0 || errno == EPERM;
    if (alive) continue;
    std::error_code rm;
    if (fs::remove(it->path(), rm)) ++removed;
  }
  if (ec) {
    return Status::IoError("cannot list " + dir.string() + ": " + ec.message());
  }
  return removed;
}

// Sorts by the seeded key, which interleaves the genres.
void InterleaveBySeed(int64_t seed, std::vector<Candidate>& chosen) {
  std::vector<std::pair<uint64_t, Candidate>> keyed;
  keyed.reserve(chosen.size());
  for (Candidate& c : chosen) {
    const uint64_t k = OrderKey(seed, c.store_id);
    keyed.emplace_back(k, std::move(c));
  }
  std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first, a.second.track_id) <
           std::tie(b.first, b.second.track_id);
  });
  chosen.clear();
  for (auto& [k, c] : keyed) chosen.push_back(std::move(c));
}

}  // namespace

Result<fs::path> TilesRoot(const std::string& out_dir) {
  std::error_code ec;
  fs::path out = fs::absolute(out_dir, ec);
  if (ec) return Status::IoError("cannot resolve " + out_dir);
  out = out.lexically_normal();
  if (!out.has_filename() && out.has_parent_path()) out = out.parent_path();
  fs::create_directories(out, ec);
  if (ec) {
    return Status::IoError("cannot create " + out.string() + ": " +
                           ec.message());
  }
  return out;
}

Status PrepareDataset(const config::DatasetSettings& s, const BuildOptions& o,
                      const fs::path& root, db::DatasetsTable& table,
                      BuildReport& r) {
  CRATEDIG_ASSIGN_OR_RETURN(auto existing_set, table.Get(r.dataset_hash));
  if (existing_set && existing_set->tiles_dir != r.tiles_dir) {
    return Status::InvalidArgument(
        "dataset " + r.dataset_hash + " was built into " +
        existing_set->tiles_dir + "; pass --out " + existing_set->tiles_dir +
        " to add to it (its tile paths are relative to that folder)");
  }
  CRATEDIG_RETURN_IF_ERROR(
      table.Ensure({r.dataset_hash, s.ToToml(), r.tiles_dir, 0}));
  CRATEDIG_ASSIGN_OR_RETURN(r.stale_temp_removed,
                            RemoveStaleTempFiles(root / r.dataset_hash));
  if (o.retry_failed) {
    CRATEDIG_ASSIGN_OR_RETURN(r.retried,
                              table.DeleteFailedTracks(r.dataset_hash));
  }
  return Status::Ok();
}

Result<std::vector<BuildJob>> PlanJobs(const config::DatasetSettings& s,
                                       const BuildOptions& o,
                                       db::DatasetsTable& table,
                                       BuildReport& r) {
  // What is there, what is done, what is left.
  CRATEDIG_ASSIGN_OR_RETURN(std::vector<db::DatasetSource> sources,
                            table.ListSources());
  CRATEDIG_ASSIGN_OR_RETURN(std::vector<db::DatasetTrackRecord> done_rows,
                            table.ListTracks(r.dataset_hash));
  std::map<int64_t, const db::DatasetSource*> by_id;
  for (const auto& src : sources) by_id[src.track_id] = &src;
  std::set<int64_t> done_ids;
  SplitCounts existing;
  for (const auto& row : done_rows) {
    done_ids.insert(row.track_id);
    auto it = by_id.find(row.track_id);
    if (row.ok && it != by_id.end() && it->second->parent_genre) {
      ++existing[*it->second->parent_genre][row.split];
    }
  }
  r.sources = static_cast<int64_t>(sources.size());
  std::vector<Candidate> pending;
  for (const auto& src : sources) {
    if (!src.parent_genre || src.parent_genre->empty() ||
        std::find(s.parent_genres.begin(), s.parent_genres.end(),
                  *src.parent_genre) == s.parent_genres.end()) {
      ++r.no_genre;  // not one of this dataset's labels
      continue;
    }
    if (done_ids.count(src.track_id)) {
      ++r.already_done;
      continue;
    }
    pending.push_back({src.track_id, src.store_id, *src.parent_genre});
  }
  const size_t before_limit = pending.size();
  std::vector<Candidate> chosen = SelectCandidates(pending, existing, s);
  InterleaveBySeed(s.seed, chosen);
  if (o.max_tracks > 0 && static_cast<int64_t>(chosen.size()) > o.max_tracks) {
    chosen.resize(static_cast<size_t>(o.max_tracks));
  }
  r.over_limit = static_cast<int64_t>(before_limit - chosen.size());
  const std::map<int64_t, std::string> splits =
      AssignSplits(chosen, existing, s);

  std::vector<BuildJob> jobs;
  jobs.reserve(chosen.size());
  for (const Candidate& c : chosen) {
    jobs.push_back(
        {c.track_id, by_id.at(c.track_id)->path, splits.at(c.track_id)});
  }
  return jobs;
}

}  // namespace cratedig::dataset
