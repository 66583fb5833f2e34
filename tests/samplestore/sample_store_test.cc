#include "samplestore/sample_store.h"

#include <gtest/gtest.h>
#include <gumbo.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>

#include "core/files.h"
#include "samplestore/pages.h"
#include "tests/samplestore/mp3_decode.h"

namespace cratedig::samplestore {
namespace {

namespace fs = std::filesystem;

std::unique_ptr<SampleStore> StartOrDie(const StoreOptions& o) {
  auto s = SampleStore::Start(o);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(*s) : nullptr;
}

httplib::Result Get(SampleStore& s, const std::string& path,
                    const std::string& ua = "samplestore-test/1") {
  httplib::Client cli("127.0.0.1", s.port());
  cli.set_read_timeout(10, 0);
  return cli.Get(path, {{"User-Agent", ua}});
}

// ---- a tiny DOM walker over gumbo ------------------------------------
bool HasClass(GumboNode* n, const std::string& cls) {
  if (n->type != GUMBO_NODE_ELEMENT) return false;
  GumboAttribute* a = gumbo_get_attribute(&n->v.element.attributes, "class");
  if (!a) return false;
  std::string v = std::string(" ") + a->value + " ";
  return v.find(" " + cls + " ") != std::string::npos;
}
void FindAll(GumboNode* n, const std::function<bool(GumboNode*)>& pred,
             std::vector<GumboNode*>* out) {
  if (n->type != GUMBO_NODE_ELEMENT) return;
  if (pred(n)) out->push_back(n);
  GumboVector* c = &n->v.element.children;
  for (unsigned i = 0; i < c->length; ++i) {
    FindAll(static_cast<GumboNode*>(c->data[i]), pred, out);
  }
}
std::vector<GumboNode*> ByClass(GumboNode* root, const std::string& cls) {
  std::vector<GumboNode*> out;
  FindAll(
      root, [&](GumboNode* n) { return HasClass(n, cls); }, &out);
  return out;
}
std::string Text(GumboNode* n) {
  if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE) {
    return n->v.text.text;
  }
  if (n->type != GUMBO_NODE_ELEMENT) return "";
  if (n->v.element.tag == GUMBO_TAG_BR) return "\n";
  std::string s;
  GumboVector* c = &n->v.element.children;
  for (unsigned i = 0; i < c->length; ++i) {
    s += Text(static_cast<GumboNode*>(c->data[i]));
  }
  return s;
}
std::string Trim(std::string s) {
  const char* ws = " \n\t\r";
  s.erase(0, s.find_first_not_of(ws));
  s.erase(s.find_last_not_of(ws) + 1);
  return s;
}
std::string Attr(GumboNode* n, const char* name) {
  GumboAttribute* a = gumbo_get_attribute(&n->v.element.attributes, name);
  return a ? a->value : "";
}

struct Doc {
  GumboOutput* out;
  explicit Doc(const std::string& html) : out(gumbo_parse(html.c_str())) {}
  ~Doc() { gumbo_destroy_output(&kGumboDefaultOptions, out); }
  GumboNode* root() { return out->root; }
};

// Every page and preview body of a store, by path.
std::map<std::string, std::string> FetchAll(SampleStore& s) {
  std::map<std::string, std::string> all;
  for (const ListingDef& l : StoreListings()) {
    for (int page = 1;; ++page) {
      auto res = Get(s, ListingPath(l.slug, page));
      if (!res || res->status != 200) break;
      all[ListingPath(l.slug, page)] = res->body;
    }
  }
  for (const auto& r : s.catalogue().releases) {
    auto res = Get(s, r.url_path);
    if (res) all[r.url_path] = res->body;
    for (const auto& t : r.tracks) {
      if (!t.has_preview) continue;
      auto m = Get(s, t.preview_path);
      if (m) all[t.preview_path] = m->body;
    }
  }
  return all;
}

class SampleStoreTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    StoreOptions o;
    o.seed = 7;
    o.tracks_per_genre = 3;
    o.preview_seconds = 6;
    o.items_per_page = 2;  // several pages per listing
    o.threads = 2;
    log_path_ = new fs::path(
        fs::temp_directory_path() /
        ("samplestore_test_" + std::to_string(::getpid()) + ".log"));
    fs::remove(*log_path_);
    o.request_log = log_path_->string();
    store_ = StartOrDie(o).release();
  }
  static void TearDownTestSuite() {
    delete store_;
    fs::remove(*log_path_);
    delete log_path_;
  }
  static SampleStore* store_;
  static fs::path* log_path_;
};
SampleStore* SampleStoreTest::store_ = nullptr;
fs::path* SampleStoreTest::log_path_ = nullptr;

