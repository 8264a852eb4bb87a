// table/block_cache_test.cc — the CLOCK cache: hits, misses, eviction order, budgets, scopes,
// sharing between readers, disabling, concurrency (run under TSan by the tsan preset).
#include "table/block_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "format/sst.h"
#include "slatedb/metrics.h"
#include "table/sst_reader.h"
#include "table/sst_writer.h"
#include "test_util.h"

namespace slatedb::table {
namespace {

std::shared_ptr<const format::Block> MakeBlock(size_t value_size) {
  format::BlockBuilder b(1 << 20);
  format::RowEntry r;
  r.key = "k";
  r.value = std::string(value_size, 'v');
  r.seq = 1;
  EXPECT_TRUE(b.TryAdd(r));
  auto block = format::Block::Parse(b.Finish(), 2);
  EXPECT_OK(block);
  return *block;
}

CacheKey Key(uint64_t id, uint64_t offset, uint64_t scope = 1) {
  return CacheKey::Of(scope, id, id * 7, offset, CacheEntryKind::kDataBlock);
}

TEST(ClockCacheTest, HitMissReplaceAndCharge) {
  ClockCache cache(1 << 20, 1);
  auto blk = MakeBlock(1000);
  EXPECT_EQ(cache.Lookup(Key(1, 0)), nullptr);
  cache.Insert(Key(1, 0), blk, blk->ByteSize());
  EXPECT_EQ(cache.Lookup(Key(1, 0)), blk);
  EXPECT_EQ(cache.Lookup(Key(1, 4096)), nullptr);  // other offset
  EXPECT_EQ(cache.Lookup(Key(2, 0)), nullptr);     // other SST
  EXPECT_EQ(cache.Lookup(Key(1, 0, 2)), nullptr);  // other scope
  EXPECT_EQ(cache.Lookup(CacheKey::Of(1, 1, 7, 0, CacheEntryKind::kIndex)), nullptr);  // kind
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(cache.misses(), 5u);
  // Charged as allocated: the block's buffers (>= its bytes) plus the slot.
  EXPECT_EQ(cache.usage(), blk->ByteSize() + ClockCache::SlotOverhead());
  EXPECT_GE(blk->ByteSize(), 1000u + sizeof(format::Block));
  // Replacing does not double count.
  auto blk2 = MakeBlock(2000);
  cache.Insert(Key(1, 0), blk2, blk2->ByteSize());
  EXPECT_EQ(cache.Lookup(Key(1, 0)), blk2);
  EXPECT_EQ(cache.entries(), 1u);
  EXPECT_EQ(cache.usage(), blk2->ByteSize() + ClockCache::SlotOverhead());
  // Larger than the shard: not cached.
  cache.Insert(Key(3, 0), blk, 2 << 20);
  EXPECT_EQ(cache.Lookup(Key(3, 0)), nullptr);
  EXPECT_EQ(cache.entries(), 1u);
}

TEST(ClockCacheTest, ClockGivesReferencedEntriesASecondChance) {
  const size_t charge = 1000;
  const size_t each = charge + ClockCache::SlotOverhead();
  ClockCache cache(each * 4, 1);
  auto v = MakeBlock(10);
  for (uint64_t i = 0; i < 4; ++i) cache.Insert(Key(i, 0), v, charge);
  EXPECT_EQ(cache.entries(), 4u);
  EXPECT_EQ(cache.evictions(), 0u);
  // Entry 0 is read before every insert: it must survive a stream of one-time entries, while
  // each insert evicts exactly one unreferenced entry.
  for (uint64_t i = 100; i < 140; ++i) {
    ASSERT_NE(cache.Lookup(Key(0, 0)), nullptr) << "before insert " << i;
    cache.Insert(Key(i, 0), v, charge);
    EXPECT_EQ(cache.entries(), 4u);
    EXPECT_LE(cache.usage(), cache.capacity());
  }
  EXPECT_EQ(cache.evictions(), 40u);
  EXPECT_NE(cache.Lookup(Key(0, 0)), nullptr);
  EXPECT_NE(cache.Lookup(Key(139, 0)), nullptr);  // the newest is kept
  // Never-read entries go first: of the originals only the referenced one is left.
  for (uint64_t i = 1; i < 4; ++i) EXPECT_EQ(cache.Lookup(Key(i, 0)), nullptr);
}

TEST(ClockCacheTest, ReferencedEntriesOutliveUnreferencedOnes) {
  const size_t charge = 1000;
  ClockCache cache((charge + ClockCache::SlotOverhead()) * 8, 1);
  auto v = MakeBlock(10);
  for (uint64_t i = 0; i < 8; ++i) cache.Insert(Key(i, 0), v, charge);
  for (uint64_t i = 0; i < 8; i += 2) ASSERT_NE(cache.Lookup(Key(i, 0)), nullptr);  // even: read
  for (uint64_t i = 100; i < 104; ++i) cache.Insert(Key(i, 0), v, charge);  // four evictions
  EXPECT_EQ(cache.entries(), 8u);
  EXPECT_EQ(cache.evictions(), 4u);
  // The victims are unreferenced entries (odd originals or new ones), never a read one.
  for (uint64_t i = 0; i < 8; i += 2) EXPECT_NE(cache.Lookup(Key(i, 0)), nullptr) << i;
}

TEST(ClockCacheTest, ManyEntriesGrowAndEraseKeepEveryKeyFindable) {
  // Exercises growth and backward-shift deletion: after heavy churn exactly the resident keys
  // are found and the accounting matches.
  ClockCache cache((100 + ClockCache::SlotOverhead()) * 300, 1);
  auto v = MakeBlock(10);
  for (uint64_t i = 0; i < 5000; ++i) {
    cache.Insert(Key(i % 1000, i), v, 100);
    ASSERT_NE(cache.Lookup(Key(i % 1000, i)), nullptr) << i;  // just inserted: found
  }
  EXPECT_EQ(cache.entries(), 300u);
  EXPECT_EQ(cache.usage(), 300u * (100 + ClockCache::SlotOverhead()));
  EXPECT_EQ(cache.evictions(), 4700u);
  size_t found = 0;
  for (uint64_t i = 0; i < 5000; ++i) found += cache.Lookup(Key(i % 1000, i)) != nullptr;
  EXPECT_EQ(found, 300u);
}

// Pin takes the entry out of the table and keeps its charge in the budget (evicting unpinned
// entries for it); at most half a shard may be pinned; Unpin gives the charge back; an insert
// the pinned bytes leave no room for is not cached.
TEST(ClockCacheTest, PinnedChargesStayInTheBudgetUpToHalfOfIt) {
  ClockCache cache(100000, 1);
  auto blk = MakeBlock(1000);
  const size_t entry = blk->ByteSize() + ClockCache::SlotOverhead();
  cache.Insert(Key(1, 0), blk, blk->ByteSize());
  ASSERT_EQ(cache.entries(), 1u);
  ASSERT_TRUE(cache.Pin(Key(1, 0), 30000));
  EXPECT_EQ(cache.Lookup(Key(1, 0)), nullptr) << "a pinned value leaves the table";
  EXPECT_EQ(cache.entries(), 0u);
  EXPECT_EQ(cache.pinned(), 30000u);
  EXPECT_EQ(cache.usage(), 30000u);
  EXPECT_FALSE(cache.Pin(Key(2, 0), 20001)) << "over half the shard would be pinned";
  EXPECT_EQ(cache.pinned(), 30000u);
  ASSERT_TRUE(cache.Pin(Key(2, 0), 20000));
  EXPECT_EQ(cache.usage(), 50000u);
  // Unpinned entries fill the rest and are evicted before the budget is passed.
  for (uint64_t i = 10; i < 200; ++i) cache.Insert(Key(i, 0), blk, blk->ByteSize());
  EXPECT_LE(cache.usage(), 100000u);
  EXPECT_GT(cache.entries(), 0u);
  EXPECT_LE(cache.entries() * entry, 50000u);
  EXPECT_GT(cache.evictions(), 0u);
  // Pinning evicts to make room too.
  cache.Unpin(Key(2, 0), 20000);
  EXPECT_EQ(cache.pinned(), 30000u);
  ASSERT_TRUE(cache.Pin(Key(3, 0), 20000));
  EXPECT_LE(cache.usage(), 100000u);
  cache.Unpin(Key(1, 0), 30000);
  cache.Unpin(Key(3, 0), 20000);
  EXPECT_EQ(cache.pinned(), 0u);
  EXPECT_LE(cache.usage(), 100000u);
  EXPECT_EQ(cache.usage(), cache.entries() * entry);
  // With half pinned, an entry larger than the other half is refused, not squeezed in.
  ClockCache small(10000, 1);
  ASSERT_TRUE(small.Pin(Key(1, 0), 5000));
  auto big = MakeBlock(5500);
  small.Insert(Key(4, 0), big, big->ByteSize());
  EXPECT_EQ(small.Lookup(Key(4, 0)), nullptr);
  EXPECT_EQ(small.usage(), 5000u);
  ClockCache none(0, 1);
  EXPECT_FALSE(none.Pin(Key(1, 0), 1));
}

TEST(BlockCacheTest, CreateValidatesAndDisabledCachesNothing) {
  EXPECT_TRUE(slatedb::BlockCache::Create({.num_shards = 3}).status().IsInvalid());
  auto bad = slatedb::BlockCache::Create({.num_shards = 512});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("num_shards"), std::string::npos);
  auto def = slatedb::BlockCache::Create();
  ASSERT_OK(def);
  EXPECT_EQ((*def)->GetStats().data_capacity_bytes, 512ull << 20);
  EXPECT_EQ((*def)->GetStats().meta_capacity_bytes, 128ull << 20);
  EXPECT_EQ((*def)->impl()->data().num_shards(), 16u);
  auto off = slatedb::BlockCache::Disabled();
  auto blk = MakeBlock(100);
  off->impl()->InsertBlock(Key(1, 0), blk);
  EXPECT_EQ(off->impl()->LookupBlock(Key(1, 0)), nullptr);
  EXPECT_EQ(off->GetStats().data_usage_bytes, 0u);
  // Small budgets get fewer shards (each at least 1 MiB) so one block still fits.
  auto small = slatedb::BlockCache::Create({.data_capacity_bytes = 64 * 1024});
  ASSERT_OK(small);
  EXPECT_EQ((*small)->impl()->data().num_shards(), 1u);
}

class CachedReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = NewMemoryObjectStore();
    for (int i = 0; i < 2000; ++i) {
      format::RowEntry r;
      char k[16];
      std::snprintf(k, sizeof(k), "key%06d", i);
      r.key = k;
      r.value = std::string(40, static_cast<char>('a' + i % 26));
      r.seq = static_cast<uint64_t>(i + 1);
      rows_.push_back(r);
    }
    format::SstBuilderOptions opts;
    opts.block_size = 1024;
    opts.min_filter_keys = 1;
    auto info = WriteSst(*store_, "db/compacted/a.sst", rows_, opts);
    ASSERT_OK(info) << info.status().ToString();
    info_ = info->info;
  }

  std::shared_ptr<SstReader> Open(const std::shared_ptr<slatedb::BlockCache>& cache, uint64_t scope,
                                  std::shared_ptr<MetricsRecorder> rec = nullptr,
                                  bool pin = false) {
    SstReaderOptions o;
    o.pin_metadata = pin;
    o.cache = cache;
    o.cache_scope = scope;
    o.sst_id = format::Ulid{1, 2};
    o.counters = CacheCounters::Register(rec);
    auto r = SstReader::OpenWithInfo(store_, "db/compacted/a.sst", info_, 2, o);
    EXPECT_OK(r);
    return *r;
  }

  std::shared_ptr<ObjectStore> store_;
  std::vector<format::RowEntry> rows_;
  format::SstInfo info_;
};

