// slatedb/db.h — the database: one writer process per database path, any number of readers.
//
// Db::Open opens (or creates) the database at `path` inside an object store, fences any older
// writer (bumps writer_epoch, writes a fence at the next WAL id), and replays the WAL. A write
// returns a WriteHandle once it is in the memtable (as SlateDB >= 0.16); it is durable once its
// WAL SST is stored: WriteHandle::AwaitDurable() waits for that, and so does the call itself
// with WriteOptions::await_durable. Reads (the DbRead interface, slatedb/db_read.h) see
// committed writes at once (DurabilityLevel::kMemory) or only durable ones (kRemote).
// DbReader opens read-only: it never writes a fence and never fences the writer.
//
// Backpressure: a write stalls while more than max_unflushed_bytes are not yet in L0. L0 SSTs
// are flushed only while L0 holds fewer than l0_max_ssts; with the embedded compactor disabled
// (compactor_options null) writers therefore stall until an external compactor drains L0.
// Close() releases a stalled writer with kClosed.
//
// Thread safety: every method of Db and DbReader may be called concurrently from any thread.
// Ownership: Open returns a unique_ptr; the Db shares the object store given in Components.
// Destroying an open Db closes it (errors are logged). Iterators must not outlive their Db;
// snapshots and transactions may (their calls then return kClosed).
//
// Background WAL uploads that fail with a non-transient error (anything but kUnavailable, e.g.
// "No space left on device") latch that error: writers waiting for durability and every later
// call get it. Transient failures are retried at every flush, logged once when they start,
// summarised at most once a minute while they last and logged when they recover; meanwhile
// DbStatusInfo::background_error names them.
// Errors: kInvalid (empty key, key > 65,535 bytes, bad settings), kClosed (after Close(), or
// Closed(fenced) once a newer writer took over — latched: every later call returns it),
// kTransaction (a transaction's commit conflicted; slatedb/transaction.h),
// kUnavailable (object store unreachable after retries; latched once a WAL upload has failed
// object_store_max_retries + 1 times), kData (corrupt object, named in the
// message), kInternal. A missing key is not an error: Get returns std::nullopt.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "slatedb/block_cache.h"
#include "slatedb/checkpoint.h"
#include "slatedb/clock.h"
#include "slatedb/db_read.h"
#include "slatedb/export.h"
#include "slatedb/iterator.h"
#include "slatedb/logger.h"
#include "slatedb/merge_operator.h"
#include "slatedb/metrics.h"
#include "slatedb/object_store.h"
#include "slatedb/options.h"
#include "slatedb/prefix_extractor.h"
#include "slatedb/snapshot.h"
#include "slatedb/status.h"
#include "slatedb/transaction.h"
#include "slatedb/write_batch.h"
#include "slatedb/write_handle.h"

