// slatedb/options.h — settings (per database) and per-call read/write options.
//
// What: `Settings` mirrors SlateDB 0.12's `Settings` — same field names, same defaults (see
// docs/format.md §14) — as typed C++ values: durations are
// std::chrono::milliseconds, nullable fields are std::optional. Fields marked
// "slatedb-cpp extension" do not exist in SlateDB and are never written to SlateDB-compatible
// JSON unless asked for. Loading and printing (JSON, TOML, SLATEDB_* environment variables,
// duration strings such as "100ms", "5s", "1m30s") lives in src/config/settings_io.h.
//
// Thread safety: plain value types; copy freely. Ownership: none (values only).
// Errors: none here; the loaders in src/config return Status::Invalid naming the bad setting.
// This header has no third-party includes.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace slatedb {

// Compression of SST blocks (and of WAL SSTs). JSON: null | "Snappy" | "Zlib" | "Lz4" | "Zstd".
// kNone is the C++ spelling of JSON null (no compression). The values equal the FlatBuffers
// CompressionFormat ids and format::CompressionCodec's, so a static_cast converts.
enum class CompressionCodec : uint8_t { kNone = 0, kSnappy = 1, kZlib = 2, kLz4 = 3, kZstd = 4 };

// Settings of the embedded compactor (SlateDB `CompactorOptions`).
struct CompactorOptions {
  std::chrono::milliseconds poll_interval{5000};
  std::chrono::milliseconds manifest_update_timeout{300000};
  uint64_t max_sst_size = 268435456;  // 256 MiB: compaction output SSTs are cut at this size
  uint64_t max_concurrent_compactions = 4;
  uint64_t max_fetch_tasks = 4;
  // Scheduler knobs, string to string as in SlateDB (values are strings, e.g. "2"):
  // min_compaction_sources, max_compaction_sources, include_size_threshold.
  std::map<std::string, std::string> scheduler_options;

  bool operator==(const CompactorOptions&) const = default;
};

// Local disk cache of object-store reads (SlateDB `ObjectStoreCacheOptions`). Accepted and
// round-tripped; it has no effect on formats. A cache is used only if root_folder is set.
struct ObjectStoreCacheOptions {
  std::optional<std::string> root_folder;                         // null = no disk cache
  std::optional<uint64_t> max_cache_size_bytes = 17179869184ULL;  // 16 GiB
  uint64_t part_size_bytes = 4194304;                             // 4 MiB
  bool cache_puts = false;
  std::optional<std::string> preload_disk_cache_on_startup;  // null | "AllSst" | "L0Sst"
  std::optional<std::chrono::milliseconds> scan_interval = std::chrono::milliseconds(3600000);

  bool operator==(const ObjectStoreCacheOptions&) const = default;
};

// One garbage-collector sweep (SlateDB `GarbageCollectorDirectoryOptions`): run every
// `interval`, delete only objects older than `min_age`.
struct GcDirectoryOptions {
  std::chrono::milliseconds interval{60000};
  std::chrono::milliseconds min_age{300000};

  bool operator==(const GcDirectoryOptions&) const = default;
};

// Settings of the embedded garbage collector (SlateDB `GarbageCollectorOptions`).
// A null sub-option disables that sweep.
struct GarbageCollectorOptions {
  std::optional<GcDirectoryOptions> manifest_options = GcDirectoryOptions{};
  std::optional<GcDirectoryOptions> wal_options = GcDirectoryOptions{};
  std::optional<GcDirectoryOptions> compacted_options = GcDirectoryOptions{};
  std::optional<GcDirectoryOptions> compactions_options = GcDirectoryOptions{};

  bool operator==(const GarbageCollectorOptions&) const = default;
};

// Database settings (SlateDB `Settings`). Defaults are SlateDB 0.12.1's.
struct Settings {
  // How often the WAL buffer is uploaded as a WAL SST. nullopt = no timer: only size limits
  // and explicit Flush() upload it (then await_durable writes wait for someone to flush).
  std::optional<std::chrono::milliseconds> flush_interval = std::chrono::milliseconds(100);
  // false: no WAL; writes become durable only when the memtable is flushed to L0.
  bool wal_enabled = true;
  // How often the manifest is re-read (writer: detect fencing; reader: new L0s).
  std::chrono::milliseconds manifest_poll_interval{1000};
  // Give up a manifest compare-and-swap update loop after this long.
  std::chrono::milliseconds manifest_update_timeout{300000};
  // SSTs with fewer rows than this get no bloom filter.
  uint32_t min_filter_keys = 1000;
  uint32_t filter_bits_per_key = 10;
  // Memtable size at which it is frozen and flushed as an L0 SST.
  uint64_t l0_sst_size_bytes = 67108864;  // 64 MiB
  // Writes stall while this many L0 SSTs wait for compaction.
  uint64_t l0_max_ssts = 8;
  // How many L0 uploads may run at once.
  uint64_t l0_flush_parallelism = 4;
  // Writes stall while this many bytes are not yet in L0 (WAL buffer + memtables).
  uint64_t max_unflushed_bytes = 1073741824;  // 1 GiB
  // nullopt = no embedded compactor.
  std::optional<CompactorOptions> compactor_options = CompactorOptions{};
  CompressionCodec compression_codec = CompressionCodec::kNone;
  ObjectStoreCacheOptions object_store_cache_options;
  // nullopt = no embedded garbage collector.
  std::optional<GarbageCollectorOptions> garbage_collector_options = GarbageCollectorOptions{};
  // Default time to live of written rows in clock ticks (ms); nullopt = rows never expire.
  std::optional<uint64_t> default_ttl;

  // --- slatedb-cpp extensions (not SlateDB settings; JSON key printed only on request) ---
  // Target uncompressed data-block size of SSTs (SlateDB: DbBuilder::with_sst_block_size,
  // 1 KiB .. 64 KiB, a power of two).
  uint32_t block_size = 4096;

  bool operator==(const Settings&) const = default;
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
  // true: the call returns once the write is durable in object storage (WAL SST stored, or
  // L0 if the WAL is disabled). false: returns once the write is in memory.
  bool await_durable = true;
};

// Time to live of one write (SlateDB `Ttl`).
struct Ttl {
  enum class Kind : uint8_t {
    kDefault = 0,  // use Settings::default_ttl (no expiry if unset)
    kNoExpiry,     // never expires
    kExpireAfter,  // expire_ts = create_ts + value (ms)
    kExpireAt,     // expire_ts = value (Unix ms), stored verbatim
  };
  Kind kind = Kind::kDefault;
  uint64_t value = 0;

  static Ttl Default() { return {}; }
  static Ttl NoExpiry() { return {Kind::kNoExpiry, 0}; }
  static Ttl ExpireAfter(std::chrono::milliseconds d) {
    return {Kind::kExpireAfter, static_cast<uint64_t>(d.count())};
  }
  static Ttl ExpireAt(int64_t unix_ms) { return {Kind::kExpireAt, static_cast<uint64_t>(unix_ms)}; }
  bool operator==(const Ttl&) const = default;
};

// Per-put options (SlateDB `PutOptions`; renamed: object_store.h already defines
// slatedb::PutOptions for object metadata).
struct PutRowOptions {
  Ttl ttl;
};

// What Db::Flush flushes: the WAL buffer, or the memtable (to an L0 SST, after the WAL).
enum class FlushType : uint8_t { kWal = 0, kMemTable = 1 };

}  // namespace slatedb
