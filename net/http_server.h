// Hardening for the cpp-httplib servers (`serve`, `samplestore`): what
// cpp-httplib 0.11's defaults get wrong for a server on a shared machine
// facing clients that may be slow, many or hostile.
//
//  - Its default socket options set SO_REUSEPORT, so a second server on a
//    taken port binds silently and the kernel splits the connections
//    between the two. Ours set SO_REUSEADDR only (restart after TIME_WAIT
//    still works), so binding a port another process listens on fails.
//  - Its listen backlog is 5 (compiled into the Debian library): under 50
//    parallel clients SYNs are dropped and retried after 1 s, which is the
//    p99. Ours re-issues listen() with `backlog` after the bind.
//  - Its thread pool has a fixed max(8, cores - 1) threads, and a
//    connection holds a thread for as long as it sends a byte every read
//    timeout, so 8 slow clients stop it answering anyone. Ours grows on
//    demand up to `max_threads` (idle extra threads exit) and every
//    connection has read/write timeouts and a keep-alive limit.
//  - It reads any request body whole into memory. Ours refuses a body over
//    `max_body_bytes` with 413 (Content-Length checked before reading;
//    chunked bodies are refused too) and closes the connection.
#pragma once

#include <httplib.h>

#include <memory>
#include <string>

#include "core/status.h"
#include "net/http_limits.h"

namespace cratedig::net {

// Applies `limits` to `server`: socket options, timeouts, thread pool and
// a pre-routing check of the body size. The server must not get another
// pre-routing handler (pass it here) nor socket options. REQUIRES: this
// object outlives the server's use (its hooks point at it).
class HardenedServer {
 public:
  // `pre_routing` (optional) runs after the body-size check.
  HardenedServer(httplib::Server& server, const HttpLimits& limits,
                 httplib::Server::HandlerWithResponse pre_routing = nullptr);
  // Binds host:port (0: any free port) and raises the backlog. IoError
  // naming the address when it is taken. Returns the bound port.
  Result<int> Bind(const std::string& host, int port);

 private:
  httplib::Server& server_;
  HttpLimits limits_;
  int last_socket_ = -1;  // the listening socket, seen by the options hook
};

}  // namespace cratedig::net
