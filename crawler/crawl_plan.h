// The crawl plan (`crawl --plan`): the requests a crawl with these options
// expects to make, and their time at the profile's politeness, worked out
// from what the database already knows, before a single request.
//
// Known: pending frontier entries, which listings were walked and how far,
// how many releases a listing page holds, what share of rows needed their
// product page, which robots.txt are cached, which previews are stored.
// Not known until page 1 of a listing is fetched: how many releases it
// has; `assume_releases_per_listing` fills that in (e.g. the real store's
// ~100,000 releases over 12 listings), otherwise such a listing counts as
// one request and the plan says its size is unknown.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/site_profile.h"
#include "core/status.h"
#include "crawler/crawl.h"
#include "db/database.h"

namespace cratedig::crawler {

struct PlanOptions {
  // Releases in each listing never walked. Default: 0 = unknown.
  int64_t assume_releases_per_listing = 0;
  // Share of listing rows that need their product page, used until the
  // database has measured one. Default: -1 = none (counted as 0, flagged).
  double assume_product_share = -1;
  // The download that follows (`download --per-genre`). Default: 1000.
  int previews_per_genre = 1000;
};

struct ListingPlan {
  std::string slug, parent;
  int64_t pages_done = 0, pages_pending = 0;
  int64_t listing_requests = 0;         // expected
  int64_t product_requests = 0;         // expected
  bool walked = false;                  // page 1 was fetched before
  bool size_assumed = false;            // from assume_releases_per_listing
  std::optional<int64_t> refreshed_at;  // ms
};

struct CrawlPlan {
  std::string mode;          // "listing-first", "full", "refresh"
  double gap_s = 0;          // mean seconds per request (politeness.h)
  int64_t page_size = 0;     // releases per listing page
  double product_share = 0;  // rows that need their product page
  bool product_share_measured = false;
  bool product_share_assumed = false;  // from assume_product_share
  std::vector<ListingPlan> listings;
  int64_t robots = 0;  // robots.txt fetches (not cached)
  int64_t listing_requests = 0, product_requests = 0, preview_requests = 0;
  int previews_per_genre = 0;
  bool unknown_sizes = false;  // a listing's size is neither known nor assumed

  int64_t CrawlRequests() const {
    return robots + listing_requests + product_requests;
  }
  double CrawlSeconds() const { return CrawlRequests() * gap_s; }
  double PreviewSeconds() const { return preview_requests * gap_s; }
};

Result<CrawlPlan> PlanCrawl(db::Database& db,
                            const config::SiteProfile& profile,
                            const CrawlOptions& options,
                            const PlanOptions& plan_options);

// The plan as the CLI prints it (a table per listing, then the totals).
std::string FormatPlan(const CrawlPlan& plan);

}  // namespace cratedig::crawler
