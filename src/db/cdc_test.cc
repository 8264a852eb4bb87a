// Change data capture through the engine: what Db writes (TTL puts, merges, deletes, batches) is
// what the public WalReader reads back, a live cursor follows later flushes, and WAL files the
// garbage collector removes before a cursor reached them are a kData error naming the id.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "gc/garbage_collector.h"
#include "slatedb/db.h"
#include "slatedb/merge_operator.h"
#include "slatedb/wal_reader.h"
#include "slatedb/write_batch.h"
#include "test_util.h"

namespace slatedb {
namespace {

using std::chrono::milliseconds;

TEST(CdcTest, EngineWritesReachTheWalReaderAndTheCursorFollowsTheTail) {
  auto store = NewMemoryObjectStore();
  auto clock = std::make_shared<ManualClock>(1'700'000'000'000);
  Settings s;
  s.flush_interval.reset();  // WAL uploads only on Flush
  s.compactor_options.reset();
  s.garbage_collector_options.reset();
  Components c;
  c.object_store = store;
  c.clock = clock;
  c.seed = 7;
  c.merge_operator = StringAppendOperator();
  ASSERT_OK_AND_ASSIGN(auto db, Db::Open("db", c, s));

  PutOptions ttl;
  ttl.ttl = Ttl::ExpireAfter(milliseconds(60000));
  ASSERT_OK(db->Put("a", "1", ttl).status());
  ASSERT_OK(db->Flush());
  ASSERT_OK(db->Merge("m", "x").status());
  ASSERT_OK(db->Delete("a").status());
  WriteBatch batch;
  batch.Put("b1", "v1");
  batch.Put("b0", "v0");
  ASSERT_OK(db->Write(batch).status());
  ASSERT_OK(db->Flush());

  WalReaderOptions options;
  options.clock = clock;
  ASSERT_OK_AND_ASSIGN(auto reader, WalReader::Open(store, "db", options));
  ASSERT_OK_AND_ASSIGN(auto cursor, reader->CursorAtSeq(1));
  std::vector<WalRow> rows = testing::DrainCursor(*cursor);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0].key, "a");
  EXPECT_EQ(rows[0].kind, WalRowKind::kValue);
  ASSERT_TRUE(rows[0].create_ts.has_value());
  EXPECT_EQ(rows[0].expire_ts, std::optional<int64_t>(*rows[0].create_ts + 60000));
  EXPECT_EQ(rows[1].kind, WalRowKind::kMerge);
  EXPECT_EQ(rows[1].value, "x");
  EXPECT_EQ(rows[2].kind, WalRowKind::kTombstone);
  EXPECT_EQ(rows[2].key, "a");
  EXPECT_FALSE(rows[2].expire_ts.has_value());
  // One batch: one seq, stored by key.
  EXPECT_EQ(rows[3].seq, rows[4].seq);
  EXPECT_EQ(rows[3].key, "b0");
  EXPECT_EQ(rows[4].key, "b1");
  EXPECT_LT(rows[0].seq, rows[1].seq);
  EXPECT_LT(rows[1].seq, rows[2].seq);
  EXPECT_EQ(rows[1].wal_id, rows[4].wal_id);  // the second flush is one WAL file

  ASSERT_OK(db->Put("later", "2").status());
  ASSERT_OK(db->Flush());
  clock->Advance(1000);  // the poll interval
  std::vector<WalRow> later = testing::DrainCursor(*cursor);
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].key, "later");
  ASSERT_OK(db->Close());
}

TEST(CdcTest, WalFilesRemovedByTheGcBeforeTheyWereReadAreAnError) {
  auto store = NewMemoryObjectStore();
  Settings s;
  s.flush_interval.reset();
  s.compactor_options.reset();
  s.garbage_collector_options.reset();
  Components c;
  c.object_store = store;
  c.seed = 7;
  ASSERT_OK_AND_ASSIGN(auto db, Db::Open("db", c, s));
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(db->Put("k" + std::to_string(i), "v").status());
    ASSERT_OK(db->Flush());
  }
  ASSERT_OK_AND_ASSIGN(auto reader, WalReader::Open(store, "db"));
  ASSERT_OK_AND_ASSIGN(auto files, reader->List());
  ASSERT_GE(files.size(), 3u);
  // The first WAL file with rows (the GC keeps fences).
  uint64_t first = 0;
  for (const WalFileInfo& f : files) {
    ASSERT_OK_AND_ASSIGN(auto rows, reader->ReadFile(f.id));
    if (!rows.empty()) {
      first = f.id;
      break;
    }
  }
  ASSERT_NE(first, 0u);
  ASSERT_OK_AND_ASSIGN(auto cursor, reader->CursorAtWalId(first));

  // The rows reach an L0 SST; the GC then removes the WAL files below the replay point.
  ASSERT_OK(db->Flush(FlushType::kMemTable));
  GarbageCollectorOptions gc_options;
  gc_options.manifest_options.reset();
  gc_options.compacted_options.reset();
  gc_options.compactions_options.reset();
  gc_options.wal_options = GcDirectoryOptions{milliseconds(1), milliseconds(0)};
  // The collector's clock is an hour ahead, so every WAL file is past min_age.
  auto later = std::make_shared<ManualClock>(SystemClock::Default()->NowMillis() + 3'600'000);
  ASSERT_OK_AND_ASSIGN(auto gc, gc::GarbageCollector::Open(store, "db", gc_options, later));
  ASSERT_OK_AND_ASSIGN(gc::GcStats stats, gc->RunOnce());
  ASSERT_GE(stats.wal_deleted, 1u);

  auto next = cursor->TryNext();
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code(), StatusCode::kData);
  EXPECT_NE(next.status().message().find("WAL " + std::to_string(first) + " "), std::string::npos)
      << next.status().ToString();
  EXPECT_EQ(cursor->next_wal_id(), first);
  ASSERT_OK(db->Close());
}

}  // namespace
}  // namespace slatedb
