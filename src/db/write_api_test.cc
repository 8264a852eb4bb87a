// The SlateDB 0.17 write API (issue 11 items 1, 2, 6, 7): write handles and durability, per-write
// TTL options, batch merge folding, prefix ranges, ScanPrefix and MultiGet on Db and DbReader.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "object_store/memory_object_store.h"
#include "object_store/object_store_wrapper.h"
#include "slatedb/db.h"
#include "test_util.h"

namespace slatedb {
namespace {

using std::chrono::milliseconds;

Settings TestSettings() {
  Settings s;
  s.flush_interval = milliseconds(10);
  s.manifest_poll_interval = milliseconds(50);
  s.compactor_options.reset();
  s.garbage_collector_options.reset();
  return s;
}

std::unique_ptr<Db> MustOpen(std::shared_ptr<ObjectStore> store, Settings s = TestSettings(),
                             std::shared_ptr<Clock> clock = nullptr,
                             std::shared_ptr<MergeOperator> merge = nullptr) {
  Components c;
  c.object_store = std::move(store);
  c.clock = std::move(clock);
  c.merge_operator = std::move(merge);
  c.seed = 7;
  auto db = Db::Open("db", std::move(c), std::move(s));
  EXPECT_OK(db) << db.status().ToString();
  return db.ok() ? std::move(db).value() : nullptr;
}

std::optional<std::string> MustGet(DbRead& db, std::string_view key,
                                   ReadOptions ro = ReadOptions()) {
  auto v = db.Get(key, ro);
  EXPECT_OK(v) << v.status().ToString();
  return v.ok() ? *v : std::nullopt;
}

std::vector<std::string> Keys(DbIterator& it) {
  std::vector<std::string> out;
  while (true) {
    auto kv = it.Next();
    EXPECT_OK(kv) << kv.status().ToString();
    if (!kv.ok() || !kv->has_value()) break;
    out.push_back((*kv)->key);
  }
  return out;
}

// A cleared batch reuses its ops' memory: refilled, it holds only the new ops (type, key, value
// and ttl of each replaced), and writing it writes only those.
TEST(WriteBatchTest, ClearedAndRefilledBatchHoldsOnlyTheNewOps) {
  WriteBatch batch;
  PutOptions ttl;
  ttl.ttl = Ttl::ExpireAfter(milliseconds(60000));
  batch.Put("key-a-longer-than-sso", std::string(300, 'x'), ttl);
  batch.Merge("key-b", "operand");
  batch.Put("key-c", "3");
  ASSERT_EQ(batch.size(), 3u);
  batch.Clear();
  EXPECT_TRUE(batch.empty());
  EXPECT_TRUE(batch.ops().empty());
  batch.Delete("key-a");
  batch.Put("key-d", "4");
  ASSERT_EQ(batch.size(), 2u);
  ASSERT_EQ(batch.ops().size(), 2u);
  EXPECT_EQ(batch.ops()[0].type, WriteBatch::OpType::kDelete);
  EXPECT_EQ(batch.ops()[0].key, "key-a");
  EXPECT_EQ(batch.ops()[0].value, "");
  EXPECT_EQ(batch.ops()[0].ttl, Ttl::Default());
  EXPECT_EQ(batch.ops()[1].type, WriteBatch::OpType::kPut);
  EXPECT_EQ(batch.ops()[1].key, "key-d");
  EXPECT_EQ(batch.ops()[1].value, "4");

  auto db = MustOpen(NewMemoryObjectStore(), TestSettings(), nullptr, StringAppendOperator());
  ASSERT_NE(db, nullptr);
  ASSERT_OK(db->Put("key-a", "old"));
  ASSERT_OK(db->Write(batch));
  EXPECT_EQ(MustGet(*db, "key-a"), std::nullopt);
  EXPECT_EQ(MustGet(*db, "key-d"), std::optional<std::string>("4"));
  EXPECT_EQ(MustGet(*db, "key-c"), std::nullopt) << "an op cleared before the write";
  EXPECT_EQ(MustGet(*db, "key-a-longer-than-sso"), std::nullopt);
  ASSERT_OK(db->Close());
}

TEST(WriteHandleTest, WritesReturnBeforeDurabilityAndHandlesWait) {
  Settings s = TestSettings();
  s.flush_interval.reset();  // no timer: only Flush (or a handle's waiter) makes writes durable
  auto clock = std::make_shared<ManualClock>(5'000);
  auto db = MustOpen(NewMemoryObjectStore(), s, clock);
  ASSERT_NE(db, nullptr);
  ASSERT_OK_AND_ASSIGN(WriteHandle h1, db->Put("a", "1"));
  clock->Set(6'000);
  ASSERT_OK_AND_ASSIGN(WriteHandle h2, db->Delete("b"));
  WriteBatch batch;
  batch.Put("c", "3");
  batch.Put("d", "4");
  ASSERT_OK_AND_ASSIGN(WriteHandle h3, db->Write(batch));
  EXPECT_EQ(h1.seq(), 1u);
  EXPECT_EQ(h2.seq(), 2u);
  EXPECT_EQ(h3.seq(), 3u);
  EXPECT_EQ(h1.create_ts(), 5'000);
  EXPECT_EQ(h2.create_ts(), 6'000);
  // Visible at once, not yet durable.
  EXPECT_EQ(MustGet(*db, "a"), "1");
  ReadOptions remote;
  remote.durability_filter = DurabilityLevel::kRemote;
  EXPECT_EQ(MustGet(*db, "a", remote), std::nullopt);
  ASSERT_OK_AND_ASSIGN(DbStatusInfo before, db->GetStatus());
  EXPECT_EQ(before.durable_seq, 0u);
  EXPECT_EQ(before.last_committed_seq, 3u);
  // A waiter returns once its write is durable: its wait kicks the WAL upload (no timer runs
  // here), racing this thread's Flush — either upload makes it durable. (It used to assert that
  // the waiter had not returned before the Flush; since durable waits kick the upload, that
  // race could go either way, and failed under ASan in CI.)
  Status waited = Status::Internal("not run");
  std::thread waiter([&] { waited = h3.AwaitDurable(); });
  ASSERT_OK(db->Flush(FlushType::kWal));
  waiter.join();
  EXPECT_OK(waited);
  ASSERT_OK_AND_ASSIGN(DbStatusInfo after, db->GetStatus());
  EXPECT_GE(after.durable_seq, 3u);
  EXPECT_OK(h1.AwaitDurable());  // earlier writes are covered
  EXPECT_EQ(MustGet(*db, "d", remote), "4");
  // An empty batch's handle has the last seq and is as durable as it.
  ASSERT_OK_AND_ASSIGN(WriteHandle empty, db->Write(WriteBatch()));
  EXPECT_EQ(empty.seq(), 3u);
  EXPECT_OK(empty.AwaitDurable());
  ASSERT_OK(db->Close());
}

TEST(WriteHandleTest, AwaitDurableOptionWaitsInTheCall) {
  Settings s = TestSettings();
  s.flush_interval = milliseconds(5);
  auto db = MustOpen(NewMemoryObjectStore(), s);
  ASSERT_NE(db, nullptr);
  ASSERT_OK_AND_ASSIGN(WriteHandle h, db->Put("k", "v", WriteOptions{true}));
  ASSERT_OK_AND_ASSIGN(DbStatusInfo st, db->GetStatus());
  EXPECT_GE(st.durable_seq, h.seq());
  ASSERT_OK(db->Close());
}

TEST(WriteHandleTest, HandlesOutliveTheDatabase) {
  Settings s = TestSettings();
  s.flush_interval.reset();
  WriteHandle kept;
  {
    auto db = MustOpen(NewMemoryObjectStore(), s);
    ASSERT_NE(db, nullptr);
    ASSERT_OK_AND_ASSIGN(kept, db->Put("k", "v"));
    ASSERT_OK(db->Close());  // Close flushes the WAL: the write became durable
  }                          // destroyed
  EXPECT_OK(kept.AwaitDurable());
  WriteHandle never;
  {
    Settings no_wal = TestSettings();
    no_wal.wal_enabled = false;
    no_wal.flush_interval.reset();
    auto db = MustOpen(NewMemoryObjectStore(), no_wal);
    ASSERT_NE(db, nullptr);
    ASSERT_OK_AND_ASSIGN(never, db->Put("k", "v"));
    // Destroyed without Close: the destructor closes (and flushes the memtable).
  }
  Status st = never.AwaitDurable();
  EXPECT_OK(st);  // closing a WAL-less database writes its memtable as an L0
}

TEST(WriteHandleTest, FencedWriterHandleReportsFencing) {
  auto store = NewMemoryObjectStore();
  Settings s = TestSettings();
  s.flush_interval.reset();
  auto a = MustOpen(store, s);
  ASSERT_NE(a, nullptr);
  ASSERT_OK_AND_ASSIGN(WriteHandle h, a->Put("late", "x"));
  auto b = MustOpen(store, s);  // fences a
  ASSERT_NE(b, nullptr);
  Status flush = a->Flush(FlushType::kWal);
  EXPECT_TRUE(flush.IsFenced()) << flush.ToString();
  Status st = h.AwaitDurable();
  EXPECT_TRUE(st.IsFenced()) << st.ToString();
  EXPECT_EQ(MustGet(*b, "late"), std::nullopt);
}

TEST(TtlOptionsTest, EveryTtlKind) {
  Settings s = TestSettings();
  s.default_ttl = 500;
  auto clock = std::make_shared<ManualClock>(1'000'000);
  auto db = MustOpen(NewMemoryObjectStore(), s, clock);
  ASSERT_NE(db, nullptr);
  ASSERT_OK(db->Put("default", "v"));
  ASSERT_OK(db->Put("never", "v", PutOptions{Ttl::NoExpiry()}));
  ASSERT_OK(db->Put("after", "v", PutOptions{Ttl::ExpireAfter(milliseconds(20))}));
  ASSERT_OK(db->Put("at", "v", PutOptions{Ttl::ExpireAt(1'234'567)}));
  WriteBatch b;
  b.Put("batch-never", "v", PutOptions{Ttl::NoExpiry()});
  ASSERT_OK(db->Write(b));
  auto expire = [&](const char* key) {
    auto kv = db->GetKeyValue(key);
    EXPECT_TRUE(kv.ok() && kv->has_value()) << key;
    return kv.ok() && kv->has_value() ? (*kv)->expire_ts : std::optional<int64_t>(-1);
  };
  EXPECT_EQ(expire("default"), 1'000'500);
  EXPECT_EQ(expire("never"), std::nullopt);
  EXPECT_EQ(expire("after"), 1'000'020);
  EXPECT_EQ(expire("at"), 1'234'567);
  EXPECT_EQ(expire("batch-never"), std::nullopt);
  // A negative ExpireAfter is refused, naming the problem.
  auto bad = db->Put("k", "v", PutOptions{Ttl::ExpireAfter(milliseconds(-1))});
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.status().IsInvalid());
  EXPECT_NE(bad.status().message().find("negative ttl"), std::string::npos);
  ASSERT_OK(db->Close());
}

TEST(BatchMergeTest, MergesFoldInTheBatch) {
  auto db = MustOpen(NewMemoryObjectStore(), TestSettings(), nullptr, StringAppendOperator(","));
  ASSERT_NE(db, nullptr);
  WriteBatch b;
  b.Put("pm", "base");
  b.Merge("pm", "x");
  b.Merge("pm", "y");
  b.Put("replaced", "old");
  b.Merge("replaced", "m");
  b.Put("replaced", "new");  // a put replaces what came before it
  b.Delete("dm");
  b.Merge("dm", "after-delete");
  ASSERT_OK(db->Write(b));
  EXPECT_EQ(MustGet(*db, "pm"), "base,x,y");
  EXPECT_EQ(MustGet(*db, "replaced"), "new");
  EXPECT_EQ(MustGet(*db, "dm"), "after-delete");
  // Merges of one key with different TTLs in one batch are refused (SlateDB: #1581).
  WriteBatch ttls;
  ttls.Merge("t", "1", MergeOptions{Ttl::ExpireAfter(milliseconds(10))});
  ttls.Merge("t", "2", MergeOptions{Ttl::NoExpiry()});
  auto r = db->Write(ttls);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalid());
  EXPECT_NE(r.status().message().find("different ttls"), std::string::npos)
      << r.status().ToString();
  ASSERT_OK(db->Close());
}

TEST(BatchMergeTest, AnOperandTheOperatorRefusesFailsTheWrite) {
  auto db = MustOpen(NewMemoryObjectStore(), TestSettings(), nullptr, UInt64AddOperator());
  ASSERT_NE(db, nullptr);
  auto r = db->Merge("counter", "ab");  // 2 bytes, not a u64
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalid());
  EXPECT_NE(r.status().message().find("counter"), std::string::npos) << r.status().ToString();
  EXPECT_EQ(MustGet(*db, "counter"), std::nullopt);  // nothing was stored
  ASSERT_OK(db->Close());
}

TEST(BatchMergeTest, MergeWithoutOperatorIsInvalidNamingTheKey) {
  auto db = MustOpen(NewMemoryObjectStore());
  ASSERT_NE(db, nullptr);
  auto r = db->Merge("counter", "1");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalid());
  EXPECT_NE(r.status().message().find("merge operator not configured"), std::string::npos);
  EXPECT_NE(r.status().message().find("counter"), std::string::npos) << r.status().ToString();
  ASSERT_OK(db->Close());
}

TEST(BuiltinMergeOperatorTest, StringAppendAndUInt64Add) {
  auto append = StringAppendOperator("|");
  EXPECT_EQ(append->name(), "string-append");
  ASSERT_OK_AND_ASSIGN(std::string a, append->Merge("k", std::nullopt, "x"));
  EXPECT_EQ(a, "x");
  ASSERT_OK_AND_ASSIGN(a, append->Merge("k", std::string_view("x"), "y"));
  EXPECT_EQ(a, "x|y");
  ASSERT_OK_AND_ASSIGN(a, append->MergeBatch("k", std::nullopt, {"1", "2", "3"}));
  EXPECT_EQ(a, "1|2|3");
  auto add = UInt64AddOperator();
  auto le = [](uint64_t x) {
    std::string s(8, '\0');
    for (size_t i = 0; i < 8; ++i) s[i] = static_cast<char>((x >> (8 * i)) & 0xff);
    return s;
  };
  ASSERT_OK_AND_ASSIGN(std::string sum, add->Merge("k", le(40), le(2)));
  EXPECT_EQ(sum, le(42));
  ASSERT_OK_AND_ASSIGN(sum, add->MergeBatch("k", le(UINT64_MAX), {le(1), le(5)}));
  EXPECT_EQ(sum, le(5));  // mod 2^64
  auto bad = add->Merge("counter", std::nullopt, "abc");
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.status().IsInvalid());
  EXPECT_NE(bad.status().message().find("counter"), std::string::npos);
}

TEST(PrefixRangeTest, NextPrefixBound) {
  ScanRange r = PrefixRange("ab");
  EXPECT_EQ(r.start, "ab");
  EXPECT_EQ(r.end, "ac");
  r = PrefixRange(std::string("a\xff", 2));
  EXPECT_EQ(r.end, "b");
  r = PrefixRange(std::string("\xff\xff", 2));
  EXPECT_EQ(r.start, std::string("\xff\xff", 2));
  EXPECT_FALSE(r.end.has_value());
  r = PrefixRange("");
  EXPECT_FALSE(r.start.has_value());
  EXPECT_FALSE(r.end.has_value());
}

TEST(ReadApiTest, ScanPrefixAndMultiGetOnDbAndReader) {
  auto store = NewMemoryObjectStore();
  auto db = MustOpen(store);
  ASSERT_NE(db, nullptr);
  for (const char* k : {"a", "ab", "abc", "abd", "ac", "b"}) ASSERT_OK(db->Put(k, k));
  ASSERT_OK(db->Flush(FlushType::kMemTable));
  ASSERT_OK(db->Put("abz", "abz"));
  ASSERT_OK(db->Delete("abd"));
  ASSERT_OK(db->Flush(FlushType::kWal));
  ASSERT_OK_AND_ASSIGN(auto it, db->ScanPrefix("ab"));
  EXPECT_EQ(Keys(*it), (std::vector<std::string>{"ab", "abc", "abz"}));
  ScanOptions rev;
  rev.reverse = true;
  ASSERT_OK_AND_ASSIGN(it, db->ScanPrefix("ab", rev));
  EXPECT_EQ(Keys(*it), (std::vector<std::string>{"abz", "abc", "ab"}));
  ASSERT_OK_AND_ASSIGN(auto values, db->MultiGet({"b", "abd", "abz", "zz", "a"}));
  ASSERT_EQ(values.size(), 5u);
  EXPECT_EQ(values[0], "b");
  EXPECT_EQ(values[1], std::nullopt);
  EXPECT_EQ(values[2], "abz");
  EXPECT_EQ(values[3], std::nullopt);
  EXPECT_EQ(values[4], "a");
  auto bad = db->MultiGet({"a", ""});
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.status().IsInvalid());
  EXPECT_NE(bad.status().message().find("multi-get key 1"), std::string::npos);

