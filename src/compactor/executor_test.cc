// Merge semantics and output rolling of RunCompaction, and the executor pool's completion
// guarantee.
#include "compactor/executor.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>

#include "format/sst.h"
#include "manifest/paths.h"
#include "object_store/fault_injecting_object_store.h"
#include "object_store/object_store_wrapper.h"
#include "slatedb/merge_operator.h"
#include "table/sst_writer.h"
#include "test_util.h"

namespace slatedb::compactor {
namespace {

using format::RowEntry;
using format::RowKind;

RowEntry Row(std::string key, uint64_t seq, RowKind kind, std::string value = "",
             std::optional<int64_t> expire = std::nullopt) {
  RowEntry r;
  r.key = std::move(key);
  r.seq = seq;
  r.kind = kind;
  r.value = kind == RowKind::kTombstone ? "" : std::move(value);
  r.create_ts = 5;
  r.expire_ts = expire;
  return r;
}

class ExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ctx_.store = NewMemoryObjectStore();
    ctx_.db_path = "db";
    ctx_.clock = util::SystemClock::Default();
    ctx_.ulids = std::make_shared<format::UlidGenerator>(3);
    ctx_.output.min_filter_keys = 1;
    ctx_.output.block_size = 256;
  }

  format::SstHandle Write(std::vector<RowEntry> rows) {
    format::SstHandle h;
    h.id = ctx_.ulids->Next(ctx_.clock->NowMillis());
    h.format_version = 2;
    format::SstBuilderOptions o;
    o.block_size = 256;
    auto sst = table::WriteSst(*ctx_.store, manifest::CompactedSstPath("db", h.id), rows, o);
    EXPECT_OK(sst) << sst.status().ToString();
    h.info = sst->info;
    return h;
  }

  // All rows of the outputs, in order, checking that the outputs are ordered and disjoint.
  std::vector<RowEntry> ReadOutputs(const CompactionJobResult& r) {
    std::vector<RowEntry> all;
    for (size_t i = 0; i < r.outputs.size(); ++i) {
      auto bytes = ctx_.store->Get(manifest::CompactedSstPath("db", r.outputs[i].id));
      EXPECT_OK(bytes);
      auto decoded = format::DecodeSst(*bytes);
      EXPECT_OK(decoded) << decoded.status().ToString();
      EXPECT_EQ(decoded->info, r.outputs[i].info);
      if (i > 0) {
        EXPECT_LT(*r.outputs[i - 1].info.last_entry, *r.outputs[i].info.first_entry);
      }
      for (auto& row : decoded->rows) all.push_back(row);
    }
    return all;
  }

  ExecutorContext ctx_;
  std::atomic<bool> no_cancel_{false};
};

TEST_F(ExecutorTest, NewestWinsAndTombstonesStayAboveTheBottom) {
  CompactionJob job;
  // Newest L0 first; then a run.
  job.l0.push_back(
      Write({Row("a", 10, RowKind::kValue, "a10"), Row("c", 11, RowKind::kTombstone)}));
  job.l0.push_back(Write({Row("a", 5, RowKind::kValue, "a5"), Row("b", 6, RowKind::kValue, "b6")}));
  job.runs.push_back({3,
                      {Write({Row("b", 2, RowKind::kTombstone), Row("c", 1, RowKind::kValue, "c1"),
                              Row("d", 3, RowKind::kTombstone)})}});
  job.retention_min_seq = 100;  // no snapshot needs old versions
  job.output_is_bottom = false;
  auto r = RunCompaction(job, ctx_, no_cancel_);
  ASSERT_OK(r.status) << r.status.ToString();
  ASSERT_FALSE(r.cancelled);
  auto rows = ReadOutputs(r);
  std::vector<RowEntry> want = {
      Row("a", 10, RowKind::kValue, "a10"), Row("b", 6, RowKind::kValue, "b6"),
      Row("c", 11, RowKind::kTombstone), Row("d", 3, RowKind::kTombstone)};
  EXPECT_EQ(rows, want);
  EXPECT_EQ(r.rows_written, 4u);

  job.output_is_bottom = true;  // nothing below: tombstones go
  r = RunCompaction(job, ctx_, no_cancel_);
  ASSERT_OK(r.status);
  rows = ReadOutputs(r);
  want = {Row("a", 10, RowKind::kValue, "a10"), Row("b", 6, RowKind::kValue, "b6")};
  EXPECT_EQ(rows, want);
}

