// Flags shared by `crawl` and `download`: which site profile to load and
// how to override it from the command line (in the spirit of Scrapy's -s).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "config/site_profile.h"
#include "core/status.h"

namespace cratedig::cli {

struct SiteProfileFlags {
  std::string config = "configs/samplestore.toml";
  std::vector<std::string> sets;  // key=value, applied in order
  std::string base_url;           // "" = the profile's base_url
  double delay = -1;              // < 0 = the profile's politeness.delay
};

void AddSiteProfileFlags(CLI::App* cmd, SiteProfileFlags& f);

// The profile with --set, then --base-url and --delay applied (the
// dedicated flags are --set overrides applied last, so they win).
Result<config::SiteProfile> LoadSiteProfile(const SiteProfileFlags& f);

}  // namespace cratedig::cli
