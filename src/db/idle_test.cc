// Cheap when idle, prompt when alone, parallel WAL replay (issue 14 items 6 and 7):
//  * an idle writer's manifest poll is one GET that misses (cached probing, RFC-0032), and the
//    embedded compactor makes no requests of its own (it is told of new versions);
//  * a durable write is uploaded at once, not after a flush_interval, and writes arriving
//    while an upload is in flight go into the next upload together;
//  * recovery and DbReader read WAL SSTs wal_replay_parallelism at a time, in id order.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "compactor/compactor.h"
#include "concurrent_get_probe.h"
#include "db/db_impl.h"
#include "manifest/manifest_store.h"
#include "manifest/stored_manifest.h"
#include "object_store/fault_injecting_object_store.h"
#include "object_store/object_store_wrapper.h"
#include "slatedb/db.h"
#include "slatedb/object_store.h"
#include "test_util.h"

namespace slatedb {
namespace {

using testing::ScanToMap;

// Long enough that no timer fires during a test: whatever happens, happens without one.
constexpr std::chrono::milliseconds kNever = std::chrono::hours(1);

Settings QuietSettings() {
  Settings s;
  s.flush_interval = kNever;
  s.manifest_poll_interval = kNever;
  s.garbage_collector_options.reset();
  s.compactor_options.reset();
  return s;
}

Result<std::unique_ptr<Db>> OpenDb(std::shared_ptr<ObjectStore> store, const Settings& settings,
                                   std::shared_ptr<Clock> clock = nullptr) {
  Components c;
  c.object_store = std::move(store);
  c.seed = 11;
  c.clock = std::move(clock);
  return Db::Open("db", std::move(c), settings);
}

WriteOptions Durable() {
  WriteOptions w;
  w.await_durable = true;
  return w;
}

std::string WalKey(uint64_t id) {
  char key[64];
  std::snprintf(key, sizeof(key), "db/wal/%020llu.sst", static_cast<unsigned long long>(id));
  return key;
}

uint64_t CountWals(ObjectStore& store) {
  auto list = store.List("db/wal/");
  EXPECT_OK(list) << list.status().ToString();
  return list.ok() ? list->size() : 0;
}

TEST(IdleTest, LoneDurablePutIsUploadedAtOnceWithoutAnyTimer) {
  // The clock never moves and no ticker fires within the test (flush_interval = 1 h): the put
  // can only become durable because the durable wait itself starts the upload.
  auto clock = std::make_shared<ManualClock>(1'700'000'000'000);
  auto store = NewMemoryObjectStore();
  ASSERT_OK_AND_ASSIGN(auto db, OpenDb(store, QuietSettings(), clock));
  const uint64_t wals_at_open = CountWals(*store);  // the fence
  ASSERT_OK(db->Put("k", "v", PutOptions(), Durable()).status());
  EXPECT_EQ(CountWals(*store), wals_at_open + 1);
  // Again after "idle": still one upload per lone durable write.
  ASSERT_OK(db->Put("k2", "v2", PutOptions(), Durable()).status());
  EXPECT_EQ(CountWals(*store), wals_at_open + 2);
  // A write without await_durable is left for the timer (batching): no upload yet.
  ASSERT_OK(db->Put("k3", "v3", PutOptions(), WriteOptions()).status());
  EXPECT_EQ(CountWals(*store), wals_at_open + 2);
  // Awaiting its handle later uploads it then.
  ASSERT_OK_AND_ASSIGN(WriteHandle h, db->Put("k4", "v4", PutOptions(), WriteOptions()));
  ASSERT_OK(h.AwaitDurable());
  EXPECT_EQ(CountWals(*store), wals_at_open + 3);
  ASSERT_OK(db->Close());
  ASSERT_OK_AND_ASSIGN(auto reopened, OpenDb(store, QuietSettings(), clock));
  EXPECT_EQ(ScanToMap(*reopened), (std::map<std::string, std::string>{
                                      {"k", "v"}, {"k2", "v2"}, {"k3", "v3"}, {"k4", "v4"}}));
  ASSERT_OK(reopened->Close());
}

// Holds the first WAL upload after `Arm()` until `Release()`.
class HoldFirstWalPut final : public ObjectStoreWrapper {
 public:
  using ObjectStoreWrapper::ObjectStoreWrapper;
  void Arm() {
    std::lock_guard lock(mu_);
    armed_ = true;
  }
  void WaitHeld() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return held_; });
  }
  void Release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  int wal_puts() {
    std::lock_guard lock(mu_);
    return wal_puts_;
  }
  Result<std::string> PutIfAbsent(std::string_view key, std::string_view data,
                                  const ObjectPutOptions& options) override {
    if (key.find("/wal/") != std::string_view::npos) {
      std::unique_lock lock(mu_);
      ++wal_puts_;
      if (armed_) {
        armed_ = false;
        held_ = true;
        cv_.notify_all();
        cv_.wait(lock, [&] { return released_; });
      }
    }
    return inner_->PutIfAbsent(key, data, options);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool armed_ = false, held_ = false, released_ = false;
  int wal_puts_ = 0;
};

