#include "trainer/json_object.h"

#include <fmt/format.h>

#include <cmath>
#include <utility>
#include <vector>

namespace cratedig::trainer {

std::string JsonNumber(double v) {
  if (!std::isfinite(v)) return "null";
  return fmt::format("{}", v);
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += fmt::format("\\u{:04x}", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

namespace {

void SkipSpace(const std::string& s, size_t& i) {
  while (i < s.size() &&
         (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')) {
    ++i;
  }
}

// Moves i past a JSON string starting at s[i] == '"'.
bool SkipString(const std::string& s, size_t& i) {
  ++i;
  while (i < s.size()) {
    if (s[i] == '\\') {
      i += 2;
    } else if (s[i] == '"') {
      ++i;
      return true;
    } else {
      ++i;
    }
  }
  return false;
}

// Moves i past one JSON value (nested objects and arrays by bracket depth).
bool SkipValue(const std::string& s, size_t& i) {
  if (i >= s.size()) return false;
  if (s[i] == '"') return SkipString(s, i);
  if (s[i] == '{' || s[i] == '[') {
    int depth = 0;
    while (i < s.size()) {
      char c = s[i];
      if (c == '"') {
        if (!SkipString(s, i)) return false;
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      if (c == '}' || c == ']') --depth;
      ++i;
      if (depth == 0) return true;
    }
    return false;
  }
  const size_t start = i;
  while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ' ' &&
         s[i] != '\n' && s[i] != '\r' && s[i] != '\t') {
    ++i;
  }
  return i > start;
}

}  // namespace

Result<std::string> SetJsonMember(const std::string& object,
                                  const std::string& key,
                                  const std::string& raw_value) {
  std::vector<std::pair<std::string, std::string>> members;  // raw key, value
  size_t i = 0;
  SkipSpace(object, i);
  if (i < object.size()) {
    auto corrupt = [&] {
      return Status::Corrupt("stored metrics are not a JSON object: " +
                             object.substr(0, 80));
    };
    if (object[i] != '{') return corrupt();
    ++i;
    SkipSpace(object, i);
    if (i < object.size() && object[i] == '}') {
      ++i;
    } else {
      for (;;) {
        SkipSpace(object, i);
        if (i >= object.size() || object[i] != '"') return corrupt();
        size_t k0 = i;
        if (!SkipString(object, i)) return corrupt();
        std::string k = object.substr(k0, i - k0);
        SkipSpace(object, i);
        if (i >= object.size() || object[i] != ':') return corrupt();
        ++i;
        SkipSpace(object, i);
        size_t v0 = i;
        if (!SkipValue(object, i)) return corrupt();
        members.emplace_back(std::move(k), object.substr(v0, i - v0));
        SkipSpace(object, i);
        if (i < object.size() && object[i] == ',') {
          ++i;
          continue;
        }
        if (i < object.size() && object[i] == '}') {
          ++i;
          break;
        }
        return corrupt();
      }
    }
    SkipSpace(object, i);
    if (i != object.size()) return corrupt();
  }
  const std::string qkey = JsonString(key);
  bool replaced = false;
  for (auto& [k, v] : members) {
    if (k == qkey) {
      v = raw_value;
      replaced = true;
    }
  }
  if (!replaced) members.emplace_back(qkey, raw_value);
  std::string out = "{";
  for (size_t m = 0; m < members.size(); ++m) {
    if (m) out += ",";
    out += members[m].first + ":" + members[m].second;
  }
  return out + "}";
}

}  // namespace cratedig::trainer
