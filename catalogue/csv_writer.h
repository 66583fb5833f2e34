// CsvWriter: RFC 4180 CSV. A header record of the column names, then one
// record per row; records end with CRLF; a field is quoted when it holds a
// comma, a double quote, CR or LF (a quote inside is doubled); bytes are
// written as stored (UTF-8). NULL is an empty field; booleans are
// "true"/"false"; list items are joined with kCsvListSeparator ('|').
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "catalogue/row_writer.h"

namespace cratedig::catalogue {

class CsvWriter : public RowWriter {
 public:
  explicit CsvWriter(std::ostream& out) : out_(out) {}
  void Begin(const std::vector<Column>& columns) override;
  void Write(const RowView& row) override;
  void End() override {}

 private:
  void Field(std::string_view s);
  std::ostream& out_;
};

// Appends `s` to `out` as one RFC 4180 field (quoted only when needed).
void AppendCsvField(std::string_view s, std::string& out);

}  // namespace cratedig::catalogue
