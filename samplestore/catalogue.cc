#include "samplestore/catalogue.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "core/json.h"
#include "samplestore/rng.h"

namespace cratedig::samplestore {

const std::vector<ListingDef>& StoreListings() {
  static const std::vector<ListingDef> kListings = {
      {"breakbeat", {"Breakbeat", "Breaks"}, "Breakbeat", "Breakbeat"},
      {"dancehall-reggae",
       {"Dancehall", "Dancehall/Reggae", "Reggae"},
       "Dancehall",
       "Dancehall"},
      {"downtempo",
       {"Downtempo", "Balearic/Downtempo"},
       "Downtempo",
       "Downtempo"},
      {"drumandbass",
       {"Drum & Bass", "Drum And Bass"},
       "Drum and Bass",
       "Drum and Bass"},
      {"funky-club-house",
       {"Funky/Club House", "Funky House"},
       "Funky House",
       "Funky House"},
      {"hip-hop",
       {"Hip Hop", "Hip Hop/R&B", "R&B"},
       "Hip Hop / R&B",
       "Hip Hop / R&B"},
      {"minimal-tech-house",
       {"Minimal/Tech House", "Minimal House"},
       "Minimal House",
       "Minimal House"},
      {"indie", {"Indie"}, "Rock/Indie", "Rock/Indie"},
      {"rock", {"Rock"}, "Rock/Indie", "Rock/Indie"},
      {"trance-music", {"Trance"}, "Trance", "Trance"},
      {"uplifting-trance", {"Uplifting Trance"}, "Trance", "Trance"},
      {"techno", {"Techno"}, "", "Techno"},
  };
  return kListings;
}

namespace {

// Name material: plain ASCII, UTF-8, ampersands, quotes and apostrophes, so
// every escaping path of a parser is exercised.
const std::vector<std::string> kFirst = {
    "Nova",  "Kaito", "Søren", "Zoë",   "Mañana", "Dj Ēko", "Marla",
    "Rafi",  "Olu",   "Björn", "Léa",   "Tomasz", "Ines",   "Kwame",
    "Yuki",  "Amara", "Felix", "Noor",  "Chidi",  "Ana",    "東京",
    "Jules", "Mika",  "Otis",  "Priya", "Lukáš",  "Dana",   "Renée"};
const std::vector<std::string> kLast = {
    "Vega",  "Okafor", "Lindqvist", "O'Hara",   "Moreau", "Kowalski", "Sato",
    "Reyes", "Stone",  "Haze",      "Nakamura", "Ferro",  "Quinn",    "Brandt",
    "Costa", "Wilde",  "Ørsted",    "Dubois",   "Mensah", "Kerr"};
const std::vector<std::string> kAlias = {
    "Subterranean",   "Neon Lagoon",     "The Quiet Arcade",  "Low Tide",
    "Kinetic Youth",  "Hollow & Bright", "Sonar Kollektiv 9", "Blue \"Moon\"",
    "Café Noir",      "Midnight Öl",     "Static Bloom",      "Ghost Note",
    "Parallel Lines", "Red Ochre",       "Velvet Hum",        "Paper Tigers",
    "Glasshouse",     "Über Alles Crew"};
const std::vector<std::string> kWords = {
    "Night",      "Drift",    "Echo",    "Golden",   "Signal",
    "Run",        "Fever",    "Horizon", "Pulse",    "Shadow",
    "Rain",       "Bloom",    "Circuit", "Heart",    "Fire",
    "Summer",     "Dust",     "Motion",  "Ocean",    "Static",
    "Velvet",     "Gravity",  "Lights",  "Wild",     "Crystal",
    "Sunrise",    "Concrete", "Mirror",  "Pressure", "Tide",
    "Frequência", "Nocturne", "Ça Va",   "Kōen",     "Don't Stop",
    "Rock & Roll"};
const std::vector<std::string> kMixes = {
    "Original Mix", "Dub",          "Extended Mix", "Club Mix",
    "Radio Edit",   "Instrumental", "Remix",        "VIP"};
const std::vector<std::string> kLabels = {"Moonbeam Audio",
                                          "Pressure & Release",
                                          "Ghost Note Records",
                                          "Sonic \"Tonic\" Recordings",
                                          "Low Frequency Society",
                                          "Harbour Lights",
                                          "Tief Musik",
                                          "Cassette Culture",
                                          "Big Yard Sound",
                                          "Sunday Service",
                                          "Kōbō Records",
                                          "Concrete Jungle",
                                          "Two Step Theory",
                                          "Arcadia Disques",
                                          "Northern Soul & Co",
                                          "Wax Poetic"};

struct GenreShape {
  int bpm_lo, bpm_hi;  // tempo range
  int dur_lo, dur_hi;  // full-track seconds
  bool mixes;          // "(Original Mix)" style names
};

GenreShape ShapeFor(const std::string& style) {
  static const std::map<std::string, GenreShape> kShapes = {
      {"Breakbeat", {124, 138, 240, 420, true}},
      {"Dancehall", {88, 104, 160, 240, false}},
      {"Downtempo", {72, 104, 210, 380, false}},
      {"Drum and Bass", {168, 176, 270, 420, true}},
      {"Funky House", {119, 127, 300, 480, true}},
      {"Hip Hop / R&B", {78, 98, 150, 270, false}},
      {"Minimal House", {120, 127, 360, 560, true}},
      {"Rock/Indie", {96, 168, 150, 300, false}},
      {"Trance", {132, 140, 360, 540, true}},
      {"Techno", {126, 136, 340, 520, true}},
  };
  return kShapes.at(style);
}

std::string PersonName(Rng& rng) {
  if (rng.Chance(0.45)) return rng.Pick(kAlias);
  return rng.Pick(kFirst) + " " + rng.Pick(kLast);
}

std::string ArtistName(Rng& rng) {
  std::string a = PersonName(rng);
  if (rng.Chance(0.15)) a += " & " + PersonName(rng);
  return a;
}

std::string Words(Rng& rng, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) {
    if (i) s += " ";
    s += rng.Pick(kWords);
  }
  return s;
}

std::string TrackTitle(Rng& rng, bool mixes) {
  std::string t = Words(rng, rng.Int(1, 3));
  if (rng.Chance(0.08)) t = "The \"" + t + "\" Thing";
  if (mixes && rng.Chance(0.6)) t += " (" + rng.Pick(kMixes) + ")";
  return t;
}

// Days since 1970-01-01 -> "yyyy-mm-dd" (proleptic Gregorian).
std::string IsoFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  return fmt::format("{:04d}-{:02d}-{:02d}", y, m, d);
}

