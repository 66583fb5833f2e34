// PoliteClient + Fetcher against a small local server on 127.0.0.1 with
// robots.txt, redirects, 429/Retry-After, 5xx, 404 and oversized pages.
#include "crawler/polite_client.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "crawler/failure.h"

namespace cratedig::crawler {
namespace {

class TestServer {
 public:
  TestServer() {
    svr_.Get(
        "/robots.txt", [this](const httplib::Request& q, httplib::Response& r) {
          Log(q);
          r.set_content("User-agent: *\nDisallow: /private/\n", "text/plain");
        });
    svr_.Get(R"(/ok/(\d+))",
             [this](const httplib::Request& q, httplib::Response& r) {
               Log(q);
               r.set_content("page " + std::string(q.matches[1]), "text/html");
             });
    svr_.Get("/private/x",
             [this](const httplib::Request& q, httplib::Response& r) {
               Log(q);
               r.set_content("secret", "text/plain");
             });
    svr_.Get("/limited",
             [this](const httplib::Request& q, httplib::Response& r) {
               if (Log(q) == 1) {
                 r.status = 429;
                 r.set_header("Retry-After", "1");
                 return;
               }
               r.set_content("finally", "text/plain");
             });
    svr_.Get("/r1", [this](const httplib::Request& q, httplib::Response& r) {
      Log(q);
      r.set_redirect("/r2");
    });
    svr_.Get("/r2", [this](const httplib::Request& q, httplib::Response& r) {
      Log(q);
      r.set_redirect("/ok/9", 301);
    });
    svr_.Get("/loop", [this](const httplib::Request& q, httplib::Response& r) {
      Log(q);
      r.set_redirect("/loop");
    });
    svr_.Get("/off", [this](const httplib::Request& q, httplib::Response& r) {
      Log(q);
      r.set_redirect("http://127.0.0.2:9/stolen");
    });
    svr_.Get("/ftp", [this](const httplib::Request& q, httplib::Response& r) {
      Log(q);
      r.set_redirect("ftp://127.0.0.1/x");
    });
    svr_.Get("/e500", [this](const httplib::Request& q, httplib::Response& r) {
      Log(q);
      r.status = 500;
    });
    svr_.Get("/missing",
             [this](const httplib::Request& q, httplib::Response& r) {
               Log(q);
               r.status = 404;
             });
    svr_.Get("/big", [this](const httplib::Request& q, httplib::Response& r) {
      Log(q);
      r.set_content(std::string(2 << 20, 'x'), "application/octet-stream");
    });
    // Announces 100 bytes, sends 3 and drops the connection.
    svr_.Get("/trunc", [this](const httplib::Request& q, httplib::Response& r) {
      Log(q);
      r.set_content_provider(100, "text/plain",
                             [](size_t, size_t, httplib::DataSink& sink) {
                               sink.write("abc", 3);
                               return false;
                             });
    });
    port_ = svr_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { svr_.listen_after_bind(); });
    // stop() before the accept loop runs would be lost: wait for it.
    while (!svr_.is_running()) std::this_thread::yield();
  }
  ~TestServer() {
    svr_.stop();
    thread_.join();
  }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int port() const { return port_; }
  // Times (steady seconds) of the requests to `path`.
  std::vector<double> Times(const std::string& path) {
    std::lock_guard<std::mutex> l(mu_);
    std::vector<double> out;
    for (const auto& [p, t] : log_) {
      if (p == path) out.push_back(t);
    }
    return out;
  }
  std::vector<double> AllTimes() {
    std::lock_guard<std::mutex> l(mu_);
    std::vector<double> out;
    for (const auto& e : log_) out.push_back(e.second);
    return out;
  }
  size_t Count(const std::string& path) { return Times(path).size(); }

