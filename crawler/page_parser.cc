#include "crawler/page_parser.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "core/strings.h"
#include "crawler/html.h"

namespace cratedig::crawler {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Store text is trimmed of spaces only: a tab or newline inside a cell is
// kept as the page has it.
std::string_view TrimSp(std::string_view s) { return Trim(s, " "); }

std::optional<std::string> NonEmpty(std::string s) {
  if (s.empty()) return std::nullopt;
  return s;
}

// Text of the first match of `sel` inside `scope`, nullopt if none or empty.
std::optional<std::string> TextAt(const Selector& sel, const GumboNode* scope,
                                  const Selector* prune = nullptr) {
  const GumboNode* n =
      prune ? sel.SelectFirst(scope, *prune) : sel.SelectFirst(scope);
  if (n == nullptr) return std::nullopt;
  return NonEmpty(TextOf(n));
}

void Need(const std::optional<std::string>& v, const char* name,
          std::vector<std::string>& missing) {
  if (!v) missing.push_back(name);
}
void Need(const std::optional<double>& v, const char* name,
          std::vector<std::string>& missing) {
  if (!v) missing.push_back(name);
}

// Notes the release's missing required fields.
void NeedReleaseFields(ParsedRelease& r) {
  Need(r.artist, "artist", r.missing);
  Need(r.title, "title", r.missing);
  Need(r.label, "label", r.missing);
  Need(r.catalogue_number, "catalogue_number", r.missing);
  Need(r.release_date, "release_date", r.missing);
  Need(r.store_genre, "store_genre", r.missing);
}

// The track's preview from the <a href> `link` (may be null), resolved
// against the page.
void SetPreview(const GumboNode* link, const Url& page_url, ParsedTrack& t) {
  if (link == nullptr) return;
  if (const char* h = AttrOf(link, "href")) {
    auto u = ResolveUrl(page_url, h);
    if (u.ok()) t.preview_url = u->ToString();
  }
}

// Notes the track's missing required fields (counted in `missing_fields`)
// and adds it to its release.
void AddTrack(ParsedTrack t, ParsedRelease& r, int& missing_fields) {
  Need(t.artist, "artist", t.missing);
  Need(t.title, "title", t.missing);
  Need(t.duration_s, "duration", t.missing);
  Need(t.bpm, "bpm", t.missing);
  missing_fields += static_cast<int>(t.missing.size());
  r.tracks.push_back(std::move(t));
}

// `Artist - "Title" - (m:ss) 138 BPM` (the BPM may be absent).
void ParseListingTrackLine(std::string_view line, ParsedTrack& t) {
  line = TrimSp(line);
  // BPM: the number before a trailing "BPM".
  size_t bpm_at = line.rfind("BPM");
  if (bpm_at != std::string_view::npos) {
    size_t start = bpm_at;
    while (start > 0 && line[start - 1] == ' ') --start;
    size_t num_end = start;
    while (start > 0 && (IsDigit(line[start - 1]) || line[start - 1] == '.')) {
      --start;
    }
    if (start < num_end) {
      t.bpm = ParseBpm(line.substr(start));
      line = TrimSp(line.substr(0, start));
    }
  }
  // Duration: the last "(...)" group, when it is a clock time.
  size_t open = line.rfind('(');
  if (open != std::string_view::npos && !line.empty() && line.back() == ')') {
    auto d = ParseClockDuration(line.substr(open + 1, line.size() - open - 2));
    if (d) {
      t.duration_s = d;
      line = TrimSp(line.substr(0, open));
      if (!line.empty() && line.back() == '-') {
        line = TrimSp(line.substr(0, line.size() - 1));
      }
    }
  }
  // Artist - "Title": the first ` - "` splits them; the title runs to the
  // last quote (titles may contain quotes themselves).
  size_t sep = line.find(" - \"");
  size_t tstart;
  if (sep != std::string_view::npos) {
    if (auto a = TrimSp(line.substr(0, sep)); !a.empty()) {
      t.artist = std::string(a);
    }
    tstart = sep + 4;
  } else if (!line.empty() && line.front() == '"') {
    tstart = 1;  // no artist
  } else {
    return;
  }
  size_t tend = line.rfind('"');
  if (tend != std::string_view::npos && tend >= tstart) {
    if (auto ti = TrimSp(line.substr(tstart, tend - tstart)); !ti.empty()) {
      t.title = std::string(ti);
    }
  }
}

}  // namespace

