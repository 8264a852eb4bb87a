// db/write_path.h — WritePath, the writer's commit step, run on the calling thread
// (docs/design.md §4, §5).
//
// What: the state that orders writes — the last assigned seq, the last create_ts tick, and the
// mutable memtable's first seq/time, sequence-tracker samples and byte count — and the one
// operation that uses it: Write() commits one batch (backpressure, transaction conflict check,
// one seq per batch, StampRows, memtable add, PublishCommit, WAL buffer append) and freezes the
// memtable when it reaches l0_sst_size_bytes. There is no write thread: every writer runs this
// on its own thread under one mutex (`mu_`), so writes are serialized exactly as the former
// single write task serialized them — seqs are assigned and the rows appended to the WAL buffer
// under the same lock, so the WAL holds batches in seq order. Durability waits stay outside: the
// caller waits for the WAL flusher after Write() returns.
// The rest of the writer (published DbState, unflushed-byte accounting, backpressure condition,
// flusher kicks, the latched error) belongs to the host (DbImpl), reached through
// WritePathHost.
//
// Thread safety: every public method is thread-safe; they serialize on `mu_`. Lock order:
// DbImpl::close_mu_, then this `mu_`, then the host's state mutex (DbImpl::mu_), then the WAL
// buffer's and the TxnManager's internal locks. A writer stalled by backpressure waits on the
// host's condition while holding `mu_` (the writers behind it queue on `mu_`); the host wakes it
// on Close() or a latched error. No object-store I/O runs under `mu_`, and host callbacks that
// may block on other threads (Latch) are called after `mu_` is released.
// Ownership: owns its sequence state; borrows the host, clock, TxnManager, WAL buffer, metrics
// and the committed-seq atomic, all of which must outlive it (DbImpl owns them all).
// Errors: Write() returns the host's latched error, kClosed (closed while stalled, or after
// Stop()), kTransaction (a conflicting transaction commit) or the memtable's insert error (then
// also latched as kInternal through the host).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "db/db_metrics.h"
#include "db/db_state.h"
#include "db/txn_manager.h"
#include "db/write_rows.h"
#include "format/row.h"
#include "format/sequence_tracker.h"
#include "util/clock.h"
#include "util/mutex.h"
#include "wal/wal_buffer.h"

namespace slatedb::db {

// What WritePath needs from the rest of the writer. DbImpl implements it; every method is
// called with WritePath's mutex held (except Latch) and must not call back into WritePath.
class WritePathHost {
 public:
  virtual ~WritePathHost() = default;
  // Backpressure. While unflushed bytes exceed max_unflushed_bytes: if `may_freeze` and no
  // immutable memtable waits for the L0 flusher, sets *freeze and returns OK at once (the caller
  // freezes the mutable memtable, which alone holds the excess, kicks the flushers and calls
  // again with `may_freeze` false); otherwise blocks until the flusher makes room. Returns OK to
  // go on, the latched error, or kClosed when Close() started while stalled. Counts
  // backpressure_count once per stalled write.
  virtual Status AwaitUnflushedRoom(bool may_freeze, bool* freeze) = 0;
  // The status of a write refused after WritePath::Stop(): the latched error, else kClosed.
  virtual Status RefusedStatus() = 0;
  // The mutable memtable to add `bytes` (their row estimate) of rows to; the host accounts the
  // unflushed memory (DbImpl: the memtables' real arena bytes, charged as they grow).
  virtual std::shared_ptr<memtable::Memtable> AddUnflushed(size_t bytes) = 0;
  // Publishes the current mutable memtable as the newest immutable one (described by `imm`, whose
  // `table` the host fills in) and a fresh, empty mutable memtable.
  virtual void InstallFrozen(std::shared_ptr<ImmutableMemtable> imm) = 0;
  // Non-blocking requests to the WAL flusher (upload now) and the L0 flusher (flush now).
  virtual void KickWalFlush() = 0;
  virtual void KickMemtableFlush() = 0;
  // Latches a fatal error (called without WritePath's mutex held).
  virtual void Latch(const Status& status) = 0;
};

class WritePath {
 public:
  struct Options {
    std::optional<uint64_t> default_ttl;
    uint64_t l0_sst_size_bytes = 0;
    bool wal_enabled = true;
    uint64_t wal_flush_bytes = 1;  // WAL buffer size that triggers an upload (> 0)
  };
  struct Ack {
    uint64_t seq = 0;  // the batch's seq
    int64_t create_ts = 0;
  };

