#include "samplestore/pages.h"

#include <fmt/format.h>

namespace cratedig::samplestore {

std::string HtmlEscape(const std::string& s) {
  std::string out;
  out.reserve(s.size() + 16);
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string ListingPath(const std::string& slug, int page) {
  return fmt::format(
      "/{}/back-cat/releases/{}/?order=date_down&items_per_page=100", slug,
      page);
}

namespace {

std::string Header(const std::string& title) {
  std::string h =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta "
      "charset=\"utf-8\">\n<title>" +
      HtmlEscape(title) +
      " | Sample Store</title>\n"
      "<link rel=\"stylesheet\" href=\"/static/site.css\">\n"
      "<script>window.dataLayer = window.dataLayer || [];"
      " var tpl = '<div class=\"jd-listing-item\"></div>';"
      " function gtag(){dataLayer.push(arguments);}</script>\n"
      "</head>\n<body>\n"
      "<div id=\"cookie-banner\" class=\"cookie-banner\">We use cookies to "
      "improve your experience &amp; for analytics. <a "
      "href=\"/account/cookies/\">Settings</a> <button>Accept</button></div>\n"
      "<nav class=\"navbar\"><a class=\"brand\" href=\"/\">Sample Store</a>\n"
      "<form action=\"/search/\" method=\"get\"><input name=\"q\"></form>\n"
      "<ul class=\"nav\">";
  for (const ListingDef& l : StoreListings()) {
    h += fmt::format("<li><a href=\"{}\">{}</a></li>",
                     HtmlEscape(ListingPath(l.slug, 1)),
                     HtmlEscape(l.store_genres.front()));
  }
  h += "<li><a href=\"/search/?q=new+releases&amp;type=all\">Search</a></li>"
       "<li><a href=\"/cart/\">Cart (0)</a></li>"
       "<li><a href=\"/account/login/\">Sign in</a></li></ul></nav>\n"
       "<div class=\"ad-slot\" data-slot=\"top-banner\"><iframe "
       "src=\"about:blank\" width=\"728\" height=\"90\"></iframe></div>\n";
  return h;
}

std::string Footer() {
  return "<footer><a href=\"/account/\">My account</a> | <a "
         "href=\"/search/?q=help\">Help</a></footer>\n"
         "<script async src=\"/static/analytics.js\"></script>\n"
         "<script type=\"application/json\" id=\"page-data\">{\"v\": 3, "
         "\"items\": \"</div><div class='juno-title'>\"}</script>\n"
         "</body>\n</html>\n";
}

std::string MinSec(double s) {
  const int t = static_cast<int>(s);
  return fmt::format("{}:{:02d}", t / 60, t % 60);
}

std::string IsoDuration(double s) {
  const int t = static_cast<int>(s);
  return fmt::format("P0H{}M{}S", t / 60, t % 60);
}

// Artists joined by " & " become one link each, as on the real store.
std::string ArtistLinks(const std::string& artist) {
  if (artist == "Various") return "Various";
  std::string out;
  size_t start = 0;
  while (true) {
    size_t amp = artist.find(" & ", start);
    std::string one = artist.substr(
        start, amp == std::string::npos ? std::string::npos : amp - start);
    out += fmt::format("<a href=\"/artists/{}/\">{}</a>", Slugify(one),
                       HtmlEscape(one));
    if (amp == std::string::npos) break;
    out += " &amp; ";
    start = amp + 3;
  }
  return out;
}

}  // namespace

std::string RenderListingPage(const ListingDef& listing, int page,
                              bool has_next,
                              const std::vector<const ReleaseTruth*>& items) {
  const std::string genre = listing.store_genres.front();
  std::string h =
      Header(genre + " back catalogue, page " + std::to_string(page));
  h += "<main class=\"container\">\n<h1>" + HtmlEscape(genre) +
       " &ndash; back catalogue</h1>\n<div class=\"jd-listing\">\n";
  for (size_t i = 0; i < items.size(); ++i) {
    const ReleaseTruth& r = *items[i];
    h += "<div class=\"jd-listing-item\" data-ua_location=\"release\">\n";
    h += "  <div class=\"juno-artist\">" + ArtistLinks(r.artist) + "</div>\n";
    h += fmt::format("  <a class=\"juno-title\" href=\"{}\">{}</a>\n",
                     HtmlEscape(r.url_path), HtmlEscape(r.title));
    h += fmt::format("  <a class=\"juno-label\" href=\"/labels/{}/\">{}</a>\n",
                     Slugify(r.label), HtmlEscape(r.label));
    h += fmt::format(
        "  <div class=\"text-sm text-muted mt-3 lit-date-cat-genre\">\n"
        "    {}<br>{}<br>{}\n  </div>\n",
        HtmlEscape(r.catalogue_number), ListingDate(r.release_date),
        HtmlEscape(r.store_genre));
    h += "  <div class=\"jd-listing-tracklist\">\n";
    for (const TrackTruth& t : r.tracks) {
      // The play button is an icon (no text), as on the real listing; a
      // track without a preview has none.
      const std::string play = t.has_preview ? "<a class=\"btn-play\" href=\"" +
                                                   HtmlEscape(t.preview_path) +
                                                   "\" title=\"Play\"></a> "
                                             : "";
      h += fmt::format(
          "    <div class=\"col listing-track\">{}{} - \"{}\" - ({}) <span "
          "class=\"bpm\">{}&nbsp;BPM</span></div>\n",
          play, HtmlEscape(t.artist), HtmlEscape(t.title), MinSec(t.duration_s),
          static_cast<int>(t.bpm));
    }
    h += "  </div>\n";
    h += fmt::format(
        "  <a class=\"btn-buy\" rel=\"nofollow\" href=\"/cart/add/{}/\">Buy"
        "</a>\n</div>\n",
        r.store_id);
    if (i == 4) {
      h += "<div class=\"ad-slot\" data-slot=\"in-list\"><a "
           "href=\"/search/?q=vinyl\">Vinyl sale &ndash; up to 50% off</a>"
           "</div>\n";
    }
  }
  h += "</div>\n<div class=\"pagination\">";
  if (page > 1) {
    h += fmt::format("<a title=\"Previous Page\" href=\"{}\">&laquo;</a> ",
                     HtmlEscape(ListingPath(listing.slug, page - 1)));
  }
  h += fmt::format("<span class=\"current\">{}</span>", page);
  if (has_next) {
    h += fmt::format(" <a title=\"Next Page\" href=\"{}\">&raquo;</a>",
                     HtmlEscape(ListingPath(listing.slug, page + 1)));
  }
  h += "</div>\n</main>\n";
  return h + Footer();
}

std::string RenderProductPage(const ReleaseTruth& r, bool malformed) {
  std::string h = Header(r.artist + " - " + r.title);
  h += "<main class=\"container product\">\n<div class=\"product-header\">\n";
  h += "<h1 class=\"product-title\">" + HtmlEscape(r.title) + "</h1>\n";
  h += "<div class=\"product-artist\">" + ArtistLinks(r.artist) + "</div>\n";
  if (!malformed) {
    h += fmt::format(
        "<div class=\"product-label\"><a href=\"/labels/{}/\">{}</a></div>\n",
        Slugify(r.label), HtmlEscape(r.label));
  }
  h += fmt::format(
      "<div class=\"product-meta\">Cat: {}<br>Released: {}<br>Genre: {}",
      HtmlEscape(r.catalogue_number), ListingDate(r.release_date),
      HtmlEscape(r.store_genre));
  h += malformed ? "\n<p class=\"blurb\">Out now" : "</div>\n</div>\n";
  h += "<div class=\"product-tracklist\">\n";
  for (const TrackTruth& t : r.tracks) {
    h += "  <div class=\"product-tracklist-track\" itemprop=\"track\" "
         "itemscope itemtype=\"http://schema.org/MusicRecording\">\n";
    if (!malformed) {
      h += "    <meta itemprop=\"duration\" content=\"" +
           IsoDuration(t.duration_s) + "\">\n";
    }
    h +=
        fmt::format("    <span class=\"track-number\">{}</span>\n", t.position);
    h += "    <span itemprop=\"name\">" + HtmlEscape(t.title) + "</span>\n";
    h += "    <span class=\"track-artist\" itemprop=\"byArtist\">" +
         HtmlEscape(t.artist) + "</span>\n";
    if (!malformed) {
      h += fmt::format("    <span class=\"track-bpm\">{} BPM</span>\n",
                       static_cast<int>(t.bpm));
    }
    if (t.has_preview) {
      h += "    <a class=\"btn-play\" href=\"" + HtmlEscape(t.preview_path) +
           "\" title=\"Play\">&#9658;</a>\n";
    }
    h += fmt::format(
        "    <a class=\"btn-buy\" rel=\"nofollow\" "
        "href=\"/cart/add/{}/\">Buy</a>\n  </div>\n",
        t.store_id);
  }
  h += "</div>\n";
  if (malformed) {
    // Unclosed wrappers and a stray end tag; the body ends without closing.
    h += "<div class=\"related\"><ul><li>More from this label<li>Similar "
         "releases</ul></span>\n</body>\n</html>\n";
    return h;
  }
  h += "</main>\n";
  return h + Footer();
}

std::string RenderRobots(double crawl_delay) {
  std::string s =
      "# Sample store robots.txt\n"
      "User-agent: *\n"
      "Disallow: /search/\n"
      "Disallow: /cart/\n"
      "Disallow: /account/\n";
  if (crawl_delay > 0) s += fmt::format("Crawl-delay: {}\n", crawl_delay);
  return s;
}

std::string RenderHomePage() {
  std::string h = Header("Home");
  h += "<main class=\"container\"><h1>Genres</h1><ul class=\"genres\">\n";
  for (const ListingDef& l : StoreListings()) {
    h += fmt::format("<li><a href=\"{}\">{}</a></li>\n",
                     HtmlEscape(ListingPath(l.slug, 1)),
                     HtmlEscape(l.store_genres.front()));
  }
  h += "</ul></main>\n";
  return h + Footer();
}

std::string RenderSimplePage(const std::string& title,
                             const std::string& text) {
  return Header(title) + "<main class=\"container\"><h1>" + HtmlEscape(title) +
         "</h1><p>" + HtmlEscape(text) + "</p></main>\n" + Footer();
}

}  // namespace cratedig::samplestore
