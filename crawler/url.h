// Url: the URL handling the crawler needs, on libcurl's URL API: parse an
// absolute http(s) URL, resolve a reference against a base, and compare
// origins. Fragments are dropped; nothing is percent-decoded.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace cratedig::crawler {

struct Url {
  std::string scheme;  // "http" | "https" (lower case)
  std::string host;    // lower case
  int port = 0;        // explicit or the scheme's default (80 / 443)
  std::string path;    // starts with '/', includes "?query" if any

  // "http://host" or "http://host:8080" (default ports omitted).
  std::string Origin() const;
  // "host:port", always with the port: the key of per-host state.
  std::string HostKey() const;
  std::string ToString() const { return Origin() + path; }
};

// Parses an absolute URL. Only http and https are accepted (Forbidden
// otherwise); malformed input is InvalidArgument.
Result<Url> ParseUrl(std::string_view text);

// Resolves `ref` (absolute, //network-path, /absolute-path, ?query or
// relative path) against `base`, removing dot segments. The result is
// checked by ParseUrl, so it is http(s) or an error.
Result<Url> ResolveUrl(const Url& base, std::string_view ref);

}  // namespace cratedig::crawler