TEST_F(ExecutorTest, KeepsVersionsNeededBySnapshots) {
  CompactionJob job;
  job.l0.push_back(Write({Row("k", 9, RowKind::kValue, "v9"), Row("x", 8, RowKind::kTombstone)}));
  job.l0.push_back(Write({Row("k", 6, RowKind::kValue, "v6"), Row("x", 4, RowKind::kValue, "x4")}));
  job.l0.push_back(Write({Row("k", 3, RowKind::kValue, "v3"), Row("k", 1, RowKind::kValue, "v1")}));
  job.retention_min_seq = 5;  // a snapshot at seq 5 must still see k=v3 and x=x4
  job.output_is_bottom = true;
  auto r = RunCompaction(job, ctx_, no_cancel_);
  ASSERT_OK(r.status) << r.status.ToString();
  std::vector<RowEntry> want = {
      Row("k", 9, RowKind::kValue, "v9"), Row("k", 6, RowKind::kValue, "v6"),
      Row("k", 3, RowKind::kValue, "v3"), Row("x", 8, RowKind::kTombstone),
      Row("x", 4, RowKind::kValue, "x4")};
  EXPECT_EQ(ReadOutputs(r), want);
}

TEST_F(ExecutorTest, ExpiredValuesBecomeTombstonesAndMergeOperandsAreKept) {
  CompactionJob job;
  job.l0.push_back(
      Write({Row("e", 4, RowKind::kValue, "old", 50), Row("f", 5, RowKind::kValue, "live", 500),
             Row("m", 6, RowKind::kMerge, "+1"), Row("n", 7, RowKind::kMerge, "+x", 40)}));
  job.compaction_clock_tick = 100;
  job.retention_min_seq = 100;
  auto r = RunCompaction(job, ctx_, no_cancel_);
  ASSERT_OK(r.status);
  auto rows = ReadOutputs(r);
  ASSERT_EQ(rows.size(), 3u);  // n's expired operand is dropped
  EXPECT_EQ(rows[0].key, "e");
  EXPECT_EQ(rows[0].kind, RowKind::kTombstone);
  EXPECT_EQ(rows[0].seq, 4u);
  EXPECT_EQ(rows[0].create_ts, 5);
  EXPECT_EQ(rows[1], Row("f", 5, RowKind::kValue, "live", 500));
  EXPECT_EQ(rows[2], Row("m", 6, RowKind::kMerge, "+1"));
  job.output_is_bottom = true;
  r = RunCompaction(job, ctx_, no_cancel_);
  ASSERT_OK(r.status);
  EXPECT_EQ(ReadOutputs(r).size(), 2u);  // the expired "e" is gone entirely
}

std::string U64(uint64_t x) {
  std::string out(8, '\0');
  for (size_t i = 0; i < 8; ++i) out[i] = static_cast<char>((x >> (8 * i)) & 0xff);
  return out;
}

// With a merge operator, the operands at or below the retention bound are folded with the base
// below them; those above it (a snapshot may read between them) stay as they are.
TEST_F(ExecutorTest, MergeOperandsCollapseBelowTheRetentionBound) {
  ctx_.merge_operator = UInt64AddOperator();
  CompactionJob job;
  // Counter c: base 10 (seq 1), +1 .. +6 (seqs 2..7) spread over three L0s; +100 at seq 8.
  job.l0.push_back(
      Write({Row("c", 8, RowKind::kMerge, U64(100)), Row("c", 7, RowKind::kMerge, U64(6)),
             Row("c", 6, RowKind::kMerge, U64(5))}));
  job.l0.push_back(
      Write({Row("c", 5, RowKind::kMerge, U64(4)), Row("c", 4, RowKind::kMerge, U64(3)),
             Row("d", 4, RowKind::kMerge, U64(7))}));
  job.l0.push_back(
      Write({Row("c", 3, RowKind::kMerge, U64(2)), Row("c", 2, RowKind::kMerge, U64(1)),
             Row("c", 1, RowKind::kValue, U64(10))}));
  job.retention_min_seq = 6;  // a snapshot at seq 6 reads c = 10+1+..+5 = 25
  job.output_is_bottom = false;
  auto r = RunCompaction(job, ctx_, no_cancel_);
  ASSERT_OK(r.status) << r.status.ToString();
  auto rows = ReadOutputs(r);
  // c: seq 8 and 7 as they are, seqs 6..1 folded into one value; d: one operand (no base, not
  // the bottom run).
  std::vector<RowEntry> want = {
      Row("c", 8, RowKind::kMerge, U64(100)), Row("c", 7, RowKind::kMerge, U64(6)),
      Row("c", 6, RowKind::kValue, U64(25)), Row("d", 4, RowKind::kMerge, U64(7))};
  EXPECT_EQ(rows, want);
  EXPECT_EQ(r.rows_written, 4u);

  // Everything at or below the bound, into the bottom run: one value per key.
  job.retention_min_seq = 100;
  job.output_is_bottom = true;
  r = RunCompaction(job, ctx_, no_cancel_);
  ASSERT_OK(r.status) << r.status.ToString();
  want = {Row("c", 8, RowKind::kValue, U64(131)), Row("d", 4, RowKind::kValue, U64(7))};
  EXPECT_EQ(ReadOutputs(r), want);
  EXPECT_EQ(r.rows_written, 2u);
}

