// Robots: a pure robots.txt parser and matcher (RFC 9309).
//
// - Groups start with one or more `user-agent:` lines; the group(s) whose
//   user-agent equals our product token (case-insensitive) apply, else the
//   `*` group(s), else nothing (all allowed). Several groups for the same
//   agent are merged, as the RFC asks.
// - The rule with the longest matching path pattern wins; on a tie between
//   Allow and Disallow, Allow wins. `*` matches any run of characters and a
//   trailing `$` anchors the end. An empty `Disallow:` is no rule.
// - `/robots.txt` itself is always allowed.
// - `crawl-delay:` (not in the RFC, but widely used) of the chosen group is
//   reported; the politeness layer never goes below it.
// Fetch outcome (RFC 9309 2.3.1): 2xx -> parse; 4xx -> allow all; 5xx,
// 429 or an unreachable host -> disallow all (the crawl does not proceed).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cratedig::crawler {

class RobotsRules {
 public:
  static RobotsRules AllowAll() { return RobotsRules(); }
  static RobotsRules DisallowAll();

  // `path` is the URL's path and query ("/a/b?c=d").
  bool Allowed(std::string_view path) const;
  // Seconds, from the chosen group's Crawl-delay; nullopt when absent.
  std::optional<double> crawl_delay() const { return crawl_delay_; }

 private:
  friend RobotsRules ParseRobots(std::string_view, std::string_view);
  struct Rule {
    bool allow = false;
    std::string pattern;
  };
  std::vector<Rule> rules_;
  std::optional<double> crawl_delay_;
};

// The product token of a User-Agent string: "cratedig/0.1 (+...)" ->
// "cratedig".
std::string ProductToken(std::string_view user_agent);

// Parses robots.txt text for the agent `product_token`. Never fails: lines
// it does not understand are ignored, as the RFC requires.
RobotsRules ParseRobots(std::string_view body, std::string_view product_token);

// The rules implied by fetching /robots.txt: http_status 0 means the host was
// unreachable.
RobotsRules RobotsForFetch(int http_status, std::string_view body,
                           std::string_view product_token);

// Exposed for tests: does `pattern` (with * and $) match a prefix of path?
bool RobotsPatternMatches(std::string_view pattern, std::string_view path);

}  // namespace cratedig::crawler