namespace slatedb {

// Components: live objects (not settings) a Db is built from.
struct Components {
  std::shared_ptr<ObjectStore> object_store;  // required
  std::shared_ptr<Clock> clock;               // optional; default: the system clock
  uint64_t seed = 0;                          // randomness (ULIDs, UUIDs, jitter); 0 = entropy
  // Where this database's log lines go; null = DefaultLogger() (slatedb/logger.h: warnings and
  // errors to stderr, level from SLATEDB_LOG). The library never writes to stdout.
  std::shared_ptr<Logger> logger;
  // Resolves merge operands (slatedb/merge_operator.h); null = none: Merge is kInvalid and a read
  // that meets an operand (e.g. written by another process) is kInvalid naming the key.
  std::shared_ptr<MergeOperator> merge_operator;
  // Where this database's metrics go (slatedb/metrics.h; every name in docs/metrics.md). The Db
  // (or DbReader), its embedded compactor and garbage collector all register with it; null = a
  // private DefaultMetricsRecorder, read with Metrics().
  std::shared_ptr<MetricsRecorder> metrics_recorder;
  // Builds and uses prefix bloom filters (slatedb/prefix_extractor.h); null = none.
  std::shared_ptr<const PrefixExtractor> prefix_extractor;
  // Splits the database into segments (RFC-0024; docs/design.md "Segments"), a component
  // separate from prefix_extractor: each L0 flush writes the rows whose key has a prefix p under
  // this extractor (PrefixLen(key, kPoint)) to segment p's own LSM tree, the others to the root
  // tree. Its Name() is persisted in the manifest (segment_extractor_name) on the first open; a
  // writer must then always be given an extractor of that name (a different or missing one is
  // kInvalid, as is one introduced on a database that already holds SSTs, or one with
  // compatibility "0.12"). Readers route by the manifest's segments and need none; one given to
  // a DbReader must carry the manifest's name. Null = no segments.
  std::shared_ptr<const PrefixExtractor> segment_extractor;
  // The in-memory cache of SST data blocks and of their indexes, filters and stats
  // (slatedb/block_cache.h); may be shared by several Db / DbReader instances. Null = a cache of
  // this database's own with BlockCacheOptions' defaults (512 MiB data + 128 MiB metadata, as
  // SlateDB); BlockCache::Disabled() = no caching.
  std::shared_ptr<BlockCache> block_cache;
};

// A point-in-time summary (for `slatedb status`).
struct DbStatusInfo {
  uint64_t manifest_id = 0;
  uint64_t writer_epoch = 0;
  uint64_t compactor_epoch = 0;
  uint64_t last_committed_seq = 0;
  uint64_t durable_seq = 0;
  uint64_t replay_after_wal_id = 0;
  uint64_t next_wal_id = 0;
  size_t l0_ssts = 0;
  size_t sorted_runs = 0;
  // Memory held by the rows not yet in L0: the arena bytes of the mutable and the immutable
  // memtables (what max_unflushed_bytes bounds; an empty memtable counts 0).
  size_t memtable_bytes = 0;
  // The WAL SST being encoded and uploaded right now, estimated (0 when none). Backpressure
  // counts it too: writes stall while memtable_bytes + wal_upload_bytes > max_unflushed_bytes.
  size_t wal_upload_bytes = 0;
  // Empty while background work succeeds. Otherwise the error of the background object-store
  // write that is failing right now and being retried (e.g. "uploading db/wal/...sst: ..."), so
  // an unhealthy database is visible before anything times out. (A latched fatal error is not
  // reported here: GetStatus itself returns it.)
  std::string background_error;
  bool healthy() const { return background_error.empty(); }
};

class SLATEDB_EXPORT Db : public DbRead {
 public:
  static Result<std::unique_ptr<Db>> Open(const std::string& path, Components components,
                                          Settings settings = Settings());
  ~Db() override = default;

  // Writes return once the write is in the memtable (or, with options.await_durable, once it
  // is durable); the handle's AwaitDurable() waits for durability (slatedb/write_handle.h).
  virtual Result<WriteHandle> Put(std::string_view key, std::string_view value,
                                  const WriteOptions& options = WriteOptions()) = 0;
  virtual Result<WriteHandle> Put(std::string_view key, std::string_view value,
                                  const PutOptions& put_options,
                                  const WriteOptions& options = WriteOptions()) = 0;
  // Stores a merge operand (needs Components::merge_operator, else kInvalid).
  virtual Result<WriteHandle> Merge(std::string_view key, std::string_view operand,
                                    const MergeOptions& merge_options = MergeOptions(),
                                    const WriteOptions& options = WriteOptions()) = 0;
  virtual Result<WriteHandle> Delete(std::string_view key,
                                     const WriteOptions& options = WriteOptions()) = 0;
  virtual Result<WriteHandle> Write(const WriteBatch& batch,
                                    const WriteOptions& options = WriteOptions()) = 0;

  // A read-only view at the last committed seq (slatedb/snapshot.h). While it lives, flushes and
  // compaction keep every version it can see. kClosed once closed.
  virtual Result<std::unique_ptr<slatedb::Snapshot>> Snapshot() = 0;
  // Starts an optimistic transaction at the last committed seq (slatedb/transaction.h).
  virtual Result<std::unique_ptr<Transaction>> Begin(
      IsolationLevel level = IsolationLevel::kSnapshot) = 0;

  // kWal: upload the WAL buffer now and wait until it is durable. kMemTable: flush the WAL,
  // then write the memtable as an L0 SST and publish it in the manifest.
  virtual Status Flush(FlushType type = FlushType::kWal) = 0;

  virtual Result<DbStatusInfo> GetStatus() = 0;

  // A manual full compaction (RocksDB's CompactRange over every key): flushes the memtable, then
  // submits for each tree one compaction of all its L0 SSTs and sorted runs into one sorted run
  // (Admin::SubmitFullCompaction) and wakes this database's embedded compactor; a standalone
  // compactor picks it up at its next poll. Returns the submitted compactions' ids (none when the
  // database already is one sorted run); the work is done when GetStatus shows no L0 SST and one
  // sorted run per tree (or ReadCompactions shows them finished). Nothing runs it without a
  // compactor. Errors: kClosed / kFenced, object-store errors.
  virtual Result<std::vector<std::string>> SubmitFullCompaction() = 0;

