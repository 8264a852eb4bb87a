// table/block_cache.cc — sharded LRU.
#include "table/block_cache.h"

#include <functional>

#include "util/metrics.h"

namespace slatedb::table {

BlockCache::BlockCache(size_t capacity_bytes, size_t num_shards,
                       const std::shared_ptr<MetricsRecorder>& metrics)
    : capacity_(capacity_bytes),
      shard_capacity_(capacity_bytes / (num_shards == 0 ? 1 : num_shards)) {
  auto rec = util::MetricsOrNoop(metrics);
  constexpr std::string_view kName = "slatedb.db_cache.access_count";
  constexpr std::string_view kHelp = "Block cache lookups by entry kind and result";
  hit_count_ =
      rec->RegisterCounter(kName, kHelp, {{"entry_kind", "data_block"}, {"result", "hit"}});
  miss_count_ =
      rec->RegisterCounter(kName, kHelp, {{"entry_kind", "data_block"}, {"result", "miss"}});
  if (num_shards == 0) num_shards = 1;
  for (size_t i = 0; i < num_shards; ++i) shards_.push_back(std::make_unique<Shard>());
}

std::string BlockCache::MakeKey(std::string_view sst, uint64_t offset) {
  std::string key(sst);
  key.push_back('\0');
  key.append(std::to_string(offset));
  return key;
}

BlockCache::Shard& BlockCache::ShardFor(const std::string& key) {
  return *shards_[std::hash<std::string>{}(key) % shards_.size()];
}

std::shared_ptr<const format::Block> BlockCache::Lookup(std::string_view sst, uint64_t offset) {
  std::string key = MakeKey(sst, offset);
  Shard& s = ShardFor(key);
  util::MutexLock lock(&s.mu);
  auto it = s.map.find(key);
  if (it == s.map.end()) {
    ++s.misses;
    miss_count_->Increment(1);
    return nullptr;
  }
  ++s.hits;
  hit_count_->Increment(1);
  s.lru.splice(s.lru.begin(), s.lru, it->second);
  return it->second->block;
}

void BlockCache::Insert(std::string_view sst, uint64_t offset,
                        std::shared_ptr<const format::Block> block) {
  if (!block) return;
  size_t charge = block->ByteSize();
  if (charge > shard_capacity_) return;
  std::string key = MakeKey(sst, offset);
  Shard& s = ShardFor(key);
  util::MutexLock lock(&s.mu);
  auto it = s.map.find(key);
  if (it != s.map.end()) {
    s.usage -= it->second->charge;
    s.lru.erase(it->second);
    s.map.erase(it);
  }
  s.lru.push_front({key, std::move(block), charge});
  s.map.emplace(std::move(key), s.lru.begin());
  s.usage += charge;
  while (s.usage > shard_capacity_ && !s.lru.empty()) {
    Entry& victim = s.lru.back();
    s.usage -= victim.charge;
    s.map.erase(victim.key);
    s.lru.pop_back();
  }
}

size_t BlockCache::usage() const {
  size_t total = 0;
  for (const auto& s : shards_) {
    util::MutexLock lock(&s->mu);
    total += s->usage;
  }
  return total;
}

uint64_t BlockCache::hits() const {
  uint64_t total = 0;
  for (const auto& s : shards_) {
    util::MutexLock lock(&s->mu);
    total += s->hits;
  }
  return total;
}

uint64_t BlockCache::misses() const {
  uint64_t total = 0;
  for (const auto& s : shards_) {
    util::MutexLock lock(&s->mu);
    total += s->misses;
  }
  return total;
}

}  // namespace slatedb::table