TEST_F(SampleStoreTest, ListingPagesMatchTheCatalogue) {
  ASSERT_NE(store_, nullptr);
  const Catalogue& cat = store_->catalogue();
  for (const ListingDef& l : StoreListings()) {
    const std::vector<const ReleaseTruth*> truth = ListingItems(cat, l.slug);
    ASSERT_FALSE(truth.empty()) << l.slug;
    size_t seen = 0;
    std::string path = ListingPath(l.slug, 1);
    int pages = 0;
    while (!path.empty()) {
      auto res = Get(*store_, path);
      ASSERT_TRUE(res) << path;
      ASSERT_EQ(res->status, 200) << path;
      ++pages;
      Doc doc(res->body);
      for (GumboNode* item : ByClass(doc.root(), "jd-listing-item")) {
        ASSERT_LT(seen, truth.size());
        const ReleaseTruth& r = *truth[seen++];
        EXPECT_EQ(Trim(Text(ByClass(item, "juno-artist").at(0))), r.artist);
        GumboNode* title = ByClass(item, "juno-title").at(0);
        EXPECT_EQ(Text(title), r.title);
        EXPECT_EQ(Attr(title, "href"), r.url_path);
        EXPECT_EQ(Text(ByClass(item, "juno-label").at(0)), r.label);
        EXPECT_EQ(Trim(Text(ByClass(item, "lit-date-cat-genre").at(0))),
                  r.catalogue_number + "\n" + ListingDate(r.release_date) +
                      "\n" + r.store_genre);
        auto tracks = ByClass(item, "listing-track");
        ASSERT_EQ(tracks.size(), r.tracks.size());
        for (size_t i = 0; i < tracks.size(); ++i) {
          const auto& t = r.tracks[i];
          const int d = static_cast<int>(t.duration_s);
          char dur[16];
          std::snprintf(dur, sizeof(dur), "(%d:%02d)", d / 60, d % 60);
          EXPECT_EQ(Trim(Text(tracks[i])),
                    t.artist + " - \"" + t.title + "\" - " + dur + " " +
                        std::to_string(static_cast<int>(t.bpm)) + "\u00a0BPM");
          // The row's play button, as on the real listing: only for a
          // track that has a preview.
          auto play = ByClass(tracks[i], "btn-play");
          ASSERT_EQ(play.size(), t.has_preview ? 1u : 0u) << t.store_id;
          if (t.has_preview) {
            EXPECT_EQ(Attr(play[0], "href"), t.preview_path);
          }
        }
      }
      std::vector<GumboNode*> next;
      FindAll(
          doc.root(),
          [](GumboNode* n) {
            return n->v.element.tag == GUMBO_TAG_A &&
                   Attr(n, "title") == "Next Page";
          },
          &next);
      path = next.empty() ? "" : Attr(next[0], "href");
    }
    EXPECT_EQ(seen, truth.size()) << l.slug;
    EXPECT_EQ(pages, static_cast<int>((truth.size() + 1) / 2)) << l.slug;
  }
  // One past the last page does not exist.
  auto res = Get(*store_, ListingPath("techno", 99));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
}

