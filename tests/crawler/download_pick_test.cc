#include <gtest/gtest.h>

#include <set>

#include "crawler/download.h"

namespace cratedig::crawler {
namespace {

std::vector<db::TrackRecord> Catalogue() {
  std::vector<db::TrackRecord> out;
  const char* genres[] = {"Trance", "Downtempo"};
  for (int g = 0; g < 2; ++g) {
    for (int i = 0; i < 50; ++i) {
      db::TrackRecord t;
      t.id = g * 100 + i;
      t.store_id = std::to_string(g) + "-" + std::to_string(i) + "-01-01";
      t.parent_genre = genres[g];
      if (i % 5 != 0) t.preview_url = "http://h/MP3/" + t.store_id + ".mp3";
      out.push_back(t);
    }
  }
  db::TrackRecord unmapped;
  unmapped.store_id = "9-9-01-01";
  unmapped.preview_url = "http://h/x.mp3";
  out.push_back(unmapped);
  return out;
}

std::set<std::string> Ids(const std::vector<db::TrackRecord>& ts) {
  std::set<std::string> out;
  for (const auto& t : ts) out.insert(t.store_id);
  return out;
}

TEST(DownloadPickTest, PerGenreOnlyWithPreviewAndStable) {
  auto all = Catalogue();
  auto p10 = PickTracks(all, 10, 42);
  ASSERT_EQ(p10.size(), 20u);
  int trance = 0;
  for (const auto& t : p10) {
    EXPECT_TRUE(t.preview_url.has_value());
    EXPECT_TRUE(t.parent_genre.has_value());
    trance += *t.parent_genre == "Trance";
  }
  EXPECT_EQ(trance, 10);
  // A larger N keeps every pick of a smaller N.
  auto p25 = PickTracks(all, 25, 42);
  std::set<std::string> small = Ids(p10), large = Ids(p25);
  for (const auto& id : small) EXPECT_TRUE(large.count(id)) << id;
  // Independent of input order.
  std::reverse(all.begin(), all.end());
  EXPECT_EQ(Ids(PickTracks(all, 10, 42)), small);
  // Another seed picks differently; more than available takes all 40.
  EXPECT_NE(Ids(PickTracks(all, 10, 43)), small);
  EXPECT_EQ(PickTracks(all, 1000, 42).size(), 80u);
  EXPECT_TRUE(PickTracks(all, 0, 42).empty());
  EXPECT_EQ(PickRank(42, "a"), PickRank(42, "a"));
  EXPECT_NE(PickRank(42, "a"), PickRank(42, "b"));
}

}  // namespace
}  // namespace cratedig::crawler
