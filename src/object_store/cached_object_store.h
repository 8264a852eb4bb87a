// object_store/cached_object_store.h — CachedObjectStore: a local-disk cache of SST byte ranges
// in front of an object store (Settings::object_store_cache_options, SlateDB's
// `CachedObjectStore`).
//
// What: reads of compacted SSTs (keys `…/compacted/<name>.sst`; never WAL SSTs, manifests,
// `.compactions` or gc boundaries) are served from aligned parts of `part_size_bytes` kept as
// files under `root_folder`; a missing part is fetched from the inner store (contiguous missing
// parts in one ranged GET), written to disk atomically (temp file + rename) and returned. The
// object's size, etag and last-modified time come from one Head (or from our own upload with
// `cache_puts`) and are kept in a sidecar next to its parts, so Head/GetSuffix/Get of a cached
// SST need no request either. Every part carries a CRC-32 per 64 KiB chunk and its length: a
// truncated or corrupt part is dropped, logged once at warn and refetched, never served. The
// total size of the parts is kept under `max_cache_size_bytes` (null = unbounded) by evicting
// the least recently accessed parts first — on insert and by a scan of the folder every
// `scan_interval` (on the injected clock) which also picks up other processes' files and writes
// access times back to the sidecars (so they survive a restart: the index is rebuilt from the
// folder at open). Deleting an object drops its parts. Uploads of SSTs (Put and OpenWriter) are
// written into the cache when `cache_puts` is set. Layout: docs/design.md §"Disk cache" and
// src/object_store/README.md.
//
// Errors of the cache's own disk (ENOSPC, EACCES, ENOTDIR, …) never fail a request: they are
// logged (once per kind) and the request falls through to the inner store. Only Open fails, when
// the options are unusable (relative or empty root_folder, part size not a positive multiple of
// 1 KiB) or the root folder cannot be created. Errors of the inner store are returned unchanged.
//
// Thread safety: every method may be called concurrently (one util::Mutex around the index;
// no disk or object-store I/O is done under it). Ownership: shares the inner store; owns the
// scanner thread (stopped, and access times persisted, by the destructor). Several instances
// (or processes) may share a root folder: files are only ever renamed into place and each scan
// adopts the others' parts, but each instance enforces the budget on its own view between scans.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "slatedb/metrics.h"
#include "slatedb/object_store.h"
#include "slatedb/options.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/mutex.h"

namespace slatedb::object_store {

struct DiskCacheEnv {
  std::shared_ptr<util::Clock> clock;  // null = the system clock
  util::Log log;
  std::shared_ptr<MetricsRecorder> recorder;  // null = no metrics
  // false: no scanner thread (tests call Scan() themselves).
  bool background_scan = true;
};

// Counters since open (also exported as slatedb.object_store_cache.* metrics).
struct DiskCacheStats {
  uint64_t part_hits = 0;      // part reads served from disk
  uint64_t part_misses = 0;    // part reads fetched from the inner store
  uint64_t hit_bytes = 0;      // bytes returned from disk
  uint64_t fetched_bytes = 0;  // bytes fetched from the inner store for the cache
  uint64_t head_hits = 0;      // object sizes/etags answered from the sidecar
  uint64_t parts_written = 0;
  uint64_t evicted_parts = 0;
  uint64_t evicted_bytes = 0;
  uint64_t corrupt_parts = 0;  // dropped because their length or CRC did not match
  uint64_t disk_errors = 0;    // cache-disk failures that fell through to the store
  uint64_t cached_parts = 0;   // now
  uint64_t cached_bytes = 0;   // now (part files, as they occupy the budget)
};

class CachedObjectStore final : public ObjectStore {
 public:
  // Scans `options.root_folder` (which must be set) and starts the scanner thread when
  // `scan_interval` is set and env.background_scan.
  static Result<std::shared_ptr<CachedObjectStore>> Open(std::shared_ptr<ObjectStore> inner,
                                                         const ObjectStoreCacheOptions& options,
                                                         DiskCacheEnv env);
  ~CachedObjectStore() override;
  CachedObjectStore(const CachedObjectStore&) = delete;
  CachedObjectStore& operator=(const CachedObjectStore&) = delete;

