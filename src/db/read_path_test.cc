// Tests of ReadPath's merge-operand resolution over every source of a DbState: the memtable,
// immutable memtables, L0 SSTs and sorted runs, through Get, forward and reverse scans and Seek,
// and of CollectFlushRows (what an L0 flush keeps of operands).
#include "db/read_path.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "db/l0_sst_writer.h"
#include "format/ulid.h"
#include "slatedb/db_read.h"
#include "slatedb/merge_operator.h"
#include "slatedb/prefix_extractor.h"
#include "test_util.h"

namespace slatedb::db {
namespace {

using format::RowEntry;
using format::RowKind;

RowEntry Row(std::string key, uint64_t seq, RowKind kind, std::string value = "") {
  RowEntry r;
  r.key = std::move(key);
  r.seq = seq;
  r.kind = kind;
  r.value = std::move(value);
  r.create_ts = static_cast<int64_t>(100 + seq);
  return r;
}
RowEntry V(std::string k, uint64_t seq, std::string v) {
  return Row(std::move(k), seq, RowKind::kValue, std::move(v));
}
RowEntry M(std::string k, uint64_t seq, std::string v) {
  return Row(std::move(k), seq, RowKind::kMerge, std::move(v));
}
RowEntry T(std::string k, uint64_t seq) { return Row(std::move(k), seq, RowKind::kTombstone); }

std::shared_ptr<Memtable> Table(const std::vector<RowEntry>& rows) {
  auto t = std::make_shared<Memtable>();
  for (const auto& r : rows) EXPECT_OK(t->Add(r));
  return t;
}

// A DbState whose key "k" has operands in every kind of source, above a base value in a sorted
// run:  memtable k+10 | imm k+9 | imm k+8 | L0 k+7 | L0 k+6 k+5 | run k=base@3 (k=x@1 below).
// Other keys: "a" a value in the run only; "b" a tombstone in the memtable over operands in L0;
// "c" operands only (no base anywhere); "d" a value in the memtable over operands below it.
class ReadPathMergeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = NewMemoryObjectStore();
    Build(StringAppendOperator());
  }

  void Build(std::shared_ptr<MergeOperator> op) {
    reads_ = std::make_shared<ReadPath>(store_, "db", Settings(), std::move(op));
    auto m = std::make_shared<format::Manifest>();
    m->l0.push_back(Sst({M("b", 7, "b7"), M("k", 7, "c7")}));
    m->l0.push_back(Sst({M("c", 6, "c6"), M("k", 6, "c6"), M("k", 5, "c5")}));
    m->compacted.push_back({1,
                            {Sst({V("a", 2, "a2"), M("c", 4, "c4"), V("d", 2, "d2"),
                                  V("k", 3, "base"), V("k", 1, "x")})}});
    state_ = std::make_shared<DbState>();
    state_->memtable = Table({M("k", 10, "c10"), T("b", 11), V("d", 12, "d12"), M("d", 4, "d4")});
    for (uint64_t seq : {9, 8}) {
      auto imm = std::make_shared<ImmutableMemtable>();
      imm->table = Table({M("k", seq, "c" + std::to_string(seq))});
      imm->max_seq = seq;
      state_->imms.push_back(imm);
    }
    state_->manifest = m;
  }

  format::SstHandle Sst(const std::vector<RowEntry>& rows) {
    format::SstHandle h;
    h.id = ulids_.Next(1000);
    h.format_version = format::kSstFormatVersion;
    auto info = L0SstWriter(store_, "db", Settings(), nullptr).WriteRows(h.id, rows);
    EXPECT_OK(info) << info.status().ToString();
    if (info.ok()) h.info = *info;
    return h;
  }

  std::optional<std::string> Get(std::string_view key, uint64_t seq = 100) {
    auto kv = reads_->Get(*state_, key, seq);
    EXPECT_OK(kv) << kv.status().ToString();
    if (!kv.ok() || !kv->has_value()) return std::nullopt;
    return (*kv)->value;
  }

  std::vector<std::pair<std::string, std::string>> Scan(bool reverse, uint64_t seq = 100) {
    return testing::DrainRows(reads_->Scan(state_, ScanRange{}, reverse, seq, alive_));
  }

  std::shared_ptr<ObjectStore> store_;
  format::UlidGenerator ulids_{11};
  std::shared_ptr<ReadPath> reads_;
  std::shared_ptr<DbState> state_;
  std::shared_ptr<std::atomic<bool>> alive_ = std::make_shared<std::atomic<bool>>(true);
};

const char* kAllOfK = "base,c5,c6,c7,c8,c9,c10";

