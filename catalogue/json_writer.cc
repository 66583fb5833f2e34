#include "catalogue/json_writer.h"

namespace cratedig::catalogue {

namespace {

std::string Dump(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

nlohmann::ordered_json RowToJson(const RowView& row) {
  const std::vector<Column>& cols = row.columns();
  nlohmann::ordered_json obj = nlohmann::ordered_json::object();
  for (size_t i = 0; i < cols.size(); ++i) {
    nlohmann::ordered_json& v = obj[cols[i].name];
    if (cols[i].type == ValueType::kList) {  // never null: [] when none
      v = row.List(i);
      continue;
    }
    if (row.IsNull(i)) {
      v = nullptr;
      continue;
    }
    switch (cols[i].type) {
      case ValueType::kInt:
        v = row.Int(i);
        break;
      case ValueType::kReal:
        v = row.Real(i);
        break;
      case ValueType::kBool:
        v = row.Int(i) != 0;
        break;
      case ValueType::kText:
        v = row.Text(i);
        break;
      case ValueType::kList:
        break;
    }
  }
  return obj;
}

void JsonLinesWriter::Write(const RowView& row) {
  std::string line = Dump(RowToJson(row));
  line.push_back('\n');
  out_ << line;
}

void JsonArrayWriter::Write(const RowView& row) {
  std::string s = first_ ? "\n" : ",\n";
  first_ = false;
  s += Dump(RowToJson(row));
  out_ << s;
}

}  // namespace cratedig::catalogue
