// The catalogue export's columns: names, types and the SQL behind each.
//
// Column names are a public contract (README.md "Export columns"): scripts
// select them with --fields, so a name is never reused for other content.
// Track rows carry their release's fields; list columns hold every listing
// a release was listed under (db/listing_tables.h has the genre rule).
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace cratedig::catalogue {

enum class RowKind { kTrack, kRelease };

enum class ValueType {
  kInt,   // JSON number; CSV decimal
  kReal,  // JSON number; CSV shortest decimal that round-trips
  kText,  // JSON string (UTF-8); CSV as is
  kBool,  // JSON true/false; CSV "true"/"false"
  kList,  // JSON array of strings; CSV joined with kCsvListSeparator
};

// CSV has no arrays: list values are joined with this, in list order.
inline constexpr char kCsvListSeparator = '|';

struct Column {
  std::string name;
  ValueType type;
  std::string sql;  // an expression over t (tracks), r (releases), p (previews)
  std::string doc;  // one line for --help and README.md
  // Reads release_listings (absent before schema v6: exported as NULL).
  bool needs_listings = false;
};

// Every column of a row kind, in default order.
const std::vector<Column>& Columns(RowKind kind);

// The columns named in `names` (in that order), or all of them when empty.
// InvalidArgument names an unknown or repeated column and lists the valid ones.
Result<std::vector<Column>> SelectColumns(
    RowKind kind, const std::vector<std::string>& names);

}  // namespace cratedig::catalogue
