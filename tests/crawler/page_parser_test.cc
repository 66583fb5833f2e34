#include "crawler/page_parser.h"

#include <gtest/gtest.h>

#include "config/toml_reader.h"
#include "core/files.h"
#include "crawler/required_fields.h"

namespace cratedig::crawler {
namespace {

std::string Fixture(const std::string& name) {
  auto r = ReadFile(std::string(CRATEDIG_SOURCE_DIR) + "/tests/crawler/data/" +
                    name);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : "";
}

class PageParserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto p = config::LoadConfig<config::SiteProfile>(
        std::string(CRATEDIG_SOURCE_DIR) + "/configs/samplestore.toml");
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    profile_ = *p;
    auto parser = PageParser::Create(profile_);
    ASSERT_TRUE(parser.ok()) << parser.status().ToString();
    parser_.emplace(std::move(*parser));
  }
  Url U(const std::string& s) { return *ParseUrl(s); }

  config::SiteProfile profile_;
  std::optional<PageParser> parser_;
};

using V = std::vector<std::string>;

TEST_F(PageParserTest, ListingPage) {
  ListingPage page = parser_->ParseListing(
      Fixture("listing_page1.html"),
      U("http://127.0.0.1:8080/uplifting-trance/back-cat/releases/1/"
        "?order=date_down&items_per_page=100"),
      "Trance");
  ASSERT_EQ(page.releases.size(), 3u);
  EXPECT_EQ(page.parse_errors, 0);
  ASSERT_TRUE(page.next_url.has_value());
  EXPECT_EQ(*page.next_url,
            "http://127.0.0.1:8080/uplifting-trance/back-cat/releases/2/"
            "?order=date_down&items_per_page=100");

  const ParsedRelease& a = page.releases[0];
  EXPECT_EQ(a.store_id, "1234567-02");
  EXPECT_EQ(a.url, "http://127.0.0.1:8080/products/some-title/1234567-02/");
  EXPECT_EQ(a.artist, "Foo & Bar");
  EXPECT_EQ(a.title, "Some \"Title\" EP");
  EXPECT_EQ(a.label, "Label Name");
  EXPECT_EQ(a.catalogue_number, "CAT 001");
  EXPECT_EQ(a.release_date, "2023-11-21");
  EXPECT_EQ(a.store_genre, "Uplifting Trance");
  EXPECT_EQ(a.parent_genre, "Trance");
  EXPECT_TRUE(a.missing.empty());
  ASSERT_EQ(a.tracks.size(), 2u);
  EXPECT_EQ(a.tracks[0].store_id, "1234567-02-01-01");
  EXPECT_EQ(a.tracks[0].artist, "Foo");
  EXPECT_EQ(a.tracks[0].title, "Track One");
  EXPECT_EQ(a.tracks[0].duration_s, 372);
  EXPECT_EQ(a.tracks[0].bpm, 138);
  EXPECT_EQ(a.tracks[1].store_id, "1234567-02-01-02");
  EXPECT_EQ(a.tracks[1].artist, "Foo & Bar");
  EXPECT_EQ(a.tracks[1].title, "Track Two (Dub)");
  EXPECT_EQ(a.tracks[1].duration_s, 340);
  // The play button of a listing track is its own: track 2 has none, and
  // does not take track 1's.
  EXPECT_EQ(a.tracks[0].preview_url,
            "http://127.0.0.1:8080/MP3/SF1234567-02-01-01.mp3");
  EXPECT_FALSE(a.tracks[1].preview_url.has_value());

  const ParsedRelease& b = page.releases[1];
  EXPECT_EQ(b.store_id, "7654321-01");
  EXPECT_EQ(b.url,
            "https://www.example-store.test/products/compilation-vol-1/"
            "7654321-01/");
  EXPECT_EQ(b.artist, "Various");
  EXPECT_EQ(b.release_date, "1999-01-03");
  EXPECT_EQ(b.store_genre, "Balearic/Downtempo");
  EXPECT_EQ(b.parent_genre, "Downtempo");  // from genre_map, not the listing
  ASSERT_EQ(b.tracks.size(), 3u);
  EXPECT_EQ(b.tracks[0].title, "Says \"Hello\"");
  EXPECT_EQ(b.tracks[0].duration_s, 3723);
  EXPECT_EQ(b.tracks[0].bpm, 90);
  EXPECT_EQ(b.tracks[1].title, "Untitled");
  EXPECT_FALSE(b.tracks[1].bpm.has_value());
  EXPECT_EQ(b.tracks[1].missing, V{"bpm"});
  EXPECT_EQ(b.tracks[2].artist, "Gamma - Delta");
  EXPECT_EQ(b.tracks[2].title, "Hyphen - Title");
  EXPECT_EQ(b.tracks[2].bpm, 120.5);
  EXPECT_EQ(b.tracks[0].preview_url,
            "https://www.example-store.test/MP3/SF7654321-01-01-01.mp3");
  EXPECT_FALSE(b.tracks[2].preview_url.has_value());

  const ParsedRelease& c = page.releases[2];
  EXPECT_EQ(c.store_genre, "Polka");
  EXPECT_FALSE(c.parent_genre.has_value());  // unmapped: no parent
  EXPECT_EQ(page.missing_fields, 1);

  // Listing-first: rows a and b carry previews and a genre; c shows no
  // preview at all, so its product page is needed.
  const V required = profile_.required;
  EXPECT_EQ(required, (V{"preview_url", "genre"}));
  EXPECT_TRUE(MissingRequired(a, required).empty());
  EXPECT_TRUE(MissingRequired(b, required).empty());
  EXPECT_EQ(MissingRequired(c, required), V{"preview_url"});
  // b's track 2 lacks a BPM; a row with no tracks lacks every track field.
  EXPECT_EQ(MissingRequired(b, {"bpm", "duration", "label"}), V{"bpm"});
  ParsedRelease bare = a;
  bare.tracks.clear();
  bare.store_genre.reset();
  EXPECT_EQ(MissingRequired(bare, {"genre", "preview_url", "duration"}),
            (V{"genre", "preview_url", "duration"}));
}