TEST_F(SampleStoreTest, ConditionalRequestsGet304) {
  ASSERT_NE(store_, nullptr);
  const std::string path = ListingPath("trance-music", 1);
  httplib::Client cli("127.0.0.1", store_->port());
  auto first = cli.Get(path);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200);
  const std::string etag = first->get_header_value("ETag");
  const std::string lm = first->get_header_value("Last-Modified");
  ASSERT_FALSE(etag.empty());
  ASSERT_FALSE(lm.empty());
  const uint64_t before = store_->not_modified();
  auto same = cli.Get(path, {{"If-None-Match", etag}});
  ASSERT_TRUE(same);
  EXPECT_EQ(same->status, 304);
  EXPECT_TRUE(same->body.empty());
  EXPECT_EQ(same->get_header_value("ETag"), etag);
  auto since = cli.Get(path, {{"If-Modified-Since", lm}});
  ASSERT_TRUE(since);
  EXPECT_EQ(since->status, 304);
  // If-None-Match decides alone: another tag is a full answer, whatever
  // If-Modified-Since says.
  auto other = cli.Get(
      path, {{"If-None-Match", "\"other\""}, {"If-Modified-Since", lm}});
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200);
  EXPECT_EQ(other->body, first->body);
  auto older =
      cli.Get(path, {{"If-Modified-Since", "Thu, 01 Jan 2004 00:00:00 GMT"}});
  ASSERT_TRUE(older);
  EXPECT_EQ(older->status, 200);
  EXPECT_EQ(store_->not_modified(), before + 2);
  // Previews too.
  const std::string mp3 =
      store_->catalogue().releases[0].tracks[0].preview_path;
  ASSERT_FALSE(mp3.empty());
  auto a = cli.Get(mp3);
  ASSERT_TRUE(a);
  auto b = cli.Get(mp3, {{"If-None-Match", a->get_header_value("ETag")}});
  ASSERT_TRUE(b);
  EXPECT_EQ(b->status, 304);
}

TEST(SampleStoreHeldBackTest, PublishPutsNewReleasesOnTopOfPageOne) {
  StoreOptions o;
  o.seed = 7;
  o.tracks_per_genre = 3;
  o.preview_seconds = 0.25;
  o.threads = 2;
  o.held_back = 1;
  auto store = StartOrDie(o);
  ASSERT_NE(store, nullptr);
  const std::string path = ListingPath("trance-music", 1);
  auto before = Get(*store, path);
  ASSERT_TRUE(before);
  const ReleaseTruth* newest = nullptr;
  for (const auto& r : store->catalogue().releases) {
    if (r.listing_slug == "trance-music") {
      newest = &r;
      break;
    }
  }
  ASSERT_NE(newest, nullptr);
  EXPECT_FALSE(store->Published(newest->store_id));
  EXPECT_EQ(before->body.find(newest->url_path), std::string::npos);
  auto product = Get(*store, newest->url_path);
  ASSERT_TRUE(product);
  EXPECT_EQ(product->status, 404);

  EXPECT_GT(store->Publish(1), 0);
  EXPECT_TRUE(store->Published(newest->store_id));
  auto after = Get(*store, path);
  ASSERT_TRUE(after);
  EXPECT_NE(after->body.find(newest->url_path), std::string::npos);
  EXPECT_NE(after->get_header_value("ETag"), before->get_header_value("ETag"));
  EXPECT_EQ(Get(*store, newest->url_path)->status, 200);
  EXPECT_EQ(store->Publish(1), 0);  // nothing left to publish
}

