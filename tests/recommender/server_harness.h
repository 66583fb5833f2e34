// Runs a recommender::Server on a free loopback port in a thread for the
// duration of a test, plus a raw HTTP GET that sends the path byte for byte
// (no client-side normalisation of "..").
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <thread>

#include "recommender/server.h"

namespace cratedig::recommender::testing {

class RunningServer {
 public:
  // Empty message when started.
  std::string Start(const std::string& db_path, ServerOptions o = {}) {
    o.port = 0;
    o.host = "127.0.0.1";
    auto s = Server::Create(db_path, std::nullopt, o);
    if (!s.ok()) return s.status().ToString();
    server_ = std::move(s).value();
    Status b = server_->Bind();
    if (!b.ok()) return b.ToString();
    thread_ = std::thread([this] { (void)server_->Run(); });
    // A Stop() before the accept loop runs would be lost: wait for it.
    while (!server_->running()) std::this_thread::yield();
    return "";
  }
  ~RunningServer() {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
  }
  int port() const { return server_->port(); }
  Server& server() { return *server_; }

 private:
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

// "GET <raw_path> HTTP/1.1" to 127.0.0.1:port; returns the status code
// (-1 on a socket error) and the whole response in `response`.
inline int RawGet(int port, const std::string& raw_path,
                  std::string* response = nullptr) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  std::string req = "GET " + raw_path +
                    " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  if (::send(fd, req.data(), req.size(), 0) !=
      static_cast<ssize_t>(req.size())) {
    ::close(fd);
    return -1;
  }
  std::string all;
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    all.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  if (response) *response = all;
  // "HTTP/1.1 404 Not Found"
  if (all.size() < 12 || all.compare(0, 5, "HTTP/") != 0) return -1;
  return std::stoi(all.substr(9, 3));
}

}  // namespace cratedig::recommender::testing
