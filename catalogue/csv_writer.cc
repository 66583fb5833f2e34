#include "catalogue/csv_writer.h"

#include <fmt/format.h>

namespace cratedig::catalogue {

void AppendCsvField(std::string_view s, std::string& out) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(s);
    return;
  }
  out.push_back('"');
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

void CsvWriter::Begin(const std::vector<Column>& columns) {
  std::string line;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i) line.push_back(',');
    AppendCsvField(columns[i].name, line);
  }
  line += "\r\n";
  out_ << line;
}

void CsvWriter::Write(const RowView& row) {
  const std::vector<Column>& cols = row.columns();
  std::string line;
  for (size_t i = 0; i < cols.size(); ++i) {
    if (i) line.push_back(',');
    if (row.IsNull(i)) continue;
    switch (cols[i].type) {
      case ValueType::kInt:
        line += std::to_string(row.Int(i));
        break;
      case ValueType::kReal:
        line += fmt::format("{}", row.Real(i));
        break;
      case ValueType::kBool:
        line += row.Int(i) != 0 ? "true" : "false";
        break;
      case ValueType::kText:
        AppendCsvField(row.Text(i), line);
        break;
      case ValueType::kList: {
        std::string joined;
        for (const std::string& item : row.List(i)) {
          if (!joined.empty()) joined.push_back(kCsvListSeparator);
          joined += item;
        }
        AppendCsvField(joined, line);
        break;
      }
    }
  }
  line += "\r\n";
  out_ << line;
}

}  // namespace cratedig::catalogue
