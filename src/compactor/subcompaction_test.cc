// Subcompactions (RFC-0028) and trivial moves of RunCompaction: where a job is split, that a
// split job writes exactly the rows of an unsplit one, resuming, cancellation and failure
// across subcompaction threads, and trivial moves (no bytes read or written).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "compactor/executor.h"
#include "format/sst.h"
#include "manifest/paths.h"
#include "object_store/object_store_wrapper.h"
#include "slatedb/merge_operator.h"
#include "table/sst_reader.h"
#include "table/sst_writer.h"
#include "test_util.h"

namespace slatedb::compactor {
namespace {

using format::BoundType;
using format::RowEntry;
using format::RowKind;

std::string Key(int i) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "k%06d", i);
  return buf;
}

std::string U64(uint64_t x) {
  std::string out(8, '\0');
  for (size_t i = 0; i < 8; ++i) out[i] = static_cast<char>((x >> (8 * i)) & 0xff);
  return out;
}

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

class SubcompactionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ctx_.store = NewMemoryObjectStore();
    ctx_.db_path = "db";
    ctx_.clock = util::SystemClock::Default();
    ctx_.ulids = std::make_shared<format::UlidGenerator>(7);
    ctx_.output.min_filter_keys = 1;
    ctx_.output.block_size = 256;
    ctx_.output.max_sst_size = 1024;  // the floor of a range: small, so test jobs split
  }

  format::SstHandle Write(const std::vector<RowEntry>& rows) {
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

  // A sorted run of `rows` (key order, newest version first) cut into SSTs of about `per_sst`
  // rows at key boundaries.
  format::SortedRun WriteRun(uint32_t id, const std::vector<RowEntry>& rows, size_t per_sst) {
    format::SortedRun run{id, {}};
    std::vector<RowEntry> cur;
    for (size_t i = 0; i < rows.size(); ++i) {
      if (cur.size() >= per_sst && rows[i].key != cur.back().key) {
        run.ssts.push_back(Write(cur));
        cur.clear();
      }
      cur.push_back(rows[i]);
    }
    if (!cur.empty()) run.ssts.push_back(Write(cur));
    return run;
  }

  // All rows of the outputs, in order; checks that the outputs are ordered and disjoint.
  std::vector<RowEntry> ReadOutputs(const std::vector<format::SstHandle>& outputs) {
    std::vector<RowEntry> all;
    for (size_t i = 0; i < outputs.size(); ++i) {
      auto bytes = ctx_.store->Get(manifest::CompactedSstPath("db", outputs[i].id));
      EXPECT_OK(bytes);
      if (!bytes.ok()) continue;
      auto decoded = format::DecodeSst(*bytes);
      EXPECT_OK(decoded);
      if (i > 0) {
        EXPECT_LT(*outputs[i - 1].info.last_entry, *outputs[i].info.first_entry);
      }
      for (auto& row : decoded->rows) all.push_back(row);
    }
    return all;
  }

  // The first keys of every data block of the job's source SSTs.
  std::set<std::string> BlockFirstKeys(const CompactionJob& job) {
    std::set<std::string> keys;
    std::vector<format::SstHandle> all = job.l0;
    for (const auto& run : job.runs) all.insert(all.end(), run.ssts.begin(), run.ssts.end());
    for (const auto& h : all) {
      auto reader = table::SstReader::OpenWithInfo(
          ctx_.store, manifest::CompactedSstPath("db", h.id), h.info, 2);
      EXPECT_OK(reader);
      auto index = (*reader)->Index();
      EXPECT_OK(index);
      for (const auto& b : (*index)->blocks) keys.insert(b.first_key);
    }
    return keys;
  }

  // Every compacted object in the store.
  std::set<std::string> Objects() {
    std::set<std::string> keys;
    auto list = ctx_.store->List("db/compacted/");
    EXPECT_OK(list);
    for (const auto& m : *list) keys.insert(m.key);
    return keys;
  }

  // `n` overlapping L0s of `rows` random keys each, newest first.
  CompactionJob OverlappingJob(int n, int rows, uint64_t seed) {
    std::mt19937_64 rng(seed);
    CompactionJob job;
    uint64_t seq = 100000;
    for (int l = 0; l < n; ++l) {
      std::set<int> ks;
      while (static_cast<int>(ks.size()) < rows) ks.insert(static_cast<int>(rng() % 5000));
      std::vector<RowEntry> r;
      for (int k : ks) {
        r.push_back(
            Row(Key(k), seq--, RowKind::kValue, std::string(20, static_cast<char>('a' + l))));
      }
      job.l0.push_back(Write(r));
    }
    return job;
  }

  ExecutorContext ctx_;
  std::atomic<bool> no_cancel_{false};
};