TEST_F(CachedReaderTest, IndexFilterAndBlocksLiveInTheCacheAndAreCounted) {
  auto cache = *slatedb::BlockCache::Create(
      {.data_capacity_bytes = 8 << 20, .meta_capacity_bytes = 8 << 20});
  auto rec = std::make_shared<DefaultMetricsRecorder>();
  auto reader = Open(cache, 7, rec);
  auto g = reader->Get(rows_[10].key, UINT64_MAX);
  ASSERT_OK(g);
  ASSERT_TRUE(g->has_value());
  EXPECT_EQ(**g, rows_[10]);
  BlockCacheStats st = cache->GetStats();
  EXPECT_EQ(st.meta_entries, 2u);  // index + filter
  EXPECT_EQ(st.data_entries, 1u);
  EXPECT_GT(st.meta_usage_bytes, 0u);
  ASSERT_OK(reader->Get(rows_[11].key, UINT64_MAX));  // same block: all hits
  auto count = [&](const std::string& kind, const std::string& result) {
    return rec->Snapshot().Sum("slatedb.db_cache.access_count",
                               {{"entry_kind", kind}, {"result", result}});
  };
  EXPECT_EQ(count("data_block", "miss"), 1);
  EXPECT_EQ(count("data_block", "hit"), 1);
  EXPECT_EQ(count("filter", "miss"), 1);
  EXPECT_EQ(count("filter", "hit"), 1);
  EXPECT_EQ(count("index", "miss"), 1);
  EXPECT_EQ(count("index", "hit"), 1);
  ASSERT_OK(reader->Stats());
  EXPECT_EQ(count("stats", "miss"), 1);
  EXPECT_EQ(cache->GetStats().meta_entries, 3u);

  // A second reader in the same scope (the same database) shares the entries; another scope
  // (another database using the same cache) does not see them.
  auto same = Open(cache, 7);
  ASSERT_OK(same->Get(rows_[12].key, UINT64_MAX));
  EXPECT_EQ(cache->GetStats().data_entries, 1u);
  auto other = Open(cache, 8);
  ASSERT_OK(other->Get(rows_[12].key, UINT64_MAX));
  EXPECT_EQ(cache->GetStats().data_entries, 2u);
  EXPECT_EQ(cache->GetStats().meta_entries, 5u);
}

