#include "demo/demo.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "config/dataset_settings.h"
#include "config/site_profile.h"
#include "config/train_settings.h"
#include "core/stopwatch.h"
#include "crawler/crawl.h"
#include "crawler/download.h"
#include "dataset/builder.h"
#include "db/catalogue_tables.h"
#include "db/database.h"
#include "recommender/evaluate.h"
#include "recommender/recommender.h"
#include "samplestore/sample_store.h"
#include "trainer/embed.h"
#include "trainer/evaluate.h"
#include "trainer/runtime.h"
#include "trainer/train.h"

namespace cratedig::demo {

namespace fs = std::filesystem;

namespace {

constexpr const char* kMarker = ".cratedig-demo";

// Makes `dir` an empty demo folder. Refuses to clear a folder that an
// earlier demo did not make, so a mistyped --workdir never deletes data.
Status PrepareWorkdir(const fs::path& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    bool empty = fs::is_directory(dir, ec) && fs::is_empty(dir, ec);
    if (!empty && !fs::exists(dir / kMarker, ec)) {
      return Status::InvalidArgument(
          "--workdir " + dir.string() +
          " exists and was not made by `cratedig demo`; choose another "
          "folder or remove it");
    }
    for (const char* name : {"cratedig.db", "cratedig.db-wal",
                             "cratedig.db-shm", "previews", "tiles", "runs"}) {
      fs::remove_all(dir / name, ec);
      if (ec) {
        return Status::IoError("cannot clear " + (dir / name).string() + ": " +
                               ec.message());
      }
    }
  }
  fs::create_directories(dir, ec);
  if (ec) {
    return Status::IoError("cannot create " + dir.string() + ": " +
                           ec.message());
  }
  std::ofstream(dir / kMarker) << "made by cratedig demo; safe to delete\n";
  return Status::Ok();
}

std::string Checked(const Status& st, const char* stage) {
  return std::string(stage) + ": " + st.ToString();
}

// Up to `n` query tracks from different parent genres, in a fixed order.
std::vector<int64_t> PickExamples(const recommender::Recommender& rec, int n) {
  std::vector<int64_t> out;
  std::set<std::string> seen;
  const auto& set = rec.set();
  // Walk with a stride so the examples are spread over the catalogue.
  size_t stride = std::max<size_t>(1, set.size() / 7);
  for (size_t step = 0; step < set.size() && int(out.size()) < n; ++step) {
    size_t i = (step * stride + step / 7) % set.size();
    const auto& t = set.tracks[i];
    if (t.parent_genre.empty() || seen.count(t.parent_genre)) continue;
    seen.insert(t.parent_genre);
    out.push_back(t.id);
  }
  return out;
}

struct DemoSettings {
  config::SiteProfile profile;
  config::DatasetSettings dataset;
  config::TrainSettings train;
};

// Settings first, so a bad config fails before minutes of work.
Result<DemoSettings> LoadSettings(const DemoOptions& o, const fs::path& work) {
  DemoSettings d;
  CRATEDIG_ASSIGN_OR_RETURN(
      d.profile, config::LoadConfig<config::SiteProfile>(o.site_config));
  CRATEDIG_ASSIGN_OR_RETURN(
      d.dataset, config::LoadConfig<config::DatasetSettings>(o.dataset_config));
  CRATEDIG_ASSIGN_OR_RETURN(
      d.train, config::LoadConfig<config::TrainSettings>(o.train_config));
  d.train.epochs = o.epochs;
  d.train.network = o.network;
  if (!o.backend.empty()) d.train.backend = o.backend;
  d.train.threads = o.threads;
  d.train.runs_dir = (work / "runs").string();
  d.dataset.threads = o.threads;
  // The labels are the profile's: they go into the dataset version and from
  // there set the model's classes and the evaluation's tables.
  d.dataset.parent_genres = d.profile.parent_genres;
  return d;
}

// Stages 1-3: start the store, crawl it, download the previews. Returns the
// database, opened once the store is up.
Result<std::unique_ptr<db::Database>> GatherPreviews(
    const DemoOptions& o, const fs::path& work, const std::string& db_path,
    config::SiteProfile& profile, const ProgressFn& progress, const SayFn& say,
    const CancelFlag* cancel) {
  // 1. The store.
  auto t0 = std::chrono::steady_clock::now();
  samplestore::StoreOptions so;
  so.seed = o.store_seed;
  so.tracks_per_genre = o.tracks_per_genre;
  so.preview_seconds = o.preview_seconds;
  so.threads = o.threads;
  CRATEDIG_ASSIGN_OR_RETURN(auto store,
                            samplestore::SampleStore::Start(so, progress));
  say(
      fmt::format("store     {} releases, {} tracks per genre, {:.0f} s "
                  "previews at {} ({:.1f} s)",
                  store->catalogue().releases.size(), o.tracks_per_genre,
                  o.preview_seconds, store->base_url(), SecondsSince(t0)));
  profile.base_url = store->base_url();
  profile.politeness.delay = o.delay;

  CRATEDIG_ASSIGN_OR_RETURN(auto db, db::Database::Open(db_path));

  // 2. Crawl the listings and product pages.
  t0 = std::chrono::steady_clock::now();
  crawler::CrawlOptions co;
  CRATEDIG_ASSIGN_OR_RETURN(
      crawler::CrawlStats cs,
      crawler::RunCrawl(*db, profile, co, progress, cancel));
  if (cs.cancelled) return Status::Cancelled("stopped during the crawl");
  CRATEDIG_ASSIGN_OR_RETURN(int64_t ntracks, db::TracksTable(*db).Count());
  say(
      fmt::format("crawl     {} pages, {} tracks, {} requests, {} retries, "
                  "{} robots-forbidden ({:.1f} s)",
                  cs.pages, ntracks, cs.requests, cs.retries,
                  cs.robots_forbidden, SecondsSince(t0)));

  // 3. Download the previews (every track of the 9 genres that has one).
  t0 = std::chrono::steady_clock::now();
  crawler::DownloadOptions dl;
  dl.per_genre = o.tracks_per_genre;
  dl.out_dir = (work / "previews").string();
  CRATEDIG_ASSIGN_OR_RETURN(
      crawler::DownloadStats ds,
      crawler::RunDownload(*db, profile, dl, progress, cancel));
  if (ds.cancelled) return Status::Cancelled("stopped during downloads");
  say(fmt::format("download  {} previews, {} failed, {:.1f} MB ({:.1f} s)",
                  ds.ok, ds.failed, ds.bytes / 1e6, SecondsSince(t0)));
  store->Stop();
  return db;
}

// Stages 4-5: spectrogram tiles, then training. Returns the run.
Result<trainer::TrainReport> TilesAndTrain(
    const fs::path& work, const std::string& db_path, db::Database& db,
    const DemoSettings& settings, const ProgressFn& progress, const SayFn& say,
    const CancelFlag* cancel) {
  // 4. Spectrogram tiles.
  auto t0 = std::chrono::steady_clock::now();
  dataset::BuildOptions bo;
  bo.db_path = db_path;
  bo.out_dir = (work / "tiles").string();
  CRATEDIG_ASSIGN_OR_RETURN(
      dataset::BuildReport br,
      dataset::BuildDataset(settings.dataset, bo, progress, cancel));
  say(
      fmt::format("dataset   {} tracks, {} tiles, {} failed, dataset {} "
                  "({:.1f} s)",
                  br.ok, br.tiles, br.failed, br.dataset_hash.substr(0, 12),
                  SecondsSince(t0)));
  if (cancel && cancel->stop()) return Status::Cancelled("stopped");

  // 5. Train.
  t0 = std::chrono::steady_clock::now();
  trainer::TrainOptions to;
  Result<trainer::TrainReport> tr =
      trainer::Train(db, settings.train, to, progress, cancel);
  if (!tr.ok())
    return Status(tr.status().code(), Checked(tr.status(), "train"));
  say(fmt::format(
      "train     run {} ({}): {} epochs (best {}, val acc "
      "{:.3f}), {} train / {} val tiles ({:.1f} s)",
      tr->run_id, tr->backend, tr->epochs_run, tr->best_epoch, tr->best_val_acc,
      tr->train_tiles, tr->val_tiles, SecondsSince(t0)));
  return tr;
}

// Stages 6-8: holdout accuracy, embeddings, recommendation quality.
Result<double> EvaluateEmbedMeasure(db::Database& db, int64_t run_id,
                                    const ProgressFn& progress,
                                    const SayFn& say,
                                    const CancelFlag* cancel) {
  // 6. Evaluate on the holdout tracks, as the original did.
  auto t0 = std::chrono::steady_clock::now();
  CRATEDIG_ASSIGN_OR_RETURN(
      trainer::Evaluation ev,
      trainer::EvaluateRun(db, run_id, {}, progress, cancel));
  say(fmt::format(
      "evaluate  holdout: {:.1f}% of tracks, {:.1f}% of tiles "
      "right ({:.1f} s)\n\n{}\n{}\n{}",
      100 * ev.track_accuracy(), 100 * ev.tile_accuracy(), SecondsSince(t0),
      ev.ResultLine(), ev.GenreTable(), ev.ConfusionText()));

  // 7. Embed every track.
  t0 = std::chrono::steady_clock::now();
  CRATEDIG_ASSIGN_OR_RETURN(
      trainer::EmbedReport er,
      trainer::EmbedRun(db, run_id, {}, progress, cancel));
  say(fmt::format("embed     {} tracks from {} tiles ({:.1f} s)", er.tracks,
                  er.tiles, SecondsSince(t0)));

  // 8. Offline quality of the recommendations against two baselines.
  t0 = std::chrono::steady_clock::now();
  CRATEDIG_ASSIGN_OR_RETURN(
      recommender::RecsEvaluation re,
      recommender::EvaluateRecommendations(db, run_id, {}, progress, cancel));
  CRATEDIG_RETURN_IF_ERROR(recommender::StoreInRunMetrics(db, re));
  std::string table = fmt::format("{:<16} {:>7} {:>7} {:>18}\n", "method",
                                  "p@5", "p@10", "p@10 other artist");
  for (const auto& [name, p] : re.methods) {
    table += fmt::format("{:<16} {:>7.3f} {:>7.3f} {:>18.3f}\n", name, p.p5,
                         p.p10, p.p10_other_artist);
  }
  say(
      fmt::format("recs      genre precision of the top-k over {} tracks "
                  "({:.1f} s); CNN beats both baselines: {}\n\n{}",
                  re.tracks, SecondsSince(t0),
                  re.cnn_beats_baselines ? "yes" : "NO", table));
  return ev.track_accuracy();
}

// 9. Example recommendations, as the original post showed them.
Status SayExamples(db::Database& db, int64_t run_id, const DemoOptions& o,
                   const SayFn& say) {
  CRATEDIG_ASSIGN_OR_RETURN(auto rec,
                            recommender::Recommender::Open(db, run_id));
  recommender::RecommendOptions ro;
  ro.k = o.k;
  for (int64_t id : PickExamples(*rec, o.examples)) {
    const recommender::TrackInfo* q = rec->Track(id);
    CRATEDIG_ASSIGN_OR_RETURN(auto recs, rec->ForTrack(id, ro));
    std::string block = fmt::format("Because you like track {}: {} - {} [{}]\n",
                                    id, q->artist, q->title, q->parent_genre);
    for (const auto& r : recs) {
      block += fmt::format("  {:.3f}  {:>5}  {} - {} [{}]\n", r.similarity,
                           r.track.id, r.track.artist, r.track.title,
                           r.track.parent_genre);
    }
    say(block);
  }
  return Status::Ok();
}

}  // namespace

