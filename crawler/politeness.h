// Politeness: per-host pacing and the retry policy, as pure logic over an
// injected Clock and Jitter (no sockets, no sleeping), so every rule below
// is unit-tested with a FakeClock.
//
// Rules (settings from config::PolitenessSettings):
// - After each response from a host, its next request may start no sooner
//   than delay x U(0.5, 1.5) (x 1 when randomize_delay is off) x the host's
//   slow-down multiplier, and never sooner than its robots.txt Crawl-delay.
// - Retry-After (delta-seconds or HTTP-date) blocks the whole host until
//   then, and the retried request waits at least that long. A Retry-After
//   above max_retry_after fails the request instead of stalling the crawl.
// - Network errors, 408, 429 and 5xx are retried up to max_retries times,
//   after backoff_base x 2^(attempt-1) x U(0.5, 1.5) seconds (capped at
//   backoff_max).
// - 429 and 403 multiply the host's slow-down by slowdown_factor (capped at
//   slowdown_max); each other response decays it by slowdown_decay towards
//   1, so the crawl speeds up again only slowly.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "config/site_profile.h"
#include "crawler/clock.h"

namespace cratedig::crawler {

// Seconds to wait for a Retry-After value: "120" or an HTTP-date
// ("Wed, 21 Oct 2015 07:28:00 GMT", also the RFC 850 and asctime forms).
// A date in the past gives 0. nullopt when the value is neither.
std::optional<double> ParseRetryAfter(std::string_view value, double wall_now);

struct ResponseInfo {
  int http_status = 0;  // 0: no HTTP response (network error, timeout)
  std::optional<std::string> retry_after;  // the header, verbatim
  bool too_large = false;  // the size cap cut the response: never retried
  std::string error;       // transport error text, for the reason
};

struct RetryDecision {
  enum Verdict { kDone, kRetry, kFail } verdict = kDone;
  double retry_at = 0;  // Clock::Now() seconds, when verdict == kRetry
  std::string reason;   // why it is retried or failed
};

// The mean gap between two requests to one host with no slow-down and no
// failures: `delay` (the 0.5-1.5x jitter averages to 1x), at least the
// robots.txt Crawl-delay when known. Plans and ETAs count in it.
double MeanRequestGap(const config::PolitenessSettings& s,
                      double crawl_delay = 0);

class Politeness {
 public:
  // REQUIRES: clock and jitter outlive this object.
  Politeness(const config::PolitenessSettings& settings, Clock& clock,
             Jitter& jitter);

  // Earliest Clock::Now() at which a request to `host` may start.
  double ReadyAt(const std::string& host) const;
  // From robots.txt; nullopt clears it.
  void SetCrawlDelay(const std::string& host, std::optional<double> seconds);
  // Call once per completed HTTP request (attempt is 1 for the first try of
  // a URL). Updates the host's pacing and says whether to retry.
  RetryDecision OnResponse(const std::string& host, const ResponseInfo& info,
                           int attempt);
  // The slow-down multiplier of a host (1 = none).
  double Slowdown(const std::string& host) const;
  // Seconds to wait before retry number `attempt` (1-based), jittered.
  double Backoff(int attempt);

  const config::PolitenessSettings& settings() const { return s_; }

 private:
  struct Host {
    double next_allowed = 0;
    double slowdown = 1;
    double crawl_delay = 0;
  };
  config::PolitenessSettings s_;
  Clock& clock_;
  Jitter& jitter_;
  std::map<std::string, Host> hosts_;
};

}  // namespace cratedig::crawler
