#include "samplestore/sample_store.h"

#include <fmt/format.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "config/toml_reader.h"
#include "net/http_server.h"
#include "samplestore/mp3_encoder.h"
#include "samplestore/pages.h"
#include "samplestore/rng.h"
#include "samplestore/synth.h"

namespace cratedig::samplestore {

namespace {

const char kHtml[] = "text/html; charset=utf-8";

const ListingDef* FindListing(const std::string& slug) {
  for (const ListingDef& l : StoreListings()) {
    if (l.slug == slug) return &l;
  }
  return nullptr;
}

bool HasFault(const std::vector<std::string>& faults, const char* name) {
  for (const auto& f : faults) {
    if (f == name) return true;
  }
  return false;
}

// Garbage with an mp3 name: bytes below 0x80, so no mp3 frame sync (0xFFE)
// and no ID3 tag can appear in it; a decoder finds no audio at all.
std::string CorruptBytes(uint64_t seed, const std::string& path) {
  Rng rng(HashKey(seed, path, 0xbad));
  std::string s(24000 + rng.Int(0, 8000), '\0');
  for (char& c : s) c = static_cast<char>(rng.Next() & 0x7f);
  return s;
}

std::string HttpDate(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

std::string LogTime(std::chrono::system_clock::time_point t) {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                      t.time_since_epoch())
                      .count();
  std::time_t tt = static_cast<std::time_t>(us / 1000000);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  char out[96];
  std::snprintf(out, sizeof(out), "%s.%06lldZ", buf,
                static_cast<long long>(us % 1000000));
  return out;
}

thread_local std::chrono::system_clock::time_point t_arrival;

// A strong validator: a hash of the bytes, quoted (RFC 9110 8.8.3).
std::string ETagOf(const std::string& body) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a 64
  for (unsigned char c : body) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return fmt::format("\"{:016x}-{}\"", h, body.size());
}

std::optional<std::time_t> ParseHttpDate(const std::string& s) {
  std::tm tm{};
  const char* end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return timegm(&tm);
}

// Whether a GET with these conditional headers gets 304 (RFC 9110 13.1.2,
// 13.1.3: If-None-Match, when present, decides alone).
bool NotModified(const httplib::Request& req, const std::string& etag,
                 std::time_t last_modified) {
  if (req.has_header("If-None-Match")) {
    const std::string v = req.get_header_value("If-None-Match");
    if (v == "*") return true;
    size_t start = 0;
    while (start < v.size()) {
      size_t end = v.find(',', start);
      if (end == std::string::npos) end = v.size();
      std::string tag = v.substr(start, end - start);
      tag.erase(0, tag.find_first_not_of(' '));
      tag.erase(tag.find_last_not_of(' ') + 1);
      if (tag.rfind("W/", 0) == 0) tag = tag.substr(2);  // weak comparison
      if (tag == etag) return true;
      start = end + 1;
    }
    return false;
  }
  if (req.has_header("If-Modified-Since")) {
    auto since = ParseHttpDate(req.get_header_value("If-Modified-Since"));
    return since && *since >= last_modified;
  }
  return false;
}

}  // namespace

struct SampleStore::Impl {
  StoreOptions opt;
  Faults faults;
  Catalogue cat;
  struct Page {
    std::string body, etag;
    std::time_t last_modified = 0;
  };
  // Path (no query) -> page. Built at start; Publish re-renders listings.
  std::shared_mutex pages_mu;  // guards pages, hidden, unpublished
  std::unordered_map<std::string, Page> pages;
  // Listing slug -> its releases, newest first; and how many of the newest
  // are not out yet.
  std::map<std::string, std::vector<const ReleaseTruth*>> by_slug;
  std::map<std::string, int> hidden;
  std::unordered_set<std::string> unpublished;  // release store ids
  // Previews: built once at start.
  std::unordered_map<std::string, std::string> mp3s;
  std::unordered_map<std::string, std::string> mp3_etags;
  std::time_t started_at = 0;
  std::atomic<uint64_t> not_modified{0};
  std::unordered_map<std::string, const ReleaseTruth*> release_by_path;
  std::unordered_map<std::string, const TrackTruth*> track_by_path;
  std::string robots, home;

  httplib::Server server;
  std::unique_ptr<net::HardenedServer> hardened;  // limits on `server`
  std::thread thread;
  int port = 0;
  std::atomic<uint64_t> requests{0};

