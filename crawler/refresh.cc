#include "crawler/refresh.h"

#include <map>

#include "crawler/fetch_loop.h"
#include "db/crawl_tables.h"
#include "db/refresh_tables.h"

namespace cratedig::crawler {

namespace {

// One listing's walk.
struct Walk {
  std::string slug, parent;
  std::string next_url;  // "" when the walk is over
  bool in_flight = false;
  int64_t pages = 0;
  int64_t new_releases = 0;
};

class Refresher {
 public:
  Refresher(db::Database& db, const config::SiteProfile& profile,
            const ListingSet& listings, const PageParser& parser,
            PageWriter& writer, PoliteClient& client,
            const ProgressFn& progress, CrawlStats& st)
      : frontier_(db),
        validators_(db),
        refreshes_(db),
        profile_(profile),
        parser_(parser),
        writer_(writer),
        client_(client),
        progress_(progress),
        st_(st) {
    for (const auto& [slug, parent] : listings.parent_of) {
      walks_.push_back(
          {slug, parent, ListingUrl(profile, slug, profile.first_page)});
    }
  }

  Result<bool> Run(const CancelFlag* cancel) {
    FetchLoopHooks hooks;
    hooks.refill = [this](size_t room) { return Refill(room); };
    hooks.on_result = [this](ClientResult& r) { return OnResult(r); };
    hooks.on_dropped = [this](uint64_t tag) { walks_[tag].next_url.clear(); };
    const size_t ahead =
        RequestsAhead(2, profile_.politeness.max_hosts_in_flight);
    return RunFetchLoop(client_, ahead, cancel, hooks);
  }

 private:
  Result<std::vector<ClientRequest>> Refill(size_t room) {
    std::vector<ClientRequest> out;
    for (size_t i = 0; i < walks_.size() && out.size() < room; ++i) {
      Walk& w = walks_[i];
      if (w.in_flight || w.next_url.empty()) continue;
      ClientRequest req;
      req.tag = i;
      req.url = w.next_url;
      CRATEDIG_RETURN_IF_ERROR(AddValidators(validators_, req));
      w.in_flight = true;
      out.push_back(std::move(req));
    }
    return out;
  }

  Status OnResult(ClientResult& r) {
    Walk& w = walks_[r.tag];
    w.in_flight = false;
    w.next_url.clear();  // set again below when the walk goes on
    ++w.pages;
    if (r.outcome == ClientOutcome::kOk) {
      CRATEDIG_RETURN_IF_ERROR(OnPage(w, r));
    } else if (r.outcome == ClientOutcome::kNotModified) {
      ++st_.counters["refresh/not_modified"];
    } else {
      // The frontier phase and the next refresh try again.
      ++st_.counters[std::string("refresh/failed/") +
                     ClientOutcomeName(r.outcome)];
    }
    if (w.next_url.empty()) CRATEDIG_RETURN_IF_ERROR(Finish(w, r));
    Progress p;
    p.stage = "refresh";
    p.unit = "listings";
    p.done = done_;
    p.total = static_cast<int64_t>(walks_.size());
    p.detail = std::to_string(st_.new_releases) + " new releases";
    p.eta_s = PoliteEta(p.total - p.done, profile_.politeness,
                        client_.stats().requests, client_.elapsed_s());
    Report(progress_, p);
    return Status::Ok();
  }

  Status OnPage(Walk& w, const ClientResult& r) {
    CRATEDIG_ASSIGN_OR_RETURN(Url page_url, ParseUrl(r.final_url));
    ListingPage page = parser_.ParseListing(r.body, page_url, w.parent);
    st_.parse_errors += page.parse_errors;
    st_.missing_fields += page.missing_fields;
    // The page's own frontier entry carries its done mark and validators.
    CRATEDIG_ASSIGN_OR_RETURN(
        bool added, frontier_.Add(r.url, db::PageKind::kListing, w.slug));
    (void)added;
    CRATEDIG_ASSIGN_OR_RETURN(auto entry, frontier_.Get(r.url));
    if (!entry) return Status::Internal("frontier lost " + r.url);
    CRATEDIG_ASSIGN_OR_RETURN(ListingWrite lw,
                              writer_.WriteListing(*entry, r, page, false));
    AddListingWrite(lw, writer_, st_);
    ++st_.pages;
    ++st_.listing_pages;
    w.new_releases += lw.new_releases;
    // Newest first: a page of known releases means the rest are known too.
    if (lw.new_releases > 0 && page.next_url) w.next_url = *page.next_url;
    return Status::Ok();
  }

  Status Finish(const Walk& w, const ClientResult& last) {
    ++done_;
    if (last.outcome != ClientOutcome::kOk &&
        last.outcome != ClientOutcome::kNotModified) {
      return Status::Ok();  // not refreshed
    }
    ++st_.refreshed_listings;
    db::ListingRefreshRecord rec;
    rec.slug = w.slug;
    rec.refreshed_at = db::NowMs();
    rec.pages = w.pages;
    rec.new_releases = w.new_releases;
    return refreshes_.Put(rec);
  }

  db::FrontierTable frontier_;
  db::ValidatorsTable validators_;
  db::ListingRefreshTable refreshes_;
  const config::SiteProfile& profile_;
  const PageParser& parser_;
  PageWriter& writer_;
  PoliteClient& client_;
  const ProgressFn& progress_;
  CrawlStats& st_;
  std::vector<Walk> walks_;
  int64_t done_ = 0;
};

}  // namespace

Result<bool> RefreshListings(db::Database& db,
                             const config::SiteProfile& profile,
                             const ListingSet& listings,
                             const PageParser& parser, PageWriter& writer,
                             PoliteClient& client, const ProgressFn& progress,
                             const CancelFlag* cancel, CrawlStats& st) {
  Refresher r(db, profile, listings, parser, writer, client, progress, st);
  return r.Run(cancel);
}

}  // namespace cratedig::crawler
