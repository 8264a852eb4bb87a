// cli/compactor_cmd.h — the `slatedb compactor` and `slatedb gc` subcommands.
//
//   slatedb --url U --path P compactor    runs a standalone compactor until SIGTERM / SIGINT,
//                                         then shuts it down gracefully and exits 0; prints one
//                                         JSON line of counters on exit.
//   ... compactor --no-embedded-worker    the coordinator only (docs/design.md §10): jobs are
//                                         queued in `.compactions` for workers; needs
//                                         compatibility "0.17".
//   slatedb --url U --path P run-worker [--worker-id ID]   (alias `worker`) a compaction worker
//                                         until SIGTERM / SIGINT: the running job stops at its
//                                         next key boundary and its claim is released; exit 0;
//                                         prints one JSON line of counters on exit.
//   slatedb --url U --path P gc [--once]  runs the garbage collector in the background until a
//                                         signal, or one pass with --once; prints JSON counters.
//   --metrics-addr IPV4:PORT (compactor, gc without --once): serves GET /metrics (Prometheus
//   text of this process's metrics, docs/metrics.md) on that address until the command stops; a
//   malformed address is a usage error (exit 2) naming the flag, one that cannot be bound exits 1.
//   The exit JSON line also carries "request_cost" (docs/metrics.md).
// The global --merge-operator is the compactor's merge operator (without one, merge operands are
// kept as they are). Options come from the database settings (`compactor_options`,
// `garbage_collector_options`; when null, SlateDB's defaults are used, so a writer with compaction
// disabled can rely on a standalone compactor). Signals are taken synchronously (blocked, then
// sigtimedwait) so shutdown runs on the main thread, never inside a signal handler. Thread safety:
// single-threaded entry points. Both take --progress: progress lines on stderr (compactions done
// and running, bytes; GC deletions), the default when stderr is a terminal. Errors: printed to
// stderr; exit codes 0 ok, 1 error (including "fenced by a newer compactor").
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "slatedb/merge_operator.h"
#include "slatedb/options.h"

namespace slatedb::cli {

class CompactorCommands {
 public:
  // Registers the subcommands on `app`.
  explicit CompactorCommands(CLI::App& app);
  // True if `compactor`, `run-worker` or `gc` was parsed.
  bool parsed() const;
  // Runs the parsed subcommand; returns the process exit code.
  // `merge_operator` (--merge-operator; null = none) collapses merge operands in compaction.
  int Run(const std::string& url, const std::string& path, const Settings& settings,
          std::shared_ptr<MergeOperator> merge_operator);

 private:
  CLI::App* compactor_ = nullptr;
  CLI::App* gc_ = nullptr;
  CLI::App* worker_ = nullptr;
  bool no_embedded_worker_ = false;   // compactor --no-embedded-worker
  std::string worker_id_;             // run-worker --worker-id ("" = random)
  uint64_t max_concurrent_jobs_ = 1;  // run-worker --max-concurrent-jobs (0: rejected by Open)
  bool gc_once_ = false;
  bool progress_ = false;     // --progress of either subcommand (cli/progress.h)
  std::string metrics_addr_;  // --metrics-addr (empty: no server)
};

}  // namespace slatedb::cli