TEST_F(ExecutorTest, MergeCollapseRespectsTombstonesAndOperandTtls) {
  ctx_.merge_operator = StringAppendOperator();
  CompactionJob job;
  job.l0.push_back(Write({Row("a", 9, RowKind::kMerge, "x"), Row("b", 9, RowKind::kMerge, "y", 500),
                          Row("e", 9, RowKind::kMerge, "gone", 50)}));
  job.l0.push_back(Write({Row("a", 8, RowKind::kTombstone), Row("b", 8, RowKind::kMerge, "z"),
                          Row("e", 8, RowKind::kMerge, "kept")}));
  job.runs.push_back(
      {1,
       {Write({Row("a", 2, RowKind::kValue, "hidden"), Row("b", 2, RowKind::kValue, "base"),
               Row("e", 2, RowKind::kValue, "base")})}});
  job.compaction_clock_tick = 100;  // e@9 has expired: dropped
  job.retention_min_seq = 100;
  job.output_is_bottom = true;
  auto r = RunCompaction(job, ctx_, no_cancel_);
  ASSERT_OK(r.status) << r.status.ToString();
  std::vector<RowEntry> want = {
      // a: the operand folds onto the tombstone (a value merged onto nothing); "hidden" goes.
      Row("a", 9, RowKind::kValue, "x"),
      // b: y expires at 500, z never: they stay apart; z folds onto the base.
      Row("b", 9, RowKind::kMerge, "y", 500), Row("b", 8, RowKind::kValue, "base,z"),
      // e: the expired operand is dropped, the live one folds onto the base.
      Row("e", 8, RowKind::kValue, "base,kept")};
  EXPECT_EQ(ReadOutputs(r), want);
}

// No merge operator: the operands and everything down to their base are kept as they are (the
// compaction never fails and never drops them), and one info line says so.
TEST_F(ExecutorTest, WithoutAMergeOperatorOperandsAreKept) {
  auto logger = std::make_shared<slatedb::testing::CapturingLogger>();
  ctx_.log = util::Log(logger);
  CompactionJob job;
  job.l0.push_back(Write({Row("m", 9, RowKind::kMerge, "b"), Row("n", 9, RowKind::kValue, "v")}));
  job.l0.push_back(Write({Row("m", 8, RowKind::kMerge, "a"), Row("n", 8, RowKind::kMerge, "o")}));
  job.runs.push_back(
      {1, {Write({Row("m", 2, RowKind::kValue, "base"), Row("m", 1, RowKind::kValue, "older")})}});
  job.retention_min_seq = 100;
  job.output_is_bottom = true;
  for (int round = 0; round < 2; ++round) {
    auto r = RunCompaction(job, ctx_, no_cancel_);
    ASSERT_OK(r.status) << r.status.ToString();
    std::vector<RowEntry> want = {
        Row("m", 9, RowKind::kMerge, "b"), Row("m", 8, RowKind::kMerge, "a"),
        Row("m", 2, RowKind::kValue, "base"), Row("n", 9, RowKind::kValue, "v")};
    EXPECT_EQ(ReadOutputs(r), want);
  }
  EXPECT_EQ(logger->Count("no merge operator configured"), 1u) << "logged once per compactor";
  EXPECT_NE(logger->Text(LogLevel::kInfo).find("[info] compactor db: merge operands are kept"),
            std::string::npos)
      << logger->Text(LogLevel::kTrace);
}

