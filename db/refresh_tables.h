// Typed access to what incremental crawling remembers: HTTP validators per
// URL (conditional requests) and when each genre listing was last walked
// from its first page (`crawl --refresh`, `status`).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/database.h"

namespace cratedig::db {

// The validators of the last 2xx response of a URL (RFC 9110 8.8).
struct ValidatorRecord {
  std::string url;
  std::optional<std::string> etag;           // as sent, quotes included
  std::optional<std::string> last_modified;  // an HTTP-date, as sent
  int64_t fetched_at = 0;                    // ms
};

class ValidatorsTable {
 public:
  explicit ValidatorsTable(Database& db) : db_(db) {}
  // Stores (replaces) a URL's validators; a record with neither removes it.
  Status Put(const ValidatorRecord& r);
  Result<std::optional<ValidatorRecord>> Get(const std::string& url);
  Result<int64_t> Count();

 private:
  Database& db_;
};

// One walk of a listing from its first page.
struct ListingRefreshRecord {
  std::string slug;
  int64_t refreshed_at = 0;  // ms, when the walk ended
  int64_t pages = 0;         // listing pages requested by it (304s too)
  int64_t new_releases = 0;  // releases it found that were not known
};

class ListingRefreshTable {
 public:
  explicit ListingRefreshTable(Database& db) : db_(db) {}
  Status Put(const ListingRefreshRecord& r);
  // Every listing ever refreshed, by slug.
  Result<std::vector<ListingRefreshRecord>> List();

 private:
  Database& db_;
};

}  // namespace cratedig::db
