#include "crawler/failure.h"

#include <algorithm>

namespace cratedig::crawler {

const std::vector<std::string>& TransientFailureReasons() {
  static const std::vector<std::string> kTransient = {
      "network", "truncated", "http_5xx", "http_429", "http_408"};
  return kTransient;
}

bool IsTransientFailure(std::string_view reason) {
  const auto& t = TransientFailureReasons();
  return std::find(t.begin(), t.end(), reason) != t.end();
}

std::string FailureReason(const ClientResult& r) {
  const int st = r.http_status;
  switch (r.outcome) {
    case ClientOutcome::kOk:
    case ClientOutcome::kNotModified:  // the stored copy holds: no failure
      return "";
    case ClientOutcome::kRobotsForbidden:
      return "robots";
    case ClientOutcome::kRobotsUnavailable:
      return "robots_unavailable";
    case ClientOutcome::kOffsite:
      return "offsite";
    case ClientOutcome::kRedirectLimit:
      return "redirect_limit";
    case ClientOutcome::kTooLarge:
      return "too_large";
    case ClientOutcome::kGaveUp:
    case ClientOutcome::kHttpError:
      break;
  }
  if (st == 0) return r.truncated ? "truncated" : "network";
  if (st >= 500 && st <= 599) return "http_5xx";
  return "http_" + std::to_string(st);
}

}  // namespace cratedig::crawler
