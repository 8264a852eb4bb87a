// slatedb/options.h — settings (per database) and per-call read/write options.
//
// What: `Settings` mirrors SlateDB 0.12's `Settings` — same field names, same defaults (see
// docs/format.md §14) — as typed C++ values: durations are
// std::chrono::milliseconds, nullable fields are std::optional. Fields marked
// "slatedb-cpp extension" do not exist in SlateDB and are never written to SlateDB-compatible
// JSON unless asked for. Settings::FromFile / FromEnv / Load / FromJson / ToJson load and
// print them (JSON, TOML, YAML, SLATEDB_* environment variables; duration strings such as
// "100ms", "5s", "1s+500ms", "7days 30min"); they are implemented in src/config
// (settings_io.h has the details and more entry points, e.g. partial files over a base).
//
// Allowed ranges: the comment beside each field says what ValidateSettings
// (src/config/settings_io.h) accepts; every loader and Db::Open check them. "10y" is
// 3650 days. A setting without a range comment accepts any value of its type.
//
// Thread safety: plain value types; copy freely. The static loaders are reentrant, except that
// FromEnv and Load read the process environment and Load the current directory (do not change
// either concurrently). Ownership: none (values only).
// Errors: the loaders return kInvalid naming the bad setting or input (with value and allowed
// range for out-of-range values), kNotFound for a missing file given to FromFile. This header
// has no third-party includes.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "slatedb/export.h"
#include "slatedb/status.h"

namespace slatedb {

// Compression of SST blocks (and of WAL SSTs). JSON: null | "Snappy" | "Zlib" | "Lz4" | "Zstd".
// kNone is the C++ spelling of JSON null (no compression). The values equal the FlatBuffers
// CompressionFormat ids and format::CompressionCodec's, so a static_cast converts.
enum class CompressionCodec : uint8_t { kNone = 0, kSnappy = 1, kZlib = 2, kLz4 = 3, kZstd = 4 };

// Settings of the embedded compactor (SlateDB `CompactorOptions`).
struct CompactorOptions {
  std::chrono::milliseconds poll_interval{5000};              // [1ms, 10y]
  std::chrono::milliseconds manifest_update_timeout{300000};  // [1ms, 10y]
  // Compaction output SSTs are cut at this size. [1 KiB, 4 GiB]
  uint64_t max_sst_size = 268435456;        // 256 MiB
  uint64_t max_concurrent_compactions = 4;  // [1, 1024]
  // Concurrent block reads per compaction job: each input SST's next data blocks are
  // prefetched (ranged GETs queued ahead of the merge) on max_fetch_tasks - 1 fetch threads of
  // the job (at most 64), the merge thread's own index reads making at most max_fetch_tasks
  // GETs in flight; 1 = one GET after another when the merge needs it. Outputs are the same
  // for every value. [1, 1024]
  uint64_t max_fetch_tasks = 4;
  // SlateDB 0.17 (RFC-0028): a compaction job is split into up to this many disjoint key ranges
  // ("subcompactions"), cut at data-block boundaries of its input SSTs and merged in parallel on
  // threads of their own, each writing its own output SSTs (rolled at max_sst_size); the job's
  // outputs are theirs in key order. A range is never smaller than the largest input SST, so a
  // job whose largest input holds more than half its bytes is not split. 1 = one merge per
  // job. Rows are the same for every value; only where output SSTs are cut differs. [1, 64]
  uint64_t max_subcompactions = 4;
  // SlateDB 0.17: a job whose input SSTs (the L0s and every SST of the source runs) have
  // pairwise disjoint key ranges is done without reading or writing a row: its output run lists
  // the input SSTs themselves, in key order. Rows are then kept as they are (no expiry to
  // tombstones, no dropped versions or bottom tombstones, no merge-operand collapsing: readers
  // apply all of that when they read), and the run keeps the inputs' SST sizes. Jobs reading SSTs
  // of another database (a clone's ancestors) or SSTs with a visible range are always rewritten.
  // Default false.
  bool enable_trivial_move = false;
  // Scheduler knobs, string to string as in SlateDB (values are strings, e.g. "2"). Only these
  // keys, checked as the size-tiered scheduler parses them (strtod):
  //   min_compaction_sources: whole number in [2, 1000000] (default 4)
  //   max_compaction_sources: whole number in [0, 1000000], >= min_compaction_sources (default 8)
  //   include_size_threshold: finite number > 0 (default 4.0)
  std::map<std::string, std::string> scheduler_options;
  // Distributed compaction (SlateDB 0.17, RFC-0025; docs/design.md §10).
  // How often a compaction worker (`slatedb run-worker`) renews the heartbeat of the job it runs
  // and publishes the outputs finished so far to `.compactions` (0.17 keeps it under
  // compactor_options.worker; we keep it flat). [1ms, 10y], and below worker_heartbeat_timeout.
  std::chrono::milliseconds heartbeat_interval{10000};
  // The coordinator hands a Running job whose worker's last heartbeat is older than this back to
  // the queue (Scheduled, outputs kept, so the next worker resumes after them). [1ms, 10y]
  std::chrono::milliseconds worker_heartbeat_timeout{30000};

