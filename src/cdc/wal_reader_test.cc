// Tests of the public WalReader / WalCursor (include/slatedb/wal_reader.h) on the memory, the
// local and (with $SLATEDB_TEST_S3_ENDPOINT) the S3 store; WAL files are written with WalStore.
#include "slatedb/wal_reader.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "backend.h"
#include "format/manifest.h"
#include "manifest/manifest_store.h"
#include "object_store/s3_object_store.h"
#include "slatedb/clock.h"
#include "slatedb/object_store.h"
#include "subprocess.h"
#include "test_util.h"
#include "util/random.h"
#include "wal/wal_store.h"

namespace slatedb {
namespace {

using format::RowEntry;
using format::RowKind;

RowEntry Row(std::string key, std::string value, uint64_t seq, RowKind kind = RowKind::kValue) {
  RowEntry r;
  r.key = std::move(key);
  r.value = kind == RowKind::kTombstone ? "" : std::move(value);
  r.seq = seq;
  r.kind = kind;
  return r;
}

// Every key in the store (to prove a reader creates nothing).
std::vector<std::string> AllKeys(ObjectStore& store) {
  std::vector<std::string> keys;
  auto listed = store.List("");
  EXPECT_OK(listed) << listed.status().ToString();
  if (listed.ok()) {
    for (const auto& m : *listed) keys.push_back(m.key);
  }
  return keys;
}

// Parameter: "Memory", "Local" (a temp directory) or "S3" (moto at $SLATEDB_TEST_S3_ENDPOINT, a
// fresh bucket per test; skipped when unset).
class WalReaderTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = std::make_unique<testing::TempDir>();
    ASSERT_OK_AND_ASSIGN(auto b,
                         testing::MakeTestStore(GetParam(), dir_->path(), "wal-reader", "p"));
    if (!b.skip.empty()) GTEST_SKIP() << b.skip;
    store_ = b.store;
    wal_ = std::make_unique<wal::WalStore>(store_, "db");
  }
  Result<std::unique_ptr<WalReader>> OpenReader() {
    WalReaderOptions options;
    options.poll_interval = std::chrono::milliseconds(500);
    options.clock = clock_;
    return WalReader::Open(store_, "/db/", options);
  }

  std::unique_ptr<testing::TempDir> dir_;
  std::shared_ptr<ObjectStore> store_;
  std::unique_ptr<wal::WalStore> wal_;
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(1'000'000);
};

TEST_P(WalReaderTest, RowsKindsAndTtlFields) {
  ASSERT_OK(wal_->WriteFence(1));
  RowEntry ttl = Row("t", "tv", 1);
  ttl.create_ts = 1000;
  ttl.expire_ts = 61000;
  ASSERT_OK(wal_->Write(2, {ttl, Row("u", "uv", 1)}));
  ASSERT_OK(
      wal_->Write(3, {Row("t", "", 2, RowKind::kTombstone), Row("m", "op", 3, RowKind::kMerge)}));
  ASSERT_OK_AND_ASSIGN(auto reader, OpenReader());

  ASSERT_OK_AND_ASSIGN(auto files, reader->List());
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].id, 1u);
  EXPECT_EQ(files[2].id, 3u);
  EXPECT_GT(files[1].size, 0u);
  ASSERT_OK_AND_ASSIGN(auto ranged, reader->List(2, 3));
  ASSERT_EQ(ranged.size(), 1u);
  EXPECT_EQ(ranged[0].id, 2u);

  ASSERT_OK_AND_ASSIGN(auto fence_rows, reader->ReadFile(1));
  EXPECT_TRUE(fence_rows.empty());
  ASSERT_OK_AND_ASSIGN(auto rows, reader->ReadFile(2));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].wal_id, 2u);
  EXPECT_EQ(rows[0].key, "t");
  EXPECT_EQ(rows[0].value, "tv");
  EXPECT_EQ(rows[0].kind, WalRowKind::kValue);
  EXPECT_EQ(rows[0].create_ts, std::optional<int64_t>(1000));
  EXPECT_EQ(rows[0].expire_ts, std::optional<int64_t>(61000));
  EXPECT_EQ(rows[1].key, "u");
  EXPECT_FALSE(rows[1].expire_ts.has_value());
  ASSERT_OK_AND_ASSIGN(auto rows3, reader->ReadFile(3));
  ASSERT_EQ(rows3.size(), 2u);
  EXPECT_EQ(rows3[0].kind, WalRowKind::kTombstone);
  EXPECT_EQ(rows3[0].value, "");
  EXPECT_EQ(rows3[1].kind, WalRowKind::kMerge);
  EXPECT_EQ(rows3[1].value, "op");
  EXPECT_EQ(rows3[1].seq, 3u);
  EXPECT_STREQ(WalRowKindName(rows3[0].kind), "Tombstone");
  EXPECT_STREQ(WalRowKindName(rows3[1].kind), "Merge");

  auto missing = reader->ReadFile(9);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("00000000000000000009.sst"), std::string::npos);
}

