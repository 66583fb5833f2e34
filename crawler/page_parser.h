// PageParser: pure functions from (HTML, page URL, site profile) to records.
//
// No I/O, no state between calls: every item is parsed into a fresh record,
// so a field missing from one release is recorded as missing (and counted),
// never carried over from the previous release (a bug of the original
// crawler). Track names, durations and preview URLs are read inside each
// track's own element, so a track without a preview cannot shift the
// previews of the tracks after it (the other bug of the original).
// Selectors come from config::SelectorSettings; see docs/store-html.md.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/site_profile.h"
#include "core/status.h"
#include "crawler/selector.h"
#include "crawler/url.h"

namespace cratedig::crawler {

struct ParsedTrack {
  int position = 0;      // 1-based on the release
  std::string store_id;  // "<release store id>-01-<NN>"
  std::optional<std::string> artist, title;
  std::optional<double> duration_s, bpm;
  std::optional<std::string> preview_url;  // absolute; nullopt: no preview
  std::vector<std::string> missing;        // names of fields not found
};

struct ParsedRelease {
  std::string store_id;  // "<titleId>-<productId>", from the product URL
  std::string url;       // absolute product URL
  std::optional<std::string> artist, title, label, catalogue_number,
      release_date, store_genre, parent_genre;
  std::vector<ParsedTrack> tracks;
  std::vector<std::string> missing;
};

struct ListingPage {
  std::vector<ParsedRelease> releases;
  std::optional<std::string> next_url;  // absent on the last page
  int missing_fields = 0;  // over all releases and tracks of the page
  int parse_errors = 0;    // items skipped: no product link or store id
};

struct ProductPage {
  ParsedRelease release;  // release fields from the product header
  int missing_fields = 0;
  int parse_errors = 0;
};

class PageParser {
 public:
  // Compiles the profile's selectors; InvalidArgument names a bad one.
  static Result<PageParser> Create(const config::SiteProfile& profile);

  // `listing_parent`: the parent genre of the listing, used when an item
  // shows no genre text of its own.
  ListingPage ParseListing(std::string_view html, const Url& page_url,
                           const std::string& listing_parent) const;
  ProductPage ParseProduct(std::string_view html, const Url& page_url) const;

 private:
  struct Compiled {
    Selector listing_item, listing_artist, listing_title, listing_label,
        listing_info, listing_track, listing_preview, next_page, product_title,
        product_artist, product_label, product_meta, product_track,
        product_track_number, product_track_name, product_track_artist,
        product_track_duration, product_track_bpm, product_preview;
  };
  PageParser(const config::SiteProfile& profile, Compiled c);

  std::optional<std::string> ParentOf(
      const std::optional<std::string>& store_genre,
      const std::string& listing_parent) const;

  config::SiteProfile profile_;
  Compiled sel_;
};

// Helpers, exposed for tests.
// "/products/x/1234567-02/" -> "1234567-02"; "" when the URL has none.
std::string ReleaseStoreIdFromUrl(const Url& url);
// "1234567-02", 3 -> "1234567-02-01-03".
std::string TrackStoreId(const std::string& release_id, int position);
// "6:12" -> 372; "1:02:03" -> 3723.
std::optional<double> ParseClockDuration(std::string_view s);
// "P0H6M12S" / "PT6M12S" -> 372.
std::optional<double> ParseIsoDuration(std::string_view s);
// "138 BPM", "138.5BPM" -> 138 (the number before "BPM").
std::optional<double> ParseBpm(std::string_view s);
// Parses with strptime(format) and returns "yyyy-mm-dd".
std::optional<std::string> ParseDate(std::string_view s,
                                     const std::string& format);

}  // namespace cratedig::crawler
