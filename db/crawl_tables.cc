#include "db/crawl_tables.h"

namespace cratedig::db {

const char* FrontierStatusName(FrontierStatus s) {
  switch (s) {
    case FrontierStatus::kPending:
      return "pending";
    case FrontierStatus::kDone:
      return "done";
    case FrontierStatus::kFailed:
      return "failed";
    case FrontierStatus::kForbidden:
      return "forbidden";
  }
  return "pending";
}

const char* PageKindName(PageKind k) {
  switch (k) {
    case PageKind::kListing:
      return "listing";
    case PageKind::kProduct:
      return "product";
  }
  return "listing";
}

namespace {

Result<FrontierStatus> ParseFrontierStatus(const std::string& s) {
  for (FrontierStatus v :
       {FrontierStatus::kPending, FrontierStatus::kDone,
        FrontierStatus::kFailed, FrontierStatus::kForbidden}) {
    if (s == FrontierStatusName(v)) return v;
  }
  return Status::Corrupt("frontier: unknown status '" + s +
                         "' (expected pending, done, failed or forbidden)");
}

Result<PageKind> ParsePageKind(const std::string& s) {
  for (PageKind v : {PageKind::kListing, PageKind::kProduct}) {
    if (s == PageKindName(v)) return v;
  }
  return Status::Corrupt("frontier: unknown page kind '" + s +
                         "' (expected listing or product)");
}

constexpr const char* kFrontierCols =
    "id, url, kind, context, status, attempts, next_attempt_at, http_status, "
    "last_error, added_at, finished_at, failure";

Result<FrontierEntry> ReadEntry(const Statement& s) {
  FrontierEntry e;
  e.id = s.Int(0);
  e.url = s.Text(1);
  CRATEDIG_ASSIGN_OR_RETURN(e.kind, ParsePageKind(s.Text(2)));
  e.context = s.Text(3);
  CRATEDIG_ASSIGN_OR_RETURN(e.status, ParseFrontierStatus(s.Text(4)));
  e.attempts = static_cast<int>(s.Int(5));
  e.next_attempt_at = s.Int(6);
  if (auto v = s.OptInt(7)) e.http_status = static_cast<int>(*v);
  e.last_error = s.OptText(8);
  e.added_at = s.Int(9);
  e.finished_at = s.OptInt(10);
  e.failure = s.OptText(11);
  return e;
}

Result<std::vector<FrontierEntry>> ReadEntries(Statement& s) {
  std::vector<FrontierEntry> out;
  for (;;) {
    CRATEDIG_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    CRATEDIG_ASSIGN_OR_RETURN(FrontierEntry e, ReadEntry(s));
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

Status HostsTable::Put(const HostRecord& r) {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("INSERT INTO hosts(origin, robots_status, robots_txt, "
                  "fetched_at) VALUES(?,?,?,?) ON CONFLICT(origin) DO UPDATE "
                  "SET robots_status=excluded.robots_status, "
                  "robots_txt=excluded.robots_txt, "
                  "fetched_at=excluded.fetched_at"));
  s.BindAll(r.origin, r.robots_status, r.robots_txt, r.fetched_at);
  return s.Run();
}

Result<std::optional<HostRecord>> HostsTable::Get(const std::string& origin) {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("SELECT origin, robots_status, robots_txt, fetched_at FROM "
                  "hosts WHERE origin=?"));
  s.Bind(1, origin);
  CRATEDIG_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<HostRecord>();
  HostRecord r;
  r.origin = s.Text(0);
  r.robots_status = static_cast<int>(s.Int(1));
  r.robots_txt = s.OptText(2);
  r.fetched_at = s.Int(3);
  return std::optional<HostRecord>(std::move(r));
}

Result<bool> FrontierTable::Add(const std::string& url, PageKind kind,
                                const std::string& context) {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("INSERT OR IGNORE INTO frontier(url, kind, context, "
                  "added_at) VALUES(?,?,?,?)"));
  s.BindAll(url, PageKindName(kind), context, NowMs());
  CRATEDIG_RETURN_IF_ERROR(s.Run());
  return db_.Changes() > 0;
}

Result<std::optional<FrontierEntry>> FrontierTable::Get(
    const std::string& url) {
  CRATEDIG_ASSIGN_OR_RETURN(Statement s,
                            db_.Prepare(std::string("SELECT ") + kFrontierCols +
                                        " FROM frontier WHERE url=?"));
  s.Bind(1, url);
  CRATEDIG_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<FrontierEntry>();
  CRATEDIG_ASSIGN_OR_RETURN(FrontierEntry e, ReadEntry(s));
  return std::optional<FrontierEntry>(std::move(e));
}

Result<std::vector<FrontierEntry>> FrontierTable::Ready(int64_t now_ms,
                                                        int limit) {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare(std::string("SELECT ") + kFrontierCols +
                  " FROM frontier WHERE status='pending' AND "
                  "next_attempt_at<=? ORDER BY next_attempt_at, id LIMIT ?"));
  s.BindAll(now_ms, limit);
  return ReadEntries(s);
}

