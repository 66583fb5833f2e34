// cratedig crawl: walks the store's genre listings and product pages into
// the database, politely and resumably (see crawler/crawl.h).
#include <fmt/format.h>

#include <memory>

#include "cli/context.h"
#include "config/site_profile.h"
#include "crawler/crawl.h"
#include "db/database.h"

namespace cratedig::cli {

// Shared with cmd_download.cc: the site profile with --set, --base-url and
// --delay applied (in that order).
Result<config::SiteProfile> LoadSiteProfile(const std::string& path,
                                            std::vector<std::string> sets,
                                            const std::string& base_url,
                                            double delay);
void AddSiteProfileOptions(CLI::App* cmd, std::string& config,
                           std::vector<std::string>& sets,
                           std::string& base_url, double& delay);

namespace {

struct CrawlCliOptions {
  std::string config = "configs/samplestore.toml";
  std::string db = "cratedig.db";
  std::string genres;  // comma-separated
  std::vector<std::string> sets;
  std::string base_url;
  double delay = -1;  // < 0: the profile's
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
  auto profile = LoadSiteProfile(o.config, o.sets, o.base_url, o.delay);
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
        "pending\n"
        "  {} releases and {} tracks written, {} missing fields, {} parse "
        "errors\n"
        "  {} requests ({:.1f}/s), {}, {} retries, {} x 429, {} redirects, "
        "{} robots-forbidden\n"
        "  elapsed {:.2f} s, cpu {:.2f} s\n",
        s.pages, s.listing_pages, s.product_pages, s.failed_pages,
        s.pending_left, s.releases, s.tracks, s.missing_fields, s.parse_errors,
        s.requests, s.elapsed_s > 0 ? s.requests / s.elapsed_s : 0.0,
        HumanBytes(s.bytes), s.retries, s.http_429, s.redirects,
        s.robots_forbidden, s.elapsed_s, s.cpu_s);
  }
  if (s.cancelled) {
    return Fail("crawl",
                Status::Cancelled("stopped; rerun the same command to resume"));
  }
  return 0;
}

}  // namespace

Result<config::SiteProfile> LoadSiteProfile(const std::string& path,
                                            std::vector<std::string> sets,
                                            const std::string& base_url,
                                            double delay) {
  // The dedicated flags are --set overrides applied last.
  if (!base_url.empty()) sets.push_back("base_url=\"" + base_url + "\"");
  if (delay >= 0)
    sets.push_back("politeness.delay=" + fmt::format("{}", delay));
  CRATEDIG_ASSIGN_OR_RETURN(
      config::SiteProfile p,
      config::LoadConfig<config::SiteProfile>(path, sets));
  return p;
}

void AddSiteProfileOptions(CLI::App* cmd, std::string& config,
                           std::vector<std::string>& sets,
                           std::string& base_url, double& delay) {
  cmd->add_option("--config", config, "Site profile (TOML)")
      ->capture_default_str();
  cmd->add_option("--set", sets,
                  "Override a profile setting, key=value (repeatable), e.g. "
                  "--set politeness.max_retries=5");
  cmd->add_option("--base-url", base_url,
                  "Point the profile at another address (e.g. a sample store "
                  "on a free port); default: the profile's base_url");
  cmd->add_option("--delay", delay,
                  "Seconds between requests to a host (randomised 0.5-1.5x, "
                  "never below robots.txt Crawl-delay); default -1: the "
                  "profile's politeness.delay")
      ->capture_default_str();
}

void RegisterCrawl(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<CrawlCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "crawl",
      "Crawl the store's genre listings and product pages into the database "
      "(polite; resumable: rerun the same command after a stop or a crash)");
  AddSiteProfileOptions(cmd, o->config, o->sets, o->base_url, o->delay);
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
  cmd->callback([o, &ctx] { ctx.exit_code = RunCrawlCommand(*o, ctx); });
}

}  // namespace cratedig::cli
