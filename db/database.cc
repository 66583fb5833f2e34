#include "db/database.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "db/migrations.h"

namespace cratedig::db {

Statement::~Statement() {
  if (stmt_) sqlite3_finalize(stmt_);
}

namespace {
Status SqlError(sqlite3* db, const std::string& what) {
  int code = sqlite3_errcode(db);
  std::string msg = what + ": " + sqlite3_errmsg(db);
  if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) {
    return Status::Corrupt(msg);
  }
  return Status::IoError(msg);
}
}  // namespace

Statement& Statement::Bind(int i, int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}
Statement& Statement::Bind(int i, double v) {
  sqlite3_bind_double(stmt_, i, v);
  return *this;
}
Statement& Statement::Bind(int i, std::string_view v) {
  sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()),
                    SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::BindBlob(int i, const void* data, size_t bytes) {
  sqlite3_bind_blob(stmt_, i, data, static_cast<int>(bytes), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::BindNull(int i) {
  sqlite3_bind_null(stmt_, i);
  return *this;
}

Result<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqlError(db_,
                  std::string("sql step failed (") + sqlite3_sql(stmt_) + ")");
}

Status Statement::Run() {
  for (;;) {
    Result<bool> r = Step();
    if (!r.ok()) return r.status();
    if (!*r) return Status::Ok();
  }
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool Statement::IsNull(int c) const {
  return sqlite3_column_type(stmt_, c) == SQLITE_NULL;
}
int64_t Statement::Int(int c) const { return sqlite3_column_int64(stmt_, c); }
double Statement::Double(int c) const {
  return sqlite3_column_double(stmt_, c);
}
std::string Statement::Text(int c) const {
  const unsigned char* t = sqlite3_column_text(stmt_, c);
  if (!t) return {};
  return std::string(reinterpret_cast<const char*>(t),
                     sqlite3_column_bytes(stmt_, c));
}
std::optional<std::string> Statement::OptText(int c) const {
  if (IsNull(c)) return std::nullopt;
  return Text(c);
}
std::optional<double> Statement::OptDouble(int c) const {
  if (IsNull(c)) return std::nullopt;
  return Double(c);
}
std::optional<int64_t> Statement::OptInt(int c) const {
  if (IsNull(c)) return std::nullopt;
  return Int(c);
}
std::vector<uint8_t> Statement::Blob(int c) const {
  const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, c));
  int n = sqlite3_column_bytes(stmt_, c);
  return p ? std::vector<uint8_t>(p, p + n) : std::vector<uint8_t>{};
}

namespace {

// sqlite3_open_v2 with a message that names the path.
Result<sqlite3*> OpenRaw(const std::string& target, const std::string& path,
                         int flags) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(target.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = raw ? sqlite3_errmsg(raw) : "out of memory";
    sqlite3_close(raw);
    return Status::IoError("cannot open database " + path + ": " + msg);
  }
  return raw;
}