TEST(IdleTest, DurableWritesDuringAnUploadBatchIntoTheNextOne) {
  auto store = std::make_shared<HoldFirstWalPut>(NewMemoryObjectStore());
  ASSERT_OK_AND_ASSIGN(auto db, OpenDb(store, QuietSettings()));
  const int puts_at_open = store->wal_puts();
  store->Arm();
  std::thread first([&] { EXPECT_OK(db->Put("first", "1", PutOptions(), Durable()).status()); });
  store->WaitHeld();  // the first upload is in flight
  constexpr int kWriters = 8;
  std::vector<std::thread> writers;
  for (int i = 0; i < kWriters; ++i) {
    writers.emplace_back([&, i] {
      EXPECT_OK(db->Put("w" + std::to_string(i), "x", PutOptions(), Durable()).status());
    });
  }
  // Every writer's row is committed (and so in the WAL buffer) before the upload finishes.
  ReadOptions dirty;
  dirty.durability_filter = DurabilityLevel::kMemory;
  for (int i = 0; i < kWriters; ++i) {
    while (true) {
      ASSERT_OK_AND_ASSIGN(auto v, db->Get("w" + std::to_string(i), dirty));
      if (v) break;
      std::this_thread::yield();
    }
  }
  store->Release();
  first.join();
  for (auto& t : writers) t.join();
  // The held upload plus one upload carrying the eight writes — or two, if a writer was
  // still between making a row visible and appending it to the WAL buffer when the next upload
  // took the buffer (the stragglers then share one more upload). Never one upload per write.
  EXPECT_GE(store->wal_puts(), puts_at_open + 2);
  EXPECT_LE(store->wal_puts(), puts_at_open + 3);
  ASSERT_OK(db->Close());
}