  std::mutex state_mu;
  struct PathState {
    uint64_t n = 0;
    int consecutive = 0;
  };
  std::unordered_map<std::string, PathState> path_state;

  std::mutex log_mu;
  FILE* log = nullptr;

  std::mutex stop_mu;
  std::condition_variable stop_cv;
  bool stopping = false;

  ~Impl() {
    if (log) std::fclose(log);
  }

  Status Build(const ProgressFn& progress);
  // Renders every listing page from `hidden`. REQUIRES: pages_mu held.
  void RenderListings(std::time_t now);
  void PutPage(const std::string& path, std::string body, std::time_t now);
  void Handle(const httplib::Request& req, httplib::Response& res);
  void Serve(const httplib::Request& req, httplib::Response& res);
  TransientFault NextTransient(const std::string& path);
  bool SleepFor(double seconds) {  // false when stopping
    std::unique_lock<std::mutex> lock(stop_mu);
    return !stop_cv.wait_for(lock, std::chrono::duration<double>(seconds),
                             [this] { return stopping; });
  }
};

Result<std::string> MakePreviewMp3(uint64_t seed, const ReleaseTruth& release,
                                   const TrackTruth& track, double seconds,
                                   int mp3_quality) {
  const ListingDef* l = FindListing(release.listing_slug);
  if (!l) {
    return Status::InvalidArgument("unknown listing " + release.listing_slug);
  }
  StereoPcm pcm =
      SynthesizeTrack(seed, l->style, track.store_id, track.bpm, seconds);
  Mp3Options o;
  o.quality = mp3_quality;
  return EncodeMp3(pcm, o);
}

