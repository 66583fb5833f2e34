// libFuzzer target: the text of a TOML site profile (config/site_profile.h
// through config/toml_reader.h and toml++), as `--config` reads it.
// Input: the profile text; its first line is also tried as a --set.
// Properties: never crash or hang; a profile that loads satisfies what
// Validate() promises (an http(s) base_url, finite numbers in range) and
// its canonical TOML (ToToml) loads back to the same canonical TOML.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "config/site_profile.h"
#include "config/toml_reader.h"

namespace {

using cratedig::config::ParseConfig;
using cratedig::config::PolitenessSettings;
using cratedig::config::SiteProfile;

bool Finite(const PolitenessSettings& p) {
  for (double d :
       {p.delay, p.backoff_base, p.backoff_max, p.max_retry_after,
        p.slowdown_factor, p.slowdown_decay, p.slowdown_max, p.connect_timeout,
        p.timeout, p.rerun_backoff_base, p.rerun_backoff_max}) {
    if (!std::isfinite(d)) return false;
  }
  return true;
}

void Check(const SiteProfile& p) {
  if (p.base_url.rfind("http://", 0) != 0 &&
      p.base_url.rfind("https://", 0) != 0) {
    std::abort();
  }
  const PolitenessSettings& q = p.politeness;
  if (!Finite(q)) std::abort();
  if (q.delay < 0 || q.max_retries < 0 || q.timeout <= 0 ||
      q.connect_timeout <= 0 || q.max_response_bytes <= 0 ||
      q.max_redirects < 0 || q.max_redirects > 20 ||
      q.max_hosts_in_flight < 1 || q.rerun_max_attempts < 1) {
    std::abort();
  }
  const std::string canonical = p.ToToml();
  auto again = ParseConfig<SiteProfile>(canonical, "canonical");
  if (!again.ok() || again->ToToml() != canonical) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto p = ParseConfig<SiteProfile>(text, "fuzz.toml");
  if (p.ok()) {
    Check(*p);
  } else if (p.status().message().empty()) {
    std::abort();  // errors always say what is wrong
  }
  // The first line as a --set on a profile that loads.
  std::string_view first = text.substr(0, text.find('\n'));
  std::vector<std::string> sets = {std::string(first)};
  auto q = ParseConfig<SiteProfile>("base_url = \"http://127.0.0.1:8080\"\n",
                                    "base.toml", sets);
  if (q.ok()) Check(*q);
  return 0;
}
