// slatedb/block_cache.h — the in-memory cache of decoded SST blocks, shareable between databases.
//
// What: a BlockCache keeps decoded SST data blocks (data budget) and SST metadata — block
// indexes, bloom filters and stats (metadata budget) — so repeated reads do not go to the object
// store. Each budget is a byte limit on what the entries really allocate; beyond it, entries are
// evicted by CLOCK (second chance: an entry read since the hand last passed survives one more
// sweep). Pass one cache in Components::block_cache of several Db / DbReader instances to share
// the budgets between them (their entries never collide: each database instance has its own key
// scope). Components::block_cache null = each database creates its own with the defaults below
// (SlateDB's: 512 MiB data + 128 MiB metadata). A budget of 0 disables that half: with
// BlockCache::Disabled() every read goes to the object store, and index / filter blocks are read
// again by every lookup that needs them.
// Thread safety: every method may be called concurrently; the cache may be used by any number of
// databases at once. Ownership: held by shared_ptr; every database using it keeps it alive, and a
// block handed to a reader stays valid after eviction until the reader drops it.
// Errors: Create returns kInvalid for a shard count that is not 0 or a power of two <= 256.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "slatedb/export.h"
#include "slatedb/status.h"

namespace slatedb {

namespace table {
class BlockCacheImpl;
}

struct BlockCacheOptions {
  // Budget for decoded data blocks, bytes (SlateDB's DEFAULT_BLOCK_CACHE_CAPACITY). 0 = none.
  uint64_t data_capacity_bytes = 512ull << 20;
  // Budget for block indexes, filters and stats, bytes (SlateDB's DEFAULT_META_CACHE_CAPACITY).
  // 0 = none: every lookup then reads and decodes the SST's index and filter itself.
  uint64_t meta_capacity_bytes = 128ull << 20;
  // Shards per budget (each with its own lock); 0 = automatic (up to 16, at least 1 MiB each).
  // Otherwise a power of two <= 256. A single entry larger than one shard's share is not cached.
  uint32_t num_shards = 0;
};

// Totals since the cache was created (over every database using it).
struct BlockCacheStats {
  uint64_t data_capacity_bytes = 0;
  uint64_t data_usage_bytes = 0;
  uint64_t data_entries = 0;
  uint64_t data_hits = 0;
  uint64_t data_misses = 0;
  uint64_t meta_capacity_bytes = 0;
  uint64_t meta_usage_bytes = 0;
  uint64_t meta_entries = 0;
  // Of meta_usage_bytes: indexes and filters the open SSTs' readers keep (at most half the
  // metadata budget); their lookups skip the cache.
  uint64_t meta_pinned_bytes = 0;
  uint64_t meta_hits = 0;  // index, filter and stats lookups together
  uint64_t meta_misses = 0;
  uint64_t evictions = 0;  // both budgets
};

class SLATEDB_EXPORT BlockCache {
  struct PrivateTag {};

 public:
  static Result<std::shared_ptr<BlockCache>> Create(const BlockCacheOptions& options = {});
  // A cache with both budgets 0: nothing is cached.
  static std::shared_ptr<BlockCache> Disabled();
  ~BlockCache();
  BlockCache(const BlockCache&) = delete;
  BlockCache& operator=(const BlockCache&) = delete;

  const BlockCacheOptions& options() const { return options_; }
  BlockCacheStats GetStats() const;

  // For the library's own use (the SST readers); not part of the supported API.
  table::BlockCacheImpl* impl() const { return impl_.get(); }

  // Use Create / Disabled.
  BlockCache(PrivateTag, const BlockCacheOptions& options);

 private:
  BlockCacheOptions options_;
  std::unique_ptr<table::BlockCacheImpl> impl_;
};

}  // namespace slatedb