TEST_P(WalReaderTest, CursorStepsOverFencesAndZeroByteObjects) {
  ASSERT_OK(wal_->WriteFence(1));
  ASSERT_OK(wal_->Write(2, {Row("a", "1", 1)}));
  ASSERT_OK(store_->PutIfAbsent(wal_->ObjectKey(3), ""));  // zero-byte fence marker
  ASSERT_OK(wal_->WriteFence(4));
  ASSERT_OK(wal_->Write(5, {Row("b", "2", 2)}));
  ASSERT_OK_AND_ASSIGN(auto reader, OpenReader());
  ASSERT_OK_AND_ASSIGN(auto cursor, reader->CursorAtWalId(1));
  std::vector<WalRow> rows = testing::DrainCursor(*cursor);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].wal_id, 2u);
  EXPECT_EQ(rows[1].wal_id, 5u);
  EXPECT_EQ(rows[1].key, "b");
  EXPECT_EQ(cursor->next_wal_id(), 6u);
}

TEST_P(WalReaderTest, LiveCursorPicksUpFilesWrittenAfterItStarted) {
  ASSERT_OK(wal_->Write(1, {Row("a", "1", 1)}));
  ASSERT_OK_AND_ASSIGN(auto reader, OpenReader());
  ASSERT_OK_AND_ASSIGN(auto cursor, reader->CursorAtWalId(1));
  ASSERT_EQ(testing::DrainCursor(*cursor).size(), 1u);

  ASSERT_OK(wal_->Write(2, {Row("b", "2", 2)}));
  ASSERT_OK(wal_->WriteFence(3));
  ASSERT_OK(wal_->Write(4, {Row("c", "3", 3), Row("d", "4", 3)}));
  // The clock has not moved: the cursor does not poll again yet.
  ASSERT_OK_AND_ASSIGN(auto early, cursor->TryNext());
  EXPECT_FALSE(early.has_value());
  clock_->Advance(499);
  ASSERT_OK_AND_ASSIGN(auto still_early, cursor->TryNext());
  EXPECT_FALSE(still_early.has_value());
  clock_->Advance(1);
  std::vector<WalRow> rows = testing::DrainCursor(*cursor);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].key, "b");
  EXPECT_EQ(rows[1].wal_id, 4u);
  EXPECT_EQ(rows[2].key, "d");
  EXPECT_EQ(cursor->next_wal_id(), 5u);
}

