#include "crawler/download.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>

#include "core/files.h"
#include "crawler/crawl.h"
#include "crawler/fetch_loop.h"
#include "crawler/mp3_check.h"
#include "crawler/polite_client.h"
#include "db/writer_lock.h"

namespace cratedig::crawler {

namespace fs = std::filesystem;

uint64_t PickRank(uint64_t seed, const std::string& store_id) {
  std::string hex = Sha256Hex(std::to_string(seed) + ":" + store_id);
  return std::stoull(hex.substr(0, 16), nullptr, 16);
}

std::vector<db::TrackRecord> PickTracks(
    const std::vector<db::TrackRecord>& tracks, int per_genre, uint64_t seed) {
  std::map<std::string, std::vector<std::pair<uint64_t, size_t>>> by_genre;
  for (size_t i = 0; i < tracks.size(); ++i) {
    const db::TrackRecord& t = tracks[i];
    if (!t.preview_url || !t.parent_genre || t.parent_genre->empty()) continue;
    by_genre[*t.parent_genre].push_back({PickRank(seed, t.store_id), i});
  }
  std::vector<db::TrackRecord> out;
  for (auto& [genre, ranked] : by_genre) {
    // Ties (astronomically unlikely) broken by store_id for stability.
    std::sort(ranked.begin(), ranked.end(), [&](const auto& a, const auto& b) {
      if (a.first != b.first) return a.first < b.first;
      return tracks[a.second].store_id < tracks[b.second].store_id;
    });
    size_t n =
        std::min(ranked.size(), static_cast<size_t>(std::max(0, per_genre)));
    for (size_t k = 0; k < n; ++k) out.push_back(tracks[ranked[k].second]);
  }
  return out;
}

namespace {

// "cannot write X: No space left on device" says what to do about it.
Status WriteError(const std::string& what, const fs::path& p, int err) {
  std::string msg = what + " " + p.string() + ": " + std::strerror(err);
  if (err == ENOSPC || err == EDQUOT) {
    msg += " (no space left on the disk of " + p.parent_path().string() +
           "; free some and rerun: the previews already saved are kept)";
  }
  return Status::IoError(msg);
}

// Writes data to `tmp`, ready for CommitTempFile.
Status WriteTemp(const fs::path& tmp, std::string_view data) {
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return WriteError("cannot create", tmp, errno);
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return WriteError("cannot write", tmp, err);
    }
    off += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return WriteError("cannot close", tmp, errno);
  return Status::Ok();
}

// True when `path` holds exactly the bytes recorded: its size first (cheap),
// then its sha256. A file truncated or damaged on disk is fetched again.
bool FileMatches(const std::string& path, std::optional<int64_t> bytes,
                 const std::optional<std::string>& sha) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return false;
  const auto size = fs::file_size(path, ec);
  if (ec || (bytes && static_cast<int64_t>(size) != *bytes)) return false;
  if (!sha) return true;
  auto got = Sha256File(path);
  return got.ok() && *got == *sha;
}

// Picks the tracks, and keeps those whose preview is not already stored.
Result<std::vector<db::TrackRecord>> TracksToFetch(
    db::Database& db, const DownloadOptions& options, DownloadStats& st) {
  db::TracksTable tracks(db);
  db::PreviewsTable previews(db);
  db::TrackQuery q;
  q.with_preview_url = true;
  CRATEDIG_ASSIGN_OR_RETURN(std::vector<db::TrackRecord> all, tracks.Find(q));
  std::set<std::string> wanted(options.genres.begin(), options.genres.end());
  if (!wanted.empty()) {
    std::erase_if(all, [&](const db::TrackRecord& t) {
      return !t.parent_genre || !wanted.count(*t.parent_genre);
    });
  }
  std::vector<db::TrackRecord> picked =
      PickTracks(all, options.per_genre, options.seed);
  st.picked = static_cast<int64_t>(picked.size());
  std::vector<db::TrackRecord> todo;
  for (db::TrackRecord& t : picked) {
    CRATEDIG_ASSIGN_OR_RETURN(auto prev, previews.Get(t.id));
    if (prev && prev->status == db::PreviewStatus::kOk && prev->path &&
        prev->url == *t.preview_url) {
      if (FileMatches(*prev->path, prev->bytes, prev->sha256)) {
        ++st.skipped;
        continue;
      }
      ++st.damaged;  // missing, truncated or altered on disk: fetch again
    }
    todo.push_back(std::move(t));
  }
  return todo;
}

// Checks a finished fetch: OK, or why the file is not a usable preview.
Status CheckPreview(const ClientResult& r) {
  const int64_t bytes = static_cast<int64_t>(r.body.size());
  if (r.outcome != ClientOutcome::kOk) {
    return Status::Unavailable(std::string(ClientOutcomeName(r.outcome)) +
                               (r.error.empty() ? "" : ": " + r.error));
  }
  if (r.content_length >= 0 && r.content_length != bytes) {
    return Status::Corrupt("Content-Length " +
                           std::to_string(r.content_length) + " but " +
                           std::to_string(bytes) + " bytes received");
  }
  return CheckMp3(r.body);
}

