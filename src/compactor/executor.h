// compactor/executor.h — runs compaction jobs: merge the sources, write the output SSTs.
//
// What:
//   * `RunCompaction` executes one job synchronously: a merge over the source L0 SSTs (newest
//     first) and sorted runs (highest id first), each read sequentially in large ranged GETs
//     (rows outside an SST's visible_range are skipped). With `max_fetch_tasks` N > 1 the job
//     starts N - 1 fetch threads of its own ("slatedb-fetch-<i>", at most 64; the merge
//     thread's index reads are the N-th concurrent GET) and each input keeps
//     about ceil(N / inputs) GETs of its next blocks queued ahead of the merge (each about
//     read_chunk_bytes / that many, so an input still buffers about read_chunk_bytes): at most
//     N GETs of a job are in flight, rows come out in the same order, and a failed read is
//     reported when the merge reaches it, naming the object. On return (done, failed or
//     cancelled) queued fetches are abandoned and only the running GETs are waited for. N = 1
//     reads each chunk when the merge reaches it, one GET after another. Per key it applies expiry
//     (docs/format.md §11: an expired value becomes a tombstone, an expired merge operand is
//     dropped), keeps every version above `retention_min_seq` as it is, plus the versions at or
//     below it down to the first value or tombstone; with a merge operator those are collapsed
//     (table::CollapseOperands: same-expiry operand runs folded, folded onto a tombstone or a
//     value of the same expiry, a value at the bottom run; without an operator they are kept as
//     they are, logged once per compactor at info; an operator error on a key keeps that key's
//     rows unmerged, logged once per job at warn), drops tombstones left at the end of a key's
//     versions only when the output is the bottom run, and writes output SSTs cut at about
//     `max_sst_size` (never splitting a key's versions), each uploaded to `compacted/<ULID>.sst`.
//     The `cancel` flag is checked at every SST boundary; a cancelled job reports `cancelled` and
//     the SSTs it uploaded (orphans).
//   * Subcompactions (RFC-0028, `max_subcompactions` N > 1): the job is split into at most N
//     disjoint key ranges at first keys of input data blocks (each range at least
//     max(input bytes / N, largest input SST, max_sst_size): smaller jobs are one merge), merged
//     at once — range 0 on the calling thread, the others on threads "slatedb-subc-<i>" — with
//     the rows of one merge; each range writes its own outputs (rolled at max_sst_size). The
//     result lists the ranges (`subcompactions`) and, in `outputs`, their SSTs in key order. A
//     failing range stops the others at their next key; cancellation stops all; every range
//     thread is joined before RunCompaction returns. `CompactionJob::resume` reruns recorded
//     ranges, each after the last key of its last recorded output.
//   * Trivial move (`enable_trivial_move`): when the input SSTs are pairwise disjoint (and all
//     own, without visible ranges), the result's outputs are the input handles in key order
//     and nothing is read or written (`trivial_move`); see docs/design.md §10 for what a move
//     leaves as it is.
//   * `CompactionExecutor` runs jobs on a bounded pool of worker threads and reports each job's
//     single result through the completion callback given at construction.
// Shutdown protocol (the orchestrator's side is in compactor.h): `CloseAndCancel()` refuses new
// jobs and asks running ones to stop at their next SST boundary; jobs still queued complete as
// cancelled without running. Every job submitted before CloseAndCancel gets exactly one
// completion callback, on a worker thread, before `Join()` returns. The owner must keep
// consuming completions until it has received one per submitted job, and only then call Join().
// Thread safety: Submit / CloseAndCancel may be called from any thread; Join from one thread.
// Ownership: the executor owns its threads; it shares the object store and the ULID generator.
// Errors: a job's failure (object-store error, corrupt source: kData naming the object) is in
// its result's status; the executor itself does not fail.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "compactor/compaction.h"
#include "format/ulid.h"
#include "slatedb/merge_operator.h"
#include "slatedb/object_store.h"
#include "slatedb/options.h"
#include "table/table_store.h"
#include "util/channel.h"
#include "util/clock.h"
#include "util/log.h"

