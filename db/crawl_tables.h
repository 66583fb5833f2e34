// Typed access to the crawl's tables: hosts (robots.txt cache) and frontier
// (the persistent request queue that makes a crawl resumable).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "db/database.h"

namespace cratedig::db {

struct HostRecord {
  std::string origin;  // scheme://host[:port]
  int robots_status = 0;
  std::optional<std::string> robots_txt;
  int64_t fetched_at = 0;  // ms
};

class HostsTable {
 public:
  explicit HostsTable(Database& db) : db_(db) {}
  Status Put(const HostRecord& r);
  // nullopt when the origin has never been fetched.
  Result<std::optional<HostRecord>> Get(const std::string& origin);

 private:
  Database& db_;
};

// A frontier entry's state. FrontierStatusName gives the name stored in
// frontier.status ("pending", "done", "failed", "forbidden"); a row with any
// other name reads as a kCorrupt error.
enum class FrontierStatus { kPending, kDone, kFailed, kForbidden };
const char* FrontierStatusName(FrontierStatus s);

// What a frontier URL is: a listing page (links to releases and the next
// page) or a release's product page. PageKindName gives the name stored in
// frontier.kind ("listing", "product"); any other name reads as kCorrupt.
enum class PageKind { kListing, kProduct };
const char* PageKindName(PageKind k);

struct FrontierEntry {
  int64_t id = 0;
  std::string url;
  PageKind kind = PageKind::kListing;
  std::string context;
  FrontierStatus status = FrontierStatus::kPending;
  int attempts = 0;
  int64_t next_attempt_at = 0;  // ms; 0 = now
  std::optional<int> http_status;
  std::optional<std::string> last_error;
  int64_t added_at = 0;
  std::optional<int64_t> finished_at;
  // Reason token of the last failure (crawler/failure.h); nullopt when the
  // entry never failed or has since been fetched.
  std::optional<std::string> failure;
};

class FrontierTable {
 public:
  explicit FrontierTable(Database& db) : db_(db) {}
  // Adds a pending URL unless it is known (in any status). Returns true when
  // it was new. Idempotent, which is what makes a resumed crawl not repeat.
  Result<bool> Add(const std::string& url, PageKind kind,
                   const std::string& context = "");
  Result<std::optional<FrontierEntry>> Get(const std::string& url);
  // Pending entries whose next_attempt_at <= now_ms, oldest first.
  Result<std::vector<FrontierEntry>> Ready(int64_t now_ms, int limit);
  // The earliest next_attempt_at among pending entries; nullopt if none.
  Result<std::optional<int64_t>> NextDue();
  Status MarkDone(int64_t id, int http_status);
  // Records a failed attempt and schedules the next one.
  Status MarkRetry(int64_t id, int64_t next_attempt_at,
                   std::optional<int> http_status, const std::string& error);
  // Final failure of this run (retries exhausted, 404, robots). `failure`
  // is the reason token; `retry_at` (ms) is when a later crawl may try a
  // transient failure again (0: only with --retry-failed).
  Status MarkFinal(int64_t id, FrontierStatus status,
                   std::optional<int> http_status, const std::string& error,
                   const std::string& failure = "", int64_t retry_at = 0);
  // Puts `failed` entries back to `pending` so this run fetches them again,
  // keeping attempts, last_error and failure. all=false: only those whose
  // failure is one of `transient`, whose retry_at is due (<= now_ms, and
  // not 0) and with attempts < max_attempts. all=true: every failed entry.
  // Returns how many were requeued.
  Result<int64_t> RequeueFailed(int64_t now_ms, bool all,
                                const std::vector<std::string>& transient,
                                int max_attempts);
  // Failed or forbidden entries by reason token ("" for rows from before
  // reasons were recorded), e.g. {"http_404": 2, "network": 1}.
  Result<std::map<std::string, int64_t>> CountFailuresByReason();
  Result<std::map<std::string, int64_t>> CountByStatus();
  // Entries per (context, kind, status), for crawl plans.
  using ContextKey = std::tuple<std::string, PageKind, FrontierStatus>;
  Result<std::map<ContextKey, int64_t>> CountByContext();
  // Stored releases whose product URL was never queued (listing-first rows).
  Result<int64_t> CountReleasesNotQueued();
  Result<std::vector<FrontierEntry>> List(FrontierStatus status);

 private:
  Database& db_;
};

}  // namespace cratedig::db
