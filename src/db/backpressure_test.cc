// The write path's memory bound (issue 10 item 7): backpressure counts the WAL SST being
// uploaded — the memtables' arena bytes plus the encoded WAL SST in flight are what
// max_unflushed_bytes bounds, so a slow WAL upload stalls writers instead of letting a second copy
// of the unflushed rows grow beside them — and one WAL SST holds whole commits of at most
// min(l0_sst_size_bytes, 8 MiB) plus one commit, however much piled up during a slow upload.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include "object_store/object_store_wrapper.h"
#include "slatedb/db.h"
#include "slatedb/metrics.h"
#include "test_util.h"
#include "util/mutex.h"
#include "wal/wal_store.h"

namespace slatedb {
namespace {

using std::chrono::milliseconds;

// Holds every WAL SST upload (a put under "/wal/") while closed; everything else passes.
class WalGateStore final : public ObjectStoreWrapper {
 public:
  explicit WalGateStore(std::shared_ptr<ObjectStore> inner)
      : ObjectStoreWrapper(std::move(inner)) {}

  void Close() {
    util::MutexLock lock(&mu_);
    closed_ = true;
  }
  void Open() {
    {
      util::MutexLock lock(&mu_);
      closed_ = false;
    }
    cv_.NotifyAll();
  }
  int held() {
    util::MutexLock lock(&mu_);
    return held_;
  }

  Result<std::string> Put(std::string_view key, std::string_view data,
                          const ObjectPutOptions& options) override {
    Gate(key);
    return ObjectStoreWrapper::Put(key, data, options);
  }
  Result<std::string> PutIfAbsent(std::string_view key, std::string_view data,
                                  const ObjectPutOptions& options) override {
    Gate(key);
    return ObjectStoreWrapper::PutIfAbsent(key, data, options);
  }

 private:
  void Gate(std::string_view key) {
    if (key.find("/wal/") == std::string_view::npos) return;
    util::MutexLock lock(&mu_);
    ++held_;
    while (closed_) cv_.Wait(&mu_);
    --held_;
  }

  util::Mutex mu_;
  util::CondVar cv_;
  bool closed_ GUARDED_BY(mu_) = false;
  int held_ GUARDED_BY(mu_) = 0;
};

using slatedb::testing::WaitFor;

Settings GateSettings() {
  Settings s;
  s.flush_interval = std::chrono::hours(1);  // WAL uploads only when the test asks
  s.l0_sst_size_bytes = 64 << 20;            // no freeze: the memtable alone stays below the bound
  s.max_unflushed_bytes = 2 << 20;
  s.compactor_options.reset();
  s.garbage_collector_options.reset();
  return s;
}

// A database on a memory store behind a WalGateStore, with a metrics recorder.
struct Gated {
  std::shared_ptr<WalGateStore> gate = std::make_shared<WalGateStore>(NewMemoryObjectStore());
  std::shared_ptr<DefaultMetricsRecorder> rec = std::make_shared<DefaultMetricsRecorder>();
  std::unique_ptr<Db> db;

