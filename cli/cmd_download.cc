// cratedig download: fetches the previews of N tracks per parent genre
// (seeded, stable pick) into a content-addressed folder (crawler/download.h).
#include <fmt/format.h>

#include <memory>

#include "cli/context.h"
#include "cli/site_profile_flags.h"
#include "config/site_profile.h"
#include "crawler/download.h"
#include "db/database.h"

namespace cratedig::cli {

namespace {

struct DownloadCliOptions {
  SiteProfileFlags site;
  std::string db = "cratedig.db";
  crawler::DownloadOptions dl;
};

int RunDownloadCommand(const DownloadCliOptions& o, Context& ctx) {
  auto profile = LoadSiteProfile(o.site);
  if (!profile.ok()) return Fail("download", profile.status());
  auto db = db::Database::Open(
      o.db, db::DatabaseOptions{.mode = db::OpenMode::kExisting});
  if (!db.ok()) return Fail("download", db.status());
  ProgressBar bar(ctx.BarOptions());
  auto stats =
      crawler::RunDownload(**db, *profile, o.dl, bar.Callback(), &ctx.cancel);
  bar.Finish();
  if (!stats.ok()) return Fail("download", stats.status());
  const crawler::DownloadStats& s = *stats;
  if (!ctx.quiet) {
    fmt::print(
        "download: {} picked, {} already there, {} damaged on disk (fetched "
        "again), {} downloaded, {} failed\n"
        "  {} requests ({:.1f}/s), {:.1f} MiB, {} retries, {} x 429, {} "
        "robots-forbidden\n"
        "  elapsed {:.2f} s; files in {}\n",
        s.picked, s.skipped, s.damaged, s.ok, s.failed, s.requests,
        s.elapsed_s > 0 ? s.requests / s.elapsed_s : 0.0, s.bytes / 1048576.0,
        s.retries, s.http_429, s.robots_forbidden, s.elapsed_s, o.dl.out_dir);
  }
  if (s.cancelled) {
    return Fail("download",
                Status::Cancelled("stopped; rerun the same command to resume"));
  }
  return 0;
}

}  // namespace

void RegisterDownload(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<DownloadCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "download",
      "Download the previews of N tracks per parent genre (seeded, stable "
      "pick) to <out>/<sha256>.mp3");
  AddSiteProfileFlags(cmd, o->site);
  AddDbOption(cmd, o->db);
  cmd->add_option("--per-genre", o->dl.per_genre, "Tracks per parent genre")
      ->capture_default_str();
  cmd->add_option("--seed", o->dl.seed,
                  "Seed of the pick (a larger --per-genre keeps the smaller "
                  "one's tracks)")
      ->capture_default_str();
  cmd->add_option("--out", o->dl.out_dir, "Folder for the mp3 files")
      ->capture_default_str();
  cmd->callback([o, &ctx] { ctx.exit_code = RunDownloadCommand(*o, ctx); });
}

}  // namespace cratedig::cli