Result<std::optional<int64_t>> FrontierTable::NextDue() {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s, db_.Prepare("SELECT MIN(next_attempt_at) FROM frontier "
                               "WHERE status='pending'"));
  CRATEDIG_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<int64_t>();
  return s.OptInt(0);
}

Status FrontierTable::MarkDone(int64_t id, int http_status) {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("UPDATE frontier SET status='done', attempts=attempts+1, "
                  "http_status=?, last_error=NULL, failure=NULL, finished_at=? "
                  "WHERE id=?"));
  s.BindAll(http_status, NowMs(), id);
  return s.Run();
}

Status FrontierTable::MarkRetry(int64_t id, int64_t next_attempt_at,
                                std::optional<int> http_status,
                                const std::string& error) {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("UPDATE frontier SET attempts=attempts+1, "
                  "next_attempt_at=?, http_status=?, last_error=? WHERE id=?"));
  s.BindAll(next_attempt_at, http_status, error, id);
  return s.Run();
}

Status FrontierTable::MarkFinal(int64_t id, FrontierStatus status,
                                std::optional<int> http_status,
                                const std::string& error,
                                const std::string& failure, int64_t retry_at) {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("UPDATE frontier SET status=?, attempts=attempts+1, "
                  "http_status=?, last_error=?, failure=?, next_attempt_at=?, "
                  "finished_at=? WHERE id=?"));
  std::optional<std::string> reason;
  if (!failure.empty()) reason = failure;
  s.BindAll(FrontierStatusName(status), http_status, error, reason, retry_at,
            NowMs(), id);
  return s.Run();
}

Result<int64_t> FrontierTable::RequeueFailed(
    int64_t now_ms, bool all, const std::vector<std::string>& transient,
    int max_attempts) {
  if (all) {
    CRATEDIG_ASSIGN_OR_RETURN(
        Statement s,
        db_.Prepare("UPDATE frontier SET status='pending', next_attempt_at=0 "
                    "WHERE status='failed'"));
    CRATEDIG_RETURN_IF_ERROR(s.Run());
    return static_cast<int64_t>(db_.Changes());
  }
  int64_t n = 0;
  for (const std::string& reason : transient) {
    CRATEDIG_ASSIGN_OR_RETURN(
        Statement s,
        db_.Prepare("UPDATE frontier SET status='pending', next_attempt_at=0 "
                    "WHERE status='failed' AND failure=? AND "
                    "next_attempt_at>0 AND next_attempt_at<=? AND "
                    "attempts<?"));
    s.BindAll(reason, now_ms, max_attempts);
    CRATEDIG_RETURN_IF_ERROR(s.Run());
    n += db_.Changes();
  }
  return n;
}

Result<std::map<std::string, int64_t>> FrontierTable::CountFailuresByReason() {
  return db_.CountGroups(
      "SELECT COALESCE(failure, ''), COUNT(*) FROM frontier "
      "WHERE status IN ('failed','forbidden') GROUP BY 1");
}

Result<std::map<std::string, int64_t>> FrontierTable::CountByStatus() {
  return db_.CountGroups(
      "SELECT status, COUNT(*) FROM frontier GROUP BY status");
}

Result<std::map<FrontierTable::ContextKey, int64_t>>
FrontierTable::CountByContext() {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s, db_.Prepare("SELECT context, kind, status, COUNT(*) FROM "
                               "frontier GROUP BY context, kind, status"));
  std::map<ContextKey, int64_t> out;
  for (;;) {
    CRATEDIG_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    CRATEDIG_ASSIGN_OR_RETURN(PageKind kind, ParsePageKind(s.Text(1)));
    CRATEDIG_ASSIGN_OR_RETURN(FrontierStatus status,
                              ParseFrontierStatus(s.Text(2)));
    out[{s.Text(0), kind, status}] = s.Int(3);
  }
  return out;
}

Result<int64_t> FrontierTable::CountReleasesNotQueued() {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s,
      db_.Prepare("SELECT COUNT(*) FROM releases WHERE url NOT IN (SELECT url "
                  "FROM frontier)"));
  CRATEDIG_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.Int(0) : 0;
}

Result<std::vector<FrontierEntry>> FrontierTable::List(FrontierStatus status) {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement s, db_.Prepare(std::string("SELECT ") + kFrontierCols +
                               " FROM frontier WHERE status=? ORDER BY id"));
  s.Bind(1, FrontierStatusName(status));
  return ReadEntries(s);
}

}  // namespace cratedig::db
