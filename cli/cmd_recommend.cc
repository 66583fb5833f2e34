// cratedig recommend: tracks that sound like a catalogue track or a file.
// cratedig evaluate-recs: genre precision of those recommendations against
// two baselines.
#include <fmt/format.h>

#include <optional>

#include "cli/context.h"
#include "cli/recommender_flags.h"
#include "core/json.h"
#include "db/model_tables.h"
#include "recommender/evaluate.h"
#include "recommender/recommender.h"
#ifdef CRATEDIG_HAVE_FILE_QUERY
#include "recommender/file_query.h"
#endif

namespace cratedig::cli {

namespace {

namespace rec = cratedig::recommender;

struct RecommendOptions {
  std::string db = "cratedig.db";
  int64_t track = 0;
  std::string file;
  int k = 5;
  int64_t run = 0;  // 0: newest run with embeddings
  bool exclude_same_artist = false;
  bool json = false;
  int threads = 0;
  IndexFlags index;
};

json::Json TrackJson(const rec::TrackInfo& t) {
  return json::Json({{"id", t.id},
                     {"artist", t.artist},
                     {"title", t.title},
                     {"genre", t.parent_genre},
                     {"preview_url", t.preview_url}});
}

json::Json IndexJson(const rec::IndexReport& r) {
  json::Json v = json::Json({{"kind", r.kind},
                             {"vectors", r.vectors},
                             {"from_cache", r.from_cache},
                             {"build_seconds", r.build_seconds}});
  if (r.recall) v["recall_at_" + std::to_string(r.recall_k)] = *r.recall;
  return v;
}

std::string Or(const std::string& s, const char* fallback) {
  return s.empty() ? fallback : s;
}

void PrintIndexNote(const rec::IndexReport& r) {
  if (r.kind != "hnsw") return;
  fmt::print(stderr, "index: HNSW over {} tracks ({} in {:.2f} s{})\n",
             r.vectors, r.from_cache ? "loaded" : "built", r.build_seconds,
             r.recall ? fmt::format(", recall@{} vs exact {:.3f}", r.recall_k,
                                    *r.recall)
                      : "");
}

Status RunRecommend(const RecommendOptions& o, Context& ctx) {
  if ((o.track != 0) == !o.file.empty()) {
    return Status::InvalidArgument("give exactly one of --track or --file");
  }
  if (o.k < 1) return Status::InvalidArgument("-k must be >= 1");
  CRATEDIG_ASSIGN_OR_RETURN(
      auto db, db::Database::Open(
                   o.db, db::DatabaseOptions{.mode = db::OpenMode::kReadOnly}));
  CRATEDIG_ASSIGN_OR_RETURN(rec::IndexOptions io,
                            ToIndexOptions(o.index, o.db));
  ProgressBar bar(ctx.BarOptions());
  std::optional<int64_t> run;
  if (o.run != 0) run = o.run;
  CRATEDIG_ASSIGN_OR_RETURN(
      auto recommender,
      rec::Recommender::Open(*db, run, io, bar.Callback(), &ctx.cancel));
  bar.Finish();
  if (!ctx.quiet) PrintIndexNote(recommender->index_report());

  rec::RecommendOptions ro;
  ro.k = o.k;
  ro.exclude_same_artist = o.exclude_same_artist;
  std::vector<rec::Recommendation> recs;
  json::Json query;
  std::string heading;
  if (o.track != 0) {
    const rec::TrackInfo* t = recommender->Track(o.track);
    if (!t) {
      return Status::NotFound("track " + std::to_string(o.track) +
                              " has no embedding in model run " +
                              std::to_string(recommender->run_id()));
    }
    CRATEDIG_ASSIGN_OR_RETURN(recs, recommender->ForTrack(o.track, ro));
    query = TrackJson(*t);
    heading =
        fmt::format("track {}: {} - {} [{}]", t->id, Or(t->artist, "?"),
                    Or(t->title, "?"), Or(t->parent_genre, "unknown genre"));
  } else {
#ifdef CRATEDIG_HAVE_FILE_QUERY
    CRATEDIG_ASSIGN_OR_RETURN(
        rec::FileEmbedding fe,
        rec::EmbedAudioFile(*db, recommender->run_id(), o.file, o.threads));
    CRATEDIG_ASSIGN_OR_RETURN(recs,
                              recommender->ForVector(std::move(fe.vec), ro));
    query = json::Json({{"file", o.file}, {"tiles", fe.tiles}});
    if (!fe.warning.empty()) {
      query["warning"] = fe.warning;
      fmt::print(stderr, "cratedig recommend: warning: {}\n", fe.warning);
    }
    heading = fmt::format("{} ({} tiles)", o.file, fe.tiles);
#else
    return Status::InvalidArgument(
        "this cratedig was built without the dataset and trainer libraries, "
        "so --file is not available");
#endif
  }

  if (o.json) {
    json::Json list = json::Json::array();
    for (const auto& r : recs) {
      json::Json v = TrackJson(r.track);
      v["similarity"] = json::Shortest(r.similarity);
      list.push_back(std::move(v));
    }
    json::Json out = json::Json(
        {{"run", recommender->run_id()}, {"query", query}, {"k", o.k}});
    out["exclude_same_artist"] = o.exclude_same_artist;
    out["index"] = IndexJson(recommender->index_report());
    out["recommendations"] = list;
    fmt::print("{}\n", json::Dump(out));
    return Status::Ok();
  }
  fmt::print("Sounds like {} (model run {})\n", heading, recommender->run_id());
  fmt::print("{:>3}  {:>10}  {:>8}  {:<14}  {}\n", "#", "similarity", "track",
             "genre", "artist - title / preview");
  int i = 0;
  for (const auto& r : recs) {
    fmt::print("{:>3}  {:>10.4f}  {:>8}  {:<14}  {} - {}\n", ++i, r.similarity,
               r.track.id, Or(r.track.parent_genre, "?"),
               Or(r.track.artist, "?"), Or(r.track.title, "?"));
    if (!r.track.preview_url.empty()) {
      fmt::print("{:>3}  {:>10}  {:>8}  {:<14}  {}\n", "", "", "", "",
                 r.track.preview_url);
    }
  }
  if (recs.empty()) fmt::print("(no other tracks)\n");
  return Status::Ok();
}

struct EvalOptions {
  std::string db = "cratedig.db";
  int64_t run = 0;
  uint64_t seed = 1;
  int bands = 32;
  bool no_features = false;
  bool no_store = false;
  bool json = false;
};

Status RunEvaluate(const EvalOptions& o, Context& ctx) {
  // Stores its results in the run's metrics unless --no-store.
  db::DatabaseOptions dbo;
  dbo.mode = o.no_store ? db::OpenMode::kReadOnly : db::OpenMode::kExisting;
  CRATEDIG_ASSIGN_OR_RETURN(auto db, db::Database::Open(o.db, dbo));
  std::optional<int64_t> want;
  if (o.run != 0) want = o.run;
  CRATEDIG_ASSIGN_OR_RETURN(
      db::ModelRunRecord picked,
      db::ModelRunsTable(*db).Resolve(want, db::RunNeed::kEmbedded));
  const int64_t run = picked.id;
  rec::EvaluateOptions eo;
  eo.seed = o.seed;
  eo.audio_features = !o.no_features;
  eo.features.bands = o.bands;
  ProgressBar bar(ctx.BarOptions());
  CRATEDIG_ASSIGN_OR_RETURN(
      rec::RecsEvaluation e,
      rec::EvaluateRecommendations(*db, run, eo, bar.Callback(), &ctx.cancel));
  bar.Finish();
  if (!o.no_store) CRATEDIG_RETURN_IF_ERROR(rec::StoreInRunMetrics(*db, e));
  if (o.json) {
    fmt::print("{}\n", json::Dump(e.ToJson()));
    return Status::Ok();
  }
  fmt::print(
      "Genre precision of nearest-neighbour recommendations, model run {} "
      "({} tracks, {} queries)\n\n",
      run, e.tracks, e.methods.front().second.queries);
  fmt::print("{:<16} {:>7} {:>7} {:>18} {:>18} {:>17} {:>17}\n", "method",
             "p@5", "p@10", "p@5 other artist", "p@10 other artist",
             "p@5 other album", "p@10 other album");
  for (const auto& [name, p] : e.methods) {
    fmt::print(
        "{:<16} {:>7.3f} {:>7.3f} {:>18.3f} {:>18.3f} {:>17.3f} {:>17.3f}\n",
        name, p.p5, p.p10, p.p5_other_artist, p.p10_other_artist,
        p.p5_other_album, p.p10_other_album);
  }
  fmt::print("\np@10 by parent genre\n{:<16}", "genre");
  for (const auto& m : e.methods) fmt::print(" {:>15}", m.first);
  fmt::print("\n");
  for (const auto& [genre, v] : e.methods.front().second.p10_by_genre) {
    fmt::print("{:<16}", genre);
    for (const auto& m : e.methods) {
      auto it = m.second.p10_by_genre.find(genre);
      fmt::print(" {:>15.3f}",
                 it == m.second.p10_by_genre.end() ? 0.0 : it->second);
    }
    fmt::print("\n");
  }
  if (e.feature_tracks_missing > 0) {
    fmt::print("({} tracks had no readable tiles for the audio features)\n",
               e.feature_tracks_missing);
  }
  fmt::print(
      "\nembeddings beat every baseline (p@10, with and without the "
      "query's artist): {}\n",
      e.cnn_beats_baselines ? "yes" : "NO");
  if (!o.no_store) fmt::print("stored in model run {}'s metrics\n", run);
  return Status::Ok();
}

}  // namespace

void RegisterRecommend(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<RecommendOptions>();
  CLI::App* cmd = app.add_subcommand(
      "recommend",
      "Tracks that sound like a catalogue track (--track) or any audio file "
      "(--file), by cosine similarity of the model's embeddings");
  AddDbOption(cmd, o->db);
  cmd->add_option("--track", o->track, "Catalogue track id");
  cmd->add_option("--file", o->file,
                  "Any audio file FFmpeg reads; tiled and embedded with the "
                  "run's dataset settings and model");
  cmd->add_option("-k", o->k, "How many recommendations")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  cmd->add_option("--run", o->run,
                  "Model run (0: the newest run with embeddings)")
      ->capture_default_str();
  cmd->add_flag("--exclude-same-artist", o->exclude_same_artist,
                "Leave out tracks by the query's artist");
  cmd->add_flag("--json", o->json, "Print JSON instead of a table");
  cmd->add_option("--threads", o->threads,
                  "Threads for embedding --file (0: all cores)")
      ->capture_default_str();
  AddIndexFlags(cmd, o->index);
  cmd->callback([o, &ctx] {
    Status st = RunRecommend(*o, ctx);
    ctx.exit_code = st.ok() ? 0 : Fail("recommend", st);
  });

  auto e = std::make_shared<EvalOptions>();
  CLI::App* ev = app.add_subcommand(
      "evaluate-recs",
      "Genre precision@5/@10 of recommendations over every track, also with "
      "the query's artist or album (release) left out, against random and "
      "audio-feature baselines");
  AddDbOption(ev, e->db);
  ev->add_option("--run", e->run,
                 "Model run (0: the newest run with embeddings)")
      ->capture_default_str();
  ev->add_option("--seed", e->seed, "Seed of the random baseline")
      ->capture_default_str();
  ev->add_option("--bands", e->bands,
                 "Frequency bands of the audio-feature baseline (mean and "
                 "std of each)")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  ev->add_flag("--no-features", e->no_features,
               "Skip the audio-feature baseline (it reads every tile)");
  ev->add_flag("--no-store", e->no_store,
               "Do not store the results in the run's metrics");
  ev->add_flag("--json", e->json, "Print JSON instead of tables");
  ev->callback([e, &ctx] {
    Status st = RunEvaluate(*e, ctx);
    ctx.exit_code = st.ok() ? 0 : Fail("evaluate-recs", st);
  });
}

}  // namespace cratedig::cli