// A reader with pin_metadata keeps its index and filter after the first Get: later Gets look
// neither up (the counters show one miss each and no hits), the cache reports them as pinned
// and no longer holds them as entries, and destroying the reader gives the budget back. When the
// budget has no room for them the reader keeps using the cache.
TEST_F(CachedReaderTest, PinnedIndexAndFilterSkipTheCacheAndReturnTheirChargeWhenDropped) {
  auto cache = *slatedb::BlockCache::Create(
      {.data_capacity_bytes = 8 << 20, .meta_capacity_bytes = 8 << 20, .num_shards = 1});
  auto rec = std::make_shared<DefaultMetricsRecorder>();
  auto reader = Open(cache, 21, rec, /*pin=*/true);
  for (size_t i = 0; i < rows_.size(); i += 50) {
    auto g = reader->Get(rows_[i].key, UINT64_MAX);
    ASSERT_OK(g);
    ASSERT_TRUE(g->has_value());
    EXPECT_EQ(**g, rows_[i]);
  }
  auto absent = reader->Get("key999999x", UINT64_MAX);
  ASSERT_OK(absent);
  EXPECT_FALSE(absent->has_value());
  auto count = [&](const std::string& kind, const std::string& result) {
    return rec->Snapshot().Sum("slatedb.db_cache.access_count",
                               {{"entry_kind", kind}, {"result", result}});
  };
  EXPECT_EQ(count("index", "miss"), 1);
  EXPECT_EQ(count("index", "hit"), 0);
  EXPECT_EQ(count("filter", "miss"), 1);
  EXPECT_EQ(count("filter", "hit"), 0);
  BlockCacheStats st = cache->GetStats();
  EXPECT_EQ(st.meta_entries, 0u);
  EXPECT_GT(st.meta_pinned_bytes, 0u);
  EXPECT_EQ(st.meta_usage_bytes, st.meta_pinned_bytes);
  EXPECT_GT(st.data_entries, 0u);
  // The reader's own Index() still answers (from its pin).
  auto index = reader->Index();
  ASSERT_OK(index);
  EXPECT_GT((*index)->blocks.size(), 1u);
  EXPECT_EQ(count("index", "hit") + count("index", "miss"), 1);
  reader.reset();
  st = cache->GetStats();
  EXPECT_EQ(st.meta_pinned_bytes, 0u);
  EXPECT_EQ(st.meta_usage_bytes, 0u);

  // No room to pin (half of a tiny budget): the reader reads through the cache as before.
  auto tiny = *slatedb::BlockCache::Create(
      {.data_capacity_bytes = 8 << 20, .meta_capacity_bytes = 64, .num_shards = 1});
  auto unpinned = Open(tiny, 22, nullptr, /*pin=*/true);
  auto g = unpinned->Get(rows_[7].key, UINT64_MAX);
  ASSERT_OK(g);
  ASSERT_TRUE(g->has_value());
  EXPECT_EQ(**g, rows_[7]);
  EXPECT_EQ(tiny->GetStats().meta_pinned_bytes, 0u);
}