  // A snapshot of this database's metrics: those of its private recorder, or of
  // Components::metrics_recorder when that is a DefaultMetricsRecorder (then including whatever
  // else registered there). kInvalid when Components::metrics_recorder is another recorder (read
  // the metrics from it). Works after Close().
  virtual Result<MetricsSnapshot> Metrics() = 0;

  // Adds a checkpoint (slatedb/checkpoint.h) to the manifest through this writer and returns its
  // id and the manifest version it pins. kAll flushes the WAL and the memtable first (like
  // Flush(FlushType::kMemTable)); kDurable pins what is in the store now (the manifest plus the
  // WAL SSTs uploaded so far). Errors: kInvalid (negative lifetime, malformed source id),
  // kNotFound naming an unknown source checkpoint, kClosed / Fenced, object-store errors.
  virtual Result<CheckpointCreateResult> CreateCheckpoint(
      CheckpointScope scope, const CheckpointOptions& options = CheckpointOptions()) = 0;

  // Stops accepting writes, flushes the WAL, stops background work in dependency order and
  // writes the final manifest. Idempotent; returns the latched fatal error if there was one.
  // Bounded: Close waits at most Settings::close_timeout (default 30 s) for its final
  // object-store work; past it, it starts no more (the final manifest write is skipped — the
  // next writer lists the WAL anyway) and returns kUnavailable naming what did not finish.
  // Every thread is still joined before Close returns, so a thread inside an object-store call
  // is waited for: Close returns within close_timeout plus the object-store calls in flight at
  // that point (at most one per background thread — WAL flusher, memtable flusher, garbage
  // collector, compactor and its executors — joined one after another). Each call is bounded
  // by the store: for s3:// stores opened with OpenObjectStore an attempt times out after 3 s
  // without a connection or 120 s in all, and no new attempt starts after 30 s (so one call
  // takes at most about 150 s); a custom store needs timeouts of its own, or Close can wait for
  // it without bound.
  virtual Status Close() = 0;
};

struct DbReaderOptions {
  std::chrono::milliseconds manifest_poll_interval{1000};
  bool skip_wal_replay = false;  // true: see only L0/sorted runs, not unflushed WAL data
  // WAL SSTs read at once while replaying (at open and at each poll), applied in id order; as
  // Settings::wal_replay_parallelism. 0 or 1 = one after the other. [0, 256]
  uint64_t wal_replay_parallelism = 16;
  // Three modes, as SlateDB's reader:
  //  * follow-latest (the default): polls for new manifests and WAL SSTs; writes nothing.
  //  * managed checkpoint (checkpoint_lifetime set): as follow-latest, and a checkpoint of its own
  //    (expiring after this long) pins the manifest version the reader reads, so a garbage
  //    collector keeps its SSTs. Each poll that finds a newer manifest moves the checkpoint to
  //    it, and once half the lifetime has passed on the Components clock the checkpoint is
  //    refreshed (expiry = now + lifetime), so a long-lived reader stays protected. Removed by
  //    Close(). Off by default because it writes to the store (a reader must be safe on
  //    read-only databases). Failing to write it at open is logged, not an error; later
  //    failures are logged and retried at the next poll.
  //  * frozen (checkpoint_id set): the view of that existing checkpoint (its manifest plus the WAL
  //    SSTs up to that manifest's wal_id_last_seen); never polls, writes nothing. Open fails with
  //    kNotFound naming the id when the latest manifest does not list it.
  // Setting both checkpoint_lifetime and checkpoint_id is kInvalid.
  std::optional<std::chrono::milliseconds> checkpoint_lifetime;
  std::optional<std::string> checkpoint_id;
  // A disk cache of the SSTs the reader reads (as Settings::object_store_cache_options; the
  // reader never uploads, so cache_puts has no effect, and it does not preload).
  ObjectStoreCacheOptions object_store_cache_options;
};

class SLATEDB_EXPORT DbReader : public DbRead {
 public:
  static Result<std::unique_ptr<DbReader>> Open(const std::string& path, Components components,
                                                DbReaderOptions options = DbReaderOptions());
  ~DbReader() override = default;
  // As Db::Metrics (component "reader" for the object-store series).
  virtual Result<MetricsSnapshot> Metrics() = 0;
  virtual Status Close() = 0;
};

}  // namespace slatedb
