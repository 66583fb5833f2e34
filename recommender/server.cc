#include "recommender/server.h"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <list>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "core/files.h"
#include "core/json.h"
#include "core/strings.h"
#include "db/catalogue_tables.h"
#include "db/dataset_tables.h"
#include "db/model_tables.h"
#include "net/http_server.h"
#include "recommender/pca.h"
#include "recommender/recommender.h"
#include "recommender/spectrogram_image.h"
#include "recommender/web_assets.h"

namespace cratedig::recommender {

namespace {

constexpr const char* kJson = "application/json";

// Parses a decimal track id; nullopt when it is not one.
std::optional<int64_t> ParseId(const std::string& s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

int ParamInt(const httplib::Request& req, const char* name, int fallback) {
  if (!req.has_param(name)) return fallback;
  auto v = ParseId(req.get_param_value(name));
  if (!v || *v > 1000000) return fallback;
  return static_cast<int>(*v);
}

std::string AudioMime(const std::string& path) {
  std::string ext = Lower(std::filesystem::path(path).extension().string());
  if (ext == ".mp3") return "audio/mpeg";
  if (ext == ".wav") return "audio/wav";
  if (ext == ".ogg") return "audio/ogg";
  if (ext == ".flac") return "audio/flac";
  if (ext == ".m4a") return "audio/mp4";
  return "application/octet-stream";
}

void NotFound(httplib::Response& res, const std::string& what) {
  res.status = 404;
  res.set_content(json::Dump(json::Json({{"error", what}})), kJson);
}

}  // namespace

struct Server::Impl {
  ServerOptions options;
  std::unique_ptr<db::Database> db;
  std::mutex db_mu;  // guards db (one connection, many handler threads)
  std::unique_ptr<Recommender> rec;
  std::vector<std::string> search_keys;  // row -> lower "artist title"
  std::unordered_map<int64_t, std::vector<std::string>> tiles;  // abs paths
  std::string map_json;
  httplib::Server http;
  std::unique_ptr<net::HardenedServer> hardened;  // limits on `http`
  int port = -1;

  // A few composed spectrograms, most recent first.
  std::mutex cache_mu;
  std::list<std::pair<int64_t, std::shared_ptr<const std::string>>> png_cache;

  // "preview_url" is the store's URL, named as in the db, the site profile
  // and `recommend --json`; "preview" is the local copy served here.
  json::Json TrackJson(const TrackInfo& t, bool with_files) {
    json::Json v = json::Json({{"id", t.id},
                               {"artist", t.artist},
                               {"title", t.title},
                               {"genre", t.parent_genre},
                               {"preview_url", t.preview_url}});
    if (with_files) {
      bool has_preview = false;
      {
        std::lock_guard<std::mutex> lock(db_mu);
        db::PreviewsTable previews(*db);
        auto p = previews.Get(t.id);
        has_preview = p.ok() && p->has_value() &&
                      (*p)->status == db::PreviewStatus::kOk && (*p)->path;
      }
      v["preview"] =
          has_preview ? json::Json("/previews/" + std::to_string(t.id) + ".mp3")
                      : json::Json();
      v["spectrogram"] =
          tiles.count(t.id)
              ? json::Json("/spectrograms/" + std::to_string(t.id) + ".png")
              : json::Json();
    }
    return v;
  }

