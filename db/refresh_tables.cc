#include "db/refresh_tables.h"

namespace cratedig::db {

Status ValidatorsTable::Put(const ValidatorRecord& r) {
  if (!r.etag && !r.last_modified) {
    CRATEDIG_ASSIGN_OR_RETURN(
        Statement s, db_.Prepare("DELETE FROM http_validators WHERE url=?"));
    s.Bind(1, r.url);
    return s.Run();
  }
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("INSERT INTO http_validators(url, etag, last_modified, "
                  "fetched_at) VALUES(?,?,?,?) ON CONFLICT(url) DO UPDATE "
                  "SET etag=excluded.etag, "
                  "last_modified=excluded.last_modified, "
                  "fetched_at=excluded.fetched_at"));
  s.BindAll(r.url, r.etag, r.last_modified, r.fetched_at);
  return s.Run();
}

Result<std::optional<ValidatorRecord>> ValidatorsTable::Get(
    const std::string& url) {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("SELECT url, etag, last_modified, fetched_at FROM "
                  "http_validators WHERE url=?"));
  s.Bind(1, url);
  CRATEDIG_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<ValidatorRecord>();
  ValidatorRecord r;
  r.url = s.Text(0);
  r.etag = s.OptText(1);
  r.last_modified = s.OptText(2);
  r.fetched_at = s.Int(3);
  return std::optional<ValidatorRecord>(std::move(r));
}

Result<int64_t> ValidatorsTable::Count() {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s, db_.Prepare("SELECT COUNT(*) FROM http_validators"));
  CRATEDIG_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.Int(0) : 0;
}

Status ListingRefreshTable::Put(const ListingRefreshRecord& r) {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("INSERT INTO listing_refreshes(slug, refreshed_at, pages, "
                  "new_releases) VALUES(?,?,?,?) ON CONFLICT(slug) DO UPDATE "
                  "SET refreshed_at=excluded.refreshed_at, "
                  "pages=excluded.pages, new_releases=excluded.new_releases"));
  s.BindAll(r.slug, r.refreshed_at, r.pages, r.new_releases);
  return s.Run();
}

Result<std::vector<ListingRefreshRecord>> ListingRefreshTable::List() {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("SELECT slug, refreshed_at, pages, new_releases FROM "
                  "listing_refreshes ORDER BY slug"));
  std::vector<ListingRefreshRecord> out;
  for (;;) {
    CRATEDIG_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    ListingRefreshRecord r;
    r.slug = s.Text(0);
    r.refreshed_at = s.Int(1);
    r.pages = s.Int(2);
    r.new_releases = s.Int(3);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace cratedig::db