// An operator that refuses an operand: the key's operands stay unmerged, the job succeeds.
TEST_F(ExecutorTest, AMergeOperatorErrorKeepsTheOperands) {
  ctx_.merge_operator = UInt64AddOperator();
  auto logger = std::make_shared<slatedb::testing::CapturingLogger>();
  ctx_.log = util::Log(logger);
  CompactionJob job;
  job.l0.push_back(
      Write({Row("bad", 9, RowKind::kMerge, "abc"), Row("ok", 9, RowKind::kMerge, U64(2))}));
  job.l0.push_back(
      Write({Row("bad", 8, RowKind::kValue, U64(1)), Row("ok", 8, RowKind::kValue, U64(1))}));
  job.retention_min_seq = 100;
  auto r = RunCompaction(job, ctx_, no_cancel_);
  ASSERT_OK(r.status) << r.status.ToString();
  std::vector<RowEntry> want = {Row("bad", 9, RowKind::kMerge, "abc"),
                                Row("bad", 8, RowKind::kValue, U64(1)),
                                Row("ok", 9, RowKind::kValue, U64(3))};
  EXPECT_EQ(ReadOutputs(r), want);
  EXPECT_EQ(logger->Count("keeps merge operands unmerged"), 1u);
  EXPECT_NE(logger->Text(LogLevel::kWarn).find("'bad'"), std::string::npos)
      << logger->Text(LogLevel::kTrace);
}

TEST_F(ExecutorTest, RollsOutputsAtMaxSstSizeWithoutSplittingAKey) {
  std::vector<RowEntry> newer, older;
  for (int i = 0; i < 400; ++i) {
    char key[16];
    std::snprintf(key, sizeof(key), "key%05d", i);
    newer.push_back(Row(key, 1000 + i, RowKind::kValue, std::string(40, 'n')));
    older.push_back(Row(key, 1 + i, RowKind::kValue, std::string(40, 'o')));
  }
  CompactionJob job;
  job.l0.push_back(Write(newer));
  job.l0.push_back(Write(older));
  job.retention_min_seq = 0;  // keep both versions of every key
  ctx_.output.max_sst_size = 2048;
  auto r = RunCompaction(job, ctx_, no_cancel_);
  ASSERT_OK(r.status) << r.status.ToString();
  EXPECT_GT(r.outputs.size(), 10u);
  auto rows = ReadOutputs(r);  // checks order and disjointness of the outputs
  EXPECT_EQ(rows.size(), 800u);
  for (const auto& out : r.outputs) {
    EXPECT_TRUE(out.info.has_filter());  // min_filter_keys = 1
    EXPECT_LT(out.info.filter_offset, 2048u + 1024u);
  }
  EXPECT_EQ(r.rows_written, 800u);
}

TEST_F(ExecutorTest, CancelStopsAtAnSstBoundary) {
  std::vector<RowEntry> rows;
  for (int i = 0; i < 300; ++i) {
    rows.push_back(
        Row("k" + std::to_string(100000 + i), i + 1, RowKind::kValue, std::string(50, 'v')));
  }
  CompactionJob job;
  job.l0.push_back(Write(rows));
  ctx_.output.max_sst_size = 1024;
  std::atomic<bool> cancel{true};
  auto r = RunCompaction(job, ctx_, cancel);
  EXPECT_TRUE(r.cancelled);
  EXPECT_OK(r.status);
  EXPECT_TRUE(r.outputs.empty());  // cancelled before starting

  // A store that sets the flag on the first output upload: the job stops right after it.
  cancel = false;
  class CancellingStore : public ObjectStoreWrapper {
   public:
    CancellingStore(std::shared_ptr<ObjectStore> inner, std::atomic<bool>* flag)
        : ObjectStoreWrapper(std::move(inner)), flag_(flag) {}
    Result<std::string> Put(std::string_view k, std::string_view d,
                            const ObjectPutOptions& o) override {
      flag_->store(true);
      return inner_->Put(k, d, o);
    }
    std::string Describe() const override { return "cancelling"; }

   private:
    std::atomic<bool>* flag_;
  };
  for (uint64_t fetch_tasks : {uint64_t{1}, uint64_t{4}}) {
    SCOPED_TRACE("max_fetch_tasks=" + std::to_string(fetch_tasks));
    cancel = false;
    ExecutorContext ctx = ctx_;
    ctx.store = std::make_shared<CancellingStore>(ctx_.store, &cancel);
    ctx.max_fetch_tasks = fetch_tasks;
    ctx.read_chunk_bytes = 1024;  // many prefetched GETs still queued when the job stops
    r = RunCompaction(job, ctx, cancel);
    EXPECT_TRUE(r.cancelled);
    EXPECT_OK(r.status);
    EXPECT_EQ(r.outputs.size(), 1u);  // the one SST finished before the boundary check
    EXPECT_LT(r.rows_written, 300u);
  }
}