  Components c;
  c.object_store = store;
  ASSERT_OK_AND_ASSIGN(auto reader, DbReader::Open("db", c));
  ASSERT_OK_AND_ASSIGN(it, reader->ScanPrefix("ab"));
  EXPECT_EQ(Keys(*it), (std::vector<std::string>{"ab", "abc", "abz"}));
  ASSERT_OK_AND_ASSIGN(values, reader->MultiGet({"abz", "abd", "ac"}));
  EXPECT_EQ(values, (std::vector<std::optional<std::string>>{"abz", std::nullopt, "ac"}));
  ASSERT_OK_AND_ASSIGN(auto kv, reader->GetKeyValue("ac"));
  ASSERT_TRUE(kv.has_value());
  EXPECT_EQ(kv->value, "ac");
  EXPECT_GT(kv->seq, 0u);
  ASSERT_OK(reader->Close());
  ASSERT_OK(db->Close());
}

// Ranged GETs wait (up to 5 s) until a second one is in flight, recording the most in flight
// at once: one key after another would never have two.
class ConcurrencyProbe final : public ObjectStoreWrapper {
 public:
  using ObjectStoreWrapper::ObjectStoreWrapper;
  Result<std::string> GetRange(std::string_view key, uint64_t offset,
                               std::optional<uint64_t> length) override {
    if (armed_.load() && key.find("compacted/") != std::string_view::npos) {
      std::unique_lock<std::mutex> l(mu_);
      ++in_flight_;
      max_in_flight_ = std::max(max_in_flight_, in_flight_);
      cv_.notify_all();
      cv_.wait_for(l, std::chrono::seconds(5), [&] { return max_in_flight_ >= 2; });  // tidy: allow
      --in_flight_;
    }
    return ObjectStoreWrapper::GetRange(key, offset, length);
  }
  void Arm() { armed_ = true; }
  int max_in_flight() {
    std::lock_guard<std::mutex> l(mu_);
    return max_in_flight_;
  }