// A file: URI for `path` with `query` (percent-encodes what URIs reserve).
std::string FileUri(const std::string& path, const std::string& query) {
  std::string out = "file:";
  for (unsigned char c : path) {
    if (c == '%' || c == '?' || c == '#' || c <= ' ' || c >= 0x7f) {
      static const char* kHex = "0123456789ABCDEF";
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "?" + query;
}

}  // namespace

Result<std::unique_ptr<Database>> Database::Open(const std::string& path,
                                                 DatabaseOptions options) {
  namespace fs = std::filesystem;
  if (options.read_only) options.mode = OpenMode::kReadOnly;
  if (options.mode != OpenMode::kCreate && path != ":memory:") {
    std::error_code ec;
    auto st = fs::status(path, ec);
    if (!fs::exists(st)) {
      return Status::NotFound("no database at " + path +
                              " (check --db; `cratedig crawl` creates one)");
    }
    if (fs::is_directory(st)) {
      return Status::InvalidArgument(path +
                                     " is a directory, not a database file");
    }
  }
  if (options.mode == OpenMode::kReadOnly) {
    auto ro = OpenReadOnly(path, options);
    if (!ro.ok()) return ro.status();
    if (*ro) return std::move(ro).value();
    // An older schema in a writable file: migrate it (below).
  }
  int flags = SQLITE_OPEN_READWRITE;
  if (options.mode == OpenMode::kCreate) flags |= SQLITE_OPEN_CREATE;
  CRATEDIG_ASSIGN_OR_RETURN(sqlite3 * raw, OpenRaw(path, path, flags));
  std::unique_ptr<Database> db(new Database(raw, path));
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  // journal_mode answers with a row, so Exec (which ignores rows) is fine.
  CRATEDIG_RETURN_IF_ERROR(db->Exec("PRAGMA journal_mode=WAL"));
  CRATEDIG_RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys=ON"));
  CRATEDIG_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous=NORMAL"));
  Status st = Migrate(*db, options.target_version);
  if (!st.ok()) {
    return Status(st.code(), "database " + path + ": " + st.message());
  }
  return db;
}

Result<std::unique_ptr<Database>> Database::OpenReadOnly(
    const std::string& path, const DatabaseOptions& options) {
  // mode=ro reads a WAL database as long as its -shm index exists or can be
  // created; on a read-only filesystem without one, only immutable=1 works
  // (safe there: nobody can be writing the file).
  std::unique_ptr<Database> db;
  Status first;
  for (const char* query : {"mode=ro", "immutable=1"}) {
    auto raw = OpenRaw(FileUri(path, query), path,
                       SQLITE_OPEN_READONLY | SQLITE_OPEN_URI);
    if (!raw.ok()) {
      if (first.ok()) first = raw.status();
      continue;
    }
    db.reset(new Database(*raw, path));
    db->read_only_ = true;
    sqlite3_busy_timeout(*raw, options.busy_timeout_ms);
    if (db->UserVersion() >= 0) break;  // readable
    if (first.ok()) {
      first = SqlError(*raw, "cannot read database " + path);
    }
    db.reset();
  }
  if (!db) {
    if (first.ok()) first = Status::IoError("cannot read database " + path);
    return first;
  }
  const int version = db->UserVersion();
  const int latest = LatestSchemaVersion();
  const int target =
      options.target_version < 0 ? latest : options.target_version;
  if (version > latest) {
    return Status::InvalidArgument(
        "database " + path + ": schema version " + std::to_string(version) +
        " is newer than this cratedig understands (" + std::to_string(latest) +
        "); upgrade cratedig");
  }
  if (version == 0 && path != ":memory:") {
    // Not one of ours (or empty): say so rather than "no such table".
    auto tables = db->Prepare("SELECT COUNT(*) FROM sqlite_master");
    auto row = tables.ok() ? tables->Step() : Result<bool>(false);
    if (row.ok() && *row && tables->Int(0) == 0) {
      return Status::NotFound(path +
                              " is an empty file, not a cratedig "
                              "database (check --db)");
    }
  }
  // read_only: never migrated; readers check the tables they need.
  if (version >= target || options.read_only) return db;
  if (::access(path.c_str(), W_OK) != 0) {
    return Status::InvalidArgument(
        "database " + path + " has schema version " + std::to_string(version) +
        ", older than this cratedig's " + std::to_string(target) +
        ", and is read-only here: run a writing command (e.g. `cratedig "
        "crawl`) where it is writable to migrate it");
  }
  return std::unique_ptr<Database>();  // migrate through a writable open
}

Database::~Database() { sqlite3_close_v2(db_); }

Result<std::map<std::string, int64_t>> Database::CountGroups(
    std::string_view sql) {
  CRATEDIG_ASSIGN_OR_RETURN(Statement s, Prepare(sql));
  std::map<std::string, int64_t> out;
  for (;;) {
    CRATEDIG_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out[s.Text(0)] = s.Int(1);
  }
  return out;
}

Result<Statement> Database::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()),
                              &stmt, nullptr);
  if (rc != SQLITE_OK) {
    return SqlError(db_, "cannot prepare (" + std::string(sql) + ")");
  }
  return Statement(db_, stmt);
}

Status Database::Exec(std::string_view sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    if (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB) {
      return Status::Corrupt(path_ + ": " + msg);
    }
    return Status::IoError(path_ + ": " + msg);
  }
  return Status::Ok();
}

Status Database::InTransaction(const std::function<Status()>& fn) {
  if (tx_depth_ > 0) {
    ++tx_depth_;
    Status st = fn();
    --tx_depth_;
    return st;
  }
  CRATEDIG_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  ++tx_depth_;
  Status st = fn();
  --tx_depth_;
  if (!st.ok()) {
    (void)Exec("ROLLBACK");
    return st;
  }
  Status commit = Exec("COMMIT");
  if (!commit.ok()) (void)Exec("ROLLBACK");
  return commit;
}

int Database::UserVersion() {
  auto stmt = Prepare("PRAGMA user_version");
  if (!stmt.ok()) return -1;
  auto row = stmt->Step();
  if (!row.ok() || !*row) return -1;
  return static_cast<int>(stmt->Int(0));
}

Result<bool> Database::HasTable(std::string_view name) {
  CRATEDIG_ASSIGN_OR_RETURN(
      Statement st,
      Prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"));
  st.Bind(1, name);
  return st.Step();
}

int64_t Database::LastInsertId() const {
  return sqlite3_last_insert_rowid(db_);
}
int Database::Changes() const { return sqlite3_changes(db_); }

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace cratedig::db