  bool operator==(const CompactorOptions&) const = default;
};

// Local disk cache of object-store reads (SlateDB `ObjectStoreCacheOptions`; docs/design.md
// "Disk cache"). With a root_folder, byte ranges of compacted SSTs (never WAL SSTs or
// manifests) read by the Db, its compactor and garbage collector are kept on local disk in
// aligned parts and reused across restarts, evicting the least recently used parts to stay
// under max_cache_size_bytes. Without one the other fields have no effect.
struct ObjectStoreCacheOptions {
  // null = no disk cache; else an absolute directory (created if missing). Several databases
  // and buckets may share it: each store gets a subdirectory named by a hash of its identity.
  std::optional<std::string> root_folder;
  // Budget for the part files; null = no cap. Between scans each process enforces it on its
  // own insertions.
  std::optional<uint64_t> max_cache_size_bytes = 17179869184ULL;  // 16 GiB
  // Granularity of fetches and files; >= 1, and a multiple of 1024 when root_folder is set.
  uint64_t part_size_bytes = 4194304;  // 4 MiB
  // Also write the SSTs this process uploads (L0 flushes, compaction output) into the cache.
  bool cache_puts = false;
  // null | "AllSst" | "L0Sst": at Db::Open, fetch the SSTs of the manifest (L0 only, or L0 and
  // then every sorted run) into the cache in the background, up to the budget, never evicting.
  std::optional<std::string> preload_disk_cache_on_startup;
  // How often the folder is rescanned (adopt other processes' parts, persist access times,
  // evict to the budget), on Components::clock; null = only at open. [1ms, 10y]
  std::optional<std::chrono::milliseconds> scan_interval = std::chrono::milliseconds(3600000);

  bool operator==(const ObjectStoreCacheOptions&) const = default;
};

// One garbage-collector sweep (SlateDB `GarbageCollectorDirectoryOptions`): run every
// `interval`, delete only objects older than `min_age`.
struct GcDirectoryOptions {
  std::chrono::milliseconds interval{60000};  // [1ms, 10y]
  std::chrono::milliseconds min_age{300000};  // [0s, 10y]

  bool operator==(const GcDirectoryOptions&) const = default;
};

// Settings of the embedded garbage collector (SlateDB `GarbageCollectorOptions`).
// A null sub-option disables that sweep.
struct GarbageCollectorOptions {
  std::optional<GcDirectoryOptions> manifest_options = GcDirectoryOptions{};
  std::optional<GcDirectoryOptions> wal_options = GcDirectoryOptions{};
  std::optional<GcDirectoryOptions> compacted_options = GcDirectoryOptions{};
  std::optional<GcDirectoryOptions> compactions_options = GcDirectoryOptions{};
  // SlateDB 0.13+ (RFC-0026): before deleting manifest or `.compactions` versions the collector
  // advances `<db>/gc/manifest.boundary` / `<db>/gc/compactions.boundary` to the highest id it
  // deletes, so a stalled writer cannot re-create a deleted id and believe it won. false: no
  // boundary objects are written (writers still honour existing ones). Not printed in 0.12's
  // JSON unless false.
  bool boundary_files_enabled = true;

