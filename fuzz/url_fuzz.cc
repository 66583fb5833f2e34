// libFuzzer target: URL parsing, resolution against a base, and the
// off-site check's key (crawler/url.h, on libcurl's CURLU).
// Input: "<base>\n<reference>"; without a newline the whole input is parsed
// alone and resolved against a fixed base.
// Properties: never crash or hang; every URL that parses is http(s) with a
// host and a port in 1..65535 and a path starting with '/'; ToString() of a
// parsed URL parses back to the same URL, so the host key the off-site check
// compares is the host the fetch (which hands ToString() to libcurl)
// contacts; a reference that is a path (not //network or scheme:) keeps the
// base's host key.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "crawler/url.h"

namespace {

using cratedig::crawler::ParseUrl;
using cratedig::crawler::ResolveUrl;
using cratedig::crawler::Url;

void Check(const Url& u) {
  if (u.scheme != "http" && u.scheme != "https") std::abort();
  if (u.host.empty() || u.port < 1 || u.port > 65535) std::abort();
  if (u.path.empty() || u.path[0] != '/') std::abort();
  if (u.path.find('#') != std::string::npos) std::abort();
  auto again = ParseUrl(u.ToString());
  if (!again.ok()) std::abort();
  if (again->HostKey() != u.HostKey() || again->scheme != u.scheme ||
      again->path != u.path) {
    std::abort();
  }
}

// A path-only reference: no scheme, not "//" (after the Trim ResolveUrl
// does, approximated by skipping leading spaces/tabs/newlines).
bool PathOnly(std::string_view ref) {
  size_t i = ref.find_first_not_of(" \t\r\n\f\v");
  if (i == std::string_view::npos) return true;
  ref.remove_prefix(i);
  if (ref.size() >= 2 && (ref[0] == '/' || ref[0] == '\\') &&
      (ref[1] == '/' || ref[1] == '\\')) {
    return false;
  }
  size_t colon = ref.find(':');
  size_t stop = ref.find_first_of("/?#");
  return colon == std::string_view::npos ||
         (stop != std::string_view::npos && stop < colon);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // libcurl takes C strings: NUL bytes are outside the contract.
  if (text.find('\0') != std::string_view::npos) return 0;
  static const Url kBase =
      *ParseUrl("http://127.0.0.1:8080/trance/back-cat/releases/1/?x=1");
  Url base = kBase;
  std::string_view ref = text;
  if (size_t nl = text.find('\n'); nl != std::string_view::npos) {
    auto b = ParseUrl(text.substr(0, nl));
    if (b.ok()) {
      Check(*b);
      base = *b;
    }
    ref = text.substr(nl + 1);
  }
  if (auto u = ParseUrl(ref); u.ok()) Check(*u);
  auto r = ResolveUrl(base, ref);
  if (r.ok()) {
    Check(*r);
    if (PathOnly(ref) && r->HostKey() != base.HostKey()) std::abort();
  }
  return 0;
}
