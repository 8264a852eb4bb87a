// db/l0_flusher.h — L0Flusher, the writer's memtable (L0) flush actor, and ManifestPoller, the
// writer's manifest poll (docs/design.md §4.2, §7).
//
// What: L0Flusher writes the frozen (immutable) memtables of the published DbState, oldest
// first, as L0 SSTs (L0SstWriter) and publishes each in the manifest (fenceable update loop),
// on its thread "slatedb-l0flush" (a util::BackgroundTask on the injected clock, ticking every
// manifest_poll_interval). With l0_flush_parallelism N > 1 it keeps up to N uploads running at
// once on a fixed pool of N upload threads ("slatedb-l0up-<i>", started with it, joined when
// it stops), and still publishes strictly oldest first: an L0 is published only after every
// older memtable's L0 (ids are minted in memtable order when an upload starts), so the replay
// point only moves over a contiguous prefix of finished uploads; a failed upload is retried
// (same id) and nothing newer is published until it succeeds. When it stops it waits for every
// running upload, publishes the finished prefix and joins the pool. N = 1 uploads on the
// flusher thread itself. Before an upload the WAL writer makes the memtable's rows durable
// (L0 never holds a row not durable in the WAL). While L0 holds l0_max_ssts SSTs it waits for
// the compactor (embedded or external) to drain L0 (AwaitL0Room).
// ManifestPoller re-reads the manifest (the process's only poll: it tells the embedded compactor
// of new versions) and publishes it into the DbState. It runs on the L0 flusher's thread (its
// tick, and AwaitL0Room) rather than on its own: both update the writer's one FenceableManifest
// and the state's manifest view, and on one thread a poll never interleaves with a publish, as
// before the split.
//
// Thread safety: the public methods are thread-safe unless noted. mu_ guards the upload list and
// its event count; cv_ (with mu_) signals finished uploads, new memtables and the host's state
// (WakeWaiters). No object-store I/O runs under mu_, and no host method is called with mu_ held
// (DbImpl::mu_ is taken before it). The manifest is used under the host's manifest mutex.
// Ownership: owns its task, upload pool and upload list; borrows everything in Deps (owned by
// the DbImpl, which outlives it).
// Errors: flush requests get the flush's error; Fenced (and other fatal errors the host latches)
// stops further flushes.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <future>
#include <memory>
#include <optional>
#include <vector>

#include "compactor/compactor.h"
#include "db/db_metrics.h"
#include "db/db_state.h"
#include "db/l0_sst_writer.h"
#include "db/read_path.h"
#include "db/segment_flush.h"
#include "db/wal_writer.h"
#include "format/ulid.h"
#include "manifest/stored_manifest.h"
#include "slatedb/merge_operator.h"
#include "slatedb/options.h"
#include "slatedb/status.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/mutex.h"

namespace slatedb::db {

// What the L0 flusher and manifest poller need of the database around them (DbImpl implements
// it). Called from the flusher's threads, never with L0Flusher::mu_ held.
class L0FlusherHost {
 public:
  virtual ~L0FlusherHost() = default;
  virtual bool HasFatal() const = 0;
  virtual Status FatalStatus() const = 0;
  virtual void Latch(const Status& status) = 0;
  virtual bool Stopping() const = 0;
  // The published state (memtables newest first, manifest view).
  virtual std::shared_ptr<const DbState> State() const = 0;
  // Publishes `manifest` as the state's view and, when `flushed` is given (its L0 is in
  // `manifest`), drops that immutable memtable from the state and releases its bytes.
  virtual void PublishManifest(std::shared_ptr<const format::Manifest> manifest,
                               const std::shared_ptr<const ImmutableMemtable>& flushed) = 0;
  // What a flush of `imm` keeps: versions above min(imm max seq, oldest live snapshot) plus the
  // newest at or below it, per key.
  virtual uint64_t FlushRetentionSeq(const ImmutableMemtable& imm) const = 0;
  // The manifest's recent_snapshot_min_seq: min(last_l0_seq, oldest live snapshot).
  virtual uint64_t SnapshotMinSeq(uint64_t last_l0_seq) const = 0;
};

// One L0 upload of the parallel memtable flusher (l0_flush_parallelism > 1).
struct L0Upload {
  enum class State : uint8_t { kRunning, kDone, kFailed };
  std::shared_ptr<const ImmutableMemtable> imm;
  format::SstHandle handle;  // id minted (in memtable order) at start; info once kDone
  State state = State::kRunning;
  Status status;  // kFailed: the upload's error
};

// What both need, borrowed from the DbImpl.
struct L0FlusherDeps {
  L0FlusherHost* host = nullptr;
  const Settings* settings = nullptr;
  WalWriter* wal = nullptr;
  const L0SstWriter* sst_writer = nullptr;
  ReadPath* reads = nullptr;
  const DbMetrics* metrics = nullptr;
  compactor::Compactor* compactor = nullptr;  // null without an embedded compactor
  const MergeOperator* merge_operator = nullptr;
  // Components::segment_extractor (null = none): each flush writes one L0 SST per tree
  // (db/segment_flush.h), serially (no upload pool).
  const PrefixExtractor* segment_extractor = nullptr;
  manifest::FenceableManifest* manifest = nullptr;
  util::Mutex* manifest_mu = nullptr;            // serializes `manifest` use with Close/checkpoints
  std::atomic<uint64_t>* manifest_id = nullptr;  // DbStatusInfo::manifest_id, set on each change
  std::shared_ptr<util::Clock> clock;
  util::Log log;
};

class ManifestPoller {
 public:
  explicit ManifestPoller(const L0FlusherDeps* deps) : deps_(deps) {}
  // One poll: re-reads the manifest; a newer version is told to the embedded compactor and
  // published into the state. Fenced is latched. The caller is the L0 flusher's thread (or a
  // test, while it is idle).
  Status Poll();

