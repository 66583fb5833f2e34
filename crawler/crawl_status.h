// What `cratedig status` reports about the crawl, as typed rows: the
// frontier by status, its failures by reason, and each listing's pages and
// last refresh. Reads only; the CLI formats.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "db/database.h"
#include "db/refresh_tables.h"

namespace cratedig::crawler {

struct FailureCount {
  std::string reason;  // crawler/failure.h token; "" for rows from before
  int64_t count = 0;
  bool transient = false;  // a later crawl retries it on its own
};

struct FrontierSummary {
  int64_t pending = 0, done = 0, failed = 0, forbidden = 0;
  std::vector<FailureCount> failures;  // failed or forbidden, by reason
};

// One listing the crawl has walked or refreshed.
struct ListingStatusRow {
  std::string slug;
  int64_t pages_done = 0;
  int64_t pages_pending = 0;
  // The last re-walk from page 1 (crawl --refresh); nullopt: never.
  std::optional<db::ListingRefreshRecord> last_refresh;
};

Result<FrontierSummary> ReadFrontierSummary(db::Database& db);

// By slug.
Result<std::vector<ListingStatusRow>> ReadListingStatus(db::Database& db);

}  // namespace cratedig::crawler
