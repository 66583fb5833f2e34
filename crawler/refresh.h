// Incremental refresh (`crawl --refresh`): each selected listing is walked
// again from its first page, newest first, with conditional requests. A
// listing's walk stops at a 304 (the page is as stored), at the first page
// whose releases were all known before it, or at its last page. New
// releases are stored (and their product pages queued when their row lacks
// a required field); known ones get their listing fields updated. The walk
// of each listing is recorded in listing_refreshes (`cratedig status`).
// Listing pages walked are marked done in the frontier, so the frontier
// phase that follows does not fetch them again.
#pragma once

#include "config/site_profile.h"
#include "core/progress.h"
#include "core/status.h"
#include "crawler/crawl.h"
#include "crawler/page_parser.h"
#include "crawler/page_writer.h"
#include "crawler/polite_client.h"
#include "db/database.h"

namespace cratedig::crawler {

// Walks every listing of `listings`; adds to `st`. Returns true when it
// stopped for `cancel` (walks cut short are not recorded as refreshed).
Result<bool> RefreshListings(db::Database& db,
                             const config::SiteProfile& profile,
                             const ListingSet& listings,
                             const PageParser& parser, PageWriter& writer,
                             PoliteClient& client, const ProgressFn& progress,
                             const CancelFlag* cancel, CrawlStats& st);

// Adds one listing page's write to the crawl's stats (crawl.cc).
void AddListingWrite(const ListingWrite& w, const PageWriter& writer,
                     CrawlStats& st);

}  // namespace cratedig::crawler
