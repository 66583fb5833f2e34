// Failure reasons: why a page or a preview could not be fetched, as a short
// token stored in the database (frontier.failure) and counted by `status`.
//
// Transient reasons ("network", "truncated", "http_5xx", "http_429",
// "http_408") are worth another try in a later run, after a backoff; the
// others ("http_404", "robots", "offsite", "too_large", ...) are not,
// unless the user asks (`crawl --retry-failed`).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "crawler/polite_client.h"

namespace cratedig::crawler {

// The reason token of a failed result; "" for kOk.
std::string FailureReason(const ClientResult& r);

// True for the reasons a later run retries on its own.
bool IsTransientFailure(std::string_view reason);
const std::vector<std::string>& TransientFailureReasons();

}  // namespace cratedig::crawler
