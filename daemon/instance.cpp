#include "daemon/instance.h"

#include <unistd.h>

#include <cstdio>
#include <random>

namespace rasid::daemon {

std::string make_instance_id() {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') std::snprintf(host, 8, "unknown");
  std::random_device rd;
  char tail[16];
  std::snprintf(tail, sizeof tail, "%08x", static_cast<unsigned>(rd()));
  return std::string(host) + ":" + std::to_string(getpid()) + ":" + tail;
}

}  // namespace rasid::daemon
