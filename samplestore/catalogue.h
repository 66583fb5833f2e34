// The sample store's catalogue: every release and track it sells, generated
// from a seed, and the ground truth a crawler test compares against.
//
// Shape (docs/store-html.md): a release's store id is "{titleId}-{productId}"
// (7 + 2 digits), a track's "{titleId}-{productId}-01-{NN}". Each parent
// genre of the reference dataset gets exactly `tracks_per_genre` tracks,
// spread over releases of 1-4 tracks and over every listing (store genre
// slug) of configs/samplestore.toml that maps onto it; "Techno" (slug
// "techno") is a store genre outside the nine and gets max(2,
// tracks_per_genre / 4) tracks, so a crawler must store it unmapped.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cratedig::samplestore {

struct TrackTruth {
  int position = 0;      // 1-based within the release
  std::string store_id;  // "{titleId}-{productId}-01-{NN}"
  std::string artist, title;
  double duration_s = 0;  // the full track's length (whole seconds)
  double bpm = 0;         // whole BPM; the preview is synthesised at it
  bool has_preview = true;
  std::string preview_path;  // "/MP3/SF{store_id}.mp3", or "" without one
  // Permanent faults of the preview path ("corrupt_mp3", "preview_404",
  // "oversized"); filled by ApplyPermanentFaults (faults.h).
  std::vector<std::string> faults;
};

struct ReleaseTruth {
  std::string store_id;      // "{titleId}-{productId}"
  std::string url_path;      // "/products/<slug>/<titleId>-<productId>/"
  std::string listing_slug;  // the listing that holds it ("uplifting-trance")
  // Further listings that list it too (one release, several store genres:
  // some "indie" releases are also on "rock"); its items there show the
  // same fields, its own store_genre included.
  std::vector<std::string> also_listed;
  std::string artist;  // "Various" for various-artists releases
  std::string title, label, catalogue_number;
  std::string release_date;  // ISO yyyy-mm-dd
  std::string store_genre;   // as shown on the page ("Uplifting Trance")
  std::string parent_genre;  // one of the nine, "" if unmapped
  std::vector<TrackTruth> tracks;
  // Permanent faults of the product page ("malformed_html",
  // "redirect_loop", "redirect_offsite"); see faults.h.
  std::vector<std::string> faults;
};

struct Catalogue {
  uint64_t seed = 0;
  std::vector<ReleaseTruth> releases;  // listing order within each slug
  // The ground truth as JSON (stable key order; UTF-8 as is).
  std::string ToJson() const;
};

// One genre listing of the store.
struct ListingDef {
  std::string slug;                       // "uplifting-trance"
  std::vector<std::string> store_genres;  // genre texts its items show
  std::string parent;                     // parent genre, "" if unmapped
  std::string style;                      // audio recipe name (synth.h)
};

// Every listing the store serves, in a fixed order: the eleven slugs of
// configs/samplestore.toml, then "techno".
const std::vector<ListingDef>& StoreListings();

// REQUIRES: tracks_per_genre >= 1. Deterministic in (seed, tracks_per_genre).
// Every third release of the first listing of a parent genre with several
// listings (indie, trance-music) is also listed under the others.
Catalogue GenerateCatalogue(uint64_t seed, int tracks_per_genre);

// The releases a listing shows, in its order (newest first, ties by store
// id): those it holds and those also listed under it.
std::vector<const ReleaseTruth*> ListingItems(const Catalogue& cat,
                                              const std::string& slug);

// "2023-11-21" -> "21 Nov 23" (the listing's "%d %b %y").
std::string ListingDate(const std::string& iso_date);

// "Some \"Title\" EP" -> "some-title-ep" (ASCII letters and digits only).
std::string Slugify(const std::string& text);

}  // namespace cratedig::samplestore