TEST_P(WalReaderTest, CursorAtSeqStartsAtTheFileHoldingIt) {
  ASSERT_OK(wal_->WriteFence(1));
  ASSERT_OK(wal_->Write(2, {Row("a", "1", 1)}));
  ASSERT_OK(wal_->Write(3, {Row("b", "2", 2), Row("c", "2", 2)}));
  ASSERT_OK(wal_->Write(4, {Row("d", "3", 3)}));
  ASSERT_OK(wal_->Write(5, {Row("e", "4", 4)}));
  ASSERT_OK_AND_ASSIGN(auto reader, OpenReader());
  ASSERT_OK_AND_ASSIGN(auto cursor, reader->CursorAtSeq(2));
  EXPECT_EQ(cursor->next_wal_id(), 3u);
  std::vector<WalRow> rows = testing::DrainCursor(*cursor);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].seq, 2u);
  EXPECT_EQ(rows[3].seq, 4u);

  ASSERT_OK_AND_ASSIGN(auto from_zero, reader->CursorAtSeq(0));
  EXPECT_EQ(testing::DrainCursor(*from_zero).size(), 5u);
  // Past the tail: nothing yet, then the next file once written and polled.
  ASSERT_OK_AND_ASSIGN(auto tail, reader->CursorAtSeq(5));
  EXPECT_TRUE(testing::DrainCursor(*tail).empty());
  ASSERT_OK(wal_->Write(6, {Row("f", "5", 5)}));
  clock_->Advance(500);
  std::vector<WalRow> tail_rows = testing::DrainCursor(*tail);
  ASSERT_EQ(tail_rows.size(), 1u);
  EXPECT_EQ(tail_rows[0].key, "f");
}

TEST_P(WalReaderTest, GcGapIsDataErrorNamingTheMissingId) {
  for (uint64_t id = 1; id <= 4; ++id) {
    ASSERT_OK(wal_->Write(id, {Row("k" + std::to_string(id), "v", id)}));
  }
  ASSERT_OK_AND_ASSIGN(auto reader, OpenReader());
  ASSERT_OK_AND_ASSIGN(auto cursor, reader->CursorAtWalId(1));
  ASSERT_OK_AND_ASSIGN(auto first, cursor->TryNext());
  ASSERT_TRUE(first.has_value());
  // The GC removes WAL 2 and 3 before the cursor read them.
  ASSERT_OK(store_->Delete(wal_->ObjectKey(2)));
  ASSERT_OK(store_->Delete(wal_->ObjectKey(3)));
  auto next = cursor->TryNext();
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code(), StatusCode::kData);
  EXPECT_NE(next.status().message().find("WAL 2 "), std::string::npos) << next.status().ToString();
  EXPECT_NE(next.status().message().find("WAL 4 exists"), std::string::npos);
  // Never a silent skip: the cursor stays at 2 and keeps failing.
  EXPECT_EQ(cursor->next_wal_id(), 2u);
  EXPECT_EQ(cursor->TryNext().status().code(), StatusCode::kData);

  // Opening at a removed id fails too, and so does a seq that lived in removed files.
  auto at_removed = reader->CursorAtWalId(3);
  EXPECT_EQ(at_removed.status().code(), StatusCode::kData);
  ASSERT_OK(store_->Delete(wal_->ObjectKey(1)));
  auto at_seq = reader->CursorAtSeq(1);
  EXPECT_EQ(at_seq.status().code(), StatusCode::kData);
  EXPECT_NE(at_seq.status().message().find("sequence 1"), std::string::npos)
      << at_seq.status().ToString();
}

TEST_P(WalReaderTest, GapBehindManifestReplayPointIsAnError) {
  // Every WAL file is gone, but the manifest says WALs up to 7 were written and flushed.
  manifest::ManifestStore manifests(store_, "db");
  format::Manifest m;
  m.replay_after_wal_id = 7;
  m.wal_id_last_seen = 7;
  ASSERT_OK(manifests.WriteNew(1, m));
  ASSERT_OK_AND_ASSIGN(auto reader, OpenReader());
  auto cursor = reader->CursorAtWalId(5);
  ASSERT_FALSE(cursor.ok());
  EXPECT_EQ(cursor.status().code(), StatusCode::kData);
  EXPECT_NE(cursor.status().message().find("WAL 5 "), std::string::npos);
  EXPECT_NE(cursor.status().message().find("replays after WAL 7"), std::string::npos);
  // The tail after the replay point is just "nothing yet".
  ASSERT_OK_AND_ASSIGN(auto at_tail, reader->CursorAtWalId(8));
  ASSERT_OK_AND_ASSIGN(auto none, at_tail->TryNext());
  EXPECT_FALSE(none.has_value());
}