TEST_F(ReadPathMergeTest, GetFoldsOperandsFromEverySource) {
  EXPECT_EQ(Get("k"), kAllOfK);
  auto kv = reads_->Get(*state_, "k", 100);
  ASSERT_TRUE(kv.ok() && kv->has_value());
  EXPECT_EQ((*kv)->seq, 10u);  // the newest row's
  EXPECT_EQ((*kv)->create_ts, 110);
  EXPECT_EQ(Get("a"), "a2");
  EXPECT_EQ(Get("b"), std::nullopt);  // the tombstone hides the operands below it
  EXPECT_EQ(Get("c"), "c4,c6");       // no base: merged onto nothing
  EXPECT_EQ(Get("d"), "d12");         // a value hides the operands below it
  EXPECT_EQ(Get("nope"), std::nullopt);
}

TEST_F(ReadPathMergeTest, GetAtAnOlderSeqSeesOnlyTheOperandsBelowIt) {
  EXPECT_EQ(Get("k", 9), "base,c5,c6,c7,c8,c9");
  EXPECT_EQ(Get("k", 6), "base,c5,c6");
  EXPECT_EQ(Get("k", 3), "base");
  EXPECT_EQ(Get("k", 2), "x");
  EXPECT_EQ(Get("b", 10), "b7");  // before the tombstone
  EXPECT_EQ(Get("d", 11), "d2,d4");
}

TEST_F(ReadPathMergeTest, ScansResolveTheSameInBothDirections) {
  std::vector<std::pair<std::string, std::string>> want = {
      {"a", "a2"}, {"c", "c4,c6"}, {"d", "d12"}, {"k", kAllOfK}};
  EXPECT_EQ(Scan(false), want);
  std::vector<std::pair<std::string, std::string>> rev(want.rbegin(), want.rend());
  EXPECT_EQ(Scan(true), rev);
  want = {{"a", "a2"}, {"b", "b7"}, {"c", "c4,c6"}, {"d", "d2,d4"}, {"k", "base,c5,c6,c7,c8,c9"}};
  EXPECT_EQ(Scan(false, 9), want);
  rev.assign(want.rbegin(), want.rend());
  EXPECT_EQ(Scan(true, 9), rev);
}

TEST_F(ReadPathMergeTest, SeekResolvesTheKeyItLandsOn) {
  auto it = reads_->Scan(state_, ScanRange{}, false, 100, alive_);
  ASSERT_OK(it);
  ASSERT_OK((*it)->Seek("j"));
  auto kv = (*it)->Next();
  ASSERT_TRUE(kv.ok() && kv->has_value()) << kv.status().ToString();
  EXPECT_EQ((*kv)->key, "k");
  EXPECT_EQ((*kv)->value, kAllOfK);
  ASSERT_OK((*it)->Seek("c"));
  kv = (*it)->Next();
  ASSERT_TRUE(kv.ok() && kv->has_value());
  EXPECT_EQ((*kv)->value, "c4,c6");
  auto rit = reads_->Scan(state_, ScanRange{}, true, 100, alive_);
  ASSERT_OK(rit);
  ASSERT_OK((*rit)->Seek("e"));
  kv = (*rit)->Next();
  ASSERT_TRUE(kv.ok() && kv->has_value());
  EXPECT_EQ((*kv)->key, "d");
  EXPECT_EQ((*kv)->value, "d12");
}

TEST_F(ReadPathMergeTest, WithoutAnOperatorOperandsAreInvalidNamingTheKey) {
  Build(nullptr);
  auto kv = reads_->Get(*state_, "k", 100);
  ASSERT_FALSE(kv.ok());
  EXPECT_TRUE(kv.status().IsInvalid());
  EXPECT_NE(kv.status().message().find("merge operator not configured"), std::string::npos);
  EXPECT_NE(kv.status().message().find("'k'"), std::string::npos) << kv.status().ToString();
  EXPECT_EQ(Get("a"), "a2");
  EXPECT_EQ(Get("d"), "d12");  // the newest version is a value: no operand matters
  auto it = reads_->Scan(state_, ScanRange{}, false, 100, alive_);
  ASSERT_OK(it);
  auto first = (*it)->Next();
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ((*first)->key, "a");
  auto second = (*it)->Next();  // "c": operands only
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("'c'"), std::string::npos);
  EXPECT_FALSE((*it)->Next().ok()) << "the iterator stays failed";
}

