// Merge operators end to end through the public API (slatedb/db.h): operands in the memtable,
// L0 SSTs and sorted runs, across reopen (WAL replay), through DbReader, collapsed by the
// embedded compactor, and without an operator configured.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "manifest/manifest_store.h"
#include "manifest/paths.h"
#include "slatedb/db.h"
#include "slatedb/merge_operator.h"
#include "table/sst_reader.h"
#include "test_settings.h"
#include "test_util.h"

namespace slatedb {
namespace {

std::string U64(uint64_t x) {
  std::string out(8, '\0');
  for (size_t i = 0; i < 8; ++i) out[i] = static_cast<char>((x >> (8 * i)) & 0xff);
  return out;
}

Settings TestSettings(bool compactor) {
  Settings s;
  s.flush_interval = std::chrono::milliseconds(10);
  s.manifest_poll_interval = std::chrono::milliseconds(50);
  s.garbage_collector_options.reset();
  s.compactor_options.reset();
  if (compactor) {
    s.compactor_options = testing::EagerCompactorOptions();
  }
  return s;
}

std::unique_ptr<Db> Open(std::shared_ptr<ObjectStore> store, std::shared_ptr<MergeOperator> op,
                         Settings settings = TestSettings(false)) {
  Components c;
  c.object_store = std::move(store);
  c.merge_operator = std::move(op);
  c.seed = 42;
  auto db = Db::Open("db", std::move(c), settings);
  EXPECT_OK(db) << db.status().ToString();
  return db.ok() ? std::move(db).value() : nullptr;
}

std::optional<std::string> MustGet(DbRead& db, std::string_view key) {
  auto v = db.Get(key);
  EXPECT_OK(v) << v.status().ToString();
  return v.ok() ? *v : std::nullopt;
}

// Waits (bounded) until the embedded compactor has moved every L0 into sorted runs.
void WaitForCompaction(Db& db) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    auto st = db.GetStatus();
    ASSERT_OK(st) << st.status().ToString();
    if (st->l0_ssts == 0 && st->sorted_runs >= 1) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  FAIL() << "the compactor did not compact the L0 SSTs";
}

// Rows per key in the latest manifest's sorted runs.
std::map<std::string, size_t> RowsInSortedRuns(const std::shared_ptr<ObjectStore>& store) {
  std::map<std::string, size_t> rows;
  manifest::ManifestStore manifests(store, "db");
  auto latest = manifests.ReadLatest();
  EXPECT_TRUE(latest.ok() && latest->has_value());
  if (!latest.ok() || !latest->has_value()) return rows;
  EXPECT_TRUE((*latest)->manifest.l0.empty());
  for (const auto& run : (*latest)->manifest.compacted) {
    for (const auto& sst : run.ssts) {
      auto reader = table::SstReader::Open(store, manifest::CompactedSstPath("db", sst.id));
      EXPECT_OK(reader) << reader.status().ToString();
      if (!reader.ok()) continue;
      auto all = (*reader)->ReadAllRows();
      EXPECT_OK(all) << all.status().ToString();
      if (!all.ok()) continue;
      for (const auto& r : *all) ++rows[r.key];
    }
  }
  return rows;
}

TEST(DbMergeTest, CountersThroughMemtableL0AndCompaction) {
  auto store = NewMemoryObjectStore();
  auto db = Open(store, UInt64AddOperator());
  ASSERT_NE(db, nullptr);
  std::map<std::string, uint64_t> model;
  ASSERT_OK(db->Put("counter-base", U64(1000)));
  model["counter-base"] = 1000;
  for (int round = 0; round < 4; ++round) {
    for (int i = 0; i < 30; ++i) {
      std::string key = "counter-" + std::to_string(i % 6);
      ASSERT_OK(db->Merge(key, U64(i + 1)));
      model[key] += static_cast<uint64_t>(i + 1);
    }
    ASSERT_OK(db->Merge("counter-base", U64(round)));
    model["counter-base"] += static_cast<uint64_t>(round);
    // Memtable plus the L0s of earlier rounds.
    for (const auto& [k, v] : model) EXPECT_EQ(MustGet(*db, k), U64(v)) << k;
    ASSERT_OK(db->Flush(FlushType::kMemTable));
  }
  // Wraparound mod 2^64.
  ASSERT_OK(db->Merge("counter-0", U64(UINT64_MAX)));
  model["counter-0"] -= 1;
  ASSERT_OK(db->Flush(FlushType::kMemTable));
  std::map<std::string, std::string> want;
  for (const auto& [k, v] : model) want[k] = U64(v);
  EXPECT_EQ(testing::ScanToMap(*db), want);
  ASSERT_OK(db->Close());
  // Reopened with the compactor: the five L0 SSTs go into one sorted run.
  db = Open(store, UInt64AddOperator(), TestSettings(true));
  ASSERT_NE(db, nullptr);
  WaitForCompaction(*db);
  EXPECT_EQ(testing::ScanToMap(*db), want);
  auto prefix = db->ScanPrefix("counter-");
  ASSERT_OK(prefix);
  size_t n = 0;
  while (true) {
    auto kv = (*prefix)->Next();
    ASSERT_OK(kv) << kv.status().ToString();
    if (!kv->has_value()) break;
    EXPECT_EQ((*kv)->value, want[(*kv)->key]);
    ++n;
  }
  EXPECT_EQ(n, want.size());
  ASSERT_OK(db->Close());
  // Compaction folded every counter's operands and base into one row.
  for (const auto& [k, count] : RowsInSortedRuns(store)) EXPECT_EQ(count, 1u) << k;
  auto again = Open(store, UInt64AddOperator());
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(testing::ScanToMap(*again), want);
  ASSERT_OK(again->Close());
}

// Operands only in the WAL: a new writer replays them into its memtable and its reads resolve
// them; after its close (an L0 flush) the next open still does.
TEST(DbMergeTest, WalReplayResolvesOperands) {
  auto store = NewMemoryObjectStore();
  auto first = Open(store, StringAppendOperator());
  ASSERT_NE(first, nullptr);
  ASSERT_OK(first->Put("list", "a"));
  ASSERT_OK(first->Merge("list", "b"));
  ASSERT_OK(first->Merge("only-ops", "x"));
  WriteBatch batch;
  batch.Merge("list", "c");
  batch.Merge("only-ops", "y");
  ASSERT_OK(first->Write(batch));
  ASSERT_OK(first->Flush(FlushType::kWal));
  auto second = Open(store, StringAppendOperator());  // fences `first`, replays its WAL
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(MustGet(*second, "list"), "a,b,c");
  EXPECT_EQ(MustGet(*second, "only-ops"), "x,y");
  ASSERT_OK(second->Merge("list", "d"));
  EXPECT_EQ(MustGet(*second, "list"), "a,b,c,d");
  EXPECT_TRUE(first->Close().IsFenced());
  ASSERT_OK(second->Close());
  auto third = Open(store, StringAppendOperator());
  ASSERT_NE(third, nullptr);
  std::map<std::string, std::string> want = {{"list", "a,b,c,d"}, {"only-ops", "x,y"}};
  EXPECT_EQ(testing::ScanToMap(*third), want);
  ASSERT_OK(third->Close());
}

TEST(DbMergeTest, DbReaderResolvesOperandsInL0AndWal) {
  auto store = NewMemoryObjectStore();
  auto db = Open(store, StringAppendOperator());
  ASSERT_NE(db, nullptr);
  ASSERT_OK(db->Put("k", "base"));
  ASSERT_OK(db->Merge("k", "l0"));
  ASSERT_OK(db->Flush(FlushType::kMemTable));
  ASSERT_OK(db->Merge("k", "wal"));
  ASSERT_OK(db->Merge("j", "alone"));
  ASSERT_OK(db->Flush(FlushType::kWal));
  Components c;
  c.object_store = store;
  c.merge_operator = StringAppendOperator();
  auto reader = DbReader::Open("db", c);
  ASSERT_OK(reader) << reader.status().ToString();
  EXPECT_EQ(MustGet(**reader, "k"), "base,l0,wal");
  auto kv = (*reader)->GetKeyValue("k");
  ASSERT_TRUE(kv.ok() && kv->has_value());
  auto writer_kv = db->GetKeyValue("k");
  ASSERT_TRUE(writer_kv.ok() && writer_kv->has_value());
  EXPECT_EQ((*kv)->seq, (*writer_kv)->seq);
  std::map<std::string, std::string> want = {{"j", "alone"}, {"k", "base,l0,wal"}};
  EXPECT_EQ(testing::ScanToMap(**reader), want);
  ASSERT_OK((*reader)->Close());
  // A reader without the operator cannot read the operands (but a key without any can be).
  c.merge_operator = nullptr;
  auto blind = DbReader::Open("db", c);
  ASSERT_OK(blind);
  auto v = (*blind)->Get("k");
  ASSERT_FALSE(v.ok());
  EXPECT_TRUE(v.status().IsInvalid());
  EXPECT_NE(v.status().message().find("merge operator not configured: key 'k'"), std::string::npos)
      << v.status().ToString();
  EXPECT_EQ(MustGet(**blind, "absent"), std::nullopt);
  ASSERT_OK((*blind)->Close());
  ASSERT_OK(db->Close());
}

// Written with an operator, opened without one: reads of an operand fail naming the key, writes
// of other keys and the compactor go on, and the compactor keeps the operands, so the value is
// intact once the operator is back.
TEST(DbMergeTest, WithoutAnOperatorReadsFailAndCompactionKeepsOperands) {
  auto store = NewMemoryObjectStore();
  auto db = Open(store, StringAppendOperator());
  ASSERT_NE(db, nullptr);
  for (int round = 0; round < 3; ++round) {
    ASSERT_OK(db->Merge("m", "op" + std::to_string(round)));
    ASSERT_OK(db->Put("plain" + std::to_string(round), "v"));
    ASSERT_OK(db->Flush(FlushType::kMemTable));
  }
  ASSERT_OK(db->Close());

  testing::ScopedLogCapture logs(LogLevel::kInfo);
  auto blind = Open(store, nullptr, TestSettings(true));
  ASSERT_NE(blind, nullptr);
  WaitForCompaction(*blind);
  auto v = blind->Get("m");
  ASSERT_FALSE(v.ok());
  EXPECT_TRUE(v.status().IsInvalid());
  EXPECT_NE(v.status().message().find("merge operator not configured: key 'm'"), std::string::npos)
      << v.status().ToString();
  EXPECT_EQ(MustGet(*blind, "plain1"), "v");
  EXPECT_TRUE(blind->Merge("m", "more").status().IsInvalid()) << "writes need the operator too";
  auto stats = blind->GetStatus();
  ASSERT_OK(stats);
  ASSERT_OK(blind->Close());
  EXPECT_EQ(logs.logger().Count("no merge operator configured"), 1u) << logs.All();
  EXPECT_EQ(RowsInSortedRuns(store)["m"], 3u) << "the compactor kept every operand";

  auto again = Open(store, StringAppendOperator());
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(MustGet(*again, "m"), "op0,op1,op2");
  ASSERT_OK(again->Close());
}

}  // namespace
}  // namespace slatedb
