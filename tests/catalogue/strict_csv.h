// A strict RFC 4180 reader for tests: it rejects what a lenient reader
// would guess at (a quote inside an unquoted field, text after a closing
// quote, an unterminated quote, a bare LF or CR as a record end, records of
// different lengths), so a writer that breaks the format fails the test.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace cratedig::testing {

using CsvRecords = std::vector<std::vector<std::string>>;

// nullopt with `error` set when the input is not strict RFC 4180.
inline std::optional<CsvRecords> ParseStrictCsv(const std::string& in,
                                                std::string* error) {
  CsvRecords out;
  std::vector<std::string> rec;
  std::string field;
  size_t i = 0;
  auto fail = [&](const std::string& why) {
    *error = why + " at byte " + std::to_string(i);
    return std::nullopt;
  };
  while (i < in.size()) {
    field.clear();
    if (in[i] == '"') {
      ++i;
      for (;;) {
        if (i >= in.size()) return fail("unterminated quoted field");
        if (in[i] == '"') {
          if (i + 1 < in.size() && in[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field.push_back(in[i++]);
      }
      if (i < in.size() && in[i] != ',' && in[i] != '\r') {
        return fail("text after a closing quote");
      }
    } else {
      while (i < in.size() && in[i] != ',' && in[i] != '\r') {
        if (in[i] == '"') return fail("quote in an unquoted field");
        if (in[i] == '\n') return fail("bare LF");
        field.push_back(in[i++]);
      }
    }
    rec.push_back(field);
    if (i >= in.size()) return fail("last record without CRLF");
    if (in[i] == ',') {
      ++i;
      if (i >= in.size()) return fail("input ends after a comma");
      continue;
    }
    // CR must start CRLF.
    if (i + 1 >= in.size() || in[i + 1] != '\n') return fail("bare CR");
    i += 2;
    if (!out.empty() && rec.size() != out.front().size()) {
      return fail("record of " + std::to_string(rec.size()) +
                  " fields, header has " + std::to_string(out.front().size()));
    }
    out.push_back(std::move(rec));
    rec.clear();
  }
  return out;
}

}  // namespace cratedig::testing
