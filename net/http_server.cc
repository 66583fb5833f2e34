#include "net/http_server.h"

#include <sys/socket.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace cratedig::net {

namespace {

// A thread pool that starts `min` threads and adds one whenever a task
// arrives and no thread is idle, up to `max`; past that, tasks wait. Threads
// are never retired (a burst leaves idle threads blocked on a condition
// variable, which costs address space, not CPU). A task in httplib is one
// connection, so a slow client only ever holds its own thread.
class ElasticPool : public httplib::TaskQueue {
 public:
  ElasticPool(int min, int max) : max_(std::max(1, max)) {
    std::lock_guard<std::mutex> l(mu_);
    for (int i = 0; i < std::max(1, std::min(min, max_)); ++i) SpawnLocked();
  }
  ~ElasticPool() override { shutdown(); }

  void enqueue(std::function<void()> fn) override {
    std::lock_guard<std::mutex> l(mu_);
    queue_.push_back(std::move(fn));
    if (idle_ < queue_.size() && static_cast<int>(threads_.size()) < max_) {
      SpawnLocked();
    }
    cv_.notify_one();
  }

  // Runs what is queued, then joins every thread (httplib calls this when
  // the server stops, then deletes the pool).
  void shutdown() override {
    std::vector<std::thread> threads;
    {
      std::lock_guard<std::mutex> l(mu_);
      stop_ = true;
      threads.swap(threads_);
    }
    cv_.notify_all();
    for (std::thread& t : threads) t.join();
  }

 private:
  void SpawnLocked() {
    threads_.emplace_back([this] { Work(); });
  }
  void Work() {
    for (;;) {
      std::function<void()> fn;
      {
        std::unique_lock<std::mutex> l(mu_);
        ++idle_;
        cv_.wait(l, [this] { return stop_ || !queue_.empty(); });
        --idle_;
        if (queue_.empty()) return;  // stop_ and nothing left
        fn = std::move(queue_.front());
        queue_.pop_front();
      }
      fn();
    }
  }

  const int max_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  std::vector<std::thread> threads_;
  size_t idle_ = 0;
  bool stop_ = false;
};

}  // namespace

HardenedServer::HardenedServer(httplib::Server& server,
                               const HttpLimits& limits,
                               httplib::Server::HandlerWithResponse pre_routing)
    : server_(server), limits_(limits) {
  // SO_REUSEADDR without SO_REUSEPORT: restarting right after a stop still
  // binds (TIME_WAIT), a port another process listens on does not.
  server_.set_socket_options([this](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    last_socket_ = sock;
  });
  server_.set_tcp_nodelay(true);
  server_.set_read_timeout(limits_.read_timeout_s, 0);
  server_.set_write_timeout(limits_.write_timeout_s, 0);
  server_.set_keep_alive_max_count(
      static_cast<size_t>(std::max(1, limits_.keep_alive_max)));
  server_.set_keep_alive_timeout(limits_.keep_alive_timeout_s);
  server_.set_payload_max_length(limits_.max_body_bytes);
  const int min_threads = limits_.min_threads;
  const int max_threads = limits_.max_threads;
  server_.new_task_queue = [min_threads, max_threads] {
    return new ElasticPool(min_threads, max_threads);
  };
  // Runs before httplib reads the body: a body over the cap (or of unknown
  // length) is refused unread, and the connection is closed since its
  // unread bytes would otherwise be parsed as the next request.
  const size_t cap = limits_.max_body_bytes;
  server_.set_pre_routing_handler(
      [cap, pre_routing = std::move(pre_routing)](const httplib::Request& req,
                                                  httplib::Response& res) {
        bool too_large = false;
        if (req.has_header("Transfer-Encoding")) {
          too_large = true;  // chunked: no length to check up front
        } else if (req.has_header("Content-Length")) {
          const std::string v = req.get_header_value("Content-Length");
          errno = 0;
          char* end = nullptr;
          unsigned long long n = std::strtoull(v.c_str(), &end, 10);
          too_large = errno != 0 || end == v.c_str() || *end != '\0' ||
                      n > static_cast<unsigned long long>(cap);
        }
        if (too_large) {
          res.status = 413;
          res.set_header("Connection", "close");
          res.set_content("{\"error\":\"request body larger than " +
                              std::to_string(cap) + " bytes\"}",
                          "application/json");
          return httplib::Server::HandlerResponse::Handled;
        }
        if (pre_routing) return pre_routing(req, res);
        return httplib::Server::HandlerResponse::Unhandled;
      });
}

Result<int> HardenedServer::Bind(const std::string& host, int port) {
  last_socket_ = -1;
  int bound = -1;
  errno = 0;
  if (port == 0) {
    bound = server_.bind_to_any_port(host);
  } else if (server_.bind_to_port(host, port)) {
    bound = port;
  }
  if (bound <= 0) {
    const int err = errno;
    std::string why = err == EADDRINUSE ? "the port is already in use"
                      : err != 0        ? std::strerror(err)
                                        : "not an address of this machine?";
    return Status::IoError("cannot listen on " + host + ":" +
                           std::to_string(port) + ": " + why);
  }
  // httplib listened with a backlog of 5; listen() again raises it.
  if (last_socket_ >= 0) (void)::listen(last_socket_, limits_.backlog);
  return bound;
}

}  // namespace cratedig::net
