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

}  // namespace

Result<DownloadStats> RunDownload(db::Database& db,
                                  const config::SiteProfile& profile,
                                  const DownloadOptions& options,
                                  const CancelFlag* cancel,
                                  const ProgressFn& progress, Clock* clock) {
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

  db::TracksTable tracks(db);
  db::PreviewsTable previews(db);
  db::HostsTable hosts(db);
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

  // What is left to fetch.
  std::vector<const db::TrackRecord*> todo;
  for (const db::TrackRecord& t : picked) {
    CRATEDIG_ASSIGN_OR_RETURN(auto prev, previews.Get(t.id));
    if (prev && prev->status == db::PreviewStatus::kOk && prev->path &&
        prev->url == *t.preview_url) {
      if (FileMatches(*prev->path, prev->bytes, prev->sha256)) {
        ++st.skipped;
        continue;
      }
      ++st.damaged;  // missing, truncated or altered on disk: fetch again
    }
    todo.push_back(&t);
  }

  CRATEDIG_ASSIGN_OR_RETURN(std::set<std::string> allowed,
                            AllowedHostsFor(profile));
  ClientOptions co;
  co.politeness = profile.politeness;
  co.user_agent = profile.user_agent;
  co.accept_encoding = profile.accept_encoding;
  co.allowed_hosts = allowed;
  co.seed = options.jitter_seed;
  PoliteClient client(co, clk, &hosts);

  auto record = [&](const db::TrackRecord& t, const ClientResult* r,
                    Status failure, const std::string& path,
                    const std::string& sha, int64_t bytes) -> Status {
    db::PreviewRecord p;
    p.track_id = t.id;
    p.url = *t.preview_url;
    p.attempts = r ? r->attempts : 0;
    if (r && r->http_status != 0) p.http_status = r->http_status;
    if (failure.ok()) {
      p.status = db::PreviewStatus::kOk;
      p.path = path;
      p.sha256 = sha;
      p.bytes = bytes;
      ++st.ok;
    } else {
      p.status = db::PreviewStatus::kFailed;
      p.error = failure.message();
      ++st.failed;
    }
    return previews.Put(p);
  };

  const size_t ahead =
      static_cast<size_t>(std::max(1, options.queue_ahead) *
                          std::max(1, profile.politeness.max_hosts_in_flight));
  size_t next = 0;
  size_t in_flight = 0;
  bool stopping = false;
  for (;;) {
    if (!stopping && cancel != nullptr && cancel->stop()) {
      stopping = true;
      st.cancelled = true;
      in_flight -= client.DropQueued().size();
    }
    while (!stopping && in_flight < ahead && next < todo.size()) {
      ClientRequest req;
      req.tag = next;
      req.url = *todo[next]->preview_url;
      client.Enqueue(req);
      ++next;
      ++in_flight;
    }
    if (in_flight == 0) break;
    for (ClientResult& r : client.Step(0.25)) {
      --in_flight;
      const db::TrackRecord& t = *todo[r.tag];
      Status failure;
      std::string path, sha;
      int64_t bytes = static_cast<int64_t>(r.body.size());
      if (r.outcome != ClientOutcome::kOk) {
        failure =
            Status::Unavailable(std::string(ClientOutcomeName(r.outcome)) +
                                (r.error.empty() ? "" : ": " + r.error));
      } else if (r.content_length >= 0 && r.content_length != bytes) {
        failure = Status::Corrupt("Content-Length " +
                                  std::to_string(r.content_length) + " but " +
                                  std::to_string(bytes) + " bytes received");
      } else {
        failure = CheckMp3(r.body);
      }
      if (failure.ok()) {
        sha = Sha256Hex(r.body);
        fs::path final_path = out_dir / (sha + ".mp3");
        path = final_path.string();
        if (!FileMatches(final_path.string(), bytes, sha)) {
          fs::path tmp = out_dir / (".tmp-" + std::to_string(::getpid()) + "-" +
                                    std::to_string(t.id) + ".part");
          Status w = WriteTemp(tmp, r.body);
          if (w.ok()) w = CommitTempFile(tmp, final_path);
          if (!w.ok()) {
            fs::remove(tmp, ec);
            return w;  // a full or broken disk is fatal, unlike a bad file
          }
        }
      }
      CRATEDIG_RETURN_IF_ERROR(record(t, &r, failure, path, sha, bytes));
      Progress p;
      p.stage = "download";
      p.unit = "tracks";
      p.done = st.ok + st.failed;
      p.total = static_cast<int64_t>(todo.size());
      p.detail = std::to_string(st.failed) + " failed";
      Report(progress, p);
    }
  }
  const ClientStats& cs = client.stats();
  st.requests = cs.requests;
  st.bytes = cs.bytes;
  st.retries = cs.retries;
  st.http_429 = cs.http_429;
  st.robots_forbidden = cs.robots_forbidden;
  st.elapsed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  return st;
}

}  // namespace cratedig::crawler