TEST_F(CachedReaderTest, EvictedIndexIsReadAgainAndBudgetsHold) {
  // A metadata budget too small for the index: every lookup reads and decodes it again, and the
  // answers stay right.
  auto cache = *slatedb::BlockCache::Create(
      {.data_capacity_bytes = 16 * 1024, .meta_capacity_bytes = 512, .num_shards = 1});
  auto counting = std::make_shared<slatedb::DefaultMetricsRecorder>();
  auto reader = Open(cache, 9, counting);
  for (size_t i = 0; i < rows_.size(); i += 97) {
    auto g = reader->Get(rows_[i].key, UINT64_MAX);
    ASSERT_OK(g);
    ASSERT_TRUE(g->has_value());
    EXPECT_EQ(**g, rows_[i]);
  }
  BlockCacheStats st = cache->GetStats();
  EXPECT_EQ(st.meta_entries, 0u);
  EXPECT_LE(st.data_usage_bytes, 16u * 1024);
  EXPECT_GT(st.data_entries, 0u);
  EXPECT_EQ(counting->Snapshot().Sum("slatedb.db_cache.access_count",
                                     {{"entry_kind", "index"}, {"result", "hit"}}),
            0);
  // Disabled: still right, nothing cached.
  auto none = Open(slatedb::BlockCache::Disabled(), 10);
  auto g = none->Get(rows_[5].key, UINT64_MAX);
  ASSERT_OK(g);
  ASSERT_TRUE(g->has_value());
  EXPECT_EQ(**g, rows_[5]);
}

