// Components::block_cache through the public API: one cache shared by two databases and a
// DbReader (budgets shared, entries never mixed up), a disabled cache, and the per-database
// slatedb.db_cache.access_count counters.
#include "slatedb/block_cache.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "slatedb/db.h"
#include "slatedb/metrics.h"
#include "test_util.h"

namespace slatedb {
namespace {

// No timers, no background compactor or GC: every count is deterministic.
Settings Quiet() {
  Settings s;
  s.flush_interval = std::chrono::hours(1);
  s.compactor_options.reset();
  s.garbage_collector_options.reset();
  s.min_filter_keys = 1;  // every SST gets a bloom filter (a metadata entry of its own)
  return s;
}

Components Comps(const std::shared_ptr<ObjectStore>& store,
                 const std::shared_ptr<BlockCache>& cache,
                 const std::shared_ptr<MetricsRecorder>& rec = nullptr) {
  Components c;
  c.object_store = store;
  c.seed =
      3;  // the same seed for every database: equal SST ids are possible, scopes keep them apart
  c.block_cache = cache;
  c.metrics_recorder = rec;
  return c;
}

// Writes n keys with values "<tag><i>" and flushes them into an L0 SST.
void Fill(Db& db, const std::string& tag, int n) {
  for (int i = 0; i < n; ++i) ASSERT_OK(db.Put("key" + std::to_string(i), tag + std::to_string(i)));
  ASSERT_OK(db.Flush(FlushType::kMemTable));
}

TEST(BlockCacheDbTest, OneCacheSharedByTwoDatabasesAndAReader) {
  auto store = NewMemoryObjectStore();
  ASSERT_OK_AND_ASSIGN(auto cache, BlockCache::Create({.data_capacity_bytes = 4 << 20,
                                                       .meta_capacity_bytes = 1 << 20}));
  ASSERT_OK_AND_ASSIGN(auto a, Db::Open("a", Comps(store, cache), Quiet()));
  ASSERT_OK_AND_ASSIGN(auto b, Db::Open("b", Comps(store, cache), Quiet()));
  Fill(*a, "A", 200);
  Fill(*b, "B", 200);
  EXPECT_EQ(cache->GetStats().data_entries, 0u);
  for (int i = 0; i < 200; i += 10) {
    const std::string k = "key" + std::to_string(i);
    ASSERT_OK_AND_ASSIGN(auto va, a->Get(k));
    ASSERT_OK_AND_ASSIGN(auto vb, b->Get(k));
    EXPECT_EQ(va, "A" + std::to_string(i));
    EXPECT_EQ(vb, "B" + std::to_string(i));
  }
  const BlockCacheStats after_dbs = cache->GetStats();
  EXPECT_GT(after_dbs.data_entries, 1u);
  // Each database's readers pin their L0 SST's index and filter: charged to the metadata
  // budget, no longer entries of it.
  EXPECT_EQ(after_dbs.meta_entries, 0u);
  EXPECT_GT(after_dbs.meta_pinned_bytes, 0u);
  EXPECT_EQ(after_dbs.meta_usage_bytes, after_dbs.meta_pinned_bytes);
  EXPECT_GT(after_dbs.data_hits, 0u);
  EXPECT_LE(after_dbs.data_usage_bytes, after_dbs.data_capacity_bytes);

  // A reader of "a" uses the same budgets (its own scope: its first read of a block misses).
  ASSERT_OK_AND_ASSIGN(auto reader, DbReader::Open("a", Comps(store, cache)));
  ASSERT_OK_AND_ASSIGN(auto v, reader->Get("key5"));
  EXPECT_EQ(v, "A5");
  const BlockCacheStats after_reader = cache->GetStats();
  EXPECT_GT(after_reader.data_entries, after_dbs.data_entries);
  EXPECT_EQ(after_reader.meta_entries, 0u);
  EXPECT_GT(after_reader.meta_pinned_bytes, after_dbs.meta_pinned_bytes);  // the reader's own
  ASSERT_OK(reader->Close());
  ASSERT_OK(a->Close());
  ASSERT_OK(b->Close());
  reader.reset();
  a.reset();
  b.reset();
  EXPECT_EQ(cache->GetStats().meta_pinned_bytes, 0u) << "dropped readers give their pins back";
}

TEST(BlockCacheDbTest, DisabledCacheReadsRightAndCachesNothing) {
  auto store = NewMemoryObjectStore();
  auto off = BlockCache::Disabled();
  auto rec = std::make_shared<DefaultMetricsRecorder>();
  ASSERT_OK_AND_ASSIGN(auto db, Db::Open("db", Comps(store, off, rec), Quiet()));
  Fill(*db, "v", 100);
  for (int i = 0; i < 100; i += 7) {
    ASSERT_OK_AND_ASSIGN(auto got, db->Get("key" + std::to_string(i)));
    EXPECT_EQ(got, "v" + std::to_string(i));
  }
  ASSERT_OK_AND_ASSIGN(auto missing, db->Get("nokey"));
  EXPECT_FALSE(missing.has_value());
  const BlockCacheStats st = off->GetStats();
  EXPECT_EQ(st.data_entries + st.meta_entries, 0u);
  EXPECT_EQ(st.data_usage_bytes + st.meta_usage_bytes, 0u);
  // Nothing is looked up in a disabled budget, so nothing is counted as a hit.
  const MetricsSnapshot m = rec->Snapshot();
  EXPECT_EQ(m.Sum("slatedb.db_cache.access_count", {{"result", "hit"}}), 0);
  ASSERT_OK(db->Close());
}

TEST(BlockCacheDbTest, EachDatabaseCountsItsOwnLookups) {
  auto store = NewMemoryObjectStore();
  ASSERT_OK_AND_ASSIGN(auto cache, BlockCache::Create());
  auto rec_a = std::make_shared<DefaultMetricsRecorder>();
  auto rec_b = std::make_shared<DefaultMetricsRecorder>();
  ASSERT_OK_AND_ASSIGN(auto a, Db::Open("a", Comps(store, cache, rec_a), Quiet()));
  ASSERT_OK_AND_ASSIGN(auto b, Db::Open("b", Comps(store, cache, rec_b), Quiet()));
  Fill(*a, "A", 50);
  Fill(*b, "B", 50);
  ASSERT_OK_AND_ASSIGN(auto v1, a->Get("key1"));
  ASSERT_OK_AND_ASSIGN(auto v2, a->Get("key1"));
  EXPECT_EQ(v1, "A1");
  EXPECT_EQ(v2, "A1");
  auto count = [](const DefaultMetricsRecorder& rec, const std::string& kind,
                  const std::string& result) {
    return rec.Snapshot().Sum("slatedb.db_cache.access_count",
                              {{"entry_kind", kind}, {"result", result}});
  };
  EXPECT_EQ(count(*rec_a, "data_block", "miss"), 1);
  EXPECT_EQ(count(*rec_a, "data_block", "hit"), 1);
  // The index and filter are read once and then pinned by the reader: no later lookup.
  EXPECT_EQ(count(*rec_a, "filter", "miss"), 1);
  EXPECT_EQ(count(*rec_a, "filter", "hit"), 0);
  EXPECT_EQ(count(*rec_a, "index", "miss"), 1);
  EXPECT_EQ(count(*rec_a, "index", "hit"), 0);
  EXPECT_EQ(rec_b->Snapshot().Sum("slatedb.db_cache.access_count"), 0);  // b read nothing
  EXPECT_EQ(cache->GetStats().data_hits, 1u);
  ASSERT_OK(a->Close());
  ASSERT_OK(b->Close());
}

}  // namespace
}  // namespace slatedb
