// daemon/cli.h — the rasid binary's subcommands (run, once, check, clean, …) and the pipeline
// that wires the modules together. daemon/ is the only module that knows all the others.
#pragma once

namespace rasid::daemon {

// Entry point of the `rasid` binary; returns the process exit code.
int main(int argc, char** argv);

}  // namespace rasid::daemon
