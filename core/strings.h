// The project's one copy of the small ASCII string helpers the parsers
// share (robots.txt, URLs, CSS selectors, store pages, search keys).
// ASCII only on purpose: protocol tokens, host names and selectors are
// ASCII, and locale-dependent case mapping would make parsing differ
// between machines.
#pragma once

#include <string>
#include <string_view>

namespace cratedig {

inline constexpr std::string_view kAsciiSpace = " \t\n\v\f\r";

// `s` with A-Z mapped to a-z; other bytes (UTF-8 included) unchanged.
inline std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// `s` without leading and trailing characters from `chars` (ASCII
// whitespace by default). A view into `s`: keep `s` alive.
inline std::string_view Trim(std::string_view s,
                             std::string_view chars = kAsciiSpace) {
  const size_t first = s.find_first_not_of(chars);
  if (first == std::string_view::npos) return {};
  const size_t last = s.find_last_not_of(chars);
  return s.substr(first, last - first + 1);
}

}  // namespace cratedig
