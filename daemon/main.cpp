#include "daemon/cli.h"

int main(int argc, char** argv) { return rasid::daemon::main(argc, argv); }