// Records what the compactor streams: the largest Append, aborts, and (optionally) raises a
// cancel flag once `cancel_after` bytes of an output were appended.
class StreamProbe : public ObjectStoreWrapper {
 public:
  explicit StreamProbe(std::shared_ptr<ObjectStore> inner) : ObjectStoreWrapper(std::move(inner)) {}
  Result<std::unique_ptr<ObjectWriter>> OpenWriter(std::string_view key,
                                                   const ObjectPutOptions& options) override {
    ASSIGN_OR_RETURN(auto inner, inner_->OpenWriter(key, options));
    ++opened;
    return std::unique_ptr<ObjectWriter>(std::make_unique<Writer>(this, std::move(inner)));
  }
  Result<std::string> Put(std::string_view k, std::string_view d,
                          const ObjectPutOptions& o) override {
    ++puts;
    return inner_->Put(k, d, o);
  }
  std::string Describe() const override { return "stream-probe"; }

  std::atomic<bool>* cancel = nullptr;
  uint64_t cancel_after = 0;
  size_t max_append = 0;
  int opened = 0, finished = 0, aborted = 0, puts = 0;

 private:
  class Writer : public ObjectWriter {
   public:
    Writer(StreamProbe* p, std::unique_ptr<ObjectWriter> inner) : p_(p), inner_(std::move(inner)) {}
    Status Append(std::string_view d) override {
      p_->max_append = std::max(p_->max_append, d.size());
      RETURN_IF_ERROR(inner_->Append(d));
      if (p_->cancel != nullptr && p_->cancel_after > 0 && inner_->size() >= p_->cancel_after) {
        p_->cancel->store(true);
      }
      return Status::OK();
    }
    Result<std::string> Finish() override {
      ++p_->finished;
      return inner_->Finish();
    }
    Status Abort() override {
      ++p_->aborted;
      return inner_->Abort();
    }
    uint64_t size() const override { return inner_->size(); }

   private:
    StreamProbe* p_;
    std::unique_ptr<ObjectWriter> inner_;
  };
};

TEST_F(ExecutorTest, OutputsAreStreamedBlockByBlockAndRolledAtMaxSstSize) {
  std::vector<RowEntry> rows;
  for (int i = 0; i < 6000; ++i) {
    char key[16];
    std::snprintf(key, sizeof(key), "key%06d", i);
    rows.push_back(Row(key, 1 + i, RowKind::kValue, std::string(200, 'v')));
  }
  CompactionJob job;
  job.l0.push_back(Write(rows));
  auto probe = std::make_shared<StreamProbe>(ctx_.store);
  ExecutorContext ctx = ctx_;
  ctx.store = probe;
  ctx.output.block_size = 4096;
  ctx.output.max_sst_size = 256u << 10;
  auto r = RunCompaction(job, ctx, no_cancel_);
  ASSERT_OK(r.status) << r.status.ToString();
  // ~1.3 MiB of rows in outputs of about 256 KiB, each streamed: no whole-SST Put.
  EXPECT_GE(r.outputs.size(), 5u);
  EXPECT_EQ(probe->opened, static_cast<int>(r.outputs.size()));
  EXPECT_EQ(probe->finished, static_cast<int>(r.outputs.size()));
  EXPECT_EQ(probe->aborted, 0);
  EXPECT_EQ(probe->puts, 0) << "no output is written with a whole-object Put";
  EXPECT_LE(probe->max_append, 4096u + 512u) << "one block (or the metadata) per Append";
  for (const auto& out : r.outputs) {
    EXPECT_LT(out.info.filter_offset, (256u << 10) + 4096u + 512u);
  }
  EXPECT_EQ(ReadOutputs(r).size(), rows.size());
}