  bool operator==(const GarbageCollectorOptions&) const = default;
};

// Database settings (SlateDB `Settings`). Defaults are SlateDB 0.12.1's.
struct SLATEDB_EXPORT Settings {
  // How often the WAL buffer is uploaded as a WAL SST. nullopt = no timer: only size limits
  // and explicit Flush() upload it (then await_durable writes wait for someone to flush).
  // null | [1ms, 10y]
  std::optional<std::chrono::milliseconds> flush_interval = std::chrono::milliseconds(100);
  // false: no WAL; writes become durable only when the memtable is flushed to L0.
  bool wal_enabled = true;
  // How often the manifest is re-read (writer: detect fencing; reader: new L0s). [1ms, 10y]
  std::chrono::milliseconds manifest_poll_interval{1000};
  // Give up a manifest compare-and-swap update loop after this long. [1ms, 10y]
  std::chrono::milliseconds manifest_update_timeout{300000};
  // SSTs with fewer rows than this get no bloom filter. Any value.
  uint32_t min_filter_keys = 1000;
  // Bloom filter bits per key. [1, 64]: the writer stores floor(bits * 0.69) probes as a u16,
  // which both our reader (src/format/bloom.cc) and SlateDB's accept for every value; 1 gives 0
  // probes, a filter that excludes nothing (readers treat it as "may contain").
  uint32_t filter_bits_per_key = 10;
  // Memtable size at which it is frozen and flushed as an L0 SST. [1 KiB, 4 GiB] (SST offsets
  // are 64-bit; 4 GiB is a sanity cap on one in-memory SST).
  uint64_t l0_sst_size_bytes = 67108864;  // 64 MiB
  // Writes stall while this many L0 SSTs wait for compaction. [1, 1000000]
  uint64_t l0_max_ssts = 8;
  // How many frozen memtables are built and uploaded as L0 SSTs at once (on that many upload
  // threads of the memtable flusher). They are published in the manifest strictly oldest
  // first: an L0 is never listed before an older memtable's, the WAL replay point advances
  // only over the contiguous prefix of finished uploads, and a failed upload is retried before
  // anything newer is published. Running uploads still count as unflushed bytes and as L0
  // SSTs for l0_max_ssts. 1 = one upload after the other, on the flusher thread. With a
  // Components::segment_extractor, flushes are serial whatever this says (each one writes one
  // SST per segment it touches, minting their ids in key order); Db::Open logs that once. [1, 64]
  uint64_t l0_flush_parallelism = 4;
  // How many WAL SSTs recovery (Db::Open) reads at once while replaying the WAL: up to this many
  // GETs in flight and objects held in memory; rows are still applied strictly in WAL id order,
  // and a missing or corrupt WAL SST fails the open exactly as a one-by-one replay would.
  // 0 or 1 = one after the other, on the opening thread. [0, 256]
  uint64_t wal_replay_parallelism = 16;
  // Writes stall while this many bytes are not yet in L0: the memtables' arena bytes (which the
  // WAL buffer's rows point into) plus the WAL SST being uploaded (DbStatusInfo::memtable_bytes
  // + wal_upload_bytes). The process needs about this much plus caches and a documented overhead
  // (README "Memory bound with a slow store"). >= 1
  uint64_t max_unflushed_bytes = 1073741824;  // 1 GiB
  // nullopt = no embedded compactor.
  std::optional<CompactorOptions> compactor_options = CompactorOptions{};
  CompressionCodec compression_codec = CompressionCodec::kNone;
  ObjectStoreCacheOptions object_store_cache_options;
  // nullopt = no embedded garbage collector.
  std::optional<GarbageCollectorOptions> garbage_collector_options = GarbageCollectorOptions{};
  // Default time to live of written rows in clock ticks (ms); nullopt = rows never expire.
  // Loaders also accept SlateDB 0.17's name `default_ttl_millis` for it (ToJson prints
  // `default_ttl`, SlateDB 0.12's name).
  // Any value, as in SlateDB (0: rows expire at once; a create_ts + ttl past 2^64 - 1 means
  // no expiry).
  std::optional<uint64_t> default_ttl;
  // Bound on retries of a failing object-store write that the engine repeats in the background
  // (SlateDB `object_store_max_retries`, a u32; default null = retry transient errors
  // indefinitely). Here: how many times the WAL flusher re-attempts the upload of one WAL SST
  // after a transient (kUnavailable) failure; once exhausted the database latches kUnavailable
  // naming the object, so writers waiting for durability (and every later call) get that error
  // instead of hanging. Non-transient upload errors are latched at once, whatever this says.
  // null | [0, 4294967295]
  std::optional<uint64_t> object_store_max_retries;