Status SampleStore::Impl::Build(const ProgressFn& progress) {
  cat = GenerateCatalogue(opt.seed, opt.tracks_per_genre);
  ApplyPermanentFaults(faults, &cat);
  robots = RenderRobots(faults.crawl_delay);
  home = RenderHomePage();

  started_at = std::time(nullptr);
  for (const ListingDef& l : StoreListings()) {
    // Its own releases and those also listed under it, newest first.
    std::vector<const ReleaseTruth*>& mine = by_slug[l.slug];
    mine = ListingItems(cat, l.slug);
    hidden[l.slug] = std::min<int>(opt.held_back, mine.size());
    for (int i = 0; i < hidden[l.slug]; ++i) {
      unpublished.insert(mine[i]->store_id);
    }
  }
  RenderListings(started_at);
  // Product pages and the preview work list.
  std::vector<std::pair<const ReleaseTruth*, const TrackTruth*>> work;
  for (const ReleaseTruth& r : cat.releases) {
    PutPage(r.url_path,
            RenderProductPage(r, HasFault(r.faults, "malformed_html")),
            started_at);
    release_by_path[r.url_path] = &r;
    for (const TrackTruth& t : r.tracks) {
      if (!t.has_preview) continue;
      track_by_path[t.preview_path] = &t;
      if (HasFault(t.faults, "corrupt_mp3")) {
        mp3s[t.preview_path] = CorruptBytes(cat.seed, t.preview_path);
      } else if (!HasFault(t.faults, "preview_404")) {
        mp3s[t.preview_path];  // filled by the pool below
        work.emplace_back(&r, &t);
      }
    }
  }

  // Synthesise + encode on a pool. Each result depends only on its track,
  // so the thread count never changes a byte.
  int threads = opt.threads > 0
                    ? opt.threads
                    : static_cast<int>(std::thread::hardware_concurrency());
  threads = std::max(1, std::min<int>(threads, work.size()));
  std::atomic<size_t> next{0};
  std::atomic<size_t> done{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  std::condition_variable cv;
  Status first_error;
  std::vector<std::string> results(work.size());
  auto worker = [&] {
    while (!failed) {
      const size_t i = next++;
      if (i >= work.size()) break;
      auto mp3 = MakePreviewMp3(cat.seed, *work[i].first, *work[i].second,
                                opt.preview_seconds, opt.mp3_quality);
      std::lock_guard<std::mutex> lock(mu);
      if (!mp3.ok()) {
        if (!failed) first_error = mp3.status();
        failed = true;
      } else {
        results[i] = std::move(*mp3);
      }
      ++done;
      cv.notify_all();
    }
  };
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  pool.reserve(threads);
  for (int i = 0; i < threads; ++i) pool.emplace_back(worker);
  {
    std::unique_lock<std::mutex> lock(mu);
    size_t reported = static_cast<size_t>(-1);
    while (true) {
      const size_t d = done;
      if (d != reported) {
        reported = d;
        const double s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
                .count();
        Report(progress, {"samplestore", static_cast<int64_t>(d),
                          static_cast<int64_t>(work.size()), "previews",
                          fmt::format("{} threads, {:.1f} s", threads, s)});
      }
      if (d >= work.size() || failed) break;
      cv.wait(lock, [&] { return done != d || failed; });
    }
  }
  for (auto& t : pool) t.join();
  if (failed) return first_error;
  for (size_t i = 0; i < work.size(); ++i) {
    mp3s[work[i].second->preview_path] = std::move(results[i]);
  }
  for (const auto& [path, bytes] : mp3s) mp3_etags[path] = ETagOf(bytes);
  return Status::Ok();
}

void SampleStore::Impl::PutPage(const std::string& path, std::string body,
                                std::time_t now) {
  Page& p = pages[path];
  if (p.body == body && !p.etag.empty()) return;  // unchanged: same validators
  p.etag = ETagOf(body);
  // Whole seconds: a page changed twice within one second still moves on,
  // so If-Modified-Since alone never hides a change.
  p.last_modified = std::max(now, p.last_modified + 1);
  p.body = std::move(body);
}

void SampleStore::Impl::RenderListings(std::time_t now) {
  for (const ListingDef& l : StoreListings()) {
    const std::vector<const ReleaseTruth*>& all = by_slug[l.slug];
    std::vector<const ReleaseTruth*> mine(all.begin() + hidden[l.slug],
                                          all.end());
    const int per = opt.items_per_page;
    const int npages =
        std::max(1, static_cast<int>((mine.size() + per - 1) / per));
    for (int p = 1; p <= npages; ++p) {
      std::vector<const ReleaseTruth*> items(
          mine.begin() + std::min<size_t>(mine.size(), (p - 1) * per),
          mine.begin() + std::min<size_t>(mine.size(), p * per));
      const std::string path =
          "/" + l.slug + "/back-cat/releases/" + std::to_string(p) + "/";
      PutPage(path, RenderListingPage(l, p, p < npages, items), now);
    }
  }
}

TransientFault SampleStore::Impl::NextTransient(const std::string& path) {
  if (!faults.any_transient() || path == "/robots.txt") {
    return TransientFault::kNone;
  }
  std::lock_guard<std::mutex> lock(state_mu);
  PathState& st = path_state[path];
  const uint64_t n = st.n++;
  TransientFault f = PickTransientFault(faults, cat.seed, path, n);
  if (st.consecutive >= faults.max_consecutive) f = TransientFault::kNone;
  if (f == TransientFault::kNone || f == TransientFault::kSlow) {
    st.consecutive = 0;
  } else {
    ++st.consecutive;
  }
  return f;
}

void SampleStore::Impl::Handle(const httplib::Request& req,
                               httplib::Response& res) {
  ++requests;
  const TransientFault tf = NextTransient(req.path);
  switch (tf) {
    case TransientFault::k429:
    case TransientFault::k503:
      res.status = tf == TransientFault::k429 ? 429 : 503;
      res.set_header("Retry-After", std::to_string(faults.retry_after));
      res.set_content(RenderSimplePage("Slow down", "Too many requests."),
                      kHtml);
      return;
    case TransientFault::k429Date:
      res.status = 429;
      res.set_header("Retry-After",
                     HttpDate(std::chrono::system_clock::now() +
                              std::chrono::seconds(faults.retry_after)));
      res.set_content(RenderSimplePage("Slow down", "Too many requests."),
                      kHtml);
      return;
    case TransientFault::k500:
      res.status = 500;
      res.set_content(RenderSimplePage("Error", "Internal server error."),
                      kHtml);
      return;
    case TransientFault::kSlow:
      if (!SleepFor(faults.slow_delay)) {
        res.status = 503;
        return;
      }
      break;
    default:
      break;
  }
  Serve(req, res);
  if (tf == TransientFault::kTruncated && !res.body.empty()) {
    // Promise more than we send, then drop the connection.
    auto body = std::make_shared<std::string>(std::move(res.body));
    const std::string type = res.get_header_value("Content-Type");
    res.body.clear();
    const size_t promised = body->size() + 1024;
    res.set_content_provider(
        promised, type, [body](size_t offset, size_t, httplib::DataSink& sink) {
          if (offset < body->size() / 2) {
            sink.write(body->data() + offset, body->size() / 2 - offset);
          }
          return false;  // abort: the connection is closed
        });
  }
}

void SampleStore::Impl::Serve(const httplib::Request& req,
                              httplib::Response& res) {
  const std::string& path = req.path;
  if (path == "/robots.txt") {
    res.set_content(robots, "text/plain; charset=utf-8");
    return;
  }
  if (path == "/" || path.empty()) {
    res.set_content(home, kHtml);
    return;
  }
  for (const char* p : {"/search/", "/cart/", "/account/"}) {
    if (path.rfind(p, 0) == 0) {
      res.set_content(RenderSimplePage("Members area", "Sign in first."),
                      kHtml);
      return;
    }
  }
  if (auto it = release_by_path.find(path); it != release_by_path.end()) {
    const ReleaseTruth& r = *it->second;
    {
      std::shared_lock<std::shared_mutex> lock(pages_mu);
      if (unpublished.count(r.store_id)) {
        res.status = 404;
        res.set_content(RenderSimplePage("Not found", "Not released yet."),
                        kHtml);
        return;
      }
    }
    if (HasFault(r.faults, "redirect_loop")) {
      res.set_redirect(req.has_param("loop") ? path : path + "?loop=1", 302);
      return;
    }
    if (HasFault(r.faults, "redirect_offsite")) {
      res.set_redirect(faults.offsite_url + path.substr(1), 302);
      return;
    }
  }
  if (auto it = track_by_path.find(path); it != track_by_path.end()) {
    const TrackTruth& t = *it->second;
    if (HasFault(t.faults, "preview_404")) {
      res.status = 404;
      res.set_content(RenderSimplePage("Not found", "No such file."), kHtml);
      return;
    }
    const std::string* mp3 = &mp3s.at(path);
    if (HasFault(t.faults, "oversized")) {
      // The preview, repeated, until oversized_bytes.
      res.set_content_provider(
          static_cast<size_t>(faults.oversized_bytes), "audio/mpeg",
          [mp3](size_t offset, size_t length, httplib::DataSink& sink) {
            const size_t at = offset % mp3->size();
            const size_t n =
                std::min({length, mp3->size() - at, size_t{1} << 16});
            return sink.write(mp3->data() + at, n);
          });
      return;
    }
    const std::string& etag = mp3_etags.at(path);
    res.set_header("ETag", etag);
    res.set_header(
        "Last-Modified",
        HttpDate(std::chrono::system_clock::from_time_t(started_at)));
    if (NotModified(req, etag, started_at)) {
      ++not_modified;
      res.status = 304;
      return;
    }
    res.set_content(*mp3, "audio/mpeg");
    return;
  }
  {
    std::shared_lock<std::shared_mutex> lock(pages_mu);
    if (auto it = pages.find(path); it != pages.end()) {
      const Page& page = it->second;
      res.set_header("ETag", page.etag);
      res.set_header(
          "Last-Modified",
          HttpDate(std::chrono::system_clock::from_time_t(page.last_modified)));
      if (NotModified(req, page.etag, page.last_modified)) {
        ++not_modified;
        res.status = 304;
        return;
      }
      res.set_content(page.body, kHtml);
      return;
    }
  }
  res.status = 404;
  res.set_content(RenderSimplePage("Not found", "No such page."), kHtml);
}

Result<std::unique_ptr<SampleStore>> SampleStore::Start(
    const StoreOptions& options, const ProgressFn& progress) {
  if (options.tracks_per_genre < 1) {
    return Status::InvalidArgument("tracks_per_genre must be >= 1");
  }
  if (!(options.preview_seconds > 0) || options.preview_seconds > 600) {
    return Status::InvalidArgument("preview_seconds must be in (0, 600]");
  }
  if (options.held_back < 0) {
    return Status::InvalidArgument("held_back must be >= 0");
  }
  if (options.items_per_page < 1) {
    return Status::InvalidArgument("items_per_page must be >= 1");
  }
  if (options.host != "127.0.0.1" && options.host != "localhost" &&
      options.host != "::1") {
    return Status::Forbidden("the sample store binds loopback only, not " +
                             options.host);
  }
  auto impl = std::make_unique<Impl>();
  impl->opt = options;
  impl->faults = options.faults;
  if (!options.faults_file.empty()) {
    CRATEDIG_ASSIGN_OR_RETURN(impl->faults,
                              config::LoadConfig<Faults>(options.faults_file));
  }
  if (!options.request_log.empty()) {
    impl->log = std::fopen(options.request_log.c_str(), "a");
    if (!impl->log) {
      return Status::IoError("cannot open request log " + options.request_log);
    }
  }
  CRATEDIG_RETURN_IF_ERROR(impl->Build(progress));

  Impl* p = impl.get();
  // Timeouts, an elastic thread pool (slow-response faults hold a thread
  // each), a body cap, TCP_NODELAY (headers and body go out in two writes:
  // without it Nagle holds the body for the client's delayed ACK, ~40 ms a
  // response on loopback) and no SO_REUSEPORT (net/http_server.h).
  net::HttpLimits limits;
  // Like nginx's keepalive_requests (1000); httplib's default of 5 would
  // make a polite client reconnect every fifth request.
  limits.keep_alive_max = 1000;
  p->hardened = std::make_unique<net::HardenedServer>(
      p->server, limits, [](const httplib::Request&, httplib::Response&) {
        t_arrival = std::chrono::system_clock::now();
        return httplib::Server::HandlerResponse::Unhandled;
      });
  p->server.Get(".*", [p](const httplib::Request& req, httplib::Response& res) {
    p->Handle(req, res);
  });
  // Logged after routing but before the response is written (httplib's
  // logger runs after the write, so a client could read the log before its
  // own line is there).
  p->server.set_post_routing_handler(
      [p](const httplib::Request& req, httplib::Response& res) {
        if (!p->log) return;
        std::string ua = req.get_header_value("User-Agent");
        for (char& c : ua) {
          if (c == '\t' || c == '\n' || c == '\r') c = ' ';
        }
        const std::string line = LogTime(t_arrival) + "\t" + req.method + "\t" +
                                 (req.target.empty() ? req.path : req.target) +
                                 "\t" + ua + "\t" + std::to_string(res.status) +
                                 "\n";
        std::lock_guard<std::mutex> lock(p->log_mu);
        std::fputs(line.c_str(), p->log);
        std::fflush(p->log);
      });
  CRATEDIG_ASSIGN_OR_RETURN(p->port,
                            p->hardened->Bind(options.host, options.port));
  p->thread = std::thread([p] { p->server.listen_after_bind(); });
  // Stop() before the accept loop runs would be lost (httplib's stop() is
  // a no-op until then), so return only once the server is running.
  for (int i = 0; i < 5000 && !p->server.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return std::unique_ptr<SampleStore>(new SampleStore(std::move(impl)));
}

SampleStore::SampleStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SampleStore::~SampleStore() { Stop(); }

int SampleStore::port() const { return impl_->port; }

std::string SampleStore::base_url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->port);
}

