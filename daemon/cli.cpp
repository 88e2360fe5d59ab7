#include "daemon/cli.h"

#include <cstdio>

namespace rasid::daemon {
int main(int, char**) {
  std::fprintf(stderr, "rasid: not yet wired\n");
  return 2;
}
}  // namespace rasid::daemon