TEST_P(WalReaderTest, StrayObjectsAreIgnored) {
  ASSERT_OK(wal_->Write(1, {Row("a", "1", 1)}));
  ASSERT_OK(store_->Put("db/wal/backup/00000000000000000002.sst", "junk"));
  ASSERT_OK(store_->Put("db/wal/00000000000000000003.sst.tmp", "junk"));
  ASSERT_OK(store_->Put("db/wal/3.sst", "junk"));
  ASSERT_OK_AND_ASSIGN(auto reader, OpenReader());
  ASSERT_OK_AND_ASSIGN(auto files, reader->List());
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].id, 1u);
  // The stray "…/00000000000000000002.sst" is not taken as a later WAL: no gap error at 2.
  ASSERT_OK_AND_ASSIGN(auto cursor, reader->CursorAtWalId(1));
  std::vector<WalRow> rows = testing::DrainCursor(*cursor);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(cursor->next_wal_id(), 2u);
}

TEST_P(WalReaderTest, ReaderCreatesNoObject) {
  ASSERT_OK(wal_->WriteFence(1));
  ASSERT_OK(wal_->Write(2, {Row("a", "1", 1)}));
  const std::vector<std::string> before = AllKeys(*store_);
  ASSERT_OK_AND_ASSIGN(auto reader, OpenReader());
  ASSERT_OK(reader->List().status());
  ASSERT_OK(reader->ReadFile(2).status());
  ASSERT_OK_AND_ASSIGN(auto cursor, reader->CursorAtSeq(0));
  EXPECT_EQ(testing::DrainCursor(*cursor).size(), 1u);
  clock_->Advance(1000);
  EXPECT_TRUE(testing::DrainCursor(*cursor).empty());
  EXPECT_EQ(AllKeys(*store_), before);
  // A reader on a path with no database creates nothing either.
  ASSERT_OK_AND_ASSIGN(auto empty, WalReader::Open(store_, "nothing"));
  ASSERT_OK_AND_ASSIGN(auto none, empty->List());
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(AllKeys(*store_), before);
}

TEST_P(WalReaderTest, CorruptWalIsDataErrorNamingObject) {
  ASSERT_OK(wal_->Write(1, {Row("a", "1", 1)}));
  ASSERT_OK_AND_ASSIGN(std::string bytes, store_->Get(wal_->ObjectKey(1)));
  bytes[bytes.size() / 3] ^= 0x40;
  ASSERT_OK(store_->Put(wal_->ObjectKey(1), bytes));
  ASSERT_OK_AND_ASSIGN(auto reader, OpenReader());
  auto rows = reader->ReadFile(1);
  EXPECT_EQ(rows.status().code(), StatusCode::kData);
  EXPECT_NE(rows.status().message().find("db/wal/00000000000000000001.sst"), std::string::npos);
}

TEST(WalReaderOpenTest, RejectsBadArguments) {
  auto store = NewMemoryObjectStore();
  EXPECT_EQ(WalReader::Open(nullptr, "db").status().code(), StatusCode::kInvalid);
  EXPECT_EQ(WalReader::Open(store, "a//b").status().code(), StatusCode::kInvalid);
  WalReaderOptions zero;
  zero.poll_interval = std::chrono::milliseconds(0);
  auto bad = WalReader::Open(store, "db", zero);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalid);
  EXPECT_NE(bad.status().message().find("poll_interval"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Stores, WalReaderTest, ::testing::Values("Memory", "Local", "S3"),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           return param.param;
                         });

}  // namespace
}  // namespace slatedb
