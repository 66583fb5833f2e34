// Fetcher: single HTTP requests over libcurl's multi interface, many at
// once, driven from one thread. It knows nothing of politeness: redirects
// are NOT followed (the caller checks and paces each hop), only http and
// https are allowed, and every transfer has a connect timeout, a total
// timeout and a response-size cap. Connections are kept alive in the multi
// handle's cache and reused per host (HTTP/1.1 keep-alive), so a polite
// one-at-a-time crawl or download pays one TCP/TLS handshake per host, not
// one per request.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace cratedig::crawler {

struct FetchRequest {
  uint64_t id = 0;  // chosen by the caller, returned with the response
  std::string url;
  std::string user_agent;
  std::string accept_encoding;  // "" sends none (identity)
  double connect_timeout_s = 10;
  double timeout_s = 180;
  int64_t max_bytes = 32 << 20;  // larger bodies are cut: too_large
  // Conditional GET: sent as If-None-Match / If-Modified-Since when set.
  std::optional<std::string> if_none_match, if_modified_since;
};

struct FetchResponse {
  uint64_t id = 0;
  std::string url;
  int http_status = 0;  // 0: no HTTP response (see error)
  std::string body;
  std::string error;  // transport error, "" when an HTTP response arrived
  bool too_large = false;
  // The body ended before its Content-Length (connection dropped).
  bool truncated = false;
  std::optional<std::string> location;       // Location header
  std::optional<std::string> retry_after;    // Retry-After header
  std::optional<std::string> etag;           // ETag header
  std::optional<std::string> last_modified;  // Last-Modified header
  int64_t content_length = -1;               // -1: not sent
  double seconds = 0;                        // total transfer time
  // New connections this transfer opened (0: it reused a kept-alive one).
  int64_t new_connections = 0;
};

class Fetcher {
 public:
  Fetcher();
  ~Fetcher();
  Fetcher(const Fetcher&) = delete;
  Fetcher& operator=(const Fetcher&) = delete;

  // Starts a transfer. Errors in setting it up come back from Poll.
  void Start(const FetchRequest& req);
  size_t InFlight() const { return transfers_.size(); }
  // Drives transfers, waiting up to timeout_s for one to finish when none
  // has yet; returns the finished ones (possibly none).
  std::vector<FetchResponse> Poll(double timeout_s);

 private:
  struct Transfer;
  void* multi_;                                           // CURLM*
  std::map<void*, std::unique_ptr<Transfer>> transfers_;  // by CURL*
  std::vector<FetchResponse> failed_to_start_;
};

}  // namespace cratedig::crawler