TEST_F(SampleStoreTest, ProductPagesMatchTheCatalogue) {
  ASSERT_NE(store_, nullptr);
  int without_preview = 0;
  for (const auto& r : store_->catalogue().releases) {
    auto res = Get(*store_, r.url_path);
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200);
    Doc doc(res->body);
    EXPECT_EQ(Text(ByClass(doc.root(), "product-title").at(0)), r.title);
    EXPECT_EQ(Trim(Text(ByClass(doc.root(), "product-label").at(0))), r.label);
    EXPECT_EQ(Trim(Text(ByClass(doc.root(), "product-meta").at(0))),
              "Cat: " + r.catalogue_number + "\nReleased: " +
                  ListingDate(r.release_date) + "\nGenre: " + r.store_genre);
    auto tracks = ByClass(doc.root(), "product-tracklist-track");
    ASSERT_EQ(tracks.size(), r.tracks.size());
    for (size_t i = 0; i < tracks.size(); ++i) {
      const auto& t = r.tracks[i];
      EXPECT_EQ(Attr(tracks[i], "itemprop"), "track");
      std::vector<GumboNode*> name, meta, play;
      FindAll(
          tracks[i], [](GumboNode* n) { return Attr(n, "itemprop") == "name"; },
          &name);
      FindAll(
          tracks[i],
          [](GumboNode* n) { return n->v.element.tag == GUMBO_TAG_META; },
          &meta);
      FindAll(
          tracks[i], [](GumboNode* n) { return HasClass(n, "btn-play"); },
          &play);
      ASSERT_EQ(name.size(), 1u);
      EXPECT_EQ(Text(name[0]), t.title);
      ASSERT_EQ(meta.size(), 1u);
      const int d = static_cast<int>(t.duration_s);
      EXPECT_EQ(Attr(meta[0], "content"), "P0H" + std::to_string(d / 60) + "M" +
                                              std::to_string(d % 60) + "S");
      if (t.has_preview) {
        ASSERT_EQ(play.size(), 1u);
        EXPECT_EQ(Attr(play[0], "href"), t.preview_path);
      } else {
        EXPECT_TRUE(play.empty());
        ++without_preview;
      }
    }
  }
  (void)without_preview;
}

TEST_F(SampleStoreTest, EveryPreviewDecodesToTheRequestedDuration) {
  ASSERT_NE(store_, nullptr);
  int n = 0;
  for (const auto& r : store_->catalogue().releases) {
    for (const auto& t : r.tracks) {
      if (!t.has_preview) continue;
      auto res = Get(*store_, t.preview_path);
      ASSERT_TRUE(res);
      ASSERT_EQ(res->status, 200);
      EXPECT_EQ(res->get_header_value("Content-Type"), "audio/mpeg");
      auto d = testing_util::DecodeMp3(res->body);
      ASSERT_TRUE(d.ok) << t.preview_path << " " << d.error;
      EXPECT_EQ(d.sample_rate, 44100);
      EXPECT_EQ(d.channels, 2);
      EXPECT_NEAR(d.frames / 44100.0, 6.0, 0.1) << t.preview_path;
      ++n;
    }
  }
  EXPECT_GT(n, 25);
}

TEST_F(SampleStoreTest, RobotsDisallowsSearchCartAccount) {
  ASSERT_NE(store_, nullptr);
  auto res = Get(*store_, "/robots.txt");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->body.find("Disallow: /search/"), std::string::npos);
  EXPECT_NE(res->body.find("Disallow: /cart/"), std::string::npos);
  EXPECT_NE(res->body.find("Disallow: /account/"), std::string::npos);
  EXPECT_EQ(res->body.find("Crawl-delay"), std::string::npos);
  // And the pages link to them, so a crawler must check robots.
  auto page = Get(*store_, ListingPath("trance-music", 1));
  ASSERT_TRUE(page);
  EXPECT_NE(page->body.find("href=\"/search/"), std::string::npos);
  EXPECT_NE(page->body.find("href=\"/cart/"), std::string::npos);
}

TEST_F(SampleStoreTest, RequestLogHasOneLinePerRequest) {
  ASSERT_NE(store_, nullptr);
  const std::string ua = "log-test/2 (+http://x)";
  ASSERT_TRUE(Get(*store_, "/robots.txt", ua));
  ASSERT_TRUE(Get(*store_, "/no/such/page/", ua));
  std::ifstream in(*log_path_);
  std::string line;
  std::vector<std::string> mine;
  const std::regex shape(
      R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z\tGET\t\S+\t[^\t]*\t\d{3})");
  while (std::getline(in, line)) {
    EXPECT_TRUE(std::regex_match(line, shape)) << line;
    if (line.find(ua) != std::string::npos) mine.push_back(line);
  }
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_NE(mine[0].find("\t/robots.txt\t" + ua + "\t200"), std::string::npos);
  EXPECT_NE(mine[1].find("\t/no/such/page/\t" + ua + "\t404"),
            std::string::npos);
}

