#include "dataset/builder.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <tuple>

#include "dataset/splits.h"
#include "db/dataset_tables.h"

namespace cratedig::dataset {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

struct Job {
  int64_t track_id = 0;
  std::string path;
  std::string split;
};

struct Done {
  const Job* job = nullptr;
  TrackOutput out;
};

// A failure of the input file (recorded, skipped) rather than of the
// machine (stops the build).
bool IsInputFailure(const Status& st) {
  return st.code() == StatusCode::kCorrupt ||
         st.code() == StatusCode::kNotFound ||
         st.code() == StatusCode::kInvalidArgument;
}

Status SyncFileSystem(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return Status::IoError("cannot open " + dir.string() + ": " +
                           std::strerror(errno));
  }
  int rc = ::syncfs(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) {
    return Status::IoError("cannot sync " + dir.string() + ": " +
                           std::strerror(err));
  }
  return Status::Ok();
}

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

}  // namespace

Result<BuildReport> BuildDataset(const config::DatasetSettings& s,
                                 const BuildOptions& o,
                                 const ProgressFn& progress,
                                 const CancelFlag* cancel) {
  const auto wall0 = Clock::now();
  BuildReport r;
  r.dataset_hash = s.Hash();
  CRATEDIG_ASSIGN_OR_RETURN(fs::path root, TilesRoot(o.out_dir));
  r.tiles_dir = root.string();

  CRATEDIG_ASSIGN_OR_RETURN(
      auto db,
      db::Database::Open(o.db_path,
                         db::DatabaseOptions{.mode = db::OpenMode::kExisting}));
  db::DatasetsTable table(*db);
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
  // Interleave genres (by the seeded key) so a partial run is balanced.
  {
    std::vector<std::pair<uint64_t, Candidate>> keyed;
    keyed.reserve(chosen.size());
    for (Candidate& c : chosen) {
      const uint64_t k = OrderKey(s.seed, c.store_id);
      keyed.emplace_back(k, std::move(c));
    }
    std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
      return std::tie(a.first, a.second.track_id) <
             std::tie(b.first, b.second.track_id);
    });
    chosen.clear();
    for (auto& [k, c] : keyed) chosen.push_back(std::move(c));
  }
  if (o.max_tracks > 0 && static_cast<int64_t>(chosen.size()) > o.max_tracks) {
    chosen.resize(static_cast<size_t>(o.max_tracks));
  }
  r.over_limit = static_cast<int64_t>(before_limit - chosen.size());
  const std::map<int64_t, std::string> splits =
      AssignSplits(chosen, existing, s);

  std::vector<Job> jobs;
  jobs.reserve(chosen.size());
  for (const Candidate& c : chosen) {
    jobs.push_back(
        {c.track_id, by_id.at(c.track_id)->path, splits.at(c.track_id)});
  }
  r.pending = static_cast<int64_t>(jobs.size());

  int threads = s.threads > 0
                    ? s.threads
                    : static_cast<int>(std::thread::hardware_concurrency());
  threads =
      std::max(1, std::min<int>(threads, std::max<size_t>(1, jobs.size())));
  r.threads = threads;

  // Workers take jobs in order and hand finished tracks to this thread.
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Done> finished;
  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  int running = threads;
  std::vector<StageSeconds> worker_seconds(static_cast<size_t>(threads));
  auto worker = [&](int w) {
    for (;;) {
      if (stop.load() || (cancel && cancel->stop())) break;
      const size_t i = next.fetch_add(1);
      if (i >= jobs.size()) break;
      Done d{&jobs[i], ProcessTrack(jobs[i].path, jobs[i].track_id,
                                    r.dataset_hash, root, s)};
      worker_seconds[static_cast<size_t>(w)] += d.out.seconds;
      std::lock_guard<std::mutex> lock(mu);
      finished.push_back(std::move(d));
      cv.notify_one();
    }
    std::lock_guard<std::mutex> lock(mu);
    --running;
    cv.notify_one();
  };
  std::vector<std::thread> pool;
  pool.reserve(static_cast<size_t>(threads));
  if (!jobs.empty()) {
    for (int w = 0; w < threads; ++w) pool.emplace_back(worker, w);
  } else {
    running = 0;
  }

  Status fatal;
  Report(progress, {"dataset", 0, r.pending, "tracks", ""});
  for (;;) {
    std::deque<Done> batch;
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return !finished.empty() || running == 0; });
      if (finished.empty() && running == 0) break;
      batch.swap(finished);
    }
    // One syncfs() makes every tile of the batch durable before any of
    // their rows is committed: the database never names a tile a crash
    // could lose, at the cost of one sync per batch instead of one fsync
    // per file, and off the workers' path (they go on decoding meanwhile).
    if (s.fsync && fatal.ok()) {
      const bool any_files =
          std::any_of(batch.begin(), batch.end(),
                      [](const Done& d) { return !d.out.tiles.empty(); });
      if (any_files) {
        const auto t0 = Clock::now();
        Status st = SyncFileSystem(root);
        r.seconds.db += Since(t0);
        if (!st.ok()) {
          fatal = st;
          stop.store(true);
        }
      }
    }
    for (Done& d : batch) {
      const Job& job = *d.job;
      if (!fatal.ok()) continue;  // drain what is in flight, record nothing
      if (!d.out.status.ok() && !IsInputFailure(d.out.status)) {
        fatal = Status(
            d.out.status.code(),
            fmt::format("track {}: {}", job.track_id, d.out.status.message()));
        stop.store(true);
        continue;
      }
      db::DatasetTrackRecord rec;
      rec.dataset_hash = r.dataset_hash;
      rec.track_id = job.track_id;
      rec.split = job.split;
      rec.ok = d.out.status.ok();
      if (!rec.ok) rec.reason = d.out.status.message();
      rec.tiles = static_cast<int>(d.out.tiles.size());
      if (d.out.audio_seconds > 0) rec.seconds = d.out.audio_seconds;
      std::vector<db::TileRecord> tiles;
      tiles.reserve(d.out.tiles.size());
      for (size_t i = 0; i < d.out.tiles.size(); ++i) {
        db::TileRecord t;
        t.dataset_hash = r.dataset_hash;
        t.track_id = job.track_id;
        t.tile_index = static_cast<int>(i);
        t.path = d.out.tiles[i];
        t.split = job.split;
        tiles.push_back(std::move(t));
      }
      const auto t0 = Clock::now();
      Status st = db->InTransaction(
          [&]() -> Status { return table.PutTrack(rec, tiles); });
      r.seconds.db += Since(t0);
      if (!st.ok()) {
        fatal = st;
        stop.store(true);
        continue;
      }
      r.audio_seconds += d.out.audio_seconds;
      if (rec.ok) {
        ++r.ok;
        r.tiles += rec.tiles;
      } else {
        ++r.failed;
        r.failures.push_back({job.track_id, *rec.reason});
      }
      Report(progress, {"dataset", r.ok + r.failed, r.pending, "tracks",
                        fmt::format("{} tiles, {} failed", r.tiles, r.failed)});
    }
  }
  for (std::thread& t : pool) t.join();
  for (const StageSeconds& ws : worker_seconds) r.seconds += ws;
  std::sort(r.failures.begin(), r.failures.end(),
            [](const BuildFailure& a, const BuildFailure& b) {
              return a.track_id < b.track_id;
            });
  r.wall_seconds = Since(wall0);
  if (!fatal.ok()) return fatal;
  if (cancel && cancel->stop() && r.ok + r.failed < r.pending) {
    return Status::Cancelled(fmt::format(
        "stopped after {} of {} tracks; run the same command again to "
        "resume",
        r.ok + r.failed, r.pending));
  }
  return r;
}

}  // namespace cratedig::dataset
