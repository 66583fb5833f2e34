// net::HardenedServer on loopback against hand-made clients: a taken port,
// slow clients, oversized and chunked bodies (issue 12).
#include "net/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/net/loopback_client.h"

namespace cratedig::net {
namespace {

// A hung server fails the test instead of hanging it.
int Connect(int port) { return cratedig::testing::ConnectLoopback(port, 10); }

bool SendAll(int fd, const std::string& s) {
  return ::send(fd, s.data(), s.size(), MSG_NOSIGNAL) ==
         static_cast<ssize_t>(s.size());
}

// Reads until the peer closes (or the 10 s receive timeout).
std::string ReadAll(int fd) {
  std::string all;
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    all.append(buf, static_cast<size_t>(n));
  }
  return all;
}

// Reads one response (headers + Content-Length body), not waiting for the
// connection to close.
std::string ReadResponse(int fd) {
  std::string all;
  char buf[4096];
  for (;;) {
    size_t end = all.find("\r\n\r\n");
    if (end != std::string::npos) {
      size_t cl = all.find("Content-Length: ");
      size_t want = cl == std::string::npos || cl > end
                        ? 0
                        : std::stoul(all.substr(cl + 16));
      if (all.size() >= end + 4 + want) return all;
    }
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    all.append(buf, static_cast<size_t>(n));
  }
  return all;
}

double Since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
      .count();
}

int StatusOf(const std::string& response) {
  if (response.size() < 12 || response.compare(0, 5, "HTTP/") != 0) return -1;
  return std::stoi(response.substr(9, 3));
}

class Running {
 public:
  explicit Running(HttpLimits limits = {}) : hardened_(svr_, limits) {
    svr_.Get("/hello", [](const httplib::Request&, httplib::Response& r) {
      r.set_content("hello", "text/plain");
    });
    svr_.Post("/echo", [](const httplib::Request& q, httplib::Response& r) {
      r.set_content(std::to_string(q.body.size()), "text/plain");
    });
  }
  Status Start(int port = 0) {
    auto p = hardened_.Bind("127.0.0.1", port);
    if (!p.ok()) return p.status();
    port_ = *p;
    thread_ = std::thread([this] { svr_.listen_after_bind(); });
    while (!svr_.is_running()) std::this_thread::yield();
    return Status::Ok();
  }
  ~Running() {
    if (thread_.joinable()) {
      svr_.stop();
      thread_.join();
    }
  }
  int port() const { return port_; }

 private:
  httplib::Server svr_;
  HardenedServer hardened_;
  int port_ = 0;
  std::thread thread_;
};

// Before: cpp-httplib set SO_REUSEPORT, so a second server on a taken port
// bound silently and the two answered alternately.
TEST(HardenedServerTest, TakenPortIsAClearError) {
  Running first;
  ASSERT_TRUE(first.Start().ok());
  Running second;
  Status st = second.Start(first.port());
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kIoError);
  EXPECT_NE(st.message().find("already in use"), std::string::npos)
      << st.message();
  EXPECT_NE(st.message().find(std::to_string(first.port())), std::string::npos);

  // Also when the one already there is a stock cpp-httplib server (which
  // sets SO_REUSEPORT on its own socket).
  httplib::Server stock;
  int port = stock.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  Running third;
  EXPECT_FALSE(third.Start(port).ok());
}

// Before: a fixed pool of 8 threads; 8 clients sending a header line now and
// then held every thread and nobody else got an answer.
TEST(HardenedServerTest, SlowClientsDoNotStarveOthers) {
  Running srv;
  ASSERT_TRUE(srv.Start().ok());
  std::vector<int> slow;
  for (int i = 0; i < 32; ++i) {
    int fd = Connect(srv.port());
    ASSERT_GE(fd, 0);
    // An unfinished request: the server waits for the rest.
    ASSERT_TRUE(SendAll(fd, "GET /hello HTTP/1.1\r\nHost: a\r\n"));
    slow.push_back(fd);
  }
  const auto t0 = std::chrono::steady_clock::now();
  int fd = Connect(srv.port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SendAll(
      fd, "GET /hello HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
  std::string resp = ReadAll(fd);
  const double s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count();
  ::close(fd);
  EXPECT_EQ(StatusOf(resp), 200) << resp;
  EXPECT_LT(s, 1.0) << "a normal request waited behind 32 slow clients";
  for (int f : slow) ::close(f);
}

// A client that stops sending is cut off after the read timeout.
TEST(HardenedServerTest, StalledClientIsDisconnected) {
  HttpLimits l;
  l.read_timeout_s = 1;
  Running srv(l);
  ASSERT_TRUE(srv.Start().ok());
  int fd = Connect(srv.port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SendAll(fd, "GET /hello HTTP/1.1\r\n"));
  const auto t0 = std::chrono::steady_clock::now();
  std::string resp = ReadAll(fd);  // returns when the server closes
  const double s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count();
  ::close(fd);
  EXPECT_LT(s, 5.0);
  EXPECT_NE(StatusOf(resp), 200);
}

// Before: any body was read whole into memory (a 1 GB POST: +560 MB).
TEST(HardenedServerTest, OversizedBodyIs413BeforeReading) {
  HttpLimits l;
  l.max_body_bytes = 1000;
  Running srv(l);
  ASSERT_TRUE(srv.Start().ok());
  for (const char* head : {"Content-Length: 1000000000\r\n\r\n",
                           "Transfer-Encoding: chunked\r\n\r\n10\r\n"}) {
    // 1 GB announced, none sent (or a chunked body of unknown length): the
    // answer comes at once, without reading it, and the connection closes.
    int fd = Connect(srv.port());
    ASSERT_GE(fd, 0);
    const auto t0 = std::chrono::steady_clock::now();
    ASSERT_TRUE(
        SendAll(fd, std::string("POST /echo HTTP/1.1\r\nHost: a\r\n") + head));
    std::string resp = ReadResponse(fd);
    EXPECT_EQ(StatusOf(resp), 413) << resp;
    EXPECT_LT(Since(t0), 1.0);
    EXPECT_NE(resp.find("Connection: close"), std::string::npos) << resp;
    ::close(fd);
  }
  // Under the cap: served.
  int fd = Connect(srv.port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SendAll(fd,
                      "POST /echo HTTP/1.1\r\nHost: a\r\nConnection: close\r\n"
                      "Content-Length: 5\r\n\r\nabcde"));
  std::string resp = ReadAll(fd);
  ::close(fd);
  EXPECT_EQ(StatusOf(resp), 200) << resp;
  EXPECT_EQ(resp.substr(resp.size() - 1), "5");
}

}  // namespace
}  // namespace cratedig::net
