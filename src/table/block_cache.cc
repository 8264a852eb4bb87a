// table/block_cache.cc — sharded open-addressing CLOCK cache; slatedb::BlockCache.
#include "table/block_cache.h"

#include <algorithm>
#include <string>
#include <utility>

namespace slatedb::table {

namespace {

inline uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

constexpr size_t kMinSlots = 16;
constexpr uint32_t kMaxShards = 256;

size_t StringBytes(const std::string& s) { return s.capacity() > 15 ? s.capacity() : 0; }

}  // namespace

uint64_t CacheKey::Hash() const {
  uint64_t h = Mix(scope + 0x9e3779b97f4a7c15ULL);
  h = Mix(h ^ id_high);
  h = Mix(h ^ id_low);
  return Mix(h ^ offset_kind);
}

// ---- ClockCache ----

ClockCache::ClockCache(uint64_t capacity_bytes, uint32_t num_shards)
    : capacity_(capacity_bytes),
      shard_capacity_(capacity_bytes / std::max<uint32_t>(num_shards, 1)) {
  if (num_shards == 0) num_shards = 1;
  for (uint32_t i = 0; i < num_shards; ++i) shards_.push_back(std::make_unique<Shard>());
}

ClockCache::~ClockCache() = default;

size_t ClockCache::SlotOverhead() {
  // At most half the slots are used, so each entry costs two.
  return 2 * sizeof(Slot);
}

size_t ClockCache::Probe(const Shard& s, const CacheKey& key, uint64_t hash) {
  const size_t mask = s.slots.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& slot = s.slots[i];
    if (!slot.value || (slot.hash == hash && slot.key == key)) return i;
  }
}

void ClockCache::EraseAt(Shard& s, size_t i, std::vector<std::shared_ptr<const void>>* dropped) {
  const size_t mask = s.slots.size() - 1;
  s.usage -= s.slots[i].charge;
  --s.count;
  dropped->push_back(std::move(s.slots[i].value));
  s.slots[i] = Slot{};
  // Backward-shift: move later entries of the probe run into the hole when their home slot is
  // not cyclically within (hole, their position].
  for (size_t j = (i + 1) & mask; s.slots[j].value; j = (j + 1) & mask) {
    size_t home = s.slots[j].hash & mask;
    bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
    if (stays) continue;
    s.slots[i] = std::move(s.slots[j]);
    s.slots[j] = Slot{};
    i = j;
  }
}

void ClockCache::Grow(Shard& s) {
  std::vector<Slot> old = std::move(s.slots);
  s.slots = std::vector<Slot>(std::max(kMinSlots, old.size() * 2));
  s.hand = 0;
  for (Slot& slot : old) {
    if (!slot.value) continue;
    size_t i = Probe(s, slot.key, slot.hash);
    s.slots[i] = std::move(slot);
  }
}

std::shared_ptr<const void> ClockCache::Lookup(const CacheKey& key) {
  if (capacity_ == 0) return nullptr;
  const uint64_t hash = key.Hash();
  Shard& s = ShardFor(hash);
  util::MutexLock lock(&s.mu);
  if (s.count == 0) {
    ++s.misses;
    return nullptr;
  }
  Slot& slot = s.slots[Probe(s, key, hash)];
  if (!slot.value) {
    ++s.misses;
    return nullptr;
  }
  ++s.hits;
  slot.referenced = true;
  return slot.value;
}

void ClockCache::Insert(const CacheKey& key, std::shared_ptr<const void> value, size_t charge) {
  if (!value) return;
  charge += SlotOverhead();
  if (charge > shard_capacity_) return;
  const uint64_t hash = key.Hash();
  Shard& s = ShardFor(hash);
  std::vector<std::shared_ptr<const void>> dropped;  // released after the lock
  util::MutexLock lock(&s.mu);
  if (s.count > 0) {
    size_t i = Probe(s, key, hash);
    if (s.slots[i].value) EraseAt(s, i, &dropped);  // replace: charge anew
  }
  EvictFor(s, charge, &dropped);
  if (s.usage + charge > shard_capacity_) return;  // pinned values leave no room for it
  if (s.slots.empty() || 2 * (s.count + 1) > s.slots.size()) Grow(s);
  Slot& slot = s.slots[Probe(s, key, hash)];
  slot.key = key;
  slot.hash = hash;
  slot.value = std::move(value);
  slot.charge = charge;
  slot.referenced = false;
  ++s.count;
  s.usage += charge;
}

void ClockCache::EvictFor(Shard& s, size_t charge,
                          std::vector<std::shared_ptr<const void>>* dropped) {
  // Sweep until `charge` fits. Each pass clears reference bits, so this ends within two passes
  // over the slots.
  while (s.usage + charge > shard_capacity_ && s.count > 0) {
    s.hand &= s.slots.size() - 1;
    Slot& slot = s.slots[s.hand];
    if (!slot.value) {
      ++s.hand;
    } else if (slot.referenced) {
      slot.referenced = false;
      ++s.hand;
    } else {
      ++s.evictions;
      EraseAt(s, s.hand, dropped);  // a shifted entry now at `hand` is examined next
    }
  }
}