TEST_F(PageParserTest, LastPageHasNoNextLink) {
  ListingPage page = parser_->ParseListing(
      Fixture("listing_last.html"),
      U("http://127.0.0.1:8080/trance-music/back-cat/releases/7/"), "Trance");
  ASSERT_EQ(page.releases.size(), 1u);
  EXPECT_FALSE(page.next_url.has_value());  // never request a missing next
  EXPECT_EQ(page.releases[0].release_date, "2005-03-01");
}

TEST_F(PageParserTest, MalformedListingNeverLeaksFields) {
  ListingPage page = parser_->ParseListing(
      Fixture("listing_malformed.html"),
      U("http://127.0.0.1:8080/trance-music/back-cat/releases/1/"), "Trance");
  EXPECT_EQ(page.parse_errors, 2);  // no title link; URL without a store id
  ASSERT_EQ(page.releases.size(), 4u);

  const ParsedRelease& a = page.releases[0];
  EXPECT_EQ(a.store_id, "3000001-01");
  EXPECT_FALSE(a.artist.has_value());  // not "Has Artist" from the next item
  EXPECT_EQ(a.missing, V{"artist"});
  EXPECT_EQ(a.title, "No Artist Here");
  EXPECT_EQ(a.label, "Label A");
  EXPECT_EQ(a.release_date, "2022-02-02");
  ASSERT_EQ(a.tracks.size(), 2u);      // not the nested item's track
  EXPECT_EQ(a.tracks[0].title, "T1");  // the unclosed track's own text
  EXPECT_EQ(a.tracks[0].bpm, 130);
  EXPECT_EQ(a.tracks[1].title, "T2");
  EXPECT_EQ(a.tracks[1].duration_s, 250);

  const ParsedRelease& b = page.releases[1];
  EXPECT_EQ(b.store_id, "3000002-01");
  EXPECT_EQ(b.artist, "Has Artist");
  EXPECT_FALSE(b.label.has_value());  // not "Label A" from the previous item
  EXPECT_FALSE(b.catalogue_number.has_value());
  EXPECT_FALSE(b.release_date.has_value());
  EXPECT_FALSE(b.store_genre.has_value());
  EXPECT_EQ(b.parent_genre, "Trance");  // the listing's, as configured
  EXPECT_EQ(b.missing,
            (V{"label", "catalogue_number", "release_date", "store_genre"}));
  ASSERT_EQ(b.tracks.size(), 1u);
  EXPECT_EQ(b.tracks[0].title, "Lonely");

  const ParsedRelease& c = page.releases[2];
  EXPECT_FALSE(c.catalogue_number.has_value());  // lines do not shift
  EXPECT_EQ(c.release_date, "2021-09-09");
  EXPECT_EQ(c.store_genre, "Drum & Bass");
  EXPECT_EQ(c.parent_genre, "Drum and Bass");
  EXPECT_TRUE(c.tracks.empty());

  const ParsedRelease& d = page.releases[3];
  EXPECT_EQ(d.store_id, "3000004-01");
  EXPECT_EQ(d.title, "Truncated Rel");
  EXPECT_FALSE(d.label.has_value());
  EXPECT_FALSE(page.next_url.has_value());
  EXPECT_GT(page.missing_fields, 8);
}