TEST(IdleTest, IdlePollIsOneGetAndTheCompactorMakesNoRequestsOfItsOwn) {
  auto clock = std::make_shared<ManualClock>(1'700'000'000'000);
  auto counting =
      std::make_shared<FaultInjectingObjectStore>(NewMemoryObjectStore(), FaultOptions());
  Settings s = QuietSettings();
  s.compactor_options = CompactorOptions{};  // embedded compactor, default 5 s poll_interval
  ASSERT_OK_AND_ASSIGN(auto db, OpenDb(counting, s, clock));
  auto& impl = dynamic_cast<db::DbImpl&>(*db);
  const compactor::Compactor* compactor = impl.compactor_for_test();
  ASSERT_NE(compactor, nullptr);
  // Its first poll, at start.
  ASSERT_TRUE(slatedb::testing::WaitFor([&] { return compactor->stats().polls >= 1; }));
  // Starting, the compactor wrote a version (its epoch): the writer's first poll reads it and
  // tells the compactor, which polls once more. Then everything is quiet.
  counting->ResetCounts();
  ASSERT_OK(impl.PollManifestForTest());
  ASSERT_TRUE(slatedb::testing::WaitFor([&] { return compactor->stats().polls >= 2; }));
  // The two share one manifest store (Compactor::ShareManifestStore), whose cache already holds
  // the compactor's version. Writer: a miss; compactor: a miss, then a `.compactions` probe of
  // the version after its own (a miss; after its poll is counted): wait until all three are done.
  ASSERT_TRUE(slatedb::testing::WaitFor([&] { return counting->counts().Total() >= 3; }));
  const uint64_t compactor_polls = compactor->stats().polls;
  counting->ResetCounts();
  // 30 s idle at the default manifest_poll_interval of 1 s: 30 polls.
  for (int second = 0; second < 30; ++second) {
    clock->Advance(1000);
    ASSERT_OK(impl.PollManifestForTest());
  }
  RequestCounts idle = counting->counts();
  // One request per poll: a GET probe of manifest id + 1 (a miss), except that every
  // kManifestProbeTrust (10 s) a LIST confirms the cached version instead (a GC may have
  // deleted id + 1), with no GET since the highest listed id is the cached one.
  // (At most one GET more: the compactor's start-up `.compactions` read may still be landing
  // when the window opens.)
  EXPECT_GE(idle.get, 27u);
  EXPECT_LE(idle.get, 28u);
  EXPECT_EQ(idle.list, 3u);
  EXPECT_EQ(idle.put + idle.put_if_absent + idle.put_if_match, 0u);
  EXPECT_LE(idle.Total(), 31u);  // 30 from the writer: <= 1 request per second
  EXPECT_EQ(compactor->stats().polls, compactor_polls);  // nothing new: not told, no polls

  // Someone else writes a version: the poll reads it (a hit, then a miss) and tells the
  // compactor, which looks again from the shared cache the writer just advanced (a miss).
  auto other = std::make_shared<manifest::ManifestStore>(counting, "db");
  ASSERT_OK_AND_ASSIGN(manifest::StoredManifest stored, manifest::StoredManifest::Load(other));
  ASSERT_OK(stored.Update([](format::Manifest&) { return Status::OK(); }));
  counting->ResetCounts();
  ASSERT_OK(impl.PollManifestForTest());
  ASSERT_TRUE(
      slatedb::testing::WaitFor([&] { return compactor->stats().polls != compactor_polls; }));
  // Its `.compactions` read comes after the poll is counted: wait for it too.
  ASSERT_TRUE(slatedb::testing::WaitFor([&] { return counting->counts().Total() >= 4; }));
  // Writer: 2 GETs. Compactor: a manifest GET (a miss), and a `.compactions` LIST (admin
  // submissions are adopted at each poll; that store, its own, probes like the manifest's, and
  // its cache was confirmed 30 s ago) that finds its cached version still the latest: no GET.
  EXPECT_EQ(counting->counts().get, 3u);
  EXPECT_EQ(counting->counts().list, 1u);
  EXPECT_EQ(counting->counts().Total(), 4u);
  ASSERT_OK(db->Close());
}

// 60 WAL SSTs, each overwriting "same" and adding one key of its own.
std::map<std::string, std::string> WriteManyWals(std::shared_ptr<ObjectStore> store) {
  std::map<std::string, std::string> expect;
  auto db = OpenDb(store, QuietSettings());
  EXPECT_OK(db.status());
  for (int i = 0; i < 60; ++i) {
    WriteBatch b;
    b.Put("same", std::to_string(i));
    b.Put("key" + std::to_string(100 + i), std::to_string(i));
    EXPECT_OK((*db)->Write(b, Durable()).status());
    expect["same"] = std::to_string(i);
    expect["key" + std::to_string(100 + i)] = std::to_string(i);
  }
  EXPECT_OK((*db)->Close());
  return expect;
}

