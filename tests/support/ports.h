// tests/support/ports.h — a loopback TCP port with nothing listening on it.
//
// The kernel picks a free ephemeral port for a socket bound to 127.0.0.1:0; the socket is closed
// at once, so the port is free when the function returns: for a daemon's status_listen (the
// process binds it a moment later; another bind in between is possible but unlikely) or as an
// address where a connection is refused. One implementation for every test binary (it was
// copied into scaleout_test, soak_test and fetcher_test).
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace rasid::testing {

inline int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    ADD_FAILURE() << "socket() for a free port failed";
    return 0;
  }
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  else
    ADD_FAILURE() << "no free loopback port (bind or getsockname failed)";
  ::close(fd);
  return port;
}

}  // namespace rasid::testing
