// JSON is nlohmann::ordered_json (Debian's nlohmann-json3-dev): objects keep
// insertion order, so answers read the way they were written. This header
// adds only the few conventions the project relies on, so that every writer
// (the recommender's API answers and CLI output, a model run's metrics
// column, the sample store's catalogue dump) and reader behaves the same.
#pragma once

#include <charconv>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>

#include "core/status.h"

namespace cratedig::json {

using Json = nlohmann::ordered_json;

// Compact text. Never throws: invalid UTF-8 in a string becomes U+FFFD
// (store pages are not always clean) and non-finite numbers become null.
// '<' is written as \u003c so the text can be embedded in a page safely
// ('<' can only occur inside JSON strings, so replacing it in the output is
// exact).
inline std::string Dump(const Json& v) {
  std::string s = v.dump(-1, ' ', false, Json::error_handler_t::replace);
  for (size_t at = s.find('<'); at != std::string::npos; at = s.find('<', at)) {
    s.replace(at, 1, "\\u003c");
  }
  return s;
}

// Strict RFC 8259 parse of a whole document (surrounding whitespace
// allowed, no comments); Corrupt with the parser's message otherwise.
// Never throws: a number too large for a double ("1e309") is an
// out_of_range error in nlohmann, not a parse_error, so every JSON
// exception is caught (found by fuzz/json_fuzz).
inline Result<Json> Parse(std::string_view text) {
  try {
    return Json::parse(text);
  } catch (const Json::exception& e) {
    return Status::Corrupt(std::string("bad JSON: ") + e.what());
  }
}

// A float as the double that prints as its shortest decimal form, so a
// float similarity of 0.906f is written 0.906, not 0.906000018119812.
inline double Shortest(float f) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, f);
  double d = 0;
  std::from_chars(buf, r.ptr, d);
  return d;
}

// Returns `object` (JSON object text; empty means {}) with top-level member
// `key` set to `value`, replacing a member of that name in place and
// keeping the others in order: how each stage adds its part to a model
// run's metrics without touching the others'. Corrupt when `object` is not
// a JSON object.
inline Result<std::string> SetMember(std::string_view object,
                                     const std::string& key, Json value) {
  Json o = Json::object();
  if (object.find_first_not_of(" \t\r\n") != std::string_view::npos) {
    Result<Json> parsed = Parse(object);
    if (!parsed.ok() || !parsed->is_object()) {
      return Status::Corrupt("not a JSON object: " +
                             std::string(object.substr(0, 80)));
    }
    o = std::move(*parsed);
  }
  o[key] = std::move(value);
  return Dump(o);
}

}  // namespace cratedig::json
