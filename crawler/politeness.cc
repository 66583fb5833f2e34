#include "crawler/politeness.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <ctime>

namespace cratedig::crawler {

std::optional<double> ParseRetryAfter(std::string_view value, double wall_now) {
  std::string v(value);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\r')) v.pop_back();
  size_t start = v.find_first_not_of(' ');
  if (start == std::string::npos) return std::nullopt;
  v = v.substr(start);
  bool digits = !v.empty();
  for (char c : v) digits = digits && c >= '0' && c <= '9';
  if (digits) {
    if (v.size() > 10) return std::nullopt;
    return static_cast<double>(std::strtoll(v.c_str(), nullptr, 10));
  }
  // HTTP-date: IMF-fixdate, then the obsolete RFC 850 and asctime forms.
  static const char* const kFormats[] = {"%a, %d %b %Y %H:%M:%S GMT",
                                         "%A, %d-%b-%y %H:%M:%S GMT",
                                         "%a %b %e %H:%M:%S %Y"};
  for (const char* f : kFormats) {
    std::tm tm{};
    const char* end = strptime(v.c_str(), f, &tm);
    if (end == nullptr || *end != '\0') continue;
    double when = static_cast<double>(timegm(&tm));
    return std::max(0.0, when - wall_now);
  }
  return std::nullopt;
}

Politeness::Politeness(const config::PolitenessSettings& settings, Clock& clock,
                       Jitter& jitter)
    : s_(settings), clock_(clock), jitter_(jitter) {}

double Politeness::ReadyAt(const std::string& host) const {
  auto it = hosts_.find(host);
  return it == hosts_.end() ? 0 : it->second.next_allowed;
}

void Politeness::SetCrawlDelay(const std::string& host,
                               std::optional<double> seconds) {
  hosts_[host].crawl_delay = seconds.value_or(0);
}

double Politeness::Slowdown(const std::string& host) const {
  auto it = hosts_.find(host);
  return it == hosts_.end() ? 1 : it->second.slowdown;
}

double Politeness::Backoff(int attempt) {
  double raw = s_.backoff_base * std::pow(2.0, std::max(0, attempt - 1));
  raw = std::min(raw, s_.backoff_max);
  return std::min(raw * jitter_.Uniform(0.5, 1.5), s_.backoff_max);
}

double MeanRequestGap(const config::PolitenessSettings& s, double crawl_delay) {
  return std::max(s.delay, crawl_delay);
}

RetryDecision Politeness::OnResponse(const std::string& host,
                                     const ResponseInfo& info, int attempt) {
  Host& h = hosts_[host];
  const double now = clock_.Now();
  const int st = info.http_status;

  if (st == 429 || st == 403) {
    h.slowdown = std::min(h.slowdown * s_.slowdown_factor, s_.slowdown_max);
  } else if (st != 0) {
    h.slowdown = std::max(1.0, h.slowdown * s_.slowdown_decay);
  }
  double delay = s_.delay;
  if (s_.randomize_delay) delay *= jitter_.Uniform(0.5, 1.5);
  delay = std::max(delay * h.slowdown, h.crawl_delay);
  h.next_allowed = std::max(h.next_allowed, now + delay);

  RetryDecision d;
  std::optional<double> retry_after;
  if (info.retry_after) {
    retry_after = ParseRetryAfter(*info.retry_after, clock_.WallNow());
  }
  if (retry_after) {
    if (*retry_after > s_.max_retry_after) {
      d.verdict = RetryDecision::kFail;
      d.reason = "Retry-After " + std::to_string(*retry_after) +
                 " s exceeds max_retry_after";
      return d;
    }
    // Host-wide: nothing goes to this host before then.
    h.next_allowed = std::max(h.next_allowed, now + *retry_after);
  }

  const bool retryable = (st == 0 && !info.too_large) || st == 408 ||
                         st == 429 || (st >= 500 && st <= 599);
  if (info.too_large) {
    d.verdict = RetryDecision::kFail;
    d.reason = "response larger than max_response_bytes";
    return d;
  }
  if (!retryable) {
    d.verdict =
        (st >= 200 && st < 400) ? RetryDecision::kDone : RetryDecision::kFail;
    if (d.verdict == RetryDecision::kFail) {
      d.reason = "HTTP " + std::to_string(st);
    }
    return d;
  }
  d.reason =
      st == 0 ? "network error: " + info.error : "HTTP " + std::to_string(st);
  if (attempt > s_.max_retries) {
    d.verdict = RetryDecision::kFail;
    d.reason =
        "gave up after " + std::to_string(attempt) + " attempts: " + d.reason;
    return d;
  }
  d.verdict = RetryDecision::kRetry;
  d.retry_at = std::max(now + Backoff(attempt), h.next_allowed);
  if (retry_after) d.retry_at = std::max(d.retry_at, now + *retry_after);
  return d;
}

}  // namespace cratedig::crawler
