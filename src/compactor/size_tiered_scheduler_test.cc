// Table-driven tests of the size-tiered scheduler's decisions.
#include "compactor/size_tiered_scheduler.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace slatedb::compactor {
namespace {

format::SstHandle Sst(uint64_t n, uint64_t size) {
  format::SstHandle h;
  h.id = format::Ulid{n, 0};
  h.info.filter_offset = size;  // SstSize = end of the last section
  return h;
}

// A manifest with `l0` L0 SSTs (ids l0..1, newest first) and runs given as (id, size), highest
// id first.
format::Manifest Make(size_t l0, std::vector<std::pair<uint32_t, uint64_t>> runs) {
  format::Manifest m;
  for (size_t i = l0; i >= 1; --i) m.l0.push_back(Sst(i, 100));
  uint64_t n = 1000;
  for (auto [id, size] : runs) m.compacted.push_back({id, {Sst(n++, size)}});
  return m;
}

std::vector<uint64_t> L0Numbers(const CompactionSpec& s) {
  std::vector<uint64_t> out;
  for (const auto& id : s.l0_ids) out.push_back(id.high);
  return out;
}

struct Case {
  const char* name;
  format::Manifest manifest;
  std::vector<CompactionSpec> running;
  // Expected specs as (l0 numbers newest first, run ids, destination).
  std::vector<std::tuple<std::vector<uint64_t>, std::vector<uint32_t>, uint32_t>> want;
};

TEST(SizeTieredSchedulerTest, Decisions) {
  CompactionSpec l0_running;
  l0_running.l0_ids = {format::Ulid{1, 0}};
  CompactionSpec run5_running;
  run5_running.run_ids = {5};
  std::vector<Case> cases = {
      {"empty", Make(0, {}), {}, {}},
      {"three L0 are below min", Make(3, {}), {}, {}},
      {"four L0 make run 0", Make(4, {}), {}, {{{4, 3, 2, 1}, {}, 0}}},
      {"ten L0: the oldest eight, above the highest run",
       Make(10, {{7, 100}}),
       {},
       {{{8, 7, 6, 5, 4, 3, 2, 1}, {}, 8}}},
      {"only one L0 compaction at a time", Make(6, {}), {l0_running}, {}},
      {"four similar runs merge into the lowest",
       Make(0, {{9, 100}, {8, 100}, {7, 150}, {6, 120}}),
       {},
       {{{}, {9, 8, 7, 6}, 6}}},
      {"a much larger older run is left out",
       Make(0, {{9, 100}, {8, 100}, {7, 100}, {6, 100}, {5, 100000}}),
       {},
       {{{}, {9, 8, 7, 6}, 6}}},
      {"at most max sources runs",
       Make(0, {{9, 1}, {8, 1}, {7, 1}, {6, 1}, {5, 1}, {4, 1}, {3, 1}, {2, 1}, {1, 1}}),
       {},
       {{{}, {9, 8, 7, 6, 5, 4, 3, 2}, 2}}},
      {"three runs are below min", Make(0, {{3, 10}, {2, 10}, {1, 10}}), {}, {}},
      {"a busy run breaks adjacency",
       Make(0, {{9, 10}, {8, 10}, {7, 10}, {6, 10}, {5, 10}, {4, 10}, {3, 10}}),
       {run5_running},
       {{{}, {9, 8, 7, 6}, 6}}},
      {"growing tiers: each older run within 4x of the sum",
       Make(0, {{4, 10}, {3, 30}, {2, 150}, {1, 700}}),
       {},
       {{{}, {4, 3, 2, 1}, 1}}},
      {"L0 and runs together",
       Make(5, {{3, 10}, {2, 10}, {1, 10}, {0, 10}}),
       {},
       {{{4, 3, 2, 1}, {}, 4}, {{}, {3, 2, 1, 0}, 0}}},
  };
  // "L0 and runs together" with 5 L0s: max 8 takes all five.
  std::get<0>(cases.back().want[0]) = {5, 4, 3, 2, 1};
  SizeTieredOptions opts;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto got = PickCompactions(c.manifest, c.running, opts);
    ASSERT_EQ(got.size(), c.want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(L0Numbers(got[i]), std::get<0>(c.want[i]));
      EXPECT_EQ(got[i].run_ids, std::get<1>(c.want[i]));
      EXPECT_EQ(got[i].destination, std::get<2>(c.want[i]));
    }
  }
}

