// Database: the one SQLite file every stage reads and writes.
//
// Contract: opening runs any pending migrations (PRAGMA user_version), turns
// on WAL and foreign keys, and sets a busy timeout so a second process (a
// `status` while a crawl runs) waits instead of failing. SQL lives only in
// db/: the *_table.h classes are the typed access layer the rest of
// cratedig uses, and every value reaches SQLite through a bound parameter.
// A Database is used from one thread at a time (open one per thread).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/status.h"

namespace cratedig::db {

// How a command opens the database.
enum class OpenMode {
  // Read-write; a missing file is created and migrated (crawl).
  kCreate,
  // Read-write; a missing file is NotFound, never created (a typo in --db
  // must not start an empty database).
  kExisting,
  // Never writes, never creates: status, recommend, serve, stats. Works on
  // a read-only filesystem (SQLite's immutable mode when even the WAL index
  // cannot be created). An older schema is migrated only when the file is
  // writable; otherwise it is an error saying so.
  kReadOnly,
};

struct DatabaseOptions {
  // Default: kCreate.
  OpenMode mode = OpenMode::kCreate;
  // Migrate up to this version. Default: -1, the latest. Tests use lower
  // values to build an old database.
  int target_version = -1;
  // How long a write waits for another writer. Default: 10 s.
  int busy_timeout_ms = 10000;
  // Open an existing database for reading only: never created, never
  // migrated, no write of any kind (exports, reports). A database older than
  // this cratedig is accepted as is (readers check the tables they need with
  // Database::HasTable); a newer one, an empty file or a missing one is an
  // error. Default: false.
  bool read_only = false;
};

// A prepared statement. Bind indexes are 1-based, as in SQLite.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(Statement&& o) noexcept : db_(o.db_), stmt_(o.stmt_) {
    o.stmt_ = nullptr;
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& Bind(int i, int64_t v);
  Statement& Bind(int i, int v) { return Bind(i, static_cast<int64_t>(v)); }
  Statement& Bind(int i, double v);
  Statement& Bind(int i, std::string_view v);
  Statement& Bind(int i, const std::string& v) {
    return Bind(i, std::string_view(v));
  }
  Statement& Bind(int i, const char* v) { return Bind(i, std::string_view(v)); }
  Statement& BindBlob(int i, const void* data, size_t bytes);
  Statement& BindNull(int i);
  template <typename T>
  Statement& Bind(int i, const std::optional<T>& v) {
    return v ? Bind(i, *v) : BindNull(i);
  }
  // Binds arguments to parameters 1..N in order.
  template <typename... Args>
  Statement& BindAll(const Args&... args) {
    int i = 0;
    (Bind(++i, args), ...);
    return *this;
  }

  // Steps once. Returns true when a row is available, false when done.
  Result<bool> Step();
  // Steps to completion; for statements that return no rows.
  Status Run();
  // The one row of a lookup: steps once and reads the row with
  // `read(*this)`; nullopt when the statement returns no row.
  template <typename Read>
  auto One(Read read)
      -> Result<std::optional<std::decay_t<decltype(read(*this))>>> {
    auto row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return std::optional<std::decay_t<decltype(read(*this))>>();
    return std::optional<std::decay_t<decltype(read(*this))>>(read(*this));
  }
  // Every row: steps to the end, reading each row with `read(*this)`.
  template <typename Read>
  auto All(Read read)
      -> Result<std::vector<std::decay_t<decltype(read(*this))>>> {
    std::vector<std::decay_t<decltype(read(*this))>> out;
    for (;;) {
      auto row = Step();
      if (!row.ok()) return row.status();
      if (!*row) return out;
      out.push_back(read(*this));
    }
  }
  void Reset();

  bool IsNull(int col) const;
  int64_t Int(int col) const;
  double Double(int col) const;
  std::string Text(int col) const;
  std::optional<std::string> OptText(int col) const;
  std::optional<double> OptDouble(int col) const;
  std::optional<int64_t> OptInt(int col) const;
  std::vector<uint8_t> Blob(int col) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  Status bind_error_;
};

class Database {
 public:
  // Opens as options.mode says and migrates. Errors name the path.
  static Result<std::unique_ptr<Database>> Open(const std::string& path,
                                                DatabaseOptions options = {});
  ~Database();

  Result<Statement> Prepare(std::string_view sql);
  // Runs a parameterless "SELECT key, COUNT(*) ... GROUP BY 1" and returns
  // key -> count (a NULL key reads as ""). Internal to db/: the tables'
  // per-genre, per-status and per-reason counts.
  Result<std::map<std::string, int64_t>> CountGroups(std::string_view sql);
  // Runs SQL without parameters (schema, pragmas). Internal to db/.
  Status Exec(std::string_view sql);

  // Runs `fn` inside BEGIN IMMEDIATE ... COMMIT; rolls back when fn returns
  // a non-ok Status (which is returned). Nested calls join the outer one.
  Status InTransaction(const std::function<Status()>& fn);

  int UserVersion();
  // True when the schema has a table of this name (readers of databases
  // older than the latest schema).
  Result<bool> HasTable(std::string_view name);
  bool read_only() const { return read_only_; }
  int64_t LastInsertId() const;
  int Changes() const;
  const std::string& path() const { return path_; }
  sqlite3* handle() { return db_; }

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  // Read-only open; null (no error) when the schema needs a migration and
  // the file is writable.
  static Result<std::unique_ptr<Database>> OpenReadOnly(
      const std::string& path, const DatabaseOptions& options);
  sqlite3* db_;
  std::string path_;
  bool read_only_ = false;
  int tx_depth_ = 0;
};

// The schema version a fully migrated database has.
int LatestSchemaVersion();

// Milliseconds since the Unix epoch, the time unit of every *_at column.
int64_t NowMs();

}  // namespace cratedig::db
