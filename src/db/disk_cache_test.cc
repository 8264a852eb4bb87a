// The disk cache (object_store_cache_options) under a Db: SST reads of a reopened database on a
// latency-injecting store are served from the cache's folder — zero requests for compacted SSTs
// once warm, also after a restart — and a DbReader with the same folder reuses it; preload warms
// it at open.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>

#include "object_store/fault_injecting_object_store.h"
#include "object_store/object_store_wrapper.h"
#include "slatedb/block_cache.h"
#include "slatedb/db.h"
#include "subprocess.h"
#include "test_util.h"

namespace slatedb {
namespace {

// Counts reads of compacted SSTs (what the cache serves) below the cache.
class SstReadCounter final : public ObjectStoreWrapper {
 public:
  using ObjectStoreWrapper::ObjectStoreWrapper;
  Result<std::string> Get(std::string_view key) override {
    Count(key);
    return inner_->Get(key);
  }
  Result<std::string> GetRange(std::string_view key, uint64_t offset,
                               std::optional<uint64_t> length) override {
    Count(key);
    return inner_->GetRange(key, offset, length);
  }
  Result<std::string> GetSuffix(std::string_view key, uint64_t n) override {
    Count(key);
    return inner_->GetSuffix(key, n);
  }
  Result<ObjectMeta> Head(std::string_view key) override {
    Count(key);
    return inner_->Head(key);
  }
  uint64_t sst_reads() const { return sst_reads_.load(); }
  uint64_t wal_reads() const { return wal_reads_.load(); }
  void Reset() {
    sst_reads_ = 0;
    wal_reads_ = 0;
  }

 private:
  void Count(std::string_view key) {
    if (key.find("/compacted/") != std::string_view::npos) ++sst_reads_;
    if (key.find("/wal/") != std::string_view::npos) ++wal_reads_;
  }
  std::atomic<uint64_t> sst_reads_{0}, wal_reads_{0};
};

std::string Key(int i) { return "key" + std::to_string(100000 + i); }
std::string Value(int i) { return std::string(100, static_cast<char>('a' + i % 26)); }

class DiskCacheDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(local_, NewLocalObjectStore(dir_.path() + "/bucket"));
    FaultOptions slow;
    slow.latency = std::chrono::microseconds(500);  // a remote-ish store
    counter_ =
        std::make_shared<SstReadCounter>(std::make_shared<FaultInjectingObjectStore>(local_, slow));
    settings_.object_store_cache_options.root_folder = dir_.path() + "/cache";
    settings_.object_store_cache_options.part_size_bytes = 64 * 1024;
    settings_.compactor_options.reset();
    settings_.garbage_collector_options.reset();
  }

  Result<std::unique_ptr<Db>> Open() {
    Components c;
    c.object_store = counter_;
    c.block_cache = BlockCache::Disabled();  // every block read reaches the store (or the cache)
    return Db::Open("db", c, settings_);
  }

  void Fill(int n) {
    auto db = Open();
    ASSERT_OK(db);
    for (int i = 0; i < n; ++i) ASSERT_OK((*db)->Put(Key(i), Value(i)));
    ASSERT_OK((*db)->Flush(FlushType::kMemTable));
    ASSERT_OK((*db)->Close());
  }

  void ReadAll(Db& db, int n) {
    for (int i = 0; i < n; i += 7) {
      auto v = db.Get(Key(i));
      ASSERT_OK(v);
      ASSERT_TRUE(v->has_value()) << Key(i);
      EXPECT_EQ(**v, Value(i));
    }
  }

  testing::TempDir dir_;
  std::shared_ptr<ObjectStore> local_;
  std::shared_ptr<SstReadCounter> counter_;
  Settings settings_;
};

TEST_F(DiskCacheDbTest, ReopenedDatabaseReadsSstsFromTheDiskCache) {
  constexpr int kN = 3000;
  Fill(kN);
  {
    auto db = Open();
    ASSERT_OK(db);
    counter_->Reset();
    ReadAll(**db, kN);  // cold: parts are fetched
    EXPECT_GT(counter_->sst_reads(), 0u);
    counter_->Reset();
    ReadAll(**db, kN);  // warm in-process, no block cache
    EXPECT_EQ(counter_->sst_reads(), 0u);
    ASSERT_OK((*db)->Close());
  }
  counter_->Reset();
  auto db = Open();  // a restart: the index is rebuilt from the folder
  ASSERT_OK(db);
  ReadAll(**db, kN);
  EXPECT_EQ(counter_->sst_reads(), 0u);  // not even the SST footers and indexes
  ASSERT_OK_AND_ASSIGN(MetricsSnapshot m, (*db)->Metrics());
  bool found = false;
  for (const auto& series : m.metrics) {
    if (series.name == "slatedb.object_store_cache.part_hit_count") {
      found = true;
      EXPECT_GT(series.counter, 0u);
    }
  }
  EXPECT_TRUE(found);
  ASSERT_OK((*db)->Close());

  // A reader with the same folder reuses the parts.
  counter_->Reset();
  Components c;
  c.object_store = counter_;
  c.block_cache = BlockCache::Disabled();
  DbReaderOptions ro;
  ro.object_store_cache_options = settings_.object_store_cache_options;
  ASSERT_OK_AND_ASSIGN(auto reader, DbReader::Open("db", c, ro));
  ASSERT_OK_AND_ASSIGN(auto v, reader->Get(Key(42)));
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(*v, Value(42));
  EXPECT_EQ(counter_->sst_reads(), 0u);
  ASSERT_OK(reader->Close());
  ro.object_store_cache_options.preload_disk_cache_on_startup = "L0Sst";
  auto refused = DbReader::Open("db", c, ro);
  EXPECT_TRUE(refused.status().IsInvalid());
}

TEST_F(DiskCacheDbTest, CachePutsAndPreloadAtOpen) {
  constexpr int kN = 2000;
  settings_.object_store_cache_options.cache_puts = true;
  Fill(kN);  // the L0 upload is written into the cache as it streams
  {
    auto db = Open();
    ASSERT_OK(db);
    counter_->Reset();
    ReadAll(**db, kN);
    EXPECT_EQ(counter_->sst_reads(), 0u);
    ASSERT_OK((*db)->Close());
  }
  // Opening with a preload works (its progress is nondeterministic: the object-store test
  // checks what Preload fetches) and Close stops it.
  settings_.object_store_cache_options.cache_puts = false;
  settings_.object_store_cache_options.root_folder = dir_.path() + "/cache2";
  settings_.object_store_cache_options.preload_disk_cache_on_startup = "AllSst";
  auto db = Open();
  ASSERT_OK(db);
  ReadAll(**db, kN);
  ASSERT_OK((*db)->Close());
}

}  // namespace
}  // namespace slatedb
