#include "recommender/evaluate.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <random>
#include <unordered_map>
#include <unordered_set>

#include "db/dataset_tables.h"
#include "db/model_tables.h"
#include "recommender/embedding_set.h"
#include "recommender/vector_index.h"

namespace cratedig::recommender {

namespace {

// Accumulates per-query precision into the four figures.
class PrecisionSum {
 public:
  void Add(const std::string& genre, const std::vector<uint32_t>& all,
           const std::vector<uint32_t>& other_artist,
           const std::vector<uint32_t>& other_album, const EvalTracks& tracks) {
    auto prec = [&](const std::vector<uint32_t>& recs, size_t k) {
      size_t m = std::min(k, recs.size());
      if (m == 0) return 0.0;
      size_t hit = 0;
      for (size_t i = 0; i < m; ++i) hit += tracks.genre[recs[i]] == genre;
      return static_cast<double>(hit) / m;
    };
    double p10 = prec(all, 10);
    s5_ += prec(all, 5);
    s10_ += p10;
    s5x_ += prec(other_artist, 5);
    s10x_ += prec(other_artist, 10);
    s5a_ += prec(other_album, 5);
    s10a_ += prec(other_album, 10);
    auto& g = genre_[genre];
    g.first += p10;
    g.second += 1;
    ++n_;
  }
  GenrePrecision Result() const {
    GenrePrecision p;
    p.queries = n_;
    if (n_ == 0) return p;
    p.p5 = s5_ / n_;
    p.p10 = s10_ / n_;
    p.p5_other_artist = s5x_ / n_;
    p.p10_other_artist = s10x_ / n_;
    p.p5_other_album = s5a_ / n_;
    p.p10_other_album = s10a_ / n_;
    for (const auto& [g, v] : genre_) p.p10_by_genre[g] = v.first / v.second;
    return p;
  }