TEST(CollectFlushRowsTest, KeepsOperandsDownToTheirBaseOrFoldsThem) {
  auto t = Table({M("k", 5, "c"), M("k", 4, "b"), V("k", 3, "a"), V("k", 2, "old"), M("m", 6, "y"),
                  M("m", 2, "x"), V("v", 7, "new"), V("v", 1, "old"), M("t", 3, "z"), T("t", 2),
                  V("t", 1, "gone")});
  // No operator: the operands and their base are kept, older versions are not.
  std::vector<RowEntry> want = {M("k", 5, "c"), M("k", 4, "b"), V("k", 3, "a"), M("m", 6, "y"),
                                M("m", 2, "x"), M("t", 3, "z"), T("t", 2),      V("v", 7, "new")};
  EXPECT_EQ(CollectFlushRows(*t, 7, nullptr), want);
  // With an operator they are folded.
  auto op = StringAppendOperator();
  auto rows = CollectFlushRows(*t, 7, op.get());
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].key, "k");
  EXPECT_EQ(rows[0].kind, RowKind::kValue);
  EXPECT_EQ(rows[0].value, "a,b,c");
  EXPECT_EQ(rows[0].seq, 5u);
  EXPECT_EQ(rows[1].key, "m");
  EXPECT_EQ(rows[1].kind, RowKind::kMerge);  // no base in this memtable: one operand
  EXPECT_EQ(rows[1].value, "x,y");
  EXPECT_EQ(rows[2].key, "t");
  EXPECT_EQ(rows[2].kind, RowKind::kValue);  // merged onto the tombstone: onto nothing
  EXPECT_EQ(rows[2].value, "z");
  EXPECT_EQ(rows[3], V("v", 7, "new"));
  // A retention bound keeps every version above it as it is.
  rows = CollectFlushRows(*t, 4, op.get());
  want = {M("k", 5, "c"), V("k", 4, "a,b"), M("m", 6, "y"),  M("m", 2, "x"),
          V("t", 3, "z"), V("v", 7, "new"), V("v", 1, "old")};
  ASSERT_EQ(rows.size(), want.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].key, want[i].key) << i;
    EXPECT_EQ(rows[i].seq, want[i].seq) << i;
    EXPECT_EQ(rows[i].kind, want[i].kind) << i;
    EXPECT_EQ(rows[i].value, want[i].value) << i;
  }
}

// A prefix scan over a sorted run of 20 SSTs (SST i holds the keys of prefix r<i>): the SST
// before the prefix is ruled out by its filter, the prefix's SST is read, and the run is not
// walked past the prefix's keys (each SST's filter would otherwise be consulted).
TEST(ReadPathPrefixTest, SortedRunPrefixScanStopsAtThePrefixEnd) {
  auto store = NewMemoryObjectStore();
  Settings settings;
  settings.min_filter_keys = 1;
  auto extractor = NewFixedPrefixExtractor(4);
  ASSERT_OK(extractor);
  auto reads = std::make_shared<ReadPath>(store, "db", settings, nullptr, *extractor);
  format::UlidGenerator ulids(5);
  format::SortedRun run{1, {}};
  auto prefix = [](int i) {
    std::string p = std::to_string(i);
    return "r" + std::string(3 - p.size(), '0') + p;
  };
  std::vector<std::pair<std::string, std::string>> all;
  for (int i = 0; i < 20; ++i) {
    std::vector<RowEntry> rows;
    for (int j = 0; j < 5; ++j) {
      rows.push_back(V(prefix(i) + "/" + std::to_string(j), 1, "v" + std::to_string(i)));
      all.emplace_back(rows.back().key, rows.back().value);
    }
    format::SstHandle h;
    h.id = ulids.Next(1000);
    h.format_version = format::kSstFormatVersion;
    ASSERT_OK_AND_ASSIGN(h.info,
                         L0SstWriter(store, "db", settings, *extractor).WriteRows(h.id, rows));
    EXPECT_EQ(h.info.filter_format, format::FilterFormat::kComposite);
    run.ssts.push_back(h);
  }
  auto state = std::make_shared<DbState>();
  state->memtable = std::make_shared<Memtable>();
  auto m = std::make_shared<format::Manifest>();
  m->compacted.push_back(run);
  state->manifest = m;
  auto alive = std::make_shared<std::atomic<bool>>(true);
  auto want = [&](const std::string& p, bool reverse) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& kv : all) {
      if (kv.first.starts_with(p)) out.push_back(kv);
    }
    if (reverse) std::reverse(out.begin(), out.end());
    return out;
  };
  for (bool reverse : {false, true}) {
    for (int i : {0, 5, 19}) {
      const uint64_t before = reads->prefix_filter_negatives() + reads->prefix_filter_positives();
      EXPECT_EQ(testing::DrainRows(reads->Scan(state, PrefixRange(prefix(i)), reverse, 10, alive)),
                want(prefix(i), reverse))
          << prefix(i);
      const uint64_t consulted =
          reads->prefix_filter_negatives() + reads->prefix_filter_positives() - before;
      EXPECT_GE(consulted, 1u) << prefix(i);
      EXPECT_LE(consulted, 2u) << prefix(i) << (reverse ? " reverse" : " forward");
    }
    // Longer scan prefixes are probed with their first 4 bytes.
    EXPECT_EQ(testing::DrainRows(reads->Scan(state, PrefixRange("r007/3"), reverse, 10, alive)),
              want("r007/3", reverse));
  }
  // Absent prefixes: "r0055" is probed as "r005" (SST 5's filter passes it, no row matches);
  // "r100" lies after every key: only SST 19 is consulted, and ruled out.
  const uint64_t neg = reads->prefix_filter_negatives();
  EXPECT_TRUE(
      testing::DrainRows(reads->Scan(state, PrefixRange("r0055"), false, 10, alive)).empty());
  EXPECT_TRUE(
      testing::DrainRows(reads->Scan(state, PrefixRange("r100"), false, 10, alive)).empty());
  EXPECT_EQ(reads->prefix_filter_negatives() - neg, 1u) << "r100: only SST 19 consulted";
}

}  // namespace
}  // namespace slatedb::db

