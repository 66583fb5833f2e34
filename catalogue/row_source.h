// RowSource: the catalogue's rows, streamed from one SQLite statement.
//
// Memory stays flat whatever the catalogue's size: rows are read one at a
// time as the statement steps (ordered by id, which is the primary key, so
// SQLite walks the table without sorting), and nothing is collected.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "catalogue/columns.h"
#include "catalogue/row_writer.h"
#include "core/status.h"
#include "db/database.h"

namespace cratedig::catalogue {

struct RowFilter {
  // Keep rows whose release has one of these as parent genre, store genre
  // or listing slug (any of its listings). Default: empty = all.
  std::vector<std::string> genres;
  // Keep releases dated on or after this yyyy-mm-dd (undated ones are left
  // out). Default: none.
  std::optional<std::string> since;
};

// "2023-01-31" -> Ok; anything else -> InvalidArgument.
Status CheckIsoDate(const std::string& s);

class RowSource : public RowView {
 public:
  // `db` must outlive the source. Rows come in id order.
  static Result<RowSource> Open(db::Database& db, RowKind kind,
                                std::vector<Column> columns,
                                const RowFilter& filter);
  // How many rows Open's query yields (one extra pass; for progress).
  static Result<int64_t> Count(db::Database& db, RowKind kind,
                               const RowFilter& filter);

  // Steps to the next row; false at the end.
  Result<bool> Next() { return stmt_.Step(); }

  // RowView of the current row.
  const std::vector<Column>& columns() const override { return columns_; }
  bool IsNull(size_t i) const override {
    return stmt_.IsNull(static_cast<int>(i));
  }
  int64_t Int(size_t i) const override {
    return stmt_.Int(static_cast<int>(i));
  }
  double Real(size_t i) const override {
    return stmt_.Double(static_cast<int>(i));
  }
  std::string Text(size_t i) const override {
    return stmt_.Text(static_cast<int>(i));
  }
  std::vector<std::string> List(size_t i) const override;

 private:
  RowSource(db::Statement stmt, std::vector<Column> columns)
      : stmt_(std::move(stmt)), columns_(std::move(columns)) {}
  db::Statement stmt_;
  std::vector<Column> columns_;
};

}  // namespace cratedig::catalogue
