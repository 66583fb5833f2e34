#include "crawler/crawl.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <set>

#include "crawler/failure.h"
#include "crawler/fetch_loop.h"
#include "crawler/page_parser.h"
#include "crawler/page_writer.h"
#include "crawler/polite_client.h"
#include "crawler/refresh.h"
#include "db/crawl_tables.h"
#include "db/writer_lock.h"

namespace cratedig::crawler {

namespace {

double CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// When a later run may retry a page that has now failed `runs` times for
// a transient reason: base * 2^(runs - 1) seconds from now, capped.
int64_t RerunAt(const config::PolitenessSettings& p, int runs) {
  double wait = p.rerun_backoff_base * std::pow(2.0, std::max(0, runs - 1));
  wait = std::min(wait, p.rerun_backoff_max);
  return db::NowMs() + static_cast<int64_t>(wait * 1000);
}

// The frontier phase: pending entries of the selected listings go through
// the fetch loop; each result is parsed and written with its done mark.
class FrontierCrawl {
 public:
  FrontierCrawl(db::Database& db, const config::SiteProfile& profile,
                const CrawlOptions& options, const ListingSet& listings,
                const PageParser& parser, PageWriter& writer,
                PoliteClient& client, const ProgressFn& progress,
                CrawlStats& st)
      : frontier_(db),
        profile_(profile),
        options_(options),
        listings_(listings),
        parser_(parser),
        writer_(writer),
        client_(client),
        progress_(progress),
        st_(st),
        validators_(db),
        ahead_(RequestsAhead(options.queue_ahead,
                             profile.politeness.max_hosts_in_flight)) {}

  Status CountKnown() {
    CRATEDIG_ASSIGN_OR_RETURN(auto counts, frontier_.CountByStatus());
    for (const auto& [status, n] : counts) known_total_ += n;
    finished_total_ = known_total_ - counts["pending"];
    return Status::Ok();
  }

  Result<bool> Run(const CancelFlag* cancel) {
    CRATEDIG_RETURN_IF_ERROR(CountKnown());
    FetchLoopHooks hooks;
    hooks.refill = [this](size_t room) { return Refill(room); };
    hooks.on_result = [this](ClientResult& r) { return OnResult(r); };
    hooks.on_dropped = [this](uint64_t tag) {
      in_flight_.erase(static_cast<int64_t>(tag));
    };
    return RunFetchLoop(client_, ahead_, cancel, hooks);
  }

  int64_t robots_unavailable() const {
    return static_cast<int64_t>(skipped_.size());
  }

 private:
  Result<std::vector<ClientRequest>> Refill(size_t room) {
    std::vector<ClientRequest> out;
    if (options_.max_pages > 0 && started_ >= options_.max_pages) return out;
    // Entries of other genres (left by an earlier run with other --genres)
    // may come first; look further only when filtering.
    const int limit =
        static_cast<int>(in_flight_.size() + skipped_.size() + ahead_ +
                         (options_.genres.empty() ? 0 : 256));
    CRATEDIG_ASSIGN_OR_RETURN(
        std::vector<db::FrontierEntry> ready,
        frontier_.Ready(std::numeric_limits<int64_t>::max(), limit));
    for (db::FrontierEntry& e : ready) {
      if (out.size() >= room) break;
      if (options_.max_pages > 0 && started_ >= options_.max_pages) break;
      if (in_flight_.count(e.id) || skipped_.count(e.id)) continue;
      if (!listings_.parent_of.count(e.context)) continue;  // another genre
      ClientRequest req;
      req.tag = static_cast<uint64_t>(e.id);
      req.url = e.url;
      CRATEDIG_RETURN_IF_ERROR(AddValidators(validators_, req));
      out.push_back(std::move(req));
      in_flight_.emplace(e.id, std::move(e));
      ++started_;
    }
    return out;
  }

