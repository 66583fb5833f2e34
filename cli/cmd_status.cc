// cratedig status: what the database holds, per stage and parent genre.
#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <vector>

#include "catalogue/completeness.h"
#include "cli/context.h"
#include "cli/print_completeness.h"
#include "crawler/crawl_status.h"
#include "dataset/genre_table.h"
#include "db/catalogue_tables.h"
#include "db/dataset_tables.h"
#include "db/model_tables.h"

namespace cratedig::cli {

namespace {

struct StatusOptions {
  std::string db = "cratedig.db";
  bool fields = false;  // --fields: the field-completeness report too
  catalogue::CompletenessOptions completeness;
};

std::string UtcMinute(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

// Each listing the crawl has walked: its pages, and when it was last
// re-walked from page 1 (crawl --refresh).
Status PrintListings(db::Database& db) {
  CRATEDIG_ASSIGN_OR_RETURN(std::vector<crawler::ListingStatusRow> rows,
                            crawler::ReadListingStatus(db));
  if (rows.empty()) return Status::Ok();
  fmt::print("{:<22} {:>6} {:>8}  {}\n", "listing", "pages", "pending",
             "last refreshed (pages, new releases)");
  for (const crawler::ListingStatusRow& r : rows) {
    std::string when =
        !r.last_refresh
            ? "never"
            : fmt::format("{} ({}, {})",
                          UtcMinute(r.last_refresh->refreshed_at),
                          r.last_refresh->pages, r.last_refresh->new_releases);
    fmt::print("{:<22} {:>6} {:>8}  {}\n", r.slug, r.pages_done,
               r.pages_pending, when);
  }
  return Status::Ok();
}

Status PrintFrontier(db::Database& db) {
  CRATEDIG_ASSIGN_OR_RETURN(crawler::FrontierSummary f,
                            crawler::ReadFrontierSummary(db));
  fmt::print("crawl frontier: {} pending, {} done, {} failed, {} forbidden\n",
             f.pending, f.done, f.failed, f.forbidden);
  if (!f.failures.empty()) {
    std::string line;
    for (const crawler::FailureCount& c : f.failures) {
      line += fmt::format("{}{} {}", line.empty() ? "" : ", ", c.count,
                          c.reason.empty() ? "unknown" : c.reason);
    }
    fmt::print(
        "  failures by reason: {} (network, truncated, http_5xx, http_429 and "
        "http_408 are retried by a later crawl; `crawl --retry-failed` "
        "retries all)\n",
        line);
  }
  return Status::Ok();
}

Status PrintStatus(const StatusOptions& o) {
  CRATEDIG_ASSIGN_OR_RETURN(
      auto db, db::Database::Open(
                   o.db, db::DatabaseOptions{.mode = db::OpenMode::kReadOnly}));
  db::ReleasesTable releases(*db);
  db::TracksTable tracks(*db);
  db::ModelRunsTable runs(*db);
  db::EmbeddingsTable embeddings(*db);

  fmt::print("database {} (schema v{})\n", o.db, db->UserVersion());
  CRATEDIG_RETURN_IF_ERROR(PrintFrontier(*db));
  CRATEDIG_RETURN_IF_ERROR(PrintListings(*db));
  CRATEDIG_ASSIGN_OR_RETURN(int64_t nrel, releases.Count());
  CRATEDIG_ASSIGN_OR_RETURN(int64_t ntr, tracks.Count());
  fmt::print("catalogue: {} releases, {} tracks\n", nrel, ntr);

  CRATEDIG_ASSIGN_OR_RETURN(dataset::GenreTable table,
                            dataset::ReadGenreTable(*db));
  fmt::print("\n{:<16} {:>7} {:>9} {:>8} {:>11} {:>9} {:>9}\n", "genre",
             "tracks", "previews", "failed", "tiles:train", "val", "holdout");
  table.rows.push_back(table.total);
  for (const dataset::GenreRow& r : table.rows) {
    fmt::print("{:<16} {:>7} {:>9} {:>8} {:>11} {:>9} {:>9}\n",
               r.genre.empty() ? "(unmapped)" : r.genre, r.tracks,
               r.previews_ok, r.previews_failed, r.tiles_train, r.tiles_val,
               r.tiles_holdout);
  }
  if (!table.dataset_hash.empty()) {
    fmt::print("(tiles of dataset {}, the newest of {})\n",
               table.dataset_hash.substr(0, 12), table.datasets);
  }

  CRATEDIG_ASSIGN_OR_RETURN(auto all_runs, runs.List());
  fmt::print("\nmodel runs: {}\n", all_runs.size());
  for (const auto& r : all_runs) {
    CRATEDIG_ASSIGN_OR_RETURN(int64_t ne, embeddings.CountForRun(r.id));
    fmt::print("  run {:<4} {:<8} {:<8} dataset {}  embeddings {}\n", r.id,
               r.network, db::RunStatusName(r.status),
               r.dataset_hash.substr(0, 12), ne);
  }
  if (o.fields) {
    CRATEDIG_ASSIGN_OR_RETURN(
        auto report, catalogue::FieldCompleteness(*db, o.completeness));
    PrintCompleteness(report, o.completeness, stdout);
  }
  return Status::Ok();
}

}  // namespace

void RegisterStatus(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<StatusOptions>();
  CLI::App* cmd = app.add_subcommand(
      "status", "What the database holds, per stage and parent genre");
  AddDbOption(cmd, opts->db);
  cmd->add_flag("--fields", opts->fields,
                "Field completeness: share of releases and tracks having "
                "each field per listing, and a warning when a field drops in "
                "the newest pages (a selector stopped matching)");
  cmd->add_option("--newest-share", opts->completeness.newest_share,
                  "--fields: share of each listing's pages (newest by fetch "
                  "time) compared against the earlier ones")
      ->check(CLI::Range(0.01, 1.0))
      ->capture_default_str();
  cmd->add_option("--drop-ratio", opts->completeness.drop_ratio,
                  "--fields: warn when a field present in >= 20% of the "
                  "earlier pages' records falls below this fraction of that "
                  "share in the newest pages")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->callback([opts, &ctx] {
    Status st = PrintStatus(*opts);
    ctx.exit_code = st.ok() ? 0 : Fail("status", st);
  });
}

}  // namespace cratedig::cli
