// Tests of the writer engine through the public API (slatedb/db.h): write path, durability and
// group commit, recovery, L0 flush and replay point, fencing, close, scans, bad input.
#include "slatedb/db.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "manifest/manifest_store.h"
#include "object_store/fault_injecting_object_store.h"
#include "object_store/retrying_object_store.h"
#include "slatedb/object_store.h"
#include "subprocess.h"
#include "test_settings.h"
#include "test_util.h"
#include "util/clock.h"
#include "util/random.h"

namespace slatedb {
namespace {

// Tests that need a write to be durable when the call returns (writes no longer wait by default).
const WriteOptions kDurable{true};

Settings TestSettings() {
  Settings s;
  s.flush_interval = std::chrono::milliseconds(10);
  s.manifest_poll_interval = std::chrono::milliseconds(50);
  s.compactor_options.reset();
  s.garbage_collector_options.reset();
  return s;
}

std::unique_ptr<Db> MustOpen(std::shared_ptr<ObjectStore> store, const std::string& path,
                             Settings settings = TestSettings()) {
  Components c;
  c.object_store = std::move(store);
  c.seed = 42;
  auto db = Db::Open(path, std::move(c), settings);
  EXPECT_OK(db) << db.status().ToString();
  return db.ok() ? std::move(db).value() : nullptr;
}

std::vector<std::pair<std::string, std::string>> ScanAll(Db& db, ScanRange range = {},
                                                         bool reverse = false) {
  ScanOptions opts;
  opts.reverse = reverse;
  auto it = db.Scan(range, opts);
  return testing::DrainRows(std::move(it));
}

size_t CountObjects(ObjectStore& store, const std::string& prefix) {
  auto list = store.List(prefix);
  EXPECT_OK(list) << list.status().ToString();
  return list.ok() ? list->size() : 0;
}

std::optional<std::string> MustGet(Db& db, std::string_view key, ReadOptions opts = ReadOptions()) {
  auto v = db.Get(key, opts);
  EXPECT_OK(v) << v.status().ToString();
  return v.ok() ? *v : std::nullopt;
}

TEST(DbTest, PutGetDeleteOverwrite) {
  auto store = NewMemoryObjectStore();
  auto db = MustOpen(store, "db");
  ASSERT_NE(db, nullptr);
  ASSERT_OK(db->Put("a", "1"));
  ASSERT_OK(db->Put("b", "2"));
  EXPECT_EQ(MustGet(*db, "a"), "1");
  EXPECT_EQ(MustGet(*db, "b"), "2");
  EXPECT_EQ(MustGet(*db, "c"), std::nullopt);
  ASSERT_OK(db->Put("a", "11"));
  EXPECT_EQ(MustGet(*db, "a"), "11");
  ASSERT_OK(db->Delete("a"));
  EXPECT_EQ(MustGet(*db, "a"), std::nullopt);
  ASSERT_OK(db->Put("empty", ""));
  EXPECT_EQ(MustGet(*db, "empty"), "");
  EXPECT_OK(db->Close());
}

TEST(DbTest, BatchSharesOneSeqAndLastOpWins) {
  auto db = MustOpen(NewMemoryObjectStore(), "db");
  ASSERT_NE(db, nullptr);
  ASSERT_OK(db->Put("x", "0"));
  WriteBatch batch;
  batch.Put("k2", "v2");
  batch.Put("k1", "v1");
  batch.Delete("x");
  batch.Put("k1", "v1b");
  ASSERT_OK(db->Write(batch));
  auto k1 = db->GetKeyValue("k1");
  auto k2 = db->GetKeyValue("k2");
  ASSERT_TRUE(k1.ok() && k1->has_value());
  ASSERT_TRUE(k2.ok() && k2->has_value());
  EXPECT_EQ((*k1)->value, "v1b");
  EXPECT_EQ((*k1)->seq, (*k2)->seq);
  EXPECT_EQ((*k1)->seq, 2u);
  EXPECT_TRUE((*k1)->create_ts.has_value());
  EXPECT_EQ(MustGet(*db, "x"), std::nullopt);
  EXPECT_OK(db->Write(WriteBatch()));  // empty batch: nothing to do
}

TEST(DbTest, TtlSetsExpireTs) {
  auto clock = std::make_shared<util::ManualClock>(1'000'000);
  Components c;
  c.object_store = NewMemoryObjectStore();
  c.clock = clock;
  Settings s = TestSettings();
  s.default_ttl = 500;
  auto db = Db::Open("db", c, s);
  ASSERT_OK(db) << db.status().ToString();
  WriteBatch b;
  b.Put("default", "v");
  b.Put("own", "v", PutOptions{Ttl::ExpireAfter(std::chrono::milliseconds(20))});
  ASSERT_OK((*db)->Write(b));
  ASSERT_OK((*db)->Delete("gone"));
  auto d = (*db)->GetKeyValue("default");
  auto o = (*db)->GetKeyValue("own");
  ASSERT_TRUE(d.ok() && d->has_value() && o.ok() && o->has_value());
  EXPECT_EQ((*d)->create_ts, 1'000'000);
  EXPECT_EQ((*d)->expire_ts, 1'000'500);
  EXPECT_EQ((*o)->expire_ts, 1'000'020);
  // The clock going backwards never makes create_ts go backwards.
  clock->Set(10);
  ASSERT_OK((*db)->Put("later", "v"));
  auto l = (*db)->GetKeyValue("later");
  ASSERT_TRUE(l.ok() && l->has_value());
  EXPECT_GE((*l)->create_ts.value_or(0), 1'000'000);
}

// A ttl so large that create_ts + ttl does not fit in an int64 is no expiry (saturation):
// wrapping would put expire_ts in the past and the first compaction would drop every row.
TEST(DbTest, HugeTtlNeverExpiresThroughCompaction) {
  for (uint64_t ttl : {uint64_t{INT64_MAX}, UINT64_MAX, uint64_t{INT64_MAX} - 10}) {
    SCOPED_TRACE(ttl);
    Settings s = TestSettings();
    s.default_ttl = ttl;
    s.l0_sst_size_bytes = 1024;
    s.l0_max_ssts = 1000;
    s.compactor_options = testing::EagerCompactorOptions();
    auto store = NewMemoryObjectStore();
    auto db = MustOpen(store, "db", s);
    ASSERT_NE(db, nullptr);
    std::map<std::string, std::string> model;
    for (int i = 0; i < 60; ++i) {
      std::string k = "key" + std::to_string(100 + i), v = "v" + std::string(40, 'x');
      WriteBatch b;
      if (i % 2 == 0) {
        b.Put(k, v);
      } else {
        b.Put(k, v,
              PutOptions{Ttl::ExpireAfter(
                  std::chrono::milliseconds(INT64_MAX))});  // the per-write ttl saturates too
      }
      ASSERT_OK(db->Write(b));
      model[k] = v;
      if (i % 10 == 9) {
        ASSERT_OK(db->Flush(FlushType::kMemTable));
      }
    }
    auto kv = db->GetKeyValue("key100");
    ASSERT_TRUE(kv.ok() && kv->has_value());
    EXPECT_EQ((*kv)->expire_ts, std::nullopt);
    // Wait for the compactor to merge the L0s into sorted runs (one L0 may be left behind: the
    // scheduler needs min_compaction_sources = 2 sources to start a compaction).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      auto st = db->GetStatus();
      ASSERT_OK(st);
      if (st->l0_ssts <= 1 && st->sorted_runs >= 1) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    auto st = db->GetStatus();
    ASSERT_OK(st);
    ASSERT_LE(st->l0_ssts, 1u) << "the compactor did not run";
    ASSERT_GE(st->sorted_runs, 1u) << "the compactor did not run";
    std::vector<std::pair<std::string, std::string>> all(model.begin(), model.end());
    EXPECT_EQ(ScanAll(*db), all);
    ASSERT_OK(db->Close());
    auto again = MustOpen(store, "db", s);
    ASSERT_NE(again, nullptr);
    EXPECT_EQ(ScanAll(*again), all);
  }
}

using slatedb::testing::OpenFdsOf;

// On a local store the cached reader of an SST keeps its file open; once the compactor has
// replaced the L0 SSTs by a sorted run, the database's readers of them (and their descriptors)
// must be gone, so the GC's delete would free the disk space.
TEST(DbTest, ReadersOfCompactedAwaySstsCloseTheirFiles) {
  const auto root =
      std::filesystem::temp_directory_path() / ("slatedb-db-fds-" + std::to_string(::getpid()));
  std::filesystem::remove_all(root);
  auto local = NewLocalObjectStore(root.string());
  ASSERT_OK(local);
  Settings s = TestSettings();
  s.l0_max_ssts = 1000;
  s.compactor_options = testing::EagerCompactorOptions();  // compacts 2 L0s at once
  auto db = MustOpen(*local, "db", s);
  ASSERT_NE(db, nullptr);
  auto l0_files = [&] {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(root / "db" / "compacted")) {
      out.push_back(e.path().string());
    }
    return out;
  };
  ASSERT_OK(db->Put("a", "1"));
  ASSERT_OK(db->Flush(FlushType::kMemTable));
  EXPECT_EQ(MustGet(*db, "a"), "1");  // read from the first L0: its reader opens the file
  const std::vector<std::string> first = l0_files();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(OpenFdsOf(first[0]), 1);
  ASSERT_OK(db->Put("b", "2"));
  ASSERT_OK(db->Flush(FlushType::kMemTable));  // the second L0: the compactor starts
  EXPECT_EQ(MustGet(*db, "b"), "2");
  const std::vector<std::string> l0s = l0_files();
  // Bounded wait for the compactor (10 ms polls) and the writer's manifest poll (50 ms).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    auto st = db->GetStatus();
    ASSERT_OK(st);
    if (st->l0_ssts == 0 && st->sorted_runs >= 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  auto st = db->GetStatus();
  ASSERT_OK(st);
  ASSERT_EQ(st->l0_ssts, 0u) << "the compactor did not run";
  EXPECT_EQ(MustGet(*db, "a"), "1");  // now from the sorted run
  EXPECT_EQ(MustGet(*db, "b"), "2");
  for (const auto& f : l0s) EXPECT_EQ(OpenFdsOf(f), 0) << f << " is still open";
  int open = 0;
  for (const auto& f : l0_files()) open += OpenFdsOf(f);
  EXPECT_GE(open, 1);  // the run's reader
  ASSERT_OK(db->Close());
  db.reset();
  std::filesystem::remove_all(root);
}

TEST(DbTest, NegativePerWriteTtlIsInvalid) {
  auto db = MustOpen(NewMemoryObjectStore(), "db");
  ASSERT_NE(db, nullptr);
  WriteBatch b;
  b.Put("k", "v", PutOptions{Ttl::ExpireAfter(std::chrono::milliseconds(-5))});
  Status st = db->Write(b).status();
  EXPECT_TRUE(st.IsInvalid()) << st.ToString();
  EXPECT_NE(st.message().find("negative ttl"), std::string::npos) << st.ToString();
}

TEST(DbTest, BadKeys) {
  auto db = MustOpen(NewMemoryObjectStore(), "db");
  ASSERT_NE(db, nullptr);
  Status st = db->Put("", "v").status();
  EXPECT_TRUE(st.IsInvalid());
  EXPECT_NE(st.message().find("key is empty"), std::string::npos) << st.ToString();
  std::string big(65536, 'k');
  st = db->Put(big, "v").status();
  EXPECT_TRUE(st.IsInvalid());
  EXPECT_NE(st.message().find("65536"), std::string::npos) << st.ToString();
  EXPECT_TRUE(db->Delete("").status().IsInvalid());
  EXPECT_TRUE(db->Get("").status().IsInvalid());
  std::string max_key(65535, 'm');
  ASSERT_OK(db->Put(max_key, "ok"));
  EXPECT_EQ(MustGet(*db, max_key), "ok");
  WriteBatch b;
  b.Put("fine", "1");
  b.Put("", "2");
  st = db->Write(b).status();
  EXPECT_TRUE(st.IsInvalid());
  EXPECT_EQ(MustGet(*db, "fine"), std::nullopt);  // the batch is all or nothing
}

TEST(DbTest, CallsAfterCloseReturnClosed) {
  auto store = NewMemoryObjectStore();
  auto db = MustOpen(store, "db");
  ASSERT_NE(db, nullptr);
  ASSERT_OK(db->Put("a", "1"));
  ASSERT_OK(db->Close());
  EXPECT_OK(db->Close());  // idempotent
  EXPECT_TRUE(db->Put("a", "2").status().IsClosed());
  EXPECT_TRUE(db->Get("a").status().IsClosed());
  EXPECT_TRUE(db->Flush().IsClosed());
  EXPECT_TRUE(db->Scan({}).status().IsClosed());
}

TEST(DbTest, CloseMakesWaitingWritesDurable) {
  Settings s = TestSettings();
  s.flush_interval.reset();  // nothing uploads the WAL except Flush() and Close()
  auto store = NewMemoryObjectStore();
  auto db = MustOpen(store, "db", s);
  ASSERT_NE(db, nullptr);
  auto it = db->Scan({});
  ASSERT_OK(it);
  Status put_status = Status::Internal("not run");
  std::thread writer([&] {
    put_status = db->Put("k", "v", WriteOptions{true}).status();
  });  // waits for durability
  for (int i = 0; i < 5000; ++i) {
    auto st = db->GetStatus();
    if (st.ok() && st->last_committed_seq == 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_OK(db->Close());
  writer.join();
  EXPECT_OK(put_status) << put_status.ToString();
  EXPECT_TRUE((*it)->Next().status().IsClosed());  // iterators of a closed database
  auto again = MustOpen(store, "db", s);
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(MustGet(*again, "k"), "v");
}

TEST(DbTest, ScanForwardReverseBoundsSeek) {
  auto db = MustOpen(NewMemoryObjectStore(), "db");
  ASSERT_NE(db, nullptr);
  for (char c = 'a'; c <= 'h'; ++c) ASSERT_OK(db->Put(std::string(1, c), std::string(2, c)));
  ASSERT_OK(db->Delete("c"));
  ASSERT_OK(db->Put("e", "E"));
  // Half in L0, half in the memtable.
  ASSERT_OK(db->Flush(FlushType::kMemTable));
  ASSERT_OK(db->Put("b", "B"));
  ASSERT_OK(db->Delete("g"));

  using KV = std::vector<std::pair<std::string, std::string>>;
  KV all = {{"a", "aa"}, {"b", "B"}, {"d", "dd"}, {"e", "E"}, {"f", "ff"}, {"h", "hh"}};
  EXPECT_EQ(ScanAll(*db), all);
  KV rev(all.rbegin(), all.rend());
  EXPECT_EQ(ScanAll(*db, {}, true), rev);
  ScanRange r{std::string("b"), std::string("f")};
  EXPECT_EQ(ScanAll(*db, r), (KV{{"b", "B"}, {"d", "dd"}, {"e", "E"}}));
  EXPECT_EQ(ScanAll(*db, r, true), (KV{{"e", "E"}, {"d", "dd"}, {"b", "B"}}));

  auto it = db->Scan({});
  ASSERT_OK(it);
  ASSERT_OK((*it)->Seek("c"));
  auto kv = (*it)->Next();
  ASSERT_TRUE(kv.ok() && kv->has_value());
  EXPECT_EQ((*kv)->key, "d");
  ScanOptions ro;
  ro.reverse = true;
  auto rit = db->Scan({}, ro);
  ASSERT_OK(rit);
  ASSERT_OK((*rit)->Seek("c"));
  kv = (*rit)->Next();
  ASSERT_TRUE(kv.ok() && kv->has_value());
  EXPECT_EQ((*kv)->key, "b");
  auto bounded = db->Scan(r);
  ASSERT_OK(bounded);
  EXPECT_TRUE((*bounded)->Seek("z").IsInvalid());
}

// NextInto yields exactly what Next yields (keys, values, seqs, create_ts; tombstoned and
// overwritten keys across the memtable and an L0 hidden), forward and reverse, through one
// reused KeyValue; at the end it says false and keeps saying it. A transaction's iterator (the
// default NextInto over its Next) agrees too, its own uncommitted write included.
TEST(DbTest, NextIntoYieldsWhatNextYieldsThroughOneReusedRow) {
  auto db = MustOpen(NewMemoryObjectStore(), "db");
  ASSERT_NE(db, nullptr);
  for (int i = 0; i < 40; ++i) {
    ASSERT_OK(db->Put("key" + std::to_string(100 + i), std::string(50 + i, 'a' + i % 26)));
  }
  ASSERT_OK(db->Delete("key105"));
  ASSERT_OK(db->Flush(FlushType::kMemTable));
  ASSERT_OK(db->Put("key107", "newer"));
  ASSERT_OK(db->Delete("key120"));
  for (bool reverse : {false, true}) {
    ScanOptions so;
    so.reverse = reverse;
    auto a = db->Scan({}, so);
    auto b = db->Scan({}, so);
    ASSERT_OK(a);
    ASSERT_OK(b);
    KeyValue row;
    size_t n = 0;
    while (true) {
      auto next = (*a)->Next();
      ASSERT_OK(next);
      auto more = (*b)->NextInto(&row);
      ASSERT_OK(more);
      ASSERT_EQ(next->has_value(), *more) << "row " << n;
      if (!*more) break;
      EXPECT_EQ(row.key, (*next)->key);
      EXPECT_EQ(row.value, (*next)->value);
      EXPECT_EQ(row.seq, (*next)->seq);
      EXPECT_EQ(row.create_ts, (*next)->create_ts);
      EXPECT_NE(row.key, "key105");
      EXPECT_NE(row.key, "key120");
      if (row.key == "key107") {
        EXPECT_EQ(row.value, "newer");
      }
      ++n;
    }
    EXPECT_EQ(n, 38u);
    auto again = (*b)->NextInto(&row);
    ASSERT_OK(again);
    EXPECT_FALSE(*again);
  }
  auto txn = db->Begin();
  ASSERT_OK(txn);
  ASSERT_OK((*txn)->Put("key100", "mine"));
  auto it = (*txn)->Scan({});
  ASSERT_OK(it);
  KeyValue row;
  auto more = (*it)->NextInto(&row);
  ASSERT_OK(more);
  ASSERT_TRUE(*more);
  EXPECT_EQ(row.key, "key100");
  EXPECT_EQ(row.value, "mine");
}

TEST(DbTest, IteratorKeepsItsSnapshot) {
  auto db = MustOpen(NewMemoryObjectStore(), "db");
  ASSERT_NE(db, nullptr);
  ASSERT_OK(db->Put("a", "1"));
  ASSERT_OK(db->Put("b", "1"));
  auto it = db->Scan({});
  ASSERT_OK(it);
  ASSERT_OK(db->Put("a", "2"));
  ASSERT_OK(db->Put("c", "2"));
  ASSERT_OK(db->Flush(FlushType::kMemTable));
  std::vector<std::string> seen;
  while (true) {
    auto kv = (*it)->Next();
    ASSERT_OK(kv) << kv.status().ToString();
    if (!kv->has_value()) break;
    seen.push_back((*kv)->key + "=" + (*kv)->value);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"a=1", "b=1"}));
}

TEST(DbTest, DurabilityFilter) {
  Settings s = TestSettings();
  s.flush_interval.reset();  // no timer: only Flush() uploads
  auto store = NewMemoryObjectStore();
  auto db = MustOpen(store, "db", s);
  ASSERT_NE(db, nullptr);
  WriteOptions no_wait;
  no_wait.await_durable = false;
  ASSERT_OK(db->Put("k", "v", no_wait));
  ReadOptions remote;
  remote.durability_filter = DurabilityLevel::kRemote;
  EXPECT_EQ(MustGet(*db, "k"), "v");                   // kMemory (default) sees it
  EXPECT_EQ(MustGet(*db, "k", remote), std::nullopt);  // not durable yet
  size_t wal_before = CountObjects(*store, "db/wal/");
  ASSERT_OK(db->Flush());
  EXPECT_EQ(CountObjects(*store, "db/wal/"), wal_before + 1);
  EXPECT_EQ(MustGet(*db, "k", remote), "v");
  auto status = db->GetStatus();
  ASSERT_OK(status);
  EXPECT_EQ(status->durable_seq, status->last_committed_seq);
}

TEST(DbTest, GroupCommitSharesWalUploads) {
  Settings s = TestSettings();
  s.flush_interval = std::chrono::milliseconds(20);
  auto store = NewMemoryObjectStore();
  auto db = MustOpen(store, "db", s);
  ASSERT_NE(db, nullptr);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 40;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        if (!db->Put("t" + std::to_string(t) + "-" + std::to_string(i), "v", kDurable).ok())
          ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto status = db->GetStatus();
  ASSERT_OK(status);
  EXPECT_EQ(status->durable_seq, static_cast<uint64_t>(kThreads * kPerThread));
  // One fence + fewer WAL SSTs than writes: concurrent writers shared uploads.
  size_t wals = CountObjects(*store, "db/wal/");
  EXPECT_LT(wals, static_cast<size_t>(kThreads * kPerThread));
  ReadOptions remote;
  remote.durability_filter = DurabilityLevel::kRemote;
  EXPECT_EQ(MustGet(*db, "t7-39", remote), "v");
}

void CheckReopenRecovers(std::shared_ptr<ObjectStore> store) {
  {
    auto db = MustOpen(store, "db");
    ASSERT_NE(db, nullptr);
    for (int i = 0; i < 100; ++i) ASSERT_OK(db->Put("k" + std::to_string(i), "v1"));
    ASSERT_OK(db->Delete("k5"));
    ASSERT_OK(db->Close());
  }
  {
    auto db = MustOpen(store, "db");
    ASSERT_NE(db, nullptr);
    EXPECT_EQ(MustGet(*db, "k0"), "v1");
    EXPECT_EQ(MustGet(*db, "k99"), "v1");
    EXPECT_EQ(MustGet(*db, "k5"), std::nullopt);
    auto st = db->GetStatus();
    ASSERT_OK(st);
    EXPECT_EQ(st->last_committed_seq, 101u);
    EXPECT_EQ(st->writer_epoch, 2u);
    ASSERT_OK(db->Put("k0", "v2"));
    auto kv = db->GetKeyValue("k0");
    ASSERT_TRUE(kv.ok() && kv->has_value());
    EXPECT_EQ((*kv)->seq, 102u);  // sequence numbers continue
    EXPECT_EQ(ScanAll(*db).size(), 99u);
    ASSERT_OK(db->Close());
  }
  {
    auto db = MustOpen(store, "db");
    ASSERT_NE(db, nullptr);
    EXPECT_EQ(MustGet(*db, "k0"), "v2");
  }
}

TEST(DbTest, ReopenRecoversMemoryStore) { CheckReopenRecovers(NewMemoryObjectStore()); }

TEST(DbTest, ReopenRecoversLocalStore) {
  testing::TempDir dir;
  auto store = NewLocalObjectStore(dir.path());
  ASSERT_OK(store) << store.status().ToString();
  CheckReopenRecovers(*store);
}

TEST(DbTest, UnclosedWriterLosesNoDurableWrite) {
  auto store = NewMemoryObjectStore();
  auto a = MustOpen(store, "db");
  ASSERT_NE(a, nullptr);
  ASSERT_OK(a->Put("durable", "yes", kDurable));
  // No Close(): a second writer takes over and must see every acknowledged durable write.
  auto b = MustOpen(store, "db");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(MustGet(*b, "durable"), "yes");
}

TEST(DbTest, L0FlushAndReplayPoint) {
  auto store = NewMemoryObjectStore();
  {
    auto db = MustOpen(store, "db");
    ASSERT_NE(db, nullptr);
    for (int i = 0; i < 50; ++i) ASSERT_OK(db->Put("a" + std::to_string(i), "x"));
    ASSERT_OK(db->Flush(FlushType::kMemTable));
    auto st = db->GetStatus();
    ASSERT_OK(st);
    EXPECT_EQ(st->l0_ssts, 1u);
    // Every WAL SST written so far (fence included) is covered by the L0.
    EXPECT_EQ(st->replay_after_wal_id, st->next_wal_id - 1);
    EXPECT_EQ(CountObjects(*store, "db/compacted/"), 1u);
    ASSERT_OK(db->Put("after", "flush"));
    ASSERT_OK(db->Put("a3", "new"));
    EXPECT_EQ(MustGet(*db, "a3"), "new");
    EXPECT_EQ(MustGet(*db, "a4"), "x");  // from L0
    ASSERT_OK(db->Close());
  }
  auto db = MustOpen(store, "db");
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(MustGet(*db, "a0"), "x");
  EXPECT_EQ(MustGet(*db, "a3"), "new");
  EXPECT_EQ(MustGet(*db, "after"), "flush");
  auto st = db->GetStatus();
  ASSERT_OK(st);
  EXPECT_EQ(st->l0_ssts, 1u);
  EXPECT_EQ(st->last_committed_seq, 52u);
  EXPECT_EQ(ScanAll(*db).size(), 51u);
}

TEST(DbTest, SizeTriggeredL0Flushes) {
  Settings s = TestSettings();
  s.l0_sst_size_bytes = 4096;
  s.l0_max_ssts = 1000;  // no compactor drains L0 here
  auto store = NewMemoryObjectStore();
  auto db = MustOpen(store, "db", s);
  ASSERT_NE(db, nullptr);
  WriteOptions no_wait;
  no_wait.await_durable = false;
  for (int i = 0; i < 400; ++i) {
    ASSERT_OK(db->Put("key" + std::to_string(i), std::string(100, 'v'), no_wait));
  }
  ASSERT_OK(db->Flush(FlushType::kMemTable));
  auto st = db->GetStatus();
  ASSERT_OK(st);
  EXPECT_GT(st->l0_ssts, 2u);
  for (int i = 0; i < 400; i += 37)
    EXPECT_EQ(MustGet(*db, "key" + std::to_string(i)), std::string(100, 'v'));
  EXPECT_EQ(ScanAll(*db).size(), 400u);
  ASSERT_OK(db->Close());
  auto again = MustOpen(store, "db", s);
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(ScanAll(*again).size(), 400u);
}

TEST(DbTest, FencingLatchesClosedFenced) {
  auto store = NewMemoryObjectStore();
  auto a = MustOpen(store, "db");
  ASSERT_NE(a, nullptr);
  ASSERT_OK(a->Put("from-a", "1", kDurable));
  auto b = MustOpen(store, "db");
  ASSERT_NE(b, nullptr);
  Status st = a->Put("late", "x", kDurable).status();
  EXPECT_TRUE(st.IsFenced()) << st.ToString();
  EXPECT_TRUE(a->Put("later", "y", kDurable).status().IsFenced());
  EXPECT_TRUE(a->Get("from-a").status().IsFenced());
  EXPECT_TRUE(a->Flush().IsFenced());
  EXPECT_TRUE(a->Close().IsFenced());
  EXPECT_TRUE(a->Close().IsFenced());
  EXPECT_EQ(MustGet(*b, "from-a"), "1");
  EXPECT_EQ(MustGet(*b, "late"), std::nullopt);
  ASSERT_OK(b->Put("from-b", "2"));
  ASSERT_OK(b->Close());
}

TEST(DbTest, FencedByManifestDuringL0Flush) {
  auto store = NewMemoryObjectStore();
  auto a = MustOpen(store, "db");
  ASSERT_NE(a, nullptr);
  WriteOptions no_wait;
  no_wait.await_durable = false;
  ASSERT_OK(a->Put("x", "1", kDurable));
  auto b = MustOpen(store, "db");
  ASSERT_NE(b, nullptr);
  ASSERT_OK(a->Put("y", "2", no_wait));
  Status st = a->Flush(FlushType::kMemTable);
  EXPECT_TRUE(st.IsFenced()) << st.ToString();
  EXPECT_EQ(MustGet(*b, "x"), "1");
}

TEST(DbTest, UnflushedLimitBelowMemtableSizeDoesNotDeadlock) {
  Settings s = TestSettings();
  s.l0_sst_size_bytes = 1 << 20;
  s.max_unflushed_bytes = 1000;
  s.l0_max_ssts = 1000;
  auto db = MustOpen(NewMemoryObjectStore(), "db", s);
  ASSERT_NE(db, nullptr);
  WriteOptions no_wait;
  no_wait.await_durable = false;
  for (int i = 0; i < 100; ++i) {
    ASSERT_OK(db->Put("k" + std::to_string(i), std::string(100, 'v'), no_wait));
  }
  auto st = db->GetStatus();
  ASSERT_OK(st);
  EXPECT_GT(st->l0_ssts, 0u);  // the pressure was relieved by L0 flushes
  EXPECT_EQ(ScanAll(*db).size(), 100u);
}

// Unflushed bytes are the memtables' real memory (arena bytes): at least the rows' key and value
// bytes, about the row estimate (key + value + 32) for 16/100-byte rows, 0 once all is in L0.
TEST(DbTest, UnflushedBytesAreTheMemtableArena) {
  Settings s = TestSettings();
  s.l0_sst_size_bytes = 64 << 20;  // no freeze during the fill
  auto db = MustOpen(NewMemoryObjectStore(), "db", s);
  ASSERT_NE(db, nullptr);
  WriteOptions no_wait;
  no_wait.await_durable = false;
  auto empty = db->GetStatus();
  ASSERT_OK(empty);
  EXPECT_EQ(empty->memtable_bytes, 0u);  // an empty memtable counts 0
  constexpr size_t kRows = 20000;
  for (size_t i = 0; i < kRows; ++i) {
    char key[17];
    std::snprintf(key, sizeof(key), "key%013zu", i);
    ASSERT_OK(db->Put(key, std::string(100, 'v'), no_wait));
  }
  auto st = db->GetStatus();
  ASSERT_OK(st);
  EXPECT_GE(st->memtable_bytes, kRows * (16 + 100));
  // ~139 bytes of node per row, plus at most one arena block (1 MiB) of unused tail.
  EXPECT_LE(st->memtable_bytes, kRows * (16 + 100 + 32) + (1u << 20));
  ASSERT_OK(db->Flush(FlushType::kMemTable));
  st = db->GetStatus();
  ASSERT_OK(st);
  EXPECT_EQ(st->memtable_bytes, 0u);
  EXPECT_EQ(ScanAll(*db).size(), kRows);
}

TEST(DbTest, StalledWriterGetsClosedOnClose) {
  Settings s = TestSettings();
  s.l0_sst_size_bytes = 1024;
  s.l0_max_ssts = 1;
  s.max_unflushed_bytes = 4096;
  auto db = MustOpen(NewMemoryObjectStore(), "db", s);
  ASSERT_NE(db, nullptr);
  std::atomic<bool> done{false};
  Status last;
  std::thread writer([&] {
    WriteOptions no_wait;
    no_wait.await_durable = false;
    for (int i = 0; i < 100000; ++i) {
      Status st = db->Put("k" + std::to_string(i), std::string(200, 'v'), no_wait).status();
      if (!st.ok()) {
        last = st;
        break;
      }
    }
    done = true;
  });
  // Wait (without a time limit assertion) until the writer is stalled: unflushed bytes beyond
  // the limit and L0 full.
  for (int i = 0; i < 2000 && !done; ++i) {
    auto st = db->GetStatus();
    if (st.ok() && st->l0_ssts >= 1 && st->memtable_bytes > 4096) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_FALSE(done.load());
  Status close = db->Close();
  writer.join();
  EXPECT_OK(close) << close.ToString();
  EXPECT_TRUE(last.IsClosed()) << last.ToString();
}

TEST(DbTest, CorruptWalIsDataErrorNamingObject) {
  auto store = NewMemoryObjectStore();
  {
    auto db = MustOpen(store, "db");
    ASSERT_NE(db, nullptr);
    ASSERT_OK(db->Put("k", "v"));
    ASSERT_OK(db->Close());
  }
  const std::string wal = "db/wal/00000000000000000002.sst";
  auto bytes = store->Get(wal);
  ASSERT_OK(bytes) << bytes.status().ToString();
  std::string corrupt = *bytes;
  corrupt[5] ^= 0x40;
  ASSERT_OK(store->Put(wal, corrupt));
  Components c;
  c.object_store = store;
  auto db = Db::Open("db", c, TestSettings());
  ASSERT_FALSE(db.ok());
  EXPECT_TRUE(db.status().IsData()) << db.status().ToString();
  EXPECT_NE(db.status().message().find(wal), std::string::npos) << db.status().ToString();
}

TEST(DbTest, CorruptManifestIsDataError) {
  auto store = NewMemoryObjectStore();
  {
    auto db = MustOpen(store, "db");
    ASSERT_NE(db, nullptr);
    ASSERT_OK(db->Close());
  }
  auto list = store->List("db/manifest/");
  ASSERT_TRUE(list.ok() && !list->empty());
  const std::string latest = list->back().key;
  ASSERT_OK(store->Put(latest, std::string("\x00\x01garbage", 9)));
  Components c;
  c.object_store = store;
  auto db = Db::Open("db", c, TestSettings());
  ASSERT_FALSE(db.ok());
  EXPECT_TRUE(db.status().IsData()) << db.status().ToString();
  EXPECT_NE(db.status().message().find(latest), std::string::npos) << db.status().ToString();
}

TEST(DbTest, CorruptL0SstIsDataErrorNamingObject) {
  auto store = NewMemoryObjectStore();
  {
    auto db = MustOpen(store, "db");
    ASSERT_NE(db, nullptr);
    ASSERT_OK(db->Put("k", "v"));
    ASSERT_OK(db->Flush(FlushType::kMemTable));
    ASSERT_OK(db->Close());
  }
  auto list = store->List("db/compacted/");
  ASSERT_TRUE(list.ok() && list->size() == 1u);
  const std::string sst = list->front().key;
  std::string bytes = *store->Get(sst);
  bytes[3] ^= 0x11;  // inside the data block
  ASSERT_OK(store->Put(sst, bytes));
  auto db = MustOpen(store, "db");
  ASSERT_NE(db, nullptr);
  auto got = db->Get("k");
  ASSERT_FALSE(got.ok());
  EXPECT_TRUE(got.status().IsData()) << got.status().ToString();
  EXPECT_NE(got.status().message().find(sst), std::string::npos) << got.status().ToString();
  auto it = db->Scan({});
  ASSERT_OK(it);
  auto row = (*it)->Next();
  EXPECT_TRUE(row.status().IsData()) << row.status().ToString();
}

// A randomized model test: random puts / deletes / batches / flushes / reopens against a
// std::map, checking point reads and scans in both directions. Prints its seed.
TEST(DbTest, RandomizedAgainstModel) {
  const uint64_t seed = 20261126;
  SCOPED_TRACE("seed " + std::to_string(seed));
  util::Random rnd(seed);
  Settings s = TestSettings();
  s.l0_sst_size_bytes = 2048;  // frequent L0 flushes
  s.l0_max_ssts = 1000;
  auto store = NewMemoryObjectStore();
  auto db = MustOpen(store, "db", s);
  ASSERT_NE(db, nullptr);
  std::map<std::string, std::string> model;
  WriteOptions no_wait;
  no_wait.await_durable = false;
  auto key = [&] { return "k" + std::to_string(rnd.Uniform(200)); };
  for (int op = 0; op < 3000; ++op) {
    uint64_t dice = rnd.Uniform(100);
    if (dice < 50) {
      std::string k = key(), v = "v" + std::to_string(op);
      ASSERT_OK(db->Put(k, v, no_wait));
      model[k] = v;
    } else if (dice < 65) {
      std::string k = key();
      ASSERT_OK(db->Delete(k, no_wait));
      model.erase(k);
    } else if (dice < 75) {
      WriteBatch b;
      for (int i = 0; i < 5; ++i) {
        std::string k = key();
        if (rnd.OneIn(3)) {
          b.Delete(k);
          model.erase(k);
        } else {
          b.Put(k, "b" + std::to_string(op));
          model[k] = "b" + std::to_string(op);
        }
      }
      ASSERT_OK(db->Write(b, no_wait));
    } else if (dice < 90) {
      std::string k = key();
      auto got = db->Get(k);
      ASSERT_OK(got) << got.status().ToString();
      auto it = model.find(k);
      ASSERT_EQ(*got, it == model.end() ? std::nullopt : std::optional<std::string>(it->second))
          << "op " << op << " key " << k;
    } else if (dice < 97) {
      std::string a = key(), b = key();
      if (a > b) std::swap(a, b);
      bool reverse = rnd.OneIn(2);
      std::vector<std::pair<std::string, std::string>> want(model.lower_bound(a),
                                                            model.lower_bound(b));
      if (reverse) std::reverse(want.begin(), want.end());
      auto got_scan = ScanAll(*db, ScanRange{a, b}, reverse);
      ASSERT_EQ(got_scan, want) << "op " << op << " [" << a << ", " << b << ") reverse " << reverse;
    } else if (dice < 99) {
      ASSERT_OK(db->Flush(rnd.OneIn(2) ? FlushType::kWal : FlushType::kMemTable));
    } else {
      ASSERT_OK(db->Close());
      db = MustOpen(store, "db", s);
      ASSERT_NE(db, nullptr);
    }
  }
  std::vector<std::pair<std::string, std::string>> all(model.begin(), model.end());
  EXPECT_EQ(ScanAll(*db), all);
}

// Two writer instances given the same Components.seed, one after the other within the same
// millisecond, must not mint the same L0 SST id (an id collision overwrote an L0 once).
TEST(DbTest, SameSeedWritersNeverReuseSstIds) {
  auto clock = std::make_shared<util::ManualClock>(5'000'000);  // time never advances
  auto store = NewMemoryObjectStore();
  Components c;
  c.object_store = store;
  c.clock = clock;
  c.seed = 42;
  for (int round = 0; round < 3; ++round) {
    auto db = Db::Open("db", c, TestSettings());
    ASSERT_OK(db) << db.status().ToString();
    ASSERT_OK((*db)->Put("r" + std::to_string(round), "x"));
    ASSERT_OK((*db)->Flush(FlushType::kMemTable));
    ASSERT_OK((*db)->Close());
  }
  EXPECT_EQ(CountObjects(*store, "db/compacted/"), 3u);
  auto db = Db::Open("db", c, TestSettings());
  ASSERT_OK(db);
  for (int round = 0; round < 3; ++round) {
    auto v = (*db)->Get("r" + std::to_string(round));
    ASSERT_OK(v);
    EXPECT_EQ(*v, "x");
  }
}

TEST(DbTest, MissingWalIdFailsOpen) {
  auto store = NewMemoryObjectStore();
  {
    auto db = MustOpen(store, "db");
    ASSERT_NE(db, nullptr);
    ASSERT_OK(db->Put("k1", "v", kDurable));
    ASSERT_OK(db->Put("k2", "v", kDurable));
    ASSERT_OK(db->Close());
  }
  ASSERT_OK(store->Delete("db/wal/00000000000000000002.sst"));
  Components c;
  c.object_store = store;
  auto db = Db::Open("db", c, TestSettings());
  ASSERT_FALSE(db.ok());
  EXPECT_TRUE(db.status().IsData()) << db.status().ToString();
}

TEST(DbTest, WalDisabledWritesL0OnFlush) {
  Settings s = TestSettings();
  s.wal_enabled = false;
  auto store = NewMemoryObjectStore();
  {
    auto db = MustOpen(store, "db", s);
    ASSERT_NE(db, nullptr);
    WriteOptions no_wait;
    no_wait.await_durable = false;
    ASSERT_OK(db->Put("k", "v", no_wait));
    ASSERT_OK(db->Flush(FlushType::kMemTable));
    ASSERT_OK(db->Close());
  }
  auto db = MustOpen(store, "db", s);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(MustGet(*db, "k"), "v");
}

TEST(DbTest, WalDisabledCloseWritesL0) {
  Settings s = TestSettings();
  s.wal_enabled = false;
  auto store = NewMemoryObjectStore();
  {
    auto db = MustOpen(store, "db", s);
    ASSERT_NE(db, nullptr);
    WriteOptions no_wait;
    no_wait.await_durable = false;
    ASSERT_OK(db->Put("k", "v", no_wait));
    ASSERT_OK(db->Close());
  }
  EXPECT_EQ(CountObjects(*store, "db/wal/"), 0u);  // no WAL: no fence either
  EXPECT_EQ(CountObjects(*store, "db/compacted/"), 1u);
  auto db = MustOpen(store, "db", s);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(MustGet(*db, "k"), "v");
}

TEST(DbTest, EmbeddedCompactorDrainsL0) {
  Settings s = TestSettings();
  s.l0_sst_size_bytes = 2048;
  s.l0_max_ssts = 4;
  s.compactor_options = testing::EagerCompactorOptions(std::chrono::milliseconds(20), 8);
  auto store = NewMemoryObjectStore();
  auto db = MustOpen(store, "db", s);
  ASSERT_NE(db, nullptr);
  WriteOptions no_wait;
  no_wait.await_durable = false;
  std::map<std::string, std::string> model;
  for (int i = 0; i < 3000; ++i) {
    std::string k = "key" + std::to_string(i % 700);
    std::string v = "v" + std::to_string(i) + std::string(40, 'x');
    ASSERT_OK(db->Put(k, v, no_wait));
    model[k] = v;
  }
  // More L0s than l0_max_ssts were produced: the writer could only go on because the compactor
  // drained L0 into sorted runs.
  ASSERT_OK(db->Flush(FlushType::kMemTable));
  auto st = db->GetStatus();
  ASSERT_OK(st);
  EXPECT_GE(st->sorted_runs, 1u);
  EXPECT_GE(st->compactor_epoch, 1u);
  std::vector<std::pair<std::string, std::string>> all(model.begin(), model.end());
  EXPECT_EQ(ScanAll(*db), all);
  ASSERT_OK(db->Close());
  auto again = MustOpen(store, "db", s);
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(ScanAll(*again), all);
  EXPECT_EQ(MustGet(*again, "key5"), model["key5"]);
}

TEST(DbTest, SurvivesTransientStoreFaults) {
  auto inner = NewMemoryObjectStore();
  FaultOptions faults;
  faults.seed = 99;
  faults.SetAllErrorRates(0.15);
  faults.reply_lost_rate = 0.1;
  auto faulty = NewFaultInjectingObjectStore(inner, faults);
  RetryOptions retry;
  retry.max_attempts = 30;
  retry.base_delay = std::chrono::milliseconds(1);
  retry.max_delay = std::chrono::milliseconds(2);
  retry.seed = 5;
  auto store = NewRetryingObjectStore(faulty, retry);
  Settings s = TestSettings();
  s.l0_sst_size_bytes = 4096;
  s.l0_max_ssts = 1000;
  std::map<std::string, std::string> model;
  {
    auto db = MustOpen(store, "db", s);
    ASSERT_NE(db, nullptr);
    for (int i = 0; i < 150; ++i) {
      std::string k = "k" + std::to_string(i % 60),
                  v = "v" + std::to_string(i) + std::string(50, 'x');
      Status st = db->Put(k, v).status();
      ASSERT_OK(st) << st.ToString();
      model[k] = v;
    }
    ASSERT_OK(db->Close());
  }
  EXPECT_GT(faulty->counts().injected_errors, 0u);  // faults really happened
  auto db = MustOpen(inner, "db", s);               // the clean store holds everything
  ASSERT_NE(db, nullptr);
  std::vector<std::pair<std::string, std::string>> all(model.begin(), model.end());
  EXPECT_EQ(ScanAll(*db), all);
}

// Readers scanning and reading while writers commit batches and memtables are flushed: every
// snapshot shows each batch entirely or not at all.
TEST(DbTest, ConcurrentReadersSeeAtomicBatches) {
  Settings s = TestSettings();
  s.l0_sst_size_bytes = 8192;
  s.l0_max_ssts = 1000;
  auto db = MustOpen(NewMemoryObjectStore(), "db", s);
  ASSERT_NE(db, nullptr);
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::atomic<int> scans{0};
  std::vector<std::thread> writers;
  // Writers go on past their 600 batches until the readers have completed a few scans (bounded
  // by a minute), so that scans overlap writes however the threads are scheduled (on a loaded
  // machine the writers could finish before any scan did).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (int t = 0; t < 2; ++t) {
    writers.emplace_back([&, t] {
      WriteOptions no_wait;
      no_wait.await_durable = false;
      for (int i = 0; i < 600 || (scans.load() < 4 && std::chrono::steady_clock::now() < deadline);
           ++i) {
        std::string v = std::to_string(t) + ":" + std::to_string(i) + std::string(30, 'p');
        WriteBatch b;
        int slot = i % 20;
        b.Put("a" + std::to_string(slot), v);
        b.Put("b" + std::to_string(slot), v);
        if (!db->Write(b, no_wait).ok()) ++bad;
      }
    });
  }
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&, r] {
      while (!stop.load()) {
        ScanOptions opts;
        opts.reverse = r == 1;
        auto it = db->Scan({}, opts);
        if (!it.ok()) {
          ++bad;
          return;
        }
        std::map<std::string, std::string> seen;
        while (true) {
          auto kv = (*it)->Next();
          if (!kv.ok()) {
            ++bad;
            return;
          }
          if (!kv->has_value()) break;
          seen[(*kv)->key] = (*kv)->value;
        }
        for (int slot = 0; slot < 20; ++slot) {
          if (seen["a" + std::to_string(slot)] != seen["b" + std::to_string(slot)]) ++bad;
        }
        ++scans;
      }
    });
  }
  for (auto& w : writers) w.join();
  ASSERT_OK(db->Flush(FlushType::kMemTable));
  stop = true;
  for (auto& r : readers) r.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_GT(scans.load(), 0);
  auto st = db->GetStatus();
  ASSERT_OK(st);
  EXPECT_GT(st->l0_ssts, 1u);
}