  void Routes();
  void HardenRoutes();  // path checks, limits, JSON errors
  void AssetRoutes();   // the web page
  void ApiRoutes();     // /api/...: search, tracks, recommendations, map
  void MediaRoutes();   // previews and spectrogram images
  void BuildMap();
  std::shared_ptr<const std::string> Spectrogram(int64_t id);
};

void Server::Impl::BuildMap() {
  const EmbeddingSet& set = rec->set();
  std::vector<float> xy = PcaProject(set.vectors.data(), set.size(), set.dim);
  std::map<std::string, int> genre_index;
  for (const auto& t : set.tracks) genre_index.emplace(t.parent_genre, 0);
  json::Json genres = json::Json::array();
  int gi = 0;
  for (auto& [g, idx] : genre_index) {
    idx = gi++;
    genres.push_back(g);
  }
  json::Json points = json::Json::array();
  for (size_t i = 0; i < set.size(); ++i) {
    const TrackInfo& t = set.tracks[i];
    json::Json p = json::Json::array();
    p.push_back(t.id);
    p.push_back(json::Shortest(xy[2 * i]));
    p.push_back(json::Shortest(xy[2 * i + 1]));
    p.push_back(genre_index[t.parent_genre]);
    p.push_back(t.artist + " - " + t.title);
    points.push_back(std::move(p));
  }
  map_json = json::Dump(json::Json({{"run", set.run_id},
                                    {"genres", genres},
                                    {"fields", "id,x,y,genre,label"},
                                    {"points", points}}));
}

std::shared_ptr<const std::string> Server::Impl::Spectrogram(int64_t id) {
  {
    std::lock_guard<std::mutex> lock(cache_mu);
    for (auto it = png_cache.begin(); it != png_cache.end(); ++it) {
      if (it->first == id) {
        png_cache.splice(png_cache.begin(), png_cache, it);
        return png_cache.front().second;
      }
    }
  }
  auto it = tiles.find(id);
  if (it == tiles.end()) return nullptr;
  SpectrogramImageOptions so;
  so.max_tiles = options.spectrogram_max_tiles;
  auto png = ComposeSpectrogramPng(it->second, so);
  if (!png.ok()) return nullptr;
  auto shared = std::make_shared<const std::string>(std::move(png).value());
  std::lock_guard<std::mutex> lock(cache_mu);
  png_cache.emplace_front(id, shared);
  if (png_cache.size() > 32) png_cache.pop_back();
  return shared;
}

void Server::Impl::Routes() {
  HardenRoutes();
  AssetRoutes();
  ApiRoutes();
  MediaRoutes();
}

void Server::Impl::HardenRoutes() {
  // Paths are percent-decoded before this runs, so "%2e%2e" is caught too.
  // The hardening (body cap, timeouts, pool) checks the body size first.
  hardened = std::make_unique<net::HardenedServer>(
      http, options.limits,
      [](const httplib::Request& req, httplib::Response& res) {
        if (req.path.find("..") != std::string::npos ||
            req.path.find('\\') != std::string::npos) {
          NotFound(res, "not found");
          return httplib::Server::HandlerResponse::Handled;
        }
        return httplib::Server::HandlerResponse::Unhandled;
      });
  http.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) {
      res.set_content(json::Dump(json::Json(
                          {{"error", "HTTP " + std::to_string(res.status)}})),
                      kJson);
    }
  });
}

void Server::Impl::AssetRoutes() {
  for (const WebAsset& a : WebAssets()) {
    auto serve = [&a](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(a.body), std::string(a.mime).c_str());
      res.set_header("Cache-Control", "no-cache");
    };
    http.Get(std::string(a.path), serve);
    if (a.path == "/index.html") http.Get("/", serve);
  }
}

void Server::Impl::ApiRoutes() {
  http.Get("/api/search", [this](const httplib::Request& req,
                                 httplib::Response& res) {
    const std::string q = Lower(req.get_param_value("q"));
    const int limit = std::clamp(ParamInt(req, "limit", options.search_limit),
                                 1, options.search_limit);
    json::Json out = json::Json::array();
    if (!q.empty()) {
      const EmbeddingSet& set = rec->set();
      for (size_t i = 0; i < set.size() && static_cast<int>(out.size()) < limit;
           ++i) {
        if (search_keys[i].find(q) != std::string::npos) {
          out.push_back(TrackJson(set.tracks[i], false));
        }
      }
    }
    res.set_content(json::Dump(json::Json({{"query", req.get_param_value("q")},
                                           {"tracks", out}})),
                    kJson);
  });

  http.Get(R"(/api/tracks/(\d+))",
           [this](const httplib::Request& req, httplib::Response& res) {
             auto id = ParseId(req.matches[1]);
             const TrackInfo* t = id ? rec->Track(*id) : nullptr;
             if (!t) return NotFound(res, "no such track in this run");
             json::Json v = TrackJson(*t, true);
             v["run"] = rec->run_id();
             res.set_content(json::Dump(v), kJson);
           });

  http.Get(
      R"(/api/tracks/(\d+)/recommendations)",
      [this](const httplib::Request& req, httplib::Response& res) {
        auto id = ParseId(req.matches[1]);
        const TrackInfo* t = id ? rec->Track(*id) : nullptr;
        if (!t) return NotFound(res, "no such track in this run");
        RecommendOptions ro;
        ro.k =
            std::clamp(ParamInt(req, "k", options.default_k), 1, options.max_k);
        ro.exclude_same_artist =
            req.get_param_value("exclude_same_artist") == "1";
        auto recs = rec->ForTrack(*id, ro);
        if (!recs.ok()) return NotFound(res, recs.status().message());
        json::Json list = json::Json::array();
        for (const Recommendation& r : *recs) {
          json::Json v = TrackJson(r.track, true);
          v["similarity"] = json::Shortest(r.similarity);
          list.push_back(std::move(v));
        }
        res.set_content(json::Dump(json::Json(
                            {{"track", TrackJson(*t, true)},
                             {"k", ro.k},
                             {"exclude_same_artist", ro.exclude_same_artist},
                             {"index", rec->index_report().kind},
                             {"recommendations", list}})),
                        kJson);
      });

  http.Get("/api/map", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(map_json, kJson);
  });
}

