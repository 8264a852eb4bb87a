// compactor/worker.h — a stateless compaction worker (SlateDB RFC-0025, docs/design.md §10,
// distributed compaction) and the `.compactions` helpers it shares with the coordinator
// (compactor.h).
//
// What: `CompactionWorker` polls `.compactions` every poll_interval for a `Scheduled` job (the
// oldest first), claims it by creating the next `.compactions` version with the job `Running`
// and its own `worker` {id, heartbeat} (a lost create race re-reads and re-checks: two workers
// can never both win one job), resolves the job against the latest manifest and runs it on the
// executor (up to `max_concurrent_jobs` jobs at once, each on a thread of its own; run more
// workers for more parallelism) as its
// subcompactions (RFC-0028: the executor's split into at most max_subcompactions key ranges, run
// at once). While it runs, every heartbeat_interval it renews `worker.last_heartbeat_ms` and
// publishes the outputs finished so far: the job's context (`ctx.subcompactions`, each range with
// its outputs, recorded at SST boundaries through ExecutorContext::on_ranges / on_output) and
// their concatenation in `output_ssts`. When the job is done it writes the job `Compacted` with
// all its outputs and ranges; it never touches the manifest — the coordinator alone commits. A
// job that already has recorded ranges (from a worker that died or stopped) is resumed: each
// range keeps its recorded outputs and continues after the last key of its last one (a key's
// versions never straddle two outputs); a job with recorded outputs but no ranges continues
// after the last key of its last output. If a heartbeat finds the job is no longer ours (the
// coordinator reclaimed it), the job is cancelled at its next key boundary and its unrecorded
// outputs are orphans for the GC. `Stop()` is graceful: the running job stops at its next key
// boundary, and the claim is released before Stop returns: `Submitted` again (only the
// coordinator writes `Scheduled`; it re-validates and schedules the job at its next poll),
// worker cleared, finished outputs and ranges kept.
// A worker needs `.compactions` version 2 (compatibility "0.17"); Open rejects "0.12".
// The poll loop is a util::BackgroundTask (thread `slatedb-cworker`): a poll_interval ticker on
// the injected clock, plus a poll right away at Start and after each job; the heartbeat timer
// runs on the injected clock too.
// Each claimed job runs on a thread of its own (`slatedb-cwrun`, which heartbeats; the merge on
// `slatedb-cwjob` and its range threads); a job this worker still runs is never claimed again.
// Thread safety: Start / Stop / stats from any thread (Start once). Ownership: the worker owns its
// threads; it shares the object store and clock. Errors: Open → kInvalid for bad options,
// max_concurrent_jobs 0 or compatibility "0.12" (naming it); Start → kInvalid "no database at
// <path>"; a failed poll, claim or heartbeat is logged (warn) and retried; a job failure releases
// the claim (kNotFound for a missing input marks it Failed instead, which the coordinator drops).
// Stop → OK, or the error of a final release that could not be written (the coordinator reclaims it
// after worker_heartbeat_timeout).
#pragma once

#include <atomic>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "compactor/compaction.h"
#include "compactor/executor.h"
#include "format/compactions_codec.h"
#include "manifest/manifest_store.h"
#include "slatedb/merge_operator.h"
#include "slatedb/object_store.h"
#include "slatedb/options.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/mutex.h"

namespace slatedb::compactor {

// Resolves `spec` (compaction `id`) against `m`: the source SST handles, whether the output is
// the bottom run, the retention bound and clock tick. kInternal naming a source `m` lacks.
Result<CompactionJob> ResolveJob(const format::Manifest& m, const format::Ulid& id,
                                 const CompactionSpec& spec, const std::string& db_path);

// The spec a `.compactions` record describes (L0 view ids are our SST ids).
CompactionSpec SpecOf(const format::CompactionRecord& rec);

// CompactionsStore::Update: applies `mutate` to the latest `.compactions` and creates it as the
// next version, re-reading and re-applying after each lost race (at most 100). `mutate` returning
// non-OK aborts with that status (nothing written). kInvalid "no .compactions" when none exists.
// Returns the version written.
Result<manifest::VersionedCompactions> UpdateCompactions(
    const manifest::CompactionsStore& store,
    const std::function<Status(format::Compactions&)>& mutate);

// Three-way merge of `.compactions` states: `base` is what `mine` was derived from, `theirs` the
// newer stored version. A record another process changed (or added) since `base` is taken from
// `theirs`; otherwise `mine`'s version (or its removal) wins. Records sorted by id.
format::Compactions MergeCompactions(const format::Compactions& base,
                                     const format::Compactions& mine,
                                     const format::Compactions& theirs);

struct WorkerStats {
  uint64_t polls = 0;
  uint64_t claimed = 0;
  uint64_t resumed = 0;    // claimed jobs that already had recorded outputs
  uint64_t compacted = 0;  // jobs this worker wrote Compacted
  uint64_t released = 0;   // claims given back (stop or a failed job)
  uint64_t lost = 0;       // jobs reclaimed by the coordinator while we ran them
  uint64_t failed = 0;
  uint64_t heartbeats = 0;
  uint64_t outputs_reused = 0;  // recorded outputs kept by resumed jobs
};

class CompactionWorker {
  struct PrivateTag {};

