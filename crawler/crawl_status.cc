#include "crawler/crawl_status.h"

#include <map>

#include "crawler/failure.h"
#include "db/crawl_tables.h"

namespace cratedig::crawler {

Result<FrontierSummary> ReadFrontierSummary(db::Database& db) {
  db::FrontierTable frontier(db);
  CRATEDIG_ASSIGN_OR_RETURN(auto counts, frontier.CountByStatus());
  FrontierSummary s;
  s.pending = counts[db::FrontierStatusName(db::FrontierStatus::kPending)];
  s.done = counts[db::FrontierStatusName(db::FrontierStatus::kDone)];
  s.failed = counts[db::FrontierStatusName(db::FrontierStatus::kFailed)];
  s.forbidden = counts[db::FrontierStatusName(db::FrontierStatus::kForbidden)];
  CRATEDIG_ASSIGN_OR_RETURN(auto reasons, frontier.CountFailuresByReason());
  for (const auto& [reason, n] : reasons) {
    s.failures.push_back({reason, n, IsTransientFailure(reason)});
  }
  return s;
}

Result<std::vector<ListingStatusRow>> ReadListingStatus(db::Database& db) {
  db::FrontierTable frontier(db);
  db::ListingRefreshTable refreshes(db);
  CRATEDIG_ASSIGN_OR_RETURN(auto counts, frontier.CountByContext());
  CRATEDIG_ASSIGN_OR_RETURN(auto refreshed, refreshes.List());
  std::map<std::string, ListingStatusRow> rows;
  for (const auto& [key, n] : counts) {
    const auto& [context, kind, status] = key;
    if (kind != db::PageKind::kListing) continue;
    ListingStatusRow& row = rows[context];
    if (status == db::FrontierStatus::kDone) row.pages_done += n;
    if (status == db::FrontierStatus::kPending) row.pages_pending += n;
  }
  for (const auto& r : refreshed) rows[r.slug].last_refresh = r;
  std::vector<ListingStatusRow> out;
  out.reserve(rows.size());
  for (auto& [slug, row] : rows) {
    row.slug = slug;
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace cratedig::crawler