TEST(IdleTest, RecoveryReplaysWalSstsInParallelInIdOrder) {
  auto mem = NewMemoryObjectStore();
  const std::map<std::string, std::string> expect = WriteManyWals(mem);
  ASSERT_GE(CountWals(*mem), 60u);
  for (uint64_t parallelism : {0u, 1u, 8u}) {
    SCOPED_TRACE(parallelism);
    auto probe =
        std::make_shared<testing::ConcurrentGetProbe>(mem, std::max<uint64_t>(parallelism, 1),
                                                      /*wal_keys_only=*/true);
    Settings s = QuietSettings();
    s.wal_replay_parallelism = parallelism;
    ASSERT_OK_AND_ASSIGN(auto db, OpenDb(probe, s));
    EXPECT_EQ(ScanToMap(*db), expect);
    EXPECT_EQ(probe->max_concurrent(), std::max<uint64_t>(parallelism, 1));
    // What is written now lands after everything replayed.
    ASSERT_OK(db->Put("same", "after", PutOptions(), Durable()).status());
    ASSERT_OK(db->Close());
    ASSERT_OK_AND_ASSIGN(auto again, OpenDb(mem, s));
    ASSERT_OK_AND_ASSIGN(auto same, again->Get("same", ReadOptions()));
    EXPECT_EQ(same, "after");
    ASSERT_OK(again->Put("same", expect.at("same"), PutOptions(), Durable()).status());
    ASSERT_OK(again->Close());
  }
  // DbReader: the same rows, with its own wal_replay_parallelism.
  auto probe = std::make_shared<testing::ConcurrentGetProbe>(mem, 4, /*wal_keys_only=*/true);
  Components c;
  c.object_store = probe;
  DbReaderOptions ro;
  ro.manifest_poll_interval = kNever;
  ro.wal_replay_parallelism = 4;
  ASSERT_OK_AND_ASSIGN(auto reader, DbReader::Open("db", std::move(c), ro));
  EXPECT_EQ(ScanToMap(*reader), expect);
  EXPECT_EQ(probe->max_concurrent(), 4u);
  ASSERT_OK(reader->Close());
}

TEST(IdleTest, ParallelRecoveryReportsAMissingWalSstAsBefore) {
  auto mem = NewMemoryObjectStore();
  WriteManyWals(mem);
  ASSERT_OK(mem->Delete(WalKey(30)));
  for (uint64_t parallelism : {1u, 16u}) {
    Settings s = QuietSettings();
    s.wal_replay_parallelism = parallelism;
    auto db = OpenDb(mem, s);
    ASSERT_FALSE(db.ok());
    EXPECT_EQ(db.status().code(), StatusCode::kData) << db.status().ToString();
    EXPECT_NE(db.status().message().find("WAL " + WalKey(30) + " is missing"), std::string::npos)
        << db.status().ToString();
  }
}

TEST(IdleTest, WalReplayParallelismIsRangeChecked) {
  auto mem = NewMemoryObjectStore();
  Settings s = QuietSettings();
  s.wal_replay_parallelism = 257;
  auto db = OpenDb(mem, s);
  ASSERT_FALSE(db.ok());
  EXPECT_TRUE(db.status().IsInvalid());
  EXPECT_NE(db.status().message().find("wal_replay_parallelism"), std::string::npos)
      << db.status().ToString();
  s.wal_replay_parallelism = 256;
  ASSERT_OK_AND_ASSIGN(auto ok, OpenDb(mem, s));
  ASSERT_OK(ok->Close());
  Components c;
  c.object_store = mem;
  DbReaderOptions ro;
  ro.wal_replay_parallelism = 1000;
  auto reader = DbReader::Open("db", std::move(c), ro);
  ASSERT_FALSE(reader.ok());
  EXPECT_TRUE(reader.status().IsInvalid());
  EXPECT_NE(reader.status().message().find("wal_replay_parallelism = 1000"), std::string::npos)
      << reader.status().ToString();
}

}  // namespace
}  // namespace slatedb
