#include "catalogue/row_source.h"

#include <cstdio>
#include <ctime>

namespace cratedig::catalogue {

namespace {

struct Query {
  std::string sql;
  std::vector<std::string> params;
};

std::string Placeholders(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += i ? ", ?" : "?";
  return s;
}

// FROM and WHERE of a row kind; values go to params, in order.
Query FromWhere(RowKind kind, const RowFilter& f, bool has_listings) {
  Query q;
  q.sql = kind == RowKind::kTrack
              ? " FROM tracks t JOIN releases r ON r.id = t.release_id LEFT "
                "JOIN previews p ON p.track_id = t.id"
              : " FROM releases r";
  std::vector<std::string> where;
  if (!f.genres.empty()) {
    const std::string in = " IN (" + Placeholders(f.genres.size()) + ")";
    std::string w = "(r.parent_genre" + in + " OR r.store_genre" + in;
    int lists = 2;
    if (has_listings) {
      w += " OR EXISTS (SELECT 1 FROM release_listings rl WHERE "
           "rl.release_id = r.id AND (rl.listing" +
           in + " OR rl.store_genre" + in + " OR rl.parent_genre" + in + "))";
      lists += 3;
    }
    w += ")";
    where.push_back(w);
    for (int i = 0; i < lists; ++i) {
      q.params.insert(q.params.end(), f.genres.begin(), f.genres.end());
    }
  }
  if (f.since) {
    where.push_back("r.release_date >= ?");
    q.params.push_back(*f.since);
  }
  for (size_t i = 0; i < where.size(); ++i) {
    q.sql += (i == 0 ? " WHERE " : " AND ") + where[i];
  }
  return q;
}

Result<db::Statement> Prepare(db::Database& db, const Query& q) {
  CRATEDIG_ASSIGN_OR_RETURN(db::Statement st, db.Prepare(q.sql));
  for (size_t i = 0; i < q.params.size(); ++i) {
    st.Bind(static_cast<int>(i + 1), q.params[i]);
  }
  return st;
}

}  // namespace

Status CheckIsoDate(const std::string& s) {
  std::tm tm{};
  const char* end =
      s.size() == 10 ? strptime(s.c_str(), "%Y-%m-%d", &tm) : nullptr;
  if (end == nullptr || *end != '\0') {
    return Status::InvalidArgument("'" + s +
                                   "' is not a date of the form yyyy-mm-dd");
  }
  return Status::Ok();
}

Result<RowSource> RowSource::Open(db::Database& db, RowKind kind,
                                  std::vector<Column> columns,
                                  const RowFilter& filter) {
  if (filter.since) CRATEDIG_RETURN_IF_ERROR(CheckIsoDate(*filter.since));
  if (columns.empty()) return Status::InvalidArgument("no columns to export");
  CRATEDIG_ASSIGN_OR_RETURN(bool has_listings, db.HasTable("release_listings"));
  Query q = FromWhere(kind, filter, has_listings);
  std::string select = "SELECT ";
  for (size_t i = 0; i < columns.size(); ++i) {
    const Column& c = columns[i];
    select += (i ? ", " : "") +
              (c.needs_listings && !has_listings ? std::string("NULL") : c.sql);
  }
  q.sql = select + q.sql +
          (kind == RowKind::kTrack ? " ORDER BY t.id" : " ORDER BY r.id");
  CRATEDIG_ASSIGN_OR_RETURN(db::Statement st, Prepare(db, q));
  return RowSource(std::move(st), std::move(columns));
}

Result<int64_t> RowSource::Count(db::Database& db, RowKind kind,
                                 const RowFilter& filter) {
  CRATEDIG_ASSIGN_OR_RETURN(bool has_listings, db.HasTable("release_listings"));
  Query q = FromWhere(kind, filter, has_listings);
  q.sql = "SELECT COUNT(*)" + q.sql;
  CRATEDIG_ASSIGN_OR_RETURN(db::Statement st, Prepare(db, q));
  CRATEDIG_ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? st.Int(0) : 0;
}

std::vector<std::string> RowSource::List(size_t i) const {
  std::vector<std::string> out;
  if (IsNull(i)) return out;
  const std::string s = Text(i);
  size_t start = 0;
  for (;;) {
    size_t at = s.find('\x1f', start);
    out.push_back(s.substr(start, at - start));
    if (at == std::string::npos) break;
    start = at + 1;
  }
  return out;
}

}  // namespace cratedig::catalogue
