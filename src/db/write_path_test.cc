// WritePath on its own, with a recording host: one seq per batch in WAL order under concurrent
// writers, create_ts monotonic, freeze at l0_sst_size_bytes, the backpressure freeze, Stop(),
// transaction conflicts atomic with the seq, recovery.
#include "db/write_path.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "slatedb/metrics.h"
#include "slatedb/write_batch.h"
#include "test_util.h"

namespace slatedb::db {
namespace {

// Records what the write path asks of its host. Its fields are touched only under the write
// path's mutex (or after the writers are joined).
class RecordingHost final : public WritePathHost {
 public:
  Status AwaitUnflushedRoom(bool may_freeze, bool* freeze) override {
    ++await_calls;
    if (!over_limit) return Status::OK();
    if (may_freeze) {
      *freeze = true;
      return Status::OK();
    }
    return Status::Closed(CloseReason::kClean, "stalled write gave up");
  }
  Status RefusedStatus() override { return Status::Closed(CloseReason::kClean, "refused"); }
  std::shared_ptr<memtable::Memtable> AddUnflushed(size_t bytes) override {
    unflushed += bytes;
    return memtable;
  }
  void InstallFrozen(std::shared_ptr<ImmutableMemtable> imm) override {
    imm->table = memtable;
    imm->table->Freeze();
    frozen.push_back(std::move(imm));
    memtable = std::make_shared<memtable::Memtable>();
  }
  void KickWalFlush() override { ++wal_kicks; }
  void KickMemtableFlush() override { ++l0_kicks; }
  void Latch(const Status& status) override { latched = status; }

  bool over_limit = false;
  int await_calls = 0;
  uint64_t unflushed = 0;
  std::shared_ptr<memtable::Memtable> memtable = std::make_shared<memtable::Memtable>();
  std::vector<std::shared_ptr<ImmutableMemtable>> frozen;
  int wal_kicks = 0;
  int l0_kicks = 0;
  Status latched;
};

// The rows of a one-put batch; they view the batch, which lives beside them.
struct BatchRows {
  WriteBatch batch;
  PendingRows rows;
};
std::unique_ptr<BatchRows> RowsOf(const std::string& key, const std::string& value) {
  auto out = std::make_unique<BatchRows>();
  out->batch.Put(key, value);
  Result<PendingRows> rows = RowsFromBatch(out->batch, nullptr);
  EXPECT_OK(rows.status());
  if (rows.ok()) out->rows = std::move(rows).value();
  return out;
}

class WritePathTest : public ::testing::Test {
 protected:
  WritePathTest() { Rebuild(64u << 20); }
  void Rebuild(uint64_t l0_sst_size_bytes) {
    opts_.l0_sst_size_bytes = l0_sst_size_bytes;
    opts_.wal_flush_bytes = 8u << 20;
    path_ =
        std::make_unique<WritePath>(&host_, opts_, &clock_, &txns_, &wal_, &metrics_, &committed_);
  }
  Result<WritePath::Ack> Put(const std::string& key, const std::string& value = "v",
                             const TxnConflictSet* txn = nullptr) {
    std::unique_ptr<BatchRows> rows = RowsOf(key, value);
    return path_->Write(rows->rows, txn);
  }

  RecordingHost host_;
  WritePath::Options opts_;
  util::ManualClock clock_{1000};
  TxnManager txns_{1};
  wal::WalBuffer wal_;
  DefaultMetricsRecorder recorder_;
  DbMetrics metrics_{recorder_};
  std::atomic<uint64_t> committed_{0};
  std::unique_ptr<WritePath> path_;
};

TEST_F(WritePathTest, ConcurrentWritersGetOneSeqEachInWalOrder) {
  constexpr int kThreads = 4;
  constexpr int kWrites = 300;
  std::vector<std::vector<uint64_t>> seqs(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWrites; ++i) {
        Result<WritePath::Ack> ack = Put("t" + std::to_string(t) + "-" + std::to_string(i));
        if (!ack.ok()) {
          ADD_FAILURE() << ack.status().ToString();
          return;
        }
        seqs[t].push_back(ack->seq);
      }
    });
  }
  for (std::thread& th : threads) th.join();
  std::set<uint64_t> all;
  for (const auto& s : seqs) {
    ASSERT_EQ(s.size(), static_cast<size_t>(kWrites));
    for (size_t i = 1; i < s.size(); ++i) EXPECT_LT(s[i - 1], s[i]);  // a writer's own order
    all.insert(s.begin(), s.end());
  }
  // One seq per batch, no gap, no duplicate.
  ASSERT_EQ(all.size(), static_cast<size_t>(kThreads * kWrites));
  EXPECT_EQ(*all.begin(), 1u);
  EXPECT_EQ(*all.rbegin(), static_cast<uint64_t>(kThreads * kWrites));
  EXPECT_EQ(committed_.load(), static_cast<uint64_t>(kThreads * kWrites));
  // The WAL buffer holds the batches in seq order.
  wal::WalBuffer::Batch batch = wal_.Take();
  ASSERT_EQ(batch.size(), static_cast<size_t>(kThreads * kWrites));
  for (size_t i = 0; i < batch.size(); ++i) EXPECT_EQ(batch.row(i).seq, i + 1);
  EXPECT_EQ(host_.memtable->num_entries(), static_cast<size_t>(kThreads * kWrites));
  EXPECT_EQ(host_.unflushed, batch.bytes);
  const MetricsSnapshot m = recorder_.Snapshot();
  EXPECT_EQ(m.Sum("slatedb.db.write_ops"), kThreads * kWrites);
  EXPECT_EQ(m.Sum("slatedb.db.write_batch_count"), kThreads * kWrites);
}

