// PoliteClient: the downloader every crawl and download goes through.
// It turns logical requests ("get this URL") into HTTP requests that obey
// the politeness rules: robots.txt per host (fetched once, cached in the
// hosts table for 24 h), one request at a time per host, pacing and retries
// from Politeness, redirects followed hop by hop (each hop paced, at most
// max_redirects, only http/https and only to configured hosts). Several
// hosts proceed concurrently through one Fetcher.
//
// Single-threaded: call Enqueue and Step from one thread.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/site_profile.h"
#include "crawler/clock.h"
#include "crawler/fetcher.h"
#include "crawler/politeness.h"
#include "crawler/robots.h"
#include "crawler/url.h"
#include "db/crawl_tables.h"

namespace cratedig::crawler {

struct ClientOptions {
  config::PolitenessSettings politeness;
  std::string user_agent;
  std::string accept_encoding;  // see SiteProfile::accept_encoding
  // "host:port" keys (Url::HostKey) that may be fetched; see
  // AllowedHostsFor(). Anything else is refused, also as a redirect target.
  std::set<std::string> allowed_hosts;
  uint64_t seed = 0;  // jitter seed; 0 = random
  // Called at the start of every HTTP request (tests, -vv logging).
  std::function<void(const std::string& url)> on_request;
};

// The allowed host keys of a profile: base_url's host and extra_hosts
// (an entry without a port allows the default http and https ports).
Result<std::set<std::string>> AllowedHostsFor(
    const config::SiteProfile& profile);

// The client settings of a profile (politeness, user agent, encodings,
// allowed hosts), with the jitter seed (0 = random).
Result<ClientOptions> ClientOptionsFor(const config::SiteProfile& profile,
                                       uint64_t seed);

struct ClientRequest {
  uint64_t tag = 0;  // the caller's id, returned with the result
  std::string url;
  int64_t max_bytes = 0;  // 0: politeness.max_response_bytes
  // Validators of a stored copy (db::ValidatorsTable): sent as a
  // conditional GET; a 304 answer comes back as kNotModified.
  std::optional<std::string> etag, last_modified;
};

enum class ClientOutcome {
  kOk,                 // 2xx; body set
  kHttpError,          // a final non-2xx status (404, 410, 403...)
  kGaveUp,             // retries exhausted (network errors, 5xx, 429)
  kRobotsForbidden,    // robots.txt disallows it; never requested
  kRobotsUnavailable,  // robots.txt could not be fetched: try another run
  kOffsite,            // URL or redirect outside the configured hosts
  kRedirectLimit,      // more than max_redirects hops
  kTooLarge,           // over the size cap
  kNotModified,        // 304 to a conditional request: the stored copy holds
};
const char* ClientOutcomeName(ClientOutcome o);

struct ClientResult {
  uint64_t tag = 0;
  std::string url;        // as enqueued
  std::string final_url;  // after redirects
  ClientOutcome outcome = ClientOutcome::kOk;
  int http_status = 0;
  std::string body;
  std::string error;  // "" when kOk
  int attempts = 0;   // HTTP requests made for it (all hops and retries)
  int64_t content_length = -1;
  // With kGaveUp and http_status 0: the last try was a body cut short
  // (crawler/failure.h tells "truncated" from "network").
  bool truncated = false;
  // The response's validators (2xx), to send on the next fetch.
  std::optional<std::string> etag, last_modified;
};

struct ClientStats {
  int64_t requests = 0;  // HTTP requests sent (robots, retries, hops too)
  int64_t bytes = 0;     // response bytes received
  int64_t retries = 0;
  int64_t http_429 = 0;
  int64_t robots_forbidden = 0;
  int64_t redirects = 0;
  int64_t not_modified = 0;  // 304 answers
  // The same and more by name, Scrapy-style: "downloader/request_count",
  // "downloader/response_status_count/200", "downloader/exception_count",
  // "downloader/response_bytes", "retry/count", "retry/reason_count/503",
  // "robots/forbidden", "redirect/count", "downloader/connections_opened"
  // (keep-alive: 1 per host when every connection was reused).
  std::map<std::string, int64_t> counters;
};

class PoliteClient {
 public:
  // REQUIRES: clock outlives the client. `hosts` (the robots cache) may be
  // null: robots.txt is then fetched once per client.
  PoliteClient(ClientOptions options, Clock& clock, db::HostsTable* hosts);

  void Enqueue(const ClientRequest& req);
  // Logical requests not yet returned by Step (queued or in flight).
  size_t Outstanding() const { return outstanding_; }
  // Starts what politeness allows, then waits up to max_wait_s (real time)
  // for something to finish. Returns finished logical requests.
  std::vector<ClientResult> Step(double max_wait_s);
  // Drops queued requests that have not started (SIGINT); those in flight
  // still finish and are returned by Step. Returns the tags dropped.
  std::vector<uint64_t> DropQueued();

  const ClientStats& stats() const { return stats_; }
  // Clock seconds since the client was made.
  double elapsed_s() const { return clock_.Now() - started_at_; }

 private:
  struct Pending {
    ClientRequest req;
    Url url;  // the current hop
    int hops = 0;
    int attempts = 0;        // HTTP requests made for this URL
    int total_requests = 0;  // over all hops
    double not_before = 0;   // Clock::Now()
    bool robots = false;     // the host's robots.txt fetch
  };
  enum class RobotsState { kUnknown, kFetching, kReady, kUnavailable };
  struct HostSlot {
    std::string key;
    std::string origin;
    RobotsState robots_state = RobotsState::kUnknown;
    RobotsRules rules;
    std::deque<Pending> queue;
    std::optional<Pending> robots_fetch;
    bool busy = false;
  };

  HostSlot& SlotFor(const Url& url);
  void Route(Pending p, bool front);
  void Finish(Pending& p, ClientOutcome o, int status, std::string error,
              std::string body = {}, int64_t content_length = -1);
  void StartReady();
  void StartRequest(HostSlot& slot, Pending p);
  void Handle(FetchResponse r);
  void HandleRedirect(HostSlot& slot, const std::string& key, Pending p,
                      const FetchResponse& r);
  void RobotsDone(HostSlot& slot, int status, const std::string& body);
  double NextWake() const;

  ClientOptions opt_;
  Clock& clock_;
  db::HostsTable* hosts_table_;
  Jitter jitter_;
  Politeness politeness_;
  Fetcher fetcher_;
  std::map<std::string, HostSlot> slots_;
  std::map<uint64_t, std::pair<std::string, Pending>> in_flight_;
  uint64_t next_fetch_id_ = 1;
  size_t outstanding_ = 0;
  std::vector<ClientResult> done_;
  ClientStats stats_;
  double started_at_ = 0;
};

}  // namespace cratedig::crawler