std::string CatalogueNumber(Rng& rng, const std::string& label) {
  std::string code;
  for (size_t i = 0; i < label.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(label[i]);
    if (std::isalpha(c) && (i == 0 || label[i - 1] == ' ')) {
      code += static_cast<char>(std::toupper(c));
    }
  }
  if (code.size() < 2) code += "X";
  const char* sep = rng.Pick(std::vector<const char*>{"", " ", "-"});
  return fmt::format("{}{}{:03d}", code, sep, rng.Int(1, 299));
}

}  // namespace

std::string Slugify(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (c < 0x80 && std::isalnum(c)) {
      out += static_cast<char>(std::tolower(c));
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "release" : out;
}

std::string ListingDate(const std::string& iso) {
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (iso.size() != 10) return iso;
  int month = std::stoi(iso.substr(5, 2));
  if (month < 1 || month > 12) return iso;
  return iso.substr(8, 2) + " " + kMonths[month - 1] + " " + iso.substr(2, 2);
}

namespace {

// One release of `n` tracks on listing `l`, drawn from `rng`; its title id
// is new to `title_ids`.
ReleaseTruth MakeRelease(Rng& rng, const ListingDef& l, int n,
                         const GenreShape& shape, std::set<int>& title_ids) {
  ReleaseTruth r;
  int title_id;
  do {
    title_id = rng.Int(1000000, 9999999);
  } while (!title_ids.insert(title_id).second);
  r.store_id = fmt::format("{}-{:02d}", title_id, rng.Int(1, 3));
  r.listing_slug = l.slug;
  r.store_genre = rng.Pick(l.store_genres);
  r.parent_genre = l.parent;
  const bool various = n >= 2 && rng.Chance(0.2);
  r.artist = various ? "Various" : ArtistName(rng);
  r.label = rng.Pick(kLabels);
  r.catalogue_number = CatalogueNumber(rng, r.label);
  r.release_date = IsoFromDays(rng.Int(13879, 19722));  // 2008..2023
  const int base_bpm = rng.Int(shape.bpm_lo, shape.bpm_hi);
  for (int i = 1; i <= n; ++i) {
    TrackTruth t;
    t.position = i;
    t.store_id = fmt::format("{}-01-{:02d}", r.store_id, i);
    t.artist = various ? ArtistName(rng) : r.artist;
    if (!various && rng.Chance(0.1)) t.artist += " feat. " + PersonName(rng);
    t.title = TrackTitle(rng, shape.mixes);
    t.duration_s = rng.Int(shape.dur_lo, shape.dur_hi);
    t.bpm = various ? rng.Int(shape.bpm_lo, shape.bpm_hi)
                    : std::clamp(base_bpm + rng.Int(-2, 2), shape.bpm_lo,
                                 shape.bpm_hi);
    t.has_preview = !rng.Chance(0.08);
    if (t.has_preview) t.preview_path = "/MP3/SF" + t.store_id + ".mp3";
    r.tracks.push_back(std::move(t));
  }
  if (n == 1) {
    r.title = r.tracks[0].title;
  } else {
    r.title = Words(rng, rng.Int(1, 2));
    if (rng.Chance(0.5)) r.title += " EP";
    if (various)
      r.title =
          rng.Pick(kWords) + " Sampler Vol. " + std::to_string(rng.Int(1, 12));
  }
  r.url_path = fmt::format("/products/{}/{}/", Slugify(r.title), r.store_id);
  return r;
}

bool NewestFirst(const ReleaseTruth& a, const ReleaseTruth& b) {
  if (a.release_date != b.release_date) return a.release_date > b.release_date;
  return a.store_id < b.store_id;
}
}  // namespace

Catalogue GenerateCatalogue(uint64_t seed, int tracks_per_genre) {
  Catalogue cat;
  cat.seed = seed;
  Rng rng(HashKey(seed, "catalogue"));
  std::set<int> title_ids;
  const auto& listings = StoreListings();

  // Styles in order of first appearance; each gets its own track budget.
  std::vector<std::string> styles;
  for (const auto& l : listings) {
    if (std::find(styles.begin(), styles.end(), l.style) == styles.end()) {
      styles.push_back(l.style);
    }
  }
  std::map<std::string, std::vector<ReleaseTruth>> by_slug;
  for (const std::string& style : styles) {
    std::vector<const ListingDef*> mine;
    for (const auto& l : listings) {
      if (l.style == style) mine.push_back(&l);
    }
    const bool unmapped = mine.front()->parent.empty();
    int remaining =
        unmapped ? std::max(2, tracks_per_genre / 4) : tracks_per_genre;
    const GenreShape shape = ShapeFor(style);
    int n_release = 0;
    while (remaining > 0) {
      // Every listing gets a release before any gets a second.
      const ListingDef& l = n_release < static_cast<int>(mine.size())
                                ? *mine[n_release]
                                : *rng.Pick(mine);
      ++n_release;
      static const int kSizes[] = {1, 1, 1, 2, 2, 2, 3, 3, 4, 4};
      // Leave one track for each listing still without a release.
      const int waiting =
          std::max(0, static_cast<int>(mine.size()) - n_release);
      int n = std::max(1, std::min(remaining - waiting, kSizes[rng.Int(0, 9)]));
      n = std::min(n, remaining);
      remaining -= n;

      ReleaseTruth r = MakeRelease(rng, l, n, shape, title_ids);
      by_slug[l.slug].push_back(std::move(r));
    }
  }
  // Listing order: newest first, ties by store id (order=date_down).
  for (const auto& l : listings) {
    auto& v = by_slug[l.slug];
    std::sort(v.begin(), v.end(), NewestFirst);
    for (auto& r : v) cat.releases.push_back(std::move(r));
  }
  // One release, several listings: no random draw, so the rest of the
  // catalogue is the same as before this was added.
  for (const std::string& style : styles) {
    std::vector<std::string> slugs;
    for (const auto& l : listings) {
      if (l.style == style) slugs.push_back(l.slug);
    }
    int n = 0;
    for (ReleaseTruth& r : cat.releases) {
      if (slugs.size() < 2 || r.listing_slug != slugs.front()) continue;
      if (n++ % 3 != 0) continue;
      r.also_listed.assign(slugs.begin() + 1, slugs.end());
    }
  }
  return cat;
}

std::vector<const ReleaseTruth*> ListingItems(const Catalogue& cat,
                                              const std::string& slug) {
  std::vector<const ReleaseTruth*> out;
  for (const ReleaseTruth& r : cat.releases) {
    if (r.listing_slug == slug ||
        std::find(r.also_listed.begin(), r.also_listed.end(), slug) !=
            r.also_listed.end()) {
      out.push_back(&r);
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const ReleaseTruth* a, const ReleaseTruth* b) {
                     return NewestFirst(*a, *b);
                   });
  return out;
}

namespace {

// The dump keeps its readable layout (a release per line); values are
// escaped by core/json.
std::string JsonString(const std::string& s) {
  return json::Dump(json::Json(s));
}

std::string JsonList(const std::vector<std::string>& v) {
  json::Json a = json::Json::array();
  for (const auto& x : v) a.push_back(x);
  return json::Dump(a);
}

}  // namespace

std::string Catalogue::ToJson() const {
  std::string o = fmt::format("{{\n  \"seed\": {},\n  \"releases\": [", seed);
  for (size_t i = 0; i < releases.size(); ++i) {
    const ReleaseTruth& r = releases[i];
    o += i ? ",\n    {" : "\n    {";
    o += "\"store_id\": " + JsonString(r.store_id);
    o += ", \"url_path\": " + JsonString(r.url_path);
    o += ", \"listing_slug\": " + JsonString(r.listing_slug);
    o += ", \"also_listed\": " + JsonList(r.also_listed);
    o += ", \"artist\": " + JsonString(r.artist);
    o += ", \"title\": " + JsonString(r.title);
    o += ", \"label\": " + JsonString(r.label);
    o += ", \"catalogue_number\": " + JsonString(r.catalogue_number);
    o += ", \"release_date\": " + JsonString(r.release_date);
    o += ", \"store_genre\": " + JsonString(r.store_genre);
    o += ", \"parent_genre\": " + JsonString(r.parent_genre);
    o += ", \"faults\": " + JsonList(r.faults);
    o += ",\n     \"tracks\": [";
    for (size_t j = 0; j < r.tracks.size(); ++j) {
      const TrackTruth& t = r.tracks[j];
      o += j ? ",\n      {" : "\n      {";
      o += fmt::format("\"position\": {}", t.position);
      o += ", \"store_id\": " + JsonString(t.store_id);
      o += ", \"artist\": " + JsonString(t.artist);
      o += ", \"title\": " + JsonString(t.title);
      o +=
          fmt::format(", \"duration_s\": {}, \"bpm\": {}", t.duration_s, t.bpm);
      o += fmt::format(", \"has_preview\": {}", t.has_preview);
      o += ", \"preview_path\": " + JsonString(t.preview_path);
      o += ", \"faults\": " + JsonList(t.faults) + "}";
    }
    o += "]}";
  }
  return o + "\n  ]\n}\n";
}

}  // namespace cratedig::samplestore
