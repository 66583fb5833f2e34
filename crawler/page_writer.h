// PageWriter: stores one fetched page, its records, the frontier URLs it
// links to, its validators and its `done` mark in ONE transaction, so a
// SIGKILL at any moment loses at most the pages in flight (crawl.h).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "crawler/listing_membership.h"
#include "crawler/page_parser.h"
#include "crawler/polite_client.h"
#include "db/catalogue_tables.h"
#include "db/crawl_tables.h"
#include "db/database.h"
#include "db/listing_tables.h"
#include "db/refresh_tables.h"

namespace cratedig::crawler {

struct ListingWrite {
  int64_t frontier_added = 0;  // new frontier URLs (products, next page)
  int64_t new_releases = 0;    // releases of the page not stored before
  int64_t listing_only = 0;    // releases whose row was enough
};

class PageWriter {
 public:
  // `required`: the profile's required fields (required_fields.h); `full`
  // queues every product page whatever the row carries. `listing_rank`:
  // each listing slug's place in the profile, the rule of a release's genres
  // when several listings show it (listing_membership.h; ListingRanks).
  PageWriter(db::Database& db, std::vector<std::string> required, bool full,
             std::map<std::string, int> listing_rank = {});

  // Listing: the listing is authoritative for release fields; track fields
  // only fill what a product page has not already given. The next page is
  // queued only when `follow_next` (a refresh walks it itself).
  Result<ListingWrite> WriteListing(const db::FrontierEntry& e,
                                    const ClientResult& r,
                                    const ListingPage& page, bool follow_next);
  // Product: its track fields win; its release fields only fill gaps.
  // Returns the track records written.
  Result<int64_t> WriteProduct(const db::FrontierEntry& e,
                               const ClientResult& r, const ProductPage& page,
                               const std::string& parent);
  // A 304: the stored copy stands; the entry is done.
  Status MarkUnchanged(const db::FrontierEntry& e);
  // See db::FrontierTable::MarkFinal for `failure` and `retry_at`.
  Status MarkFinal(const db::FrontierEntry& e, db::FrontierStatus status,
                   std::optional<int> http_status, const std::string& error,
                   const std::string& failure, int64_t retry_at);

  // Distinct releases and tracks written by this writer (a track is often
  // on both its listing row and its product page: counted once).
  int64_t distinct_releases() const {
    return static_cast<int64_t>(releases_seen_.size());
  }
  int64_t distinct_tracks() const {
    return static_cast<int64_t>(tracks_seen_.size());
  }

 private:
  Status PutValidators(const ClientResult& r);

  db::Database& db_;
  db::FrontierTable frontier_;
  db::ReleasesTable releases_;
  db::TracksTable tracks_;
  db::ValidatorsTable validators_;
  ListingMembership membership_;
  db::PageFieldsTable page_fields_;
  std::vector<std::string> required_;
  bool full_ = false;
  std::map<std::string, int> listing_rank_;
  std::set<std::string> releases_seen_, tracks_seen_;
};

// slug -> its place among the profile's listings, 0 first.
std::map<std::string, int> ListingRanks(const config::SiteProfile& profile);

// A stored URL's validators as a conditional request's fields.
Status AddValidators(db::ValidatorsTable& table, ClientRequest& req);

}  // namespace cratedig::crawler
