#include "config/site_profile.h"

#include <algorithm>
#include <set>

namespace cratedig::config {

const std::vector<std::string>& DefaultParentGenres() {
  static const std::vector<std::string> kGenres = {
      "Breakbeat",     "Dancehall",   "Downtempo",
      "Drum and Bass", "Funky House", "Hip Hop / R&B",
      "Minimal House", "Rock/Indie",  "Trance"};
  return kGenres;
}

void PolitenessSettings::Read(TomlReader& r) {
  r.Read("obey_robots", obey_robots);
  r.Read("delay", delay);
  r.Read("randomize_delay", randomize_delay);
  r.Read("max_retries", max_retries);
  r.Read("backoff_base", backoff_base);
  r.Read("backoff_max", backoff_max);
  r.Read("max_retry_after", max_retry_after);
  r.Read("slowdown_factor", slowdown_factor);
  r.Read("slowdown_decay", slowdown_decay);
  r.Read("slowdown_max", slowdown_max);
  r.Read("connect_timeout", connect_timeout);
  r.Read("timeout", timeout);
  r.Read("max_response_bytes", max_response_bytes);
  r.Read("max_redirects", max_redirects);
  r.Read("max_hosts_in_flight", max_hosts_in_flight);
  r.Read("rerun_backoff_base", rerun_backoff_base);
  r.Read("rerun_backoff_max", rerun_backoff_max);
  r.Read("rerun_max_attempts", rerun_max_attempts);
}

void PolitenessSettings::Validate(TomlReader& r) {
  if (delay < 0) r.Fail("delay", "expected a number >= 0");
  if (max_retries < 0) r.Fail("max_retries", "expected an integer >= 0");
  if (backoff_base < 0) r.Fail("backoff_base", "expected a number >= 0");
  if (slowdown_factor < 1) r.Fail("slowdown_factor", "expected >= 1");
  if (slowdown_decay <= 0 || slowdown_decay > 1) {
    r.Fail("slowdown_decay", "expected a number in (0, 1]");
  }
  if (connect_timeout <= 0) r.Fail("connect_timeout", "expected > 0");
  if (timeout <= 0) r.Fail("timeout", "expected > 0");
  if (max_response_bytes <= 0) r.Fail("max_response_bytes", "expected > 0");
  if (max_redirects < 0 || max_redirects > 20) {
    r.Fail("max_redirects", "expected an integer in 0..20");
  }
  if (max_hosts_in_flight < 1) r.Fail("max_hosts_in_flight", "expected >= 1");
  if (rerun_backoff_base < 0) {
    r.Fail("rerun_backoff_base", "expected a number >= 0");
  }
  if (rerun_backoff_max < rerun_backoff_base) {
    r.Fail("rerun_backoff_max", "expected a number >= rerun_backoff_base");
  }
  if (rerun_max_attempts < 1) {
    r.Fail("rerun_max_attempts", "expected an integer >= 1");
  }
}

void ListingSpec::Read(TomlReader& r) {
  r.Read("slug", slug);
  r.Read("parent", parent);
  if (slug.empty()) r.Fail("slug", "expected a non-empty string");
}

void SelectorSettings::Read(TomlReader& r) {
  r.Read("listing_item", listing_item);
  r.Read("listing_artist", listing_artist);
  r.Read("listing_title", listing_title);
  r.Read("listing_label", listing_label);
  r.Read("listing_info", listing_info);
  r.Read("listing_track", listing_track);
  r.Read("listing_preview", listing_preview);
  r.Read("next_page", next_page);
  r.Read("product_title", product_title);
  r.Read("product_artist", product_artist);
  r.Read("product_label", product_label);
  r.Read("product_meta", product_meta);
  r.Read("product_track", product_track);
  r.Read("product_track_number", product_track_number);
  r.Read("product_track_name", product_track_name);
  r.Read("product_track_artist", product_track_artist);
  r.Read("product_track_duration", product_track_duration);
  r.Read("product_track_bpm", product_track_bpm);
  r.Read("product_preview", product_preview);
}

void SiteProfile::Read(TomlReader& r) {
  parent_genres = DefaultParentGenres();
  r.Read("name", name);
  r.Read("base_url", base_url);
  r.Read("extra_hosts", extra_hosts);
  r.Read("user_agent", user_agent);
  r.Read("accept_encoding", accept_encoding);
  r.Read("listing_path", listing_path);
  r.Read("first_page", first_page);
  r.Read("date_format", date_format);
  r.Read("parent_genres", parent_genres);
  r.Read("required", required);
  r.ReadTableArray("listings", [&](TomlReader& sub) {
    ListingSpec l;
    l.Read(sub);
    listings.push_back(l);
  });
  r.Read("genre_map", genre_map);
  r.ReadTable("selectors", [&](TomlReader& sub) { selectors.Read(sub); });
  r.ReadTable("politeness", [&](TomlReader& sub) {
    politeness.Read(sub);
    politeness.Validate(sub);
  });
}

void SiteProfile::Validate(TomlReader& r) {
  if (base_url.rfind("http://", 0) != 0 && base_url.rfind("https://", 0) != 0) {
    r.Fail("base_url",
           "expected an http:// or https:// URL, got '" + base_url + "'");
  }
  if (user_agent.empty()) r.Fail("user_agent", "expected a non-empty string");
  if (listing_path.find("{slug}") == std::string::npos ||
      listing_path.find("{page}") == std::string::npos) {
    r.Fail("listing_path", "expected a path with {slug} and {page}");
  }
  static const std::set<std::string> kRequirable = {
      "preview_url", "genre", "duration",         "bpm",         "artist",
      "title",       "label", "catalogue_number", "release_date"};
  for (const std::string& f : required) {
    if (!kRequirable.count(f)) {
      r.Fail("required", "unknown field '" + f +
                             "' (expected preview_url, genre, duration, bpm, "
                             "artist, title, label, catalogue_number or "
                             "release_date)");
    }
  }
  std::set<std::string> parents(parent_genres.begin(), parent_genres.end());
  for (const auto& [store, parent] : genre_map) {
    if (!parents.count(parent)) {
      r.Fail("genre_map." + store,
             "expected one of parent_genres, got '" + parent + "'");
    }
  }
  for (size_t i = 0; i < listings.size(); ++i) {
    if (!listings[i].parent.empty() && !parents.count(listings[i].parent)) {
      r.Fail("listings[" + std::to_string(i) + "].parent",
             "expected one of parent_genres, got '" + listings[i].parent + "'");
    }
  }
}

std::string SiteProfile::ToToml() const {
  toml::table t;
  t.insert("name", name);
  t.insert("base_url", base_url);
  toml::array hosts;
  for (const auto& h : extra_hosts) hosts.push_back(h);
  t.insert("extra_hosts", hosts);
  t.insert("user_agent", user_agent);
  t.insert("accept_encoding", accept_encoding);
  t.insert("listing_path", listing_path);
  t.insert("first_page", first_page);
  t.insert("date_format", date_format);
  toml::array parents;
  for (const auto& p : parent_genres) parents.push_back(p);
  t.insert("parent_genres", parents);
  toml::array req;
  for (const auto& f : required) req.push_back(f);
  t.insert("required", req);
  toml::array ls;
  for (const auto& l : listings) {
    ls.push_back(toml::table{{"slug", l.slug}, {"parent", l.parent}});
  }
  t.insert("listings", ls);
  toml::table gm;
  for (const auto& [k, v] : genre_map) gm.insert(k, v);
  t.insert("genre_map", gm);
  const SelectorSettings& s = selectors;
  t.insert("selectors",
           toml::table{{"listing_item", s.listing_item},
                       {"listing_artist", s.listing_artist},
                       {"listing_title", s.listing_title},
                       {"listing_label", s.listing_label},
                       {"listing_info", s.listing_info},
                       {"listing_track", s.listing_track},
                       {"listing_preview", s.listing_preview},
                       {"next_page", s.next_page},
                       {"product_title", s.product_title},
                       {"product_artist", s.product_artist},
                       {"product_label", s.product_label},
                       {"product_meta", s.product_meta},
                       {"product_track", s.product_track},
                       {"product_track_number", s.product_track_number},
                       {"product_track_name", s.product_track_name},
                       {"product_track_artist", s.product_track_artist},
                       {"product_track_duration", s.product_track_duration},
                       {"product_track_bpm", s.product_track_bpm},
                       {"product_preview", s.product_preview}});
  const PolitenessSettings& p = politeness;
  t.insert("politeness",
           toml::table{{"obey_robots", p.obey_robots},
                       {"delay", p.delay},
                       {"randomize_delay", p.randomize_delay},
                       {"max_retries", p.max_retries},
                       {"backoff_base", p.backoff_base},
                       {"backoff_max", p.backoff_max},
                       {"max_retry_after", p.max_retry_after},
                       {"slowdown_factor", p.slowdown_factor},
                       {"slowdown_decay", p.slowdown_decay},
                       {"slowdown_max", p.slowdown_max},
                       {"connect_timeout", p.connect_timeout},
                       {"timeout", p.timeout},
                       {"max_response_bytes", p.max_response_bytes},
                       {"max_redirects", p.max_redirects},
                       {"max_hosts_in_flight", p.max_hosts_in_flight},
                       {"rerun_backoff_base", p.rerun_backoff_base},
                       {"rerun_backoff_max", p.rerun_backoff_max},
                       {"rerun_max_attempts", p.rerun_max_attempts}});
  return ToTomlString(t);
}

}  // namespace cratedig::config