namespace slatedb::db {
namespace {

// Open descriptors of this process on files under `dir` (deleted ones included).
std::vector<std::string> OpenFdsUnder(const std::filesystem::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    std::error_code ec2;
    std::string target = std::filesystem::read_symlink(e.path(), ec2).string();
    if (!ec2 && target.starts_with(dir.string() + "/")) out.push_back(target);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// On the local store a cached SST reader holds its file open; once a manifest no longer lists
// the SST (compacted away), Retain must close it, so the GC's delete frees the disk space.
// Compaction is done by hand: three L0 SSTs are read, then a manifest replacing them with one
// sorted run is retained.
TEST(ReadPathLocalTest, RetainClosesTheFilesOfSstsNoLongerListed) {
  const auto root = std::filesystem::temp_directory_path() /
                    ("slatedb-readpath-fds-" + std::to_string(::getpid()));
  std::filesystem::remove_all(root);
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<ObjectStore> store, NewLocalObjectStore(root.string()));
  auto reads = std::make_shared<ReadPath>(store, "db", Settings(), nullptr);
  format::UlidGenerator ulids(9);
  auto sst = [&](const std::vector<RowEntry>& rows) {
    format::SstHandle h;
    h.id = ulids.Next(1000);
    h.format_version = format::kSstFormatVersion;
    auto info = L0SstWriter(store, "db", Settings(), nullptr).WriteRows(h.id, rows);
    EXPECT_OK(info);
    if (info.ok()) h.info = *info;
    return h;
  };
  auto l0 = std::make_shared<format::Manifest>();
  for (int i = 0; i < 3; ++i) {
    l0->l0.push_back(sst({V("k" + std::to_string(i), 1 + i, "v" + std::to_string(i))}));
  }
  auto state = std::make_shared<DbState>();
  state->memtable = std::make_shared<Memtable>();
  state->manifest = l0;
  reads->Retain(l0);
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK_AND_ASSIGN(auto kv, reads->Get(*state, "k" + std::to_string(i), 100));
    ASSERT_TRUE(kv.has_value());
    EXPECT_EQ(kv->value, "v" + std::to_string(i));
  }
  const auto compacted_dir = root / "db" / "compacted";
  EXPECT_EQ(OpenFdsUnder(compacted_dir).size(), 3u);  // one per L0 SST, kept between reads
  ASSERT_OK(reads->Get(*state, "k1", 100));
  EXPECT_EQ(OpenFdsUnder(compacted_dir).size(), 3u);

  // "Compaction": one sorted run replaces the three L0 SSTs.
  auto run = std::make_shared<format::Manifest>();
  run->compacted.push_back({1, {sst({V("k0", 1, "v0"), V("k1", 2, "v1"), V("k2", 3, "v2")})}});
  auto next = std::make_shared<DbState>();
  next->memtable = std::make_shared<Memtable>();
  next->manifest = run;
  reads->Retain(run);
  state.reset();
  EXPECT_TRUE(OpenFdsUnder(compacted_dir).empty());  // the run's reader is not opened yet
  ASSERT_OK_AND_ASSIGN(auto kv, reads->Get(*next, "k2", 100));
  ASSERT_TRUE(kv.has_value());
  EXPECT_EQ(kv->value, "v2");
  // Only the run's SST is open; "GC" deletes the old files and no descriptor keeps them.
  const manifest::SstPathResolver paths("db");
  for (const auto& h : l0->l0) ASSERT_OK(store->Delete(paths.Path(h.id)));
  std::vector<std::string> open = OpenFdsUnder(compacted_dir);
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0], (root / paths.Path(run->compacted[0].ssts[0].id)).string());
  reads.reset();
  EXPECT_TRUE(OpenFdsUnder(compacted_dir).empty());
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace slatedb::db
