// cratedig crawl: walks the store's genre listings and product pages into
// the database, politely and resumably (see crawler/crawl.h).
#include <fmt/format.h>

#include <memory>

#include "cli/context.h"
#include "cli/site_profile_flags.h"
#include "config/site_profile.h"
#include "crawler/crawl.h"
#include "crawler/crawl_plan.h"
#include "db/database.h"

namespace cratedig::cli {

namespace {

struct CrawlCliOptions {
  SiteProfileFlags site;
  std::string db = "cratedig.db";
  std::string genres;  // comma-separated
  crawler::CrawlOptions crawl;
  bool plan = false;
  crawler::PlanOptions plan_options;
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

void PrintSummary(const crawler::CrawlStats& s, int verbose) {
  fmt::print(
      "crawl: {} pages ({} listing, {} product), {} failed, {} left "
      "pending, {} failed earlier retried\n"
      "  {} releases ({} new, {} from their listing row alone) and {} tracks "
      "written, {} missing fields, {} parse errors\n"
      "  {} requests ({:.1f}/s), {}, {} not modified, {} retries, {} x 429, "
      "{} redirects, {} robots-forbidden\n",
      s.pages, s.listing_pages, s.product_pages, s.failed_pages, s.pending_left,
      s.requeued, s.releases, s.new_releases, s.listing_only, s.tracks,
      s.missing_fields, s.parse_errors, s.requests,
      s.elapsed_s > 0 ? s.requests / s.elapsed_s : 0.0, HumanBytes(s.bytes),
      s.not_modified, s.retries, s.http_429, s.redirects, s.robots_forbidden);
  if (s.refreshed_listings > 0) {
    fmt::print("  {} listings refreshed from page 1\n", s.refreshed_listings);
  }
  fmt::print("  elapsed {:.2f} s, cpu {:.2f} s\n", s.elapsed_s, s.cpu_s);
  if (verbose > 0) {
    for (const auto& [name, n] : s.counters) {
      fmt::print("  {:<48} {}\n", name, n);
    }
  }
}

int RunCrawlCommand(const CrawlCliOptions& o, Context& ctx) {
  auto profile = LoadSiteProfile(o.site);
  if (!profile.ok()) return Fail("crawl", profile.status());
  auto db = db::Database::Open(o.db);
  if (!db.ok()) return Fail("crawl", db.status());
  crawler::CrawlOptions copts = o.crawl;
  copts.genres = SplitComma(o.genres);
  if (o.plan) {
    auto plan = crawler::PlanCrawl(**db, *profile, copts, o.plan_options);
    if (!plan.ok()) return Fail("crawl", plan.status());
    fmt::print("{}", crawler::FormatPlan(*plan));
    return 0;
  }

  ProgressBar bar(ctx.BarOptions());
  auto stats =
      crawler::RunCrawl(**db, *profile, copts, bar.Callback(), &ctx.cancel);
  bar.Finish();
  if (!stats.ok()) return Fail("crawl", stats.status());
  if (!ctx.quiet) PrintSummary(*stats, ctx.verbose);
  if (stats->cancelled) {
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
      "Crawl the store's genre listings (and the product pages of rows that "
      "lack a required field) into the database (polite; resumable: rerun "
      "the same command after a stop or a crash)");
  AddSiteProfileFlags(cmd, o->site);
  AddDbOption(cmd, o->db, /*creates=*/true);
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
  cmd->add_flag("--full", o->crawl.full,
                "Fetch every release's product page (default: only for "
                "listing rows that lack a field of the profile's `required`)");
  cmd->add_flag("--refresh", o->crawl.refresh,
                "Re-walk each listing from page 1 (newest first, conditional "
                "requests) and stop at the first page of known releases; an "
                "unchanged store costs about one request per listing");
  cmd->add_flag("--plan", o->plan,
                "Print the requests this crawl (and the download after it) "
                "expects and their time at the configured delay, from what "
                "the database knows; makes no request");
  cmd->add_option("--assume-releases",
                  o->plan_options.assume_releases_per_listing,
                  "With --plan: releases in each listing never walked (0: "
                  "unknown)")
      ->capture_default_str();
  cmd->add_option("--assume-product-share",
                  o->plan_options.assume_product_share,
                  "With --plan: share of listing rows needing their product "
                  "page until the database has measured it (-1: none)")
      ->capture_default_str();
  cmd->add_option("--per-genre", o->plan_options.previews_per_genre,
                  "With --plan: previews per parent genre the download will "
                  "take (as download --per-genre)")
      ->capture_default_str();
  cmd->callback([o, &ctx] { ctx.exit_code = RunCrawlCommand(*o, ctx); });
}

}  // namespace cratedig::cli