TEST_F(SubcompactionTest, SplitsAtInputBlockBoundariesIntoContiguousRanges) {
  CompactionJob job = OverlappingJob(4, 400, 1);
  job.retention_min_seq = 1 << 30;
  ctx_.max_subcompactions = 4;
  auto r = RunCompaction(job, ctx_, no_cancel_);
  ASSERT_OK(r.status) << r.status.ToString();
  ASSERT_EQ(r.subcompactions.size(), 4u);
  const std::set<std::string> anchors = BlockFirstKeys(job);
  // (-inf, b1), [b1, b2), ..., [bk, +inf), every b a data block's first key.
  EXPECT_EQ(r.subcompactions.front().range.start.type, BoundType::kUnbounded);
  EXPECT_EQ(r.subcompactions.back().range.end.type, BoundType::kUnbounded);
  std::vector<format::SstHandle> concatenated;
  for (size_t i = 0; i < r.subcompactions.size(); ++i) {
    const auto& sub = r.subcompactions[i];
    if (i + 1 < r.subcompactions.size()) {
      ASSERT_EQ(sub.range.end.type, BoundType::kExcluded);
      EXPECT_TRUE(anchors.count(*sub.range.end.key)) << *sub.range.end.key;
      EXPECT_EQ(r.subcompactions[i + 1].range.start,
                (format::BytesBound{BoundType::kIncluded, sub.range.end.key}));
    }
    EXPECT_FALSE(sub.output_ssts.empty());
    for (const auto& out : sub.output_ssts) {
      if (sub.range.start.key) {
        EXPECT_GE(*out.info.first_entry, *sub.range.start.key);
      }
      if (sub.range.end.key) {
        EXPECT_LT(*out.info.last_entry, *sub.range.end.key);
      }
      concatenated.push_back(out);
    }
  }
  EXPECT_EQ(concatenated, r.outputs);  // outputs are the subcompactions' in key order
  EXPECT_EQ(ReadOutputs(r.outputs).size(), r.rows_written);

  // max_subcompactions bounds the split.
  ctx_.max_subcompactions = 2;
  r = RunCompaction(job, ctx_, no_cancel_);
  ASSERT_OK(r.status);
  EXPECT_EQ(r.subcompactions.size(), 2u);
}