  WritePath(WritePathHost* host, Options options, util::Clock* clock, TxnManager* txns,
            wal::WalBuffer* wal_buffer, const DbMetrics* metrics,
            std::atomic<uint64_t>* committed_seq);
  WritePath(const WritePath&) = delete;
  WritePath& operator=(const WritePath&) = delete;

  // Commits one non-empty batch on the calling thread; `txn` (may be null) is checked for
  // conflicts atomically with the seq assignment. On success the rows are visible
  // (committed_seq), in the memtable and, with a WAL, in the WAL buffer.
  Result<Ack> Write(PendingRows& pending, const TxnConflictSet* txn) EXCLUDES(mu_);
  // Freezes the mutable memtable (if it holds anything), ordered with writes: every write that
  // returned before is in the frozen memtable. kClosed/the latched error after Stop().
  Status Freeze() EXCLUDES(mu_);
  // Waits for the write in progress (if any) and refuses every later Write()/Freeze(). Close()
  // calls it first; a writer stalled by backpressure must already have been woken (closing).
  void Stop() EXCLUDES(mu_);
  // Close() of a WAL-less database, after Stop(): freezes the memtable for the final L0 flush.
  void FreezeAfterStop() EXCLUDES(mu_);

  // Recovery (Open, before any write), in this order: Reset() with the manifest's last L0 seq
  // and clock tick;
  void Reset(uint64_t last_seq, int64_t last_tick) EXCLUDES(mu_);
  // then ReplayRows() with each WAL SST's rows in id order: rows at or below `last_l0_seq` are
  // skipped, the others added to the mutable memtable (frozen when full). Sets *max_seq to the
  // SST's highest row seq (0 if none). Returns the memtable's insert error.
  Status ReplayRows(const std::vector<format::RowEntry>& rows, uint64_t last_l0_seq,
                    uint64_t* max_seq) EXCLUDES(mu_);
  // and last FinishRecovery(): clamps a negative tick to 0 and returns the last seq.
  uint64_t FinishRecovery() EXCLUDES(mu_);

 private:
  Result<Ack> WriteLocked(PendingRows& pending, const TxnConflictSet* txn, Status* latch)
      REQUIRES(mu_);
  void FreezeMemtable() REQUIRES(mu_);

  WritePathHost* const host_;
  const Options options_;
  util::Clock* const clock_;
  TxnManager* const txns_;
  wal::WalBuffer* const wal_buffer_;
  const DbMetrics* const metrics_;
  std::atomic<uint64_t>* const committed_seq_;

  util::Mutex mu_;
  bool stopped_ GUARDED_BY(mu_) = false;
  uint64_t last_seq_ GUARDED_BY(mu_) = 0;
  int64_t last_tick_ GUARDED_BY(mu_) = 0;
  // Scratch of WriteLocked: the batch's rows as stored in the memtable (their records), handed
  // to the WAL buffer (kept between writes so a write allocates no vector).
  std::vector<const char*> wal_rows_ GUARDED_BY(mu_);
  uint64_t memtable_first_seq_ GUARDED_BY(mu_) = 0;
  int64_t memtable_first_ts_ GUARDED_BY(mu_) = 0;
  // Samples of the mutable memtable's writes.
  format::SequenceTracker memtable_tracker_ GUARDED_BY(mu_);
  size_t memtable_bytes_ GUARDED_BY(mu_) = 0;
};

}  // namespace slatedb::db