 private:
  double s5_ = 0, s10_ = 0, s5x_ = 0, s10x_ = 0, s5a_ = 0, s10a_ = 0;
  int64_t n_ = 0;
  std::map<std::string, std::pair<double, int64_t>> genre_;
};

std::unordered_map<std::string, size_t> ArtistCounts(const EvalTracks& t) {
  std::unordered_map<std::string, size_t> c;
  for (const auto& a : t.artist) {
    if (!a.empty()) ++c[a];
  }
  return c;
}

std::unordered_map<std::string, size_t> AlbumCounts(const EvalTracks& t) {
  std::unordered_map<std::string, size_t> c;
  for (const auto& a : t.album) {
    if (!a.empty()) ++c[a];
  }
  return c;
}

// Whether a candidate's key equals the query's, which must be non-empty.
bool Same(const std::string& query_key, const std::string& key) {
  return !query_key.empty() && key == query_key;
}

json::Json PrecisionJson(const GenrePrecision& p) {
  json::Json by_genre = json::Json::object();
  for (const auto& [g, v] : p.p10_by_genre) by_genre[g] = v;
  return json::Json({{"p5", p.p5},
                     {"p10", p.p10},
                     {"p5_other_artist", p.p5_other_artist},
                     {"p10_other_artist", p.p10_other_artist},
                     {"p5_other_album", p.p5_other_album},
                     {"p10_other_album", p.p10_other_album},
                     {"queries", p.queries},
                     {"p10_by_genre", by_genre}});
}

}  // namespace

const std::string& EvalTracks::AlbumOf(size_t row) const {
  static const std::string kNone;
  return row < album.size() ? album[row] : kNone;
}

GenrePrecision NeighbourPrecision(const std::vector<float>& vectors, int dim,
                                  const EvalTracks& tracks,
                                  const ProgressFn& progress,
                                  const CancelFlag* cancel) {
  const size_t n = tracks.size();
  ExactIndex index(vectors.data(), n, dim);
  auto artist_count = ArtistCounts(tracks);
  auto album_count = AlbumCounts(tracks);
  PrecisionSum sum;
  for (size_t q = 0; q < n; ++q) {
    if (cancel && cancel->stop()) break;
    const std::string& genre = tracks.genre[q];
    if (genre.empty()) continue;
    const std::string& artist = tracks.artist[q];
    const std::string& album = tracks.AlbumOf(q);
    // One search deep enough for all three lists: the top 10 after dropping
    // the query itself and every other track of its artist (or album).
    size_t same = std::max(artist.empty() ? 0 : artist_count[artist],
                           album.empty() ? 0 : album_count[album]);
    auto nb = index.Search(vectors.data() + q * dim, 11 + same);
    std::vector<uint32_t> all, other, other_album;
    for (const Neighbor& x : nb) {
      if (x.row == q) continue;
      if (all.size() < 10) all.push_back(x.row);
      if (other.size() < 10 && !Same(artist, tracks.artist[x.row])) {
        other.push_back(x.row);
      }
      if (other_album.size() < 10 && !Same(album, tracks.AlbumOf(x.row))) {
        other_album.push_back(x.row);
      }
    }
    sum.Add(genre, all, other, other_album, tracks);
    if (progress && q % 256 == 0) {
      Report(progress, {"neighbours", static_cast<int64_t>(q),
                        static_cast<int64_t>(n), "tracks", ""});
    }
  }
  Report(progress, {"neighbours", static_cast<int64_t>(n),
                    static_cast<int64_t>(n), "tracks", ""});
  return sum.Result();
}

GenrePrecision RandomPrecision(const EvalTracks& tracks, uint64_t seed) {
  const size_t n = tracks.size();
  std::mt19937_64 rng(seed);
  // Its own stream, so that adding the album lists left the draws of the
  // other two (and their figures) as they were.
  std::mt19937_64 album_rng(seed ^ 0x616c62756dULL);
  auto artist_count = ArtistCounts(tracks);
  auto album_count = AlbumCounts(tracks);
  PrecisionSum sum;
  enum class Leave { kSelf, kArtist, kAlbum };
  auto draw = [&](size_t q, Leave leave) {
    const std::string& artist = tracks.artist[q];
    const std::string& album = tracks.AlbumOf(q);
    size_t excluded = 1;
    if (leave == Leave::kArtist && !artist.empty()) {
      excluded = artist_count[artist];
    }
    if (leave == Leave::kAlbum && !album.empty()) excluded = album_count[album];
    size_t pool = n >= excluded ? n - excluded : 0;
    size_t want = std::min<size_t>(10, pool);
    std::vector<uint32_t> out;
    std::unordered_set<uint32_t> seen;
    std::uniform_int_distribution<size_t> pick(0, n - 1);
    auto& gen = leave == Leave::kAlbum ? album_rng : rng;
    while (out.size() < want) {
      uint32_t r = static_cast<uint32_t>(pick(gen));
      if (r == q || seen.count(r)) continue;
      if (leave == Leave::kArtist && Same(artist, tracks.artist[r])) continue;
      if (leave == Leave::kAlbum && Same(album, tracks.AlbumOf(r))) continue;
      seen.insert(r);
      out.push_back(r);
    }
    return out;
  };
  for (size_t q = 0; q < n; ++q) {
    if (tracks.genre[q].empty()) continue;
    auto all = draw(q, Leave::kSelf);
    auto other = draw(q, Leave::kArtist);
    auto other_album = draw(q, Leave::kAlbum);
    sum.Add(tracks.genre[q], all, other, other_album, tracks);
  }
  return sum.Result();
}

Result<std::vector<float>> AudioFeatureVectors(
    db::Database& db, const std::string& dataset_hash,
    const std::vector<int64_t>& track_ids, const AudioFeatureOptions& o,
    int64_t* missing, const ProgressFn& progress, const CancelFlag* cancel) {
  if (o.bands < 1) return Status::InvalidArgument("bands must be >= 1");
  db::DatasetsTable datasets(db);
  CRATEDIG_ASSIGN_OR_RETURN(auto ds, datasets.Get(dataset_hash));
  if (!ds) return Status::NotFound("no dataset " + dataset_hash);
  CRATEDIG_ASSIGN_OR_RETURN(auto tiles, datasets.ListTiles(dataset_hash, ""));
  std::unordered_map<int64_t, std::vector<std::string>> by_track;
  for (auto& t : tiles) by_track[t.track_id].push_back(std::move(t.path));

  const int dim = 2 * o.bands;
  const size_t n = track_ids.size();
  std::vector<float> out(n * dim, 0.0f);
  std::vector<bool> ok(n, false);
  int64_t miss = 0;
  const std::filesystem::path root(ds->tiles_dir);
  for (size_t i = 0; i < n; ++i) {
    if (cancel && cancel->stop()) return Status::Cancelled("features");
    std::vector<double> sum(o.bands, 0), sq(o.bands, 0), cnt(o.bands, 0);
    auto it = by_track.find(track_ids[i]);
    if (it != by_track.end()) {
      for (const std::string& rel : it->second) {
        cv::Mat img = cv::imread((root / rel).string(), cv::IMREAD_GRAYSCALE);
        if (img.empty() || img.rows < o.bands) continue;
        cv::Mat f;
        img.convertTo(f, CV_64F);
        for (int b = 0; b < o.bands; ++b) {
          const int r0 = b * img.rows / o.bands;
          const int r1 = (b + 1) * img.rows / o.bands;
          cv::Mat band = f.rowRange(r0, r1);
          sum[b] += cv::sum(band)[0];
          sq[b] += band.dot(band);
          cnt[b] += static_cast<double>(band.total());
        }
      }
    }
    if (cnt[0] == 0) {
      ++miss;
    } else {
      ok[i] = true;
      for (int b = 0; b < o.bands; ++b) {
        const double mean = sum[b] / cnt[b];
        const double var = std::max(0.0, sq[b] / cnt[b] - mean * mean);
        out[i * dim + b] = static_cast<float>(mean);
        out[i * dim + o.bands + b] = static_cast<float>(std::sqrt(var));
      }
    }
    if (progress && i % 64 == 0) {
      Report(progress, {"features", static_cast<int64_t>(i),
                        static_cast<int64_t>(n), "tracks", "tile features"});
    }
  }
  // Standardise each dimension over the tracks that have features, so no
  // band dominates the cosine by its loudness alone.
  for (int d = 0; d < dim; ++d) {
    double s = 0, s2 = 0, c = 0;
    for (size_t i = 0; i < n; ++i) {
      if (!ok[i]) continue;
      s += out[i * dim + d];
      s2 += static_cast<double>(out[i * dim + d]) * out[i * dim + d];
      ++c;
    }
    if (c == 0) continue;
    const double mean = s / c;
    const double sd = std::sqrt(std::max(0.0, s2 / c - mean * mean));
    for (size_t i = 0; i < n; ++i) {
      if (!ok[i]) continue;
      float& v = out[i * dim + d];
      v = sd > 1e-12 ? static_cast<float>((v - mean) / sd) : 0.0f;
    }
  }
  for (size_t i = 0; i < n; ++i) NormalizeL2(out.data() + i * dim, dim);
  Report(progress, {"features", static_cast<int64_t>(n),
                    static_cast<int64_t>(n), "tracks", "tile features"});
  if (missing) *missing = miss;
  return out;
}

json::Json RecsEvaluation::ToJson() const {
  json::Json methods_json = json::Json::object();
  for (const auto& [name, p] : methods) methods_json[name] = PrecisionJson(p);
  return json::Json({{"run", run_id},
                     {"tracks", tracks},
                     {"metric", "genre precision@k of nearest neighbours"},
                     {"methods", methods_json},
                     {"feature_tracks_missing", feature_tracks_missing},
                     {"cnn_beats_baselines", cnn_beats_baselines}});
}

Result<RecsEvaluation> EvaluateRecommendations(db::Database& db, int64_t run_id,
                                               const EvaluateOptions& o,
                                               const ProgressFn& progress,
                                               const CancelFlag* cancel) {
  db::ModelRunsTable runs(db);
  CRATEDIG_ASSIGN_OR_RETURN(auto run, runs.Get(run_id));
  if (!run) return Status::NotFound("no model run " + std::to_string(run_id));
  CRATEDIG_ASSIGN_OR_RETURN(EmbeddingSet set, LoadEmbeddings(db, run_id));
  EvalTracks tracks;
  for (const auto& t : set.tracks) {
    tracks.genre.push_back(t.parent_genre);
    tracks.artist.push_back(ArtistKey(t.artist));
    // The album is the release the track was crawled from.
    tracks.album.push_back(
        t.release_id > 0 ? "release " + std::to_string(t.release_id) : "");
  }
  RecsEvaluation e;
  e.run_id = run_id;
  e.tracks = static_cast<int64_t>(set.size());
  e.methods.emplace_back("cnn", NeighbourPrecision(set.vectors, set.dim, tracks,
                                                   progress, cancel));
  if (cancel && cancel->stop()) return Status::Cancelled("evaluate-recs");
  e.methods.emplace_back("random", RandomPrecision(tracks, o.seed));
  if (o.audio_features) {
    CRATEDIG_ASSIGN_OR_RETURN(
        std::vector<float> feats,
        AudioFeatureVectors(db, run->dataset_hash, set.track_ids, o.features,
                            &e.feature_tracks_missing, progress, cancel));
    e.methods.emplace_back("audio_features",
                           NeighbourPrecision(feats, 2 * o.features.bands,
                                              tracks, progress, cancel));
    if (cancel && cancel->stop()) return Status::Cancelled("evaluate-recs");
  }
  const GenrePrecision& cnn = e.methods.front().second;
  e.cnn_beats_baselines = true;
  for (size_t i = 1; i < e.methods.size(); ++i) {
    const GenrePrecision& b = e.methods[i].second;
    if (!(cnn.p10 > b.p10 && cnn.p10_other_artist > b.p10_other_artist)) {
      e.cnn_beats_baselines = false;
    }
  }
  return e;
}

Status StoreInRunMetrics(db::Database& db, const RecsEvaluation& e) {
  db::ModelRunsTable runs(db);
  return db.InTransaction([&]() -> Status {
    CRATEDIG_ASSIGN_OR_RETURN(auto run, runs.Get(e.run_id));
    if (!run)
      return Status::NotFound("no model run " + std::to_string(e.run_id));
    Result<std::string> metrics = json::SetMember(
        run->metrics.value_or(""), "recommendations", e.ToJson());
    if (!metrics.ok()) {
      return Status::Corrupt("metrics of run " + std::to_string(e.run_id) +
                             ": " + metrics.status().message());
    }
    run->metrics = std::move(*metrics);
    return runs.Update(*run);
  });
}

}  // namespace cratedig::recommender