// A job of more than 64 source SSTs is split at SST first keys (no index read for the plan).
TEST_F(SubcompactionTest, ManySstsAreSplitAtSstBoundaries) {
  std::vector<RowEntry> run_rows;
  for (int k = 0; k < 2100; ++k) run_rows.push_back(Row(Key(k), 10, RowKind::kValue, "r"));
  CompactionJob job;
  job.runs.push_back(WriteRun(1, run_rows, 30));  // 70 SSTs
  ASSERT_GT(job.runs[0].ssts.size(), 64u);
  std::vector<RowEntry> l0_rows;
  for (int k = 0; k < 2100; k += 7) l0_rows.push_back(Row(Key(k), 20, RowKind::kValue, "l"));
  job.l0.push_back(Write(l0_rows));
  job.retention_min_seq = 1 << 30;
  std::set<std::string> first_keys;
  for (const auto& h : job.runs[0].ssts) first_keys.insert(*h.info.first_entry);
  first_keys.insert(*job.l0[0].info.first_entry);
  ctx_.max_subcompactions = 1;
  auto one = RunCompaction(job, ctx_, no_cancel_);
  ASSERT_OK(one.status);
  ctx_.max_subcompactions = 4;
  auto r = RunCompaction(job, ctx_, no_cancel_);
  ASSERT_OK(r.status);
  ASSERT_EQ(r.subcompactions.size(), 4u);
  for (size_t i = 0; i + 1 < r.subcompactions.size(); ++i) {
    EXPECT_TRUE(first_keys.count(*r.subcompactions[i].range.end.key));
  }
  EXPECT_EQ(ReadOutputs(r.outputs), ReadOutputs(one.outputs));
}

TEST_F(SubcompactionTest, SmallJobsAreNotSplit) {
  CompactionJob job = OverlappingJob(4, 400, 2);
  ctx_.max_subcompactions = 4;
  // A job no larger than one output SST is one merge (and reads no index for planning).
  ctx_.output.max_sst_size = 64 << 20;
  auto r = RunCompaction(job, ctx_, no_cancel_);
  ASSERT_OK(r.status);
  ASSERT_EQ(r.subcompactions.size(), 1u);
  EXPECT_EQ(r.subcompactions[0].range, format::BytesRange{});
  EXPECT_EQ(r.subcompactions[0].output_ssts, r.outputs);
  // One input SST: nothing to balance (a range is at least the largest input).
  ctx_.output.max_sst_size = 1024;
  CompactionJob one;
  one.l0.push_back(job.l0[0]);
  r = RunCompaction(one, ctx_, no_cancel_);
  ASSERT_OK(r.status);
  EXPECT_EQ(r.subcompactions.size(), 1u);
  // max_subcompactions 1: never split.
  ctx_.max_subcompactions = 1;
  r = RunCompaction(job, ctx_, no_cancel_);
  ASSERT_OK(r.status);
  EXPECT_EQ(r.subcompactions.size(), 1u);
}

// A job reporting its ranges and outputs (a distributed worker, which records each range's
// outputs so that a resumed job continues every range after its last one) is split like any
// other: on_ranges first, with the ranges of the result; on_output per range, in key order.
TEST_F(SubcompactionTest, OnRangesAndOnOutputReportEachRangesOutputs) {
  CompactionJob job = OverlappingJob(4, 400, 6);
  job.id = format::Ulid{1, 2};
  ctx_.max_subcompactions = 4;
  std::mutex mu;
  std::vector<format::BytesRange> ranges;
  std::vector<std::vector<format::SstHandle>> reported;
  ctx_.on_ranges = [&](const format::Ulid& id, const std::vector<format::BytesRange>& r) {
    EXPECT_EQ(id, job.id);
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_TRUE(ranges.empty());  // once per job
    ranges = r;
    reported.resize(r.size());
  };
  ctx_.on_output = [&](const format::Ulid& id, size_t range, const format::SstHandle& sst) {
    EXPECT_EQ(id, job.id);
    std::lock_guard<std::mutex> lock(mu);
    ASSERT_LT(range, reported.size());
    reported[range].push_back(sst);
  };
  auto r = RunCompaction(job, ctx_, no_cancel_);
  ASSERT_OK(r.status);
  ASSERT_GT(r.subcompactions.size(), 1u);
  ASSERT_EQ(ranges.size(), r.subcompactions.size());
  for (size_t i = 0; i < ranges.size(); ++i) {
    EXPECT_EQ(ranges[i], r.subcompactions[i].range);
    EXPECT_EQ(reported[i], r.subcompactions[i].output_ssts);
  }
}

