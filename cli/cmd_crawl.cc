// cratedig crawl: walks the store's genre listings and product pages into
// the database, politely and resumably (see crawler/crawl.h).
#include <fmt/format.h>

#include <memory>

#include "cli/context.h"
#include "cli/site_profile_flags.h"
#include "config/site_profile.h"
#include "crawler/crawl.h"
#include "db/database.h"

namespace cratedig::cli {

namespace {

struct CrawlCliOptions {
  SiteProfileFlags site;
  std::string db = "cratedig.db";
  std::string genres;  // comma-separated
  crawler::CrawlOptions crawl;
};

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(',', start);
    if (end == std::string::npos) end = s.size();
    std::string item = s.substr(start, end - start);
    size_t a = item.find_first_not_of(' ');
    size_t b = item.find_last_not_of(' ');
    if (a != std::string::npos) out.push_back(item.substr(a, b - a + 1));
    start = end + 1;
  }
  return out;
}

std::string HumanBytes(int64_t b) {
  if (b >= (1 << 20)) return fmt::format("{:.1f} MiB", b / 1048576.0);
  if (b >= 1024) return fmt::format("{:.1f} KiB", b / 1024.0);
  return fmt::format("{} B", b);
}

int RunCrawlCommand(const CrawlCliOptions& o, Context& ctx) {
  auto profile = LoadSiteProfile(o.site);
  if (!profile.ok()) return Fail("crawl", profile.status());
  auto db = db::Database::Open(o.db);
  if (!db.ok()) return Fail("crawl", db.status());
  crawler::CrawlOptions copts = o.crawl;
  copts.genres = SplitComma(o.genres);

  ProgressBar bar(ctx.BarOptions());
  auto stats =
      crawler::RunCrawl(**db, *profile, copts, &ctx.cancel, bar.Callback());
  bar.Finish();
  if (!stats.ok()) return Fail("crawl", stats.status());
  const crawler::CrawlStats& s = *stats;
  if (!ctx.quiet) {
    fmt::print(
        "crawl: {} pages ({} listing, {} product), {} failed, {} left "
        "pending, {} failed earlier retried\n"
        "  {} releases and {} tracks written, {} missing fields, {} parse "
        "errors\n"
        "  {} requests ({:.1f}/s), {}, {} retries, {} x 429, {} redirects, "
        "{} robots-forbidden\n"
        "  elapsed {:.2f} s, cpu {:.2f} s\n",
        s.pages, s.listing_pages, s.product_pages, s.failed_pages,
        s.pending_left, s.requeued, s.releases, s.tracks, s.missing_fields,
        s.parse_errors, s.requests,
        s.elapsed_s > 0 ? s.requests / s.elapsed_s : 0.0, HumanBytes(s.bytes),
        s.retries, s.http_429, s.redirects, s.robots_forbidden, s.elapsed_s,
        s.cpu_s);
  }
  if (s.cancelled) {
    return Fail("crawl",
                Status::Cancelled("stopped; rerun the same command to resume"));
  }
  return 0;
}

}  // namespace

void RegisterCrawl(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<CrawlCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "crawl",
      "Crawl the store's genre listings and product pages into the database "
      "(polite; resumable: rerun the same command after a stop or a crash)");
  AddSiteProfileFlags(cmd, o->site);
  AddDbOption(cmd, o->db);
  cmd->add_option("--genres", o->genres,
                  "Comma-separated parent genres or listing slugs; default: "
                  "all listings of the profile");
  cmd->add_option("--max-pages", o->crawl.max_pages,
                  "Stop after this many pages in this run (0: no limit)")
      ->capture_default_str();
  cmd->add_option("--seed", o->crawl.seed,
                  "Seed of the delay jitter (0: random)")
      ->capture_default_str();
  cmd->add_flag("--retry-failed", o->crawl.retry_failed,
                "Fetch again every page that failed in an earlier run (404s "
                "too); without it only transient failures (network, "
                "truncated, 5xx, 429) are retried, once politeness."
                "rerun_backoff_base has passed");
  cmd->callback([o, &ctx] { ctx.exit_code = RunCrawlCommand(*o, ctx); });
}

}  // namespace cratedig::cli