 private:
  const L0FlusherDeps* const deps_;
};

class L0Flusher {
 public:
  // `ulids` seeded by the DbImpl; `last_ulid` = the highest SST id listed at recovery.
  L0Flusher(L0FlusherDeps deps, std::unique_ptr<format::UlidGenerator> ulids,
            format::Ulid last_ulid);
  ~L0Flusher();
  L0Flusher(const L0Flusher&) = delete;
  L0Flusher& operator=(const L0Flusher&) = delete;

  // Starts the upload pool (N > 1) and the thread. Once.
  void Start();
  // Stops: pending flushes are abandoned (the WAL holds their rows), running uploads are waited
  // for and the finished ones published (unless a fatal error is latched). Idempotent.
  void Stop();

  // Asks for a flush without waiting (the write path froze a memtable).
  void Kick();
  // Flush(kMemTable): flushes every immutable memtable (waiting for L0 room) and waits. A flush
  // asked for during shutdown answers kClosed, unless `final_flush` (Close() of a WAL-less
  // database) — null when the task is stopped.
  std::optional<std::future<Status>> SendFlush(bool final_flush);
  // The write path froze a memtable: a parallel flusher waiting for uploads may start it.
  void OnFrozen() EXCLUDES(mu_);
  // Wakes the flusher's waits to look at the host's state again (after Latch / Stopping).
  void WakeWaiters() EXCLUDES(mu_);
  // The embedded compactor wrote a manifest version that removed L0 SSTs: a flush waiting for L0
  // room (AwaitL0Room) re-reads the manifest now. Any thread; never blocks on I/O.
  void OnL0Compacted() EXCLUDES(mu_);
  // One manifest poll, as the tick does it (for tests; without the retry of failed flushes).
  Status PollManifest() { return poller_.Poll(); }

 private:
  class Task;
  class UploadPool;
  struct FlushMsg {
    std::optional<std::promise<Status>> done;  // absent: a kick, nobody waits
    bool final_flush = false;
  };

  // The flusher thread.
  Status FlushImmutables(bool wait_for_l0_room);
  Status FlushOneImmutable(const std::shared_ptr<const ImmutableMemtable>& imm);
  // l0_flush_parallelism > 1: starts uploads (up to N running), publishes the finished prefix.
  Status FlushImmutablesParallel(bool wait_for_l0_room) EXCLUDES(mu_);
  // Publishes uploads_ from the front while they are finished. A failed front upload is
  // resubmitted when `retry_failed` and its error returned; nothing behind it is published.
  Status PublishFinishedUploads(bool retry_failed) EXCLUDES(mu_);
  // On an upload thread: builds and uploads one L0 SST, records the outcome under mu_.
  void RunL0Upload(const std::shared_ptr<L0Upload>& upload) EXCLUDES(mu_);
  // The task's OnStop: waits for running uploads, publishes the finished prefix (unless a fatal
  // error is latched) and joins the upload pool.
  void FinishUploads() EXCLUDES(mu_);
  // The WAL holds every row up to `max_seq` (so L0 never holds rows not durable in the WAL).
  Status EnsureWalDurable(uint64_t max_seq);
  format::Ulid NextL0Id();  // strictly above every SST id we know of
  // Lists `ssts` (the L0 SSTs of `imm`, the oldest unpublished memtable: one root-tree SST, or one
  // per tree of a segmented flush) in one manifest update (ListFlushedL0s) and drops `imm` from
  // the state (and from the front of uploads_).
  Status PublishL0(const std::shared_ptr<const ImmutableMemtable>& imm,
                   const std::vector<SegmentL0>& ssts) EXCLUDES(mu_);
  // L0 is full: notifies the compactor, waits up to manifest_poll_interval on the injected clock
  // (or until OnL0Compacted) for it to make room, and re-reads the manifest. kClosed if the
  // database is stopping, Fenced if a newer writer took over, else OK (the caller looks again).
  Status AwaitL0Room() EXCLUDES(mu_);

  const L0FlusherDeps deps_;
  ManifestPoller poller_;

  // ---- the flusher thread only ----
  std::unique_ptr<format::UlidGenerator> ulids_;
  format::Ulid last_ulid_;
  // The L0 SST uploaded for the oldest immutable memtable whose manifest publish has not been
  // confirmed. A retried flush of the same memtable publishes this same SST, and the publish
  // mutator skips it when the manifest already lists it (a lost reply that landed) or when it
  // was already compacted — so an L0 is never listed twice.
  struct PendingL0 {
    std::shared_ptr<const ImmutableMemtable> imm;
    std::vector<SegmentL0> ssts;  // one root-tree SST, or one per tree of a segmented flush
  };
  std::optional<PendingL0> pending_l0_;

  util::Mutex mu_;
  // with mu_: upload_events_, l0_compacted_events_, the host's state (WakeWaiters)
  util::CondVar cv_;
  // l0_flush_parallelism > 1 only. The started, not yet published L0 uploads, oldest first:
  // they are always the oldest uploads_.size() entries of the state's imms (only this thread
  // removes from either). Each upload's state/status/info are guarded by mu_ too.
  std::deque<std::shared_ptr<L0Upload>> uploads_ GUARDED_BY(mu_);
  uint64_t upload_events_ GUARDED_BY(mu_) = 0;  // bumped when an upload finishes or a memtable
                                                // is frozen
  uint64_t l0_compacted_events_ GUARDED_BY(mu_) = 0;  // bumped by OnL0Compacted

  std::unique_ptr<UploadPool> upload_pool_;  // N > 1: started by Start, joined by OnStop
  std::unique_ptr<Task> task_;               // last: its thread uses everything above
};

}  // namespace slatedb::db
