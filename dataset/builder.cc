#include "dataset/builder.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <filesystem>
#include <thread>

#include "core/stopwatch.h"
#include "dataset/build_plan.h"
#include "dataset/track_pool.h"
#include "db/dataset_tables.h"

namespace cratedig::dataset {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

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

int PoolSize(int configured, size_t jobs) {
  const int threads =
      configured > 0 ? configured
                     : static_cast<int>(std::thread::hardware_concurrency());
  return std::max(1, std::min<int>(threads, std::max<size_t>(1, jobs)));
}

// The commit stage: one finished track's dataset_tracks row and tile rows
// in one transaction, and its outcome in the report. Returns the error
// that stops the build: a failure of the machine, not of the input.
Status CommitTrack(db::Database& db, db::DatasetsTable& table,
                   const FinishedTrack& d, BuildReport& r) {
  const BuildJob& job = *d.job;
  if (!d.out.status.ok() && !IsInputFailure(d.out.status)) {
    return Status(d.out.status.code(), fmt::format("track {}: {}", job.track_id,
                                                   d.out.status.message()));
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
  Status st =
      db.InTransaction([&]() -> Status { return table.PutTrack(rec, tiles); });
  r.seconds.db += SecondsSince(t0);
  if (!st.ok()) return st;
  r.audio_seconds += d.out.audio_seconds;
  if (rec.ok) {
    ++r.ok;
    r.tiles += rec.tiles;
  } else {
    ++r.failed;
    r.failures.push_back({job.track_id, *rec.reason});
  }
  return Status::Ok();
}

// Commits a batch of finished tracks. One syncfs() makes every tile of the
// batch durable before any of their rows is committed: the database never
// names a tile a crash could lose, at the cost of one sync per batch
// instead of one fsync per file, and off the workers' path (they go on
// decoding meanwhile). Stops at the first error.
Status CommitBatch(const config::DatasetSettings& s, const fs::path& root,
                   db::Database& db, db::DatasetsTable& table,
                   const std::deque<FinishedTrack>& batch,
                   const ProgressFn& progress, BuildReport& r) {
  if (s.fsync) {
    const bool any_files = std::any_of(
        batch.begin(), batch.end(),
        [](const FinishedTrack& d) { return !d.out.tiles.empty(); });
    if (any_files) {
      const auto t0 = Clock::now();
      Status st = SyncFileSystem(root);
      r.seconds.db += SecondsSince(t0);
      CRATEDIG_RETURN_IF_ERROR(st);
    }
  }
  for (const FinishedTrack& d : batch) {
    CRATEDIG_RETURN_IF_ERROR(CommitTrack(db, table, d, r));
    Report(progress, {"dataset", r.ok + r.failed, r.pending, "tracks",
                      fmt::format("{} tiles, {} failed", r.tiles, r.failed)});
  }
  return Status::Ok();
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

  // Plan.
  CRATEDIG_RETURN_IF_ERROR(PrepareDataset(s, o, root, table, r));
  CRATEDIG_ASSIGN_OR_RETURN(const std::vector<BuildJob> jobs,
                            PlanJobs(s, o, table, r));
  r.pending = static_cast<int64_t>(jobs.size());
  r.threads = PoolSize(s.threads, jobs.size());

  // Work (on the pool) and commit (here), batch by batch. After a fatal
  // error the tracks in flight are drained and nothing more is recorded.
  TrackPool pool(
      jobs, r.threads,
      [&](const BuildJob& job) {
        return ProcessTrack(job.path, job.track_id, r.dataset_hash, root, s);
      },
      cancel);
  Status fatal;
  Report(progress, {"dataset", 0, r.pending, "tracks", ""});
  std::deque<FinishedTrack> batch;
  while (pool.Next(&batch)) {
    if (!fatal.ok()) continue;
    fatal = CommitBatch(s, root, *db, table, batch, progress, r);
    if (!fatal.ok()) pool.Stop();
  }
  r.seconds += pool.Join();
  std::sort(r.failures.begin(), r.failures.end(),
            [](const BuildFailure& a, const BuildFailure& b) {
              return a.track_id < b.track_id;
            });
  r.wall_seconds = SecondsSince(wall0);
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
