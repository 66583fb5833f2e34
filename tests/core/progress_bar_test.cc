#include "core/progress_bar.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace cratedig {
namespace {

TEST(ProgressBarTest, FormatsBarCountsRateAndEta) {
  Progress p{"dataset", 50, 100, "tracks", "decode 1.2s"};
  std::string s = ProgressBar::Format(p, 10.0, 10, /*bar=*/true);
  EXPECT_EQ(s, "dataset [#####     ] 50/100 tracks 10.0/s eta 5s decode 1.2s");
  std::string plain = ProgressBar::Format(p, 0.0, 10, /*bar=*/false);
  EXPECT_EQ(plain, "dataset 50/100 tracks decode 1.2s");
}

TEST(ProgressBarTest, StageEtaWinsOverTheRate) {
  // A polite crawl: the first pages came fast (robots, cache), but the
  // stage knows 900 pages at 1 s each are left.
  Progress p{"crawl", 100, 1000, "pages", "", 900.0};
  EXPECT_EQ(ProgressBar::Format(p, 50.0, 10, false),
            "crawl 100/1000 pages 50.0/s eta 15m00s");
  p.eta_s = 101000;
  EXPECT_EQ(ProgressBar::Format(p, 0.0, 10, false),
            "crawl 100/1000 pages eta 28h03m");
  EXPECT_EQ(EtaText(59.6), "60s");
}

TEST(ProgressBarTest, UnknownTotal) {
  Progress p{"crawl", 7, 0, "pages", ""};
  EXPECT_EQ(ProgressBar::Format(p, 0.0, 10, true), "crawl 7 pages");
}

TEST(ProgressBarTest, PlainModeThrottlesButAlwaysPrintsCompletion) {
  char* buf = nullptr;
  size_t len = 0;
  FILE* out = open_memstream(&buf, &len);
  {
    ProgressBarOptions o;
    o.out = out;
    o.force_tty = 0;
    o.plain_interval = std::chrono::hours(1);
    ProgressBar bar(o);
    for (int i = 1; i <= 100; ++i) bar.Update({"x", i, 100, "items", ""});
    bar.Finish();
  }
  std::fclose(out);
  std::string text(buf, len);
  free(buf);
  // The first update and the completion, nothing in between.
  EXPECT_NE(text.find("x 1/100 items"), std::string::npos) << text;
  EXPECT_NE(text.find("x 100/100 items"), std::string::npos) << text;
  EXPECT_EQ(text.find("x 50/100"), std::string::npos) << text;
}

TEST(ProgressBarTest, QuietPrintsNothing) {
  char* buf = nullptr;
  size_t len = 0;
  FILE* out = open_memstream(&buf, &len);
  {
    ProgressBarOptions o;
    o.out = out;
    o.quiet = true;
    ProgressBar bar(o);
    bar.Update({"x", 1, 1, "items", ""});
  }
  std::fclose(out);
  EXPECT_EQ(len, 0u);
  free(buf);
}

}  // namespace
}  // namespace cratedig
