// The listening page and its JSON API (cpp-httplib).
//
// Routes (GET only; anything else, and any path containing "..", is 404):
//   /, /index.html, /app.js, /style.css   the page (embedded in the binary)
//   /api/search?q=TEXT[&limit=N]          tracks of the run whose artist or
//                                         title contains TEXT
//   /api/tracks/{id}                      one track
//   /api/tracks/{id}/recommendations?k=N[&exclude_same_artist=1]
//   /api/map                              2-D PCA of every embedding
//   /previews/{id}.mp3                    the file the previews table stores
//                                         for track {id} (only that file)
//   /spectrograms/{id}.png                the track's tiles joined
// No part of a request ever becomes a file path: files are looked up by
// the numeric track id in the database.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/progress.h"
#include "core/status.h"
#include "net/http_limits.h"
#include "recommender/index_factory.h"

namespace cratedig::recommender {

struct ServerOptions {
  // Default: loopback only. Anything else exposes the catalogue to the LAN.
  std::string host = "127.0.0.1";
  int port = 8080;        // 0: any free port (see Server::port())
  int default_k = 10;     // recommendations when ?k= is absent
  int max_k = 100;        // ?k= is clamped to [1, max_k]
  int search_limit = 50;  // most results /api/search returns
  int spectrogram_max_tiles = 24;
  // Timeouts, thread pool, backlog and body cap (net/http_limits.h).
  net::HttpLimits limits;
};

class Server {
 public:
  // Opens `db_path` (a connection of its own, used under a lock), loads the
  // run's embeddings (default: newest run with embeddings), builds the
  // index and the map. Does not bind yet.
  static Result<std::unique_ptr<Server>> Create(
      const std::string& db_path, std::optional<int64_t> run,
      const ServerOptions& options, const IndexOptions& index = {},
      const ProgressFn& progress = {}, const CancelFlag* cancel = nullptr);
  ~Server();

  // Binds host:port (port 0 picks a free one), without SO_REUSEPORT: a
  // port another process listens on is an IoError ("already in use").
  Status Bind();
  // The bound port. REQUIRES: Bind() succeeded.
  int port() const;
  // "http://host:port/".
  std::string url() const;
  int64_t run_id() const;
  // Serves until Stop(). REQUIRES: Bind() succeeded.
  Status Run();
  // Serves on a thread of its own until `cancel` stops (or the server fails),
  // then stops it and returns Run()'s result. What the CLI uses.
  Status RunUntil(const CancelFlag& cancel);
  // Thread-safe; makes Run() return. A Stop() before Run() has started
  // accepting is lost (cpp-httplib): wait for running() first.
  void Stop();
  // True once Run() accepts connections.
  bool running() const;

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cratedig::recommender
