// table/block_cache.h — the block cache behind slatedb::BlockCache (slatedb/block_cache.h).
//
// ClockCache: one byte budget split over power-of-two shards; each shard is an open-addressing
// (linear probing, backward-shift deletion) table of fixed-size slots holding a numeric key, its
// hash, a type-erased shared_ptr to the immutable value, its charge and a CLOCK reference bit.
// A hit probes the slots, sets the bit and copies the shared_ptr: no allocation, no list splice.
// Insert evicts with the CLOCK hand sweeping the slot array (a set bit is cleared and the entry
// kept for one more sweep; a clear bit evicts) until the new entry fits; the slot array doubles
// when more than half full. BlockCacheImpl = a data ClockCache (decoded blocks) and a metadata
// ClockCache (indexes, filters, stats); a zero budget disables that half.
// Keys: (scope, SST id high, SST id low, offset << 2 | kind). Each database instance takes its
// own scope (NewScope), so databases sharing a cache never see each other's entries.
// Thread safety: every method may be called concurrently (one util::Mutex per shard; nothing but
// the probe, the bit and the shared_ptr copy happens under it on a hit; no I/O ever).
// Ownership: values are shared_ptr<const T>; an evicted value lives on while a reader holds it.
// Errors: none (a miss returns nullptr; an entry larger than a shard's budget is not cached).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "format/block.h"
#include "format/sst.h"
#include "slatedb/block_cache.h"
#include "util/mutex.h"

namespace slatedb::table {

enum class CacheEntryKind : uint8_t { kDataBlock = 0, kIndex = 1, kFilter = 2, kStats = 3 };

struct CacheKey {
  uint64_t scope = 0;
  uint64_t id_high = 0;
  uint64_t id_low = 0;
  uint64_t offset_kind = 0;  // offset << 2 | kind
  static CacheKey Of(uint64_t scope, uint64_t id_high, uint64_t id_low, uint64_t offset,
                     CacheEntryKind kind) {
    return {scope, id_high, id_low, offset << 2 | static_cast<uint64_t>(kind)};
  }
  bool operator==(const CacheKey&) const = default;
  uint64_t Hash() const;
};

class ClockCache {
 public:
  // `num_shards`: a power of two (>= 1).
  ClockCache(uint64_t capacity_bytes, uint32_t num_shards);
  ~ClockCache();

  std::shared_ptr<const void> Lookup(const CacheKey& key);
  // Inserts or replaces; `charge` = bytes the value really holds. Not cached when larger than a
  // shard's budget.
  void Insert(const CacheKey& key, std::shared_ptr<const void> value, size_t charge);

  // Pinning: an owner (an SST reader) keeps a value outside the table and charges it here, so
  // the budget still bounds it. Pin erases `key`'s entry (the owner holds the value now) and
  // charges `charge` to its shard, evicting unpinned entries to make room; it refuses (false,
  // nothing changed) when the shard's pinned bytes would pass half its budget, so at least half
  // of every shard stays for entries that come and go. Unpin gives the charge back (the owner
  // drops the value).
  bool Pin(const CacheKey& key, size_t charge);
  void Unpin(const CacheKey& key, size_t charge);

  uint64_t capacity() const { return capacity_; }
  size_t num_shards() const { return shards_.size(); }
  uint64_t usage() const;
  uint64_t entries() const;
  uint64_t pinned() const;  // bytes pinned (part of usage())
  uint64_t hits() const;
  uint64_t misses() const;
  uint64_t evictions() const;
  // Bytes one entry costs in the table itself (charged on top of the value).
  static size_t SlotOverhead();

 private:
  struct Slot {
    CacheKey key;
    uint64_t hash = 0;
    std::shared_ptr<const void> value;  // null = empty slot
    size_t charge = 0;
    bool referenced = false;
  };
  struct Shard {
    mutable util::Mutex mu;
    std::vector<Slot> slots GUARDED_BY(mu);  // power-of-two size (0 until the first insert)
    uint64_t count GUARDED_BY(mu) = 0;
    size_t hand GUARDED_BY(mu) = 0;
    uint64_t usage GUARDED_BY(mu) = 0;   // entries' charges + pinned
    uint64_t pinned GUARDED_BY(mu) = 0;  // charges of pinned values (not in `slots`)
    uint64_t hits GUARDED_BY(mu) = 0;
    uint64_t misses GUARDED_BY(mu) = 0;
    uint64_t evictions GUARDED_BY(mu) = 0;
  };
  // `field` summed over the shards, each read under its lock.
  uint64_t Sum(uint64_t Shard::*field) const;
  Shard& ShardFor(uint64_t hash) { return *shards_[(hash >> 48) & (shards_.size() - 1)]; }
  // Index of `key`'s slot, or of the empty slot where it would go.
  static size_t Probe(const Shard& s, const CacheKey& key, uint64_t hash) REQUIRES(s.mu);
  static void EraseAt(Shard& s, size_t i, std::vector<std::shared_ptr<const void>>* dropped)
      REQUIRES(s.mu);
  static void Grow(Shard& s) REQUIRES(s.mu);
  // CLOCK: evicts unpinned entries until `charge` more bytes fit (or none is left).
  void EvictFor(Shard& s, size_t charge, std::vector<std::shared_ptr<const void>>* dropped)
      REQUIRES(s.mu);

  uint64_t capacity_;
  uint64_t shard_capacity_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

class BlockCacheImpl {
 public:
  explicit BlockCacheImpl(const BlockCacheOptions& options);

  // A key scope no other caller has (process-wide counter, starting at 1).
  static uint64_t NewScope();

  bool data_enabled() const { return data_.capacity() > 0; }
  bool meta_enabled() const { return meta_.capacity() > 0; }

  std::shared_ptr<const format::Block> LookupBlock(const CacheKey& key);
  void InsertBlock(const CacheKey& key, std::shared_ptr<const format::Block> block);
  // kIndex / kFilter / kStats keys (the metadata budget).
  template <typename T>
  std::shared_ptr<const T> LookupMeta(const CacheKey& key) {
    if (!meta_enabled()) return nullptr;
    return std::static_pointer_cast<const T>(meta_.Lookup(key));
  }
  template <typename T>
  void InsertMeta(const CacheKey& key, std::shared_ptr<const T> value, size_t charge) {
    if (meta_enabled() && value) meta_.Insert(key, std::move(value), charge);
  }
  // ClockCache::Pin / Unpin on the metadata budget (false when it is disabled).
  bool PinMeta(const CacheKey& key, size_t charge) {
    return meta_enabled() && meta_.Pin(key, charge);
  }
  void UnpinMeta(const CacheKey& key, size_t charge) { meta_.Unpin(key, charge); }

  BlockCacheStats GetStats() const;
  const ClockCache& data() const { return data_; }
  const ClockCache& meta() const { return meta_; }

 private:
  ClockCache data_;
  ClockCache meta_;
};

// Shards for a budget: `requested` when non-zero, else up to 16 of at least 1 MiB each.
uint32_t ChooseShards(uint64_t capacity_bytes, uint32_t requested);

// Bytes the decoded metadata really holds (for the metadata budget).
size_t AllocatedBytes(const format::SstIndex& index);
size_t AllocatedBytes(const format::SstFilters& filters);
size_t AllocatedBytes(const format::SstStats& stats);

}  // namespace slatedb::table
