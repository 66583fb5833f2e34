// MiniStore: a tiny in-process store on 127.0.0.1 that serves pages in the
// shape of docs/store-html.md, for testing the crawl engine and the
// downloader without the full sample store. Deterministic catalogue;
// optional deterministic faults (503s, 429 with Retry-After).
#pragma once

#include <httplib.h>

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "crawler/clock.h"

namespace cratedig::crawler::testing {

struct MiniTrack {
  int position = 0;
  std::string store_id, artist, title;
  int duration_s = 0;
  int bpm = 0;
  bool has_preview = true;
  bool preview_404 = false;
  bool preview_corrupt = false;
};

struct MiniRelease {
  std::string slug, store_id, url_path, artist, title, label, cat, date_text,
      date_iso, store_genre, parent;
  std::vector<MiniTrack> tracks;
};

struct MiniStoreOptions {
  int releases_per_genre = 23;
  int page_size = 10;
  // Every 9th request 503, every 17th 429; but never more than the first
  // two requests of a path, so a client with max_retries >= 2 always gets
  // through whatever order its requests interleave in.
  bool faults = false;
  std::string retry_after = "1";  // of the 429s
};

class MiniStore {
 public:
  explicit MiniStore(MiniStoreOptions o = {}) : opt_(o) {
    const char* slugs[] = {"trance-music", "drumandbass"};
    const char* genres[] = {"Trance", "Drum & Bass"};
    const char* parents[] = {"Trance", "Drum and Bass"};
    const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (int g = 0; g < 2; ++g) {
      for (int i = 0; i < opt_.releases_per_genre; ++i) {
        MiniRelease r;
        r.slug = slugs[g];
        int title_id = 1000000 + g * 1000 + i;
        r.store_id = std::to_string(title_id) + "-01";
        r.url_path = "/products/release-" + std::to_string(g) + "-" +
                     std::to_string(i) + "/" + r.store_id + "/";
        r.artist = "Artist " + std::to_string(g) + "-" + std::to_string(i);
        r.title = "Title \"" + std::to_string(i) + "\" & Co";
        r.label = "Label " + std::to_string(i % 3);
        r.cat = "CAT" + std::to_string(g) + std::to_string(i);
        int day = 1 + i % 28, month = i % 12;
        r.date_text = (day < 10 ? "0" : "") + std::to_string(day) + " " +
                      months[month] + " 2" + std::to_string(i % 10);
        r.date_iso = "202" + std::to_string(i % 10) + "-" +
                     (month + 1 < 10 ? "0" : "") + std::to_string(month + 1) +
                     "-" + (day < 10 ? "0" : "") + std::to_string(day);
        r.store_genre = genres[g];
        r.parent = parents[g];
        for (int p = 1; p <= 3; ++p) {
          MiniTrack t;
          t.position = p;
          t.store_id = r.store_id + "-01-0" + std::to_string(p);
          t.artist = r.artist;
          t.title = "Track " + std::to_string(p) + " of " + std::to_string(i);
          t.duration_s = 60 + i + p;
          t.bpm = 120 + p;
          t.has_preview = !(p == 2 && i % 4 == 1);
          t.preview_404 = p == 3 && i % 5 == 3;
          t.preview_corrupt = p == 1 && i % 7 == 2;
          r.tracks.push_back(t);
        }
        releases_.push_back(r);
      }
    }
    svr_.Get(".*", [this](const httplib::Request& q, httplib::Response& r) {
      Serve(q, r);
    });
    svr_.set_tcp_nodelay(true);  // no 40 ms Nagle/delayed-ACK stalls
    port_ = svr_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { svr_.listen_after_bind(); });
    while (!svr_.is_running()) std::this_thread::yield();
  }
  ~MiniStore() {
    svr_.stop();
    thread_.join();
  }

  std::string base_url() const {
    return "http://127.0.0.1:" + std::to_string(port_);
  }
  const std::vector<MiniRelease>& releases() const { return releases_; }
  std::vector<std::pair<std::string, double>> log() {
    std::lock_guard<std::mutex> l(mu_);
    return log_;
  }
  // (time of the 429, Retry-After seconds) pairs.
  std::vector<double> retry_after_times() {
    std::lock_guard<std::mutex> l(mu_);
    return retry_after_at_;
  }

 private:
  static std::string Esc(const std::string& s) {
    std::string out;
    for (char c : s) {
      if (c == '&') {
        out += "&amp;";
      } else if (c == '"') {
        out += "&quot;";
      } else if (c == '<') {
        out += "&lt;";
      } else {
        out += c;
      }
    }
    return out;
  }
  static std::string Clock(int s) {
    return std::to_string(s / 60) + ":" + (s % 60 < 10 ? "0" : "") +
           std::to_string(s % 60);
  }