TEST_F(ExecutorTest, CancelMidOutputAbortsItsUpload) {
  std::vector<RowEntry> rows;
  for (int i = 0; i < 3000; ++i) {
    rows.push_back(
        Row("k" + std::to_string(100000 + i), i + 1, RowKind::kValue, std::string(100, 'v')));
  }
  CompactionJob job;
  job.l0.push_back(Write(rows));
  const size_t before = ctx_.store->List("db/compacted/").value().size();
  std::atomic<bool> cancel{false};
  auto probe = std::make_shared<StreamProbe>(ctx_.store);
  probe->cancel = &cancel;
  probe->cancel_after = 20000;  // in the middle of the first output
  ExecutorContext ctx = ctx_;
  ctx.store = probe;
  ctx.output.max_sst_size = 1u << 20;  // one output would hold everything
  auto r = RunCompaction(job, ctx, cancel);
  EXPECT_TRUE(r.cancelled);
  EXPECT_OK(r.status) << r.status.ToString();
  EXPECT_TRUE(r.outputs.empty());
  EXPECT_EQ(probe->opened, 1);
  EXPECT_EQ(probe->aborted, 1);
  EXPECT_EQ(probe->finished, 0);
  EXPECT_EQ(ctx_.store->List("db/compacted/").value().size(), before) << "no partial output";
}

TEST_F(ExecutorTest, RowsOutsideAVisibleRangeAreNotCompacted) {
  CompactionJob job;
  auto h = Write({Row("a", 1, RowKind::kValue, "1"), Row("b", 2, RowKind::kValue, "2"),
                  Row("c", 3, RowKind::kValue, "3"), Row("d", 4, RowKind::kValue, "4")});
  format::BytesRange range;
  range.start = {format::BoundType::kIncluded, std::string("b")};
  range.end = {format::BoundType::kExcluded, std::string("d")};
  h.visible_range = range;
  job.l0.push_back(h);
  auto r = RunCompaction(job, ctx_, no_cancel_);
  ASSERT_OK(r.status) << r.status.ToString();
  std::vector<RowEntry> want = {Row("b", 2, RowKind::kValue, "2"),
                                Row("c", 3, RowKind::kValue, "3")};
  EXPECT_EQ(ReadOutputs(r), want);
  EXPECT_FALSE(r.outputs[0].visible_range.has_value());
}

TEST_F(ExecutorTest, CorruptSourceFailsTheJobNamingTheObject) {
  CompactionJob job;
  job.l0.push_back(Write({Row("a", 1, RowKind::kValue, "x")}));
  std::string key = manifest::CompactedSstPath("db", job.l0[0].id);
  auto bytes = ctx_.store->Get(key);
  ASSERT_OK(bytes);
  std::string bad = *bytes;
  bad[3] ^= 0x55;  // inside the first data block
  ASSERT_OK(ctx_.store->Put(key, bad));
  for (uint64_t fetch_tasks : {uint64_t{1}, uint64_t{4}}) {
    ctx_.max_fetch_tasks = fetch_tasks;
    auto r = RunCompaction(job, ctx_, no_cancel_);
    ASSERT_FALSE(r.status.ok());
    EXPECT_EQ(r.status.code(), StatusCode::kData) << r.status.ToString();
    EXPECT_NE(r.status.ToString().find(key), std::string::npos) << r.status.ToString();
  }
}

