// slatedb — command-line interface to a slatedb-cpp database (docs/design.md §17).
//
//   slatedb [--url STORE_URL | --env-file F] --path DB_PATH [--settings JSON | --config FILE]
//           [--hex] [--reader | --writer] [-v | -q | --log-level L] CMD
//
// The shared subset of commands has the same syntax and output as ../shared/peer/slatedb-peer,
// so tests and benchmarks can run either engine with one command line. Reading commands (get,
// scan, status, readrandom, manifest) open read-only unless --writer: they never fence a
// running writer and never create anything.
// Exit codes: 0 success, 1 error (message on stderr), 2 usage error, 3 key not found (get).
#include <exception>
#include <iostream>

#include "cli/commands.h"

int main(int argc, char** argv) {
  // Library log lines go to the default logger (stderr), never to stdout; no exception escapes.
  try {
    return slatedb::cli::Run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "error: internal: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "error: internal: unknown exception\n";
  }
  return 1;
}
