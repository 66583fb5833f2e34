#include "crawler/robots.h"

#include <cstdlib>

#include "core/strings.h"

namespace cratedig::crawler {

namespace {

// Upper-cases the hex digits of %xx escapes so "%2f" and "%2F" compare equal.
std::string NormalizeEscapes(std::string_view s) {
  std::string out(s);
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] != '%') continue;
    for (size_t k = i + 1; k <= i + 2 && k < out.size(); ++k) {
      if (out[k] >= 'a' && out[k] <= 'f') {
        out[k] = static_cast<char>(out[k] - 'a' + 'A');
      }
    }
  }
  return out;
}

}  // namespace

RobotsRules RobotsRules::DisallowAll() {
  RobotsRules r;
  r.rules_.push_back({false, "/"});
  return r;
}

bool RobotsPatternMatches(std::string_view pattern, std::string_view path) {
  bool anchored = !pattern.empty() && pattern.back() == '$';
  if (anchored) pattern.remove_suffix(1);
  // Greedy glob matching with backtracking to the last '*'.
  size_t p = 0, s = 0;
  size_t star = std::string_view::npos, star_s = 0;
  while (true) {
    if (p == pattern.size()) {
      if (!anchored || s == path.size()) return true;
      // Anchored but text left: let the last '*' swallow more.
      if (star == std::string_view::npos) return false;
      p = star + 1;
      s = ++star_s;
      if (s > path.size()) return false;
      continue;
    }
    if (pattern[p] == '*') {
      star = p++;
      star_s = s;
      continue;
    }
    if (s < path.size() && pattern[p] == path[s]) {
      ++p;
      ++s;
      continue;
    }
    if (star == std::string_view::npos) return false;
    p = star + 1;
    s = ++star_s;
    if (s > path.size()) return false;
  }
}

bool RobotsRules::Allowed(std::string_view path) const {
  if (path.empty()) path = "/";
  if (path == "/robots.txt") return true;
  std::string norm = NormalizeEscapes(path);
  int best_len = -1;
  bool best_allow = true;
  for (const Rule& r : rules_) {
    if (!RobotsPatternMatches(r.pattern, norm)) continue;
    int len = static_cast<int>(r.pattern.size());
    if (len > best_len || (len == best_len && r.allow && !best_allow)) {
      best_len = len;
      best_allow = r.allow;
    }
  }
  return best_allow;
}

std::string ProductToken(std::string_view user_agent) {
  size_t end = 0;
  while (end < user_agent.size()) {
    char c = user_agent[end];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
              c == '_';
    if (!ok) break;
    ++end;
  }
  return Lower(user_agent.substr(0, end));
}

RobotsRules ParseRobots(std::string_view body, std::string_view product_token) {
  const std::string me = Lower(product_token);
  struct Group {
    std::vector<std::string> agents;
    std::vector<RobotsRules::Rule> rules;
    std::optional<double> delay;
  };
  std::vector<Group> groups;
  bool in_agents = false;  // the last line was a user-agent line
  size_t pos = 0;
  while (pos <= body.size()) {
    size_t nl = body.find('\n', pos);
    if (nl == std::string_view::npos) nl = body.size();
    std::string_view line = body.substr(pos, nl - pos);
    pos = nl + 1;
    size_t hash = line.find('#');
    if (hash != std::string_view::npos) line = line.substr(0, hash);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string key = Lower(Trim(line.substr(0, colon)));
    std::string_view value = Trim(line.substr(colon + 1));
    if (key == "user-agent") {
      if (!in_agents) groups.emplace_back();
      in_agents = true;
      groups.back().agents.push_back(value == "*" ? std::string("*")
                                                  : ProductToken(value));
      continue;
    }
    if (key == "allow" || key == "disallow") {
      in_agents = false;
      if (groups.empty()) continue;  // rules before any user-agent
      if (value.empty()) continue;   // "Disallow:" allows everything
      groups.back().rules.push_back({key == "allow", NormalizeEscapes(value)});
      continue;
    }
    if (key == "crawl-delay") {
      in_agents = false;
      if (groups.empty()) continue;
      std::string v(value);
      char* end = nullptr;
      double d = std::strtod(v.c_str(), &end);
      if (end != v.c_str() && d >= 0) groups.back().delay = d;
      continue;
    }
    // sitemap and unknown keys do not end a group's agent list in practice,
    // but they are not rules either.
  }
  RobotsRules out;
  bool matched = false;
  for (int pass = 0; pass < 2 && !matched; ++pass) {
    const std::string want = pass == 0 ? me : "*";
    if (want.empty()) continue;
    for (const Group& g : groups) {
      bool hit = false;
      for (const std::string& a : g.agents) hit = hit || a == want;
      if (!hit) continue;
      matched = true;
      out.rules_.insert(out.rules_.end(), g.rules.begin(), g.rules.end());
      if (g.delay && (!out.crawl_delay_ || *g.delay > *out.crawl_delay_)) {
        out.crawl_delay_ = g.delay;
      }
    }
  }
  return out;
}

RobotsRules RobotsForFetch(int http_status, std::string_view body,
                           std::string_view product_token) {
  if (http_status >= 200 && http_status < 300) {
    return ParseRobots(body, product_token);
  }
  if (http_status >= 400 && http_status < 500 && http_status != 429) {
    return RobotsRules::AllowAll();
  }
  return RobotsRules::DisallowAll();
}

}  // namespace cratedig::crawler
