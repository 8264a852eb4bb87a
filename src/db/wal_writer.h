// db/wal_writer.h — WalWriter, the writer's WAL actor (docs/design.md §4.2, §6).
//
// What: owns the WAL buffer the write path appends to, the next WAL id, the durable seq, the
// WAL spans not yet covered by L0 (the replay point's input), the upload charge that
// backpressure counts, the retry state of a failing or uncertain upload and its thread
// "slatedb-wal" (a util::BackgroundTask on the injected clock). Every flush_interval, on a
// request (Flush(kWal), the L0 flusher's EnsureDurable, Close's final flush) or when a durable
// wait kicks it (at most one kick queued), it uploads the buffer as ONE WAL SST (PutIfAbsent at
// the next WAL id; several when more than `flush_bytes` piled up, each of whole commits),
// advances the durable seq and wakes every writer waiting for durability (group commit). "Already
// exists" at our id = a newer writer fenced us: Status::Fenced is latched through the host.
//
// Thread safety: all public methods are thread-safe. mu_ guards the spans, the background error
// and the durable wait (cv_); the upload state (uncertain_wal_, wal_failure_) is touched only by
// the task thread. No object-store I/O runs under mu_, and no host method is called with mu_
// held (the host's mutex is taken before ours: DbImpl::mu_ → WalWriter::mu_).
// Ownership: owns its buffer, task and thread; shares the WalStore, metrics and clock with the
// DbImpl that owns it (which outlives it). The host outlives it.
// Errors: upload errors are returned to the flush requests; non-transient ones (and transient
// ones beyond object_store_max_retries) are latched through WalWriterHost::Latch.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "db/db_metrics.h"
#include "slatedb/status.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/mutex.h"
#include "wal/wal_buffer.h"
#include "wal/wal_store.h"

namespace slatedb::db {

// What the WAL writer needs of the database around it (DbImpl implements it). Each method may be
// called from any thread, never with WalWriter::mu_ held.
class WalWriterHost {
 public:
  virtual ~WalWriterHost() = default;
  // A fatal error is latched (lock-free).
  virtual bool HasFatal() const = 0;
  // The latched fatal error (OK while none).
  virtual Status FatalStatus() const = 0;
  // Latches `status` (first one wins): the database becomes unusable.
  virtual void Latch(const Status& status) = 0;
  // Background waits give up: Close() reached its stopping step (lock-free).
  virtual bool Stopping() const = 0;
  // Close()'s close_timeout passed: start no more object-store work (lock-free).
  virtual bool CloseDeadlinePassed() const = 0;
  // The upload charge (upload_bytes()) dropped: writers stalled by backpressure look again.
  virtual void OnUploadChargeReleased() = 0;
};

class WalWriter {
 public:
  struct Options {
    std::string path;  // the database path (for messages)
    bool wal_enabled = true;
    std::optional<std::chrono::milliseconds> flush_interval;  // null: no timer
    uint64_t flush_bytes = 1;  // the most one WAL SST holds beyond its first commit (>= 1)
    std::optional<uint64_t> max_retries;  // object_store_max_retries
  };

  WalWriter(WalWriterHost* host, wal::WalStore* store, const DbMetrics* metrics,
            std::shared_ptr<util::Clock> clock, util::Log log, Options options);
  ~WalWriter();
  WalWriter(const WalWriter&) = delete;
  WalWriter& operator=(const WalWriter&) = delete;

  // The buffer the write path appends committed rows to (lives as long as the WalWriter).
  wal::WalBuffer* buffer() { return &buffer_; }

  // Recovery (before Start, on the opening thread).
  void SetNextWalId(uint64_t id) { next_wal_id_.store(id); }
  void AddReplayedSpan(uint64_t id, uint64_t max_seq) EXCLUDES(mu_);

  // Starts the "slatedb-wal" thread. Once.
  void Start();
  // Stops the thread (queued requests are still served). Idempotent.
  void Stop();

