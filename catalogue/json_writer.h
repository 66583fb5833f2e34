// JSON feed writers (nlohmann::ordered_json, keys in column order).
// JsonLinesWriter: one object per line, '\n'-terminated, UTF-8 (bytes that
// are not valid UTF-8 become U+FFFD rather than failing the export).
// JsonArrayWriter: the same objects as one JSON array, an element per line.
// NULL is null, kBool true/false, kList an array of strings ([] when
// there are none, never null).
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>

#include "catalogue/row_writer.h"

namespace cratedig::catalogue {

// The row as an object, keys in column order.
nlohmann::ordered_json RowToJson(const RowView& row);

class JsonLinesWriter : public RowWriter {
 public:
  explicit JsonLinesWriter(std::ostream& out) : out_(out) {}
  void Begin(const std::vector<Column>&) override {}
  void Write(const RowView& row) override;
  void End() override {}

 private:
  std::ostream& out_;
};

class JsonArrayWriter : public RowWriter {
 public:
  explicit JsonArrayWriter(std::ostream& out) : out_(out) {}
  void Begin(const std::vector<Column>&) override { out_ << "["; }
  void Write(const RowView& row) override;
  void End() override { out_ << (first_ ? "]\n" : "\n]\n"); }

 private:
  std::ostream& out_;
  bool first_ = true;
};

}  // namespace cratedig::catalogue