std::string ReleaseStoreIdFromUrl(const Url& url) {
  std::string_view path(url.path);
  path = path.substr(0, path.find('?'));
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  size_t slash = path.rfind('/');
  std::string_view last =
      slash == std::string_view::npos ? path : path.substr(slash + 1);
  // digits '-' digits
  size_t dash = last.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 >= last.size()) {
    return "";
  }
  for (size_t i = 0; i < last.size(); ++i) {
    if (i != dash && !IsDigit(last[i])) return "";
  }
  return std::string(last);
}

std::string TrackStoreId(const std::string& release_id, int position) {
  std::string nn = std::to_string(position);
  if (nn.size() < 2) nn = "0" + nn;
  return release_id + "-01-" + nn;
}

std::optional<double> ParseClockDuration(std::string_view s) {
  s = TrimSp(s);
  if (s.empty()) return std::nullopt;
  double total = 0;
  int fields = 0;
  size_t i = 0;
  while (i <= s.size()) {
    size_t j = i;
    while (j < s.size() && IsDigit(s[j])) ++j;
    if (j == i || j - i > 6) return std::nullopt;
    total = total * 60 + std::atoi(std::string(s.substr(i, j - i)).c_str());
    ++fields;
    if (j == s.size()) break;
    if (s[j] != ':') return std::nullopt;
    i = j + 1;
  }
  if (fields < 2 || fields > 3) return std::nullopt;
  return total;
}

std::optional<double> ParseIsoDuration(std::string_view s) {
  s = TrimSp(s);
  if (s.empty() || (s[0] != 'P' && s[0] != 'p')) return std::nullopt;
  double total = 0;
  bool any = false;
  size_t i = 1;
  while (i < s.size()) {
    char c = s[i];
    if (c == 'T' || c == 't') {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < s.size() && (IsDigit(s[j]) || s[j] == '.')) ++j;
    if (j == i || j >= s.size()) return std::nullopt;
    double v = std::strtod(std::string(s.substr(i, j - i)).c_str(), nullptr);
    switch (s[j]) {
      case 'D':
      case 'd':
        total += v * 86400;
        break;
      case 'H':
      case 'h':
        total += v * 3600;
        break;
      case 'M':
      case 'm':
        total += v * 60;
        break;
      case 'S':
      case 's':
        total += v;
        break;
      default:
        return std::nullopt;
    }
    any = true;
    i = j + 1;
  }
  if (!any) return std::nullopt;
  return total;
}

std::optional<double> ParseBpm(std::string_view s) {
  s = TrimSp(s);
  size_t i = 0;
  while (i < s.size() && !IsDigit(s[i])) ++i;
  size_t j = i;
  while (j < s.size() && (IsDigit(s[j]) || s[j] == '.')) ++j;
  if (j == i) return std::nullopt;
  std::string_view rest = TrimSp(s.substr(j));
  if (rest.substr(0, 3) != "BPM" && rest.substr(0, 3) != "bpm") {
    return std::nullopt;
  }
  double v = std::strtod(std::string(s.substr(i, j - i)).c_str(), nullptr);
  if (v <= 0 || v > 1000) return std::nullopt;
  return v;
}

std::optional<std::string> ParseDate(std::string_view s,
                                     const std::string& format) {
  std::string text(TrimSp(s));
  if (text.empty()) return std::nullopt;
  std::tm tm{};
  const char* end = strptime(text.c_str(), format.c_str(), &tm);
  if (end == nullptr) return std::nullopt;
  while (*end == ' ') ++end;
  if (*end != '\0') return std::nullopt;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday);
  return std::string(buf);
}

