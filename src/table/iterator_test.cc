// table/iterator_test.cc — VectorIterator and MergeIterator, both directions.
#include "table/iterator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "test_util.h"
#include "util/random.h"

namespace slatedb::table {
namespace {

using format::RowEntry;
using format::RowKind;

RowEntry R(std::string key, uint64_t seq, std::string value = "") {
  RowEntry r;
  r.key = std::move(key);
  r.seq = seq;
  r.value = value.empty() ? r.key + "@" + std::to_string(seq) : std::move(value);
  return r;
}

std::vector<std::pair<std::string, uint64_t>> Drain(RowIterator& it) {
  std::vector<std::pair<std::string, uint64_t>> out;
  while (it.Valid()) {
    out.emplace_back(it.row().key, it.row().seq);
    EXPECT_OK(it.Next());
  }
  return out;
}

std::vector<RowEntry> Sorted(std::vector<RowEntry> v) {
  std::sort(v.begin(), v.end(), [](const RowEntry& a, const RowEntry& b) {
    return format::RowLess(a.key, a.seq, b.key, b.seq);
  });
  return v;
}

// Expected reverse order: keys descending, versions newest first.
std::vector<std::pair<std::string, uint64_t>> ReverseOrder(const std::vector<RowEntry>& sorted) {
  std::vector<RowEntry> v = sorted;
  std::stable_sort(v.begin(), v.end(), [](const RowEntry& a, const RowEntry& b) {
    return RowBefore(Direction::kReverse, a, b);
  });
  std::vector<std::pair<std::string, uint64_t>> out;
  for (const auto& r : v) out.emplace_back(r.key, r.seq);
  return out;
}

TEST(VectorIteratorTest, ForwardAndSeek) {
  auto rows = Sorted({R("b", 5), R("b", 3), R("d", 1), R("a", 2)});
  VectorIterator it(rows, Direction::kForward);
  EXPECT_FALSE(it.Valid());
  ASSERT_OK(it.SeekToFirst());
  EXPECT_EQ(Drain(it), (std::vector<std::pair<std::string, uint64_t>>{
                           {"a", 2}, {"b", 5}, {"b", 3}, {"d", 1}}));
  ASSERT_OK(it.Seek("b"));
  EXPECT_EQ(it.row().seq, 5u);
  ASSERT_OK(it.Seek("c"));
  EXPECT_EQ(it.row().key, "d");
  ASSERT_OK(it.Seek("e"));
  EXPECT_FALSE(it.Valid());
}

TEST(VectorIteratorTest, ReverseKeepsVersionsNewestFirst) {
  auto rows = Sorted({R("b", 5), R("b", 3), R("d", 1), R("a", 2), R("d", 9)});
  VectorIterator it(rows, Direction::kReverse);
  ASSERT_OK(it.SeekToFirst());
  EXPECT_EQ(Drain(it), (std::vector<std::pair<std::string, uint64_t>>{
                           {"d", 9}, {"d", 1}, {"b", 5}, {"b", 3}, {"a", 2}}));
  ASSERT_OK(it.Seek("c"));
  EXPECT_EQ(it.row().key, "b");
  EXPECT_EQ(it.row().seq, 5u);
  ASSERT_OK(it.Seek("b"));
  EXPECT_EQ(it.row().seq, 5u);
  ASSERT_OK(it.Seek("0"));
  EXPECT_FALSE(it.Valid());
  VectorIterator empty(std::vector<RowEntry>{}, Direction::kReverse);
  ASSERT_OK(empty.SeekToFirst());
  EXPECT_FALSE(empty.Valid());
}

TEST(MergeIteratorTest, PrecedenceAndDedup) {
  // Child 0 (memtable) and child 1 (L0) both hold b@5 (WAL replay overlap); c@7 only in 1.
  std::vector<RowEntry> mem = Sorted({R("b", 5, "mem"), R("a", 8)});
  std::vector<RowEntry> l0 = Sorted({R("b", 5, "l0"), R("b", 2), R("c", 7)});
  for (Direction dir : {Direction::kForward, Direction::kReverse}) {
    std::vector<std::unique_ptr<RowIterator>> kids;
    kids.push_back(std::make_unique<VectorIterator>(mem, dir));
    kids.push_back(std::make_unique<VectorIterator>(l0, dir));
    MergeIterator it(std::move(kids), dir);
    ASSERT_OK(it.SeekToFirst());
    std::vector<std::string> seen;
    while (it.Valid()) {
      seen.push_back(it.row().key + "@" + std::to_string(it.row().seq) + "=" + it.row().value);
      ASSERT_OK(it.Next());
    }
    if (dir == Direction::kForward) {
      EXPECT_EQ(seen, (std::vector<std::string>{"a@8=a@8", "b@5=mem", "b@2=b@2", "c@7=c@7"}));
    } else {
      EXPECT_EQ(seen, (std::vector<std::string>{"c@7=c@7", "b@5=mem", "b@2=b@2", "a@8=a@8"}));
    }
  }
}

TEST(MergeIteratorTest, RandomizedAgainstSortedUnion) {
  util::Random rnd(12345);
  for (int round = 0; round < 30; ++round) {
    std::vector<std::vector<RowEntry>> children(1 + rnd.Uniform(5));
    std::map<std::pair<std::string, uint64_t>, bool> all;
    std::vector<RowEntry> union_rows;
    uint64_t seq = 1;
    for (auto& c : children) {
      int n = static_cast<int>(rnd.Uniform(40));
      for (int i = 0; i < n; ++i) {
        std::string key = "k" + std::to_string(rnd.Uniform(25));
        RowEntry r = R(key, seq++);
        c.push_back(r);
        union_rows.push_back(r);
      }
      c = Sorted(c);
    }
    union_rows = Sorted(union_rows);
    for (Direction dir : {Direction::kForward, Direction::kReverse}) {
      std::vector<std::unique_ptr<RowIterator>> kids;
      for (auto& c : children) kids.push_back(std::make_unique<VectorIterator>(c, dir));
      MergeIterator it(std::move(kids), dir);
      ASSERT_OK(it.SeekToFirst());
      auto got = Drain(it);
      if (dir == Direction::kForward) {
        std::vector<std::pair<std::string, uint64_t>> want;
        for (const auto& r : union_rows) want.emplace_back(r.key, r.seq);
        EXPECT_EQ(got, want) << "round " << round;
      } else {
        EXPECT_EQ(got, ReverseOrder(union_rows)) << "round " << round;
      }
      // Seek to a random key.
      std::string target = "k" + std::to_string(rnd.Uniform(25));
      ASSERT_OK(it.Seek(target));
      if (it.Valid()) {
        if (dir == Direction::kForward) {
          EXPECT_GE(it.row().key, target);
        } else {
          EXPECT_LE(it.row().key, target);
        }
      }
    }
  }
}

}  // namespace
}  // namespace slatedb::table
