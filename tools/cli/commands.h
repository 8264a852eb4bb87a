// cli/commands.h — the `slatedb` command line: argument parsing and command dispatch.
// Thread safety: single-threaded entry point. Errors are printed to stderr; Run returns the
// process exit code (0 ok, 1 error, 2 usage, 3 not found).
#pragma once

namespace slatedb::cli {

int Run(int argc, char** argv);

}  // namespace slatedb::cli
