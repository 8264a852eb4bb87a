// Tests of WalPrefetcher: replay reads up to N WAL SSTs at once, hands them out strictly in id
// order, holds at most N objects, and reports a missing / corrupt / failing object exactly as a
// one-by-one read does.
#include "wal/wal_prefetcher.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "concurrent_get_probe.h"
#include "gtest/gtest.h"
#include "object_store/fault_injecting_object_store.h"
#include "object_store/object_store_wrapper.h"
#include "slatedb/object_store.h"
#include "test_util.h"
#include "wal/wal_store.h"

namespace slatedb {
namespace {

format::RowEntry Row(uint64_t seq) {
  format::RowEntry r;
  r.key = "k" + std::to_string(seq);
  r.value = "v" + std::to_string(seq);
  r.seq = seq;
  r.kind = format::RowKind::kValue;
  r.create_ts = 1000 + static_cast<int64_t>(seq);
  return r;
}

// Writes WAL SSTs 1..n, SST i holding rows with seqs 2i-1 and 2i.
void WriteWals(const wal::WalStore& wal, uint64_t n) {
  for (uint64_t id = 1; id <= n; ++id) {
    ASSERT_OK(wal.Write(id, {Row(2 * id - 1), Row(2 * id)}));
  }
}

struct Outcome {
  std::vector<uint64_t> ids;   // handed out, in order
  std::vector<uint64_t> seqs;  // rows, in order
  Status error;                // of the last item, if it failed
};

Outcome Drain(const wal::WalStore& wal, std::vector<uint64_t> ids, uint64_t parallelism) {
  Outcome out;
  wal::WalPrefetcher prefetcher(wal, std::move(ids), parallelism);
  while (auto item = prefetcher.Next()) {
    out.ids.push_back(item->id);
    if (!item->rows.ok()) {
      out.error = item->rows.status();
      break;
    }
    for (const auto& row : *item->rows) out.seqs.push_back(row.seq);
  }
  return out;
}

std::vector<uint64_t> Range(uint64_t first, uint64_t last) {
  std::vector<uint64_t> ids;
  for (uint64_t id = first; id <= last; ++id) ids.push_back(id);
  return ids;
}

TEST(WalPrefetcherTest, HandsOutInIdOrderWithAtMostNInFlightAndHeld) {
  constexpr uint64_t kWals = 200;
  constexpr uint64_t kParallelism = 8;
  auto mem = NewMemoryObjectStore();
  WriteWals(wal::WalStore(mem, "db"), kWals);
  auto probe = std::make_shared<testing::ConcurrentGetProbe>(mem, kParallelism);
  wal::WalStore wal(probe, "db");
  wal::WalPrefetcher prefetcher(wal, Range(1, kWals), kParallelism);
  uint64_t expect = 1;
  while (auto item = prefetcher.Next()) {
    ASSERT_EQ(item->id, expect);
    ASSERT_OK(item->rows.status());
    ASSERT_EQ(item->rows->size(), 2u);
    EXPECT_EQ((*item->rows)[0].seq, 2 * expect - 1);
    // Bounded memory: while id `expect` is applied, nothing beyond the window was fetched.
    EXPECT_LE(probe->max_id(), expect + kParallelism - 1);
    ++expect;
  }
  EXPECT_EQ(expect, kWals + 1);
  EXPECT_EQ(probe->max_concurrent(), kParallelism);  // overlapped, and never more than N
}

TEST(WalPrefetcherTest, SequentialWhenParallelismIsZeroOrOne) {
  auto mem = NewMemoryObjectStore();
  WriteWals(wal::WalStore(mem, "db"), 20);
  for (uint64_t parallelism : {0u, 1u}) {
    auto probe = std::make_shared<testing::ConcurrentGetProbe>(mem, 1);
    wal::WalStore wal(probe, "db");
    Outcome out = Drain(wal, Range(1, 20), parallelism);
    EXPECT_OK(out.error);
    EXPECT_EQ(out.ids, Range(1, 20));
    EXPECT_EQ(out.seqs, Range(1, 40));
    EXPECT_EQ(probe->max_concurrent(), 1u) << parallelism;
  }
}

TEST(WalPrefetcherTest, FaultsAreReportedInOrderAsByASequentialRead) {
  auto mem = NewMemoryObjectStore();
  wal::WalStore writer(mem, "db");
  WriteWals(writer, 40);
  ASSERT_OK(mem->Put(writer.ObjectKey(10), "", {}));  // a zero-byte fence: no rows
  ASSERT_OK(mem->Delete(writer.ObjectKey(21)));       // first hole
  ASSERT_OK(mem->Put(writer.ObjectKey(30), "not an sst", {}));
  for (uint64_t parallelism : {1u, 4u, 16u, 64u}) {
    SCOPED_TRACE(parallelism);
    Outcome out = Drain(writer, Range(1, 40), parallelism);
    EXPECT_EQ(out.ids, Range(1, 21));  // nothing after the first failing id
    EXPECT_TRUE(out.error.IsNotFound()) << out.error.ToString();
    EXPECT_NE(out.error.ToString().find(writer.ObjectKey(21)), std::string::npos);
    std::vector<uint64_t> seqs = Range(1, 40);
    seqs.erase(seqs.begin() + 18, seqs.begin() + 20);  // WAL 10 (seqs 19, 20) is a fence
    EXPECT_EQ(out.seqs, seqs);
    // The corrupt object: kData naming it, after everything before it.
    Outcome corrupt = Drain(writer, Range(22, 40), parallelism);
    EXPECT_EQ(corrupt.ids, Range(22, 30));
    EXPECT_EQ(corrupt.error.code(), StatusCode::kData) << corrupt.error.ToString();
    EXPECT_NE(corrupt.error.ToString().find(writer.ObjectKey(30)), std::string::npos);
  }
}

TEST(WalPrefetcherTest, StoreErrorsPassThroughNamingTheObject) {
  auto mem = NewMemoryObjectStore();
  WriteWals(wal::WalStore(mem, "db"), 30);
  FaultOptions faults;
  faults.SetErrorRate(ObjectStoreOp::kGet, 1.0);
  auto faulty = std::make_shared<FaultInjectingObjectStore>(mem, faults);
  wal::WalStore wal(faulty, "db");
  for (uint64_t parallelism : {1u, 16u}) {
    Outcome out = Drain(wal, Range(1, 30), parallelism);
    EXPECT_EQ(out.ids, std::vector<uint64_t>{1});
    EXPECT_TRUE(out.error.IsUnavailable()) << out.error.ToString();
    EXPECT_NE(out.error.ToString().find(wal.ObjectKey(1)), std::string::npos);
    EXPECT_LE(faulty->counts().get, 30u);
  }
}

TEST(WalPrefetcherTest, StoppingEarlyJoinsTheFetchThreads) {
  auto mem = NewMemoryObjectStore();
  WriteWals(wal::WalStore(mem, "db"), 100);
  wal::WalStore wal(mem, "db");
  {
    wal::WalPrefetcher prefetcher(wal, Range(1, 100), 16);
    auto first = prefetcher.Next();
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(first->id, 1u);
  }  // destroyed with fetches in flight: must not hang or crash
  Outcome empty = Drain(wal, {}, 16);
  EXPECT_TRUE(empty.ids.empty());
  EXPECT_OK(empty.error);
}

}  // namespace
}  // namespace slatedb