 public:
  // `worker_id` "" = a random one. `seed` 0 = util::EntropySeed() (output SST ids).
  static Result<std::unique_ptr<CompactionWorker>> Open(
      std::shared_ptr<ObjectStore> store, std::string db_path, CompactorOptions options,
      OutputSettings output, std::shared_ptr<util::Clock> clock, uint64_t seed,
      std::string worker_id = "", util::Log log = util::Log(),
      std::shared_ptr<MergeOperator> merge_operator = nullptr, uint64_t max_concurrent_jobs = 1);
  CompactionWorker(PrivateTag, std::shared_ptr<ObjectStore> store, std::string db_path,
                   CompactorOptions options, OutputSettings output,
                   std::shared_ptr<util::Clock> clock, uint64_t seed, std::string worker_id,
                   util::Log log, std::shared_ptr<MergeOperator> merge_operator,
                   uint64_t max_concurrent_jobs);
  ~CompactionWorker();
  CompactionWorker(const CompactionWorker&) = delete;
  CompactionWorker& operator=(const CompactionWorker&) = delete;

  Status Start() EXCLUDES(lifecycle_mu_);
  // Graceful and idempotent (see above).
  Status Stop() EXCLUDES(lifecycle_mu_);
  WorkerStats stats() const EXCLUDES(mu_);
  const std::string& worker_id() const { return worker_id_; }

 private:
  class Poller;  // the polling task (worker.cc)
  // A job running here: its ranges with the outputs each has finished (recorded ones first;
  // empty until planned), and whether RunCompaction returned.
  struct JobState {
    std::vector<format::Subcompaction> progress;
    bool done = false;
  };
  // The thread running one claimed job (RunJob); `finished` is its last write.
  struct Runner {
    std::jthread thread;
    std::atomic<bool> finished{false};
  };
  // One poll: claims Scheduled jobs while fewer than max_concurrent_jobs run here, each started
  // on a Runner thread (finished runners are joined first).
  void PollOnce() EXCLUDES(mu_);
  // A Runner's body: RunClaimed, then a poll right away when the job ended well.
  void RunJob(const format::CompactionRecord& rec) EXCLUDES(mu_);
  // Claims the oldest Scheduled job not already running here; nullopt when there is none (or
  // the claim was lost).
  Result<std::optional<format::CompactionRecord>> TryClaim() EXCLUDES(mu_);
  // Runs a claimed job to its end (Compacted, released, failed or lost). Returns the status of
  // its final `.compactions` write.
  Status RunClaimed(const format::CompactionRecord& rec);
  // CAS update of our claim on `id`: `mutate` sees the record only while it is Running and ours;
  // kNotFound "no longer ours" otherwise.
  Status UpdateClaim(const format::Ulid& id,
                     const std::function<void(format::CompactionRecord&)>& mutate);
  // Restricts the job's sources to keys after the last key of `last_output` (resume).
  Status ResumeAfter(const format::SstHandle& last_output, CompactionJob* job);

  const std::shared_ptr<ObjectStore> store_;
  const std::string db_path_;
  const CompactorOptions options_;
  const OutputSettings output_;
  const std::shared_ptr<util::Clock> clock_;
  const std::string worker_id_;
  const util::Log log_;
  const std::shared_ptr<MergeOperator> merge_operator_;
  const std::shared_ptr<manifest::ManifestStore> manifest_store_;
  const manifest::CompactionsStore compactions_store_;
  const std::shared_ptr<format::UlidGenerator> ulids_;
  const std::shared_ptr<std::atomic<bool>> merge_notice_logged_;

  std::atomic<bool> stop_requested_{false};
  mutable util::Mutex mu_ ACQUIRED_AFTER(lifecycle_mu_);
  util::CondVar cv_;  // stop requested, job finished, output recorded
  WorkerStats stats_ GUARDED_BY(mu_);
  const uint64_t max_concurrent_jobs_;
  std::map<format::Ulid, JobState> jobs_ GUARDED_BY(mu_);  // the jobs running here
  std::list<Runner> runners_ GUARDED_BY(mu_);              // joined by PollOnce and Stop
  Status run_status_ GUARDED_BY(mu_);        // a final release that failed during Stop
  std::atomic<Poller*> poll_wake_{nullptr};  // for runners' "poll again" (set by Start)

  util::Mutex lifecycle_mu_;
  std::unique_ptr<Poller> poller_ GUARDED_BY(lifecycle_mu_);  // created by Start
  bool started_ GUARDED_BY(lifecycle_mu_) = false;
  bool stopped_ GUARDED_BY(lifecycle_mu_) = false;
  Status stop_status_ GUARDED_BY(lifecycle_mu_);
};

}  // namespace slatedb::compactor
