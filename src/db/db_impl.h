// db/db_impl.h — DbImpl, the writer engine behind slatedb::Db (docs/design.md §4–§9, §13).
//
// The commit step runs on the caller's thread (no write thread, no hand-off): WritePath
// (db/write_path.h) serializes writers on its own mutex, assigns one seq per batch, stamps
// create_ts (forced monotonic) and expire_ts, appends rows to the memtable and the WAL buffer,
// freezes the memtable when it reaches l0_sst_size_bytes, and stalls the writer (backpressure)
// while unflushed bytes exceed max_unflushed_bytes. DbImpl is its WritePathHost.
//
// Actors, declared in start order (each with its own state, mutex and thread; Open starts: WAL
// writer, compactor, GC, memtable (L0) flusher; Close() stops them in reverse: the write path
// (WritePath::Stop, no thread), (final WAL flush), memtable flusher, GC, compactor, WAL writer).
// Their timers run on Components::clock (a test drives them with util::ManualClock). The
// lifecycle is one state machine (Lifecycle: kOpen → kClosing → kStopping → kClosed) plus the
// latched fatal error.
//   WalWriter        (db/wal_writer.h) every flush_interval / on demand / when the buffer is
//                    large: uploads the WAL buffer as ONE WAL SST (PutIfAbsent at the next WAL
//                    id), advances the durable seq and wakes every writer waiting for durability
//                    (group commit). "Already exists" = a newer writer fenced us: Status::Fenced
//                    is latched. DbImpl is its WalWriterHost.
//   L0Flusher        (db/l0_flusher.h; with its ManifestPoller) writes frozen memtables, oldest
//   first, as L0 SSTs, then publishes each in the
//                    manifest (fenceable update loop). With l0_flush_parallelism N > 1 it keeps
//                    up to N uploads running at once on a fixed pool of N upload threads
//                    ("slatedb-l0up-<i>", started with the flusher, joined by its OnStop), and
//                    still publishes strictly oldest first: an L0 is published only after every
//                    older memtable's L0 (ids are minted in memtable order when an upload
//                    starts), so the replay point only moves over a contiguous prefix of
//                    finished uploads; a failed upload is retried (same id) and nothing newer
//                    is published until it succeeds. On Close the flusher waits for every
//                    running upload, publishes the finished prefix and joins the pool. N = 1
//                    uploads on the flusher thread itself, one memtable after the other.
//                    With Components::segment_extractor each flush writes one SST per tree
//                    (db/segment_flush.h), serially, listed in one manifest update.
//                    It also refreshes the manifest every
//                    manifest_poll_interval (fencing detection, compactor's changes). While L0
//                    holds l0_max_ssts SSTs it waits for the compactor (embedded or external) to
//                    drain L0; meanwhile writers stall on max_unflushed_bytes.
//   Compactor        (optional, settings.compactor_options) the embedded compactor of
//                    src/compactor: started right after recovery (docs/format.md §12.3 step 5),
//                    notified after each L0 publish and while L0 is full, stopped by Close() after
//                    the memtable flusher.
//   GarbageCollector (optional, settings.garbage_collector_options; SlateDB's default is on)
//                    the collector of src/gc in background mode: started right after the
//                    compactor, stopped by Close() right before the compactor (reverse start
//                    order). The GC depends on no in-process state of this writer (it reads the
//                    store and deletes only by the docs/design.md §11 rules, which protect our
//                    unpublished L0s and WAL SSTs by id/ULID order and min_age, and the compactor's
//                    outputs via
//                    `.compactions`), so it may run while the actors run; it is stopped before the
//                    compactor so that no sweep races the compactor's final commits and so that
//                    no GC thread exists once the last writer-side actor is gone. It is also
//                    stopped as soon as a fatal error (e.g. fenced) is latched: a fenced writer
//                    no longer collects (a newer writer's GC does).
// Manifest writes apply their change to the latest stored version (CAS loop), so what a
// compactor wrote (compacted runs, checkpoints, l0_last_compacted, truncated l0) is preserved.
//
// Locking: mu_ guards the published DbState, the latched error, lifecycle changes and the
// backpressure counters; it is taken before the WAL writer's mutex. No object-store I/O runs
// under mu_.
// Thread safety: all public methods are thread-safe. Ownership: DbImpl owns its tasks; the
// object store is shared. Errors: see slatedb/db.h.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "compactor/compactor.h"
#include "db/db_metrics.h"
#include "db/db_state.h"
#include "db/l0_flusher.h"
#include "db/l0_sst_writer.h"
#include "db/read_path.h"
#include "db/segment_flush.h"
#include "db/txn_manager.h"
#include "db/wal_writer.h"
#include "db/write_path.h"
#include "db/write_rows.h"
#include "format/ulid.h"
#include "gc/garbage_collector.h"
#include "manifest/stored_manifest.h"
#include "slatedb/db.h"
#include "util/background_task.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/mutex.h"
#include "util/random.h"
#include "util/read_mostly.h"
#include "wal/wal_buffer.h"
#include "wal/wal_prefetcher.h"
#include "wal/wal_store.h"