void Server::Impl::MediaRoutes() {
  http.Get(R"(/previews/(\d+)\.mp3)", [this](const httplib::Request& req,
                                             httplib::Response& res) {
    auto id = ParseId(req.matches[1]);
    if (!id) return NotFound(res, "not found");
    std::optional<std::string> path;
    {
      std::lock_guard<std::mutex> lock(db_mu);
      db::PreviewsTable previews(*db);
      auto p = previews.Get(*id);
      if (p.ok() && p->has_value() && (*p)->status == db::PreviewStatus::kOk) {
        path = (*p)->path;
      }
    }
    if (!path) return NotFound(res, "no preview for this track");
    auto data = ReadFile(*path);
    if (!data.ok()) return NotFound(res, "preview file missing");
    res.set_header("Cache-Control", "max-age=3600");
    res.set_content(std::move(data).value(), AudioMime(*path).c_str());
  });

  http.Get(R"(/spectrograms/(\d+)\.png)",
           [this](const httplib::Request& req, httplib::Response& res) {
             auto id = ParseId(req.matches[1]);
             auto png = id ? Spectrogram(*id) : nullptr;
             if (!png) return NotFound(res, "no spectrogram for this track");
             res.set_header("Cache-Control", "max-age=3600");
             res.set_content(*png, "image/png");
           });
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() { Stop(); }

Result<std::unique_ptr<Server>> Server::Create(const std::string& db_path,
                                               std::optional<int64_t> run,
                                               const ServerOptions& options,
                                               const IndexOptions& index,
                                               const ProgressFn& progress,
                                               const CancelFlag* cancel) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  CRATEDIG_ASSIGN_OR_RETURN(
      impl->db,
      db::Database::Open(db_path,
                         db::DatabaseOptions{.mode = db::OpenMode::kReadOnly}));
  CRATEDIG_ASSIGN_OR_RETURN(
      impl->rec, Recommender::Open(*impl->db, run, index, progress, cancel));
  const EmbeddingSet& set = impl->rec->set();
  for (const auto& t : set.tracks) {
    impl->search_keys.push_back(Lower(t.artist + " " + t.title));
  }
  // Tiles of the run's dataset, by track, resolved once against the
  // dataset's own folder.
  db::ModelRunsTable runs(*impl->db);
  CRATEDIG_ASSIGN_OR_RETURN(auto run_rec, runs.Get(impl->rec->run_id()));
  if (run_rec) {
    db::DatasetsTable datasets(*impl->db);
    CRATEDIG_ASSIGN_OR_RETURN(auto ds, datasets.Get(run_rec->dataset_hash));
    if (ds) {
      CRATEDIG_ASSIGN_OR_RETURN(auto tiles, datasets.ListTiles(ds->hash, ""));
      std::sort(tiles.begin(), tiles.end(), [](const auto& a, const auto& b) {
        return a.track_id != b.track_id ? a.track_id < b.track_id
                                        : a.tile_index < b.tile_index;
      });
      const std::filesystem::path root(ds->tiles_dir);
      for (const auto& t : tiles) {
        impl->tiles[t.track_id].push_back((root / t.path).string());
      }
    }
  }
  impl->BuildMap();
  impl->Routes();
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Status Server::Bind() {
  Impl& s = *impl_;
  auto port = s.hardened->Bind(s.options.host, s.options.port);
  if (!port.ok()) {
    s.port = -1;
    return port.status();
  }
  s.port = *port;
  return Status::Ok();
}

int Server::port() const { return impl_->port; }

std::string Server::url() const {
  return "http://" + impl_->options.host + ":" + std::to_string(impl_->port) +
         "/";
}

int64_t Server::run_id() const { return impl_->rec->run_id(); }

Status Server::Run() {
  if (impl_->port <= 0) return Status::Internal("Server::Run before Bind");
  if (!impl_->http.listen_after_bind()) {
    return Status::IoError("the HTTP server stopped with an error");
  }
  return Status::Ok();
}

Status Server::RunUntil(const CancelFlag& cancel) {
  std::atomic<bool> finished{false};
  Status result;  // written by the thread, read after join
  std::thread http([&] {
    result = Run();
    finished = true;
  });
  while (!finished && !cancel.stop()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  // A Stop() before the accept loop runs is lost: repeat until Run returns.
  while (!finished) {
    Stop();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  http.join();
  return result;
}

bool Server::running() const { return impl_ && impl_->http.is_running(); }

void Server::Stop() {
  if (impl_) impl_->http.stop();
}

}  // namespace cratedig::recommender
