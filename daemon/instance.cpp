#include "daemon/instance.h"

#include <unistd.h>

#include <cstdio>
#include <random>

namespace rasid::daemon {

std::string host_name() {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') return "unknown";
  return host;
}

std::string make_instance_id() {
  std::random_device rd;
  char tail[16];
  std::snprintf(tail, sizeof tail, "%08x", static_cast<unsigned>(rd()));
  return host_name() + ":" + std::to_string(getpid()) + ":" + tail;
}

}  // namespace rasid::daemon
