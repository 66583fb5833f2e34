#include "cli/site_profile_flags.h"

#include <fmt/format.h>

#include "config/toml_reader.h"

namespace cratedig::cli {

void AddSiteProfileFlags(CLI::App* cmd, SiteProfileFlags& f) {
  cmd->add_option("--config", f.config, "Site profile (TOML)")
      ->capture_default_str();
  cmd->add_option("--set", f.sets,
                  "Override a profile setting, key=value (repeatable), e.g. "
                  "--set politeness.max_retries=5");
  cmd->add_option("--base-url", f.base_url,
                  "Point the profile at another address (e.g. a sample store "
                  "on a free port); default: the profile's base_url");
  cmd->add_option("--delay", f.delay,
                  "Seconds between requests to a host (randomised 0.5-1.5x, "
                  "never below robots.txt Crawl-delay); default -1: the "
                  "profile's politeness.delay")
      ->capture_default_str();
}

Result<config::SiteProfile> LoadSiteProfile(const SiteProfileFlags& f) {
  std::vector<std::string> sets = f.sets;
  if (!f.base_url.empty()) sets.push_back("base_url=\"" + f.base_url + "\"");
  if (f.delay >= 0) sets.push_back(fmt::format("politeness.delay={}", f.delay));
  CRATEDIG_ASSIGN_OR_RETURN(
      config::SiteProfile p,
      config::LoadConfig<config::SiteProfile>(f.config, sets));
  return p;
}

}  // namespace cratedig::cli
