// Typed access to where releases were listed (release_listings) and what
// each fetched page's parse yielded per field (page_fields).
//
// One release, several listings: a release listed under "indie" and "rock"
// is one releases row with a release_listings row per listing. Its own
// store_genre/parent_genre follow ONE rule, so they do not depend on crawl
// order: those of its best-ranked listing, rank being the listing's place
// in the site profile (the first listed wins). See ReleaseListingsTable::Best.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/database.h"

namespace cratedig::db {

struct ReleaseListingRecord {
  int64_t release_id = 0;
  std::string listing;  // the listing's slug
  int rank = 0;         // place among the profile's listings, 0 first
  std::optional<std::string> store_genre, parent_genre;
  std::optional<int64_t> page_id;  // frontier id of the listing page
  int64_t seen_at = 0;             // ms; set by Put
};

class ReleaseListingsTable {
 public:
  explicit ReleaseListingsTable(Database& db) : db_(db) {}
  // Records that the release was listed under r.listing; a second sighting
  // of the same listing replaces the row (the newest page wins).
  Status Put(const ReleaseListingRecord& r);
  // The best-ranked (lowest rank, then slug) listing row of the release
  // with this store id; nullopt when it has none yet.
  Result<std::optional<ReleaseListingRecord>> Best(
      const std::string& release_store_id);
  // Every listing of a release, best first.
  Result<std::vector<ReleaseListingRecord>> ListFor(int64_t release_id);

 private:
  Database& db_;
};

// How many records of one page had one field.
struct PageFieldCount {
  std::string record;  // "release" | "track"
  std::string field;   // the export's column name ("bpm")
  int64_t present = 0;
  int64_t total = 0;
};

class PageFieldsTable {
 public:
  explicit PageFieldsTable(Database& db) : db_(db) {}
  // Replaces the counts of a page (a page fetched again counts anew).
  Status Put(int64_t page_id, const std::vector<PageFieldCount>& counts);
  Result<std::vector<PageFieldCount>> Get(int64_t page_id);

 private:
  Database& db_;
};

}  // namespace cratedig::db