  // True for keys whose bytes are cached: the last segment ends in ".sst" and the one before it
  // is "compacted".
  static bool IsCacheable(std::string_view key);

  Result<std::string> Put(std::string_view key, std::string_view data,
                          const ObjectPutOptions& options = {}) override;
  Result<std::string> PutIfAbsent(std::string_view key, std::string_view data,
                                  const ObjectPutOptions& options = {}) override;
  Result<std::string> PutIfMatch(std::string_view key, std::string_view data, std::string_view etag,
                                 const ObjectPutOptions& options = {}) override;
  Result<std::unique_ptr<ObjectWriter>> OpenWriter(std::string_view key,
                                                   const ObjectPutOptions& options = {}) override;
  Result<std::string> Get(std::string_view key) override;
  Result<std::string> GetRange(std::string_view key, uint64_t offset,
                               std::optional<uint64_t> length) override;
  Result<std::string> GetSuffix(std::string_view key, uint64_t n) override;
  Result<ObjectMeta> Head(std::string_view key) override;
  Result<std::vector<ObjectMeta>> List(std::string_view prefix) override;
  Status Delete(std::string_view key) override;
  std::string Describe() const override;

  // One scan of the root folder: adopt part files that appeared, forget ones that vanished,
  // write changed access times to the sidecars, evict down to the budget.
  void Scan() EXCLUDES(mu_);
  // Fetches every part of `keys` (cacheable ones; others are skipped) that is not cached yet, in
  // order, without evicting: stops at the first object that would take the cache past
  // `max_bytes` or its budget. Store errors end the object (logged at warn), not the preload.
  // Returns the bytes it fetched.
  uint64_t Preload(const std::vector<std::string>& keys, uint64_t max_bytes) EXCLUDES(mu_);
  // Runs Preload on a thread of its own (joined by the destructor or by a later call).
  void StartPreload(std::vector<std::string> keys, uint64_t max_bytes) EXCLUDES(mu_);
  // Waits for a StartPreload to finish.
  void WaitForPreload() EXCLUDES(mu_);
  // Stops a running preload after the part it is fetching and joins it (Db::Close, destructor).
  void CancelPreload() EXCLUDES(mu_);

  DiskCacheStats stats() const EXCLUDES(mu_);
  // The directory of this store's objects (root/<layout version>/<store id hash>).
  const std::string& store_dir() const { return store_dir_; }
  uint64_t part_size() const { return part_size_; }

 private:
  class CachingWriter;
  struct ObjectInfo {
    std::string key;
    std::string dir;
    uint64_t size = 0;
    int64_t last_modified_ms = 0;
    std::string etag;
    std::map<std::string, std::string> metadata;
    int64_t last_access_ms = 0;
    bool access_dirty = false;
  };
  struct PartRecord {
    uint64_t bytes = 0;  // file size
    std::pair<int64_t, uint64_t> lru_key;
    uint64_t scan_gen = 0;
    std::string dir;
  };
  struct PendingEviction {
    std::string path;
    std::string dir;  // non-empty: its last part went; remove the sidecar and directory
  };

  CachedObjectStore(std::shared_ptr<ObjectStore> inner, const ObjectStoreCacheOptions& options,
                    DiskCacheEnv env, std::string root, std::string store_dir);