TEST(DbReaderTest, NoDatabase) {
  Components c;
  c.object_store = NewMemoryObjectStore();
  auto r = DbReader::Open("nothing-here", c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no database at nothing-here"), std::string::npos)
      << r.status().ToString();
}

TEST(DbReaderTest, ReadsL0AndWalAndFollowsWriter) {
  auto store = NewMemoryObjectStore();
  auto db = MustOpen(store, "db");
  ASSERT_NE(db, nullptr);
  ASSERT_OK(db->Put("in-l0", "1"));
  ASSERT_OK(db->Flush(FlushType::kMemTable));
  ASSERT_OK(db->Put("in-wal", "2", kDurable));
  Components c;
  c.object_store = store;
  DbReaderOptions ro;
  ro.manifest_poll_interval = std::chrono::milliseconds(20);
  auto reader = DbReader::Open("db", c, ro);
  ASSERT_OK(reader) << reader.status().ToString();
  auto v = (*reader)->Get("in-l0");
  ASSERT_OK(v);
  EXPECT_EQ(*v, "1");
  v = (*reader)->Get("in-wal");
  ASSERT_OK(v);
  EXPECT_EQ(*v, "2");
  // New durable writes show up after a poll.
  ASSERT_OK(db->Put("later", "3", kDurable));
  std::optional<std::string> later;
  for (int i = 0; i < 500 && !later; ++i) {
    auto got = (*reader)->Get("later");
    ASSERT_OK(got);
    later = *got;
    if (!later) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(later, "3");
  // The reader never fenced the writer.
  EXPECT_OK(db->Put("still-writable", "4"));
  DbReaderOptions skip;
  skip.skip_wal_replay = true;
  auto no_wal = DbReader::Open("db", c, skip);
  ASSERT_OK(no_wal);
  v = (*no_wal)->Get("in-wal");
  ASSERT_OK(v);
  EXPECT_EQ(*v, std::nullopt);
  ASSERT_OK((*reader)->Close());
  EXPECT_TRUE((*reader)->Get("in-l0").status().IsClosed());
}

TEST(DbReaderTest, CheckpointPinsManifestUntilClose) {
  auto store = NewMemoryObjectStore();
  auto db = MustOpen(store, "db");
  ASSERT_NE(db, nullptr);
  ASSERT_OK(db->Put("k", "v"));
  Components c;
  c.object_store = store;
  manifest::ManifestStore manifests(store, "db");
  DbReaderOptions with_checkpoint;
  with_checkpoint.checkpoint_lifetime = std::chrono::minutes(10);
  auto reader = DbReader::Open("db", c, with_checkpoint);
  ASSERT_OK(reader) << reader.status().ToString();
  auto latest = manifests.ReadLatest();
  ASSERT_TRUE(latest.ok() && latest->has_value());
  ASSERT_EQ((*latest)->manifest.checkpoints.size(), 1u);
  const format::Checkpoint cp = (*latest)->manifest.checkpoints[0];
  EXPECT_EQ(cp.manifest_id, (*latest)->id);  // pins the version it was written in
  EXPECT_EQ(cp.expire_time_s, cp.create_time_s + 600);
  // The writer keeps working on top of the reader's manifest and keeps the checkpoint.
  ASSERT_OK(db->Put("k2", "v2"));
  ASSERT_OK(db->Flush(FlushType::kMemTable));
  latest = manifests.ReadLatest();
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->manifest.checkpoints.size(), 1u);
  EXPECT_EQ((*latest)->manifest.l0.size(), 1u);
  ASSERT_OK((*reader)->Close());
  latest = manifests.ReadLatest();
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_TRUE((*latest)->manifest.checkpoints.empty());  // removed on close
  EXPECT_EQ((*latest)->manifest.l0.size(), 1u);
  ASSERT_OK(db->Close());
  DbReaderOptions no_checkpoint;  // the default: a reader writes nothing
  size_t before = store->List("db/manifest/")->size();
  auto r2 = DbReader::Open("db", c, no_checkpoint);
  ASSERT_OK(r2);
  EXPECT_EQ(store->List("db/manifest/")->size(), before);  // wrote nothing
  auto v = (*r2)->Get("k2");
  ASSERT_OK(v);
  EXPECT_EQ(*v, "v2");
}

}  // namespace
}  // namespace slatedb
