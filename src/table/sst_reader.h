// table/sst_reader.h — reads one SST object through the object store (docs/format.md §5, §13).
//
// Every read goes through one ObjectReader of the SST (ObjectStore::OpenReader, opened at Open or
// by the first read after OpenWithInfo and kept for the reader's life: on the local store one
// open descriptor, so a block read is one pread; elsewhere GetRange / GetSuffix / Head calls).
// Open: one ReadSuffix of up to 64 KiB. If the object is smaller it is kept whole and never
// fetched again; otherwise Size (a Head, or nothing on the local store) gives the size and the
// suffix (which usually holds the info, index, filter and stats) is kept. OpenWithInfo uses the
// SstInfo from the manifest and does no I/O. The index and filter are loaded lazily (once); data
// blocks are read with ReadAt, decoded in place when uncompressed (no copy of the payload), and
// go through the optional BlockCache. Drop readers of deleted SSTs: on the local store an open
// descriptor keeps the file's disk space.
// Get(key, max_seq) returns the newest version with seq <= max_seq, tombstones included (the
// caller decides); MayContain consults the whole-key bloom filter, MayContainPrefix the prefix
// filter of a named extractor; NewIterator scans a compacted SST in
// either direction; ReadAllRows returns every row in stored order (WAL SSTs: commit order).
// Thread safety: all methods may be called concurrently (lazy loads are mutex-guarded).
// Ownership: held by shared_ptr; iterators keep their reader alive.
// Errors: object-store errors pass through; corrupt data → kData whose message starts with the
// object key; Get / NewIterator on a WAL SST → kInvalid (its index keys are seqs).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "format/sst.h"
#include "format/ulid.h"
#include "slatedb/block_cache.h"
#include "slatedb/metrics.h"
#include "slatedb/object_store.h"
#include "table/block_cache.h"
#include "table/iterator.h"
#include "util/mutex.h"

namespace slatedb::table {

// slatedb.db_cache.access_count{entry_kind, result} handles, registered once per database.
struct CacheCounters {
  std::shared_ptr<CounterHandle> hit[4];   // by CacheEntryKind
  std::shared_ptr<CounterHandle> miss[4];  // by CacheEntryKind
  // `recorder` null = counters that count nothing.
  static std::shared_ptr<const CacheCounters> Register(
      const std::shared_ptr<MetricsRecorder>& recorder);
};

struct SstReaderOptions {
  std::shared_ptr<BlockCache> cache;  // optional
  // Key scope in `cache` (BlockCacheImpl::NewScope(); one per database instance); 0 = a fresh
  // scope for this reader alone.
  uint64_t cache_scope = 0;
  // The SST's id (compacted SSTs); absent = derived from the object key.
  std::optional<format::Ulid> sst_id;
  std::shared_ptr<const CacheCounters> counters;  // optional: lookups are counted here
  uint64_t suffix_read_bytes = 64 * 1024;         // first read at Open
  // Keep the index and filters once loaded, for the reader's life, charged to `cache`'s metadata
  // budget while it has room for them (ClockCache::Pin: at most half of it pinned); a pinned
  // reader's point lookups then skip the cache for them. For long-lived readers (a database's
  // readers of its current SSTs). Without a cache they are kept anyway.
  bool pin_metadata = false;
};

class SstReader : public std::enable_shared_from_this<SstReader> {
  struct PrivateTag {};

 public:
  // Use Open / OpenWithInfo.
  SstReader(PrivateTag, std::shared_ptr<ObjectStore> store, std::string key,
            SstReaderOptions options);
  ~SstReader();  // gives pinned metadata's charge back to the cache

  static Result<std::shared_ptr<SstReader>> Open(std::shared_ptr<ObjectStore> store,
                                                 std::string object_key,
                                                 SstReaderOptions options = {});
  // `info` from the manifest; `format_version` = manifest's format_version (absent means 1).
  static Result<std::shared_ptr<SstReader>> OpenWithInfo(std::shared_ptr<ObjectStore> store,
                                                         std::string object_key,
                                                         format::SstInfo info,
                                                         uint16_t format_version,
                                                         SstReaderOptions options = {});

  const std::string& object_key() const { return key_; }
  const format::SstInfo& info() const { return info_; }
  uint16_t format_version() const { return version_; }
  bool is_wal() const { return info_.sst_type == format::SstType::kWal; }

  // True if `key` may be present: within [first_entry, last_entry] and accepted by the filter.
  Result<bool> MayContain(std::string_view key);
  // Whether a key starting with `prefix` (an extracted prefix: PrefixLen(p, kPrefix) bytes of a
  // scan prefix p) may be present, according to the prefix filter `_bf:p=<extractor_name>`;
  // nullopt when the SST has no prefix filter of that name (then nothing is known).
  Result<std::optional<bool>> MayContainPrefix(std::string_view extractor_name,
                                               std::string_view prefix);
  // Newest version of `key` with seq <= max_seq (tombstones and merge operands included).
  // `filter_checked`: the caller has just had MayContain(key) say true (it is not asked again).
  Result<std::optional<format::RowEntry>> Get(std::string_view key, uint64_t max_seq,
                                              bool filter_checked = false);
  // All versions of `key` with seq <= max_seq, newest first (for merge operand folding).
  Result<std::vector<format::RowEntry>> GetVersions(std::string_view key, uint64_t max_seq,
                                                    bool filter_checked = false);