Result<PageParser> PageParser::Create(const config::SiteProfile& profile) {
  const config::SelectorSettings& s = profile.selectors;
  auto compile = [](const std::string& name,
                    const std::string& text) -> Result<Selector> {
    auto r = Selector::Parse(text);
    if (!r.ok()) {
      return Status::InvalidArgument("selectors." + name + ": " +
                                     r.status().message());
    }
    return r;
  };
#define CRATEDIG_SEL(field) \
  CRATEDIG_ASSIGN_OR_RETURN(Selector field, compile(#field, s.field))
  CRATEDIG_SEL(listing_item);
  CRATEDIG_SEL(listing_artist);
  CRATEDIG_SEL(listing_title);
  CRATEDIG_SEL(listing_label);
  CRATEDIG_SEL(listing_info);
  CRATEDIG_SEL(listing_track);
  CRATEDIG_SEL(listing_preview);
  CRATEDIG_SEL(next_page);
  CRATEDIG_SEL(product_title);
  CRATEDIG_SEL(product_artist);
  CRATEDIG_SEL(product_label);
  CRATEDIG_SEL(product_meta);
  CRATEDIG_SEL(product_track);
  CRATEDIG_SEL(product_track_number);
  CRATEDIG_SEL(product_track_name);
  CRATEDIG_SEL(product_track_artist);
  CRATEDIG_SEL(product_track_duration);
  CRATEDIG_SEL(product_track_bpm);
  CRATEDIG_SEL(product_preview);
#undef CRATEDIG_SEL
  Compiled c{listing_item,           listing_artist,
             listing_title,          listing_label,
             listing_info,           listing_track,
             listing_preview,        next_page,
             product_title,          product_artist,
             product_label,          product_meta,
             product_track,          product_track_number,
             product_track_name,     product_track_artist,
             product_track_duration, product_track_bpm,
             product_preview};
  return PageParser(profile, std::move(c));
}

PageParser::PageParser(const config::SiteProfile& profile, Compiled c)
    : profile_(profile), sel_(std::move(c)) {}

std::optional<std::string> PageParser::ParentOf(
    const std::optional<std::string>& store_genre,
    const std::string& listing_parent) const {
  if (store_genre) {
    auto it = profile_.genre_map.find(*store_genre);
    if (it == profile_.genre_map.end()) return std::nullopt;  // unmapped
    return it->second;
  }
  return NonEmpty(listing_parent);
}

ListingPage PageParser::ParseListing(std::string_view html, const Url& page_url,
                                     const std::string& listing_parent) const {
  ListingPage page;
  HtmlDocument doc(html);
  for (const GumboNode* item : sel_.listing_item.SelectAll(doc.root())) {
    ParsedRelease r;  // fresh per item: nothing leaks between releases
    // Fields are looked up in this item only, never in an item that broken
    // HTML nested inside it.
    const Selector& own = sel_.listing_item;
    const GumboNode* title = sel_.listing_title.SelectFirst(item, own);
    const char* href = title ? AttrOf(title, "href") : nullptr;
    if (href == nullptr) {
      ++page.parse_errors;
      continue;
    }
    auto product = ResolveUrl(page_url, href);
    if (!product.ok()) {
      ++page.parse_errors;
      continue;
    }
    r.store_id = ReleaseStoreIdFromUrl(*product);
    if (r.store_id.empty()) {
      ++page.parse_errors;
      continue;
    }
    r.url = product->ToString();
    r.title = NonEmpty(TextOf(title));
    r.artist = TextAt(sel_.listing_artist, item, &own);
    r.label = TextAt(sel_.listing_label, item, &own);
    std::vector<std::string> lines =
        LinesOf(sel_.listing_info.SelectFirst(item, own));
    // Expected: catalogue number, date, genre. Anchor on the line that
    // parses as a date so a missing line does not shift the others.
    int date_line = -1;
    for (size_t i = 0; i < lines.size() && date_line < 0; ++i) {
      if (auto d = ParseDate(lines[i], profile_.date_format)) {
        r.release_date = d;
        date_line = static_cast<int>(i);
      }
    }
    if (date_line >= 0) {
      if (date_line >= 1) r.catalogue_number = lines[date_line - 1];
      if (date_line + 1 < static_cast<int>(lines.size())) {
        r.store_genre = lines[date_line + 1];
      }
    } else if (lines.size() == 3) {
      r.catalogue_number = lines[0];  // unparseable date: keep the others
      r.store_genre = lines[2];
    }
    r.parent_genre = ParentOf(r.store_genre, listing_parent);
    NeedReleaseFields(r);
    int pos = 0;
    auto is_track = [&](const GumboNode* n) {
      return sel_.listing_track.Matches(n);
    };
    for (const GumboNode* tn : sel_.listing_track.SelectAll(item, own)) {
      ParsedTrack t;
      t.position = ++pos;
      t.store_id = TrackStoreId(r.store_id, t.position);
      ParseListingTrackLine(TextOf(tn, is_track), t);
      // Inside this track's own element, as on the product page, so a track
      // without a preview cannot take its neighbour's.
      SetPreview(sel_.listing_preview.SelectFirst(tn, sel_.listing_track),
                 page_url, t);
      AddTrack(std::move(t), r, page.missing_fields);
    }
    page.missing_fields += static_cast<int>(r.missing.size());
    page.releases.push_back(std::move(r));
  }
  if (const GumboNode* next = sel_.next_page.SelectFirst(doc.root())) {
    if (const char* h = AttrOf(next, "href")) {
      auto u = ResolveUrl(page_url, h);
      if (u.ok() && u->ToString() != page_url.ToString()) {
        page.next_url = u->ToString();
      }
    }
  }
  return page;
}

ProductPage PageParser::ParseProduct(std::string_view html,
                                     const Url& page_url) const {
  ProductPage page;
  HtmlDocument doc(html);
  ParsedRelease& r = page.release;
  r.store_id = ReleaseStoreIdFromUrl(page_url);
  r.url = page_url.ToString();
  if (r.store_id.empty()) {
    ++page.parse_errors;
    return page;
  }
  r.title = TextAt(sel_.product_title, doc.root());
  r.artist = TextAt(sel_.product_artist, doc.root());
  r.label = TextAt(sel_.product_label, doc.root());
  for (const std::string& line :
       LinesOf(sel_.product_meta.SelectFirst(doc.root()))) {
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = line.substr(0, colon);
    auto value = NonEmpty(std::string(TrimSp(line.substr(colon + 1))));
    if (!value) continue;
    if (key == "Cat") {
      r.catalogue_number = value;
    } else if (key == "Released") {
      r.release_date = ParseDate(*value, profile_.date_format);
      if (!r.release_date) r.release_date = ParseDate(*value, "%Y-%m-%d");
      if (!r.release_date) r.release_date = ParseDate(*value, "%d %B %Y");
    } else if (key == "Genre") {
      r.store_genre = value;
    }
  }
  if (r.store_genre) r.parent_genre = ParentOf(r.store_genre, "");
  NeedReleaseFields(r);

  int index = 0;
  for (const GumboNode* tn : sel_.product_track.SelectAll(doc.root())) {
    ParsedTrack t;  // fresh per track; all fields read inside this element
    ++index;
    t.position = index;
    const Selector& own = sel_.product_track;
    if (auto num = TextAt(sel_.product_track_number, tn, &own)) {
      int n = std::atoi(num->c_str());
      if (n > 0 && n < 1000) t.position = n;
    }
    t.store_id = TrackStoreId(r.store_id, t.position);
    t.title = TextAt(sel_.product_track_name, tn, &own);
    t.artist = TextAt(sel_.product_track_artist, tn, &own);
    if (const GumboNode* d = sel_.product_track_duration.SelectFirst(tn, own)) {
      const char* content = AttrOf(d, "content");
      if (content) t.duration_s = ParseIsoDuration(content);
    }
    if (auto b = TextAt(sel_.product_track_bpm, tn, &own)) {
      t.bpm = ParseBpm(*b);
    }
    SetPreview(sel_.product_preview.SelectFirst(tn, own), page_url, t);
    AddTrack(std::move(t), r, page.missing_fields);
  }
  return page;
}

}  // namespace cratedig::crawler
