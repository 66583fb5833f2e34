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
#include "tests/net/loopback_client.h"

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

// The loopback client (tests/net/loopback_client.h), where tests look.
using cratedig::testing::RawGet;

}  // namespace cratedig::recommender::testing