  // Asks for an upload without waiting (the write path's "buffer is large").
  void Kick();
  // Flush(kWal): uploads what is buffered now and waits for it.
  Status RequestFlush();
  // Close()'s final flush: the request's future, or null when the task is stopped.
  std::optional<std::future<Status>> SendFinalFlush();
  // Waits until `seq` is durable (kicking an upload at once), the host latches a fatal error
  // (returned) or stops (kClosed).
  Status WaitDurable(uint64_t seq) EXCLUDES(mu_);
  // Wakes durable waits to look at the host's state again (after Latch / Stopping).
  void WakeWaiters() EXCLUDES(mu_);
  // Raises the durable seq to `seq` (recovery; without a WAL, each published L0) and wakes the
  // durable waits.
  void AdvanceDurable(uint64_t seq) EXCLUDES(mu_);

  uint64_t durable_seq() const { return durable_seq_.load(std::memory_order_acquire); }
  uint64_t next_wal_id() const { return next_wal_id_.load(); }
  // The WAL SST being encoded and uploaded (WalStore::EncodedSizeEstimate of its rows; 0 when
  // none): memory beside the arenas its rows point into, which backpressure also counts.
  uint64_t upload_bytes() const { return upload_bytes_.load(); }
  // DbStatusInfo::background_error: the last failed upload while it keeps failing, else "".
  std::string background_error() const EXCLUDES(mu_);

  // The L0 flusher: the replay point for an L0 holding rows up to `max_seq` (the last WAL id
  // whose rows are all at or below it; 0 if none) and, once published, dropping the spans
  // through it.
  uint64_t ReplayPointFor(uint64_t max_seq) const EXCLUDES(mu_);
  void DropSpansThrough(uint64_t id) EXCLUDES(mu_);

 private:
  class Task;
  struct Span {
    uint64_t id = 0;
    uint64_t max_seq = 0;  // 0 for fences / empty WAL SSTs
  };
  // Sets upload_bytes_ for the life of one upload, then clears it and tells the host.
  class UploadCharge;

  // The task thread: uploads everything buffered when called.
  Status FlushNow();
  // One WAL SST of FlushNow: takes whole commits of at most flush_bytes from the buffer
  // (restoring the rest) and uploads them; `*target_seq` (0 on the first call) is set to the
  // highest seq buffered at the first call, and `*more` says whether rows up to it remain.
  Status UploadSst(uint64_t* target_seq, bool* more);
  // After an upload of `what` failed with `st`: latches non-transient errors and transient ones
  // beyond max_retries, logs (bounded), sets the background error. Returns what FlushNow returns.
  Status OnUploadFailure(const std::string& what, Status st);
  void OnUploadSuccess();

  WalWriterHost* const host_;
  wal::WalStore* const store_;
  const DbMetrics* const metrics_;
  const std::shared_ptr<util::Clock> clock_;
  const util::Log log_;
  const Options options_;

  wal::WalBuffer buffer_;
  std::atomic<uint64_t> next_wal_id_{1};
  std::atomic<uint64_t> durable_seq_{0};  // raised under mu_ (waiters), read anywhere
  std::atomic<uint64_t> upload_bytes_{0};
  // A kick from WaitDurable is queued and not yet taken by the task.
  std::atomic<bool> kick_pending_{false};

  mutable util::Mutex mu_;
  util::CondVar cv_;                        // with mu_: durable_seq_ raised, host state
  std::deque<Span> spans_ GUARDED_BY(mu_);  // uploaded/replayed WAL ids not yet in L0
  std::string background_error_ GUARDED_BY(mu_);

  // ---- the task thread only ----
  // The last upload whose outcome is unknown (it failed with kUnavailable: it may have landed
  // with its reply lost). Its rows are the first `records` of the restored buffer; a later
  // "already exists" at `id` is ours iff the object carries `put_id`.
  struct UncertainWal {
    uint64_t id = 0;
    std::string put_id;
    std::vector<const char*> records;  // format/row_record.h records, as in WalBuffer::Batch
    uint64_t max_seq = 0;
    std::vector<wal::WalBuffer::Owner> owners;  // what `records` point into
  };
  std::optional<UncertainWal> uncertain_wal_;
  // An upload failing again and again (transient errors): logged once when it starts, then
  // summarised at most once per kFailureSummaryInterval of clock time, and when it recovers.
  struct UploadFailure {
    uint64_t attempts = 0;  // failed attempts since the last success
    std::chrono::steady_clock::time_point since;
    std::chrono::steady_clock::time_point last_logged;
  };
  std::optional<UploadFailure> failure_;

  std::unique_ptr<Task> task_;  // last: its thread uses everything above
};

}  // namespace slatedb::db