  // --- slatedb-cpp extensions (not SlateDB settings; JSON key printed only on request) ---
  // Target uncompressed data-block size of SSTs (SlateDB: DbBuilder::with_sst_block_size).
  // A power of two in [1 KiB, 64 KiB].
  uint32_t block_size = 4096;
  // How long Db::Close() waits for its final object-store work (final WAL flush, memtable
  // flusher, GC and compactor shutdown, final manifest) before giving up with kUnavailable
  // naming the step that did not finish. See Db::Close() for the whole bound. [1ms, 10y]
  std::chrono::milliseconds close_timeout{30000};
  // Which SlateDB release the objects we write must stay readable by. "0.17" (default): manifest
  // format version 2 and `.compactions` version 2 (what SlateDB 0.13-0.17 write). "0.12":
  // `.compactions` version 1 (SlateDB 0.12.1 refuses to open a writer or compactor on a bucket
  // whose latest `.compactions` is version 2), manifests still version 2 (0.12.1 reads them) —
  // for buckets that still run SlateDB 0.12 processes. A `.compactions` holding what version 1
  // cannot (a drain-segment job, the states Compacted / Scheduled, a worker) then fails to write
  // with kInvalid rather than losing it. Both settings read every version. "0.17" | "0.12"
  std::string compatibility = "0.17";

  bool operator==(const Settings&) const = default;

  // --- Loading and printing (src/config/settings.cc); every loader validates the result. ---
  // A settings file by extension: .json, .toml, .yaml or .yml (case-insensitive), partial files
  // laid over the defaults. kInvalid for another extension or bad content (naming the file),
  // kNotFound if it does not exist.
  static Result<Settings> FromFile(const std::string& path);
  // Defaults overlaid with `<prefix>...` environment variables, nested keys joined by '.'
  // (SlateDB: SLATEDB_COMPACTOR_OPTIONS.POLL_INTERVAL) or '__' (SLATEDB_COMPACTOR_OPTIONS__...).
  static Result<Settings> FromEnv(std::string_view prefix = "SLATEDB_");
  // SlateDB's Settings::load(): defaults <- SlateDb.json <- SlateDb.toml <- SlateDb.yaml <-
  // SlateDb.yml (each only if present in the current directory) <- SLATEDB_ environment.
  static Result<Settings> Load();
  // A JSON object (as SlateDB's to_json_string prints; a partial one is laid over defaults).
  static Result<Settings> FromJson(std::string_view json);
  // SlateDB's JSON (its key set and order; 4-space indented if `pretty`). Extensions such as
  // block_size are not printed, so FromJson(ToJson()) resets them to their defaults.
  std::string ToJson(bool pretty = false) const;
};

// Which writes a read may see.
enum class DurabilityLevel : uint8_t {
  kMemory = 0,  // everything committed, including writes not yet durable (SlateDB default)
  kRemote = 1,  // only writes durable in object storage
};

struct ReadOptions {
  DurabilityLevel durability_filter = DurabilityLevel::kMemory;
  // true: also see writes of this process that were committed but whose durability failed.
  bool dirty = false;
};

struct WriteOptions {
  // false (default, as SlateDB >= 0.16): the call returns once the write is in the memtable;
  // the returned WriteHandle's AwaitDurable() waits for durability. true: the call itself
  // returns only once the write is durable in object storage (its WAL SST stored, or its L0 SST
  // if the WAL is disabled).
  bool await_durable = false;
};

// Time to live of one write (SlateDB `Ttl`). expire_ts of a row written at create_ts:
//   Default()        create_ts + Settings::default_ttl (no expiry if that is unset)
//   NoExpiry()       none, even with default_ttl set
//   ExpireAfter(d)   create_ts + d; d must be >= 0 (else kInvalid); past INT64_MAX = no expiry
//   ExpireAt(t)      t (Unix ms), stored verbatim (a time in the past: expired at once)
struct Ttl {
  enum class Kind : uint8_t { kDefault = 0, kNoExpiry, kExpireAfter, kExpireAt };
  Kind kind = Kind::kDefault;
  int64_t value = 0;  // ms (kExpireAfter) or Unix ms (kExpireAt)

  static Ttl Default() { return {}; }
  static Ttl NoExpiry() { return {Kind::kNoExpiry, 0}; }
  static Ttl ExpireAfter(std::chrono::milliseconds d) {
    return {Kind::kExpireAfter, static_cast<int64_t>(d.count())};
  }
  static Ttl ExpireAt(int64_t unix_ms) { return {Kind::kExpireAt, unix_ms}; }
  bool operator==(const Ttl&) const = default;
};

// Per-put options (SlateDB `PutOptions`).
struct PutOptions {
  Ttl ttl;
  bool operator==(const PutOptions&) const = default;
};

// Per-merge options (SlateDB `MergeOptions`): the operand's own time to live.
struct MergeOptions {
  Ttl ttl;
  bool operator==(const MergeOptions&) const = default;
};

// What Db::Flush flushes: the WAL buffer, or the memtable (to an L0 SST, after the WAL).
enum class FlushType : uint8_t { kWal = 0, kMemTable = 1 };

}  // namespace slatedb
