#include "catalogue/export.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "core/files.h"

namespace cratedig::catalogue {

namespace fs = std::filesystem;

Result<int64_t> WriteRows(db::Database& db, const ExportOptions& options,
                          RowWriter& writer, const ProgressFn& progress,
                          const CancelFlag* cancel) {
  CRATEDIG_ASSIGN_OR_RETURN(std::vector<Column> columns,
                            SelectColumns(options.rows, options.fields));
  Progress p;
  p.stage = "export";
  p.unit = "rows";
  if (progress) {
    CRATEDIG_ASSIGN_OR_RETURN(
        p.total, RowSource::Count(db, options.rows, options.filter));
  }
  CRATEDIG_ASSIGN_OR_RETURN(
      RowSource rows,
      RowSource::Open(db, options.rows, std::move(columns), options.filter));
  writer.Begin(rows.columns());
  int64_t n = 0;
  for (;;) {
    if (cancel != nullptr && cancel->stop()) {
      return Status::Cancelled("export stopped after " + std::to_string(n) +
                               " rows");
    }
    CRATEDIG_ASSIGN_OR_RETURN(bool more, rows.Next());
    if (!more) break;
    writer.Write(rows);
    ++n;
    if (progress && options.progress_every > 0 &&
        n % options.progress_every == 0) {
      p.done = n;
      Report(progress, p);
    }
  }
  writer.End();
  p.done = n;
  Report(progress, p);
  return n;
}

Result<ExportStats> RunExport(const std::string& db_path,
                              const ExportOptions& options,
                              std::ostream& stdout_stream,
                              const ProgressFn& progress,
                              const CancelFlag* cancel) {
  const auto start = std::chrono::steady_clock::now();
  // Checked before anything is written, so a bad flag leaves no file.
  CRATEDIG_RETURN_IF_ERROR(
      SelectColumns(options.rows, options.fields).status());
  if (options.filter.since) {
    CRATEDIG_RETURN_IF_ERROR(CheckIsoDate(*options.filter.since));
  }
  db::DatabaseOptions dbo;
  dbo.read_only = true;
  CRATEDIG_ASSIGN_OR_RETURN(auto db, db::Database::Open(db_path, dbo));
  ExportStats stats;
  if (options.out == "-") {
    std::unique_ptr<RowWriter> w = MakeWriter(options.format, stdout_stream);
    CRATEDIG_ASSIGN_OR_RETURN(stats.rows,
                              WriteRows(*db, options, *w, progress, cancel));
    stdout_stream.flush();
    if (!stdout_stream) return Status::IoError("cannot write to stdout");
  } else {
    const fs::path out = options.out;
    std::error_code ec;
    if (fs::exists(out, ec) && fs::equivalent(out, db_path, ec)) {
      return Status::InvalidArgument("--out " + options.out +
                                     " is the database itself");
    }
    if (out.has_parent_path()) fs::create_directories(out.parent_path(), ec);
    fs::path tmp = out;
    tmp += ".tmp." + std::to_string(::getpid());
    Status st = [&]() -> Status {
      std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
      if (!f) return Status::IoError("cannot create " + tmp.string());
      std::unique_ptr<RowWriter> w = MakeWriter(options.format, f);
      CRATEDIG_ASSIGN_OR_RETURN(stats.rows,
                                WriteRows(*db, options, *w, progress, cancel));
      f.flush();
      if (!f) return Status::IoError("cannot write " + tmp.string());
      stats.bytes = static_cast<int64_t>(f.tellp());
      f.close();
      if (!f) return Status::IoError("cannot close " + tmp.string());
      return CommitTempFile(tmp, out);
    }();
    if (!st.ok()) {
      fs::remove(tmp, ec);
      return st;
    }
  }
  stats.elapsed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  return stats;
}

}  // namespace cratedig::catalogue
