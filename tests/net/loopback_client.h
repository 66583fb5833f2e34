// A hand-made HTTP/1.1 client on 127.0.0.1 for tests and benchmarks of our
// servers: raw paths go out exactly as given (no client-side cleaning of
// "..", "%2e" or backslashes), and a partial request can be sent by hand.
#pragma once

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdint>
#include <string>

namespace cratedig::testing {

// A TCP connection to 127.0.0.1:port (TCP_NODELAY); -1 on failure. Reads
// time out after `recv_timeout_s`, so a hung server fails a test instead of
// hanging it.
inline int ConnectLoopback(int port, int recv_timeout_s = 30) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  timeval tv{recv_timeout_s, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// "GET <raw_path> HTTP/1.1" on a fresh connection ("Connection: close"),
// read to the end. Returns the status code (-1 on a socket error or a reply
// that is not HTTP) and, when asked, the whole response.
inline int RawGet(int port, const std::string& raw_path,
                  std::string* response = nullptr) {
  int fd = ConnectLoopback(port);
  if (fd < 0) return -1;
  const std::string req =
      "GET " + raw_path +
      " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(req.size())) {
    ::close(fd);
    return -1;
  }
  std::string all;
  char buf[16384];
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

}  // namespace cratedig::testing
