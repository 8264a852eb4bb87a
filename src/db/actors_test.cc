// The writer's and reader's actors run their timers on Components::clock (issue 9 item 2): a
// test drives them with util::ManualClock and waits for the event, not for time.
//  * the WAL writer uploads the buffer once the clock passes flush_interval, not before;
//  * the memtable (L0) flusher's manifest poll reads a newer version once the clock passes
//    manifest_poll_interval, not before;
//  * the DbReader's poller picks up new WAL SSTs once the clock passes its poll interval;
//  * a flush waiting for L0 room re-reads the manifest once the clock passes
//    manifest_poll_interval, not before — or at once when the embedded compactor commits.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "manifest/manifest_store.h"
#include "manifest/stored_manifest.h"
#include "slatedb/clock.h"
#include "slatedb/db.h"
#include "slatedb/metrics.h"
#include "slatedb/object_store.h"
#include "test_settings.h"
#include "test_util.h"

namespace slatedb {
namespace {

using std::chrono::milliseconds;

constexpr int64_t kStartMs = 1'700'000'000'000;

Settings ManualSettings() {
  Settings s;
  s.flush_interval = milliseconds(100);
  s.manifest_poll_interval = milliseconds(1000);
  s.garbage_collector_options.reset();
  s.compactor_options.reset();
  return s;
}

Result<std::unique_ptr<Db>> OpenDb(std::shared_ptr<ObjectStore> store, const Settings& settings,
                                   std::shared_ptr<Clock> clock) {
  Components c;
  c.object_store = std::move(store);
  c.seed = 7;
  c.clock = std::move(clock);
  return Db::Open("db", std::move(c), settings);
}

size_t CountWals(ObjectStore& store) {
  auto list = store.List("db/wal/");
  EXPECT_OK(list) << list.status().ToString();
  return list.ok() ? list->size() : 0;
}

// Lets the task threads run what is runnable now (no event to wait for when nothing may happen).
void LetThreadsRun() {
  for (int i = 0; i < 20; ++i) std::this_thread::yield();
}

TEST(ActorsTest, WalWriterUploadsWhenTheManualClockPassesFlushInterval) {
  auto clock = std::make_shared<ManualClock>(kStartMs);
  auto store = NewMemoryObjectStore();
  ASSERT_OK_AND_ASSIGN(auto db, OpenDb(store, ManualSettings(), clock));
  const size_t wals_at_open = CountWals(*store);  // the fence
  WriteOptions nowait;
  nowait.await_durable = false;
  ASSERT_OK_AND_ASSIGN(WriteHandle h, db->Put("k", "v", PutOptions(), nowait));
  ASSERT_OK_AND_ASSIGN(DbStatusInfo before, db->GetStatus());
  EXPECT_LT(before.durable_seq, h.seq());
  // One millisecond short of flush_interval: the timer has not fired.
  clock->Advance(99);
  LetThreadsRun();
  EXPECT_EQ(CountWals(*store), wals_at_open);
  ASSERT_OK_AND_ASSIGN(DbStatusInfo still, db->GetStatus());
  EXPECT_LT(still.durable_seq, h.seq());
  // The interval passes: the timer uploads the buffer (the event: the durable seq moves).
  clock->Advance(1);
  ASSERT_TRUE(testing::WaitFor([&] {
    auto st = db->GetStatus();
    return st.ok() && st->durable_seq >= h.seq();
  }));
  EXPECT_EQ(CountWals(*store), wals_at_open + 1);
  ASSERT_OK(db->Close());
}

TEST(ActorsTest, L0FlusherPollsTheManifestWhenTheManualClockPassesThePollInterval) {
  auto clock = std::make_shared<ManualClock>(kStartMs);
  auto store = NewMemoryObjectStore();
  ASSERT_OK_AND_ASSIGN(auto db, OpenDb(store, ManualSettings(), clock));
  ASSERT_OK_AND_ASSIGN(DbStatusInfo at_open, db->GetStatus());
  // Someone else writes a version of the manifest.
  auto other = std::make_shared<manifest::ManifestStore>(store, "db");
  ASSERT_OK_AND_ASSIGN(manifest::StoredManifest stored, manifest::StoredManifest::Load(other));
  ASSERT_OK(stored.Update([](format::Manifest&) { return Status::OK(); }));
  const uint64_t newer = stored.id();
  ASSERT_GT(newer, at_open.manifest_id);
  clock->Advance(999);
  LetThreadsRun();
  ASSERT_OK_AND_ASSIGN(DbStatusInfo before, db->GetStatus());
  EXPECT_EQ(before.manifest_id, at_open.manifest_id);  // not polled yet
  clock->Advance(1);
  ASSERT_TRUE(testing::WaitFor([&] {
    auto st = db->GetStatus();
    return st.ok() && st->manifest_id == newer;
  }));
  ASSERT_OK(db->Close());
}

TEST(ActorsTest, ReaderPollerFollowsTheWriterWhenTheManualClockPassesItsInterval) {
  auto clock = std::make_shared<ManualClock>(kStartMs);
  auto store = NewMemoryObjectStore();
  ASSERT_OK_AND_ASSIGN(auto db, OpenDb(store, ManualSettings(), clock));
  ASSERT_OK(db->Put("first", "1", PutOptions(), WriteOptions{true}).status());
  Components c;
  c.object_store = store;
  c.clock = clock;
  DbReaderOptions ro;
  ro.manifest_poll_interval = milliseconds(500);
  ASSERT_OK_AND_ASSIGN(auto reader, DbReader::Open("db", c, ro));
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> first, reader->Get("first"));
  EXPECT_EQ(first, "1");
  ASSERT_OK(db->Put("later", "2", PutOptions(), WriteOptions{true}).status());
  clock->Advance(499);
  LetThreadsRun();
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> early, reader->Get("later"));
  EXPECT_EQ(early, std::nullopt);  // not polled yet
  clock->Advance(1);
  ASSERT_TRUE(testing::WaitFor([&] {
    auto got = reader->Get("later");
    return got.ok() && *got == std::optional<std::string>("2");
  }));
  ASSERT_OK(reader->Close());
  ASSERT_OK(db->Close());
}

