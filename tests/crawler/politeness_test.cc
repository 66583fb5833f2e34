#include "crawler/politeness.h"

#include <gtest/gtest.h>

#include <ctime>

#include "crawler/crawl.h"

namespace cratedig::crawler {
namespace {

config::PolitenessSettings Settings() {
  config::PolitenessSettings s;
  s.delay = 1.0;
  s.randomize_delay = true;
  s.max_retries = 3;
  s.backoff_base = 2.0;
  s.backoff_max = 300.0;
  s.max_retry_after = 3600.0;
  s.slowdown_factor = 2.0;
  s.slowdown_decay = 0.9;
  s.slowdown_max = 60.0;
  return s;
}

ResponseInfo Status(int code) {
  ResponseInfo r;
  r.http_status = code;
  return r;
}

TEST(RetryAfterTest, BothForms) {
  const double now = 1445412480.0;  // Wed, 21 Oct 2015 07:28:00 GMT
  EXPECT_EQ(ParseRetryAfter("120", now), 120);
  EXPECT_EQ(ParseRetryAfter(" 0 ", now), 0);
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", now), 30);
  EXPECT_EQ(ParseRetryAfter("Wednesday, 21-Oct-15 07:29:00 GMT", now), 60);
  EXPECT_EQ(ParseRetryAfter("Wed Oct 21 07:28:05 2015", now), 5);
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:00:00 GMT", now), 0);  // past
  EXPECT_FALSE(ParseRetryAfter("soon", now).has_value());
  EXPECT_FALSE(ParseRetryAfter("-5", now).has_value());
  EXPECT_FALSE(ParseRetryAfter("", now).has_value());
}

TEST(PolitenessTest, DelaySpacingIsRandomisedWithinHalfToOneAndAHalf) {
  FakeClock clock;
  Jitter jitter(7);
  Politeness p(Settings(), clock, jitter);
  EXPECT_EQ(p.ReadyAt("h:80"), 0);  // a new host may start at once
  double min_gap = 1e9, max_gap = 0;
  for (int i = 0; i < 200; ++i) {
    clock.Advance(0.01);  // the response arrives
    double t = clock.Now();
    RetryDecision d = p.OnResponse("h:80", Status(200), 1);
    EXPECT_EQ(d.verdict, RetryDecision::kDone);
    double gap = p.ReadyAt("h:80") - t;
    min_gap = std::min(min_gap, gap);
    max_gap = std::max(max_gap, gap);
    clock.Set(p.ReadyAt("h:80"));  // the next request starts when allowed
  }
  EXPECT_GE(min_gap, 0.5);
  EXPECT_LE(max_gap, 1.5);
  EXPECT_LT(min_gap, 0.6);  // really randomised
  EXPECT_GT(max_gap, 1.4);
  EXPECT_EQ(p.ReadyAt("other:80"), 0);  // hosts are independent
}

TEST(PoliteEtaTest, CountsTheDelayNotTheFirstFastResponses) {
  config::PolitenessSettings p;
  p.delay = 1.0;
  EXPECT_EQ(MeanRequestGap(p), 1.0);
  EXPECT_EQ(MeanRequestGap(p, 5.0), 5.0);  // robots.txt Crawl-delay
  // 3 quick requests (robots cached, loopback): still 1 s each.
  EXPECT_DOUBLE_EQ(PoliteEta(900, p, 3, 0.01), 900.0);
  EXPECT_DOUBLE_EQ(PoliteEta(900, p, 100, 20.0), 900.0);  // faster than delay
  // Slower than the delay (Retry-After, slow server): the measured pace.
  EXPECT_DOUBLE_EQ(PoliteEta(100, p, 100, 300.0), 300.0);
  EXPECT_EQ(PoliteEta(0, p, 100, 300.0), 0.0);
}

TEST(PolitenessTest, NeverBelowCrawlDelay) {
  FakeClock clock;
  Jitter jitter(1);
  config::PolitenessSettings s = Settings();
  s.delay = 0.0;
  Politeness p(s, clock, jitter);
  p.SetCrawlDelay("h:80", 3.0);
  (void)p.OnResponse("h:80", Status(200), 1);
  EXPECT_DOUBLE_EQ(p.ReadyAt("h:80"), 3.0);
  s.randomize_delay = false;
  s.delay = 0.25;
  Politeness q(s, clock, jitter);
  (void)q.OnResponse("h:80", Status(200), 1);
  EXPECT_DOUBLE_EQ(q.ReadyAt("h:80"), 0.25);
}

TEST(PolitenessTest, RetryAfterSecondsBlocksTheHostAndTheRetry) {
  FakeClock clock;
  Jitter jitter(3);
  Politeness p(Settings(), clock, jitter);
  clock.Set(100);
  ResponseInfo r = Status(429);
  r.retry_after = "30";
  RetryDecision d = p.OnResponse("h:80", r, 1);
  ASSERT_EQ(d.verdict, RetryDecision::kRetry);
  EXPECT_GE(d.retry_at, 130);
  EXPECT_GE(p.ReadyAt("h:80"), 130);  // host-wide, not just this URL
}

TEST(PolitenessTest, RetryAfterHttpDate) {
  FakeClock clock(1445412480.0);  // wall time at Now() == 0
  Jitter jitter(3);
  Politeness p(Settings(), clock, jitter);
  clock.Set(10);  // wall: 07:28:10
  ResponseInfo r = Status(503);
  r.retry_after = "Wed, 21 Oct 2015 07:30:00 GMT";  // 110 s later
  RetryDecision d = p.OnResponse("h:80", r, 1);
  ASSERT_EQ(d.verdict, RetryDecision::kRetry);
  EXPECT_GE(d.retry_at, 120);
  EXPECT_GE(p.ReadyAt("h:80"), 120);
  EXPECT_LT(p.ReadyAt("h:80"), 121);
}

TEST(PolitenessTest, TooLongRetryAfterFailsInsteadOfStalling) {
  FakeClock clock;
  Jitter jitter(3);
  Politeness p(Settings(), clock, jitter);
  ResponseInfo r = Status(429);
  r.retry_after = "86400";
  EXPECT_EQ(p.OnResponse("h:80", r, 1).verdict, RetryDecision::kFail);
}

TEST(PolitenessTest, BackoffGrowsExponentiallyWithJitterAndCap) {
  FakeClock clock;
  Jitter jitter(11);
  config::PolitenessSettings s = Settings();
  s.backoff_max = 20;
  Politeness p(s, clock, jitter);
  for (int attempt = 1; attempt <= 4; ++attempt) {
    double nominal = std::min(20.0, 2.0 * (1 << (attempt - 1)));
    for (int i = 0; i < 50; ++i) {
      double b = p.Backoff(attempt);
      EXPECT_GE(b, 0.5 * nominal) << attempt;
      EXPECT_LE(b, std::min(20.0, 1.5 * nominal)) << attempt;
    }
  }
  for (int i = 0; i < 20; ++i) EXPECT_LE(p.Backoff(30), 20.0);
}

TEST(PolitenessTest, RetriesOnlyTransientFailuresAndGivesUp) {
  FakeClock clock;
  Jitter jitter(5);
  Politeness p(Settings(), clock, jitter);
  for (int code : {0, 408, 429, 500, 502, 503, 504}) {
    EXPECT_EQ(p.OnResponse("h:80", Status(code), 1).verdict,
              RetryDecision::kRetry)
        << code;
  }
  for (int code : {400, 403, 404, 410}) {
    EXPECT_EQ(p.OnResponse("h:80", Status(code), 1).verdict,
              RetryDecision::kFail)
        << code;
  }
  EXPECT_EQ(p.OnResponse("h:80", Status(301), 1).verdict, RetryDecision::kDone);
  // max_retries = 3: attempts 1..3 retry, the 4th failure is final.
  EXPECT_EQ(p.OnResponse("h:80", Status(503), 3).verdict,
            RetryDecision::kRetry);
  RetryDecision last = p.OnResponse("h:80", Status(503), 4);
  EXPECT_EQ(last.verdict, RetryDecision::kFail);
  EXPECT_NE(last.reason.find("gave up after 4"), std::string::npos);
  ResponseInfo big;
  big.too_large = true;
  EXPECT_EQ(p.OnResponse("h:80", big, 1).verdict, RetryDecision::kFail);
}

TEST(PolitenessTest, RetryWaitsForBackoff) {
  FakeClock clock;
  Jitter jitter(9);
  config::PolitenessSettings s = Settings();
  s.delay = 0;
  Politeness p(s, clock, jitter);
  clock.Set(50);
  RetryDecision d1 = p.OnResponse("h:80", Status(500), 1);
  EXPECT_GE(d1.retry_at - 50, 1.0);  // 2 s x [0.5, 1.5)
  EXPECT_LE(d1.retry_at - 50, 3.0);
  RetryDecision d3 = p.OnResponse("h:80", Status(500), 3);
  EXPECT_GE(d3.retry_at - 50, 4.0);  // 8 s x [0.5, 1.5)
}

TEST(PolitenessTest, SlowdownOn429And403DecaysSlowly) {
  FakeClock clock;
  Jitter jitter(2);
  config::PolitenessSettings s = Settings();
  s.randomize_delay = false;
  s.slowdown_max = 8;
  Politeness p(s, clock, jitter);
  (void)p.OnResponse("h:80", Status(429), 1);
  EXPECT_DOUBLE_EQ(p.Slowdown("h:80"), 2);
  EXPECT_DOUBLE_EQ(p.ReadyAt("h:80") - clock.Now(), 2.0);  // delay x 2
  (void)p.OnResponse("h:80", Status(403), 1);
  EXPECT_DOUBLE_EQ(p.Slowdown("h:80"), 4);
  for (int i = 0; i < 5; ++i) (void)p.OnResponse("h:80", Status(429), 1);
  EXPECT_DOUBLE_EQ(p.Slowdown("h:80"), 8);  // capped
  // One success takes off only 10%.
  clock.Advance(100);
  (void)p.OnResponse("h:80", Status(200), 1);
  EXPECT_DOUBLE_EQ(p.Slowdown("h:80"), 7.2);
  EXPECT_NEAR(p.ReadyAt("h:80") - clock.Now(), 7.2, 1e-9);
  int successes = 1;
  while (p.Slowdown("h:80") > 1.0) {
    (void)p.OnResponse("h:80", Status(200), 1);
    ++successes;
  }
  EXPECT_GE(successes, 15);  // 8 x 0.9^n <= 1 needs n >= 20; slow
  EXPECT_DOUBLE_EQ(p.Slowdown("h:80"), 1.0);
  EXPECT_DOUBLE_EQ(p.Slowdown("other:80"), 1.0);
}

}  // namespace
}  // namespace cratedig::crawler