// Counts concurrent GetRange calls; the first data read (offset 0) waits (up to
// `hold_timeout`) until a second GET runs, so overlap is observed whenever the executor issues GETs
// concurrently at all.
class GetProbeStore final : public ObjectStoreWrapper {
 public:
  GetProbeStore(std::shared_ptr<ObjectStore> inner, std::chrono::milliseconds hold_timeout)
      : ObjectStoreWrapper(std::move(inner)), hold_timeout_(hold_timeout) {}
  size_t max_concurrent() {
    std::lock_guard lock(mu_);
    return max_;
  }
  size_t gets() {
    std::lock_guard lock(mu_);
    return gets_;
  }
  bool fail_data_reads = false;  // GETs from offset 0 (the first data blocks) fail
  Result<std::string> GetRange(std::string_view k, uint64_t off,
                               std::optional<uint64_t> len) override {
    if (fail_data_reads && off == 0) return Status::Internal("injected GET failure");
    {
      std::unique_lock lock(mu_);
      ++gets_;
      max_ = std::max(max_, ++cur_);
      if (!released_) {
        if (cur_ >= 2) {
          released_ = true;
          cv_.notify_all();
        } else if (off == 0 &&  // a data read (index reads are at the end of the SST)
                   !cv_.wait_for(lock, hold_timeout_, [&] { return released_; })) {
          released_ = true;  // only the first data read is ever held
        }
      }
    }
    auto r = inner_->GetRange(k, off, len);
    std::lock_guard lock(mu_);
    --cur_;
    return r;
  }
  std::string Describe() const override { return "get-probe"; }

 private:
  const std::chrono::milliseconds hold_timeout_;
  std::mutex mu_;
  std::condition_variable cv_;
  size_t cur_ = 0, max_ = 0, gets_ = 0;
  bool released_ = false;
};

// max_fetch_tasks = 4 overlaps the source GETs (over a store adding latency per request) and
// writes byte-identical outputs to max_fetch_tasks = 1, which never overlaps them.
TEST_F(ExecutorTest, PrefetchOverlapsGetsAndWritesIdenticalOutputs) {
  CompactionJob job;
  std::vector<RowEntry> run_rows;
  for (int l = 0; l < 2; ++l) {
    std::vector<RowEntry> rows;
    for (int i = 0; i < 300; ++i) {
      char key[16];
      std::snprintf(key, sizeof(key), "key%05d", i * 2 + l);
      rows.push_back(Row(key, 1000 + l * 1000 + i, RowKind::kValue, std::string(40, 'a' + l)));
    }
    job.l0.insert(job.l0.begin(), Write(rows));
  }
  format::SortedRun run{7, {}};
  for (int s = 0; s < 3; ++s) {
    std::vector<RowEntry> rows;
    for (int i = 0; i < 200; ++i) {
      char key[16];
      std::snprintf(key, sizeof(key), "key%05d", s * 200 + i);
      rows.push_back(Row(key, 1 + s * 200 + i, RowKind::kValue, std::string(30, 'r')));
    }
    run.ssts.push_back(Write(rows));
  }
  job.runs.push_back(run);
  job.retention_min_seq = 0;
  ctx_.output.max_sst_size = 8192;

  std::vector<std::string> outputs_of_one;
  for (uint64_t fetch_tasks : {uint64_t{1}, uint64_t{4}}) {
    SCOPED_TRACE("max_fetch_tasks=" + std::to_string(fetch_tasks));
    FaultOptions fo;
    fo.latency = std::chrono::microseconds(1000);
    auto probe = std::make_shared<GetProbeStore>(
        std::make_shared<FaultInjectingObjectStore>(ctx_.store, fo),
        fetch_tasks == 1 ? std::chrono::milliseconds(50) : std::chrono::seconds(10));
    ExecutorContext ctx = ctx_;
    ctx.store = probe;
    ctx.max_fetch_tasks = fetch_tasks;
    ctx.read_chunk_bytes = 1024;  // a few 256-byte blocks per GET: many GETs per input
    auto r = RunCompaction(job, ctx, no_cancel_);
    ASSERT_OK(r.status) << r.status.ToString();
    EXPECT_GT(r.outputs.size(), 2u);
    EXPECT_EQ(r.rows_written, 1200u);
    std::printf("[ info ] max_fetch_tasks=%llu: %zu GETs, max %zu concurrent\n",
                static_cast<unsigned long long>(fetch_tasks), probe->gets(),
                probe->max_concurrent());
    if (fetch_tasks == 1) {
      EXPECT_EQ(probe->max_concurrent(), 1u);
    } else {
      EXPECT_GE(probe->max_concurrent(), 2u);
      EXPECT_LE(probe->max_concurrent(), 4u);  // at most max_fetch_tasks GETs in flight
    }
    std::vector<std::string> outputs;
    for (const auto& h : r.outputs) {
      auto bytes = ctx_.store->Get(manifest::CompactedSstPath("db", h.id));
      ASSERT_OK(bytes);
      outputs.push_back(*bytes);
    }
    if (fetch_tasks == 1) {
      outputs_of_one = outputs;
    } else {
      EXPECT_EQ(outputs.size(), outputs_of_one.size());
      EXPECT_TRUE(outputs == outputs_of_one) << "outputs differ from max_fetch_tasks=1";
    }
  }
}