TEST_F(CachedReaderTest, ConcurrentReadersShareOneSmallCache) {
  // Several threads read through readers of two scopes sharing a cache small enough to evict
  // constantly; every answer must be right (TSan checks the locking).
  auto cache = *slatedb::BlockCache::Create(
      {.data_capacity_bytes = 24 * 1024, .meta_capacity_bytes = 64 * 1024, .num_shards = 2});
  auto a = Open(cache, 11, nullptr, /*pin=*/true);  // its first Gets race to pin its metadata
  auto b = Open(cache, 12);
  std::atomic<size_t> wrong{0};
  std::atomic<size_t> done{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      auto& reader = t % 2 ? a : b;
      for (size_t i = static_cast<size_t>(t); i < rows_.size(); i += 7) {
        auto g = reader->Get(rows_[i].key, UINT64_MAX);
        if (!g.ok() || !g->has_value() || **g != rows_[i]) ++wrong;
        ++done;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0u);
  EXPECT_GT(done.load(), 1000u);
  BlockCacheStats st = cache->GetStats();
  EXPECT_LE(st.data_usage_bytes, 24u * 1024);
  EXPECT_GT(st.evictions, 0u);
  EXPECT_GE(st.data_hits + st.data_misses, done.load());  // a Get may look at two blocks
}

}  // namespace
}  // namespace slatedb::table
