// Load check of `serve` (issue 12): p50/p99 latency of the JSON API under
// 50 parallel clients, and the wait of a normal request while 32 slow
// clients hold connections open. Runs the real recommender::Server twice in
// one process, side by side:
//   before: cpp-httplib 0.11's defaults (a fixed pool of 8 threads, listen
//           backlog 5, keep-alive 5 requests / 5 s), as `serve` had them;
//   after:  net::HttpLimits defaults (elastic pool up to 256, backlog 1024,
//           keep-alive 100 / 2 s).
// Usage: serve_bench [--db PATH] [--requests 10000] [--clients 50]
// Without --db it builds a synthetic catalogue of 2,000 tracks (128-d).
//   serve_bench --make-db DIR        writes that catalogue under DIR, prints
//                                    the database path (for `cratedig serve`)
//   serve_bench --port N --db PATH   loads a server already listening on
//                                    127.0.0.1:N (serving PATH) instead; one
//                                    row, exit 1 on any error (bench/soak)
#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "recommender/server.h"
#include "tests/net/loopback_client.h"
#include "tests/recommender/fixture.h"

namespace {

using cratedig::recommender::Server;
using cratedig::recommender::ServerOptions;
using Clock = std::chrono::steady_clock;

// One request on a fresh connection, read to the end; the status code, -1
// on a socket error.
int Get(int port, const std::string& path) {
  return cratedig::testing::RawGet(port, path);
}

double Pct(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * (v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

long RssKb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

struct Result {
  double p50_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0, rps = 0;
  int over_1s = 0;  // requests that took longer than 1 s (a SYN retry)
  int errors = 0;
  double slow_wait_s = 0;
};

// The load on a server listening on 127.0.0.1:`port`: `requests` requests
// from `clients` parallel clients, then one request behind 32 slow clients.
Result Load(int port, const std::vector<int64_t>& ids, int requests,
            int clients) {
  Result r;
  std::vector<std::vector<double>> lat(static_cast<size_t>(clients));
  std::atomic<int> errors{0};
  std::atomic<int> next{0};
  const auto t0 = Clock::now();
  std::vector<std::thread> ts;
  for (int c = 0; c < clients; ++c) {
    ts.emplace_back([&, c] {
      std::mt19937 rng(static_cast<uint32_t>(c + 1));
      for (;;) {
        int i = next.fetch_add(1);
        if (i >= requests) break;
        const int64_t id = ids[rng() % ids.size()];
        std::string path;
        switch (i % 3) {
          case 0:
            path =
                "/api/tracks/" + std::to_string(id) + "/recommendations?k=10";
            break;
          case 1:
            path = "/api/search?q=tune%20" + std::to_string(rng() % 100);
            break;
          default:
            path = "/api/tracks/" + std::to_string(id);
        }
        const auto a = Clock::now();
        int st = Get(port, path);
        const auto b = Clock::now();
        if (st != 200) ++errors;
        lat[static_cast<size_t>(c)].push_back(
            std::chrono::duration<double, std::milli>(b - a).count());
      }
    });
  }
  for (auto& t : ts) t.join();
  const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
  std::vector<double> all;
  for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
  r.p50_ms = Pct(all, 0.50);
  r.p99_ms = Pct(all, 0.99);
  r.p999_ms = Pct(all, 0.999);
  for (double ms : all) r.over_1s += ms > 1000;
  r.max_ms = all.empty() ? 0 : all.back();
  r.rps = requests / wall;
  r.errors = errors;

  // 32 slow clients: an unfinished request each, then one normal request.
  std::vector<int> slow;
  for (int i = 0; i < 32; ++i) {
    int fd = cratedig::testing::ConnectLoopback(port);
    if (fd < 0) continue;
    const char* part = "GET /api/map HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    (void)!::send(fd, part, std::strlen(part), MSG_NOSIGNAL);
    slow.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // accepted
  const auto s0 = Clock::now();
  int st = Get(port, "/api/tracks/" + std::to_string(ids[0]));
  r.slow_wait_s = std::chrono::duration<double>(Clock::now() - s0).count();
  if (st != 200) r.slow_wait_s = -r.slow_wait_s;
  for (int fd : slow) ::close(fd);
  return r;
}

Result RunOne(const std::string& db, const cratedig::net::HttpLimits& limits,
              const std::vector<int64_t>& ids, int requests, int clients) {
  ServerOptions so;
  so.port = 0;
  so.limits = limits;
  auto server = Server::Create(db, std::nullopt, so);
  if (!server.ok()) {
    fmt::print(stderr, "{}\n", server.status().ToString());
    std::exit(1);
  }
  if (auto st = (*server)->Bind(); !st.ok()) {
    fmt::print(stderr, "{}\n", st.ToString());
    std::exit(1);
  }
  const int port = (*server)->port();
  std::thread http([&] { (void)(*server)->Run(); });
  while (!(*server)->running()) std::this_thread::yield();
  Result r = Load(port, ids, requests, clients);
  (*server)->Stop();
  http.join();
  return r;
}

void PrintHeader() {
  fmt::print("{:<8} {:>8} {:>8} {:>8} {:>8} {:>6} {:>7} {:>6} {:>22}\n",
             "config", "p50 ms", "p99 ms", "p99.9", "max ms", ">1 s", "req/s",
             "errors", "wait behind 32 slow");
}

void PrintRow(const std::string& name, const Result& r) {
  fmt::print(
      "{:<8} {:>8.2f} {:>8.2f} {:>8.1f} {:>8.1f} {:>6} {:>7.0f} {:>6} "
      "{:>22}\n",
      name, r.p50_ms, r.p99_ms, r.p999_ms, r.max_ms, r.over_1s, r.rps, r.errors,
      r.slow_wait_s >= 0
          ? fmt::format("{:.3f} s", r.slow_wait_s)
          : fmt::format("no answer in {:.0f} s", -r.slow_wait_s));
}

// The synthetic catalogue: 2,000 tracks with 128-d embeddings in a
// database under `dir`. Returns the error text, "" on success.
std::string MakeCatalogue(const std::filesystem::path& dir, std::string& db,
                          std::vector<int64_t>& ids) {
  namespace t = cratedig::recommender::testing;
  std::filesystem::create_directories(dir);
  std::vector<t::FixtureTrack> tracks;
  std::mt19937 rng(1);
  std::normal_distribution<float> noise(0, 0.3f);
  const char* genres[] = {"Trance", "Drum and Bass", "Downtempo", "Breakbeat"};
  for (int i = 0; i < 2000; ++i) {
    t::FixtureTrack ft;
    ft.artist = "Artist " + std::to_string(i / 3);
    ft.title = "Tune " + std::to_string(i);
    ft.genre = genres[i % 4];
    ft.vec.assign(128, 0.0f);
    for (float& x : ft.vec) x = noise(rng);
    ft.vec[i % 4] += 2.0f;
    ft.preview = false;
    ft.tiles = 0;
    tracks.push_back(ft);
  }
  t::Fixture fx;
  std::string err = t::BuildFixture(dir, tracks, fx);
  db = fx.db_path;
  ids = fx.track_ids;
  return err;
}

}  // namespace

int main(int argc, char** argv) {
  std::string db, make_db;
  int requests = 10000, clients = 50, port = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--db") db = argv[i + 1];
    if (k == "--requests") requests = std::atoi(argv[i + 1]);
    if (k == "--clients") clients = std::atoi(argv[i + 1]);
    if (k == "--port") port = std::atoi(argv[i + 1]);
    if (k == "--make-db") make_db = argv[i + 1];
  }
  namespace fs = std::filesystem;
  fs::path tmp =
      fs::temp_directory_path() / ("serve_bench_" + std::to_string(::getpid()));
  std::vector<int64_t> ids;
  if (!make_db.empty()) {  // write the synthetic catalogue for `serve`
    std::string err = MakeCatalogue(make_db, db, ids);
    if (!err.empty()) {
      fmt::print(stderr, "fixture: {}\n", err);
      return 1;
    }
    fmt::print("{}\n", db);
    return 0;
  }
  if (db.empty()) {
    if (port > 0) {
      fmt::print(stderr, "--port needs --db (the served database)\n");
      return 2;
    }
    std::string err = MakeCatalogue(tmp, db, ids);
    if (!err.empty()) {
      fmt::print(stderr, "fixture: {}\n", err);
      return 1;
    }
  } else {
    auto d = cratedig::db::Database::Open(
        db, cratedig::db::DatabaseOptions{
                .mode = cratedig::db::OpenMode::kReadOnly});
    if (!d.ok()) return 1;
    auto s = (*d)->Prepare("SELECT DISTINCT track_id FROM embeddings");
    while (s.ok() && *s->Step()) ids.push_back(s->Int(0));
  }
  cratedig::net::HttpLimits before;
  before.min_threads = 8;
  before.max_threads = 8;
  before.backlog = 5;
  before.keep_alive_max = 5;
  before.keep_alive_timeout_s = 5;
  const cratedig::net::HttpLimits after;
  fmt::print(
      "serve load: {} requests, {} parallel clients, a new connection "
      "each; {} tracks\n",
      requests, clients, ids.size());
  PrintHeader();
  if (port > 0) {  // an external server (`cratedig serve`): one run
    Result r = Load(port, ids, requests, clients);
    PrintRow("external", r);
    return r.errors == 0 && r.slow_wait_s >= 0 ? 0 : 1;
  }
  for (int round = 0; round < 2; ++round) {
    for (const auto& [name, lim] :
         {std::pair{"before", before}, std::pair{"after", after}}) {
      PrintRow(name, RunOne(db, lim, ids, requests, clients));
    }
  }
  fmt::print("peak RSS {} MiB\n", RssKb() / 1024);
  fs::remove_all(tmp);
  return 0;
}