namespace slatedb::compactor {

// The bytes one input scan of a job with `inputs` sources and `subs` subcompactions reads per
// GET: read_chunk_bytes, cut so the job's inputs buffer about 32 MiB together (never below 1 MiB
// for this), then split between the subcompactions (each at least 1 MiB, or read_chunk_bytes
// if smaller).
uint64_t InputChunkBytes(uint64_t read_chunk_bytes, size_t inputs, size_t subs);

struct ExecutorContext {
  std::shared_ptr<ObjectStore> store;
  std::string db_path;
  OutputSettings output;
  std::shared_ptr<util::Clock> clock;
  std::shared_ptr<format::UlidGenerator> ulids;  // output SST ids (thread-safe)
  uint64_t read_chunk_bytes = 8 << 20;           // sequential source reads per GET
  uint64_t max_fetch_tasks = 1;  // CompactorOptions::max_fetch_tasks: concurrent GETs per job
  std::shared_ptr<MergeOperator> merge_operator;  // null: merge operands are kept as they are
  // CompactorOptions::max_subcompactions (1 = no split)
  uint64_t max_subcompactions = 1;
  bool enable_trivial_move = false;  // CompactorOptions::enable_trivial_move
  util::Log log;
  // Called once per job (`job` = the compaction id), on the job's thread, before any range
  // runs, with the key ranges the job runs as in key order (a new plan, or a resumed job's
  // recorded ones); not called for a trivial move or a job cancelled before it started; null =
  // none.
  std::function<void(const format::Ulid& job, const std::vector<format::BytesRange>& ranges)>
      on_ranges;
  // Called after each output SST is complete and uploaded, on the thread of the range that wrote
  // it (`range` indexes on_ranges' list): in key order within a range, concurrently across
  // ranges (the callee synchronises); null = none. Distributed workers (worker.h) record each
  // range's outputs at SST boundaries with it so that a resumed job can reuse them.
  std::function<void(const format::Ulid& job, size_t range, const format::SstHandle& sst)>
      on_output;
  // Set once "no merge operator: operands kept" (info) or an operator failure (warn) was logged.
  std::shared_ptr<std::atomic<bool>> merge_notice_logged = std::make_shared<std::atomic<bool>>();

  // The job's SST I/O: input readers and output writers on `store` under `db_path`.
  table::TableStore tables() const { return table::TableStore(store, db_path); }
};

// The context a compactor's or a distributed worker's jobs run with (one mapping for both):
// `options` gives max_fetch_tasks, max_subcompactions and enable_trivial_move. The caller adds
// its callbacks (on_ranges, on_output) and, to share it between contexts, merge_notice_logged.
ExecutorContext ExecutorContextFor(std::shared_ptr<ObjectStore> store, std::string db_path,
                                   const OutputSettings& output, std::shared_ptr<util::Clock> clock,
                                   std::shared_ptr<format::UlidGenerator> ulids,
                                   const CompactorOptions& options,
                                   std::shared_ptr<MergeOperator> merge_operator, util::Log log);

CompactionJobResult RunCompaction(const CompactionJob& job, const ExecutorContext& ctx,
                                  const std::atomic<bool>& cancel);

class CompactionExecutor {
 public:
  using CompletionFn = std::function<void(CompactionJobResult)>;

  // Starts `threads` (>= 1) workers.
  CompactionExecutor(ExecutorContext ctx, size_t threads, CompletionFn on_complete);
  // Calls CloseAndCancel() and Join(); the owner must already have consumed all completions.
  ~CompactionExecutor();
  CompactionExecutor(const CompactionExecutor&) = delete;
  CompactionExecutor& operator=(const CompactionExecutor&) = delete;

  // Queues a job (blocks while `threads` jobs are queued). false after CloseAndCancel(): the job
  // is not run and no completion will be reported for it.
  bool Submit(CompactionJob job);
  void CloseAndCancel();
  void Join();

 private:
  void WorkerLoop();

  ExecutorContext ctx_;
  CompletionFn on_complete_;
  std::atomic<bool> cancel_{false};
  util::Channel<CompactionJob> jobs_;
  std::vector<std::jthread> workers_;
};

}  // namespace slatedb::compactor