  Result<size_t> NumBlocks();
  Result<std::shared_ptr<const format::Block>> ReadBlock(size_t i);
  // Same, with the index in hand (no index lookup).
  Result<std::shared_ptr<const format::Block>> ReadBlock(const format::SstIndex& index, size_t i);
  Result<std::shared_ptr<const format::SstIndex>> Index() EXCLUDES(mu_);
  Result<std::optional<format::SstStats>> Stats();

  // Every row, stored order.
  Result<std::vector<format::RowEntry>> ReadAllRows();
  // Iterator over a compacted SST (kInvalid status on first use for a WAL SST).
  std::unique_ptr<RowIterator> NewIterator(Direction dir);

 private:
  Status Init();
  // The SST's ObjectReader, opened by the first call (outside any lock; a failed open is retried
  // by the next call).
  Result<ObjectReader*> Reader() EXCLUDES(mu_);
  // Bytes [offset, offset+len) — from the kept suffix when possible.
  Result<std::string> ReadRange(uint64_t offset, uint64_t len);
  Status WithKey(const Status& st) const { return st.WithContext(key_); }
  // The point-lookup walk shared by Get and GetVersions: calls `take(it)` on each version of
  // `key` with seq <= max_seq, newest first, until it returns false. Returns false when the
  // filter rules the key out (nothing visited).
  template <typename Take>
  Result<bool> VisitVersions(std::string_view key, uint64_t max_seq, bool filter_checked,
                             Take take);
  // The SST's decoded filters (loaded once; empty when the SST has none).
  Result<std::shared_ptr<const format::SstFilters>> Filters() EXCLUDES(mu_);
  // Loads a metadata section through the cache (or the reader's own memo when it has none).
  // `pinned` / `pinned_ptr` / `pinned_charge`: where the value is pinned (SstReaderOptions::
  // pin_metadata) or, without a cache, published once memoised.
  template <typename T, typename Decode>
  Result<std::shared_ptr<const T>> LoadMeta(CacheEntryKind kind, uint64_t offset, uint64_t len,
                                            std::shared_ptr<const T>* memo,
                                            std::shared_ptr<const T>* pinned,
                                            std::atomic<const T*>* pinned_ptr,
                                            size_t* pinned_charge, Decode decode) EXCLUDES(mu_);
  CacheKey KeyOf(uint64_t offset, CacheEntryKind kind) const {
    return CacheKey::Of(scope_, id_high_, id_low_, offset, kind);
  }
  void Count(CacheEntryKind kind, bool hit) const;
  // Block to start a forward search for `key` (docs/format.md §5.5: last block whose first_key <
  // key).
  size_t FindBlockForward(const format::SstIndex& index, std::string_view key) const;

  friend class SstIterator;

  std::shared_ptr<ObjectStore> store_;
  std::string key_;
  SstReaderOptions options_;
  BlockCacheImpl* cache_ = nullptr;  // options_.cache's, or null
  uint64_t scope_ = 0;
  uint64_t id_high_ = 0;
  uint64_t id_low_ = 0;
  format::SstInfo info_;
  uint16_t version_ = format::kSstFormatVersion;
  uint64_t size_ = 0;
  std::string tail_;          // bytes [tail_offset_, size_) when known
  uint64_t tail_offset_ = 0;  // meaningful iff has_tail_
  bool has_tail_ = false;

  // Without a cache: the index / filters / stats, loaded once; and reader_ (never held across
  // I/O).
  util::Mutex mu_;
  std::shared_ptr<const format::SstIndex> index_ GUARDED_BY(mu_);
  std::shared_ptr<const format::SstFilters> filters_ GUARDED_BY(mu_);
  std::shared_ptr<const format::SstStats> stats_ GUARDED_BY(mu_);
  // Pinned (or, without a cache, memoised) index and filters: set once, then kept; the atomic
  // pointers publish them to the lock-free fast path (VisitVersions, MayContain).
  std::shared_ptr<const format::SstIndex> pinned_index_ GUARDED_BY(mu_);
  std::shared_ptr<const format::SstFilters> pinned_filters_ GUARDED_BY(mu_);
  size_t pinned_index_charge_ GUARDED_BY(mu_) = 0;  // charged to the cache (0 = not)
  size_t pinned_filters_charge_ GUARDED_BY(mu_) = 0;
  std::atomic<const format::SstIndex*> pinned_index_ptr_{nullptr};
  std::atomic<const format::SstFilters*> pinned_filters_ptr_{nullptr};
  // reader_ is set once (under mu_) and then never changes; reader_ptr_ is its published value
  // for the lock-free fast path.
  std::unique_ptr<ObjectReader> reader_ GUARDED_BY(mu_);
  std::atomic<ObjectReader*> reader_ptr_{nullptr};
};

// Reads a whole WAL (or any) SST in stored order; an empty / fence SST gives no rows.
Result<std::vector<format::RowEntry>> ReadAllRows(const std::shared_ptr<ObjectStore>& store,
                                                  const std::string& object_key);

}  // namespace slatedb::table
