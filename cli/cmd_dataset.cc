// cratedig dataset: previews -> labelled spectrogram tiles (dataset/).
//   build        every downloaded preview without tiles for these settings
//   stats        tracks and tiles per split and genre, failures with reasons
//   export-csv   a manifest (path,label,split,track_id,tile_index)
//   bench-track  time decode / STFT / PNG per file (bench/dataset/)
//   picture      one file's whole spectrogram and its tiles, as one PNG
#include <fmt/format.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <opencv2/imgcodecs.hpp>

#include "cli/context.h"
#include "config/dataset_settings.h"
#include "config/site_profile.h"
#include "core/files.h"
#include "core/json.h"
#include "dataset/bench_track.h"
#include "dataset/builder.h"
#include "dataset/manifest.h"
#include "dataset/picture.h"
#include "dataset/track_processor.h"
#include "db/database.h"

namespace cratedig::cli {

namespace {

struct DatasetCliOptions {
  std::string config = "configs/dataset.toml";
  std::vector<std::string> sets;
  std::string db = "cratedig.db";
  std::string out = "tiles";  // build: the tiles folder
  std::string csv_out;        // export-csv
  std::string bench_out;      // bench-track; empty: a temp folder
  std::string picture_out = "spectrogram-and-tiles.png";
  std::string site_config;  // build: parent_genres from this profile
  std::string dataset;      // hash or prefix; empty: the newest
  int threads = -1;         // < 0: the config's
  bool retry_failed = false;
  int64_t max_tracks = 0;
  bool print_config = false;
  std::vector<std::string> files;
};

void AddConfigOptions(CLI::App* cmd, DatasetCliOptions& o) {
  cmd->add_option("--config", o.config, "Dataset settings (TOML)")
      ->capture_default_str();
  cmd->add_option("--set", o.sets,
                  "Override a setting, e.g. --set fft_size=1024 (repeatable)");
}

Result<config::DatasetSettings> LoadSettings(const DatasetCliOptions& o) {
  CRATEDIG_ASSIGN_OR_RETURN(
      config::DatasetSettings s,
      config::LoadConfig<config::DatasetSettings>(o.config, o.sets));
  if (o.threads >= 0) s.threads = o.threads;
  if (!o.site_config.empty()) {
    CRATEDIG_ASSIGN_OR_RETURN(
        config::SiteProfile profile,
        config::LoadConfig<config::SiteProfile>(o.site_config));
    s.parent_genres = profile.parent_genres;
  }
  return s;
}

int RunBuild(const DatasetCliOptions& o, Context& ctx) {
  auto s = LoadSettings(o);
  if (!s.ok()) return Fail("dataset build", s.status());
  if (o.print_config) {
    fmt::print("# dataset {}\n{}\n", s->Hash(), s->ToToml());
    return 0;
  }
  dataset::BuildOptions bo;
  bo.db_path = o.db;
  bo.out_dir = o.out;
  bo.retry_failed = o.retry_failed;
  bo.max_tracks = o.max_tracks;
  ProgressBar bar(ctx.BarOptions());
  auto r = dataset::BuildDataset(*s, bo, bar.Callback(), &ctx.cancel);
  bar.Finish();
  if (!r.ok()) return Fail("dataset build", r.status());
  if (ctx.quiet) return 0;
  const dataset::BuildReport& b = *r;
  fmt::print("dataset {} -> {}/{}\n", b.dataset_hash, b.tiles_dir,
             b.dataset_hash);
  fmt::print(
      "  {} downloaded previews: {} without a parent genre, {} already "
      "built, {} over the limit, {} retried\n",
      b.sources, b.no_genre, b.already_done, b.over_limit, b.retried);
  if (b.stale_temp_removed > 0) {
    fmt::print("  removed {} temp files left by a killed run\n",
               b.stale_temp_removed);
  }
  fmt::print(
      "  this run: {} tracks ok, {} failed, {} tiles, {:.0f} s of audio\n",
      b.ok, b.failed, b.tiles, b.audio_seconds);
  const size_t shown = std::min<size_t>(b.failures.size(), 20);
  for (size_t i = 0; i < shown; ++i) {
    fmt::print("  failed track {}: {}\n", b.failures[i].track_id,
               b.failures[i].reason);
  }
  if (b.failures.size() > shown) {
    fmt::print("  ... and {} more (cratedig dataset stats)\n",
               b.failures.size() - shown);
  }
  if (b.pending == 0) {
    fmt::print("  nothing to do: every track is already built\n");
    return 0;
  }
  const double n = static_cast<double>(b.ok + b.failed);
  fmt::print(
      "  decode time = {:.2f} s, stft time = {:.2f} s, png time = {:.2f} s, "
      "db time = {:.2f} s (thread seconds)\n"
      "  wall {:.2f} s on {} threads: {:.1f} tracks/s, {:.0f} tiles/s\n",
      b.seconds.decode, b.seconds.stft, b.seconds.png, b.seconds.db,
      b.wall_seconds, b.threads, b.wall_seconds > 0 ? n / b.wall_seconds : 0.0,
      b.wall_seconds > 0 ? b.tiles / b.wall_seconds : 0.0);
  return 0;
}

int RunStats(const DatasetCliOptions& o) {
  auto db = db::Database::Open(
      o.db, db::DatabaseOptions{.mode = db::OpenMode::kReadOnly});
  if (!db.ok()) return Fail("dataset stats", db.status());
  auto st = dataset::ComputeStats(**db, o.dataset);
  if (!st.ok()) return Fail("dataset stats", st.status());
  fmt::print("dataset {} in {}\n", st->dataset.hash, st->dataset.tiles_dir);
  // genre -> split -> (tracks, tiles)
  std::map<std::string, std::map<std::string, std::pair<int64_t, int64_t>>>
      grid;
  for (const auto& c : st->counts) {
    grid[c.parent_genre][c.split] = {c.tracks, c.tiles};
  }
  // The dataset's labels in their order, then anything else it holds.
  std::vector<std::string> genres = config::DefaultParentGenres();
  auto stored = config::ParseConfig<config::DatasetSettings>(
      st->dataset.settings, "settings of dataset " + st->dataset.hash);
  if (stored.ok()) genres = stored->parent_genres;
  for (const auto& [g, row] : grid) {
    if (std::find(genres.begin(), genres.end(), g) == genres.end()) {
      genres.push_back(g);
    }
  }
  const char* splits[] = {"train", "val", "holdout"};
  fmt::print("\n{:<16} {:>15} {:>15} {:>15} {:>15}\n", "genre",
             "train trk/tiles", "val trk/tiles", "holdout", "total");
  std::map<std::string, std::pair<int64_t, int64_t>> totals;
  for (const auto& g : genres) {
    auto& row = grid[g];
    int64_t tt = 0, ti = 0;
    std::string line = fmt::format("{:<16}", g);
    for (const char* sp : splits) {
      auto [tr, tl] = row[sp];
      tt += tr;
      ti += tl;
      totals[sp].first += tr;
      totals[sp].second += tl;
      line += fmt::format(" {:>15}", fmt::format("{}/{}", tr, tl));
    }
    fmt::print("{} {:>15}\n", line, fmt::format("{}/{}", tt, ti));
  }
  std::string line = fmt::format("{:<16}", "total");
  for (const char* sp : splits) {
    line += fmt::format(
        " {:>15}", fmt::format("{}/{}", totals[sp].first, totals[sp].second));
  }
  fmt::print("{} {:>15}\n", line,
             fmt::format("{}/{}", st->ok_tracks, st->tiles));
  fmt::print("\nfailed tracks: {}\n", st->failures.size());
  for (const auto& f : st->failures) {
    fmt::print("  track {} ({}): {}\n", f.track_id, f.split,
               f.reason.value_or("?"));
  }
  return 0;
}

int RunExport(const DatasetCliOptions& o, Context& ctx) {
  auto db = db::Database::Open(
      o.db, db::DatabaseOptions{.mode = db::OpenMode::kReadOnly});
  if (!db.ok()) return Fail("dataset export-csv", db.status());
  auto rows = dataset::ExportManifestCsv(**db, o.dataset, o.csv_out);
  if (!rows.ok()) return Fail("dataset export-csv", rows.status());
  if (!ctx.quiet) fmt::print("wrote {} tiles to {}\n", *rows, o.csv_out);
  return 0;
}

// One JSON line per file, for bench/dataset/run_bench.py.
int RunBenchTrack(const DatasetCliOptions& o) {
  auto s = LoadSettings(o);
  if (!s.ok()) return Fail("dataset bench-track", s.status());
  dataset::BenchTracks(o.files, *s, o.bench_out,
                       [](const dataset::TrackTiming& t) {
                         fmt::print("{}\n", json::Dump(t.ToJson()));
                       });
  std::fflush(stdout);
  return 0;
}

int RunPicture(const DatasetCliOptions& o, Context& ctx) {
  auto s = LoadSettings(o);
  if (!s.ok()) return Fail("dataset picture", s.status());
  auto pic = dataset::RenderSpectrogramAndTiles(o.files.at(0), *s);
  if (!pic.ok()) return Fail("dataset picture", pic.status());
  std::vector<uchar> png;
  if (!cv::imencode(".png", *pic, png, {cv::IMWRITE_PNG_COMPRESSION, 9})) {
    return Fail("dataset picture", Status::Internal("PNG encoding failed"));
  }
  Status st = WriteFileAtomic(
      o.picture_out,
      std::string_view(reinterpret_cast<const char*>(png.data()), png.size()));
  if (!st.ok()) return Fail("dataset picture", st);
  if (!ctx.quiet) {
    fmt::print("wrote {} ({}x{})\n", o.picture_out, pic->cols, pic->rows);
  }
  return 0;
}

}  // namespace

void RegisterDataset(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<DatasetCliOptions>();
  CLI::App* ds = app.add_subcommand(
      "dataset", "Previews -> labelled 256x256 spectrogram tiles");
  ds->require_subcommand(1);

  CLI::App* build = ds->add_subcommand(
      "build",
      "Make tiles for every downloaded preview that has none for these "
      "settings (resumable; a settings change is a new dataset version)");
  AddConfigOptions(build, *o);
  build->add_option("--site-config", o->site_config,
                    "Take the labels (parent_genres) from this site profile "
                    "(default: the dataset config's parent_genres, else the "
                    "original nine)");
  AddDbOption(build, o->db);
  build
      ->add_option("--out", o->out,
                   "Tiles folder (tiles go to <out>/<dataset hash>/)")
      ->capture_default_str();
  build
      ->add_option("--threads", o->threads,
                   "Worker threads; overrides the config's (0: all cores, "
                   "-1: the config's)")
      ->capture_default_str();
  build->add_flag("--retry-failed", o->retry_failed,
                  "Try again the tracks that failed before");
  build
      ->add_option("--max-tracks", o->max_tracks,
                   "Build at most this many new tracks now (0: all)")
      ->capture_default_str();
  build->add_flag("--print-config", o->print_config,
                  "Print the settings and dataset version, then exit");
  build->callback([o, &ctx] { ctx.exit_code = RunBuild(*o, ctx); });

  CLI::App* stats = ds->add_subcommand(
      "stats", "Tracks and tiles per split and genre; failures and why");
  AddDbOption(stats, o->db);
  stats->add_option("--dataset", o->dataset,
                    "Dataset hash or prefix (default: the newest)");
  stats->callback([o, &ctx] { ctx.exit_code = RunStats(*o); });

  CLI::App* exp = ds->add_subcommand(
      "export-csv", "Write a manifest: path,label,split,track_id,tile_index");
  AddDbOption(exp, o->db);
  exp->add_option("--dataset", o->dataset,
                  "Dataset hash or prefix (default: the newest)");
  exp->add_option("--out", o->csv_out, "CSV file to write")->required();
  exp->callback([o, &ctx] { ctx.exit_code = RunExport(*o, ctx); });

  CLI::App* bench = ds->add_subcommand(
      "bench-track",
      "Time decode / STFT / PNG per file, one JSON line each (for "
      "bench/dataset/)");
  AddConfigOptions(bench, *o);
  bench->add_option("--out", o->bench_out,
                    "Where to write the tiles (default: a temp folder, "
                    "removed after)");
  bench->add_option("files", o->files, "Audio files")->required();
  bench->callback([o, &ctx] { ctx.exit_code = RunBenchTrack(*o); });

  CLI::App* pic = ds->add_subcommand(
      "picture", "Draw one file's whole spectrogram above its tiles (PNG)");
  AddConfigOptions(pic, *o);
  pic->add_option("--out", o->picture_out, "PNG to write")
      ->capture_default_str();
  pic->add_option("file", o->files, "Audio file")->required()->expected(1);
  pic->callback([o, &ctx] { ctx.exit_code = RunPicture(*o, ctx); });
}

}  // namespace cratedig::cli
