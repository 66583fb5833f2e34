#include "crawler/crawl.h"

#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "crawler/failure.h"
#include "crawler/page_parser.h"
#include "crawler/polite_client.h"
#include "db/catalogue_tables.h"
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

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

db::ReleaseRecord ToRecord(const ParsedRelease& r) {
  db::ReleaseRecord out;
  out.store_id = r.store_id;
  out.url = r.url;
  out.artist = r.artist;
  out.title = r.title;
  out.label = r.label;
  out.catalogue_number = r.catalogue_number;
  out.release_date = r.release_date;
  out.store_genre = r.store_genre;
  out.parent_genre = r.parent_genre;
  out.missing_fields = Join(r.missing);
  return out;
}

db::TrackRecord ToRecord(const ParsedTrack& t, int64_t release_id) {
  db::TrackRecord out;
  out.release_id = release_id;
  out.store_id = t.store_id;
  out.position = t.position;
  out.artist = t.artist;
  out.title = t.title;
  out.bpm = t.bpm;
  out.duration_s = t.duration_s;
  out.preview_url = t.preview_url;
  out.missing_fields = Join(t.missing);
  return out;
}

// Writes one page's records, its new frontier URLs and its done mark.
class PageWriter {
 public:
  explicit PageWriter(db::Database& db)
      : db_(db), frontier_(db), releases_(db), tracks_(db) {}

  // Listing: the listing is authoritative for release fields; track fields
  // only fill what a product page has not already given.
  Result<int64_t> WriteListing(const db::FrontierEntry& e, int http_status,
                               const ListingPage& page, CrawlStats& st) {
    int64_t added = 0;
    Status s = db_.InTransaction([&]() -> Status {
      std::vector<db::ReleaseRecord> rels;
      for (const ParsedRelease& r : page.releases) rels.push_back(ToRecord(r));
      CRATEDIG_ASSIGN_OR_RETURN(std::vector<int64_t> ids,
                                releases_.MergeMany(rels, true));
      std::vector<db::TrackRecord> tracks;
      for (size_t i = 0; i < page.releases.size(); ++i) {
        for (const ParsedTrack& t : page.releases[i].tracks) {
          tracks.push_back(ToRecord(t, ids[i]));
        }
      }
      CRATEDIG_RETURN_IF_ERROR(tracks_.MergeMany(tracks, false));
      for (const ParsedRelease& r : page.releases) {
        CRATEDIG_ASSIGN_OR_RETURN(bool is_new,
                                  frontier_.Add(r.url, "product", e.context));
        added += is_new;
      }
      if (page.next_url) {
        CRATEDIG_ASSIGN_OR_RETURN(
            bool is_new, frontier_.Add(*page.next_url, "listing", e.context));
        added += is_new;
      }
      CRATEDIG_RETURN_IF_ERROR(frontier_.MarkDone(e.id, http_status));
      // Counted only once committed; a track is often on both the listing
      // and its product page, which must not count it twice.
      for (const db::TrackRecord& t : tracks) tracks_seen_.insert(t.store_id);
      for (const ParsedRelease& r : page.releases) {
        releases_seen_.insert(r.store_id);
      }
      return Status::Ok();
    });
    if (!s.ok()) return s;
    st.tracks = static_cast<int64_t>(tracks_seen_.size());
    st.releases = static_cast<int64_t>(releases_seen_.size());
    return added;
  }

  // Product: its track fields win; its release fields only fill gaps.
  Status WriteProduct(const db::FrontierEntry& e, int http_status,
                      const ProductPage& page, const std::string& parent,
                      CrawlStats& st) {
    return db_.InTransaction([&]() -> Status {
      if (!page.release.store_id.empty()) {
        db::ReleaseRecord rel = ToRecord(page.release);
        if (!rel.store_genre && !parent.empty()) rel.parent_genre = parent;
        CRATEDIG_ASSIGN_OR_RETURN(std::vector<int64_t> ids,
                                  releases_.MergeMany({rel}, false));
        std::vector<db::TrackRecord> tracks;
        for (const ParsedTrack& t : page.release.tracks) {
          tracks.push_back(ToRecord(t, ids[0]));
        }
        CRATEDIG_RETURN_IF_ERROR(tracks_.MergeMany(tracks, true));
        for (const db::TrackRecord& t : tracks) {
          tracks_seen_.insert(t.store_id);
        }
        releases_seen_.insert(rel.store_id);
      }
      CRATEDIG_RETURN_IF_ERROR(frontier_.MarkDone(e.id, http_status));
      st.tracks = static_cast<int64_t>(tracks_seen_.size());
      st.releases = static_cast<int64_t>(releases_seen_.size());
      return Status::Ok();
    });
  }