// Random L0s and a multi-SST run with values, tombstones, merge operands, expired rows and a
// snapshot bound: every split writes exactly the rows of one merge.
TEST_F(SubcompactionTest, AnySplitWritesTheSameRowsAsOneMerge) {
  ctx_.merge_operator = UInt64AddOperator();
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    const int keys = 600;
    uint64_t seq = 1;
    const int64_t tick = 100;
    auto random_row = [&](const std::string& key) {
      const int kind = static_cast<int>(rng() % 10);
      std::optional<int64_t> expire;
      if (rng() % 5 == 0) expire = static_cast<int64_t>(rng() % 200);  // half expired
      if (kind < 5) return Row(key, seq++, RowKind::kValue, U64(rng() % 1000), expire);
      if (kind < 7) return Row(key, seq++, RowKind::kTombstone);
      return Row(key, seq++, RowKind::kMerge, U64(rng() % 100), expire);
    };
    // The run (oldest): some keys with up to 3 versions, newest first within a key.
    std::vector<RowEntry> run_rows;
    for (int k = 0; k < keys; ++k) {
      if (rng() % 3 == 0) continue;
      const int versions = 1 + static_cast<int>(rng() % 3);
      std::vector<RowEntry> vs;
      for (int v = 0; v < versions; ++v) vs.push_back(random_row(Key(k)));
      std::reverse(vs.begin(), vs.end());
      run_rows.insert(run_rows.end(), vs.begin(), vs.end());
    }
    CompactionJob job;
    job.runs.push_back(WriteRun(3, run_rows, 60));
    // Five L0s, written oldest first (so seqs grow), listed newest first.
    for (int l = 0; l < 5; ++l) {
      std::vector<RowEntry> rows;
      for (int k = 0; k < keys; ++k) {
        if (rng() % 3 != 0) continue;
        std::vector<RowEntry> vs;
        const int versions = 1 + static_cast<int>(rng() % 2);
        for (int v = 0; v < versions; ++v) vs.push_back(random_row(Key(k)));
        std::reverse(vs.begin(), vs.end());
        rows.insert(rows.end(), vs.begin(), vs.end());
      }
      job.l0.insert(job.l0.begin(), Write(rows));
    }
    job.retention_min_seq = seq / 2 + rng() % (seq / 4);
    job.compaction_clock_tick = tick;
    job.output_is_bottom = seed % 2 == 0;

    ctx_.max_subcompactions = 1;
    auto one = RunCompaction(job, ctx_, no_cancel_);
    ASSERT_OK(one.status) << one.status.ToString();
    const std::vector<RowEntry> want = ReadOutputs(one.outputs);
    ASSERT_GT(want.size(), 100u);
    for (uint64_t n : {2, 3, 4, 8}) {
      SCOPED_TRACE("max_subcompactions " + std::to_string(n));
      ctx_.max_subcompactions = n;
      for (uint64_t fetch : {1, 4}) {
        ctx_.max_fetch_tasks = fetch;
        auto r = RunCompaction(job, ctx_, no_cancel_);
        ASSERT_OK(r.status) << r.status.ToString();
        EXPECT_GT(r.subcompactions.size(), 1u);
        EXPECT_LE(r.subcompactions.size(), n);
        EXPECT_EQ(ReadOutputs(r.outputs), want);
        EXPECT_EQ(r.rows_written, one.rows_written);
        EXPECT_EQ(r.bytes_read, one.bytes_read);
      }
    }
  }
}

