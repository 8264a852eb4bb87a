// table/block_cache_test.cc — LRU behaviour, capacity accounting, concurrent use.
#include "table/block_cache.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

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
  EXPECT_TRUE(block.ok());
  return *block;
}

TEST(BlockCacheTest, HitMissAndLruEviction) {
  auto blk = MakeBlock(1000);
  size_t charge = blk->ByteSize();
  BlockCache cache(charge * 3, 1);
  EXPECT_EQ(cache.Lookup("a.sst", 0), nullptr);
  cache.Insert("a.sst", 0, blk);
  cache.Insert("a.sst", 100, MakeBlock(1000));
  cache.Insert("b.sst", 0, MakeBlock(1000));
  EXPECT_EQ(cache.usage(), 3 * charge);
  EXPECT_EQ(cache.Lookup("a.sst", 0), blk);   // a.sst@0 becomes most recent
  cache.Insert("c.sst", 0, MakeBlock(1000));  // evicts a.sst@100 (least recent)
  EXPECT_EQ(cache.Lookup("a.sst", 100), nullptr);
  EXPECT_NE(cache.Lookup("a.sst", 0), nullptr);
  EXPECT_NE(cache.Lookup("b.sst", 0), nullptr);
  EXPECT_NE(cache.Lookup("c.sst", 0), nullptr);
  EXPECT_LE(cache.usage(), cache.capacity());
  EXPECT_EQ(cache.hits(), 4u);
  EXPECT_EQ(cache.misses(), 2u);
  // Re-insert replaces without double counting.
  cache.Insert("c.sst", 0, MakeBlock(1000));
  EXPECT_EQ(cache.usage(), 3 * charge);
  // A block larger than the shard is not cached.
  cache.Insert("big.sst", 0, MakeBlock(100000));
  EXPECT_EQ(cache.Lookup("big.sst", 0), nullptr);
}

TEST(BlockCacheTest, ConcurrentInsertAndLookup) {
  BlockCache cache(200 * 1024, 8);
  auto blk = MakeBlock(500);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        std::string sst = "s" + std::to_string((i * 7 + t) % 300) + ".sst";
        if (auto hit = cache.Lookup(sst, 0)) {
          EXPECT_EQ(hit->ByteSize(), blk->ByteSize());
        } else {
          cache.Insert(sst, 0, blk);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_LE(cache.usage(), cache.capacity());
  EXPECT_GT(cache.hits(), 0u);
}

}  // namespace
}  // namespace slatedb::table
