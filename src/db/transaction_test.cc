// Tests of snapshots (slatedb/snapshot.h) and optimistic transactions (slatedb/transaction.h):
// snapshot reads across flushes and compaction, the published recent_snapshot_min_seq, flush
// retention, read-your-writes, SI/SSI conflicts, MarkRead/UnmarkWrite, Rollback, the conflict
// tracker's memory, and a randomized SSI history checked against a serial model.
#include "slatedb/transaction.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "db/db_impl.h"
#include "gtest/gtest.h"
#include "manifest/manifest_store.h"
#include "manifest/paths.h"
#include "slatedb/db.h"
#include "slatedb/merge_operator.h"
#include "slatedb/snapshot.h"
#include "table/sst_reader.h"
#include "test_settings.h"
#include "test_util.h"
#include "util/random.h"

namespace slatedb {
namespace {

using testing::ScanToMap;

Settings TestSettings() {
  Settings s;
  s.flush_interval = std::chrono::milliseconds(10);
  s.manifest_poll_interval = std::chrono::milliseconds(20);
  s.compactor_options.reset();
  s.garbage_collector_options.reset();
  return s;
}

Settings CompactingSettings() {
  Settings s = TestSettings();
  s.l0_max_ssts = 1000;
  s.compactor_options = testing::EagerCompactorOptions();
  s.compactor_options->scheduler_options["include_size_threshold"] = "1000";
  return s;
}

std::unique_ptr<Db> MustOpen(std::shared_ptr<ObjectStore> store, Settings settings = TestSettings(),
                             std::shared_ptr<MergeOperator> merge_operator = nullptr) {
  Components c;
  c.object_store = std::move(store);
  c.seed = 7;
  c.merge_operator = std::move(merge_operator);
  auto db = Db::Open("db", std::move(c), settings);
  EXPECT_OK(db) << db.status().ToString();
  return db.ok() ? std::move(db).value() : nullptr;
}

const db::TxnManager& Txns(Db& db) { return dynamic_cast<db::DbImpl&>(db).txn_manager(); }

std::optional<std::string> MustGet(DbRead& r, const std::string& key) {
  auto v = r.Get(key);
  EXPECT_OK(v) << key << ": " << v.status().ToString();
  return v.ok() ? *v : std::nullopt;
}

using Rows = std::vector<std::pair<std::string, std::string>>;

Rows ScanRows(DbRead& r, ScanRange range = {}, bool reverse = false) {
  ScanOptions opts;
  opts.reverse = reverse;
  auto it = r.Scan(range, opts);
  return testing::DrainRows(std::move(it));
}

format::Manifest LatestManifest(const std::shared_ptr<ObjectStore>& store) {
  manifest::ManifestStore manifests(store, "db");
  auto latest = manifests.ReadLatest();
  EXPECT_TRUE(latest.ok() && latest->has_value());
  return latest.ok() && latest->has_value() ? (*latest)->manifest : format::Manifest();
}

// Waits (polling the manifest; not a timed assertion) until the compactor merged every L0 into
// exactly one sorted run. False after a minute.
bool WaitForOneSortedRun(const std::shared_ptr<ObjectStore>& store) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    format::Manifest m = LatestManifest(store);
    if (m.l0.empty() && m.compacted.size() == 1) return true;
    std::this_thread::yield();
  }
  return false;
}