TEST_F(SubcompactionTest, ResumedSubcompactionsContinueAfterTheirRecordedOutputs) {
  CompactionJob job = OverlappingJob(4, 400, 3);
  job.retention_min_seq = 1 << 30;
  ctx_.max_subcompactions = 3;
  auto full = RunCompaction(job, ctx_, no_cancel_);
  ASSERT_OK(full.status);
  ASSERT_EQ(full.subcompactions.size(), 3u);
  ASSERT_GE(full.subcompactions[0].output_ssts.size(), 3u);
  const std::vector<RowEntry> want = ReadOutputs(full.outputs);

  // An earlier attempt finished two outputs of range 0, everything of range 2, none of range 1.
  job.resume = full.subcompactions;
  job.resume[0].output_ssts.resize(2);
  job.resume[1].output_ssts.clear();
  ctx_.max_subcompactions = 1;  // ignored: a resumed job keeps its recorded ranges
  auto r = RunCompaction(job, ctx_, no_cancel_);
  ASSERT_OK(r.status) << r.status.ToString();
  ASSERT_EQ(r.subcompactions.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(r.subcompactions[i].range, full.subcompactions[i].range);
  // The recorded outputs are kept as they are, first in their range.
  EXPECT_EQ(r.subcompactions[0].output_ssts[0], full.subcompactions[0].output_ssts[0]);
  EXPECT_EQ(r.subcompactions[0].output_ssts[1], full.subcompactions[0].output_ssts[1]);
  EXPECT_EQ(r.subcompactions[2].output_ssts, full.subcompactions[2].output_ssts);
  EXPECT_EQ(ReadOutputs(r.outputs), want);
  EXPECT_LT(r.rows_written, full.rows_written);  // only the missing part was written again

  // A recorded output without a last key cannot be resumed from.
  job.resume[0].output_ssts[1].info.last_entry.reset();
  r = RunCompaction(job, ctx_, no_cancel_);
  EXPECT_TRUE(r.status.IsData()) << r.status.ToString();
}

// Raises `flag` after `after` data GETs (the subcompactions are then all running).
class CancelAfterGets : public ObjectStoreWrapper {
 public:
  CancelAfterGets(std::shared_ptr<ObjectStore> inner, std::atomic<bool>* flag, int after, bool fail)
      : ObjectStoreWrapper(std::move(inner)), flag_(flag), after_(after), fail_(fail) {}
  Result<std::string> GetRange(std::string_view key, uint64_t start,
                               std::optional<uint64_t> len) override {
    if (++gets_ >= after_) {
      if (fail_) return Status::Unavailable("injected read failure");
      flag_->store(true);
    }
    return inner_->GetRange(key, start, len);
  }
  std::string Describe() const override { return "cancel-after-gets"; }

 private:
  std::atomic<bool>* flag_;
  std::atomic<int> gets_{0};
  int after_;
  bool fail_;
};

TEST_F(SubcompactionTest, CancelMidJobDrainsEverySubcompaction) {
  CompactionJob job = OverlappingJob(4, 800, 4);
  job.retention_min_seq = 1 << 30;
  const std::set<std::string> before = Objects();
  for (uint64_t fetch : {1, 4}) {
    SCOPED_TRACE("max_fetch_tasks " + std::to_string(fetch));
    std::atomic<bool> cancel{false};
    ExecutorContext ctx = ctx_;
    ctx.max_subcompactions = 4;
    ctx.max_fetch_tasks = fetch;
    ctx.read_chunk_bytes = 512;  // many GETs per input: the cancel lands mid-range
    ctx.store = std::make_shared<CancelAfterGets>(ctx_.store, &cancel, 40, false);
    auto r = RunCompaction(job, ctx, cancel);
    EXPECT_OK(r.status);
    EXPECT_TRUE(r.cancelled);
    // Every finished output is listed (orphans for the GC); no aborted upload left an object.
    std::set<std::string> added;
    for (const auto& k : Objects()) {
      if (!before.count(k)) added.insert(k);
    }
    std::set<std::string> listed;
    for (const auto& h : r.outputs) listed.insert(manifest::CompactedSstPath("db", h.id));
    EXPECT_EQ(added, listed);
    for (const auto& k : added) ASSERT_OK(ctx_.store->Delete(k));
  }
}

TEST_F(SubcompactionTest, AFailedSubcompactionFailsTheJob) {
  CompactionJob job = OverlappingJob(4, 800, 5);
  std::atomic<bool> unused{false};
  ExecutorContext ctx = ctx_;
  ctx.max_subcompactions = 4;
  ctx.read_chunk_bytes = 512;
  ctx.store = std::make_shared<CancelAfterGets>(ctx_.store, &unused, 30, true);
  auto r = RunCompaction(job, ctx, no_cancel_);
  EXPECT_FALSE(r.status.ok());
  EXPECT_FALSE(r.cancelled);
  EXPECT_NE(r.status.message().find("injected read failure"), std::string::npos)
      << r.status.ToString();
  EXPECT_NE(r.status.message().find("db/compacted/"), std::string::npos) << r.status.ToString();
}

TEST_F(SubcompactionTest, TrivialMoveRelinksDisjointInputs) {
  ctx_.enable_trivial_move = true;
  ctx_.max_subcompactions = 4;
  auto rows = [](int from, int to, uint64_t seq) {
    std::vector<RowEntry> r;
    for (int k = from; k < to; ++k) r.push_back(Row(Key(k), seq, RowKind::kValue, "v"));
    return r;
  };
  CompactionJob job;
  // L0s (newest first) and a two-SST run, pairwise disjoint, in no particular key order; one L0
  // holds an expired value and a tombstone, which a move keeps as they are.
  auto l0a = Write(rows(300, 400, 20));
  auto l0b = Write({Row(Key(100), 19, RowKind::kTombstone),
                    Row(Key(150), 18, RowKind::kValue, "old", /*expire=*/1)});
  format::SortedRun run{2, {Write(rows(0, 50, 5)), Write(rows(200, 250, 6))}};
  job.l0 = {l0a, l0b};
  job.runs = {run};
  job.output_is_bottom = true;
  job.compaction_clock_tick = 1000;
  const std::set<std::string> before = Objects();
  auto r = RunCompaction(job, ctx_, no_cancel_);
  ASSERT_OK(r.status);
  EXPECT_TRUE(r.trivial_move);
  EXPECT_EQ(r.bytes_read, 0u);
  EXPECT_EQ(r.bytes_written, 0u);
  EXPECT_EQ(r.rows_written, 0u);
  EXPECT_TRUE(r.subcompactions.empty());
  const std::vector<format::SstHandle> want = {run.ssts[0], l0b, run.ssts[1], l0a};
  EXPECT_EQ(r.outputs, want);
  EXPECT_EQ(Objects(), before);  // nothing written

  // Overlapping inputs (the run's second SST reaches into l0a) are rewritten.
  job.runs[0].ssts[1] = Write(rows(200, 310, 6));
  r = RunCompaction(job, ctx_, no_cancel_);
  ASSERT_OK(r.status);
  EXPECT_FALSE(r.trivial_move);
  EXPECT_GT(r.bytes_written, 0u);

  // Disabled, or with a visible range, or resumed: rewritten too.
  job.runs[0].ssts[1] = run.ssts[1];
  for (int variant = 0; variant < 3; ++variant) {
    SCOPED_TRACE("variant " + std::to_string(variant));
    CompactionJob j = job;
    ExecutorContext ctx = ctx_;
    if (variant == 0) ctx.enable_trivial_move = false;
    if (variant == 1) {
      j.l0[0].visible_range =
          format::BytesRange{{BoundType::kIncluded, Key(300)}, {BoundType::kUnbounded, {}}};
    }
    if (variant == 2) j.resume = {format::Subcompaction{}};
    r = RunCompaction(j, ctx, no_cancel_);
    ASSERT_OK(r.status) << r.status.ToString();
    EXPECT_FALSE(r.trivial_move);
    EXPECT_GT(r.bytes_written, 0u);
  }
}

}  // namespace
}  // namespace slatedb::compactor
