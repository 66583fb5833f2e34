// RowView / RowWriter: what a feed writer sees of a row, and the writers'
// shared interface (csv_writer.h, json_writer.h). Writers never hold rows:
// each Write formats the current row straight into the output stream.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "catalogue/columns.h"

namespace cratedig::catalogue {

// One row, read column by column. REQUIRES: i < columns().size(), and the
// accessor matches the column's ValueType (Int for kInt and kBool, Real for
// kReal, Text for kText, List for kList) unless IsNull(i).
class RowView {
 public:
  virtual ~RowView() = default;
  virtual const std::vector<Column>& columns() const = 0;
  virtual bool IsNull(size_t i) const = 0;
  virtual int64_t Int(size_t i) const = 0;
  virtual double Real(size_t i) const = 0;
  virtual std::string Text(size_t i) const = 0;
  virtual std::vector<std::string> List(size_t i) const = 0;  // NULL: empty
};

class RowWriter {
 public:
  virtual ~RowWriter() = default;
  // Once, before the first row (a header, an opening bracket).
  virtual void Begin(const std::vector<Column>& columns) = 0;
  virtual void Write(const RowView& row) = 0;
  // Once, after the last row.
  virtual void End() = 0;
};

enum class Format { kCsv, kJsonLines, kJson };

// "csv" | "jsonl" | "json"; InvalidArgument otherwise.
Result<Format> ParseFormat(const std::string& name);

// The writer of a format, writing to `out` (which must outlive it).
std::unique_ptr<RowWriter> MakeWriter(Format format, std::ostream& out);

}  // namespace cratedig::catalogue
