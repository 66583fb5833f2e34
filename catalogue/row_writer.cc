#include "catalogue/row_writer.h"

#include "catalogue/csv_writer.h"
#include "catalogue/json_writer.h"

namespace cratedig::catalogue {

Result<Format> ParseFormat(const std::string& name) {
  if (name == "csv") return Format::kCsv;
  if (name == "jsonl") return Format::kJsonLines;
  if (name == "json") return Format::kJson;
  return Status::InvalidArgument("unknown format '" + name +
                                 "' (csv, jsonl or json)");
}

std::unique_ptr<RowWriter> MakeWriter(Format format, std::ostream& out) {
  switch (format) {
    case Format::kCsv:
      return std::make_unique<CsvWriter>(out);
    case Format::kJsonLines:
      return std::make_unique<JsonLinesWriter>(out);
    case Format::kJson:
      return std::make_unique<JsonArrayWriter>(out);
  }
  return nullptr;
}

}  // namespace cratedig::catalogue
