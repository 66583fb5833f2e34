// Field completeness: how much of each field the crawl got, and whether a
// field stopped coming (`cratedig status --fields`).
//
// Two views. Stored: the share of releases and tracks having each field,
// per listing (a release counts in every listing it was listed under).
// Parsed: for each listing and page kind, what the pages' parses yielded
// (db page_fields), the newest pages (by fetch time) against the earlier
// ones. A field that was present and drops in the newest pages is the sign
// of a markup change: a selector of the site profile stopped matching. The
// parsed view sees it even when another page kind still fills the stored
// record (a BPM lost on product pages but read from the listings).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "db/database.h"

namespace cratedig::catalogue {

struct CompletenessOptions {
  // The newest pages: this share of each (listing, page kind)'s pages, by
  // fetch time, rounded up, at least one. Default: 0.2.
  double newest_share = 0.2;
  // A field "was present" when at least this share of the earlier pages'
  // records had it. Default: 0.2.
  double present_share = 0.2;
  // Warn when the newest pages' share is below this fraction of the earlier
  // pages' share. Default: 0.5 (a field at 98% warns below 49%).
  double drop_ratio = 0.5;
  // No verdict on fewer records than this in either window (a listing's
  // last page with two tracks and no preview is no markup change).
  // Default: 20.
  int64_t min_records = 20;
};

struct FieldShare {
  std::string field;  // the export's column name
  int64_t present = 0;
  int64_t total = 0;
  double share() const {
    return total > 0 ? static_cast<double>(present) / total : 0;
  }
};

// Stored records of one listing ("" for all listings, "(none)" for
// releases with no listing recorded).
struct StoredCompleteness {
  std::string listing;
  int64_t releases = 0;
  int64_t tracks = 0;
  std::vector<FieldShare> release_fields;  // artist, title, label, ...
  std::vector<FieldShare> track_fields;    // artist, title, duration_s, ...
};

// One field of one (listing, page kind): earlier pages against newest.
struct FieldDrift {
  std::string listing;    // "" = all listings together
  std::string page_kind;  // "listing" | "product"
  std::string record;     // "release" | "track"
  std::string field;
  int64_t earlier_pages = 0, newest_pages = 0;
  FieldShare earlier, newest;
  bool warn = false;  // present before, dropped in the newest pages
};

struct CompletenessReport {
  StoredCompleteness all;
  std::vector<StoredCompleteness> listings;  // best-ranked listing first
  // Every (listing, kind, field) with earlier and newest pages; per-listing
  // rows first, then the all-listings ones.
  std::vector<FieldDrift> drift;
  bool has_listings = true;     // false: schema before v6
  bool has_page_fields = true;  // false: schema before v6
  int warnings() const;
};

// Reads only. REQUIRES: 0 < newest_share <= 1.
Result<CompletenessReport> FieldCompleteness(
    db::Database& db, const CompletenessOptions& options = {});

}  // namespace cratedig::catalogue
