// The crawler's merge writes in db/catalogue_tables (MergeMany).
#include <gtest/gtest.h>

#include "../db/test_db.h"
#include "db/catalogue_tables.h"

namespace cratedig::db {
namespace {

TEST(MergeTablesTest, ListingThenProductInEitherOrderGivesTheSameRows) {
  for (int order = 0; order < 2; ++order) {
    testing::TempDbPath path;
    auto db = Database::Open(path.path());
    ASSERT_TRUE(db.ok());
    ReleasesTable releases(**db);
    TracksTable tracks(**db);

    ReleaseRecord listing;
    listing.store_id = "1-2";
    listing.url = "http://h/products/x/1-2/";
    listing.artist = "Foo";
    listing.title = "EP";
    listing.store_genre = "Trance";
    listing.parent_genre = "Trance";
    ReleaseRecord product = listing;
    product.artist = "Foo (product page)";
    product.label = "Label";  // the listing lacked it
    product.title.reset();

    auto write_listing = [&] {
      auto ids = releases.MergeMany({listing}, true);
      ASSERT_TRUE(ids.ok()) << ids.status().ToString();
      TrackRecord t;
      t.release_id = (*ids)[0];
      t.store_id = "1-2-01-01";
      t.position = 1;
      t.artist = "Foo";
      t.title = "One (listing)";
      t.duration_s = 60;
      ASSERT_TRUE(tracks.MergeMany({t}, false).ok());
    };
    auto write_product = [&] {
      auto ids = releases.MergeMany({product}, false);
      ASSERT_TRUE(ids.ok()) << ids.status().ToString();
      TrackRecord t;
      t.release_id = (*ids)[0];
      t.store_id = "1-2-01-01";
      t.position = 1;
      t.title = "One";
      t.bpm = 128;
      t.duration_s = 61;
      t.preview_url = "http://h/MP3/SF1-2-01-01.mp3";
      ASSERT_TRUE(tracks.MergeMany({t}, true).ok());
    };
    if (order == 0) {
      write_listing();
      write_product();
    } else {
      write_product();
      write_listing();
    }
    auto r = releases.GetByStoreId("1-2");
    ASSERT_TRUE(r.ok() && r->has_value());
    EXPECT_EQ((*r)->artist, "Foo");   // the listing wins release fields
    EXPECT_EQ((*r)->title, "EP");     // NULL never overwrites
    EXPECT_EQ((*r)->label, "Label");  // the product fills gaps
    EXPECT_EQ((*r)->missing_fields, "catalogue_number,release_date");
    auto t = tracks.GetByStoreId("1-2-01-01");
    ASSERT_TRUE(t.ok() && t->has_value());
    EXPECT_EQ((*t)->title, "One");  // the product wins track fields
    EXPECT_EQ((*t)->artist, "Foo");
    EXPECT_EQ((*t)->duration_s, 61);
    EXPECT_EQ((*t)->bpm, 128);
    EXPECT_EQ((*t)->preview_url, "http://h/MP3/SF1-2-01-01.mp3");
    EXPECT_EQ((*t)->label, "Label");  // copied from the release
    EXPECT_EQ((*t)->parent_genre, "Trance");
    EXPECT_EQ((*t)->missing_fields, "");
    EXPECT_EQ(releases.Count().value(), 1);
    EXPECT_EQ(tracks.Count().value(), 1);
    auto all = tracks.ListAll();
    ASSERT_TRUE(all.ok());
    EXPECT_EQ(all->size(), 1u);
  }
}

}  // namespace
}  // namespace cratedig::db