 private:
  size_t Log(const httplib::Request& q) {
    std::lock_guard<std::mutex> l(mu_);
    log_.emplace_back(q.path, SystemClock::Get().Now());
    size_t n = 0;
    for (const auto& e : log_) n += e.first == q.path;
    return n;
  }
  httplib::Server svr_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::pair<std::string, double>> log_;
};

class PoliteClientTest : public ::testing::Test {
 protected:
  ClientOptions Options() {
    ClientOptions o;
    o.politeness.delay = 0.0;
    o.politeness.backoff_base = 0.01;
    o.politeness.backoff_max = 0.05;
    o.politeness.max_retries = 2;
    o.politeness.max_redirects = 5;
    o.politeness.max_response_bytes = 1 << 20;
    o.politeness.timeout = 10;
    o.user_agent = "cratedig-test/1.0 (+http://127.0.0.1/)";
    o.allowed_hosts = {"127.0.0.1:" + std::to_string(server_.port())};
    o.seed = 1;
    return o;
  }
  std::map<std::string, ClientResult> RunAll(
      PoliteClient& c, const std::vector<std::string>& paths) {
    for (size_t i = 0; i < paths.size(); ++i) {
      c.Enqueue({i, server_.Url(paths[i]), 0, {}, {}});
    }
    std::map<std::string, ClientResult> out;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (c.Outstanding() > 0 && std::chrono::steady_clock::now() < deadline) {
      for (ClientResult& r : c.Step(0.5)) out[paths[r.tag]] = std::move(r);
    }
    return out;
  }
  TestServer server_;
};

TEST_F(PoliteClientTest, RobotsRedirectsAndFailures) {
  std::vector<std::string> urls;
  PoliteClient client(Options(), SystemClock::Get(), nullptr);
  auto res = RunAll(client, {"/ok/1", "/private/x", "/r1", "/loop", "/off",
                             "/ftp", "/e500", "/missing", "/big"});
  ASSERT_EQ(res.size(), 9u);
  EXPECT_EQ(res["/ok/1"].outcome, ClientOutcome::kOk);
  EXPECT_EQ(res["/ok/1"].body, "page 1");
  EXPECT_EQ(res["/private/x"].outcome, ClientOutcome::kRobotsForbidden);
  EXPECT_EQ(server_.Count("/private/x"), 0u);  // never requested
  EXPECT_EQ(server_.Count("/robots.txt"), 1u);
  EXPECT_EQ(res["/r1"].outcome, ClientOutcome::kOk);
  EXPECT_EQ(res["/r1"].body, "page 9");
  EXPECT_EQ(res["/r1"].final_url, server_.Url("/ok/9"));
  EXPECT_EQ(res["/r1"].attempts, 3);
  EXPECT_EQ(res["/loop"].outcome, ClientOutcome::kRedirectLimit);
  EXPECT_EQ(server_.Count("/loop"), 6u);  // the first + 5 redirects
  EXPECT_EQ(res["/off"].outcome, ClientOutcome::kOffsite);
  EXPECT_EQ(res["/ftp"].outcome, ClientOutcome::kOffsite);
  EXPECT_EQ(res["/e500"].outcome, ClientOutcome::kGaveUp);
  EXPECT_EQ(server_.Count("/e500"), 3u);  // 1 + max_retries
  EXPECT_EQ(res["/missing"].outcome, ClientOutcome::kHttpError);
  EXPECT_EQ(res["/missing"].http_status, 404);
  EXPECT_EQ(server_.Count("/missing"), 1u);
  EXPECT_EQ(res["/big"].outcome, ClientOutcome::kTooLarge);
  EXPECT_EQ(server_.Count("/big"), 1u);
  EXPECT_EQ(client.stats().robots_forbidden, 1);
  EXPECT_EQ(client.stats().retries, 2);
  EXPECT_GE(client.stats().redirects, 7);
}

TEST_F(PoliteClientTest, OneRequestAtATimeAndNotToOtherHosts) {
  PoliteClient client(Options(), SystemClock::Get(), nullptr);
  client.Enqueue(
      {0,
       "http://127.0.0.2:" + std::to_string(server_.port()) + "/ok/1",
       0,
       {},
       {}});
  client.Enqueue({1, "file:///etc/passwd", 0, {}, {}});
  auto first = client.Step(0);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].outcome, ClientOutcome::kOffsite);
  EXPECT_EQ(first[1].outcome, ClientOutcome::kOffsite);
  EXPECT_TRUE(server_.AllTimes().empty());
}