  Status OnResult(ClientResult& r) {
    auto it = in_flight_.find(static_cast<int64_t>(r.tag));
    if (it == in_flight_.end()) return Status::Ok();
    db::FrontierEntry e = std::move(it->second);
    in_flight_.erase(it);
    switch (r.outcome) {
      case ClientOutcome::kOk:
        CRATEDIG_RETURN_IF_ERROR(OnPage(e, r));
        break;
      case ClientOutcome::kNotModified:
        CRATEDIG_RETURN_IF_ERROR(writer_.MarkUnchanged(e));
        ++st_.counters[std::string("crawl/not_modified/") +
                       db::PageKindName(e.kind)];
        ++finished_total_;
        break;
      case ClientOutcome::kRobotsUnavailable:
        skipped_.insert(e.id);
        break;
      default:
        CRATEDIG_RETURN_IF_ERROR(OnFailure(e, r));
    }
    ReportProgress();
    return Status::Ok();
  }

  Status OnPage(const db::FrontierEntry& e, const ClientResult& r) {
    CRATEDIG_ASSIGN_OR_RETURN(Url page_url, ParseUrl(r.final_url));
    ++st_.pages;
    ++finished_total_;
    const std::string& parent = listings_.parent_of.at(e.context);
    if (e.kind == db::PageKind::kListing) {
      ListingPage page = parser_.ParseListing(r.body, page_url, parent);
      if (page.releases.empty() && !page.next_url) ++st_.parse_errors;
      st_.parse_errors += page.parse_errors;
      st_.missing_fields += page.missing_fields;
      CRATEDIG_ASSIGN_OR_RETURN(ListingWrite w,
                                writer_.WriteListing(e, r, page, true));
      AddListingWrite(w, writer_, st_);
      known_total_ += w.frontier_added;
      ++st_.listing_pages;
      return Status::Ok();
    }
    ProductPage page = parser_.ParseProduct(r.body, page_url);
    st_.parse_errors += page.parse_errors;
    st_.missing_fields += page.missing_fields;
    CRATEDIG_ASSIGN_OR_RETURN(int64_t tracks,
                              writer_.WriteProduct(e, r, page, parent));
    (void)tracks;
    st_.tracks = writer_.distinct_tracks();
    st_.releases = writer_.distinct_releases();
    ++st_.product_pages;
    return Status::Ok();
  }

  Status OnFailure(const db::FrontierEntry& e, const ClientResult& r) {
    db::FrontierStatus fs = r.outcome == ClientOutcome::kRobotsForbidden
                                ? db::FrontierStatus::kForbidden
                                : db::FrontierStatus::kFailed;
    std::optional<int> hs;
    if (r.http_status != 0) hs = r.http_status;
    const std::string reason = FailureReason(r);
    const int64_t retry_at = IsTransientFailure(reason)
                                 ? RerunAt(profile_.politeness, e.attempts + 1)
                                 : 0;
    CRATEDIG_RETURN_IF_ERROR(writer_.MarkFinal(
        e, fs, hs, std::string(ClientOutcomeName(r.outcome)) + ": " + r.error,
        reason, retry_at));
    ++st_.failed_pages;
    ++st_.counters[std::string("crawl/failed/") + ClientOutcomeName(r.outcome)];
    ++finished_total_;
    return Status::Ok();
  }

  void ReportProgress() {
    const ClientStats& cs = client_.stats();
    Progress p;
    p.stage = "crawl";
    p.unit = "pages";
    p.done = finished_total_;
    p.total = known_total_;
    p.detail = std::to_string(cs.retries) + " retries, " +
               std::to_string(cs.http_429) + " x 429";
    p.eta_s = PoliteEta(p.total - p.done, profile_.politeness, cs.requests,
                        client_.elapsed_s());
    Report(progress_, p);
  }