const Catalogue& SampleStore::catalogue() const { return impl_->cat; }

uint64_t SampleStore::requests() const { return impl_->requests; }

uint64_t SampleStore::not_modified() const { return impl_->not_modified; }

int SampleStore::Publish(int n) {
  Impl& p = *impl_;
  std::unique_lock<std::shared_mutex> lock(p.pages_mu);
  int out = 0;
  for (auto& [slug, h] : p.hidden) {
    const int take = std::min(std::max(0, n), h);
    // The held-back releases are the newest `h`: the oldest of them (index
    // h - 1) comes out first.
    for (int i = h - take; i < h; ++i) {
      p.unpublished.erase(p.by_slug[slug][i]->store_id);
    }
    h -= take;
    out += take;
  }
  if (out > 0) p.RenderListings(std::time(nullptr));
  return out;
}

bool SampleStore::SetLabel(const std::string& release_store_id,
                           const std::string& label) {
  Impl& p = *impl_;
  std::unique_lock<std::shared_mutex> lock(p.pages_mu);
  for (ReleaseTruth& r : p.cat.releases) {
    if (r.store_id != release_store_id) continue;
    r.label = label;
    const std::time_t now = std::time(nullptr);
    p.PutPage(r.url_path,
              RenderProductPage(r, HasFault(r.faults, "malformed_html")), now);
    p.RenderListings(now);
    return true;
  }
  return false;
}

bool SampleStore::Published(const std::string& release_store_id) const {
  std::shared_lock<std::shared_mutex> lock(impl_->pages_mu);
  return !impl_->unpublished.count(release_store_id);
}

void SampleStore::Stop() {
  if (!impl_) return;
  {
    std::lock_guard<std::mutex> lock(impl_->stop_mu);
    impl_->stopping = true;
  }
  impl_->stop_cv.notify_all();
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace cratedig::samplestore