TEST_F(PageParserTest, ProductPageKeepsPreviewsAligned) {
  ProductPage page = parser_->ParseProduct(
      Fixture("product.html"),
      U("http://127.0.0.1:8080/products/some-title/1234567-02/"));
  const ParsedRelease& r = page.release;
  EXPECT_EQ(r.store_id, "1234567-02");
  EXPECT_EQ(r.title, "Some \"Title\" EP");
  EXPECT_EQ(r.artist, "Foo & Bar");
  EXPECT_EQ(r.label, "Label Name");
  EXPECT_EQ(r.catalogue_number, "CAT 001");
  EXPECT_EQ(r.release_date, "2023-11-21");
  EXPECT_EQ(r.store_genre, "Uplifting Trance");
  EXPECT_EQ(r.parent_genre, "Trance");
  ASSERT_EQ(r.tracks.size(), 4u);
  EXPECT_EQ(r.tracks[0].store_id, "1234567-02-01-01");
  EXPECT_EQ(r.tracks[0].title, "Track One");
  EXPECT_EQ(r.tracks[0].artist, "Foo");
  EXPECT_EQ(r.tracks[0].duration_s, 372);
  EXPECT_EQ(r.tracks[0].bpm, 138);
  EXPECT_EQ(r.tracks[0].preview_url,
            "http://127.0.0.1:8080/MP3/SF1234567-02-01-01.mp3");
  // Track 2 has no preview: it must not take track 3's.
  EXPECT_EQ(r.tracks[1].title, "Track Two (Dub)");
  EXPECT_FALSE(r.tracks[1].preview_url.has_value());
  EXPECT_TRUE(r.tracks[1].missing.empty());  // no preview is not missing
  EXPECT_EQ(r.tracks[2].store_id, "1234567-02-01-03");
  EXPECT_EQ(r.tracks[2].duration_s, 240);
  EXPECT_EQ(r.tracks[2].preview_url,
            "http://127.0.0.1:8080/MP3/SF1234567-02-01-03.mp3");
  EXPECT_EQ(r.tracks[3].preview_url,
            "http://cdn.example-store.test/MP3/SF1234567-02-01-04.mp3");
  EXPECT_EQ(page.missing_fields, 0);
}

