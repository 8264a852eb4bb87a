// memtable/memtable_row_iterator_test.cc — the RowIterator adapter against table::VectorIterator.
#include "memtable/memtable_row_iterator.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "test_util.h"
#include "util/random.h"

namespace slatedb::memtable {
namespace {

using format::RowEntry;
using format::RowKind;
using table::Direction;

RowEntry Row(std::string key, uint64_t seq, std::string value = "",
             RowKind kind = RowKind::kValue) {
  RowEntry r;
  r.key = std::move(key);
  r.value = std::move(value);
  r.seq = seq;
  r.kind = kind;
  return r;
}

std::vector<RowEntry> Drain(table::RowIterator& it, size_t limit = SIZE_MAX) {
  std::vector<RowEntry> out;
  while (it.Valid() && out.size() < limit) {
    out.push_back(it.row());
    EXPECT_OK(it.Next());
  }
  return out;
}

TEST(MemtableRowIteratorTest, EmptyMemtable) {
  auto m = std::make_shared<Memtable>();
  for (Direction dir : {Direction::kForward, Direction::kReverse}) {
    MemtableRowIterator it(m, dir);
    EXPECT_EQ(it.direction(), dir);
    ASSERT_OK(it.SeekToFirst());
    EXPECT_FALSE(it.Valid());
    ASSERT_OK(it.Seek("k"));
    EXPECT_FALSE(it.Valid());
  }
}

TEST(MemtableRowIteratorTest, ReverseKeepsVersionsNewestFirst) {
  auto m = std::make_shared<Memtable>();
  for (const RowEntry& r :
       {Row("a", 1, "a1"), Row("a", 4, "a4"), Row("b", 2, "", RowKind::kTombstone),
        Row("c", 3, "c3"), Row("c", 5, "c5"), Row("c", 6, "+", RowKind::kMerge)}) {
    ASSERT_OK(m->Add(r));
  }
  MemtableRowIterator it(m, Direction::kReverse);
  ASSERT_OK(it.SeekToFirst());
  std::vector<std::pair<std::string, uint64_t>> got;
  for (const RowEntry& r : Drain(it)) got.emplace_back(r.key, r.seq);
  std::vector<std::pair<std::string, uint64_t>> want = {{"c", 6}, {"c", 5}, {"c", 3},
                                                        {"b", 2}, {"a", 4}, {"a", 1}};
  EXPECT_EQ(got, want);
  ASSERT_OK(it.Seek("bb"));
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.row(), Row("b", 2, "", RowKind::kTombstone));
  ASSERT_OK(it.Seek("a"));
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.row(), Row("a", 4, "a4"));
  ASSERT_OK(it.Seek("0"));
  EXPECT_FALSE(it.Valid());
  MemtableRowIterator fwd(m, Direction::kForward);
  ASSERT_OK(fwd.Seek("bb"));
  ASSERT_TRUE(fwd.Valid());
  EXPECT_EQ(fwd.row(), Row("c", 6, "+", RowKind::kMerge));
}

// Same rows in a memtable and in a sorted vector: both iterators must agree on full scans and
// on every Seek, in both directions.
TEST(MemtableRowIteratorTest, AgreesWithVectorIterator) {
  const char* env = std::getenv("SLATEDB_TEST_SEED");
  const uint64_t seed = env != nullptr ? std::strtoull(env, nullptr, 10) : 4242;
  SCOPED_TRACE("seed=" + std::to_string(seed));
  util::Random rnd(seed);
  auto m = std::make_shared<Memtable>(seed);
  std::map<std::pair<std::string, uint64_t>, RowEntry,
           bool (*)(const std::pair<std::string, uint64_t>&,
                    const std::pair<std::string, uint64_t>&)>
      model(
          [](const std::pair<std::string, uint64_t>& a, const std::pair<std::string, uint64_t>& b) {
            return format::RowLess(a.first, a.second, b.first, b.second);
          });
  for (int i = 0; i < 3000; ++i) {
    char key[16];
    std::snprintf(key, sizeof(key), "k%04d", static_cast<int>(rnd.Uniform(400)));
    RowEntry r = Row(key, 1 + rnd.Uniform(5000), "v" + std::to_string(i),
                     rnd.OneIn(6) ? RowKind::kTombstone : RowKind::kValue);
    if (r.is_tombstone()) r.value.clear();
    ASSERT_OK(m->Add(r));
    model[{r.key, r.seq}] = r;
  }
  std::vector<RowEntry> sorted;
  for (const auto& [version, row] : model) sorted.push_back(row);
  auto shared = std::make_shared<const std::vector<RowEntry>>(sorted);

  for (Direction dir : {Direction::kForward, Direction::kReverse}) {
    SCOPED_TRACE(dir == Direction::kForward ? "forward" : "reverse");
    MemtableRowIterator mit(m, dir);
    table::VectorIterator vit(shared, dir);
    ASSERT_OK(mit.SeekToFirst());
    ASSERT_OK(vit.SeekToFirst());
    std::vector<RowEntry> all = Drain(mit);
    ASSERT_EQ(all.size(), sorted.size());
    ASSERT_EQ(all, Drain(vit));
    for (int i = 0; i < 300; ++i) {
      char key[16];
      std::snprintf(key, sizeof(key), "k%04d%s", static_cast<int>(rnd.Uniform(410)),
                    rnd.OneIn(3) ? "x" : "");
      ASSERT_OK(mit.Seek(key));
      ASSERT_OK(vit.Seek(key));
      ASSERT_EQ(Drain(mit, 12), Drain(vit, 12)) << "seek " << key;
    }
  }
}

TEST(MemtableRowIteratorTest, MergesWithOtherSources) {
  auto m = std::make_shared<Memtable>();
  ASSERT_OK(m->Add(Row("a", 9, "mem")));
  ASSERT_OK(m->Add(Row("c", 8, "mem")));
  ImmutableMemtable imm(m, 3);
  std::vector<std::unique_ptr<table::RowIterator>> children;
  children.push_back(NewMemtableRowIterator(imm, Direction::kForward));
  children.push_back(std::make_unique<table::VectorIterator>(
      std::vector<RowEntry>{Row("a", 2, "sst"), Row("b", 1, "sst")}, Direction::kForward));
  table::MergeIterator merged(std::move(children), Direction::kForward);
  ASSERT_OK(merged.SeekToFirst());
  std::vector<RowEntry> want = {Row("a", 9, "mem"), Row("a", 2, "sst"), Row("b", 1, "sst"),
                                Row("c", 8, "mem")};
  EXPECT_EQ(Drain(merged), want);
}

}  // namespace
}  // namespace slatedb::memtable