// Every stored row of `key` (all versions) in the SSTs the latest manifest lists.
std::vector<format::RowEntry> StoredVersions(const std::shared_ptr<ObjectStore>& store,
                                             const std::string& key) {
  format::Manifest m = LatestManifest(store);
  std::vector<format::SstHandle> ssts = m.l0;
  for (const auto& run : m.compacted) ssts.insert(ssts.end(), run.ssts.begin(), run.ssts.end());
  std::vector<format::RowEntry> out;
  for (const auto& h : ssts) {
    auto reader = table::SstReader::OpenWithInfo(store, manifest::CompactedSstPath("db", h.id),
                                                 h.info, h.format_version.value_or(1), {});
    EXPECT_OK(reader) << reader.status().ToString();
    if (!reader.ok()) continue;
    auto it = (*reader)->NewIterator(table::Direction::kForward);
    EXPECT_OK(it->SeekToFirst());
    while (it->Valid()) {
      if (it->row().key == key) out.push_back(it->row());
      EXPECT_OK(it->Next());
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Snapshots

TEST(SnapshotTest, ReadsOldVersionsAfterFlushAndFullCompaction) {
  auto store = NewMemoryObjectStore();
  auto db = MustOpen(store, CompactingSettings());
  ASSERT_NE(db, nullptr);
  ASSERT_OK(db->Put("a", "a1"));
  ASSERT_OK(db->Put("b", "b1"));
  ASSERT_OK(db->Put("c", "c1"));
  ASSERT_OK(db->Flush(FlushType::kMemTable));  // L0 #1
  ASSERT_OK(db->Put("a", "a2"));               // same memtable as the snapshot's seq
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Snapshot> snap, db->Snapshot());
  ASSERT_OK_AND_ASSIGN(WriteHandle h, db->Put("a", "a3"));
  EXPECT_EQ(h.seq(), snap->seq() + 1);
  ASSERT_OK(db->Delete("b"));
  ASSERT_OK(db->Put("d", "d1"));
  const Rows at_snapshot = {{"a", "a2"}, {"b", "b1"}, {"c", "c1"}};
  const Rows now = {{"a", "a3"}, {"c", "c1"}, {"d", "d1"}};
  EXPECT_EQ(ScanRows(*snap), at_snapshot);
  ASSERT_OK(db->Flush(FlushType::kMemTable));  // L0 #2: keeps a2 (the snapshot's) and a3
  EXPECT_EQ(LatestManifest(store).recent_snapshot_min_seq, snap->seq());
  ASSERT_TRUE(WaitForOneSortedRun(store)) << "the compactor did not merge the L0s";
  // The next L0 publish applies to the compactor's manifest, so from here on the writer (and
  // the snapshot) read the sorted run, not the compacted L0s.
  ASSERT_OK(db->Put("e", "e1"));
  ASSERT_OK(db->Flush(FlushType::kMemTable));
  EXPECT_EQ(LatestManifest(store).recent_snapshot_min_seq, snap->seq());  // still pinned
  EXPECT_EQ(MustGet(*snap, "a"), "a2");
  EXPECT_EQ(MustGet(*snap, "b"), "b1");
  EXPECT_EQ(MustGet(*snap, "d"), std::nullopt);
  EXPECT_EQ(ScanRows(*snap), at_snapshot);
  const Rows at_snapshot_rev(at_snapshot.rbegin(), at_snapshot.rend());
  EXPECT_EQ(ScanRows(*snap, {}, /*reverse=*/true), at_snapshot_rev);
  ASSERT_OK_AND_ASSIGN(auto multi, snap->MultiGet({"a", "b", "d"}));
  EXPECT_EQ(multi, (std::vector<std::optional<std::string>>{"a2", "b1", std::nullopt}));
  ASSERT_OK_AND_ASSIGN(auto kv, snap->GetKeyValue("a"));
  ASSERT_TRUE(kv.has_value());
  EXPECT_LE(kv->seq, snap->seq());
  EXPECT_EQ(MustGet(*db, "a"), "a3");
  EXPECT_EQ(MustGet(*db, "b"), std::nullopt);
  // The compacted run kept a2 for the snapshot.
  std::vector<format::RowEntry> a_versions = StoredVersions(store, "a");
  EXPECT_TRUE(std::any_of(a_versions.begin(), a_versions.end(),
                          [](const format::RowEntry& r) { return r.value == "a2"; }));

  // Released: the next manifest write publishes last_l0_seq again and the next compaction
  // drops the versions only the snapshot needed.
  snap.reset();
  EXPECT_EQ(Txns(*db).live_snapshots(), 0u);
  ASSERT_OK(db->Put("f", "f1"));
  ASSERT_OK(db->Flush(FlushType::kMemTable));
  format::Manifest m = LatestManifest(store);
  EXPECT_EQ(m.recent_snapshot_min_seq, m.last_l0_seq);
  ASSERT_TRUE(WaitForOneSortedRun(store));
  a_versions = StoredVersions(store, "a");
  ASSERT_EQ(a_versions.size(), 1u);
  EXPECT_EQ(a_versions[0].value, "a3");
  EXPECT_TRUE(StoredVersions(store, "b").empty());  // the tombstone met the bottom run
  EXPECT_EQ(ScanToMap(*db), (std::map<std::string, std::string>{
                                {"a", "a3"}, {"c", "c1"}, {"d", "d1"}, {"e", "e1"}, {"f", "f1"}}));
  ASSERT_OK(db->Close());
}

TEST(SnapshotTest, FlushKeepsVersionsOfLiveSnapshotsOnly) {
  auto store = NewMemoryObjectStore();
  auto db = MustOpen(store);
  ASSERT_NE(db, nullptr);
  ASSERT_OK(db->Put("k", "v1"));
  ASSERT_OK_AND_ASSIGN(auto s1, db->Snapshot());
  ASSERT_OK(db->Put("k", "v2"));
  ASSERT_OK(db->Put("k", "v3"));
  ASSERT_OK_AND_ASSIGN(auto s3, db->Snapshot());
  ASSERT_OK(db->Put("k", "v4"));
  ASSERT_OK(db->Flush(FlushType::kMemTable));
  // Above the oldest snapshot every version is kept, plus the newest at or below it.
  std::vector<std::string> values;
  for (const auto& r : StoredVersions(store, "k")) values.push_back(r.value);
  EXPECT_EQ(values, (std::vector<std::string>{"v4", "v3", "v2", "v1"}));
  EXPECT_EQ(MustGet(*s1, "k"), "v1");
  EXPECT_EQ(MustGet(*s3, "k"), "v3");
  // The stored manifest names the oldest live snapshot.
  EXPECT_EQ(LatestManifest(store).recent_snapshot_min_seq, s1->seq());
  s1.reset();
  ASSERT_OK(db->Put("k", "v5"));
  ASSERT_OK(db->Flush(FlushType::kMemTable));
  EXPECT_EQ(LatestManifest(store).recent_snapshot_min_seq, s3->seq());
  s3.reset();
  ASSERT_OK(db->Put("k", "v6"));
  ASSERT_OK(db->Put("k", "v7"));
  ASSERT_OK(db->Flush(FlushType::kMemTable));
  format::Manifest m = LatestManifest(store);
  EXPECT_EQ(m.recent_snapshot_min_seq, m.last_l0_seq);
  // The last L0 holds only v7 (no snapshot): v6 was not written.
  values.clear();
  for (const auto& r : StoredVersions(store, "k")) values.push_back(r.value);
  EXPECT_EQ(std::count(values.begin(), values.end(), "v6"), 0);
  EXPECT_EQ(std::count(values.begin(), values.end(), "v7"), 1);
  ASSERT_OK(db->Close());
}

TEST(SnapshotTest, OutlivesItsDatabase) {
  auto db = MustOpen(NewMemoryObjectStore());
  ASSERT_NE(db, nullptr);
  ASSERT_OK(db->Put("k", "v"));
  ASSERT_OK_AND_ASSIGN(auto snap, db->Snapshot());
  ASSERT_OK_AND_ASSIGN(auto txn, db->Begin(IsolationLevel::kSerializableSnapshot));
  EXPECT_EQ(MustGet(*snap, "k"), "v");
  ASSERT_OK(db->Close());
  EXPECT_TRUE(snap->Get("k").status().IsClosed());
  EXPECT_TRUE(snap->Scan({}).status().IsClosed());
  EXPECT_TRUE(txn->Get("k").status().IsClosed());
  db.reset();  // destroyed: reads still answer kClosed, destruction stays safe
  EXPECT_TRUE(snap->Get("k").status().IsClosed());
  ASSERT_OK(txn->Put("k", "w"));
  EXPECT_TRUE(txn->Commit().status().IsClosed());
  snap.reset();
  txn.reset();
}

// ---------------------------------------------------------------------------------------------
// Transactions

TEST(TransactionTest, ReadYourWritesGetAndScanBothDirections) {
  auto db = MustOpen(NewMemoryObjectStore(), TestSettings(), StringAppendOperator(","));
  ASSERT_NE(db, nullptr);
  for (const char* k : {"a", "b", "c", "d", "e"}) ASSERT_OK(db->Put(k, std::string(k) + "0"));
  ASSERT_OK_AND_ASSIGN(auto txn, db->Begin(IsolationLevel::kSnapshot));
  EXPECT_FALSE(txn->id().empty());
  ASSERT_OK(txn->Put("b", "b1"));
  ASSERT_OK(txn->Delete("c"));
  ASSERT_OK(txn->Put("bb", "new"));
  ASSERT_OK(txn->Merge("d", "x"));  // onto the snapshot's value
  ASSERT_OK(txn->Put("f", "f1"));
  ASSERT_OK(txn->Merge("f", "y"));       // onto the buffered put
  ASSERT_OK(txn->Delete("zz"));          // deleting an absent key
  ASSERT_OK(db->Put("e", "e-outside"));  // after the snapshot: invisible
  EXPECT_EQ(MustGet(*txn, "b"), "b1");
  EXPECT_EQ(MustGet(*txn, "c"), std::nullopt);
  EXPECT_EQ(MustGet(*txn, "d"), "d0,x");
  EXPECT_EQ(MustGet(*txn, "e"), "e0");
  EXPECT_EQ(MustGet(*txn, "f"), "f1,y");
  ASSERT_OK_AND_ASSIGN(auto kv, txn->GetKeyValue("b"));
  ASSERT_TRUE(kv.has_value());
  EXPECT_EQ(kv->seq, UINT64_MAX);  // buffered
  const Rows all = {{"a", "a0"},   {"b", "b1"}, {"bb", "new"},
                    {"d", "d0,x"}, {"e", "e0"}, {"f", "f1,y"}};
  EXPECT_EQ(ScanRows(*txn), all);
  EXPECT_EQ(ScanRows(*txn, {}, true), Rows(all.rbegin(), all.rend()));
  EXPECT_EQ(ScanRows(*txn, {"b", "d"}), (Rows{{"b", "b1"}, {"bb", "new"}}));
  EXPECT_EQ(ScanRows(*txn, {"b", "e"}, true), (Rows{{"d", "d0,x"}, {"bb", "new"}, {"b", "b1"}}));
  ASSERT_OK_AND_ASSIGN(auto prefixed, txn->ScanPrefix("b"));
  ASSERT_OK_AND_ASSIGN(auto first, prefixed->Next());
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->key, "b");
  // Seek inside a merged scan, forward and reverse.
  ASSERT_OK_AND_ASSIGN(auto it, txn->Scan({}));
  ASSERT_OK(it->Seek("c"));
  ASSERT_OK_AND_ASSIGN(auto after_c, it->Next());
  ASSERT_TRUE(after_c.has_value());
  EXPECT_EQ(after_c->key, "d");
  ScanOptions rev;
  rev.reverse = true;
  ASSERT_OK_AND_ASSIGN(auto rit, txn->Scan({}, rev));
  ASSERT_OK(rit->Seek("c"));
  ASSERT_OK_AND_ASSIGN(auto before_c, rit->Next());
  ASSERT_TRUE(before_c.has_value());
  EXPECT_EQ(before_c->key, "bb");
  // Nothing is visible outside before the commit.
  EXPECT_EQ(MustGet(*db, "b"), "b0");
  ASSERT_OK_AND_ASSIGN(WriteHandle h, txn->Commit());
  EXPECT_EQ(h.seq(), txn->seq() + 2);  // one plain put committed in between
  // d holds a committed merge operand over d0, resolved by the read path's merge operator.
  EXPECT_EQ(ScanToMap(*db), (std::map<std::string, std::string>{{"a", "a0"},
                                                                {"b", "b1"},
                                                                {"bb", "new"},
                                                                {"d", "d0,x"},
                                                                {"e", "e-outside"},
                                                                {"f", "f1,y"}}));
  ASSERT_OK_AND_ASSIGN(auto kvb, db->GetKeyValue("bb"));
  ASSERT_TRUE(kvb.has_value());
  EXPECT_EQ(kvb->seq, h.seq());
  ASSERT_OK(db->Close());
}

TEST(TransactionTest, SnapshotIsolationWriteWriteConflicts) {
  auto db = MustOpen(NewMemoryObjectStore());
  ASSERT_NE(db, nullptr);
  ASSERT_OK(db->Put("k", "0"));
  // With another transaction: the first committer wins.
  ASSERT_OK_AND_ASSIGN(auto t1, db->Begin(IsolationLevel::kSnapshot));
  ASSERT_OK_AND_ASSIGN(auto t2, db->Begin(IsolationLevel::kSnapshot));
  ASSERT_OK(t1->Put("k", "1"));
  ASSERT_OK(t2->Put("k", "2"));
  ASSERT_OK(t2->Put("other", "x"));
  ASSERT_OK(t1->Commit());
  Result<WriteHandle> lost = t2->Commit();
  ASSERT_TRUE(lost.status().IsTransaction()) << lost.status().ToString();
  EXPECT_NE(lost.status().message().find("'k'"), std::string::npos) << lost.status().ToString();
  Status after = t2->Put("k", "again");  // a failed commit is final
  EXPECT_TRUE(after.IsInvalid());
  EXPECT_NE(after.message().find("commit failed"), std::string::npos) << after.ToString();
  EXPECT_EQ(MustGet(*db, "k"), "1");
  EXPECT_EQ(MustGet(*db, "other"), std::nullopt);  // nothing of the failed commit was written
  // With a plain Db write.
  ASSERT_OK_AND_ASSIGN(auto t3, db->Begin(IsolationLevel::kSnapshot));
  ASSERT_OK(t3->Delete("k"));
  ASSERT_OK(db->Put("k", "plain"));
  EXPECT_TRUE(t3->Commit().status().IsTransaction());
  // Disjoint keys and writes before begin do not conflict.
  ASSERT_OK_AND_ASSIGN(auto t4, db->Begin(IsolationLevel::kSnapshot));
  ASSERT_OK_AND_ASSIGN(auto t5, db->Begin(IsolationLevel::kSnapshot));
  ASSERT_OK(t4->Put("k", "4"));
  ASSERT_OK(t5->Put("j", "5"));
  ASSERT_OK_AND_ASSIGN(WriteHandle h4, t4->Commit());
  ASSERT_OK_AND_ASSIGN(WriteHandle h5, t5->Commit());
  EXPECT_EQ(h5.seq(), h4.seq() + 1);
  EXPECT_GT(h4.create_ts(), 0);
  ASSERT_OK(db->Close());
}

// Write skew: two transactions each read both keys and write one. SI allows it, SSI rejects the
// second commit.
TEST(TransactionTest, WriteSkewAllowedUnderSiRejectedUnderSsi) {
  for (IsolationLevel level : {IsolationLevel::kSnapshot, IsolationLevel::kSerializableSnapshot}) {
    SCOPED_TRACE(level == IsolationLevel::kSnapshot ? "SI" : "SSI");
    auto db = MustOpen(NewMemoryObjectStore());
    ASSERT_NE(db, nullptr);
    ASSERT_OK(db->Put("x", "1"));
    ASSERT_OK(db->Put("y", "1"));
    ASSERT_OK_AND_ASSIGN(auto t1, db->Begin(level));
    ASSERT_OK_AND_ASSIGN(auto t2, db->Begin(level));
    EXPECT_EQ(MustGet(*t1, "x"), "1");
    EXPECT_EQ(MustGet(*t1, "y"), "1");
    EXPECT_EQ(MustGet(*t2, "x"), "1");
    EXPECT_EQ(MustGet(*t2, "y"), "1");
    ASSERT_OK(t1->Put("x", "0"));
    ASSERT_OK(t2->Put("y", "0"));
    ASSERT_OK(t1->Commit());
    Result<WriteHandle> second = t2->Commit();
    if (level == IsolationLevel::kSnapshot) {
      ASSERT_OK(second);
      EXPECT_EQ(MustGet(*db, "y"), "0");
    } else {
      EXPECT_TRUE(second.status().IsTransaction()) << second.status().ToString();
      EXPECT_EQ(MustGet(*db, "y"), "1");
    }
    ASSERT_OK(db->Close());
  }
}

TEST(TransactionTest, SsiDetectsPhantomsInScannedRanges) {
  auto db = MustOpen(NewMemoryObjectStore());
  ASSERT_NE(db, nullptr);
  ASSERT_OK(db->Put("user/1", "a"));
  ASSERT_OK(db->Put("zzz", "outside"));
  // A scan that found one row; another commit inserts a new key inside the range.
  ASSERT_OK_AND_ASSIGN(auto t1, db->Begin(IsolationLevel::kSerializableSnapshot));
  EXPECT_EQ(ScanRows(*t1, {"user/", "user0"}).size(), 1u);
  ASSERT_OK(t1->Put("count", "1"));
  ASSERT_OK(db->Put("user/2", "b"));  // phantom
  EXPECT_TRUE(t1->Commit().status().IsTransaction());
  // A write outside the range does not conflict; nor does the range under SI.
  ASSERT_OK_AND_ASSIGN(auto t2, db->Begin(IsolationLevel::kSerializableSnapshot));
  ASSERT_OK_AND_ASSIGN(auto t3, db->Begin(IsolationLevel::kSnapshot));
  EXPECT_EQ(ScanRows(*t2, {"user/", "user0"}).size(), 2u);
  EXPECT_EQ(ScanRows(*t3, {"user/", "user0"}).size(), 2u);
  ASSERT_OK(t2->Put("count", "2"));
  ASSERT_OK(t3->Put("count3", "2"));
  ASSERT_OK(db->Put("zzz", "changed"));
  ASSERT_OK(db->Put("user/3", "c"));
  // t2's range now holds a phantom; t3 (SI) does not track ranges.
  EXPECT_TRUE(t2->Commit().status().IsTransaction());
  ASSERT_OK(t3->Commit());
  // The requested range counts even where the iterator never reached (an unread scan).
  ASSERT_OK_AND_ASSIGN(auto t4, db->Begin(IsolationLevel::kSerializableSnapshot));
  ASSERT_OK_AND_ASSIGN(auto unread, t4->ScanPrefix("user/"));
  ASSERT_OK(t4->Put("count", "4"));
  ASSERT_OK(db->Put("user/9", "d"));
  EXPECT_TRUE(t4->Commit().status().IsTransaction());
  ASSERT_OK(db->Close());
}

TEST(TransactionTest, MarkReadAndUnmarkWrite) {
  auto db = MustOpen(NewMemoryObjectStore());
  ASSERT_NE(db, nullptr);
  // MarkRead makes an SI transaction conflict on a key it did not write.
  ASSERT_OK_AND_ASSIGN(auto t1, db->Begin(IsolationLevel::kSnapshot));
  ASSERT_OK(t1->MarkRead({"guard"}));
  ASSERT_OK(t1->Put("x", "1"));
  ASSERT_OK(db->Put("guard", "changed"));
  EXPECT_TRUE(t1->Commit().status().IsTransaction());
  // Without MarkRead the same SI history commits.
  ASSERT_OK_AND_ASSIGN(auto t2, db->Begin(IsolationLevel::kSnapshot));
  ASSERT_OK(t2->Get("guard"));
  ASSERT_OK(t2->Put("x", "2"));
  ASSERT_OK(db->Put("guard", "changed again"));
  ASSERT_OK(t2->Commit());
  // UnmarkWrite: the key is still written, but no longer conflicts, in either direction.
  ASSERT_OK_AND_ASSIGN(auto t3, db->Begin(IsolationLevel::kSnapshot));
  ASSERT_OK_AND_ASSIGN(auto t4, db->Begin(IsolationLevel::kSnapshot));
  ASSERT_OK(t3->Put("counter", "3"));
  ASSERT_OK(t3->UnmarkWrite({"counter"}));
  ASSERT_OK(t4->Put("counter", "4"));
  ASSERT_OK(db->Put("counter", "plain"));  // would conflict with t3 without the unmark
  ASSERT_OK(t3->Commit());
  EXPECT_EQ(MustGet(*db, "counter"), "3");
  // t4 still conflicts with the plain put (its own key is tracked) ...
  EXPECT_TRUE(t4->Commit().status().IsTransaction());
  // ... and a transaction's unmarked write does not make others conflict.
  ASSERT_OK_AND_ASSIGN(auto t5, db->Begin(IsolationLevel::kSnapshot));
  ASSERT_OK_AND_ASSIGN(auto t6, db->Begin(IsolationLevel::kSnapshot));
  ASSERT_OK(t5->UnmarkWrite({"hot"}));  // before writing it
  ASSERT_OK(t5->Put("hot", "5"));
  ASSERT_OK(t6->Put("hot", "6"));
  ASSERT_OK(t5->Commit());
  ASSERT_OK(t6->Commit());
  EXPECT_EQ(MustGet(*db, "hot"), "6");
  ASSERT_OK(db->Close());
}

TEST(TransactionTest, RollbackAndFinishedTransactionsRefuseCalls) {
  auto db = MustOpen(NewMemoryObjectStore());
  ASSERT_NE(db, nullptr);
  ASSERT_OK_AND_ASSIGN(auto t1, db->Begin(IsolationLevel::kSnapshot));
  ASSERT_OK(t1->Put("k", "v"));
  EXPECT_EQ(MustGet(*t1, "k"), "v");
  ASSERT_OK(t1->Rollback());
  ASSERT_OK(t1->Rollback());  // idempotent
  EXPECT_EQ(MustGet(*db, "k"), std::nullopt);
  EXPECT_TRUE(t1->Get("k").status().IsInvalid());
  EXPECT_TRUE(t1->Put("k", "v").IsInvalid());
  EXPECT_TRUE(t1->Commit().status().IsInvalid());
  ASSERT_OK_AND_ASSIGN(auto t2, db->Begin(IsolationLevel::kSerializableSnapshot));
  ASSERT_OK(t2->Put("k", "v2"));
  ASSERT_OK(t2->Commit());
  Status again = t2->Put("k", "v3");
  EXPECT_TRUE(again.IsInvalid());
  EXPECT_NE(again.message().find("already committed"), std::string::npos) << again.ToString();
  EXPECT_TRUE(t2->Commit().status().IsInvalid());
  EXPECT_TRUE(t2->Rollback().IsInvalid());
  EXPECT_TRUE(t2->Scan({}).status().IsInvalid());
  // A read-only transaction commits trivially with the last committed seq, even under SSI with
  // a concurrent write to what it read (it serializes at its snapshot).
  ASSERT_OK_AND_ASSIGN(auto t3, db->Begin(IsolationLevel::kSerializableSnapshot));
  EXPECT_EQ(MustGet(*t3, "k"), "v2");
  ASSERT_OK_AND_ASSIGN(WriteHandle w, db->Put("k", "v4"));
  ASSERT_OK_AND_ASSIGN(WriteHandle ro, t3->Commit());
  EXPECT_EQ(ro.seq(), w.seq());
  // Bad input.
  ASSERT_OK_AND_ASSIGN(auto t4, db->Begin(IsolationLevel::kSnapshot));
  EXPECT_TRUE(t4->Put("", "v").IsInvalid());
  EXPECT_TRUE(t4->Merge("k", "x").IsInvalid());  // no merge operator configured
  t4.reset();                                    // destroyed unfinished: rolled back
  EXPECT_EQ(Txns(*db).active_txns(), 0u);
  ASSERT_OK(db->Close());
  EXPECT_TRUE(db->Begin(IsolationLevel::kSnapshot).status().IsClosed());
  EXPECT_TRUE(db->Snapshot().status().IsClosed());
}

TEST(TransactionTest, ConflictTrackerShrinksToZero) {
  auto db = MustOpen(NewMemoryObjectStore());
  ASSERT_NE(db, nullptr);
  const db::TxnManager& txns = Txns(*db);
  // No transaction active: plain writes record nothing.
  for (int i = 0; i < 10; ++i) ASSERT_OK(db->Put("k" + std::to_string(i), "v"));
  EXPECT_EQ(txns.tracked_commits(), 0u);
  ASSERT_OK_AND_ASSIGN(auto old, db->Begin(IsolationLevel::kSnapshot));
  for (int i = 0; i < 10; ++i) ASSERT_OK(db->Put("k" + std::to_string(i), "w"));
  EXPECT_EQ(txns.tracked_commits(), 10u);
  ASSERT_OK_AND_ASSIGN(auto young, db->Begin(IsolationLevel::kSerializableSnapshot));
  ASSERT_OK(young->Put("y", "1"));
  ASSERT_OK(db->Put("z", "1"));
  EXPECT_EQ(txns.tracked_commits(), 11u);
  EXPECT_EQ(txns.tracked_keys(), 11u);
  // Ending the oldest drops what only it could conflict with: commits at or below young's seq.
  ASSERT_OK(old->Rollback());
  EXPECT_EQ(txns.tracked_commits(), 1u);
  ASSERT_OK(young->Commit());
  EXPECT_EQ(txns.tracked_commits(), 0u);
  EXPECT_EQ(txns.tracked_keys(), 0u);
  EXPECT_EQ(txns.active_txns(), 0u);
  EXPECT_EQ(txns.live_snapshots(), 0u);
  ASSERT_OK(db->Close());
}

TEST(TransactionTest, TruncatedConflictHistoryFailsOldTransactions) {
  db::TxnManager txns(1, /*max_tracked_keys=*/4);
  std::atomic<uint64_t> committed{10};
  std::string id;
  const uint64_t begin = txns.BeginTxn(committed, &id);
  EXPECT_EQ(begin, 10u);
  EXPECT_EQ(id.size(), 36u);
  for (uint64_t seq = 11; seq <= 16; ++seq) {
    format::RowEntry row;
    row.key = "k" + std::to_string(seq);
    txns.PublishCommit(seq, {row}, nullptr, &committed);
  }
  EXPECT_EQ(committed.load(), 16u);
  EXPECT_EQ(txns.tracked_keys(), 4u);  // capped
  db::TxnConflictSet set;
  set.id = id;
  set.begin_seq = begin;
  set.write_keys = {"unrelated"};
  Status st = txns.CheckConflicts(set);
  EXPECT_TRUE(st.IsTransaction());
  EXPECT_NE(st.message().find("truncated"), std::string::npos) << st.ToString();
  set.begin_seq = 12;  // began after the dropped records: checkable
  EXPECT_OK(txns.CheckConflicts(set));
  set.write_keys = {"k15"};
  EXPECT_TRUE(txns.CheckConflicts(set).IsTransaction());
  txns.EndTxn(begin);
  EXPECT_EQ(txns.tracked_keys(), 0u);
}

// ---------------------------------------------------------------------------------------------
// Randomized: threads run random SSI transactions (and plain writes); the committed history,
// replayed serially in commit-seq order on a std::map, must reproduce every read and the final
// state. Read-only transactions are replayed at their snapshot seq.

struct Op {
  enum Kind { kGet, kScan, kPut, kDelete } kind = kGet;
  std::string key;  // get, put, delete; scan: start
  std::string end;  // scan
  bool reverse = false;
  std::string value;               // put
  std::optional<std::string> got;  // get
  Rows scanned;                    // scan
};

struct Committed {
  uint64_t seq = 0;  // commit seq (writers) or snapshot seq (read-only)
  bool writer = false;
  std::vector<Op> ops;
};

TEST(TransactionTest, RandomizedSsiHistoriesAreSerializable) {
  Settings s = TestSettings();
  s.l0_sst_size_bytes = 4096;  // memtables freeze and flush while transactions run
  auto db = MustOpen(NewMemoryObjectStore(), s);
  ASSERT_NE(db, nullptr);
  constexpr int kThreads = 4;
  constexpr int kTxnsPerThread = 150;
  constexpr int kKeys = 16;
  auto key_name = [](uint64_t i) { return "k" + std::to_string(10 + i); };
  std::vector<std::vector<Committed>> per_thread(kThreads);
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      util::Random rng(1000 + t);
      for (int i = 0; i < kTxnsPerThread; ++i) {
        if (t == 0 && rng.OneIn(5)) {  // a plain write
          Committed c;
          c.writer = true;
          Op op;
          op.kind = rng.OneIn(3) ? Op::kDelete : Op::kPut;
          op.key = key_name(rng.Uniform(kKeys));
          op.value = "p" + std::to_string(i);
          auto h = op.kind == Op::kPut ? db->Put(op.key, op.value) : db->Delete(op.key);
          ASSERT_OK(h) << h.status().ToString();
          c.seq = h->seq();
          c.ops.push_back(op);
          per_thread[t].push_back(std::move(c));
          continue;
        }
        auto txn = db->Begin(IsolationLevel::kSerializableSnapshot);
        ASSERT_OK(txn) << txn.status().ToString();
        Committed c;
        const int n = 1 + static_cast<int>(rng.Uniform(6));
        for (int j = 0; j < n; ++j) {
          Op op;
          op.key = key_name(rng.Uniform(kKeys));
          switch (rng.Uniform(4)) {
            case 0: {
              auto v = (*txn)->Get(op.key);
              ASSERT_OK(v) << v.status().ToString();
              op.got = *v;
              break;
            }
            case 1: {
              op.kind = Op::kScan;
              op.end = key_name(rng.Uniform(kKeys));
              if (op.end < op.key) std::swap(op.end, op.key);
              op.reverse = rng.OneIn(2);
              op.scanned = ScanRows(**txn, {op.key, op.end}, op.reverse);
              break;
            }
            case 2:
              op.kind = Op::kPut;
              op.value =
                  "t" + std::to_string(t) + "." + std::to_string(i) + "." + std::to_string(j);
              ASSERT_OK((*txn)->Put(op.key, op.value));
              break;
            default:
              op.kind = Op::kDelete;
              ASSERT_OK((*txn)->Delete(op.key));
              break;
          }
          c.ops.push_back(std::move(op));
        }
        c.writer = std::any_of(c.ops.begin(), c.ops.end(), [](const Op& o) {
          return o.kind == Op::kPut || o.kind == Op::kDelete;
        });
        auto h = (*txn)->Commit();
        if (!h.ok()) {
          ASSERT_TRUE(h.status().IsTransaction()) << h.status().ToString();
          ASSERT_TRUE(c.writer);
          conflicts.fetch_add(1);
          continue;
        }
        c.seq = c.writer ? h->seq() : (*txn)->seq();
        per_thread[t].push_back(std::move(c));
      }
    });
  }
  for (auto& th : threads) th.join();

  std::vector<Committed> history;
  for (auto& v : per_thread) {
    for (auto& c : v) history.push_back(std::move(c));
  }
  // Writers at their commit seq; read-only transactions after every writer at or below their
  // snapshot seq.
  std::sort(history.begin(), history.end(), [](const Committed& a, const Committed& b) {
    if (a.seq != b.seq) return a.seq < b.seq;
    return a.writer && !b.writer;
  });
  size_t writers = 0;
  uint64_t last_writer_seq = 0;
  std::map<std::string, std::string> model;
  for (const Committed& c : history) {
    if (c.writer) {
      ASSERT_GT(c.seq, last_writer_seq) << "two writes share a seq";
      last_writer_seq = c.seq;
      ++writers;
    }
    std::map<std::string, std::string> local = model;
    for (const Op& op : c.ops) {
      switch (op.kind) {
        case Op::kGet: {
          auto it = local.find(op.key);
          std::optional<std::string> want;
          if (it != local.end()) want = it->second;
          ASSERT_EQ(op.got, want) << "get " << op.key << " at seq " << c.seq;
          break;
        }
        case Op::kScan: {
          Rows want(local.lower_bound(op.key), local.lower_bound(op.end));
          if (op.reverse) std::reverse(want.begin(), want.end());
          ASSERT_EQ(op.scanned, want)
              << "scan [" << op.key << ", " << op.end << ") at seq " << c.seq;
          break;
        }
        case Op::kPut:
          local[op.key] = op.value;
          break;
        case Op::kDelete:
          local.erase(op.key);
          break;
      }
    }
    if (c.writer) model = std::move(local);
  }
  EXPECT_EQ(ScanToMap(*db), model);
  EXPECT_GT(writers, 0u);
  std::printf("randomized SSI: %zu committed (%zu writers), %d conflicts\n", history.size(),
              writers, conflicts.load());
  // Everything released once the transactions ended.
  EXPECT_EQ(Txns(*db).tracked_commits(), 0u);
  EXPECT_EQ(Txns(*db).active_txns(), 0u);
  EXPECT_EQ(Txns(*db).live_snapshots(), 0u);
  ASSERT_OK(db->Close());
}

}  // namespace
}  // namespace slatedb