TEST(SampleStoreDeterminismTest, SameSeedSameBytesOtherSeedDiffers) {
  StoreOptions o;
  o.tracks_per_genre = 2;
  o.preview_seconds = 3;
  o.threads = 1;
  auto a = StartOrDie(o);
  o.threads = 2;  // threads must not change a byte
  auto b = StartOrDie(o);
  o.seed = 8;
  auto c = StartOrDie(o);
  ASSERT_TRUE(a && b && c);
  auto fa = FetchAll(*a), fb = FetchAll(*b), fc = FetchAll(*c);
  ASSERT_GT(fa.size(), 40u);
  ASSERT_EQ(fa.size(), fb.size());
  int mp3s = 0;
  for (const auto& [path, body] : fa) {
    ASSERT_TRUE(fb.count(path)) << path;
    EXPECT_EQ(Sha256Hex(body), Sha256Hex(fb[path])) << path;
    mp3s += path.rfind("/MP3/", 0) == 0;
  }
  EXPECT_GT(mp3s, 15);
  EXPECT_EQ(a->catalogue().ToJson(), b->catalogue().ToJson());
  // Another seed: other releases, other pages, other audio.
  EXPECT_NE(a->catalogue().ToJson(), c->catalogue().ToJson());
  int same = 0;
  for (const auto& [path, body] : fc) {
    if (fa.count(path) && Sha256Hex(fa[path]) == Sha256Hex(body)) {
      ++same;
      ADD_FAILURE() << "same bytes for both seeds: " << path;
    }
  }
  EXPECT_EQ(same, 0);
}

TEST(SampleStoreFaultsTest, TransientFaultsAtTheirRatesAndClearOnRetry) {
  StoreOptions o;
  o.tracks_per_genre = 1;
  o.preview_seconds = 1;
  o.faults.rate_429 = 0.08;
  o.faults.rate_429_date = 0.08;
  o.faults.rate_503 = 0.08;
  o.faults.rate_500 = 0.08;
  o.faults.rate_slow = 0.08;
  o.faults.rate_truncated = 0.08;
  o.faults.slow_delay = 0.04;
  o.faults.retry_after = 3;
  auto s = StartOrDie(o);
  ASSERT_TRUE(s);
  const int kPaths = 700;
  std::map<std::string, int> n;
  const std::regex http_date(
      R"([A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT)");
  for (int i = 0; i < kPaths; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    auto res = Get(*s, "/products/probe/" + std::to_string(i) + "/");
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
            .count();
    if (!res) {
      ++n["truncated"];
      continue;
    }
    const std::string ra = res->get_header_value("Retry-After");
    if (res->status == 429 && ra == "3")
      ++n["429"];
    else if (res->status == 429 && std::regex_match(ra, http_date))
      ++n["429_date"];
    else if (res->status == 503 && ra == "3")
      ++n["503"];
    else if (res->status == 500)
      ++n["500"];
    else if (res->status == 404 && secs >= 0.04)
      ++n["slow"];
    else if (res->status == 404)
      ++n["ok"];
    else
      ++n["other"];
  }
  for (const char* k : {"429", "429_date", "503", "500", "slow", "truncated"}) {
    // Binomial(700, 0.08): mean 56, sd 7.2; allow ~4 sd.
    EXPECT_NEAR(n[k] / double(kPaths), 0.08, 0.042) << k;
  }
  EXPECT_EQ(n["other"], 0);
  EXPECT_NEAR(n["ok"] / double(kPaths), 0.52, 0.08);

  // Retrying a path always gets through within max_consecutive + 1 tries.
  const auto& releases = s->catalogue().releases;
  for (size_t i = 0; i < releases.size(); ++i) {
    int tries = 0;
    bool ok = false;
    while (tries < 3 && !ok) {
      ++tries;
      auto res = Get(*s, releases[i].url_path);
      ok = res && res->status == 200;
    }
    EXPECT_TRUE(ok) << releases[i].url_path;
  }
  // robots.txt never faults.
  for (int i = 0; i < 30; ++i) {
    auto res = Get(*s, "/robots.txt");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
  }
}

