// slatedb — command-line interface to a slatedb-cpp database (docs/design.md §17).
//
//   slatedb --url STORE_URL --path DB_PATH [--settings JSON | --config FILE] [--hex] [--reader] CMD
//
// The shared subset of commands has the same syntax and output as ../shared/peer/slatedb-peer,
// so tests and benchmarks can run either engine with one command line.
// Exit codes: 0 success, 1 error (message on stderr), 2 usage error, 3 key not found (get).
#include "cli/commands.h"
#include "spdlog/sinks/stdout_color_sinks.h"
#include "spdlog/spdlog.h"

int main(int argc, char** argv) {
  // Library log lines (compactor, engine warnings) must never mix with command output.
  spdlog::set_default_logger(spdlog::stderr_color_mt("slatedb"));
  return slatedb::cli::Run(argc, argv);
}
