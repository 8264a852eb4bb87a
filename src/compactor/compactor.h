// compactor/compactor.h — the compactor: orchestrator + executor pool (docs/format.md §9,
// docs/design.md §10).
//
// Overview: `Compactor::Start()` bumps the manifest's compactor_epoch (fencing any older
// compactor), writes a `.compactions` version carrying the new epoch, starts the executor pool
// and the orchestrator thread. The orchestrator is the ONLY committer: every poll_interval (or
// on Notify()) it re-reads the manifest, asks the size-tiered scheduler for new compactions,
// records each in `.compactions` (Submitted, then Running) and submits a job to the executor.
// When a job finishes the orchestrator records its outputs in `.compactions`, writes a manifest
// with a 900-s checkpoint of the current state (so readers of the old state keep their SSTs),
// then the manifest with the result (inputs removed, output run inserted in id order,
// l0_last_compacted set for L0 sources), then marks the compaction Completed — all under its
// compactor_epoch; a newer compactor's epoch makes every later write fail with Fenced.
//
// The orchestrator is a util::BackgroundTask (thread "slatedb-compactor"): its messages are
// wake-ups (Notify, the first poll at Start, and one after each completion an executor thread
// puts in the separate completions channel); its ticker, every poll_interval on the injected
// clock, runs the timed polls and retries.
//
// Shutdown by design: `Stop()` sets a flag and stops the task, which handles the wake-ups still
// queued without polling (1: no more scheduling) and then, in its OnStop, (2) tells the executor
// to refuse new jobs and to stop running ones at their next SST boundary, (3) receives one
// completion per submitted job from the completions channel — committing the ones that
// finished, dropping the cancelled ones from `.compactions` (their SSTs are orphans for the
// GC) — (4) joins the executor threads, and only then (5) closes the completions channel; the
// task's thread is joined. Executor threads send completions only while the orchestrator is
// still receiving them, so a completion can never meet a closed channel (the wake-up after it
// may find the task's channel closed, which is harmless); Notify() after Stop() is a silent
// no-op. No thread outlives Stop(). The same drain runs when the orchestrator ends on its own
// (fenced): the task then ignores every later wake-up and tick until Stop().
//
// Thread safety: Start, Stop, Notify and stats may be called from any thread (Start once).
// Ownership: the Compactor owns its threads; it shares the object store and the clock.
// Errors: Open → kInvalid for bad options (naming the option). Start → kInvalid "no database at
// <path>", object-store errors. Stop → OK after a clean shutdown and also when this compactor
// was fenced by a newer one (an expected end; see fenced()); a latched unexpected error (e.g.
// kData for a corrupt manifest) is returned. Failed individual compactions are logged (warn),
// counted and retried at the next poll; they are not fatal. Except: a compaction whose input
// object is missing (kNotFound) is logged once (error, naming the object), counted, and not
// retried — its inputs are not scheduled again while they are in the manifest.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "compactor/compaction.h"
#include "compactor/executor.h"
#include "compactor/size_tiered_scheduler.h"
#include "format/compactions_codec.h"
#include "manifest/manifest_store.h"
#include "manifest/stored_manifest.h"
#include "slatedb/merge_operator.h"
#include "slatedb/metrics.h"
#include "slatedb/object_store.h"
#include "slatedb/options.h"
#include "util/channel.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/mutex.h"
#include "util/random.h"

namespace slatedb::compactor {

// Counters for tests and the CLI.
struct CompactorStats {
  uint64_t epoch = 0;
  uint64_t polls = 0;
  uint64_t submitted = 0;
  uint64_t committed = 0;      // compactions whose result is in the manifest
  uint64_t cancelled = 0;      // stopped at an SST boundary during shutdown
  uint64_t failed = 0;         // job or commit errors (retried later)
  uint64_t orphaned_ssts = 0;  // outputs of cancelled / failed compactions
  uint64_t bytes_read = 0;
  uint64_t bytes_written = 0;
  uint64_t running = 0;
};

// Output settings from the database settings (block size, codec, filter, max_sst_size) and the
// database's prefix extractor (null: none).
OutputSettings OutputSettingsFrom(
    const Settings& settings, std::shared_ptr<const PrefixExtractor> prefix_extractor = nullptr);

// The compactor's expiry for the checkpoint it writes before each commit (docs/format.md §10).
inline constexpr uint32_t kCompactionCheckpointLifetimeSeconds = 900;

class Compactor {
  struct PrivateTag {};