TEST_F(WritePathTest, CreateTsNeverGoesBackwards) {
  clock_.Set(5000);
  ASSERT_OK_AND_ASSIGN(WritePath::Ack a, Put("a"));
  clock_.Set(3000);  // the clock steps back
  ASSERT_OK_AND_ASSIGN(WritePath::Ack b, Put("b"));
  clock_.Set(7000);
  ASSERT_OK_AND_ASSIGN(WritePath::Ack c, Put("c"));
  EXPECT_EQ(a.create_ts, 5000);
  EXPECT_EQ(b.create_ts, 5000);
  EXPECT_EQ(c.create_ts, 7000);
  wal::WalBuffer::Batch batch = wal_.Take();
  ASSERT_EQ(batch.size(), 3u);
  EXPECT_EQ(batch.row(1).create_ts, std::optional<int64_t>(5000));
  EXPECT_EQ(batch.row(2).create_ts, std::optional<int64_t>(7000));
}

TEST_F(WritePathTest, FreezesAtL0SizeAndKicksTheFlushers) {
  const size_t row_bytes = RowsOf("k0", "v")->rows.bytes;
  Rebuild(3 * row_bytes);
  ASSERT_OK(Put("k0").status());
  ASSERT_OK(Put("k1").status());
  EXPECT_TRUE(host_.frozen.empty());
  ASSERT_OK(Put("k2").status());
  ASSERT_EQ(host_.frozen.size(), 1u);
  const ImmutableMemtable& imm = *host_.frozen[0];
  EXPECT_EQ(imm.first_seq, 1u);
  EXPECT_EQ(imm.max_seq, 3u);
  EXPECT_EQ(imm.bytes, 3 * row_bytes);
  EXPECT_EQ(imm.table->num_entries(), 3u);
  EXPECT_TRUE(imm.table->frozen());
  EXPECT_EQ(host_.l0_kicks, 1);
  EXPECT_EQ(host_.wal_kicks, 1);
  // The next write goes to the fresh memtable; Freeze() freezes it, ordered with the writes.
  ASSERT_OK(Put("k3").status());
  EXPECT_EQ(host_.memtable->num_entries(), 1u);
  ASSERT_OK(path_->Freeze());
  ASSERT_EQ(host_.frozen.size(), 2u);
  EXPECT_EQ(host_.frozen[1]->first_seq, 4u);
  EXPECT_EQ(host_.frozen[1]->max_seq, 4u);
  // Nothing to freeze: no empty immutable memtable.
  ASSERT_OK(path_->Freeze());
  EXPECT_EQ(host_.frozen.size(), 2u);
  EXPECT_EQ(recorder_.Snapshot().Sum("slatedb.memtable_flush.memtable_freeze_count"), 2);
}

TEST_F(WritePathTest, BackpressureFreezesTheMemtableHoldingTheExcess) {
  ASSERT_OK(Put("a").status());
  host_.over_limit = true;
  // The mutable memtable holds the excess: frozen and the flushers kicked, then the write waits
  // (here: gives up as on Close) without taking a seq.
  Result<WritePath::Ack> stalled = Put("b");
  ASSERT_TRUE(stalled.status().IsClosed()) << stalled.status().ToString();
  EXPECT_EQ(stalled.status().message(), "stalled write gave up");
  ASSERT_EQ(host_.frozen.size(), 1u);
  EXPECT_EQ(host_.frozen[0]->max_seq, 1u);
  EXPECT_EQ(host_.l0_kicks, 1);
  EXPECT_EQ(host_.wal_kicks, 1);
  EXPECT_EQ(host_.await_calls, 3);  // once for "a", twice for "b" (before and after the freeze)
  // An empty memtable is not frozen again.
  ASSERT_TRUE(Put("c").status().IsClosed());
  EXPECT_EQ(host_.frozen.size(), 1u);
  host_.over_limit = false;
  ASSERT_OK_AND_ASSIGN(WritePath::Ack d, Put("d"));
  EXPECT_EQ(d.seq, 2u);
  EXPECT_EQ(committed_.load(), 2u);
}