namespace slatedb::object_store {
class CachedObjectStore;
}  // namespace slatedb::object_store

namespace slatedb::db {

class DbImpl final : public Db,
                     public TxnSource,
                     private WritePathHost,
                     private WalWriterHost,
                     private L0FlusherHost {
 public:
  static Result<std::unique_ptr<Db>> Open(const std::string& path, Components components,
                                          Settings settings);
  ~DbImpl() override;

  Result<WriteHandle> Put(std::string_view key, std::string_view value,
                          const WriteOptions& options) override;
  Result<WriteHandle> Put(std::string_view key, std::string_view value,
                          const PutOptions& put_options, const WriteOptions& options) override;
  Result<WriteHandle> Merge(std::string_view key, std::string_view operand,
                            const MergeOptions& merge_options,
                            const WriteOptions& options) override;
  Result<WriteHandle> Delete(std::string_view key, const WriteOptions& options) override;
  Result<WriteHandle> Write(const WriteBatch& batch, const WriteOptions& options) override;
  Result<std::optional<std::string>> Get(std::string_view key, const ReadOptions& options) override;
  Result<std::optional<KeyValue>> GetKeyValue(std::string_view key,
                                              const ReadOptions& options) override;
  Result<std::unique_ptr<DbIterator>> Scan(const ScanRange& range,
                                           const ScanOptions& options) override;
  Result<std::vector<std::optional<std::string>>> MultiGet(const std::vector<std::string>& keys,
                                                           const ReadOptions& options) override;
  Result<std::unique_ptr<slatedb::Snapshot>> Snapshot() override;
  Result<std::unique_ptr<Transaction>> Begin(IsolationLevel level) override;
  Status Flush(FlushType type) override;
  Result<DbStatusInfo> GetStatus() override;
  Result<MetricsSnapshot> Metrics() override;
  Result<std::vector<std::string>> SubmitFullCompaction() override;
  Result<CheckpointCreateResult> CreateCheckpoint(CheckpointScope scope,
                                                  const CheckpointOptions& options) override;
  Status Close() override;

  // TxnSource (snapshots and transactions).
  Result<std::optional<KeyValue>> GetAt(std::string_view key, const ReadOptions& options,
                                        uint64_t seq) override;
  Result<std::unique_ptr<DbIterator>> ScanAt(const ScanRange& range, const ScanOptions& options,
                                             uint64_t seq) override;
  Result<std::vector<std::optional<std::string>>> MultiGetAt(const std::vector<std::string>& keys,
                                                             const ReadOptions& options,
                                                             uint64_t seq) override;
  Result<WriteHandle> CommitTxn(const WriteBatch& batch, std::shared_ptr<const TxnConflictSet> txn,
                                const WriteOptions& options) override;

  // For tests: the snapshot/transaction registry.
  const TxnManager& txn_manager() const { return *txns_; }
  // For tests: the read path (its prefix-filter counters).
  const ReadPath& read_path() const { return *reads_; }
  // For tests: one manifest poll, exactly as the memtable flusher's ticker does it every
  // manifest_poll_interval (without its retry of failed memtable flushes).
  Status PollManifestForTest() { return l0_flusher_->PollManifest(); }
  // For tests: the embedded compactor (null without compactor_options).
  const compactor::Compactor* compactor_for_test() const { return compactor_.get(); }
  // The embedded collector (null without one); set once by Open.
  const gc::GarbageCollector* gc_for_test() const { return gc_.get(); }

 private:
  class HandleWaiter;

  DbImpl(std::string path, Components components, Settings settings);

  Status Recover();
  // Replays WAL SSTs first_id..last_id (rows above last_l0_seq) into the memtables.
  Status ReplayWal(uint64_t last_l0_seq, uint64_t first_id, uint64_t last_id);

  // Write path (the caller's thread).
  // Commits `pending` (non-empty) through write_path_, then waits for durability if asked.
  // Put/Merge/Delete/Write after counting their request: rows from `batch`, then Submit.
  Result<WriteHandle> WriteBatchNow(const WriteBatch& batch, const WriteOptions& options);
  Result<WriteHandle> Submit(PendingRows pending, const TxnConflictSet* txn,
                             const WriteOptions& options);
  // WritePathHost (called by write_path_ with its mutex held, except Latch).
  Status AwaitUnflushedRoom(bool may_freeze, bool* freeze) override EXCLUDES(mu_);
  Status RefusedStatus() override EXCLUDES(mu_);
  std::shared_ptr<Memtable> AddUnflushed(size_t bytes) override EXCLUDES(mu_);
  void InstallFrozen(std::shared_ptr<ImmutableMemtable> imm) override EXCLUDES(mu_);
  void KickWalFlush() override;
  void KickMemtableFlush() override;
  void Latch(const Status& status) override;
  // Adds the mutable memtable's arena growth since the last charge to unflushed_bytes_.
  void ChargeMemtableGrowthLocked() REQUIRES(mu_);

  // WalWriterHost and L0FlusherHost (any thread, never with their mutexes held).
  bool HasFatal() const override { return has_fatal_.load(std::memory_order_acquire); }
  Status FatalStatus() const override EXCLUDES(mu_);
  bool Stopping() const override { return lifecycle_.load() >= Lifecycle::kStopping; }
  bool CloseDeadlinePassed() const override { return close_deadline_passed_.load(); }
  void OnUploadChargeReleased() override EXCLUDES(mu_);
  // L0FlusherHost.
  std::shared_ptr<const DbState> State() const override { return state(); }
  void PublishManifest(std::shared_ptr<const format::Manifest> manifest,
                       const std::shared_ptr<const ImmutableMemtable>& flushed) override
      EXCLUDES(mu_);
  uint64_t FlushRetentionSeq(const ImmutableMemtable& imm) const override;
  uint64_t SnapshotMinSeq(uint64_t last_l0_seq) const override;
  // Durable waits (handles, await_durable writes): wal_writer_->WaitDurable.
  Status WaitDurable(uint64_t seq) { return wal_writer_->WaitDurable(seq); }

  Status CheckOpen() const;
  Status CheckWritable() const;  // CheckOpen + not closing
  // Stops the embedded GC (any thread; idempotent; serialized by gc_mu_). Must not be called
  // with mu_ held (it joins the GC thread).
  void StopGc();
  std::shared_ptr<const DbState> state() const;
  uint64_t ReadSeq(const ReadOptions& options) const;

  // ---- constant after construction ----
  const std::string path_;
  const Components components_;
  // The disk cache when it preloads at open (set once in Open, before any other thread).
  std::shared_ptr<object_store::CachedObjectStore> disk_cache_;
  const Settings settings_;
  // WAL buffer size that kicks an upload, and the most one WAL SST holds beyond its first commit
  // (min(l0_sst_size_bytes, 8 MiB), >= 1).
  const uint64_t wal_flush_bytes_;
  const std::shared_ptr<MetricsRecorder> recorder_;  // injected or private; never null
  const DbMetrics metrics_;
  std::shared_ptr<ObjectStore> store_;  // components_.object_store with component="db" metrics
  std::shared_ptr<util::Clock> clock_;
  const util::Log log_;
  wal::WalStore wal_store_;
  const L0SstWriter l0_writer_;  // the L0 flush's SST writing (thread-safe, immutable)

  // ---- lifecycle: one state machine, advanced only forward, under mu_ ----
  enum class Lifecycle : uint8_t {
    kOpen,      // serving (also while Open recovers and starts the actors)
    kClosing,   // Close() started: new calls are refused, stalled writers give up; the final
                // WAL (or memtable) flush runs
    kStopping,  // background waits give up; the actors are stopped in reverse start order
    kClosed,    // Close() finished (or Open failed): close_status_ holds its result
  };
  // Written under mu_ (SetLifecycleLocked), read anywhere (lock-free).
  std::atomic<Lifecycle> lifecycle_{Lifecycle::kOpen};
  std::atomic<bool> has_fatal_{false};  // !fatal_.ok(), lock-free (CheckOpen)
  void SetLifecycleLocked(Lifecycle next) REQUIRES(mu_);

  // ---- guarded by mu_ ----
  alignas(64) mutable util::Mutex mu_;  // (its own cache line: Gets read lifecycle_ without it)
  // with mu_: its one wait is AwaitUnflushedRoom (held bytes fell, a fatal error, Close began)
  util::CondVar cv_;
  std::shared_ptr<const DbState> state_ GUARDED_BY(mu_);
  // state_ for readers: Gets pin it without taking mu_ or touching the state's shared reference
  // count (util/read_mostly.h); set with state_ by SetStateLocked.
  util::ReadMostly<DbState> published_state_;
  void SetStateLocked(std::shared_ptr<const DbState> s) REQUIRES(mu_);
  // The latched fatal error (first wins; has_fatal_ mirrors !fatal_.ok() lock-free).
  Status fatal_ GUARDED_BY(mu_);
  std::optional<Status> close_status_ GUARDED_BY(mu_);  // set when kClosed is reached by Close
  // Real memory of the unflushed rows, what max_unflushed_bytes bounds: the arena bytes
  // (Memtable::ApproximateBytes) of the immutable memtables plus the mutable one's charged part
  // (an empty mutable memtable counts 0; its growth is charged before each write's backpressure
  // check, at each freeze and after each replayed WAL SST).
  uint64_t unflushed_bytes_ GUARDED_BY(mu_) = 0;
  size_t memtable_charged_bytes_ GUARDED_BY(mu_) = 0;  // state_->memtable's share of it
  // What backpressure compares with max_unflushed_bytes: unflushed_bytes_ plus the WAL SST
  // being encoded and uploaded (WalWriter::upload_bytes: memory beside the arenas its rows
  // point into).
  uint64_t HeldBytesLocked() const REQUIRES(mu_);

  std::atomic<bool> close_deadline_passed_{false};  // Close(): stop starting object-store work
  std::atomic<uint64_t> committed_seq_{0};
  std::atomic<uint64_t> manifest_id_{0};
  util::Mutex close_mu_ ACQUIRED_BEFORE(mu_);  // serializes Close(); taken before write_path_'s

  // ---- the writer's manifest: used by the L0 flusher (publish, poll), Open, Close and
  // CreateCheckpoint, serialized by manifest_mu_ ----
  std::unique_ptr<manifest::FenceableManifest> manifest_;
  util::Mutex manifest_mu_;
  // Draws checkpoint UUIDs (CreateCheckpoint) and the seeds of submitted compactions' ULIDs
  // (SubmitFullCompaction); created on first use, seeded like ulids_.
  std::optional<util::Random> checkpoint_rng_ GUARDED_BY(manifest_mu_);
  util::Random& AdminRandomLocked() REQUIRES(manifest_mu_);  // checkpoint_rng_, made on first use
  // The L0 id generator, made by Recover and handed to the L0 flusher by Open: seeded from
  // Components.seed mixed with our writer epoch, so two writers given the same seed never mint
  // the same ids; `last_ulid_` (the highest SST id listed) keeps new ids above every listed SST.
  std::unique_ptr<format::UlidGenerator> ulids_;
  format::Ulid last_ulid_;

  std::shared_ptr<ReadPath> reads_;
  // Live snapshots and transactions (shared with them; detached by ~DbImpl).
  std::shared_ptr<TxnManager> txns_;
  std::shared_ptr<std::atomic<bool>> alive_ = std::make_shared<std::atomic<bool>>(true);
  // Shared with every WriteHandle; detached (answering from the final durable seq) by ~DbImpl.
  std::shared_ptr<HandleWaiter> handle_waiter_;

  // ---- actors, declared in start order (Close() stops them in reverse; destroyed in reverse) --
  // 1. The WAL writer: WAL buffer, next WAL id, durable seq, group commit, "slatedb-wal" (its
  //    own mutex). Created by the constructor (the write path appends to its buffer), started by
  //    Open after recovery, stopped last.
  std::unique_ptr<WalWriter> wal_writer_;
  // The commit step: sequence state and the mutable memtable's bookkeeping (own mutex, taken
  // after close_mu_ and before mu_). Created by the constructor, stopped first by Close(); no
  // thread.
  std::unique_ptr<WritePath> write_path_;
  // 2. The embedded compactor (optional), started right after recovery.
  std::unique_ptr<compactor::Compactor> compactor_;
  // 3. The embedded GC (optional). Set in Open, never reset before destruction; Stop() calls
  //    are serialized by gc_mu_ (GarbageCollector::Stop must not run concurrently with itself).
  std::unique_ptr<gc::GarbageCollector> gc_;
  util::Mutex gc_mu_;
  // 4. The L0 flusher (db/l0_flusher.h): immutable memtables → L0 SSTs, manifest publish and
  //    poll, its upload pool (l0_flush_parallelism > 1) and "slatedb-l0flush". Created and
  //    started by Open, stopped first.
  std::unique_ptr<L0Flusher> l0_flusher_;
  // l0_flusher_ for the embedded compactor's thread (OnManifestCommitted), which starts before
  // the flusher exists: set once Open created it; the flusher outlives the compactor's thread
  // (Close stops the compactor before the members are destroyed).
  std::atomic<L0Flusher*> l0_flusher_for_compactor_{nullptr};
};

}  // namespace slatedb::db