TEST_F(PageParserTest, MalformedProductPage) {
  ProductPage page = parser_->ParseProduct(
      Fixture("product_malformed.html"),
      U("http://127.0.0.1:8080/products/broken/5555555-01/"));
  const ParsedRelease& r = page.release;
  ASSERT_EQ(r.tracks.size(), 3u);
  EXPECT_EQ(r.tracks[0].title, "Has No Artist Or Duration");
  EXPECT_FALSE(r.tracks[0].artist.has_value());
  EXPECT_FALSE(r.tracks[0].duration_s.has_value());
  EXPECT_EQ(r.tracks[0].preview_url,
            "http://127.0.0.1:8080/MP3/SF5555555-01-01-01.mp3");
  // Unclosed: track 3 is nested inside track 2.
  EXPECT_EQ(r.tracks[1].position, 2);  // no number: its index
  EXPECT_EQ(r.tracks[1].title, "No Number");
  EXPECT_FALSE(r.tracks[1].duration_s.has_value());   // "garbage"
  EXPECT_FALSE(r.tracks[1].bpm.has_value());          // "fast"
  EXPECT_FALSE(r.tracks[1].preview_url.has_value());  // not track 3's
  EXPECT_EQ(r.tracks[2].position, 3);
  EXPECT_EQ(r.tracks[2].artist, "Third Artist");
  EXPECT_EQ(r.tracks[2].preview_url,
            "http://127.0.0.1:8080/MP3/SF5555555-01-01-03.mp3");
  EXPECT_GE(page.missing_fields, 5);
}

TEST_F(PageParserTest, GarbageInputNeverCrashes) {
  for (const std::string& html :
       {std::string(), std::string("<<<>>>"), std::string("\0\xff\xfe", 3),
        std::string(100000, '<'), std::string("<div class=jd-listing-item>")}) {
    ListingPage l = parser_->ParseListing(html, U("http://h/x/"), "Trance");
    ProductPage p = parser_->ParseProduct(html, U("http://h/products/a/1-2/"));
    EXPECT_TRUE(p.release.tracks.empty());
    EXPECT_FALSE(l.next_url.has_value());
  }
}

TEST_F(PageParserTest, BadSelectorFailsAtCreate) {
  config::SiteProfile p = profile_;
  p.selectors.listing_track = "div::before";
  auto r = PageParser::Create(p);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("selectors.listing_track"),
            std::string::npos);
}

TEST(PageParserHelpersTest, Values) {
  EXPECT_EQ(ReleaseStoreIdFromUrl(*ParseUrl("http://h/products/x/12-03/")),
            "12-03");
  EXPECT_EQ(ReleaseStoreIdFromUrl(*ParseUrl("http://h/products/x/12-03")),
            "12-03");
  EXPECT_EQ(ReleaseStoreIdFromUrl(*ParseUrl("http://h/products/x/")), "");
  EXPECT_EQ(ReleaseStoreIdFromUrl(*ParseUrl("http://h/products/x/1a-2/")), "");
  EXPECT_EQ(TrackStoreId("12-03", 7), "12-03-01-07");
  EXPECT_EQ(TrackStoreId("12-03", 12), "12-03-01-12");
  EXPECT_EQ(ParseClockDuration("6:12"), 372);
  EXPECT_EQ(ParseClockDuration("1:02:03"), 3723);
  EXPECT_FALSE(ParseClockDuration("6").has_value());
  EXPECT_FALSE(ParseClockDuration("6:").has_value());
  EXPECT_FALSE(ParseClockDuration("a:bc").has_value());
  EXPECT_EQ(ParseIsoDuration("P0H6M12S"), 372);
  EXPECT_EQ(ParseIsoDuration("PT1H"), 3600);
  EXPECT_FALSE(ParseIsoDuration("P").has_value());
  EXPECT_FALSE(ParseIsoDuration("6M12S").has_value());
  EXPECT_FALSE(ParseIsoDuration("P6X").has_value());
  EXPECT_EQ(ParseBpm("138 BPM"), 138);
  EXPECT_EQ(ParseBpm("138.5BPM"), 138.5);
  EXPECT_FALSE(ParseBpm("BPM").has_value());
  EXPECT_FALSE(ParseBpm("138").has_value());
  EXPECT_EQ(ParseDate("21 Nov 23", "%d %b %y"), "2023-11-21");
  EXPECT_EQ(ParseDate("01 Jan 70", "%d %b %y"), "1970-01-01");
  EXPECT_FALSE(ParseDate("21 Nov 23 extra", "%d %b %y").has_value());
  EXPECT_FALSE(ParseDate("Uplifting Trance", "%d %b %y").has_value());
}

}  // namespace
}  // namespace cratedig::crawler
