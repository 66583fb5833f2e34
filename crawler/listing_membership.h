// ListingMembership: the crawler's store step for "one release, several
// listings" (db/listing_tables.h has the rule).
//
// A listing page's releases are merged into `releases` with the listing's
// fields winning (prefer_new). Left alone, a release listed under "indie"
// and "rock" would take the genres of whichever listing was stored last,
// which depends on crawl order. Prepare() applies the rule first (a release
// already listed under a better-ranked listing keeps that listing's store
// and parent genre); Record() then adds this listing's release_listings rows.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "crawler/page_parser.h"
#include "db/catalogue_tables.h"
#include "db/listing_tables.h"

namespace cratedig::crawler {

class ListingMembership {
 public:
  explicit ListingMembership(db::Database& db) : listings_(db) {}

  // `rank`: the listing's place among the profile's listings, 0 first.
  // REQUIRES: records[i] was made from page.releases[i].
  Status Prepare(int rank, std::vector<db::ReleaseRecord>& records);
  // REQUIRES: ids[i] is the stored id of page.releases[i].
  Status Record(const std::string& listing, int rank, int64_t page_id,
                const std::vector<ParsedRelease>& releases,
                const std::vector<int64_t>& ids);

 private:
  db::ReleaseListingsTable listings_;
};

}  // namespace cratedig::crawler