 public:
  // Validates the options (scheduler strings, max_concurrent_compactions >= 1); no I/O.
  // `output.max_sst_size` is taken from options.max_sst_size. A null clock means the system
  // clock. `seed` drives output SST and checkpoint ids; 0 means util::EntropySeed() (distinct
  // processes must not share a seed, or their output SST ids could collide). `merge_operator`
  // (the database's, null = none) collapses merge operands; without one they are kept as they
  // are (executor.h).
  static Result<std::unique_ptr<Compactor>> Open(
      std::shared_ptr<ObjectStore> store, std::string db_path, CompactorOptions options,
      OutputSettings output, std::shared_ptr<util::Clock> clock, uint64_t seed,
      util::Log log = util::Log(), std::shared_ptr<MergeOperator> merge_operator = nullptr,
      std::shared_ptr<MetricsRecorder> metrics = nullptr);
  // `metrics` (null = none): the slatedb.compactor.* series (docs/metrics.md).
  Compactor(PrivateTag, std::shared_ptr<ObjectStore> store, std::string db_path,
            CompactorOptions options, SizeTieredOptions scheduler, OutputSettings output,
            std::shared_ptr<util::Clock> clock, uint64_t seed, util::Log log,
            std::shared_ptr<MergeOperator> merge_operator,
            const std::shared_ptr<MetricsRecorder>& metrics = nullptr);
  // Stops (the result is logged if not OK).
  ~Compactor();
  Compactor(const Compactor&) = delete;
  Compactor& operator=(const Compactor&) = delete;

  // Fences older compactors and starts the threads. REQUIRES: called at most once.
  Status Start() EXCLUDES(lifecycle_mu_);
  // Graceful, idempotent shutdown (see above). Returns the same status on every call.
  Status Stop() EXCLUDES(lifecycle_mu_);
  // Asks for a poll now (e.g. a new L0 was published). Never blocks; a no-op once stopped.
  void Notify();
  // The owner polls the manifest for us (the embedded compactor of a writer, which shares its
  // manifest poll): from now on the compactor polls only when Notify()'d, right after each
  // finished job, and every poll_interval only while a failed poll / submit / job waits for its
  // retry — an idle database costs the compactor no requests. Admin-submitted compactions
  // (`.compactions` only) are therefore adopted at the next such poll. Call before Start().
  void DisableTimedPolls();
  // The embedded compactor reads and writes manifests through its writer's store, so both share
  // one cached latest version (manifest/versioned_store.h): a version either of them read or
  // created is where the other's next probe starts. Without it, a garbage collector with a small
  // manifest min_age could delete the successor of the compactor's cached version before it
  // probes it, leaving the compactor blind to new L0s for up to kManifestProbeTrust. REQUIRES:
  // `store` is for the same database path and format, and this is called before Start().
  void ShareManifestStore(std::shared_ptr<manifest::ManifestStore> store);
  // `fn` runs on the orchestrator thread after each manifest version this compactor writes that
  // removes L0 SSTs or sorted runs (a committed compaction, a segment drain), so that the
  // embedded compactor's writer, stalled on a full L0, re-reads the manifest at once instead of
  // at its next poll. It must not block or call back into the compactor. Call before Start().
  void OnManifestCommitted(std::function<void()> fn) { on_manifest_committed_ = std::move(fn); }
  // Coordinator only (`slatedb run-compactor --no-embedded-worker`, docs/design.md §10, distributed
  // compaction): jobs are not run here but recorded `Scheduled` for CompactionWorkers (worker.h) to
  // claim; each poll also commits jobs workers wrote `Compacted` (manifest first, then `Completed`)
  // and hands Running jobs whose heartbeat is older than worker_heartbeat_timeout back to the
  // queue. Start → kInvalid with compatibility "0.12" (`.compactions` version 1 cannot record
  // workers). Call before Start().
  void UseExternalWorkers() { external_workers_ = true; }

  CompactorStats stats() const EXCLUDES(stats_mu_);
  // True once a newer compactor has taken over (the orchestrator has ended).
  bool fenced() const { return fenced_.load(); }
  // True while the orchestrator thread runs (false before Start, after Stop or once fenced).
  bool running() const { return running_.load(); }

