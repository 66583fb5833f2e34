// Export: the catalogue as a feed (`cratedig export`).
//
// One row per track (with its release's fields) or per release, as CSV,
// JSON Lines or a JSON array, streamed from SQLite to the output (memory
// stays flat for any catalogue size). The database is opened read-only and
// never created or migrated. A file output is written atomically: to
// "<out>.tmp.<pid>" then renamed, so a reader (or a crash, or Ctrl-C)
// sees the old file or the whole new one.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "catalogue/columns.h"
#include "catalogue/row_source.h"
#include "catalogue/row_writer.h"
#include "core/progress.h"
#include "core/status.h"

namespace cratedig::catalogue {

struct ExportOptions {
  // Default: CSV.
  Format format = Format::kCsv;
  // A file path, or "-" for `stdout_stream`. Default: "-".
  std::string out = "-";
  // Default: one row per track.
  RowKind rows = RowKind::kTrack;
  // Columns to write, in this order. Default: empty = all (columns.h).
  std::vector<std::string> fields;
  RowFilter filter;
  // Rows between progress reports. Default: 10,000.
  int64_t progress_every = 10000;
};

struct ExportStats {
  int64_t rows = 0;
  int64_t bytes = 0;  // written to a file (0 for "-")
  double elapsed_s = 0;
};

// Writes the rows of `db` with `writer`. Returns the row count; Cancelled
// when `cancel` is set between rows. Progress: stage "export", unit "rows".
Result<int64_t> WriteRows(db::Database& db, const ExportOptions& options,
                          RowWriter& writer, const ProgressFn& progress = {},
                          const CancelFlag* cancel = nullptr);

// Opens `db_path` read-only and exports it to options.out.
Result<ExportStats> RunExport(const std::string& db_path,
                              const ExportOptions& options,
                              std::ostream& stdout_stream,
                              const ProgressFn& progress = {},
                              const CancelFlag* cancel = nullptr);

}  // namespace cratedig::catalogue