Result<std::unique_ptr<Db>> OpenWithRecorder(std::shared_ptr<ObjectStore> store,
                                             const Settings& settings, std::shared_ptr<Clock> clock,
                                             std::shared_ptr<MetricsRecorder> rec) {
  Components c;
  c.object_store = std::move(store);
  c.seed = 7;
  c.clock = std::move(clock);
  c.metrics_recorder = std::move(rec);
  return Db::Open("db", std::move(c), settings);
}

int64_t L0Stalls(DefaultMetricsRecorder& rec) {
  return rec.Snapshot().Sum("slatedb.db.l0_stall_count", {{"type", "num_ssts"}});
}

TEST(ActorsTest, AFlushWaitingForL0RoomRetriesWhenTheManualClockPassesThePollInterval) {
  auto clock = std::make_shared<ManualClock>(kStartMs);
  auto rec = std::make_shared<DefaultMetricsRecorder>();
  Settings s = ManualSettings();
  s.l0_max_ssts = 1;  // full after one flush; no compactor drains it
  s.l0_sst_size_bytes = 1024;
  ASSERT_OK_AND_ASSIGN(auto db, OpenWithRecorder(NewMemoryObjectStore(), s, clock, rec));
  ASSERT_OK(db->Put("k0", "v"));
  ASSERT_OK(db->Flush(FlushType::kMemTable));        // L0 is now full
  ASSERT_OK(db->Put("k1", std::string(2000, 'x')));  // frozen: cannot be flushed
  Status flushed;
  std::thread flusher([&] { flushed = db->Flush(FlushType::kMemTable); });
  ASSERT_TRUE(testing::WaitFor([&] { return L0Stalls(*rec) >= 1; })) << "the flush did not stall";
  // One millisecond short of manifest_poll_interval: still the first wait.
  clock->Advance(999);
  LetThreadsRun();
  EXPECT_EQ(L0Stalls(*rec), 1);
  // The interval passes: the flusher re-reads the manifest, finds L0 still full, waits again.
  clock->Advance(1);
  EXPECT_TRUE(testing::WaitFor([&] { return L0Stalls(*rec) >= 2; }));
  ASSERT_OK(db->Close());
  flusher.join();
  EXPECT_EQ(flushed.code(), StatusCode::kClosed) << flushed.ToString();
}

TEST(ActorsTest, AnEmbeddedCompactorsCommitEndsAnL0WaitWithoutTheClockMoving) {
  auto clock = std::make_shared<ManualClock>(kStartMs);
  auto rec = std::make_shared<DefaultMetricsRecorder>();
  Settings s = ManualSettings();
  s.l0_max_ssts = 2;
  s.l0_sst_size_bytes = 1024;
  s.compactor_options = testing::EagerCompactorOptions();
  ASSERT_OK_AND_ASSIGN(auto db, OpenWithRecorder(NewMemoryObjectStore(), s, clock, rec));
  // Each flush adds an L0; once two are listed the third flush waits for the compactor (notified
  // by the wait), whose commit wakes it: every flush completes while the clock stands still.
  for (int i = 0; i < 6; ++i) {
    ASSERT_OK(db->Put("k" + std::to_string(i), std::string(1500, 'a' + i)));
    ASSERT_OK(db->Flush(FlushType::kMemTable)) << "flush " << i;
  }
  EXPECT_GE(L0Stalls(*rec), 1) << "no flush waited for L0 room";
  EXPECT_EQ(clock->NowMillis(), kStartMs);
  for (int i = 0; i < 6; ++i) {
    ASSERT_OK_AND_ASSIGN(auto v, db->Get("k" + std::to_string(i)));
    ASSERT_TRUE(v.has_value()) << i;
    EXPECT_EQ(*v, std::string(1500, 'a' + i));
  }
  ASSERT_OK(db->Close());
}

}  // namespace
}  // namespace slatedb
