#include "crawler/url.h"

#include <vector>

namespace cratedig::crawler {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ') {
    s.remove_prefix(1);
  }
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ') {
    s.remove_suffix(1);
  }
  return s;
}

// RFC 3986 5.2.4, on the path part only (the query is kept aside).
std::string RemoveDotSegments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  bool trailing_slash = false;
  while (i < path.size()) {
    size_t j = path.find('/', i + 1);
    if (j == std::string_view::npos) j = path.size();
    std::string_view seg = path.substr(i + 1, j - i - 1);  // without '/'
    trailing_slash = false;
    if (seg == ".") {
      trailing_slash = true;
    } else if (seg == "..") {
      if (!out.empty()) out.pop_back();
      trailing_slash = true;
    } else {
      out.push_back(seg);
    }
    i = j;
  }
  std::string res;
  for (std::string_view s : out) {
    res += '/';
    res += s;
  }
  if (trailing_slash || res.empty()) res += '/';
  return res;
}

}  // namespace

std::string Url::Origin() const {
  bool default_port =
      (scheme == "http" && port == 80) || (scheme == "https" && port == 443);
  return scheme + "://" + host +
         (default_port ? "" : ":" + std::to_string(port));
}

std::string Url::HostKey() const { return host + ":" + std::to_string(port); }

Result<Url> ParseUrl(std::string_view text) {
  text = Trim(text);
  size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Status::InvalidArgument("not an absolute URL: " + std::string(text));
  }
  Url u;
  u.scheme = Lower(text.substr(0, colon));
  if (u.scheme != "http" && u.scheme != "https") {
    return Status::Forbidden("only http and https URLs are fetched, not " +
                             std::string(text));
  }
  if (text.substr(colon, 3) != "://") {
    return Status::InvalidArgument("not an absolute URL: " + std::string(text));
  }
  std::string_view rest = text.substr(colon + 3);
  size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  if (authority.find('@') != std::string_view::npos) {
    return Status::InvalidArgument("URLs with credentials are refused: " +
                                   std::string(text));
  }
  u.port = u.scheme == "https" ? 443 : 80;
  std::string_view host = authority;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return Status::InvalidArgument("bad host in URL: " + std::string(text));
    }
    host = authority.substr(0, close + 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return Status::InvalidArgument("bad host in URL: " + std::string(text));
      }
      authority = after;
    } else {
      authority = {};
    }
  } else {
    size_t pc = authority.rfind(':');
    if (pc != std::string_view::npos) {
      host = authority.substr(0, pc);
      authority = authority.substr(pc);
    } else {
      authority = {};
    }
  }
  if (!authority.empty()) {  // ":port"
    std::string_view digits = authority.substr(1);
    if (!digits.empty()) {
      int port = 0;
      for (char c : digits) {
        if (c < '0' || c > '9' || port > 65535) {
          return Status::InvalidArgument("bad port in URL: " +
                                         std::string(text));
        }
        port = port * 10 + (c - '0');
      }
      if (port <= 0 || port > 65535) {
        return Status::InvalidArgument("bad port in URL: " + std::string(text));
      }
      u.port = port;
    }
  }
  if (host.empty()) {
    return Status::InvalidArgument("no host in URL: " + std::string(text));
  }
  u.host = Lower(host);
  size_t hash = rest.find('#');
  if (hash != std::string_view::npos) rest = rest.substr(0, hash);
  size_t q = rest.find('?');
  std::string_view path = rest.substr(0, q);
  std::string_view query =
      q == std::string_view::npos ? std::string_view() : rest.substr(q);
  u.path = RemoveDotSegments(path.empty() ? "/" : path) + std::string(query);
  return u;
}

Result<Url> ResolveUrl(const Url& base, std::string_view ref) {
  ref = Trim(ref);
  size_t hash = ref.find('#');
  if (hash != std::string_view::npos) ref = ref.substr(0, hash);
  // A scheme: letters, digits, + - . before the first ':' and before / ? .
  size_t colon = ref.find(':');
  size_t first_delim = ref.find_first_of("/?");
  if (colon != std::string_view::npos && colon > 0 &&
      (first_delim == std::string_view::npos || colon < first_delim)) {
    return ParseUrl(ref);
  }
  if (ref.substr(0, 2) == "//") {
    return ParseUrl(base.scheme + ":" + std::string(ref));
  }
  std::string origin = base.Origin();
  if (ref.empty()) return ParseUrl(origin + base.path);
  if (ref.front() == '/') return ParseUrl(origin + std::string(ref));
  std::string base_path = base.path.substr(0, base.path.find('?'));
  if (ref.front() == '?')
    return ParseUrl(origin + base_path + std::string(ref));
  size_t slash = base_path.rfind('/');
  std::string dir = base_path.substr(0, slash + 1);
  return ParseUrl(origin + dir + std::string(ref));
}

}  // namespace cratedig::crawler
