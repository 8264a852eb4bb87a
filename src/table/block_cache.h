// table/block_cache.h — a sharded LRU cache of decoded SST data blocks.
//
// Keyed by (SST object key, block offset); capacity in bytes (Block::ByteSize()). Entries are
// shared_ptr<const Block>, so an evicted block stays valid for iterators still using it.
// Thread safety: every method may be called concurrently (one mutex per shard).
// Ownership: shared by the SstReaders of a database. Errors: none (misses return nullptr).
// Metrics: every Lookup counts slatedb.db_cache.access_count{entry_kind="data_block",
// result="hit"|"miss"} in the recorder given at construction (docs/metrics.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "format/block.h"
#include "slatedb/metrics.h"
#include "util/mutex.h"

namespace slatedb::table {

class BlockCache {
 public:
  // `metrics` null = no metrics.
  explicit BlockCache(size_t capacity_bytes, size_t num_shards = 16,
                      const std::shared_ptr<MetricsRecorder>& metrics = nullptr);

  std::shared_ptr<const format::Block> Lookup(std::string_view sst, uint64_t offset);
  // Inserts (or replaces) an entry; evicts least-recently-used entries of the shard beyond its
  // share of the capacity. A block larger than a shard's capacity is not cached.
  void Insert(std::string_view sst, uint64_t offset, std::shared_ptr<const format::Block> block);

  size_t capacity() const { return capacity_; }
  size_t usage() const;
  uint64_t hits() const;
  uint64_t misses() const;

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const format::Block> block;
    size_t charge;
  };
  struct Shard {
    mutable util::Mutex mu;
    std::list<Entry> lru GUARDED_BY(mu);  // front = most recent
    std::unordered_map<std::string, std::list<Entry>::iterator> map GUARDED_BY(mu);
    size_t usage GUARDED_BY(mu) = 0;
    uint64_t hits GUARDED_BY(mu) = 0;
    uint64_t misses GUARDED_BY(mu) = 0;
  };
  static std::string MakeKey(std::string_view sst, uint64_t offset);
  Shard& ShardFor(const std::string& key);

  size_t capacity_;
  size_t shard_capacity_;
  std::shared_ptr<CounterHandle> hit_count_;
  std::shared_ptr<CounterHandle> miss_count_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace slatedb::table