TEST(SizeTieredSchedulerTest, ParsesSlateDbOptions) {
  auto d = ParseSchedulerOptions({});
  ASSERT_OK(d);
  EXPECT_EQ(d->min_compaction_sources, 4u);
  EXPECT_EQ(d->max_compaction_sources, 8u);
  EXPECT_DOUBLE_EQ(d->include_size_threshold, 4.0);
  auto o = ParseSchedulerOptions({{"min_compaction_sources", "2"},
                                  {"max_compaction_sources", "3"},
                                  {"include_size_threshold", "1.5"}});
  ASSERT_OK(o) << o.status().ToString();
  EXPECT_EQ(o->min_compaction_sources, 2u);
  EXPECT_EQ(o->max_compaction_sources, 3u);
  EXPECT_DOUBLE_EQ(o->include_size_threshold, 1.5);
}

TEST(SizeTieredSchedulerTest, RejectsBadOptionsNamingThem) {
  struct Bad {
    std::map<std::string, std::string> opts;
    const char* needle;
  };
  std::vector<Bad> bad = {
      {{{"min_compaction_sources", "x"}}, "min_compaction_sources"},
      {{{"min_compaction_sources", "1"}}, "min_compaction_sources"},
      {{{"max_compaction_sources", "2.5"}}, "max_compaction_sources"},
      {{{"max_compaction_sources", "3"}}, "max_compaction_sources (3)"},
      {{{"include_size_threshold", "-1"}}, "include_size_threshold"},
      {{{"include_size_threshold", ""}}, "include_size_threshold"},
      {{{"bogus", "1"}}, "bogus"},
  };
  for (const auto& b : bad) {
    auto r = ParseSchedulerOptions(b.opts);
    ASSERT_FALSE(r.ok()) << b.needle;
    EXPECT_TRUE(r.status().IsInvalid());
    EXPECT_NE(r.status().message().find(b.needle), std::string::npos) << r.status().ToString();
  }
}

// Segments (RFC-0024): each tree is scheduled on its own (a running L0 job blocks only its own
// tree), trees with more L0 SSTs first, new runs get ids above every tree's runs and every
// running destination, and specs carry their segment.
TEST(SizeTieredSchedulerTest, SegmentsArePickedPerTreeMostL0First) {
  format::Manifest m = Make(4, {{7, 100}});  // root: L0 1..4, run 7
  auto segment = [](const std::string& prefix, uint64_t first, size_t n) {
    format::Segment s;
    s.prefix = prefix;
    for (size_t i = n; i >= 1; --i) s.l0.push_back(Sst(first + i - 1, 100));
    return s;
  };
  m.segments.push_back(segment("aaa", 11, 6));
  m.segments.push_back(segment("bbb", 21, 4));
  m.segments.back().compacted.push_back({9, {Sst(2000, 100)}});
  m.segments.push_back(segment("ccc", 31, 5));
  CompactionSpec bbb_busy;
  bbb_busy.segment = "bbb";
  bbb_busy.l0_ids = {format::Ulid{21, 0}};
  bbb_busy.destination = 3;
  CompactionSpec ccc_runs;
  ccc_runs.segment = "ccc";
  ccc_runs.run_ids = {20};
  ccc_runs.destination = 20;
  SizeTieredOptions opts;
  auto got = PickSegmentedCompactions(m, {bbb_busy, ccc_runs}, opts);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].segment, "aaa");
  EXPECT_EQ(L0Numbers(got[0]), (std::vector<uint64_t>{16, 15, 14, 13, 12, 11}));
  EXPECT_EQ(got[0].destination, 21u);  // above run 9 (bbb) and running destination 20
  EXPECT_EQ(got[1].segment, "ccc");
  EXPECT_EQ(got[1].destination, 22u);
  EXPECT_EQ(got[2].segment, "");
  EXPECT_EQ(L0Numbers(got[2]), (std::vector<uint64_t>{4, 3, 2, 1}));
  EXPECT_EQ(got[2].destination, 23u);
  // Without segments: exactly PickCompactions.
  format::Manifest root = Make(4, {{7, 100}});
  EXPECT_EQ(PickSegmentedCompactions(root, {}, opts), PickCompactions(root, {}, opts));
}

}  // namespace
}  // namespace slatedb::compactor