bool ClockCache::Pin(const CacheKey& key, size_t charge) {
  if (capacity_ == 0) return false;
  const uint64_t hash = key.Hash();
  Shard& s = ShardFor(hash);
  std::vector<std::shared_ptr<const void>> dropped;  // released after the lock
  util::MutexLock lock(&s.mu);
  if (s.pinned + charge > shard_capacity_ / 2) return false;
  if (s.count > 0) {
    size_t i = Probe(s, key, hash);
    if (s.slots[i].value) EraseAt(s, i, &dropped);  // the owner holds it from now on
  }
  EvictFor(s, charge, &dropped);
  s.pinned += charge;
  s.usage += charge;
  return true;
}

void ClockCache::Unpin(const CacheKey& key, size_t charge) {
  if (capacity_ == 0) return;
  Shard& s = ShardFor(key.Hash());
  util::MutexLock lock(&s.mu);
  s.pinned -= std::min<uint64_t>(charge, s.pinned);
  s.usage -= std::min<uint64_t>(charge, s.usage);
}

uint64_t ClockCache::Sum(uint64_t Shard::*field) const {
  uint64_t total = 0;
  for (const auto& s : shards_) {
    util::MutexLock lock(&s->mu);
    total += (*s).*field;
  }
  return total;
}

uint64_t ClockCache::pinned() const { return Sum(&Shard::pinned); }

uint64_t ClockCache::usage() const { return Sum(&Shard::usage); }

uint64_t ClockCache::entries() const { return Sum(&Shard::count); }

uint64_t ClockCache::hits() const { return Sum(&Shard::hits); }

uint64_t ClockCache::misses() const { return Sum(&Shard::misses); }

uint64_t ClockCache::evictions() const { return Sum(&Shard::evictions); }

// ---- BlockCacheImpl ----

uint32_t ChooseShards(uint64_t capacity_bytes, uint32_t requested) {
  if (requested != 0) return requested;
  uint32_t n = 16;
  while (n > 1 && capacity_bytes / n < (1u << 20)) n /= 2;
  return n;
}

BlockCacheImpl::BlockCacheImpl(const BlockCacheOptions& options)
    : data_(options.data_capacity_bytes,
            ChooseShards(options.data_capacity_bytes, options.num_shards)),
      meta_(options.meta_capacity_bytes,
            ChooseShards(options.meta_capacity_bytes, options.num_shards)) {}

uint64_t BlockCacheImpl::NewScope() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

std::shared_ptr<const format::Block> BlockCacheImpl::LookupBlock(const CacheKey& key) {
  if (!data_enabled()) return nullptr;
  return std::static_pointer_cast<const format::Block>(data_.Lookup(key));
}

void BlockCacheImpl::InsertBlock(const CacheKey& key, std::shared_ptr<const format::Block> block) {
  if (!data_enabled() || !block) return;
  size_t charge = block->ByteSize();
  data_.Insert(key, std::move(block), charge);
}

BlockCacheStats BlockCacheImpl::GetStats() const {
  BlockCacheStats st;
  st.data_capacity_bytes = data_.capacity();
  st.data_usage_bytes = data_.usage();
  st.data_entries = data_.entries();
  st.data_hits = data_.hits();
  st.data_misses = data_.misses();
  st.meta_capacity_bytes = meta_.capacity();
  st.meta_usage_bytes = meta_.usage();
  st.meta_entries = meta_.entries();
  st.meta_pinned_bytes = meta_.pinned();
  st.meta_hits = meta_.hits();
  st.meta_misses = meta_.misses();
  st.evictions = data_.evictions() + meta_.evictions();
  return st;
}

size_t AllocatedBytes(const format::SstIndex& index) {
  size_t n = sizeof(format::SstIndex) + 16 +
             index.blocks.capacity() * sizeof(format::BlockMetaEntry) +
             index.search_keys.capacity() * sizeof(uint64_t);
  for (const auto& b : index.blocks) n += StringBytes(b.first_key);
  return n;
}

size_t AllocatedBytes(const format::SstFilters& filters) {
  size_t n = sizeof(format::SstFilters) + 16;
  if (filters.whole_key) n += filters.whole_key->AllocatedBytes();
  n += filters.prefix.capacity() * sizeof(filters.prefix[0]);
  for (const auto& [name, f] : filters.prefix) n += StringBytes(name) + f.AllocatedBytes();
  return n;
}

size_t AllocatedBytes(const format::SstStats& stats) {
  return sizeof(format::SstStats) + 16 +
         stats.block_stats.capacity() * sizeof(stats.block_stats[0]);
}

}  // namespace slatedb::table

// ---- slatedb::BlockCache ----

namespace slatedb {

BlockCache::BlockCache(PrivateTag, const BlockCacheOptions& options)
    : options_(options), impl_(std::make_unique<table::BlockCacheImpl>(options)) {}

BlockCache::~BlockCache() = default;

Result<std::shared_ptr<BlockCache>> BlockCache::Create(const BlockCacheOptions& options) {
  const uint32_t n = options.num_shards;
  if (n != 0 && (n > table::kMaxShards || (n & (n - 1)) != 0)) {
    return Status::Invalid(
        "BlockCacheOptions::num_shards must be 0 or a power of two <= 256, not " +
        std::to_string(n));
  }
  return std::make_shared<BlockCache>(PrivateTag{}, options);
}

std::shared_ptr<BlockCache> BlockCache::Disabled() {
  BlockCacheOptions none;
  none.data_capacity_bytes = 0;
  none.meta_capacity_bytes = 0;
  return std::make_shared<BlockCache>(PrivateTag{}, none);
}

BlockCacheStats BlockCache::GetStats() const { return impl_->GetStats(); }

}  // namespace slatedb