  void Serve(const httplib::Request& q, httplib::Response& r) {
    int n, of_path;
    {
      std::lock_guard<std::mutex> l(mu_);
      log_.emplace_back(q.target, SystemClock::Get().Now());
      n = ++requests_;
      of_path = ++requests_by_path_[q.path];
    }
    if (opt_.faults && q.path != "/robots.txt" && of_path <= 2) {
      if (n % 17 == 8) {
        std::lock_guard<std::mutex> l(mu_);
        retry_after_at_.push_back(SystemClock::Get().Now());
        r.status = 429;
        r.set_header("Retry-After", opt_.retry_after);
        return;
      }
      if (n % 9 == 4) {
        r.status = 503;
        return;
      }
    }
    const std::string& p = q.path;
    if (p == "/robots.txt") {
      r.set_content(
          "User-agent: *\nDisallow: /search/\nDisallow: /cart/\n"
          "Disallow: /account/\n",
          "text/plain");
      return;
    }
    for (const char* slug : {"trance-music", "drumandbass"}) {
      std::string prefix = std::string("/") + slug + "/back-cat/releases/";
      if (p.rfind(prefix, 0) == 0) {
        int page = std::atoi(p.substr(prefix.size()).c_str());
        r.set_content(Listing(slug, page), "text/html");
        return;
      }
    }
    for (const MiniRelease& rel : releases_) {
      if (p == rel.url_path) {
        r.set_content(Product(rel), "text/html");
        return;
      }
      for (const MiniTrack& t : rel.tracks) {
        if (t.has_preview && p == "/MP3/SF" + t.store_id + ".mp3") {
          if (t.preview_404) {
            r.status = 404;
            return;
          }
          if (t.preview_corrupt) {
            r.set_content("<html>oops</html>", "audio/mpeg");
            return;
          }
          r.set_content(Mp3(t.store_id), "audio/mpeg");
          return;
        }
      }
    }
    r.status = 404;
  }

  static std::string Mp3(const std::string& id) {
    std::string tag = id;
    std::string out("ID3\x04\x00\x00\x00\x00\x00", 9);
    out += static_cast<char>(tag.size());
    out += tag;
    for (int i = 0; i < 3; ++i) {
      std::string f(417, static_cast<char>(i));
      f[0] = '\xFF';
      f[1] = '\xFB';
      f[2] = '\x90';
      f[3] = '\x00';
      out += f;
    }
    return out;
  }

  std::string Listing(const std::string& slug, int page) {
    std::vector<const MiniRelease*> rels;
    for (const MiniRelease& r : releases_) {
      if (r.slug == slug) rels.push_back(&r);
    }
    std::string h =
        "<!DOCTYPE html><html><head><title>listing</title></head><body>"
        "<nav><a href=\"/search/?q=x\">Search</a> <a href=\"/cart/\">Cart</a>"
        "</nav><div id=\"cookie-banner\">cookies</div>\n";
    size_t start = static_cast<size_t>((page - 1) * opt_.page_size);
    for (size_t i = start;
         i < rels.size() && i < start + static_cast<size_t>(opt_.page_size);
         ++i) {
      const MiniRelease& r = *rels[i];
      h += "<div class=\"jd-listing-item\" data-ua_location=\"release\">\n"
           "<div class=\"juno-artist\"><a href=\"/artists/x/\">" +
           Esc(r.artist) + "</a></div>\n<a class=\"juno-title\" href=\"" +
           r.url_path + "\">" + Esc(r.title) +
           "</a>\n<a class=\"juno-label\" href=\"/labels/x/\">" + Esc(r.label) +
           "</a>\n<div class=\"text-sm text-muted mt-3 lit-date-cat-genre\">" +
           Esc(r.cat) + "<br>" + r.date_text + "<br>" + Esc(r.store_genre) +
           "</div>\n<div class=\"jd-listing-tracklist\">\n";
      for (const MiniTrack& t : r.tracks) {
        h += "<div class=\"col listing-track\">" + Esc(t.artist) + " - \"" +
             Esc(t.title) + "\" - (" + Clock(t.duration_s) +
             ") <span class=\"bpm\">" + std::to_string(t.bpm) +
             "&nbsp;BPM</span></div>\n";
      }
      h += "</div><a href=\"/cart/add/" + r.store_id +
           "/\">Add to cart</a></div>\n";
    }
    if (start + static_cast<size_t>(opt_.page_size) < rels.size()) {
      h += "<a title=\"Next Page\" href=\"/" + slug + "/back-cat/releases/" +
           std::to_string(page + 1) +
           "/?order=date_down&amp;items_per_page=100\">next</a>";
    }
    return h + "</body></html>";
  }

  std::string Product(const MiniRelease& r) {
    std::string h = "<html><body><h1 class=\"product-title\">" + Esc(r.title) +
                    "</h1><div class=\"product-artist\">" + Esc(r.artist) +
                    "</div><div class=\"product-label\">" + Esc(r.label) +
                    "</div><div class=\"product-meta\">Cat: " + Esc(r.cat) +
                    "<br>Released: " + r.date_text +
                    "<br>Genre: " + Esc(r.store_genre) +
                    "</div><div class=\"product-tracklist\">\n";
    for (const MiniTrack& t : r.tracks) {
      h += "<div class=\"product-tracklist-track\" itemprop=\"track\">"
           "<meta itemprop=\"duration\" content=\"P0H" +
           std::to_string(t.duration_s / 60) + "M" +
           std::to_string(t.duration_s % 60) +
           "S\"><span class=\"track-number\">" + std::to_string(t.position) +
           "</span><span itemprop=\"name\">" + Esc(t.title) +
           "</span><span class=\"track-artist\" itemprop=\"byArtist\">" +
           Esc(t.artist) + "</span><span class=\"track-bpm\">" +
           std::to_string(t.bpm) + " BPM</span>";
      if (t.has_preview) {
        h += "<a class=\"btn-play\" href=\"/MP3/SF" + t.store_id +
             ".mp3\">play</a>";
      }
      h += "</div>\n";
    }
    return h + "</div></body></html>";
  }

  MiniStoreOptions opt_;
  std::vector<MiniRelease> releases_;
  httplib::Server svr_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  int requests_ = 0;
  std::map<std::string, int> requests_by_path_;
  std::vector<std::pair<std::string, double>> log_;
  std::vector<double> retry_after_at_;
};

}  // namespace cratedig::crawler::testing