TEST_F(WritePathTest, StopRefusesLaterWritesAndFreezes) {
  ASSERT_OK(Put("a").status());
  path_->Stop();
  Result<WritePath::Ack> refused = Put("b");
  ASSERT_TRUE(refused.status().IsClosed());
  EXPECT_EQ(refused.status().message(), "refused");
  Status freeze = path_->Freeze();
  EXPECT_TRUE(freeze.IsClosed()) << freeze.ToString();
  EXPECT_TRUE(host_.frozen.empty());
  EXPECT_EQ(committed_.load(), 1u);
  EXPECT_EQ(wal_.Take().size(), 1u);
  path_->FreezeAfterStop();  // Close() of a WAL-less database
  ASSERT_EQ(host_.frozen.size(), 1u);
  EXPECT_EQ(host_.frozen[0]->max_seq, 1u);
}

TEST_F(WritePathTest, TransactionConflictTakesNoSeq) {
  std::string id;
  TxnConflictSet txn;
  txn.begin_seq = txns_.BeginTxn(committed_, &id);
  txn.id = id;
  txn.write_keys = {"k"};
  ASSERT_OK(Put("k").status());  // seq 1, after the transaction began
  Result<WritePath::Ack> conflict = Put("k", "txn", &txn);
  EXPECT_EQ(conflict.status().code(), StatusCode::kTransaction) << conflict.status().ToString();
  ASSERT_OK_AND_ASSIGN(WritePath::Ack next, Put("other"));
  EXPECT_EQ(next.seq, 2u);
  EXPECT_EQ(wal_.Take().size(), 2u);
  txns_.EndTxn(txn.begin_seq);
}

TEST_F(WritePathTest, ConcurrentConflictingCommitsExactlyOneWins) {
  for (int round = 0; round < 50; ++round) {
    std::string id_a;
    std::string id_b;
    TxnConflictSet a;
    TxnConflictSet b;
    a.begin_seq = txns_.BeginTxn(committed_, &id_a);
    b.begin_seq = txns_.BeginTxn(committed_, &id_b);
    a.id = id_a;
    b.id = id_b;
    a.write_keys = b.write_keys = {"x"};
    Status sa;
    Status sb;
    std::thread ta([&] { sa = Put("x", "a", &a).status(); });
    std::thread tb([&] { sb = Put("x", "b", &b).status(); });
    ta.join();
    tb.join();
    EXPECT_NE(sa.ok(), sb.ok()) << "round " << round << ": " << sa.ToString() << " / "
                                << sb.ToString();
    const Status& loser = sa.ok() ? sb : sa;
    EXPECT_EQ(loser.code(), StatusCode::kTransaction) << loser.ToString();
    txns_.EndTxn(a.begin_seq);
    txns_.EndTxn(b.begin_seq);
  }
  EXPECT_EQ(committed_.load(), 50u);
}

TEST_F(WritePathTest, RecoveryReplaysRowsAboveTheL0Seq) {
  path_->Reset(10, 500);
  std::vector<format::RowEntry> rows(3);
  rows[0].key = "old";
  rows[0].seq = 9;  // already in L0
  rows[1].key = "a";
  rows[1].seq = 11;
  rows[1].create_ts = 800;
  rows[2].key = "b";
  rows[2].seq = 12;
  rows[2].create_ts = 900;
  uint64_t max_seq = 0;
  ASSERT_OK(path_->ReplayRows(rows, 10, &max_seq));
  EXPECT_EQ(max_seq, 12u);
  EXPECT_EQ(committed_.load(), 12u);
  EXPECT_EQ(host_.memtable->num_entries(), 2u);
  EXPECT_EQ(path_->FinishRecovery(), 12u);
  clock_.Set(850);  // below the replayed create_ts: stays at 900
  ASSERT_OK_AND_ASSIGN(WritePath::Ack ack, Put("c"));
  EXPECT_EQ(ack.seq, 13u);
  EXPECT_EQ(ack.create_ts, 900);
  ASSERT_OK(path_->Freeze());
  ASSERT_EQ(host_.frozen.size(), 1u);
  EXPECT_EQ(host_.frozen[0]->first_seq, 11u);
  EXPECT_EQ(host_.frozen[0]->first_create_ts, 800);
  EXPECT_EQ(host_.frozen[0]->max_seq, 13u);
}

}  // namespace
}  // namespace slatedb::db