  std::string ObjectDir(std::string_view key) const;
  std::string PartPath(const std::string& dir, uint64_t index) const;
  uint64_t PartLength(const ObjectInfo& info, uint64_t index) const;
  // Size/etag of `key`: the sidecar, else one Head of the inner store (then saved).
  Result<ObjectInfo> Info(std::string_view key) EXCLUDES(mu_);
  void SaveInfo(const ObjectInfo& info) EXCLUDES(mu_);
  // The bytes [off, off+len) of part `index`, or nullopt (missing, corrupt, unreadable).
  std::optional<std::string> ReadPart(const ObjectInfo& info, uint64_t index, uint64_t off,
                                      uint64_t len) EXCLUDES(mu_);
  // Writes one whole part (temp + rename), evicting to make room; false when skipped.
  bool WritePart(const std::string& dir, uint64_t index, std::string_view payload) EXCLUDES(mu_);
  // Writes the part file format to `path` (not renamed); false on a disk error (logged).
  bool WritePartFile(const std::string& path, std::string_view payload);
  // Moves a written temp file into place under the budget; false when skipped (tmp removed).
  bool CommitPart(const std::string& dir, uint64_t index, const std::string& tmp, uint64_t bytes)
      EXCLUDES(mu_);
  std::string TempPath(const std::string& dir);
  void DropObject(std::string_view key) EXCLUDES(mu_);
  void ForgetPart(const std::string& path) EXCLUDES(mu_);
  void Touch(const std::string& path, std::string_view key) EXCLUDES(mu_);
  // Removes index entries until `incoming` more bytes fit; returns what to unlink.
  std::vector<PendingEviction> EvictLocked(uint64_t incoming) REQUIRES(mu_);
  void RemoveEvicted(const std::vector<PendingEviction>& victims);
  void EraseRecordLocked(std::unordered_map<std::string, PartRecord>::iterator it,
                         std::vector<PendingEviction>* out) REQUIRES(mu_);
  void DiskError(std::string_view what, const std::string& path, int err);
  void Corrupt(const std::string& path, std::string_view why);
  void PublishGauges() EXCLUDES(mu_);
  void ScannerLoop();
  int64_t NowMs() { return clock_->NowMillis(); }

  const std::shared_ptr<ObjectStore> inner_;
  const std::shared_ptr<util::Clock> clock_;
  const util::Log log_;
  const std::string root_;       // root_folder, as given
  const std::string store_dir_;  // root/v1/<hash of the store's identity>
  const uint64_t part_size_;
  const std::optional<uint64_t> max_bytes_;
  const bool cache_puts_;
  const std::optional<std::chrono::milliseconds> scan_interval_;
  std::atomic<uint64_t> temp_counter_{0};
  std::atomic<bool> preload_cancel_{false};

  mutable util::Mutex mu_;
  std::unordered_map<std::string, ObjectInfo> objects_ GUARDED_BY(mu_);      // our store's, by key
  std::unordered_map<std::string, PartRecord> parts_ GUARDED_BY(mu_);        // every part, by path
  std::map<std::pair<int64_t, uint64_t>, std::string> lru_ GUARDED_BY(mu_);  // (atime, tick)
  std::unordered_map<std::string, uint64_t> dir_parts_ GUARDED_BY(mu_);      // parts per object dir
  uint64_t tick_ GUARDED_BY(mu_) = 0;
  uint64_t scan_gen_ GUARDED_BY(mu_) = 0;
  uint64_t total_bytes_ GUARDED_BY(mu_) = 0;
  uint64_t reserved_bytes_ GUARDED_BY(mu_) = 0;
  DiskCacheStats stats_ GUARDED_BY(mu_);
  uint32_t logged_errnos_ GUARDED_BY(mu_) = 0;  // bit per errno class already logged
  bool stop_ GUARDED_BY(mu_) = false;
  util::CondVar wake_;
  util::Mutex scan_mu_ ACQUIRED_BEFORE(mu_);  // one Scan at a time
  util::Mutex preload_mu_;
  std::thread preload_thread_ GUARDED_BY(preload_mu_);
  std::jthread scanner_;

  std::shared_ptr<CounterHandle> m_hits_, m_access_, m_evicted_keys_, m_evicted_bytes_;
  std::shared_ptr<GaugeHandle> m_keys_, m_bytes_;
};

// The one place options become a store: `inner` itself when root_folder is null, else a
// CachedObjectStore over it. Db::Open, DbReader::Open and the CLI's compactor/gc use it.
Result<std::shared_ptr<ObjectStore>> MaybeWrapWithDiskCache(std::shared_ptr<ObjectStore> inner,
                                                            const ObjectStoreCacheOptions& options,
                                                            DiskCacheEnv env);

}  // namespace slatedb::object_store
