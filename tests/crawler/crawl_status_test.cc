#include "crawler/crawl_status.h"

#include <gtest/gtest.h>

#include "db/crawl_tables.h"
#include "db/refresh_tables.h"
#include "tests/db/test_db.h"

namespace cratedig::crawler {
namespace {

TEST(CrawlStatusTest, FrontierByStatusAndFailuresByReason) {
  db::testing::TempDbPath tmp;
  auto db = db::Database::Open(tmp.path());
  ASSERT_TRUE(db.ok());
  db::FrontierTable f(**db);
  for (const char* u :
       {"http://h/1", "http://h/2", "http://h/3", "http://h/4", "http://h/5"}) {
    ASSERT_TRUE(f.Add(u, db::PageKind::kProduct, "trance").ok());
  }
  auto ready = *f.Ready(db::NowMs(), 10);
  ASSERT_EQ(ready.size(), 5u);
  ASSERT_TRUE(f.MarkDone(ready[0].id, 200).ok());
  ASSERT_TRUE(f.MarkFinal(ready[1].id, db::FrontierStatus::kFailed, 404,
                          "not found", "http_404")
                  .ok());
  ASSERT_TRUE(f.MarkFinal(ready[2].id, db::FrontierStatus::kFailed,
                          std::nullopt, "reset", "network")
                  .ok());
  ASSERT_TRUE(f.MarkFinal(ready[3].id, db::FrontierStatus::kForbidden,
                          std::nullopt, "robots.txt", "robots")
                  .ok());

  auto s = ReadFrontierSummary(**db);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->pending, 1);
  EXPECT_EQ(s->done, 1);
  EXPECT_EQ(s->failed, 2);
  EXPECT_EQ(s->forbidden, 1);
  ASSERT_EQ(s->failures.size(), 3u);  // by reason token
  EXPECT_EQ(s->failures[0].reason, "http_404");
  EXPECT_FALSE(s->failures[0].transient);
  EXPECT_EQ(s->failures[1].reason, "network");
  EXPECT_TRUE(s->failures[1].transient);
  EXPECT_EQ(s->failures[2].reason, "robots");
  EXPECT_EQ(s->failures[2].count, 1);
}

TEST(CrawlStatusTest, ListingsCountListingPagesAndTheirLastRefresh) {
  db::testing::TempDbPath tmp;
  auto db = db::Database::Open(tmp.path());
  ASSERT_TRUE(db.ok());
  db::FrontierTable f(**db);
  ASSERT_TRUE(f.Add("http://h/t1", db::PageKind::kListing, "trance").ok());
  ASSERT_TRUE(f.Add("http://h/t2", db::PageKind::kListing, "trance").ok());
  ASSERT_TRUE(f.Add("http://h/p", db::PageKind::kProduct, "trance").ok());
  ASSERT_TRUE(f.Add("http://h/b1", db::PageKind::kListing, "breaks").ok());
  auto t1 = *f.Get("http://h/t1");
  ASSERT_TRUE(f.MarkDone(t1->id, 200).ok());
  db::ListingRefreshTable refreshes(**db);
  ASSERT_TRUE(refreshes.Put({"trance", 1000, 3, 7}).ok());
  ASSERT_TRUE(refreshes.Put({"techno", 2000, 1, 0}).ok());  // no pages left

  auto rows = ReadListingStatus(**db);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 3u);  // by slug
  EXPECT_EQ((*rows)[0].slug, "breaks");
  EXPECT_EQ((*rows)[0].pages_done, 0);
  EXPECT_EQ((*rows)[0].pages_pending, 1);
  EXPECT_FALSE((*rows)[0].last_refresh.has_value());
  EXPECT_EQ((*rows)[1].slug, "techno");
  ASSERT_TRUE((*rows)[1].last_refresh.has_value());
  EXPECT_EQ((*rows)[1].last_refresh->refreshed_at, 2000);
  EXPECT_EQ((*rows)[2].slug, "trance");
  EXPECT_EQ((*rows)[2].pages_done, 1);
  EXPECT_EQ((*rows)[2].pages_pending, 1);  // the product page not counted
  EXPECT_EQ((*rows)[2].last_refresh->new_releases, 7);
}

}  // namespace
}  // namespace cratedig::crawler
