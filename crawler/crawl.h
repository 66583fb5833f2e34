// Crawl: the resumable catalogue crawl (`cratedig crawl`).
//
// Each configured genre's back-catalogue listing is walked page by page
// (following the "next" link until a page has none). Listing-first: a
// release is stored from its listing row, and its product page is fetched
// only when the row lacks a field of the profile's `required`
// (required_fields.h); `full` fetches every product page.
// `refresh` first re-walks each listing from page 1 (newest first) with
// conditional requests and stops at a 304 or at the first page whose
// releases are all known, so an unchanged store costs one request per
// listing. Validators (ETag, Last-Modified) of every page are stored and
// sent on any re-fetch; a 304 leaves the stored records as they are.
// The frontier lives in SQLite (db::FrontierTable): for each page, its
// parsed records, the new frontier URLs it links to and its `done` mark are
// written in ONE transaction. So a SIGKILL at any moment loses at most the
// pages in flight, which stay `pending` and are fetched again by the same
// command, and the database ends equal to an uninterrupted crawl's.
// Cancel (SIGINT) stops feeding new requests, lets the ones in flight finish
// and be stored, and returns Cancelled.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "config/site_profile.h"
#include "core/progress.h"
#include "core/status.h"
#include "crawler/clock.h"
#include "db/database.h"

namespace cratedig::crawler {

struct CrawlOptions {
  // Listings to walk: parent genre names ("Trance") or listing slugs
  // ("uplifting-trance"). Default: empty = every listing of the profile.
  std::vector<std::string> genres;
  // Stop after this many pages fetched in this run. Default: 0 = no limit.
  int64_t max_pages = 0;
  // Seed of the delay/backoff jitter. Default: 0 = random.
  uint64_t seed = 0;
  // Frontier entries handed to the downloader ahead of time, per host slot
  // of politeness.max_hosts_in_flight. Default: 2 (one in flight, one
  // ready the moment it returns).
  int queue_ahead = 2;
  // Retry every failed page now (404s too), not only the transient
  // failures whose backoff has passed (politeness.rerun_*). Default: false.
  bool retry_failed = false;
  // Fetch every release's product page, even when its listing row carries
  // every field of the profile's `required`. Default: false (listing-first:
  // a product page only for rows that lack a required field).
  bool full = false;
  // Re-walk every listing from its first page before the frontier (see
  // above). Default: false (a done listing page is never fetched again).
  bool refresh = false;
};

struct CrawlStats {
  int64_t pages = 0;  // pages fetched and stored (listing + product)
  int64_t listing_pages = 0;
  int64_t product_pages = 0;
  int64_t failed_pages = 0;  // final failures (404, gave up, off-site...)
  int64_t releases = 0;      // distinct releases written in this run
  int64_t tracks = 0;        // distinct tracks written in this run
  // Failed pages of earlier runs put back in the queue by this run.
  int64_t requeued = 0;
  // Releases whose listing row was enough (no product page queued).
  int64_t listing_only = 0;
  int64_t missing_fields = 0;
  int64_t parse_errors = 0;
  // From the downloader.
  int64_t requests = 0;
  int64_t bytes = 0;
  int64_t retries = 0;
  int64_t http_429 = 0;
  int64_t robots_forbidden = 0;
  int64_t redirects = 0;
  int64_t pending_left = 0;  // frontier entries still pending at the end
  // Pages left pending because a host's robots.txt could not be fetched
  // (5xx or unreachable after retries: RFC 9309 says crawl nothing).
  int64_t robots_unavailable = 0;
  int64_t not_modified = 0;        // 304 answers (stored copy kept)
  int64_t new_releases = 0;        // releases not stored before this run
  int64_t refreshed_listings = 0;  // listings re-walked from page 1
  // Every counter by name, Scrapy-style ("downloader/response_status_count/
  // 200", "retry/reason_count/503", "crawl/listing_pages"); the fields above
  // are the ones the CLI summary prints.
  std::map<std::string, int64_t> counters;
  double elapsed_s = 0;
  double cpu_s = 0;  // process CPU time (user + system) during the crawl
  // True when the crawl stopped for `cancel`: the pages in flight were
  // stored, the rest stays pending for the next run. The CLI exits 130.
  bool cancelled = false;
};

// Runs (or resumes) the crawl into `db`. `cancel` and `clock` may be null
// (SystemClock). Progress reports use stage "crawl", unit "pages" (and
// stage "refresh", unit "listings" for the refresh walk), with eta_s from
// PoliteEta.
// Holds the database's WriterLock (db/writer_lock.h) while it runs: a
// second crawl or download on the same database fails with Unavailable.
// A page that fails keeps its attempt count, last error and reason
// (frontier.failure); transient ones are requeued by a later run (see
// PolitenessSettings::rerun_backoff_base), all of them with retry_failed.
Result<CrawlStats> RunCrawl(db::Database& db,
                            const config::SiteProfile& profile,
                            const CrawlOptions& options,
                            const ProgressFn& progress = {},
                            const CancelFlag* cancel = nullptr,
                            Clock* clock = nullptr);

// The listings a crawl walks: every listing of the profile, or those whose
// slug or parent genre is in `genres`.
struct ListingSet {
  std::map<std::string, std::string> parent_of;  // slug -> parent genre
};
// InvalidArgument names a genre or slug no listing has.
Result<ListingSet> SelectListings(const config::SiteProfile& profile,
                                  const std::vector<std::string>& genres);

// Seconds left for `requests_left` requests to one host: each costs the
// mean politeness gap (politeness.h), or the pace measured so far when
// that is slower (retries, Retry-After, a slow server).
double PoliteEta(int64_t requests_left,
                 const config::PolitenessSettings& politeness,
                 int64_t requests_so_far, double elapsed_s);

// The first URL of a listing: base_url + listing_path with {slug}/{page}.
std::string ListingUrl(const config::SiteProfile& profile,
                       const std::string& slug, int page);

}  // namespace cratedig::crawler