// Writes a checked preview as <out_dir>/<sha256>.mp3 (temp + rename).
// Returns its path; an error here (full or broken disk) is fatal.
Result<std::string> StorePreview(const fs::path& out_dir, int64_t track_id,
                                 const std::string& body,
                                 const std::string& sha) {
  fs::path final_path = out_dir / (sha + ".mp3");
  if (FileMatches(final_path.string(), static_cast<int64_t>(body.size()),
                  sha)) {
    return final_path.string();
  }
  fs::path tmp = out_dir / (".tmp-" + std::to_string(::getpid()) + "-" +
                            std::to_string(track_id) + ".part");
  Status w = WriteTemp(tmp, body);
  if (w.ok()) w = CommitTempFile(tmp, final_path);
  if (!w.ok()) {
    std::error_code ec;
    fs::remove(tmp, ec);
    return w;
  }
  return final_path.string();
}

// Fetch-loop hooks of a download: each result checked, stored, recorded.
class PreviewSink {
 public:
  PreviewSink(db::Database& db, const config::SiteProfile& profile,
              const std::vector<db::TrackRecord>& todo, fs::path out_dir,
              PoliteClient& client, const ProgressFn& progress,
              DownloadStats& st)
      : previews_(db),
        profile_(profile),
        todo_(todo),
        out_dir_(std::move(out_dir)),
        client_(client),
        progress_(progress),
        st_(st) {}

  Result<std::vector<ClientRequest>> Refill(size_t room) {
    std::vector<ClientRequest> out;
    while (out.size() < room && next_ < todo_.size()) {
      ClientRequest req;
      req.tag = next_;
      req.url = *todo_[next_].preview_url;
      out.push_back(std::move(req));
      ++next_;
    }
    return out;
  }

  Status OnResult(ClientResult& r) {
    const db::TrackRecord& t = todo_[r.tag];
    db::PreviewRecord p;
    p.track_id = t.id;
    p.url = *t.preview_url;
    p.attempts = r.attempts;
    if (r.http_status != 0) p.http_status = r.http_status;
    Status check = CheckPreview(r);
    if (check.ok()) {
      const std::string sha = Sha256Hex(r.body);
      CRATEDIG_ASSIGN_OR_RETURN(std::string path,
                                StorePreview(out_dir_, t.id, r.body, sha));
      p.status = db::PreviewStatus::kOk;
      p.path = path;
      p.sha256 = sha;
      p.bytes = static_cast<int64_t>(r.body.size());
      ++st_.ok;
    } else {
      p.status = db::PreviewStatus::kFailed;
      p.error = check.message();
      ++st_.failed;
    }
    CRATEDIG_RETURN_IF_ERROR(previews_.Put(p));
    Progress pr;
    pr.stage = "download";
    pr.unit = "tracks";
    pr.done = st_.ok + st_.failed;
    pr.total = static_cast<int64_t>(todo_.size());
    pr.detail = std::to_string(st_.failed) + " failed";
    pr.eta_s = PoliteEta(pr.total - pr.done, profile_.politeness,
                         client_.stats().requests, client_.elapsed_s());
    Report(progress_, pr);
    return Status::Ok();
  }

 private:
  db::PreviewsTable previews_;
  const config::SiteProfile& profile_;
  const std::vector<db::TrackRecord>& todo_;
  const fs::path out_dir_;
  PoliteClient& client_;
  const ProgressFn& progress_;
  DownloadStats& st_;
  size_t next_ = 0;
};

}  // namespace

Result<DownloadStats> RunDownload(db::Database& db,
                                  const config::SiteProfile& profile,
                                  const DownloadOptions& options,
                                  const ProgressFn& progress,
                                  const CancelFlag* cancel, Clock* clock) {
  Clock& clk = clock != nullptr ? *clock : SystemClock::Get();
  const auto start = std::chrono::steady_clock::now();
  DownloadStats st;
  if (options.per_genre < 0) {
    return Status::InvalidArgument("per_genre must be >= 0");
  }
  CRATEDIG_ASSIGN_OR_RETURN(std::unique_ptr<db::WriterLock> lock,
                            db::WriterLock::Acquire(db.path(), "download"));
  std::error_code ec;
  fs::create_directories(options.out_dir, ec);
  if (ec) {
    return Status::IoError("cannot create " + options.out_dir + ": " +
                           ec.message());
  }
  const fs::path out_dir = fs::absolute(options.out_dir).lexically_normal();
  CRATEDIG_ASSIGN_OR_RETURN(std::vector<db::TrackRecord> todo,
                            TracksToFetch(db, options, st));
  CRATEDIG_ASSIGN_OR_RETURN(ClientOptions co,
                            ClientOptionsFor(profile, options.jitter_seed));
  db::HostsTable hosts(db);
  PoliteClient client(co, clk, &hosts);
  PreviewSink sink(db, profile, todo, out_dir, client, progress, st);
  FetchLoopHooks hooks;
  hooks.refill = [&](size_t room) { return sink.Refill(room); };
  hooks.on_result = [&](ClientResult& r) { return sink.OnResult(r); };
  CRATEDIG_ASSIGN_OR_RETURN(
      st.cancelled,
      RunFetchLoop(client,
                   RequestsAhead(options.queue_ahead,
                                 profile.politeness.max_hosts_in_flight),
                   cancel, hooks));
  const ClientStats& cs = client.stats();
  st.requests = cs.requests;
  st.bytes = cs.bytes;
  st.retries = cs.retries;
  st.http_429 = cs.http_429;
  st.robots_forbidden = cs.robots_forbidden;
  st.counters = cs.counters;
  st.counters["download/ok"] = st.ok;
  st.counters["download/failed"] = st.failed;
  st.elapsed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  return st;
}

}  // namespace cratedig::crawler