TEST(SampleStoreFaultsTest, PermanentFaultsBehaveAsRecorded) {
  StoreOptions o;
  o.tracks_per_genre = 8;
  o.preview_seconds = 1;
  o.faults.rate_corrupt_mp3 = 0.2;
  o.faults.rate_preview_404 = 0.2;
  o.faults.rate_oversized = 0.2;
  o.faults.oversized_bytes = 300000;
  o.faults.rate_malformed_html = 0.25;
  o.faults.rate_redirect_loop = 0.25;
  o.faults.rate_redirect_offsite = 0.25;
  auto s = StartOrDie(o);
  ASSERT_TRUE(s);
  std::map<std::string, int> seen;
  for (const auto& r : s->catalogue().releases) {
    auto res = Get(*s, r.url_path);
    ASSERT_TRUE(res);
    const std::string f = r.faults.empty() ? "" : r.faults[0];
    ++seen[f.empty() ? "page_ok" : f];
    if (f == "redirect_loop") {
      ASSERT_EQ(res->status, 302);
      const std::string next = res->get_header_value("Location");
      EXPECT_EQ(next, r.url_path + "?loop=1");
      auto back = Get(*s, next);
      ASSERT_TRUE(back);
      EXPECT_EQ(back->status, 302);
      EXPECT_EQ(back->get_header_value("Location"), r.url_path);
    } else if (f == "redirect_offsite") {
      ASSERT_EQ(res->status, 302);
      EXPECT_EQ(
          res->get_header_value("Location").rfind("http://example.invalid/", 0),
          0u);
    } else {
      ASSERT_EQ(res->status, 200);
      const bool has_label =
          res->body.find("class=\"product-label\"") != std::string::npos;
      EXPECT_EQ(has_label, f != "malformed_html");
      if (f == "malformed_html") {  // still parses: names and previews
        Doc doc(res->body);
        EXPECT_EQ(ByClass(doc.root(), "product-tracklist-track").size(),
                  r.tracks.size());
      }
    }
    for (const auto& t : r.tracks) {
      if (!t.has_preview) continue;
      auto m = Get(*s, t.preview_path);
      ASSERT_TRUE(m);
      const std::string tf = t.faults.empty() ? "" : t.faults[0];
      ++seen[tf.empty() ? "mp3_ok" : tf];
      if (tf == "preview_404") {
        EXPECT_EQ(m->status, 404);
      } else if (tf == "corrupt_mp3") {
        EXPECT_EQ(m->status, 200);
        EXPECT_FALSE(testing_util::DecodeMp3(m->body).ok);
      } else if (tf == "oversized") {
        EXPECT_EQ(m->status, 200);
        EXPECT_EQ(m->body.size(), 300000u);
      } else {
        EXPECT_EQ(m->status, 200);
        EXPECT_TRUE(testing_util::DecodeMp3(m->body).ok);
      }
    }
  }
  for (const char* k :
       {"page_ok", "malformed_html", "redirect_loop", "redirect_offsite",
        "mp3_ok", "corrupt_mp3", "preview_404", "oversized"}) {
    EXPECT_GT(seen[k], 0) << k;
  }
}

TEST(SampleStoreOptionsTest, RejectsNonLoopbackAndBadSizes) {
  StoreOptions o;
  o.tracks_per_genre = 1;
  o.preview_seconds = 1;
  o.host = "0.0.0.0";
  EXPECT_EQ(SampleStore::Start(o).status().code(), StatusCode::kForbidden);
  o.host = "127.0.0.1";
  o.tracks_per_genre = 0;
  EXPECT_FALSE(SampleStore::Start(o).ok());
  o.tracks_per_genre = 1;
  o.faults_file = "/nonexistent/faults.toml";
  EXPECT_FALSE(SampleStore::Start(o).ok());
}

// Issue 12: two stores on one port answered alternately (SO_REUSEPORT).
TEST(SampleStoreOptionsTest, TakenPortIsAnError) {
  StoreOptions o;
  o.tracks_per_genre = 1;
  o.preview_seconds = 0.2;
  auto first = SampleStore::Start(o);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  o.port = (*first)->port();
  auto second = SampleStore::Start(o);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kIoError);
  EXPECT_NE(second.status().message().find("already in use"), std::string::npos)
      << second.status().message();
}

}  // namespace
}  // namespace cratedig::samplestore