 private:
  std::atomic<bool> armed_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  int in_flight_ = 0;
  int max_in_flight_ = 0;
};

TEST(ReadApiTest, MultiGetFetchesSstBlocksConcurrently) {
  auto probe = std::make_shared<ConcurrencyProbe>(NewMemoryObjectStore());
  Settings s = TestSettings();
  s.l0_max_ssts = 100;
  auto db = MustOpen(probe, s);
  ASSERT_NE(db, nullptr);
  // Four L0 SSTs, one key each, so every key needs its own block read.
  std::vector<std::string> keys;
  for (int i = 0; i < 4; ++i) {
    keys.push_back("key" + std::to_string(i));
    ASSERT_OK(db->Put(keys.back(), "v" + std::to_string(i)));
    ASSERT_OK(db->Flush(FlushType::kMemTable));
  }
  ASSERT_OK(db->Close());
  auto again = MustOpen(probe, s);  // a fresh block cache
  ASSERT_NE(again, nullptr);
  probe->Arm();
  ASSERT_OK_AND_ASSIGN(auto values, again->MultiGet(keys));
  for (int i = 0; i < 4; ++i) EXPECT_EQ(values[static_cast<size_t>(i)], "v" + std::to_string(i));
  EXPECT_GE(probe->max_in_flight(), 2) << "MultiGet read the SSTs one after another";
  ASSERT_OK(again->Close());
}

}  // namespace
}  // namespace slatedb
