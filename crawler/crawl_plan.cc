#include "crawler/crawl_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <map>

#include "core/progress_bar.h"
#include "crawler/politeness.h"
#include "crawler/url.h"
#include "db/catalogue_tables.h"
#include "db/crawl_tables.h"
#include "db/refresh_tables.h"

namespace cratedig::crawler {

namespace {

using Counts = std::map<db::FrontierTable::ContextKey, int64_t>;

int64_t CountOf(const Counts& c, const std::string& context, db::PageKind kind,
                db::FrontierStatus status) {
  auto it = c.find({context, kind, status});
  return it == c.end() ? 0 : it->second;
}

// "items_per_page=100" in the listing path, else 0.
int64_t PageSizeFromPath(const std::string& listing_path) {
  const std::string key = "items_per_page=";
  size_t at = listing_path.find(key);
  if (at == std::string::npos) return 0;
  return std::atoll(listing_path.c_str() + at + key.size());
}

int64_t CeilDiv(int64_t a, int64_t b) { return b > 0 ? (a + b - 1) / b : 0; }

// Whether the robots.txt of the profile's base origin is cached and fresh
// (polite_client.cc keeps it 24 h).
Result<bool> RobotsCached(db::Database& db,
                          const config::SiteProfile& profile) {
  CRATEDIG_ASSIGN_OR_RETURN(Url base, ParseUrl(profile.base_url));
  db::HostsTable hosts(db);
  CRATEDIG_ASSIGN_OR_RETURN(auto h, hosts.Get(base.Origin()));
  return h.has_value() && db::NowMs() - h->fetched_at < 24LL * 3600 * 1000;
}

// Releases and the share of rows that needed a product page, measured.
Status MeasureRows(db::Database& db, const Counts& counts, CrawlPlan& plan) {
  db::ReleasesTable releases(db);
  CRATEDIG_ASSIGN_OR_RETURN(int64_t nrel, releases.Count());
  int64_t listing_done = 0, products = 0;
  for (const auto& [key, n] : counts) {
    const auto& [context, kind, status] = key;
    if (kind == db::PageKind::kListing && status == db::FrontierStatus::kDone) {
      listing_done += n;
    }
    if (kind == db::PageKind::kProduct) products += n;
  }
  if (listing_done > 0 && nrel > 0) {
    plan.page_size =
        std::max<int64_t>(1, std::llround(double(nrel) / double(listing_done)));
  }
  if (nrel > 0) {
    plan.product_share = std::min(1.0, double(products) / double(nrel));
    plan.product_share_measured = true;
  }
  return Status::Ok();
}

// One listing's expected requests.
void PlanListing(const Counts& counts, const CrawlOptions& options,
                 const PlanOptions& po, CrawlPlan& plan, ListingPlan& lp) {
  lp.pages_done = CountOf(counts, lp.slug, db::PageKind::kListing,
                          db::FrontierStatus::kDone);
  lp.pages_pending = CountOf(counts, lp.slug, db::PageKind::kListing,
                             db::FrontierStatus::kPending);
  lp.walked = lp.pages_done > 0;
  const int64_t products_pending = CountOf(
      counts, lp.slug, db::PageKind::kProduct, db::FrontierStatus::kPending);
  int64_t new_rows = 0;
  if (!lp.walked) {
    if (po.assume_releases_per_listing > 0) {
      lp.size_assumed = true;
      lp.listing_requests = std::max<int64_t>(
          1, CeilDiv(po.assume_releases_per_listing, plan.page_size));
      new_rows = po.assume_releases_per_listing;
    } else {
      plan.unknown_sizes = true;
      lp.listing_requests = 1;
    }
  } else {
    // A refresh of an unchanged listing: page 1 answers 304.
    lp.listing_requests = lp.pages_pending + (options.refresh ? 1 : 0);
    new_rows = lp.pages_pending * plan.page_size;
  }
  const double share = options.full ? 1.0 : plan.product_share;
  lp.product_requests =
      products_pending + std::llround(double(new_rows) * share);
}

// Previews the download will fetch: per parent genre, per_genre (or all
// the genre has, when its listings are fully walked) minus those stored.
Status PlanPreviews(db::Database& db, const PlanOptions& po, CrawlPlan& plan) {
  plan.previews_per_genre = po.previews_per_genre;
  db::TracksTable tracks(db);
  db::PreviewsTable previews(db);
  db::TrackQuery q;
  q.with_preview_url = true;
  CRATEDIG_ASSIGN_OR_RETURN(auto with_preview, tracks.Find(q));
  std::map<std::string, int64_t> known;
  for (const db::TrackRecord& t : with_preview) {
    if (t.parent_genre) ++known[*t.parent_genre];
  }
  CRATEDIG_ASSIGN_OR_RETURN(auto stored, previews.CountByGenreAndStatus());
  std::map<std::string, bool> complete;  // parent -> every listing walked
  for (const ListingPlan& l : plan.listings) {
    if (l.parent.empty()) continue;
    auto [it, fresh] = complete.emplace(l.parent, true);
    it->second = it->second && l.walked && l.pages_pending == 0;
  }
  for (const auto& [g, all_walked] : complete) {
    int64_t want = po.previews_per_genre;
    if (all_walked) want = std::min(want, known[g]);
    int64_t ok = 0;
    if (auto it = stored.find(g); it != stored.end()) {
      if (auto o = it->second.find("ok"); o != it->second.end()) ok = o->second;
    }
    plan.preview_requests += std::max<int64_t>(0, want - ok);
  }
  return Status::Ok();
}

std::string When(std::optional<int64_t> ms) {
  if (!ms) return "never";
  std::time_t t = static_cast<std::time_t>(*ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

}  // namespace

Result<CrawlPlan> PlanCrawl(db::Database& db,
                            const config::SiteProfile& profile,
                            const CrawlOptions& options,
                            const PlanOptions& po) {
  CRATEDIG_ASSIGN_OR_RETURN(ListingSet listings,
                            SelectListings(profile, options.genres));
  CrawlPlan plan;
  plan.mode = options.refresh ? "refresh"
              : options.full  ? "full"
                              : "listing-first";
  plan.gap_s = MeanRequestGap(profile.politeness);
  plan.page_size = PageSizeFromPath(profile.listing_path);
  db::FrontierTable frontier(db);
  CRATEDIG_ASSIGN_OR_RETURN(Counts counts, frontier.CountByContext());
  CRATEDIG_RETURN_IF_ERROR(MeasureRows(db, counts, plan));
  if (!plan.product_share_measured && po.assume_product_share >= 0) {
    plan.product_share = std::min(1.0, po.assume_product_share);
    plan.product_share_assumed = true;
  }
  if (plan.page_size <= 0) plan.page_size = 100;
  CRATEDIG_ASSIGN_OR_RETURN(bool robots_cached, RobotsCached(db, profile));
  plan.robots = robots_cached ? 0 : 1;

  db::ListingRefreshTable refreshes(db);
  CRATEDIG_ASSIGN_OR_RETURN(auto refreshed, refreshes.List());
  std::map<std::string, int64_t> refreshed_at;
  for (const auto& r : refreshed) refreshed_at[r.slug] = r.refreshed_at;

  for (const auto& [slug, parent] : listings.parent_of) {
    ListingPlan lp;
    lp.slug = slug;
    lp.parent = parent;
    if (auto it = refreshed_at.find(slug); it != refreshed_at.end()) {
      lp.refreshed_at = it->second;
    }
    PlanListing(counts, options, po, plan, lp);
    plan.listing_requests += lp.listing_requests;
    plan.product_requests += lp.product_requests;
    plan.listings.push_back(lp);
  }
  if (options.full) {
    // Rows a listing-first crawl stored alone get their product page now.
    CRATEDIG_ASSIGN_OR_RETURN(int64_t not_queued,
                              frontier.CountReleasesNotQueued());
    plan.product_requests += not_queued;
  }
  CRATEDIG_RETURN_IF_ERROR(PlanPreviews(db, po, plan));
  return plan;
}

std::string FormatPlan(const CrawlPlan& p) {
  std::string s = fmt::format(
      "crawl plan ({}; {:.2f} s per request at the configured delay, one "
      "host; {} releases per listing page; product pages for {})\n",
      p.mode, p.gap_s, p.page_size,
      p.mode == "full" ? std::string("every release")
      : p.product_share_measured || p.product_share_assumed
          ? fmt::format("{:.1f}% of rows ({})", 100 * p.product_share,
                        p.product_share_measured ? "measured" : "assumed")
          : std::string("rows lacking a required field (none measured "
                        "yet: --assume-product-share)"));
  s += fmt::format("{:<22} {:>6} {:>8} {:>9} {:>9}  {}\n", "listing", "pages",
                   "pending", "listing", "product", "last refreshed");
  for (const ListingPlan& l : p.listings) {
    std::string pages = l.walked ? std::to_string(l.pages_done) : "-";
    std::string lr = std::to_string(l.listing_requests);
    if (l.size_assumed) lr += "*";
    if (!l.walked && !l.size_assumed) lr += "+";
    s += fmt::format("{:<22} {:>6} {:>8} {:>9} {:>9}  {}\n", l.slug, pages,
                     l.pages_pending, lr, l.product_requests,
                     When(l.refreshed_at));
  }
  s += fmt::format(
      "crawl: {} requests ({} robots.txt, {} listing pages, {} product "
      "pages): {}\n",
      p.CrawlRequests(), p.robots, p.listing_requests, p.product_requests,
      EtaText(p.CrawlSeconds()));
  s += fmt::format("download (--per-genre {}): {} previews: {}\n",
                   p.previews_per_genre, p.preview_requests,
                   EtaText(p.PreviewSeconds()));
  s += fmt::format("total: {} requests, {}\n",
                   p.CrawlRequests() + p.preview_requests,
                   EtaText(p.CrawlSeconds() + p.PreviewSeconds()));
  bool assumed = false;
  for (const ListingPlan& l : p.listings) assumed |= l.size_assumed;
  if (assumed) s += "* listing size assumed (--assume-releases)\n";
  if (p.unknown_sizes) {
    s += "+ never walked: its size is known after its first page "
         "(--assume-releases N to estimate)\n";
  }
  return s;
}

}  // namespace cratedig::crawler
