// SiteProfile: everything cratedig knows about one store, from a TOML file
// (configs/junodownload.toml, configs/samplestore.toml). No URL, selector or
// politeness number is hard-coded in crawler/; they all come from here.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "config/toml_reader.h"

namespace cratedig::config {

// How hard we may hit a host. Defaults follow Scrapy's project template,
// plus what its users ask for (Retry-After, 429-aware slow-down).
struct PolitenessSettings {
  bool obey_robots = true;
  // Seconds between requests to one host, randomised to 0.5-1.5x when
  // randomize_delay; never below the host's robots.txt Crawl-delay.
  double delay = 1.0;
  bool randomize_delay = true;
  int max_retries = 3;              // on network errors, 408, 429, 5xx
  double backoff_base = 2.0;        // seconds; doubled per attempt, jittered
  double backoff_max = 300.0;       // seconds
  double max_retry_after = 3600.0;  // seconds; a longer Retry-After fails
  // Multiplies the host delay on each 429/403; decays back by
  // slowdown_decay per successful response.
  double slowdown_factor = 2.0;
  double slowdown_decay = 0.9;
  double slowdown_max = 60.0;     // cap on the multiplier
  double connect_timeout = 10.0;  // seconds
  double timeout = 180.0;         // seconds, whole request
  int64_t max_response_bytes = 32 << 20;
  int max_redirects = 5;
  int max_hosts_in_flight = 4;  // concurrent hosts (1 request each)
  // Across runs: a page that failed for a transient reason (network error,
  // truncated body, 5xx, 429, 408; crawler/failure.h) is fetched again by
  // a later crawl once rerun_backoff_base * 2^(failed runs - 1) seconds
  // (at most rerun_backoff_max) have passed, until it has failed
  // rerun_max_attempts runs; `crawl --retry-failed` retries every failure.
  double rerun_backoff_base = 300.0;  // seconds; 0: the very next run
  double rerun_backoff_max = 86400.0;
  int rerun_max_attempts = 8;

  void Read(TomlReader& r);
  void Validate(TomlReader& r);
};

// One genre listing to walk.
struct ListingSpec {
  std::string slug;    // "uplifting-trance"
  std::string parent;  // parent genre when an item has no genre text
  void Read(TomlReader& r);
};

// CSS selectors (see crawler/selector.h for the supported syntax).
struct SelectorSettings {
  // Listing page.
  std::string listing_item = "div.jd-listing-item";
  std::string listing_artist = "div.juno-artist";
  std::string listing_title = "a.juno-title";
  std::string listing_label = "a.juno-label";
  // Lines, separated by <br>: catalogue number, release date, store genre.
  std::string listing_info = "div.lit-date-cat-genre";
  std::string listing_track = "div.listing-track";
  // Inside a listing track: its preview link (absent: no preview).
  std::string listing_preview = "a.btn-play[href*=\".mp3\"]";
  std::string next_page = "a[title=\"Next Page\"]";
  // Product page.
  std::string product_title = "h1.product-title";
  std::string product_artist = ".product-artist";
  std::string product_label = ".product-label";
  // Lines, separated by <br>: "Cat: X", "Released: <date>", "Genre: G".
  std::string product_meta = ".product-meta";
  std::string product_track = ".product-tracklist-track[itemprop=\"track\"]";
  std::string product_track_number = ".track-number";
  std::string product_track_name = "[itemprop=\"name\"]";
  std::string product_track_artist = "[itemprop=\"byArtist\"]";
  std::string product_track_duration = "meta[itemprop=\"duration\"]";
  std::string product_track_bpm = ".track-bpm";
  std::string product_preview = "a.btn-play[href*=\".mp3\"]";

  void Read(TomlReader& r);
  void Validate(TomlReader&) {}
};

struct SiteProfile {
  std::string name = "store";
  std::string base_url;  // required: "https://www.junodownload.com"
  // Hosts besides base_url's that requests and redirects may go to (e.g. a
  // preview CDN). Nothing else is ever fetched.
  std::vector<std::string> extra_hosts;
  std::string user_agent =
      "cratedig/0.1 (+https://github.com/cratedig/cratedig; music research "
      "crawler)";
  // The Accept-Encoding we send. Default: gzip and deflate, cheap for the
  // server to produce; brotli ("br") costs it far more CPU per page.
  std::string accept_encoding = "gzip, deflate";
  // {slug} and {page} are substituted; relative to base_url.
  std::string listing_path =
      "/{slug}/back-cat/releases/{page}/?order=date_down&items_per_page=100";
  int first_page = 1;
  // Date format of listing dates (strptime).
  std::string date_format = "%d %b %y";
  std::vector<ListingSpec> listings;
  // Listing-first crawling: a release is stored from its listing row, and
  // its product page is fetched only when the row lacks one of these fields
  // (names: RequiredFieldNames() in crawler/required_fields.h).
  // Default: ["preview_url", "genre"].
  std::vector<std::string> required = {"preview_url", "genre"};
  // Store genre text -> one of the parent genres. Unmapped genres are stored
  // with no parent genre and never picked for a dataset.
  std::map<std::string, std::string> genre_map;
  std::vector<std::string> parent_genres;  // the label set, in order
  SelectorSettings selectors;
  PolitenessSettings politeness;

  void Read(TomlReader& r);
  void Validate(TomlReader& r);
  // Canonical TOML of the whole profile (what `--help`-like dumps print).
  std::string ToToml() const;
};

// The nine parent genres of the reference dataset, in label order.
const std::vector<std::string>& DefaultParentGenres();

}  // namespace cratedig::config
