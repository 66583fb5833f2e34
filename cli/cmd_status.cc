// cratedig status: what the database holds, per stage and parent genre.
#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <vector>

#include "cli/context.h"
#include "config/site_profile.h"
#include "db/catalogue_tables.h"
#include "db/crawl_tables.h"
#include "db/dataset_tables.h"
#include "db/model_tables.h"
#include "db/refresh_tables.h"

namespace cratedig::cli {

namespace {

struct StatusOptions {
  std::string db = "cratedig.db";
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
    if (kind != "listing") continue;
    if (status == "done") pages[context].first += n;
    if (status == "pending") pages[context].second += n;
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
  CRATEDIG_ASSIGN_OR_RETURN(auto db, db::Database::Open(o.db));
  db::FrontierTable frontier(*db);
  db::ReleasesTable releases(*db);
  db::TracksTable tracks(*db);
  db::PreviewsTable previews(*db);
  db::DatasetsTable datasets(*db);
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

  CRATEDIG_ASSIGN_OR_RETURN(auto by_genre, tracks.CountByParentGenre());
  CRATEDIG_ASSIGN_OR_RETURN(auto prev, previews.CountByGenreAndStatus());
  CRATEDIG_ASSIGN_OR_RETURN(auto sets, datasets.List());
  std::map<std::string, std::map<std::string, int64_t>> tiles;  // genre/split
  std::string dataset_hash;
  if (!sets.empty()) {
    dataset_hash = sets.front().hash;
    CRATEDIG_ASSIGN_OR_RETURN(auto counts,
                              datasets.CountBySplitAndGenre(dataset_hash));
    for (const auto& c : counts) tiles[c.parent_genre][c.split] = c.tiles;
  }
  // The nine parent genres always, in label order, then anything else
  // (unmapped store genres) the database holds.
  std::vector<std::string> genres = config::DefaultParentGenres();
  auto add = [&](const std::string& g) {
    if (std::find(genres.begin(), genres.end(), g) == genres.end()) {
      genres.push_back(g);
    }
  };
  for (const auto& [g, n] : by_genre) add(g);
  for (const auto& [g, n] : prev) add(g);

  fmt::print("\n{:<16} {:>7} {:>9} {:>8} {:>11} {:>9} {:>9}\n", "genre",
             "tracks", "previews", "failed", "tiles:train", "val", "holdout");
  int64_t tot[6] = {0, 0, 0, 0, 0, 0};
  for (const std::string& g : genres) {
    auto pg = prev.count(g) ? prev.at(g) : std::map<std::string, int64_t>{};
    auto tg = tiles.count(g) ? tiles.at(g) : std::map<std::string, int64_t>{};
    int64_t row[6] = {by_genre.count(g) ? by_genre.at(g) : 0,
                      pg["ok"],
                      pg["failed"],
                      tg["train"],
                      tg["val"],
                      tg["holdout"]};
    for (int i = 0; i < 6; ++i) tot[i] += row[i];
    fmt::print("{:<16} {:>7} {:>9} {:>8} {:>11} {:>9} {:>9}\n",
               g.empty() ? "(unmapped)" : g, row[0], row[1], row[2], row[3],
               row[4], row[5]);
  }
  fmt::print("{:<16} {:>7} {:>9} {:>8} {:>11} {:>9} {:>9}\n", "total", tot[0],
             tot[1], tot[2], tot[3], tot[4], tot[5]);
  if (!dataset_hash.empty()) {
    fmt::print("(tiles of dataset {}, the newest of {})\n",
               dataset_hash.substr(0, 12), sets.size());
  }

  CRATEDIG_ASSIGN_OR_RETURN(auto all_runs, runs.List());
  fmt::print("\nmodel runs: {}\n", all_runs.size());
  for (const auto& r : all_runs) {
    CRATEDIG_ASSIGN_OR_RETURN(int64_t ne, embeddings.CountForRun(r.id));
    fmt::print("  run {:<4} {:<8} {:<8} dataset {}  embeddings {}\n", r.id,
               r.network, r.status, r.dataset_hash.substr(0, 12), ne);
  }
  return Status::Ok();
}

}  // namespace

void RegisterStatus(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<StatusOptions>();
  CLI::App* cmd = app.add_subcommand(
      "status", "What the database holds, per stage and parent genre");
  AddDbOption(cmd, opts->db);
  cmd->callback([opts, &ctx] {
    Status st = PrintStatus(*opts);
    ctx.exit_code = st.ok() ? 0 : Fail("status", st);
  });
}

}  // namespace cratedig::cli
