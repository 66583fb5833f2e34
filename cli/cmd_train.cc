// cratedig train / evaluate / embed: stored tiles -> a CNN (trainer/).
//   train     trains (or --resume's) a model run on a dataset version
//   evaluate  holdout tile and track accuracy, per-genre table, confusion
//   embed     128-d per-track embeddings of a run, for recommend / serve
#include <fmt/format.h>

#include <optional>

#include "cli/context.h"
#include "config/train_settings.h"
#include "db/database.h"
#include "db/model_tables.h"
#include "trainer/backend.h"
#include "trainer/embed.h"
#include "trainer/evaluate.h"
#include "trainer/runtime.h"
#include "trainer/train.h"

namespace cratedig::cli {

namespace {

struct TrainCliOptions {
  std::string config = "configs/train.toml";
  std::vector<std::string> sets;
  std::string db = "cratedig.db";
  bool resume = false;
  int64_t run = 0;   // resume: which run; evaluate/embed: 0 = newest done
  int threads = -1;  // < 0: the config's (train) / all cores
  std::string split = "holdout";
  int batch = 0;
  bool print_config = false;
};

// Skipped tiles are a warning (on stderr, also under -q) that names the
// first one's file, so a damaged tile can be found and rebuilt.
void WarnCorrupt(const char* verb, int64_t corrupt, const std::string& first) {
  if (corrupt == 0) return;
  fmt::print(stderr,
             "cratedig {}: warning: {} tile{} skipped as corrupt; first: {}\n",
             verb, corrupt, corrupt == 1 ? "" : "s", first);
}

int RunTrain(const TrainCliOptions& o, Context& ctx) {
  auto s = config::LoadConfig<config::TrainSettings>(o.config, o.sets);
  if (!s.ok()) return Fail("train", s.status());
  if (o.threads >= 0) s->threads = o.threads;
  if (o.print_config) {
    fmt::print("{}\n", s->ToToml());
    return 0;
  }
  // --resume continues with the run's own backend (Train resolves it):
  // resolving the config's here could load libtorch for a tiny-dnn run.
  std::string backend = "the run's backend";
  if (!o.resume) {
    auto resolved = trainer::ResolveBackend(s->backend);
    if (!resolved.ok()) return Fail("train", resolved.status());
    backend = *resolved;
  }
  const int threads = trainer::TuneRuntime(s->threads);
  auto db = db::Database::Open(
      o.db, db::DatabaseOptions{.mode = db::OpenMode::kExisting});
  if (!db.ok()) return Fail("train", db.status());
  trainer::TrainOptions to;
  to.resume = o.resume;
  to.resume_run_id = o.run;
  ProgressBar bar(ctx.BarOptions());
  to.on_epoch = [&](const db::EpochRecord& e) {
    bar.Finish();
    if (ctx.quiet) return;
    fmt::print(
        "run {} epoch {:>2}: loss {:.4f} acc {:.3f} | val loss {:.4f} acc "
        "{:.3f} | {:.0f} tiles/s, {:.1f} s\n",
        e.run_id, e.epoch, e.train_loss, e.train_acc, e.val_loss, e.val_acc,
        e.tiles_per_s, e.seconds);
    std::fflush(stdout);
  };
  if (!ctx.quiet) {
    fmt::print("training with {} on {} threads{}\n", backend, threads,
               o.resume ? " (resuming)" : "");
    std::fflush(stdout);
  }
  auto r = trainer::Train(**db, *s, to, bar.Callback(), &ctx.cancel);
  bar.Finish();
  if (!r.ok()) return Fail("train", r.status());
  if (ctx.quiet) return 0;
  fmt::print(
      "run {} ({}) done: epochs {}..{}{}, best epoch {} (val loss {:.4f}, "
      "val acc {:.3f})\n  {} train / {} val tiles, {} skipped as corrupt, {} "
      "without "
      "a label\n  checkpoint {}\n  train time = {:.1f} s\n",
      r->run_id, r->backend, r->first_epoch, r->epochs_run,
      r->early_stopped ? " (stopped early)" : "", r->best_epoch,
      r->best_val_loss, r->best_val_acc, r->train_tiles, r->val_tiles,
      r->corrupt_tiles, r->unlabelled_tiles, r->checkpoint_path, r->seconds);
  if (!r->first_corrupt.empty()) {
    fmt::print("  first corrupt tile: {}\n", r->first_corrupt);
  }
  return 0;
}

int RunEvaluate(const TrainCliOptions& o, Context& ctx) {
  trainer::TuneRuntime(o.threads < 0 ? 0 : o.threads);
  auto db = db::Database::Open(
      o.db, db::DatabaseOptions{.mode = db::OpenMode::kExisting});
  if (!db.ok()) return Fail("evaluate", db.status());
  auto picked = db::ModelRunsTable(**db).Resolve(
      o.run > 0 ? std::optional<int64_t>(o.run) : std::nullopt,
      db::RunNeed::kDone);
  if (!picked.ok()) return Fail("evaluate", picked.status());
  const int64_t run = picked->id;
  trainer::EvaluateOptions eo;
  eo.split = o.split;
  eo.batch_size = o.batch;
  ProgressBar bar(ctx.BarOptions());
  auto e = trainer::EvaluateRun(**db, run, eo, bar.Callback(), &ctx.cancel);
  bar.Finish();
  if (!e.ok()) return Fail("evaluate", e.status());
  WarnCorrupt("evaluate", e->corrupt_tiles, e->first_corrupt);
  fmt::print("model run {} ({}) on dataset {} ({} split)\n{}\n\n{}\n{}\n", run,
             e->backend, e->dataset_hash, e->split, e->ResultLine(),
             e->GenreTable(), e->ConfusionText());
  fmt::print("tile accuracy {:.1f}% of {} tiles ({} skipped as corrupt)\n",
             100.0 * e->tile_accuracy(), e->tiles, e->corrupt_tiles);
  fmt::print("confusion matrix: {}\n", e->heatmap_path);
  return 0;
}

int RunEmbed(const TrainCliOptions& o, Context& ctx) {
  trainer::TuneRuntime(o.threads < 0 ? 0 : o.threads);
  auto db = db::Database::Open(
      o.db, db::DatabaseOptions{.mode = db::OpenMode::kExisting});
  if (!db.ok()) return Fail("embed", db.status());
  auto picked = db::ModelRunsTable(**db).Resolve(
      o.run > 0 ? std::optional<int64_t>(o.run) : std::nullopt,
      db::RunNeed::kDone);
  if (!picked.ok()) return Fail("embed", picked.status());
  const int64_t run = picked->id;
  trainer::EmbedOptions eo;
  eo.batch_size = o.batch;
  ProgressBar bar(ctx.BarOptions());
  auto r = trainer::EmbedRun(**db, run, eo, bar.Callback(), &ctx.cancel);
  bar.Finish();
  if (!r.ok()) return Fail("embed", r.status());
  WarnCorrupt("embed", r->corrupt_tiles, r->first_corrupt);
  if (ctx.quiet) return 0;
  fmt::print(
      "run {}: {} tracks embedded from {} tiles ({} skipped as corrupt)\n"
      "  embed time = {:.1f} s ({:.0f} tiles/s)\n",
      r->run_id, r->tracks, r->tiles, r->corrupt_tiles, r->seconds,
      r->seconds > 0 ? r->tiles / r->seconds : 0.0);
  return 0;
}

}  // namespace

void RegisterTrain(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<TrainCliOptions>();

  CLI::App* train = app.add_subcommand(
      "train", "Train a CNN genre classifier on a dataset's tiles");
  train->add_option("--config", o->config, "Training settings (TOML)")
      ->capture_default_str();
  train->add_option("--set", o->sets,
                    "Override a setting, e.g. --set network=\"bn\" or "
                    "--set backend=\"tiny-dnn\" "
                    "(repeatable)");
  AddDbOption(train, o->db);
  train->add_flag("--resume", o->resume,
                  "Continue an unfinished run from its last checkpoint "
                  "(its stored settings are used)");
  train
      ->add_option("--run", o->run,
                   "With --resume: the run to continue (0 = the newest "
                   "unfinished)")
      ->capture_default_str();
  train
      ->add_option("--threads", o->threads,
                   "CNN threads (-1 = the config's, 0 = all cores)")
      ->capture_default_str();
  train->add_flag("--print-config", o->print_config,
                  "Print the effective settings and exit");
  train->callback([o, &ctx] { ctx.exit_code = RunTrain(*o, ctx); });

  CLI::App* evaluate = app.add_subcommand(
      "evaluate", "Holdout accuracy, per-genre table and confusion matrix");
  AddDbOption(evaluate, o->db);
  evaluate->add_option("--run", o->run, "Model run (0 = the newest done)")
      ->capture_default_str();
  evaluate->add_option("--split", o->split, "Split to evaluate on")
      ->check(CLI::IsMember({"holdout", "val", "train"}))
      ->capture_default_str();
  evaluate
      ->add_option("--batch", o->batch,
                   "Tiles per batch (0 = the run's eval_batch_size)")
      ->capture_default_str();
  evaluate->add_option("--threads", o->threads, "CNN threads (< 1 = all cores)")
      ->capture_default_str();
  evaluate->callback([o, &ctx] { ctx.exit_code = RunEvaluate(*o, ctx); });

  CLI::App* embed = app.add_subcommand(
      "embed", "Store a run's 128-d embedding of every track");
  AddDbOption(embed, o->db);
  embed->add_option("--run", o->run, "Model run (0 = the newest done)")
      ->capture_default_str();
  embed
      ->add_option("--batch", o->batch,
                   "Tiles per batch (0 = the run's eval_batch_size)")
      ->capture_default_str();
  embed->add_option("--threads", o->threads, "CNN threads (< 1 = all cores)")
      ->capture_default_str();
  embed->callback([o, &ctx] { ctx.exit_code = RunEmbed(*o, ctx); });
}

}  // namespace cratedig::cli