Result<DemoReport> RunDemo(const DemoOptions& o, const ProgressFn& progress,
                           const SayFn& say, const CancelFlag* cancel) {
  auto t_start = std::chrono::steady_clock::now();
  fs::path work = fs::absolute(o.workdir);
  CRATEDIG_RETURN_IF_ERROR(PrepareWorkdir(work));
  DemoReport report;
  report.db_path = (work / "cratedig.db").string();
  CRATEDIG_ASSIGN_OR_RETURN(DemoSettings settings, LoadSettings(o, work));
  trainer::TuneRuntime(o.threads);

  CRATEDIG_ASSIGN_OR_RETURN(
      auto db, GatherPreviews(o, work, report.db_path, settings.profile,
                              progress, say, cancel));
  CRATEDIG_ASSIGN_OR_RETURN(trainer::TrainReport tr,
                            TilesAndTrain(work, report.db_path, *db, settings,
                                          progress, say, cancel));
  report.run_id = tr.run_id;
  CRATEDIG_ASSIGN_OR_RETURN(
      report.track_accuracy,
      EvaluateEmbedMeasure(*db, tr.run_id, progress, say, cancel));
  CRATEDIG_RETURN_IF_ERROR(SayExamples(*db, tr.run_id, o, say));
  report.seconds = SecondsSince(t_start);
  return report;
}

}  // namespace cratedig::demo