  Status MarkFinal(const db::FrontierEntry& e, db::FrontierStatus status,
                   std::optional<int> http_status, const std::string& error,
                   const std::string& failure, int64_t retry_at) {
    return frontier_.MarkFinal(e.id, status, http_status, error, failure,
                               retry_at);
  }

 private:
  db::Database& db_;
  db::FrontierTable frontier_;
  db::ReleasesTable releases_;
  db::TracksTable tracks_;
  std::set<std::string> tracks_seen_;
  std::set<std::string> releases_seen_;
};

// When a later run may retry a page that has now failed `runs` times for
// a transient reason: base * 2^(runs - 1) seconds from now, capped.
int64_t RerunAt(const config::PolitenessSettings& p, int runs) {
  double wait = p.rerun_backoff_base * std::pow(2.0, std::max(0, runs - 1));
  wait = std::min(wait, p.rerun_backoff_max);
  return db::NowMs() + static_cast<int64_t>(wait * 1000);
}

}  // namespace

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

Result<CrawlStats> RunCrawl(db::Database& db,
                            const config::SiteProfile& profile,
                            const CrawlOptions& options,
                            const CancelFlag* cancel,
                            const ProgressFn& progress, Clock* clock) {
  Clock& clk = clock != nullptr ? *clock : SystemClock::Get();
  const auto wall_start = std::chrono::steady_clock::now();
  const double cpu_start = CpuSeconds();
  CrawlStats st;

  CRATEDIG_ASSIGN_OR_RETURN(PageParser parser, PageParser::Create(profile));
  CRATEDIG_ASSIGN_OR_RETURN(std::set<std::string> allowed,
                            AllowedHostsFor(profile));

  // The listings to walk, and each one's parent genre.
  std::map<std::string, std::string> parent_of;  // slug -> parent
  std::set<std::string> wanted(options.genres.begin(), options.genres.end());
  std::set<std::string> matched;
  for (const config::ListingSpec& l : profile.listings) {
    bool take =
        wanted.empty() || wanted.count(l.slug) || wanted.count(l.parent);
    if (!take) continue;
    parent_of[l.slug] = l.parent;
    matched.insert(l.slug);
    matched.insert(l.parent);
  }
  for (const std::string& g : wanted) {
    if (!matched.count(g)) {
      return Status::InvalidArgument("no listing of profile '" + profile.name +
                                     "' has the genre or slug '" + g + "'");
    }
  }
  if (parent_of.empty()) {
    return Status::InvalidArgument("profile '" + profile.name +
                                   "' has no listings to crawl");
  }

  CRATEDIG_ASSIGN_OR_RETURN(std::unique_ptr<db::WriterLock> lock,
                            db::WriterLock::Acquire(db.path(), "crawl"));

  db::FrontierTable frontier(db);
  db::HostsTable hosts(db);
  CRATEDIG_RETURN_IF_ERROR(db.InTransaction([&]() -> Status {
    CRATEDIG_ASSIGN_OR_RETURN(
        st.requeued,
        frontier.RequeueFailed(db::NowMs(), options.retry_failed,
                               TransientFailureReasons(),
                               profile.politeness.rerun_max_attempts));
    for (const auto& [slug, parent] : parent_of) {
      CRATEDIG_ASSIGN_OR_RETURN(
          bool is_new,
          frontier.Add(ListingUrl(profile, slug, profile.first_page), "listing",
                       slug));
      (void)is_new;
    }
    return Status::Ok();
  }));
  CRATEDIG_ASSIGN_OR_RETURN(auto counts, frontier.CountByStatus());
  int64_t known_total = 0;
  for (const auto& [status, n] : counts) known_total += n;
  int64_t finished_total = known_total - counts["pending"];

  ClientOptions co;
  co.politeness = profile.politeness;
  co.user_agent = profile.user_agent;
  co.accept_encoding = profile.accept_encoding;
  co.allowed_hosts = allowed;
  co.seed = options.seed;
  PoliteClient client(co, clk, &hosts);
  PageWriter writer(db);

  std::map<int64_t, db::FrontierEntry> in_flight;  // by frontier id
  std::set<int64_t> skipped;  // robots.txt unavailable: left pending
  const size_t ahead =
      static_cast<size_t>(std::max(1, options.queue_ahead) *
                          std::max(1, profile.politeness.max_hosts_in_flight));
  int64_t started = 0;
  bool stopping = false;
  bool frontier_exhausted = false;

  for (;;) {
    if (!stopping && cancel != nullptr && cancel->stop()) {
      stopping = true;
      st.cancelled = true;
      for (uint64_t tag : client.DropQueued()) {
        in_flight.erase(static_cast<int64_t>(tag));
      }
    }
    if (!stopping && !frontier_exhausted && in_flight.size() < ahead &&
        (options.max_pages <= 0 || started < options.max_pages)) {
      // Entries of other genres (left by an earlier run with other --genres)
      // may come first; look further only when filtering.
      const int limit =
          static_cast<int>(in_flight.size() + skipped.size() + ahead +
                           (options.genres.empty() ? 0 : 256));
      CRATEDIG_ASSIGN_OR_RETURN(
          std::vector<db::FrontierEntry> ready,
          frontier.Ready(std::numeric_limits<int64_t>::max(), limit));
      size_t fresh = 0;
      for (db::FrontierEntry& e : ready) {
        if (in_flight.count(e.id) || skipped.count(e.id)) continue;
        if (!parent_of.count(e.context)) continue;  // another genre
        ++fresh;
        if (in_flight.size() >= ahead) break;
        if (options.max_pages > 0 && started >= options.max_pages) break;
        ClientRequest req;
        req.tag = static_cast<uint64_t>(e.id);
        req.url = e.url;
        client.Enqueue(req);
        in_flight.emplace(e.id, std::move(e));
        ++started;
      }
      // Nothing new and nothing in flight: only a page in flight can add
      // more, so the frontier is done.
      if (fresh == 0 && in_flight.empty()) frontier_exhausted = true;
    }
    if (in_flight.empty()) break;

    std::vector<ClientResult> results = client.Step(0.25);
    for (ClientResult& r : results) {
      auto it = in_flight.find(static_cast<int64_t>(r.tag));
      if (it == in_flight.end()) continue;
      db::FrontierEntry e = std::move(it->second);
      in_flight.erase(it);
      const std::string& parent = parent_of[e.context];
      if (r.outcome == ClientOutcome::kOk) {
        auto page_url = ParseUrl(r.final_url);
        if (!page_url.ok()) return page_url.status();
        ++st.pages;
        if (e.kind == "listing") {
          ListingPage page = parser.ParseListing(r.body, *page_url, parent);
          if (page.releases.empty() && !page.next_url) ++st.parse_errors;
          st.parse_errors += page.parse_errors;
          st.missing_fields += page.missing_fields;
          CRATEDIG_ASSIGN_OR_RETURN(
              int64_t added, writer.WriteListing(e, r.http_status, page, st));
          known_total += added;
          ++st.listing_pages;
        } else {
          ProductPage page = parser.ParseProduct(r.body, *page_url);
          st.parse_errors += page.parse_errors;
          st.missing_fields += page.missing_fields;
          CRATEDIG_RETURN_IF_ERROR(
              writer.WriteProduct(e, r.http_status, page, parent, st));
          ++st.product_pages;
        }
        ++finished_total;
      } else if (r.outcome == ClientOutcome::kRobotsUnavailable) {
        skipped.insert(e.id);
      } else {
        db::FrontierStatus fs = r.outcome == ClientOutcome::kRobotsForbidden
                                    ? db::FrontierStatus::kForbidden
                                    : db::FrontierStatus::kFailed;
        std::optional<int> hs;
        if (r.http_status != 0) hs = r.http_status;
        const std::string reason = FailureReason(r);
        const int64_t retry_at =
            IsTransientFailure(reason)
                ? RerunAt(profile.politeness, e.attempts + 1)
                : 0;
        CRATEDIG_RETURN_IF_ERROR(writer.MarkFinal(
            e, fs, hs,
            std::string(ClientOutcomeName(r.outcome)) + ": " + r.error, reason,
            retry_at));
        ++st.failed_pages;
        ++finished_total;
      }
    }
    if (!results.empty()) {
      const ClientStats& cs = client.stats();
      Progress p;
      p.stage = "crawl";
      p.unit = "pages";
      p.done = finished_total;
      p.total = known_total;
      p.detail = std::to_string(cs.retries) + " retries, " +
                 std::to_string(cs.http_429) + " x 429";
      Report(progress, p);
    }
  }

  const ClientStats& cs = client.stats();
  st.requests = cs.requests;
  st.bytes = cs.bytes;
  st.retries = cs.retries;
  st.http_429 = cs.http_429;
  st.robots_forbidden = cs.robots_forbidden;
  st.redirects = cs.redirects;
  st.robots_unavailable = static_cast<int64_t>(skipped.size());
  CRATEDIG_ASSIGN_OR_RETURN(auto end_counts, frontier.CountByStatus());
  st.pending_left = end_counts["pending"];
  st.elapsed_s = std::chrono::duration<double>(
                     std::chrono::steady_clock::now() - wall_start)
                     .count();
  st.cpu_s = CpuSeconds() - cpu_start;
  return st;
}

}  // namespace cratedig::crawler