 private:
  class Orchestrator;  // the loop: a util::BackgroundTask (compactor.cc)
  // Creates (external mode) and starts the orchestrator task; the first poll right away.
  void StartOrchestrator() REQUIRES(lifecycle_mu_);
  // Orchestrator thread: a wake-up (completions queued, Notify, the first poll) / the
  // poll_interval ticker.
  void OnWake() EXCLUDES(stats_mu_);
  void OnTimer() EXCLUDES(stats_mu_);
  void PollAndSchedule() EXCLUDES(stats_mu_);
  // Starts `spec` as a new job; with `existing`, as the job of that Submitted record (one an
  // admin wrote to `.compactions`) instead of a new record.
  Status Submit(const CompactionSpec& spec, std::optional<format::Ulid> existing = std::nullopt)
      EXCLUDES(stats_mu_);
  // Reads the latest `.compactions`; Submitted records we did not write (slatedb
  // submit-compaction) join compactions_; each is validated against the manifest and started, or
  // marked Failed with the reason logged (warn). Sources in use by a running job: left Submitted.
  void AdoptSubmitted() EXCLUDES(stats_mu_);
  // Copies the Submitted records of `other` that compactions_ lacks.
  void MergeSubmitted(const format::Compactions& other);
  void HandleCompletion(CompactionJobResult result) EXCLUDES(stats_mu_);
  Status Commit(const CompactionSpec& spec, const CompactionJobResult& result);
  // A committed compaction of `outputs` SSTs in the metrics and stats.
  void CountCommitted(size_t outputs) EXCLUDES(stats_mu_);
  // Executes a validated Submitted DrainSegmentSpec record (RFC-0024) in one manifest update
  // and marks it Completed.
  Status ExecuteDrain(format::CompactionRecord* rec);
  // Commits the Compacted records (a worker's, or left by a coordinator that died between the
  // manifest and `.compactions`); external mode: reclaims stale Running jobs, drops Failed ones.
  void CommitCompacted() EXCLUDES(stats_mu_);
  void ReclaimStale();
  // Specs of the records that hold their inputs outside running_specs_ (Scheduled / Running /
  // Compacted): busy for the scheduler.
  std::vector<CompactionSpec> RecordedBusy() const;
  // Orchestrator thread, once (at stop, or when it ends by itself on a latched error): stops
  // the executor, receives one completion per submitted job, joins it, closes completions_.
  void Drain() EXCLUDES(stats_mu_);
  // Writes compactions_ as the next `.compactions` version (CompactionsStore::Update, merging a
  // newer stored version into it after each lost race); Fenced if a newer epoch owns it.
  Status WriteCompactions();
  // Fenced when `stored` carries a newer compactor epoch than ours.
  Status CheckEpoch(const format::Compactions& stored) const;
  // Latches `st` (Fenced → fenced_). Orchestrator thread only.
  void Latch(const Status& st);
  format::CompactionRecord* FindRecord(const format::Ulid& id);
  void RemoveRecord(const format::Ulid& id);
  // Marks record `id` Completed and drops every other Completed record (only active compactions
  // plus this one stay); false when there is no such record. The caller writes `.compactions`.
  bool MarkCompleted(const format::Ulid& id);

  // Constant after construction.
  const std::shared_ptr<ObjectStore> store_;
  const std::string db_path_;
  const CompactorOptions options_;
  const SizeTieredOptions scheduler_;
  const OutputSettings output_;
  const std::shared_ptr<util::Clock> clock_;
  const util::Log log_;
  const std::shared_ptr<MergeOperator> merge_operator_;      // may be null
  std::shared_ptr<manifest::ManifestStore> manifest_store_;  // replaced only before Start
  const manifest::CompactionsStore compactions_store_;
  const std::shared_ptr<format::UlidGenerator> ulids_;
  struct Metrics {
    explicit Metrics(MetricsRecorder& rec);
    std::shared_ptr<CounterHandle> bytes_compacted, ssts_written;
    std::shared_ptr<CounterHandle> committed, cancelled, failed;  // finished_compactions{result}
    std::shared_ptr<UpDownCounterHandle> running;
    std::shared_ptr<GaugeHandle> epoch, last_compaction_timestamp_sec;
  };
  const Metrics metrics_;

  // Orchestrator thread only (set up by Start before the thread exists).
  std::optional<manifest::FenceableManifest> manifest_;
  format::Compactions compactions_;
  format::Compactions base_;  // the stored version compactions_ derives from (external mode)
  uint64_t compactions_id_ = 0;
  bool external_workers_ = false;  // set before Start
  std::map<format::Ulid, CompactionSpec> running_specs_;
  // Compactions that failed because an input object is gone (kNotFound): retrying cannot help,
  // so their inputs count as busy for the scheduler (kept in memory only: a kFailed record in
  // `.compactions` would pin the GC's watermark) until one of them leaves the manifest.
  std::vector<CompactionSpec> failed_specs_;
  size_t outstanding_ = 0;  // jobs submitted whose completion has not been received
  Status fatal_;
  util::Random rng_;
  bool drained_ = false;  // orchestrator thread only: Drain() ran
  std::unique_ptr<CompactionExecutor> executor_;

  util::Channel<CompactionJobResult> completions_;  // executor threads → orchestrator
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> poll_requested_{false};
  std::function<void()> on_manifest_committed_;  // OnManifestCommitted (set before Start)
  std::atomic<bool> timed_polls_{true};          // false: DisableTimedPolls
  bool retry_pending_ = false;  // orchestrator thread only: a failure awaits a retry
  std::atomic<bool> fenced_{false};
  std::atomic<bool> running_{false};

  util::Mutex lifecycle_mu_;  // serializes Start / Stop
  std::unique_ptr<Orchestrator> orchestrator_ GUARDED_BY(lifecycle_mu_);
  // The orchestrator for wake-ups from Notify and executor threads (set once by Start; the task
  // lives until the Compactor is destroyed).
  std::atomic<Orchestrator*> wake_{nullptr};
  bool started_ GUARDED_BY(lifecycle_mu_) = false;
  bool stopped_ GUARDED_BY(lifecycle_mu_) = false;
  Status stop_status_ GUARDED_BY(lifecycle_mu_);

  mutable util::Mutex stats_mu_ ACQUIRED_AFTER(lifecycle_mu_);  // Start holds both
  CompactorStats stats_ GUARDED_BY(stats_mu_);
};

}  // namespace slatedb::compactor