// A job's inputs read in chunks that keep their buffers about 32 MiB together: a merge of many
// L0 SSTs no longer buffers read_chunk_bytes (8 MiB) for each.
TEST(InputChunkBytesTest, ManyInputsShareTheJobsReadBudget) {
  constexpr uint64_t kMiB = 1 << 20;
  EXPECT_EQ(InputChunkBytes(8 * kMiB, 1, 1), 8 * kMiB);
  EXPECT_EQ(InputChunkBytes(8 * kMiB, 4, 1), 8 * kMiB);
  EXPECT_EQ(InputChunkBytes(8 * kMiB, 10, 1), 32 * kMiB / 10);
  EXPECT_EQ(InputChunkBytes(8 * kMiB, 64, 1), kMiB);     // never below 1 MiB for the budget
  EXPECT_EQ(InputChunkBytes(1024, 10, 1), 1024u);        // a smaller setting stays as it is
  EXPECT_EQ(InputChunkBytes(8 * kMiB, 2, 4), 2 * kMiB);  // subcompactions split it further
  EXPECT_EQ(InputChunkBytes(8 * kMiB, 10, 4), kMiB);     // ... down to 1 MiB
  EXPECT_EQ(InputChunkBytes(512, 3, 4), 512u);
}

// A failed prefetched GET fails the job, naming the object, as a failed plain read does.
TEST_F(ExecutorTest, PrefetchErrorFailsTheJobNamingTheObject) {
  std::vector<RowEntry> rows;
  for (int i = 0; i < 200; ++i) {
    rows.push_back(Row("k" + std::to_string(1000 + i), i + 1, RowKind::kValue, "vvvvvvvvvvvv"));
  }
  CompactionJob job;
  job.l0.push_back(Write(rows));
  auto probe = std::make_shared<GetProbeStore>(ctx_.store, std::chrono::milliseconds(0));
  probe->fail_data_reads = true;
  ExecutorContext ctx = ctx_;
  ctx.store = probe;
  ctx.max_fetch_tasks = 4;
  ctx.read_chunk_bytes = 512;
  auto r = RunCompaction(job, ctx, no_cancel_);
  ASSERT_FALSE(r.status.ok());
  EXPECT_NE(r.status.ToString().find("injected GET failure"), std::string::npos);
  EXPECT_NE(r.status.ToString().find(manifest::CompactedSstPath("db", job.l0[0].id)),
            std::string::npos)
      << r.status.ToString();
}

TEST_F(ExecutorTest, PoolCompletesEveryAcceptedJobExactlyOnce) {
  std::mutex mu;
  std::map<std::string, int> seen;
  size_t cancelled = 0;
  std::vector<format::Ulid> ids;
  {
    CompactionExecutor executor(ctx_, 2, [&](CompactionJobResult r) {
      std::lock_guard lock(mu);
      seen[r.id.ToString()]++;
      if (r.cancelled) ++cancelled;
    });
    for (int i = 0; i < 2; ++i) {
      CompactionJob job;
      job.id = ctx_.ulids->Next(ctx_.clock->NowMillis());
      job.l0.push_back(Write({Row("a" + std::to_string(i), 1, RowKind::kValue, "x")}));
      ids.push_back(job.id);
      ASSERT_TRUE(executor.Submit(std::move(job)));
    }
    executor.CloseAndCancel();
    CompactionJob late;
    EXPECT_FALSE(executor.Submit(std::move(late)));  // refused: no completion for it
    executor.Join();
  }
  ASSERT_EQ(seen.size(), 2u);
  for (const auto& id : ids) EXPECT_EQ(seen[id.ToString()], 1);
  EXPECT_LE(cancelled, 2u);
}

}  // namespace
}  // namespace slatedb::compactor