  db::FrontierTable frontier_;
  const config::SiteProfile& profile_;
  const CrawlOptions& options_;
  const ListingSet& listings_;
  const PageParser& parser_;
  PageWriter& writer_;
  PoliteClient& client_;
  const ProgressFn& progress_;
  CrawlStats& st_;
  db::ValidatorsTable validators_;
  const size_t ahead_;
  std::map<int64_t, db::FrontierEntry> in_flight_;  // by frontier id
  std::set<int64_t> skipped_;  // robots.txt unavailable: left pending
  int64_t started_ = 0;
  int64_t known_total_ = 0;
  int64_t finished_total_ = 0;
};

// Requeues failed pages a later run may retry (crawl.h), seeds each
// selected listing's first page, and with `full` the product
// page of every stored release of those listings' parents that never had
// one queued (a listing-first crawl stored them from their rows).
Status SeedFrontier(db::Database& db, const config::SiteProfile& profile,
                    const CrawlOptions& options, const ListingSet& listings,
                    CrawlStats& st) {
  db::FrontierTable frontier(db);
  return db.InTransaction([&]() -> Status {
    CRATEDIG_ASSIGN_OR_RETURN(
        st.requeued,
        frontier.RequeueFailed(db::NowMs(), options.retry_failed,
                               TransientFailureReasons(),
                               profile.politeness.rerun_max_attempts));
    for (const auto& [slug, parent] : listings.parent_of) {
      CRATEDIG_ASSIGN_OR_RETURN(
          bool is_new,
          frontier.Add(ListingUrl(profile, slug, profile.first_page),
                       db::PageKind::kListing, slug));
      (void)is_new;
    }
    if (!options.full) return Status::Ok();
    // A release's listing is not stored; its parent genre picks the first
    // selected listing of that parent as the entry's context.
    std::map<std::string, std::string> slug_of_parent;
    for (const auto& [slug, parent] : listings.parent_of) {
      slug_of_parent.emplace(parent, slug);
    }
    db::ReleasesTable releases(db);
    CRATEDIG_ASSIGN_OR_RETURN(std::vector<db::ReleaseRecord> all,
                              releases.ListAll());
    for (const db::ReleaseRecord& r : all) {
      auto it = slug_of_parent.find(r.parent_genre.value_or(""));
      if (it == slug_of_parent.end()) continue;
      CRATEDIG_ASSIGN_OR_RETURN(
          bool is_new, frontier.Add(r.url, db::PageKind::kProduct, it->second));
      (void)is_new;
    }
    return Status::Ok();
  });
}

void CopyClientStats(const ClientStats& cs, CrawlStats& st) {
  st.requests = cs.requests;
  st.bytes = cs.bytes;
  st.retries = cs.retries;
  st.http_429 = cs.http_429;
  st.robots_forbidden = cs.robots_forbidden;
  st.redirects = cs.redirects;
  st.not_modified = cs.not_modified;
  for (const auto& [k, v] : cs.counters) st.counters[k] += v;
}

}  // namespace

void AddListingWrite(const ListingWrite& w, const PageWriter& writer,
                     CrawlStats& st) {
  st.releases = writer.distinct_releases();
  st.tracks = writer.distinct_tracks();
  st.listing_only += w.listing_only;
  st.new_releases += w.new_releases;
}

double PoliteEta(int64_t requests_left,
                 const config::PolitenessSettings& politeness,
                 int64_t requests_so_far, double elapsed_s) {
  if (requests_left <= 0) return 0;
  double gap = MeanRequestGap(politeness);
  // Measured pace, once there is one: slow-downs, Retry-After and a slow
  // server all show in it; the configured delay is its floor.
  if (requests_so_far >= 5 && elapsed_s > 0) {
    gap = std::max(gap, elapsed_s / static_cast<double>(requests_so_far));
  }
  return static_cast<double>(requests_left) * gap;
}

std::string ListingUrl(const config::SiteProfile& profile,
                       const std::string& slug, int page) {
  std::string path = profile.listing_path;
  auto replace = [&](const std::string& key, const std::string& value) {
    for (size_t at = path.find(key); at != std::string::npos;
         at = path.find(key, at + value.size())) {
      path.replace(at, key.size(), value);
    }
  };
  replace("{slug}", slug);
  replace("{page}", std::to_string(page));
  std::string base = profile.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (path.empty() || path.front() != '/') path = "/" + path;
  return base + path;
}

Result<ListingSet> SelectListings(const config::SiteProfile& profile,
                                  const std::vector<std::string>& genres) {
  ListingSet out;
  std::set<std::string> wanted(genres.begin(), genres.end());
  std::set<std::string> matched;
  for (const config::ListingSpec& l : profile.listings) {
    bool take =
        wanted.empty() || wanted.count(l.slug) || wanted.count(l.parent);
    if (!take) continue;
    out.parent_of[l.slug] = l.parent;
    matched.insert(l.slug);
    matched.insert(l.parent);
  }
  for (const std::string& g : wanted) {
    if (!matched.count(g)) {
      return Status::InvalidArgument("no listing of profile '" + profile.name +
                                     "' has the genre or slug '" + g + "'");
    }
  }
  if (out.parent_of.empty()) {
    return Status::InvalidArgument("profile '" + profile.name +
                                   "' has no listings to crawl");
  }
  return out;
}

Result<CrawlStats> RunCrawl(db::Database& db,
                            const config::SiteProfile& profile,
                            const CrawlOptions& options,
                            const ProgressFn& progress,
                            const CancelFlag* cancel, Clock* clock) {
  Clock& clk = clock != nullptr ? *clock : SystemClock::Get();
  const auto wall_start = std::chrono::steady_clock::now();
  const double cpu_start = CpuSeconds();
  CrawlStats st;

  CRATEDIG_ASSIGN_OR_RETURN(PageParser parser, PageParser::Create(profile));
  CRATEDIG_ASSIGN_OR_RETURN(ListingSet listings,
                            SelectListings(profile, options.genres));
  CRATEDIG_ASSIGN_OR_RETURN(ClientOptions co,
                            ClientOptionsFor(profile, options.seed));
  db::HostsTable hosts(db);
  PoliteClient client(co, clk, &hosts);
  PageWriter writer(db, profile.required, options.full, ListingRanks(profile));

  CRATEDIG_ASSIGN_OR_RETURN(std::unique_ptr<db::WriterLock> lock,
                            db::WriterLock::Acquire(db.path(), "crawl"));
  CRATEDIG_RETURN_IF_ERROR(SeedFrontier(db, profile, options, listings, st));
  if (options.refresh) {
    CRATEDIG_ASSIGN_OR_RETURN(
        st.cancelled, RefreshListings(db, profile, listings, parser, writer,
                                      client, progress, cancel, st));
  }
  FrontierCrawl crawl(db, profile, options, listings, parser, writer, client,
                      progress, st);
  if (!st.cancelled) {
    CRATEDIG_ASSIGN_OR_RETURN(st.cancelled, crawl.Run(cancel));
  }

  CopyClientStats(client.stats(), st);
  st.robots_unavailable = crawl.robots_unavailable();
  db::FrontierTable frontier(db);
  CRATEDIG_ASSIGN_OR_RETURN(auto end_counts, frontier.CountByStatus());
  st.pending_left = end_counts["pending"];
  st.counters["crawl/listing_pages"] = st.listing_pages;
  st.counters["crawl/product_pages"] = st.product_pages;
  st.counters["crawl/releases_from_listing_row"] = st.listing_only;
  st.counters["crawl/new_releases"] = st.new_releases;
  st.elapsed_s = std::chrono::duration<double>(
                     std::chrono::steady_clock::now() - wall_start)
                     .count();
  st.cpu_s = CpuSeconds() - cpu_start;
  return st;
}

}  // namespace cratedig::crawler
