// HttpLimits: how much a client may take from one of our HTTP servers
// (see net/http_server.h for why each limit exists).
#pragma once

#include <cstddef>

namespace cratedig::net {

struct HttpLimits {
  // Seconds a read or a write may stall before the connection is closed.
  // Default: 5 / 10.
  int read_timeout_s = 5;
  int write_timeout_s = 10;
  // Requests per connection, and seconds an idle keep-alive connection is
  // kept. Default: 100 / 2.
  int keep_alive_max = 100;
  int keep_alive_timeout_s = 2;
  // Worker threads: `min_threads` always, more on demand up to
  // `max_threads` (then connections wait). Default: 8 / 256.
  int min_threads = 8;
  int max_threads = 256;
  // Pending connections the kernel queues (capped by net.core.somaxconn).
  // Default: 1024.
  int backlog = 1024;
  // Largest request body accepted. Default: 64 KiB (our servers only take
  // GETs; a body is never needed).
  size_t max_body_bytes = 64 * 1024;
};

}  // namespace cratedig::net
