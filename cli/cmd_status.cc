// cratedig status: what the database holds, per stage and parent genre.
#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <vector>

#include "catalogue/completeness.h"
#include "cli/context.h"
#include "cli/print_completeness.h"
#include "dataset/genre_table.h"
#include "db/catalogue_tables.h"
#include "db/crawl_tables.h"
#include "db/dataset_tables.h"
#include "db/model_tables.h"
#include "db/refresh_tables.h"

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
  db::FrontierTable frontier(db);
  db::ListingRefreshTable refreshes(db);
  CRATEDIG_ASSIGN_OR_RETURN(auto counts, frontier.CountByContext());
  CRATEDIG_ASSIGN_OR_RETURN(auto refreshed, refreshes.List());
  std::map<std::string, std::pair<int64_t, int64_t>> pages;  // done, pending
  for (const auto& [key, n] : counts) {
    const auto& [context, kind, status] = key;
    if (kind != db::PageKind::kListing) continue;
    if (status == db::FrontierStatus::kDone) pages[context].first += n;
    if (status == db::FrontierStatus::kPending) pages[context].second += n;
  }
  std::map<std::string, const db::ListingRefreshRecord*> by_slug;
  for (const auto& r : refreshed) {
    by_slug[r.slug] = &r;
    pages.try_emplace(r.slug);
  }
  if (pages.empty()) return Status::Ok();
  fmt::print("{:<22} {:>6} {:>8}  {}\n", "listing", "pages", "pending",
             "last refreshed (pages, new releases)");
  for (const auto& [slug, n] : pages) {
    auto it = by_slug.find(slug);
    std::string when =
        it == by_slug.end()
            ? "never"
            : fmt::format("{} ({}, {})", UtcMinute(it->second->refreshed_at),
                          it->second->pages, it->second->new_releases);
    fmt::print("{:<22} {:>6} {:>8}  {}\n", slug, n.first, n.second, when);
  }
  return Status::Ok();
}

Status PrintStatus(const StatusOptions& o) {
  CRATEDIG_ASSIGN_OR_RETURN(
      auto db, db::Database::Open(
                   o.db, db::DatabaseOptions{.mode = db::OpenMode::kReadOnly}));
  db::FrontierTable frontier(*db);
  db::ReleasesTable releases(*db);
  db::TracksTable tracks(*db);
  db::ModelRunsTable runs(*db);
  db::EmbeddingsTable embeddings(*db);

  fmt::print("database {} (schema v{})\n", o.db, db->UserVersion());
  CRATEDIG_ASSIGN_OR_RETURN(auto fcount, frontier.CountByStatus());
  fmt::print("crawl frontier: {} pending, {} done, {} failed, {} forbidden\n",
             fcount["pending"], fcount["done"], fcount["failed"],
             fcount["forbidden"]);
  CRATEDIG_ASSIGN_OR_RETURN(auto reasons, frontier.CountFailuresByReason());
  if (!reasons.empty()) {
    std::string line;
    for (const auto& [reason, n] : reasons) {
      line += fmt::format("{}{} {}", line.empty() ? "" : ", ", n,
                          reason.empty() ? "unknown" : reason);
    }
    fmt::print(
        "  failures by reason: {} (network, truncated, http_5xx, http_429 and "
        "http_408 are retried by a later crawl; `crawl --retry-failed` "
        "retries all)\n",
        line);
  }
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