  Status Open(Settings s) {
    Components c;
    c.object_store = gate;
    c.metrics_recorder = rec;
    ASSIGN_OR_RETURN(db, Db::Open("db", std::move(c), std::move(s)));
    return Status::OK();
  }
};

TEST(BackpressureTest, WalSstInUploadIsCountedAndItsEndReleasesStalledWriters) {
  Gated g;
  ASSERT_OK(g.Open(GateSettings()));
  auto& gate = g.gate;
  auto& rec = g.rec;
  Db* db = g.db.get();
  WriteOptions no_wait;
  no_wait.await_durable = false;

  // 1 MiB of rows in the memtable (~1 MiB of arena), then their WAL SST (~1 MiB) held in upload:
  // together above the 2 MiB bound, each alone below it.
  const std::string big(1 << 20, 'v');
  ASSERT_OK(db->Put("big", big, no_wait));
  gate->Close();
  std::thread flusher([&] { EXPECT_OK(db->Flush(FlushType::kWal)); });
  ASSERT_TRUE(WaitFor([&] { return gate->held() == 1; }));
  auto during = db->GetStatus();
  ASSERT_OK(during);
  EXPECT_GE(during->wal_upload_bytes, big.size());
  EXPECT_LE(during->wal_upload_bytes, big.size() + (128u << 10));
  EXPECT_GE(during->memtable_bytes, big.size());
  EXPECT_LT(during->memtable_bytes, GateSettings().max_unflushed_bytes);
  EXPECT_EQ(rec->Snapshot().Sum("slatedb.wal.wal_upload_bytes"),
            static_cast<double>(during->wal_upload_bytes));
  EXPECT_EQ(rec->Snapshot().Sum("slatedb.db.backpressure_count"), 0);

  // The next write stalls on the WAL SST in upload (before, only the memtable counted and it
  // went through), and does not freeze the memtable for it: the excess is the upload's.
  std::atomic<bool> wrote{false};
  std::thread writer([&] {
    EXPECT_OK(db->Put("small", "s", no_wait));
    wrote.store(true);
  });
  ASSERT_TRUE(WaitFor([&] { return rec->Snapshot().Sum("slatedb.db.backpressure_count") == 1; }));
  EXPECT_FALSE(wrote.load());
  EXPECT_EQ(rec->Snapshot().Sum("slatedb.memtable_flush.memtable_freeze_count"), 0);

  // The upload's end releases it.
  gate->Open();
  flusher.join();
  writer.join();
  EXPECT_TRUE(wrote.load());
  auto after = db->GetStatus();
  ASSERT_OK(after);
  EXPECT_EQ(after->wal_upload_bytes, 0u);
  EXPECT_EQ(rec->Snapshot().Sum("slatedb.wal.wal_upload_bytes"), 0);
  EXPECT_EQ(rec->Snapshot().Sum("slatedb.memtable_flush.memtable_freeze_count"), 0);
  auto got = db->Get("big");
  ASSERT_OK(got);
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(got->value().size(), big.size());
  got = db->Get("small");
  ASSERT_OK(got);
  EXPECT_EQ(got->value_or(""), "s");
  ASSERT_OK(db->Close());
}

TEST(BackpressureTest, CloseReleasesAWriterStalledOnTheWalUpload) {
  Settings s = GateSettings();
  s.close_timeout = milliseconds(200);  // the held upload never ends before Close gives up
  Gated g;
  ASSERT_OK(g.Open(s));
  auto& gate = g.gate;
  auto& rec = g.rec;
  Db* db = g.db.get();
  WriteOptions no_wait;
  no_wait.await_durable = false;
  ASSERT_OK(db->Put("big", std::string(1 << 20, 'v'), no_wait));
  gate->Close();
  std::thread flusher([&] { (void)db->Flush(FlushType::kWal); });
  ASSERT_TRUE(WaitFor([&] { return gate->held() == 1; }));
  Status stalled_write;
  std::thread writer([&] { stalled_write = db->Put("small", "s", no_wait).status(); });
  ASSERT_TRUE(WaitFor([&] { return rec->Snapshot().Sum("slatedb.db.backpressure_count") == 1; }));
  std::thread closer([&] { (void)db->Close(); });
  writer.join();  // Close wakes the stalled writer with kClosed instead of leaving it waiting
  EXPECT_TRUE(stalled_write.IsClosed()) << stalled_write.ToString();
  gate->Open();  // lets the held upload finish so that Close and the flush can return
  closer.join();
  flusher.join();
}

TEST(BackpressureTest, WalSstsHoldWholeCommitsOfBoundedSize) {
  auto store = NewMemoryObjectStore();
  auto gate = std::make_shared<WalGateStore>(store);
  Settings s = GateSettings();
  s.l0_sst_size_bytes = 256 << 10;  // also the WAL SST bound (wal_flush_bytes)
  s.max_unflushed_bytes = 64 << 20;
  Components c;
  c.object_store = gate;
  auto opened = Db::Open("db", std::move(c), s);
  ASSERT_OK(opened);
  std::unique_ptr<Db> db = std::move(opened).value();
  WriteOptions no_wait;
  no_wait.await_durable = false;
  // 40 commits of 10 rows x 4 KiB (~41 KiB each, 1.6 MiB in all) while WAL uploads are held (a
  // slow store): the freezes at 256 KiB kick an upload that waits, everything else piles up in
  // the buffer, and the final Flush uploads it — in bounded SSTs, not one 1.6 MiB SST.
  gate->Close();
  std::map<std::string, std::string> expected;
  for (int b = 0; b < 40; ++b) {
    WriteBatch batch;
    for (int i = 0; i < 10; ++i) {
      const std::string key = "k" + std::to_string(b * 10 + i);
      const std::string value(4096, static_cast<char>('a' + b % 26));
      batch.Put(key, value);
      expected[key] = value;
    }
    ASSERT_OK(db->Write(batch, no_wait));
  }
  gate->Open();
  ASSERT_OK(db->Flush(FlushType::kWal));

  wal::WalStore wal(store, "db");
  auto ids = wal.ListIds();
  ASSERT_OK(ids);
  std::set<uint64_t> seen_seqs;
  size_t rows = 0;
  size_t ssts_with_rows = 0;
  for (uint64_t id : *ids) {
    auto sst_rows = wal.Read(id);
    ASSERT_OK(sst_rows);
    if (sst_rows->empty()) continue;  // the fence
    ++ssts_with_rows;
    size_t bytes = 0;
    std::set<uint64_t> seqs;
    for (const auto& row : *sst_rows) {
      bytes += row.EstimatedSize();
      seqs.insert(row.seq);
    }
    // At most wal_flush_bytes plus the one commit that crosses it.
    EXPECT_LE(bytes, (256u << 10) + 10 * (4096 + 32 + 8)) << "WAL SST " << id;
    for (uint64_t seq : seqs) {
      EXPECT_TRUE(seen_seqs.insert(seq).second) << "commit " << seq << " split across WAL SSTs";
    }
    // Whole commits: every seq in this SST has all of its 10 rows here.
    EXPECT_EQ(sst_rows->size(), seqs.size() * 10) << "WAL SST " << id;
    rows += sst_rows->size();
  }
  EXPECT_EQ(rows, 400u);
  EXPECT_GE(ssts_with_rows, 6u);  // 1.6 MiB in SSTs of <= ~300 KiB
  ASSERT_OK(db->Close());

  // Everything is durable and reads back after reopening (replaying those WAL SSTs).
  Components c2;
  c2.object_store = store;
  auto reopened = Db::Open("db", std::move(c2), s);
  ASSERT_OK(reopened);
  for (const auto& [key, value] : expected) {
    auto got = (*reopened)->Get(key);
    ASSERT_OK(got);
    ASSERT_TRUE(got->has_value()) << key;
    EXPECT_EQ(got->value(), value) << key;
  }
  ASSERT_OK((*reopened)->Close());
}

}  // namespace
}  // namespace slatedb