TEST_F(PoliteClientTest, DelaySpacingBetweenRequests) {
  ClientOptions o = Options();
  o.politeness.delay = 0.05;
  PoliteClient client(o, SystemClock::Get(), nullptr);
  std::vector<std::string> paths;
  for (int i = 0; i < 8; ++i) paths.push_back("/ok/" + std::to_string(i));
  auto res = RunAll(client, paths);
  ASSERT_EQ(res.size(), 8u);
  std::vector<double> t = server_.AllTimes();  // robots + 8 pages
  ASSERT_EQ(t.size(), 9u);
  for (size_t i = 1; i < t.size(); ++i) {
    EXPECT_GE(t[i] - t[i - 1], 0.5 * 0.05) << i;
  }
}

TEST_F(PoliteClientTest, HonoursRetryAfter) {
  PoliteClient client(Options(), SystemClock::Get(), nullptr);
  auto res = RunAll(client, {"/limited"});
  EXPECT_EQ(res["/limited"].outcome, ClientOutcome::kOk);
  EXPECT_EQ(res["/limited"].body, "finally");
  std::vector<double> t = server_.Times("/limited");
  ASSERT_EQ(t.size(), 2u);
  EXPECT_GE(t[1] - t[0], 1.0);
  EXPECT_EQ(client.stats().http_429, 1);
}

TEST_F(PoliteClientTest, DropQueuedOnCancel) {
  ClientOptions o = Options();
  o.politeness.delay = 0.2;
  PoliteClient client(o, SystemClock::Get(), nullptr);
  for (uint64_t i = 0; i < 5; ++i) {
    client.Enqueue({i, server_.Url("/ok/" + std::to_string(i)), 0, {}, {}});
  }
  std::vector<ClientResult> got;
  while (got.empty()) {
    for (auto& r : client.Step(1)) got.push_back(std::move(r));
  }
  std::vector<uint64_t> dropped = client.DropQueued();
  while (client.Outstanding() > 0) {
    for (auto& r : client.Step(1)) got.push_back(std::move(r));
  }
  EXPECT_EQ(got.size() + dropped.size(), 5u);
  EXPECT_GE(dropped.size(), 3u);
  EXPECT_EQ(server_.AllTimes().size(), 1 + got.size());  // robots + got
}

// Each failure gets the reason token a later crawl decides on: truncated,
// 5xx and network failures are transient, a 404 or robots.txt is not.
TEST_F(PoliteClientTest, FailureReasons) {
  ClientOptions o = Options();
  o.politeness.max_retries = 1;
  PoliteClient c(o, SystemClock::Get(), nullptr);
  auto got = RunAll(c, {"/trunc", "/e500", "/missing", "/private/x"});
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got["/trunc"].outcome, ClientOutcome::kGaveUp);
  EXPECT_TRUE(got["/trunc"].truncated);
  EXPECT_EQ(FailureReason(got["/trunc"]), "truncated");
  EXPECT_EQ(server_.Count("/trunc"), 2u);  // retried within the run
  EXPECT_EQ(FailureReason(got["/e500"]), "http_5xx");
  EXPECT_EQ(FailureReason(got["/missing"]), "http_404");
  EXPECT_EQ(FailureReason(got["/private/x"]), "robots");
  EXPECT_TRUE(IsTransientFailure("truncated"));
  EXPECT_TRUE(IsTransientFailure("http_5xx"));
  EXPECT_TRUE(IsTransientFailure("network"));
  EXPECT_TRUE(IsTransientFailure("http_429"));
  EXPECT_FALSE(IsTransientFailure("http_404"));
  EXPECT_FALSE(IsTransientFailure("robots"));

  // Nobody listening: a network error.
  ClientOptions o2 = o;
  o2.politeness.obey_robots = false;
  o2.allowed_hosts = {"127.0.0.1:1"};
  PoliteClient c2(o2, SystemClock::Get(), nullptr);
  c2.Enqueue({7, "http://127.0.0.1:1/x", 0, {}, {}});
  std::vector<ClientResult> res;
  while (c2.Outstanding() > 0) {
    for (ClientResult& r : c2.Step(0.5)) res.push_back(std::move(r));
  }
  ASSERT_EQ(res.size(), 1u);
  EXPECT_EQ(FailureReason(res[0]), "network");
}

}  // namespace
}  // namespace cratedig::crawler
