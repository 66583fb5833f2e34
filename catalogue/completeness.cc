#include "catalogue/completeness.h"

#include <algorithm>
#include <map>

namespace cratedig::catalogue {

namespace {

// Stored fields: name and the column counted.
struct StoredField {
  const char* name;
  const char* sql;
};
constexpr StoredField kReleaseFields[] = {
    {"artist", "r.artist"},
    {"title", "r.title"},
    {"label", "r.label"},
    {"catalogue_number", "r.catalogue_number"},
    {"release_date", "r.release_date"},
    {"store_genre", "r.store_genre"},
    {"parent_genre", "r.parent_genre"},
};
constexpr StoredField kTrackFields[] = {
    {"artist", "t.artist"},           {"title", "t.title"},
    {"duration_s", "t.duration_s"},   {"bpm", "t.bpm"},
    {"preview_url", "t.preview_url"},
};

template <size_t N>
std::string Counts(const StoredField (&fields)[N]) {
  std::string s = "COUNT(*)";
  for (const StoredField& f : fields)
    s += std::string(", COUNT(") + f.sql + ")";
  return s;
}

template <size_t N>
std::vector<FieldShare> Shares(const db::Statement& st, int first,
                               const StoredField (&fields)[N]) {
  std::vector<FieldShare> out;
  const int64_t total = st.Int(first);
  for (size_t i = 0; i < N; ++i) {
    out.push_back(
        {fields[i].name, st.Int(first + 1 + static_cast<int>(i)), total});
  }
  return out;
}

// `group`: the listing expression, or "''" for all records at once.
Status Stored(db::Database& db, bool per_listing,
              std::map<std::string, StoredCompleteness>& out,
              std::map<std::string, int>& rank) {
  const std::string key = per_listing ? "COALESCE(rl.listing, '(none)')" : "''";
  const std::string join =
      per_listing ? " LEFT JOIN release_listings rl ON rl.release_id = r.id"
                  : "";
  const std::string order =
      per_listing ? ", MIN(COALESCE(rl.rank, 1000000))" : ", 0";
  {
    CRATEDIG_ASSIGN_OR_RETURN(
        db::Statement st,
        db.Prepare("SELECT " + key + order + ", " + Counts(kReleaseFields) +
                   " FROM releases r" + join + " GROUP BY 1"));
    for (;;) {
      CRATEDIG_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      StoredCompleteness& c = out[st.Text(0)];
      c.listing = st.Text(0);
      rank[c.listing] = static_cast<int>(st.Int(1));
      c.releases = st.Int(2);
      c.release_fields = Shares(st, 2, kReleaseFields);
    }
  }
  CRATEDIG_ASSIGN_OR_RETURN(
      db::Statement st,
      db.Prepare("SELECT " + key + ", " + Counts(kTrackFields) +
                 " FROM tracks t JOIN releases r ON r.id = t.release_id" +
                 join + " GROUP BY 1"));
  for (;;) {
    CRATEDIG_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    StoredCompleteness& c = out[st.Text(0)];
    c.listing = st.Text(0);
    c.tracks = st.Int(1);
    c.track_fields = Shares(st, 1, kTrackFields);
  }
  return Status::Ok();
}

// Newest pages of each partition against the earlier ones. The window is
// ceil(n * share) pages, at least one, newest by fetch time (then id).
Status Drift(db::Database& db, bool per_listing, const CompletenessOptions& o,
             std::vector<FieldDrift>& out) {
  const std::string part = per_listing ? "f.context, f.kind" : "f.kind";
  const std::string listing = per_listing ? "p.listing" : "''";
  const std::string sql =
      "WITH pages AS (SELECT f.id, f.context AS listing, f.kind, "
      "ROW_NUMBER() OVER (PARTITION BY " +
      part +
      " ORDER BY COALESCE(f.finished_at, 0) DESC, f.id DESC) AS age, "
      "COUNT(*) OVER (PARTITION BY " +
      part +
      ") AS n FROM frontier f WHERE f.id IN (SELECT page_id FROM "
      "page_fields)), "
      "marked AS (SELECT id, listing, kind, age <= MAX(1, CAST(n * ?1 AS "
      "INTEGER) + (n * ?1 > CAST(n * ?1 AS INTEGER))) AS is_new FROM pages) "
      "SELECT " +
      listing +
      ", p.kind, pf.record, pf.field, "
      "SUM(1 - p.is_new), SUM(p.is_new), "
      "SUM(CASE WHEN p.is_new THEN 0 ELSE pf.present END), "
      "SUM(CASE WHEN p.is_new THEN 0 ELSE pf.total END), "
      "SUM(CASE WHEN p.is_new THEN pf.present ELSE 0 END), "
      "SUM(CASE WHEN p.is_new THEN pf.total ELSE 0 END) "
      "FROM marked p JOIN page_fields pf ON pf.page_id = p.id "
      "GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4";
  CRATEDIG_ASSIGN_OR_RETURN(db::Statement st, db.Prepare(sql));
  st.Bind(1, o.newest_share);
  for (;;) {
    CRATEDIG_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    FieldDrift d;
    d.listing = st.Text(0);
    d.page_kind = st.Text(1);
    d.record = st.Text(2);
    d.field = st.Text(3);
    d.earlier_pages = st.Int(4);
    d.newest_pages = st.Int(5);
    d.earlier = {d.field, st.Int(6), st.Int(7)};
    d.newest = {d.field, st.Int(8), st.Int(9)};
    d.warn = d.earlier.total >= o.min_records &&
             d.newest.total >= o.min_records &&
             d.earlier.share() >= o.present_share &&
             d.newest.share() < d.earlier.share() * o.drop_ratio;
    out.push_back(std::move(d));
  }
  return Status::Ok();
}

}  // namespace

int CompletenessReport::warnings() const {
  int n = 0;
  for (const FieldDrift& d : drift) n += d.warn;
  return n;
}

Result<CompletenessReport> FieldCompleteness(db::Database& db,
                                             const CompletenessOptions& o) {
  if (!(o.newest_share > 0 && o.newest_share <= 1)) {
    return Status::InvalidArgument("newest share must be in (0, 1]");
  }
  CompletenessReport report;
  CRATEDIG_ASSIGN_OR_RETURN(report.has_listings,
                            db.HasTable("release_listings"));
  CRATEDIG_ASSIGN_OR_RETURN(report.has_page_fields, db.HasTable("page_fields"));
  std::map<std::string, StoredCompleteness> all;
  std::map<std::string, int> rank;
  CRATEDIG_RETURN_IF_ERROR(Stored(db, false, all, rank));
  report.all = all[""];
  if (report.has_listings) {
    std::map<std::string, StoredCompleteness> by;
    CRATEDIG_RETURN_IF_ERROR(Stored(db, true, by, rank));
    for (auto& [name, c] : by) report.listings.push_back(std::move(c));
    std::stable_sort(report.listings.begin(), report.listings.end(),
                     [&](const auto& a, const auto& b) {
                       return rank[a.listing] < rank[b.listing];
                     });
  }
  if (report.has_page_fields) {
    CRATEDIG_RETURN_IF_ERROR(Drift(db, true, o, report.drift));
    CRATEDIG_RETURN_IF_ERROR(Drift(db, false, o, report.drift));
  }
  return report;
}

}  // namespace cratedig::catalogue
