// memtable/memtable_test.cc — the memtable against a std::map model, concurrency, edge cases.
#include "memtable/memtable.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <limits>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "format/row_record.h"
#include "memtable/arena.h"
#include "test_util.h"
#include "util/random.h"

namespace slatedb::memtable {
namespace {

using format::RowEntry;
using format::RowKind;

// Seed for randomized tests: SLATEDB_TEST_SEED if set, else a fixed one. Printed on failure.
uint64_t TestSeed() {
  const char* env = std::getenv("SLATEDB_TEST_SEED");
  return env != nullptr ? std::strtoull(env, nullptr, 10) : 20261126ULL;
}

struct VersionLess {
  bool operator()(const std::pair<std::string, uint64_t>& a,
                  const std::pair<std::string, uint64_t>& b) const {
    return format::RowLess(a.first, a.second, b.first, b.second);
  }
};
using Model = std::map<std::pair<std::string, uint64_t>, RowEntry, VersionLess>;

RowEntry Row(std::string key, uint64_t seq, std::string value = "",
             RowKind kind = RowKind::kValue) {
  RowEntry r;
  r.key = std::move(key);
  r.value = std::move(value);
  r.seq = seq;
  r.kind = kind;
  return r;
}

std::vector<RowEntry> ScanForward(const Memtable& m) {
  std::vector<RowEntry> out;
  MemtableIterator it = m.NewIterator();
  for (it.SeekToFirst(); it.Valid(); it.Next()) out.push_back(it.row());
  return out;
}

std::vector<RowEntry> ScanBackward(const Memtable& m) {
  std::vector<RowEntry> out;
  MemtableIterator it = m.NewIterator();
  for (it.SeekToLast(); it.Valid(); it.Prev()) out.push_back(it.row());
  return out;
}

std::vector<RowEntry> ModelRows(const Model& model) {
  std::vector<RowEntry> out;
  for (const auto& [version, row] : model) out.push_back(row);
  return out;
}

std::string RandomKey(util::Random& rnd, int key_space) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "key%06d", static_cast<int>(rnd.Uniform(key_space)));
  return buf;
}

TEST(MemtableTest, Empty) {
  Memtable m;
  EXPECT_TRUE(m.empty());
  EXPECT_EQ(m.num_entries(), 0u);
  EXPECT_FALSE(m.Get("a").has_value());
  EXPECT_FALSE(m.min_seq().has_value());
  EXPECT_FALSE(m.max_seq().has_value());
  EXPECT_FALSE(m.last_wal_id().has_value());
  MemtableIterator it = m.NewIterator();
  EXPECT_FALSE(it.Valid());
  it.SeekToFirst();
  EXPECT_FALSE(it.Valid());
  it.SeekToLast();
  EXPECT_FALSE(it.Valid());
  it.Seek("a");
  EXPECT_FALSE(it.Valid());
  it.SeekForPrev("z");
  EXPECT_FALSE(it.Valid());
}

TEST(MemtableTest, GetReturnsNewestVersionAtOrBelowMaxSeq) {
  Memtable m;
  RowEntry v1 = Row("k", 1, "one");
  v1.create_ts = 1000;
  RowEntry tomb = Row("k", 3, "", RowKind::kTombstone);
  tomb.create_ts = 3000;
  RowEntry v5 = Row("k", 5, "five");
  v5.create_ts = 5000;
  v5.expire_ts = 9000;
  RowEntry merge = Row("m", 4, "+1", RowKind::kMerge);
  for (const RowEntry& r : {v5, v1, merge, tomb}) ASSERT_OK(m.Add(r));

  EXPECT_EQ(m.Get("k"), v5);
  EXPECT_EQ(m.Get("k", 6), v5);
  EXPECT_EQ(m.Get("k", 5), v5);
  EXPECT_EQ(m.Get("k", 4), tomb);  // tombstones are returned as rows
  EXPECT_EQ(m.Get("k", 3), tomb);
  EXPECT_EQ(m.Get("k", 2), v1);
  EXPECT_EQ(m.Get("k", 1), v1);
  EXPECT_FALSE(m.Get("k", 0).has_value());
  EXPECT_EQ(m.Get("m"), merge);
  EXPECT_FALSE(m.Get("m", 3).has_value());
  EXPECT_FALSE(m.Get("j").has_value());
  EXPECT_FALSE(m.Get("l").has_value());
  EXPECT_FALSE(m.Get("kk").has_value());
  EXPECT_FALSE(m.Get("").has_value());
  EXPECT_EQ(m.Get("k")->create_ts, 5000);
  EXPECT_EQ(m.Get("k")->expire_ts, 9000);
  EXPECT_FALSE(m.Get("m")->create_ts.has_value());
}

// Add hands out the row as stored — a row record in the arena that the WAL buffer keeps a
// pointer to — and it decodes to exactly the row added, whatever its shape.
TEST(MemtableTest, AddHandsOutTheStoredRecordOfTheRow) {
  Memtable mt;
  const std::string long_key(300, 'k'), long_value(5000, 'v');
  const format::RowView rows[] = {
      {"a", "1", 7, RowKind::kValue, std::nullopt, std::nullopt},
      {"b", "", 8, RowKind::kTombstone, 100, std::nullopt},
      {long_key, long_value, 9, RowKind::kMerge, 200, 300},
  };
  for (const format::RowView& row : rows) {
    const char* record = nullptr;
    ASSERT_TRUE(mt.Add(row, &record).ok());
    ASSERT_NE(record, nullptr);
    const format::RowView stored = format::DecodeRowRecord(record);
    EXPECT_EQ(stored.key, row.key);
    EXPECT_EQ(stored.value, row.value);
    EXPECT_EQ(stored.seq, row.seq);
    EXPECT_EQ(stored.kind, row.kind);
    EXPECT_EQ(stored.create_ts, row.create_ts);
    EXPECT_EQ(stored.expire_ts, row.expire_ts);
    EXPECT_NE(stored.key.data(), row.key.data()) << "a view of the arena's copy, not the input";
    auto got = mt.Get(row.key, row.seq);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->value, row.value);
  }
}

TEST(MemtableTest, StatsAndTags) {
  Memtable m;
  ASSERT_OK(m.Add(Row("b", 7, "x")));
  ASSERT_OK(m.Add(Row("a", 3, "yy")));
  ASSERT_OK(m.Add(Row("c", 9, "")));
  EXPECT_EQ(m.num_entries(), 3u);
  EXPECT_EQ(m.min_seq(), 3u);
  EXPECT_EQ(m.max_seq(), 9u);
  EXPECT_EQ(m.EstimatedRowBytes(), (1 + 1 + 32) + (1 + 2 + 32) + (1 + 0 + 32));
  EXPECT_GT(m.ApproximateBytes(), 0u);
  m.SetLastWalId(42);
  EXPECT_EQ(m.last_wal_id(), 42u);
}

TEST(MemtableTest, RejectsBadKeysAndAddsAfterFreeze) {
  Memtable m;
  Status empty = m.Add(Row("", 1, "v"));
  EXPECT_TRUE(empty.IsInvalid());
  EXPECT_NE(empty.message().find("empty"), std::string::npos);
  Status too_long = m.Add(Row(std::string(format::kMaxKeySize + 1, 'k'), 1, "v"));
  EXPECT_TRUE(too_long.IsInvalid());
  EXPECT_NE(too_long.message().find("65536"), std::string::npos);
  std::string max_key(format::kMaxKeySize, 'k');
  ASSERT_OK(m.Add(Row(max_key, 2, "v")));
  EXPECT_EQ(m.Get(max_key)->seq, 2u);
  EXPECT_EQ(m.num_entries(), 1u);
  EXPECT_FALSE(m.frozen());
  m.Freeze();
  EXPECT_TRUE(m.frozen());
  Status frozen = m.Add(Row("a", 3, "v"));
  EXPECT_TRUE(frozen.IsInternal());
  EXPECT_FALSE(m.Get("a").has_value());
}

TEST(MemtableTest, SameVersionAddedTwiceKeepsLastWrite) {
  Memtable m;
  ASSERT_OK(m.Add(Row("a", 1, "a1")));
  ASSERT_OK(m.Add(Row("k", 5, "first")));
  ASSERT_OK(m.Add(Row("k", 4, "older")));
  ASSERT_OK(m.Add(Row("k", 5, "second")));
  ASSERT_OK(m.Add(Row("z", 9, "z9")));
  ASSERT_OK(m.Add(Row("z", 9, "", RowKind::kTombstone)));
  ASSERT_OK(m.Add(Row("k", 5, "third")));
  EXPECT_EQ(m.Get("k")->value, "third");
  EXPECT_EQ(m.Get("z")->kind, RowKind::kTombstone);
  std::vector<RowEntry> expected = {Row("a", 1, "a1"), Row("k", 5, "third"), Row("k", 4, "older"),
                                    Row("z", 9, "", RowKind::kTombstone)};
  EXPECT_EQ(ScanForward(m), expected);
  std::reverse(expected.begin(), expected.end());
  EXPECT_EQ(ScanBackward(m), expected);
  MemtableIterator it = m.NewIterator();
  it.SeekForPrev("k");
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.row(), Row("k", 4, "older"));
  it.Prev();
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.value(), "third");
  it.SeekForPrev("zz");
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.kind(), RowKind::kTombstone);
  EXPECT_EQ(m.num_entries(), 7u);
}

TEST(MemtableTest, ManyVersionsOfOneKey) {
  Memtable m(7);
  constexpr uint64_t kVersions = 5000;
  // Odd seqs only, added in a scrambled order.
  std::vector<uint64_t> seqs;
  for (uint64_t s = 1; s <= 2 * kVersions; s += 2) seqs.push_back(s);
  util::Random rnd(99);
  for (size_t i = seqs.size() - 1; i > 0; --i) std::swap(seqs[i], seqs[rnd.Uniform(i + 1)]);
  for (uint64_t s : seqs) ASSERT_OK(m.Add(Row("hot", s, "v" + std::to_string(s))));
  ASSERT_OK(m.Add(Row("cold", 1, "c")));
  ASSERT_OK(m.Add(Row("warm", 2, "w")));

  for (uint64_t s = 1; s <= 2 * kVersions + 1; ++s) {
    uint64_t expected = std::min((s % 2 == 1) ? s : s - 1, 2 * kVersions - 1);
    auto got = m.Get("hot", s);
    ASSERT_TRUE(got.has_value()) << s;
    ASSERT_EQ(got->seq, expected) << s;
    ASSERT_EQ(got->value, "v" + std::to_string(expected));
  }
  EXPECT_FALSE(m.Get("hot", 0).has_value());

  // Forward over the key: seq strictly descending, then the next key.
  MemtableIterator it = m.NewIterator();
  it.Seek("hot");
  uint64_t prev = kMaxSeq;
  size_t n = 0;
  for (; it.Valid() && it.key() == "hot"; it.Next(), ++n) {
    ASSERT_LT(it.seq(), prev);
    prev = it.seq();
  }
  EXPECT_EQ(n, kVersions);
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), "warm");
  // Seek into the middle of the versions, then walk backwards to the newest one.
  it.Seek("hot", 5000);
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.seq(), 4999u);
  size_t back = 0;
  for (; it.Valid() && it.key() == "hot"; it.Prev()) ++back;
  EXPECT_EQ(back, (2 * kVersions - 4999) / 2 + 1);
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), "cold");
}

TEST(MemtableTest, LargeValues) {
  Memtable m;
  std::string big(3 << 20, 'x');
  for (size_t i = 0; i < big.size(); i += 4093) big[i] = static_cast<char>('a' + i % 26);
  std::string medium(5000, 'm');
  ASSERT_OK(m.Add(Row("big", 1, big)));
  ASSERT_OK(m.Add(Row("medium", 2, medium)));
  ASSERT_OK(m.Add(Row("small", 3, "s")));
  ASSERT_OK(m.Add(Row("big", 4, big + "!")));
  EXPECT_EQ(m.Get("big", 1)->value, big);
  EXPECT_EQ(m.Get("big")->value, big + "!");
  EXPECT_EQ(m.Get("medium")->value, medium);
  EXPECT_EQ(m.Get("small")->value, "s");
  EXPECT_GE(m.ApproximateBytes(), 2 * big.size() + medium.size());
  EXPECT_LT(m.ApproximateBytes(), 2 * big.size() + medium.size() + 64 * 1024);
}

TEST(MemtableTest, ReverseIterationAndSeekForPrev) {
  Memtable m;
  // keys b, d, f with two versions each.
  for (const char* k : {"b", "d", "f"}) {
    ASSERT_OK(m.Add(Row(k, 10, std::string(k) + "10")));
    ASSERT_OK(m.Add(Row(k, 20, std::string(k) + "20")));
  }
  MemtableIterator it = m.NewIterator();
  it.SeekForPrev("a");
  EXPECT_FALSE(it.Valid());
  it.SeekForPrev("b");
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.row(), Row("b", 10, "b10"));
  it.SeekForPrev("c");
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.row(), Row("b", 10, "b10"));
  it.SeekForPrev("e");
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.row(), Row("d", 10, "d10"));
  it.Prev();
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.row(), Row("d", 20, "d20"));
  it.Prev();
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.row(), Row("b", 10, "b10"));
  it.Next();
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.row(), Row("d", 20, "d20"));
  it.SeekForPrev("zzz");
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.row(), Row("f", 10, "f10"));
  it.SeekToLast();
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.row(), Row("f", 10, "f10"));
  it.SeekToFirst();
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.row(), Row("b", 20, "b20"));
  it.Prev();
  EXPECT_FALSE(it.Valid());
  it.Seek("g");
  EXPECT_FALSE(it.Valid());
  it.Seek("d", 15);
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.row(), Row("d", 10, "d10"));
  it.Seek("d", 5);
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.row(), Row("f", 20, "f20"));
  EXPECT_EQ(ScanBackward(m).size(), 6u);
}

TEST(MemtableTest, RandomizedAgainstModel) {
  const uint64_t seed = TestSeed();
  SCOPED_TRACE("seed=" + std::to_string(seed) + " (rerun with SLATEDB_TEST_SEED)");
  util::Random rnd(seed);
  Memtable m(seed);
  Model model;
  constexpr int kKeySpace = 500;
  constexpr int kRows = 6000;
  for (int i = 0; i < kRows; ++i) {
    RowEntry r = Row(RandomKey(rnd, kKeySpace), 1 + rnd.Uniform(3000));
    switch (rnd.Uniform(10)) {
      case 0:
        r.kind = RowKind::kTombstone;
        break;
      case 1:
        r.kind = RowKind::kMerge;
        r.value = "op" + std::to_string(i);
        break;
      default:
        r.value = std::string(rnd.Uniform(64), static_cast<char>('a' + i % 26));
    }
    if (rnd.OneIn(2)) r.create_ts = static_cast<int64_t>(rnd.Uniform(1000000));
    if (rnd.OneIn(5)) r.expire_ts = static_cast<int64_t>(rnd.Uniform(1000000));
    ASSERT_OK(m.Add(r));
    model[{r.key, r.seq}] = r;  // a repeated (key, seq) replaces: the last write wins
  }
  EXPECT_EQ(m.num_entries(), static_cast<size_t>(kRows));
  std::vector<RowEntry> expected = ModelRows(model);
  ASSERT_EQ(ScanForward(m), expected);
  std::reverse(expected.begin(), expected.end());
  ASSERT_EQ(ScanBackward(m), expected);

  // Point reads at random snapshots.
  for (int i = 0; i < 3000; ++i) {
    std::string key = RandomKey(rnd, kKeySpace + 10);
    uint64_t max_seq = rnd.OneIn(10) ? kMaxSeq : rnd.Uniform(3100);
    auto lb = model.lower_bound({key, max_seq});
    std::optional<RowEntry> want;
    if (lb != model.end() && lb->first.first == key) want = lb->second;
    ASSERT_EQ(m.Get(key, max_seq), want) << key << "@" << max_seq;
  }

  // Random walks mixing Seek / SeekForPrev / Next / Prev, checked step by step.
  MemtableIterator it = m.NewIterator();
  Model::const_iterator pos = model.end();
  for (int i = 0; i < 4000; ++i) {
    switch (rnd.Uniform(6)) {
      case 0: {
        std::string key = RandomKey(rnd, kKeySpace + 10);
        uint64_t max_seq = rnd.OneIn(2) ? kMaxSeq : rnd.Uniform(3100);
        it.Seek(key, max_seq);
        pos = model.lower_bound({key, max_seq});
        break;
      }
      case 1: {
        std::string key = RandomKey(rnd, kKeySpace + 10);
        it.SeekForPrev(key);
        pos = model.upper_bound({key, 0});
        pos = pos == model.begin() ? model.end() : std::prev(pos);
        break;
      }
      case 2:
        if (rnd.OneIn(2)) {
          it.SeekToFirst();
          pos = model.begin();
        } else {
          it.SeekToLast();
          pos = model.empty() ? model.end() : std::prev(model.end());
        }
        break;
      case 3:
      case 4:
        if (pos != model.end()) {
          it.Next();
          ++pos;
        }
        break;
      default:
        if (pos != model.end()) {
          it.Prev();
          pos = pos == model.begin() ? model.end() : std::prev(pos);
        }
    }
    ASSERT_EQ(it.Valid(), pos != model.end()) << "step " << i;
    if (it.Valid()) {
      ASSERT_EQ(it.row(), pos->second) << "step " << i;
    }
  }
}

// One writer adds rows while readers read. Each reader checks that (a) every row published
// before its read is visible exactly, (b) every scan is strictly ordered and only holds rows
// that were added, (c) scans never lose published rows. No timing assertions.
TEST(MemtableTest, ConcurrentReadersDuringWrites) {
  const uint64_t seed = TestSeed();
  SCOPED_TRACE("seed=" + std::to_string(seed));
  util::Random rnd(seed);
  constexpr int kRows = 20000;
  std::vector<RowEntry> rows;
  Model universe;
  for (int i = 0; i < kRows; ++i) {
    RowEntry r;
    do {
      r = Row(RandomKey(rnd, 2000), 1 + rnd.Uniform(1000000), "v" + std::to_string(i),
              rnd.OneIn(8) ? RowKind::kTombstone : RowKind::kValue);
    } while (universe.count({r.key, r.seq}) != 0);  // unique versions: any row is checkable
    if (r.kind == RowKind::kTombstone) r.value.clear();
    universe[{r.key, r.seq}] = r;
    rows.push_back(r);
  }

  Memtable m(seed);
  std::atomic<int> published{0};
  std::atomic<int> lost_rows{0};     // (a) a published row not found exactly
  std::atomic<int> misordered{0};    // (b) scan order broken
  std::atomic<int> foreign_rows{0};  // (b) a row that was never added
  std::atomic<int> short_scans{0};   // (c) a scan missed published rows
  std::atomic<int> checks{0};

  auto reader = [&](uint64_t reader_seed) {
    util::Random r(reader_seed);
    while (true) {
      const int n = published.load(std::memory_order_acquire);
      if (n > 0) {
        // (a) a published row is found exactly.
        const RowEntry& want = rows[r.Uniform(n)];
        std::optional<RowEntry> got = m.Get(want.key, want.seq);
        if (!got || *got != want) lost_rows.fetch_add(1);
      }
      if (r.OneIn(50)) {
        // (b), (c): a full scan, forward or backward.
        bool forward = r.OneIn(2);
        MemtableIterator it = m.NewIterator();
        int count = 0;
        std::optional<std::pair<std::string, uint64_t>> last;
        for (forward ? it.SeekToFirst() : it.SeekToLast(); it.Valid();
             forward ? it.Next() : it.Prev()) {
          std::pair<std::string, uint64_t> v{std::string(it.key()), it.seq()};
          if (last && (forward ? !VersionLess()(*last, v) : !VersionLess()(v, *last))) {
            misordered.fetch_add(1);
          }
          auto u = universe.find(v);
          if (u == universe.end() || u->second != it.row()) foreign_rows.fetch_add(1);
          last = v;
          ++count;
        }
        if (count < n) short_scans.fetch_add(1);
      }
      checks.fetch_add(1, std::memory_order_relaxed);
      if (n == kRows) break;
    }
  };

  std::vector<std::thread> readers;
  for (uint64_t i = 0; i < 3; ++i) readers.emplace_back(reader, seed + 1 + i);
  for (const RowEntry& r : rows) {
    ASSERT_OK(m.Add(r));
    published.fetch_add(1, std::memory_order_release);
  }
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(lost_rows.load(), 0);
  EXPECT_EQ(misordered.load(), 0);
  EXPECT_EQ(foreign_rows.load(), 0);
  EXPECT_EQ(short_scans.load(), 0);
  EXPECT_GE(checks.load(), 3);
  EXPECT_EQ(ScanForward(m), ModelRows(universe));
  EXPECT_EQ(m.num_entries(), static_cast<size_t>(kRows));
}

// Every field of a row survives the inline node encoding, for key lengths across the key-length
// varint's boundaries (1, 2 and 3 bytes) and value lengths across the value-length varint's.
TEST(MemtableTest, NodeLayoutRoundTripsKeyAndValueLengths) {
  std::vector<size_t> key_lengths;
  for (size_t n = 1; n <= 300; ++n) key_lengths.push_back(n);
  for (size_t n : {16382u, 16383u, 16384u, 16385u, 32768u, 65534u, 65535u}) {
    key_lengths.push_back(n);
  }
  const size_t value_lengths[] = {0, 1, 127, 128, 129, 16383, 16384, 16385, (1u << 21) + 3};
  Memtable m;
  Model model;
  uint64_t seq = 0;
  for (size_t i = 0; i < key_lengths.size(); ++i) {
    RowEntry r;
    // Keys of one repeated byte: shorter sorts first, so the order checks the length compare.
    r.key = std::string(key_lengths[i], static_cast<char>('a' + i % 3));
    r.value = std::string(value_lengths[i % std::size(value_lengths)], static_cast<char>(i));
    r.seq = ++seq * 1000003;  // multi-byte seqs
    switch (i % 4) {
      case 0:
        break;
      case 1:
        r.create_ts = -static_cast<int64_t>(i);
        break;
      case 2:
        r.expire_ts = static_cast<int64_t>(i) << 40;
        r.kind = RowKind::kMerge;
        break;
      case 3:
        r.create_ts = 7;
        r.expire_ts = std::numeric_limits<int64_t>::max();
        r.kind = RowKind::kTombstone;
        r.value.clear();
        break;
    }
    ASSERT_OK(m.Add(r));
    model[{r.key, r.seq}] = r;
  }
  for (const auto& [version, want] : model) {
    std::optional<RowEntry> got = m.Get(want.key, want.seq);
    ASSERT_TRUE(got.has_value()) << want.key.size();
    EXPECT_EQ(*got, want) << "key length " << want.key.size();
  }
  EXPECT_EQ(ScanForward(m), ModelRows(model));
  std::vector<RowEntry> backward = ScanBackward(m);
  std::reverse(backward.begin(), backward.end());
  EXPECT_EQ(backward, ModelRows(model));
}

// A value far larger than any block gets a block of its own, and the block being filled stays
// in use for the rows after it.
TEST(MemtableTest, HugeValueGetsItsOwnBlock) {
  Memtable m;
  ASSERT_OK(m.Add("a", "small", 1));
  const size_t before = m.ApproximateBytes();
  const std::string huge(24u << 20, 'h');
  ASSERT_OK(m.Add("b", huge, 2));
  const size_t with_huge = m.ApproximateBytes();
  EXPECT_GE(with_huge - before, huge.size());
  // The node alone (links, key, lengths) in whole pages: a huge block is mapped memory.
  EXPECT_LE(with_huge - before, huge.size() + 256 + util::PageMemory::PageSize());
  ASSERT_OK(m.Add("c", "small", 3));
  EXPECT_EQ(m.ApproximateBytes(), with_huge);  // "c" went into the first block's tail
  EXPECT_EQ(m.Get("b")->value, huge);
  EXPECT_EQ(m.Get("c")->value, "small");
  EXPECT_EQ(m.Get("a")->value, "small");
}

// Ascending inserts reuse the previous position (no search); random inserts in between, equal
// versions and descending runs fall back to a search and keep the order and the shadowing.
TEST(MemtableTest, SequentialInsertsReuseTheSplice) {
  const uint64_t seed = TestSeed();
  SCOPED_TRACE("seed=" + std::to_string(seed));
  {
    Memtable m(seed);
    for (int i = 0; i < 5000; ++i) {
      char key[16];
      std::snprintf(key, sizeof(key), "k%08d", i);
      ASSERT_OK(m.Add(key, "v", 1));
    }
    EXPECT_EQ(m.splice_hits(), 5000u);  // the first insert into an empty table too
  }
  util::Random rnd(seed);
  Memtable m(seed);
  Model model;
  int ascending = 0;
  uint64_t seq = 0;
  for (int i = 0; i < 20000; ++i) {
    RowEntry r;
    const uint64_t choice = rnd.Uniform(10);
    if (choice < 6) {
      char key[16];
      std::snprintf(key, sizeof(key), "seq%08d", ascending++);
      r = Row(key, ++seq, "a" + std::to_string(i));
    } else if (choice < 8) {
      r = Row(RandomKey(rnd, 5000), ++seq, "r" + std::to_string(i));
    } else if (choice < 9 && !model.empty()) {
      // The same version as an existing row: shadows it.
      auto it = model.begin();
      std::advance(it, rnd.Uniform(std::min<size_t>(model.size(), 50)));
      r = Row(it->first.first, it->first.second, "shadow" + std::to_string(i));
    } else {
      // Descending within one key: older seqs after newer ones.
      r = Row("desc", 1'000'000 - static_cast<uint64_t>(i), "d" + std::to_string(i));
    }
    ASSERT_OK(m.Add(r));
    model[{r.key, r.seq}] = r;
  }
  EXPECT_GE(m.splice_hits(), 20000u / 4);
  EXPECT_LT(m.splice_hits(), 20000u);
  EXPECT_EQ(ScanForward(m), ModelRows(model));
  for (const auto& [version, want] : model) {
    std::optional<RowEntry> got = m.Get(want.key, want.seq);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(*got, want);
  }
  // The same version twice in a row (the splice sits right after it): the second one wins.
  Memtable twice(seed);
  ASSERT_OK(twice.Add("x", "first", 5));
  ASSERT_OK(twice.Add("x", "second", 5));
  ASSERT_OK(twice.Add("x", "third", 5));
  EXPECT_EQ(twice.Get("x")->value, "third");
  EXPECT_EQ(ScanForward(twice).size(), 1u);
}

// Readers during an ascending (splice-reusing) fill see every published row, in order.
TEST(MemtableTest, ConcurrentReadersDuringSequentialWrites) {
  constexpr int kRows = 20000;
  Memtable m;
  std::atomic<int> published{0};
  std::atomic<int> errors{0};
  std::atomic<int> checks{0};
  auto key_of = [](int i) {
    char key[16];
    std::snprintf(key, sizeof(key), "k%08d", i);
    return std::string(key);
  };
  auto reader = [&](uint64_t reader_seed) {
    util::Random r(reader_seed);
    while (true) {
      const int n = published.load(std::memory_order_acquire);
      if (n > 0) {
        const int i = static_cast<int>(r.Uniform(n));
        std::optional<RowEntry> got = m.Get(key_of(i));
        if (!got || got->value != std::to_string(i) || got->seq != static_cast<uint64_t>(i + 1)) {
          errors.fetch_add(1);
        }
        MemtableIterator it = m.NewIterator();
        it.Seek(key_of(i));
        int seen = 0;
        for (int j = i; it.Valid() && seen < 20; it.Next(), ++j, ++seen) {
          if (it.key() != key_of(j)) errors.fetch_add(1);
        }
        if (seen < std::min(20, n - i)) errors.fetch_add(1);
      }
      checks.fetch_add(1, std::memory_order_relaxed);
      if (n == kRows) break;
    }
  };
  std::vector<std::thread> readers;
  for (uint64_t i = 0; i < 3; ++i) readers.emplace_back(reader, 100 + i);
  for (int i = 0; i < kRows; ++i) {
    ASSERT_OK(m.Add(key_of(i), std::to_string(i), static_cast<uint64_t>(i + 1)));
    published.fetch_add(1, std::memory_order_release);
  }
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_GE(checks.load(), 3);
  EXPECT_EQ(m.splice_hits(), static_cast<size_t>(kRows));
  EXPECT_EQ(ScanForward(m).size(), static_cast<size_t>(kRows));
}

// ApproximateBytes is what the arena really allocated: at least the row bytes, at most the
// nodes plus one block and the per-block tails; an empty table costs one small block.
TEST(MemtableTest, ApproximateBytesIsTheAllocation) {
  {
    Memtable empty;
    EXPECT_LE(empty.ApproximateBytes(), Arena::kMinBlockSize + Arena::kBlockOverhead);
  }
  util::Random rnd(TestSeed());
  Memtable m;
  size_t row_bytes = 0;
  constexpr int kRows = 200000;
  for (int i = 0; i < kRows; ++i) {
    std::string key = RandomKey(rnd, 1000000) + "-padpad";  // 16 bytes
    std::string value(100, 'v');
    row_bytes += key.size() + value.size();
    ASSERT_OK(m.Add(key, value, static_cast<uint64_t>(i + 1)));
  }
  const size_t bytes = m.ApproximateBytes();
  EXPECT_GE(bytes, row_bytes);
  EXPECT_GE(bytes, m.NodeBytes());
  // Tail left per block < one node (<= 12 links + 130 bytes of row).
  const size_t blocks = bytes / Arena::kMinBlockSize;  // an over-estimate of the block count
  EXPECT_LE(bytes, m.NodeBytes() + Arena::kMaxBlockSize + blocks * (Arena::kBlockOverhead + 230));
  // The inline node: ~1.33 links + key + 1 + 8 + 1 + 1 + value bytes, far below the old 215.
  EXPECT_LT(static_cast<double>(bytes) / kRows, 150.0);
  EXPECT_LT(bytes, m.EstimatedRowBytes());  // the row estimate (key + value + 32) is larger
}

TEST(ImmutableMemtableTest, FreezesTagsAndKeepsTableAlive) {
  auto table = std::make_shared<Memtable>();
  ASSERT_OK(table->Add(Row("a", 1, "x")));
  ASSERT_OK(table->Add(Row("b", 2, "y")));
  auto imm = std::make_unique<ImmutableMemtable>(table, 17);
  EXPECT_TRUE(table->frozen());
  EXPECT_TRUE(table->Add(Row("c", 3, "z")).IsInternal());
  EXPECT_EQ(imm->last_wal_id(), 17u);
  EXPECT_EQ(imm->table().last_wal_id(), 17u);
  EXPECT_EQ(imm->table().Get("b")->value, "y");
  MemtableIterator it = imm->NewIterator();
  table.reset();
  imm.reset();  // the iterator still owns the table
  it.SeekToFirst();
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), "a");
  it.Next();
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.value(), "y");
  it.Next();
  EXPECT_FALSE(it.Valid());
  ImmutableMemtable untagged(std::make_shared<Memtable>(), std::nullopt);
  EXPECT_FALSE(untagged.last_wal_id().has_value());
  EXPECT_TRUE(untagged.table().empty());
}

TEST(ArenaTest, AlignmentAndUsage) {
  Arena arena;
  EXPECT_EQ(arena.MemoryUsage(), 0u);
  util::Random rnd(5);
  size_t requested = 0;
  for (int i = 0; i < 2000; ++i) {
    size_t bytes = 1 + rnd.Uniform(i % 100 == 0 ? 20000 : 100);
    char* p = rnd.OneIn(2) ? arena.AllocateAligned(bytes, 8) : arena.Allocate(bytes);
    ASSERT_NE(p, nullptr);
    std::memset(p, i & 0xff, bytes);  // writable (ASan would flag overflow)
    requested += bytes;
    char* q = arena.AllocateAligned(16, alignof(std::max_align_t));
    EXPECT_EQ(reinterpret_cast<uintptr_t>(q) % alignof(std::max_align_t), 0u);
    requested += 16;
  }
  EXPECT_GE(arena.MemoryUsage(), requested);
  EXPECT_GE(arena.BytesHandedOut(), requested);
  EXPECT_LE(arena.BytesHandedOut(), arena.MemoryUsage());
}

TEST(ArenaTest, BlocksGrowFromSmallToTheMaximum) {
  Arena arena;
  ASSERT_NE(arena.Allocate(1), nullptr);
  EXPECT_EQ(arena.MemoryUsage(), Arena::kMinBlockSize + Arena::kBlockOverhead);
  // 64 MiB of small allocations: blocks double (4 KiB, 4 KiB, 8 KiB, ...) up to 1 MiB.
  constexpr size_t kTotal = size_t{64} << 20;
  size_t requested = 1;
  while (requested < kTotal) {
    ASSERT_NE(arena.AllocateAligned(120, 8), nullptr);
    requested += 120;
  }
  EXPECT_GE(arena.MemoryUsage(), requested);
  EXPECT_LE(arena.MemoryUsage(), requested + Arena::kMaxBlockSize + arena.num_blocks() * 256);
  // About 64 blocks of 1 MiB plus the ramp (4 KiB .. 512 KiB), not 16,384 blocks of 4 KiB.
  EXPECT_LE(arena.num_blocks(), 64u + 12u);
  EXPECT_GE(arena.num_blocks(), 64u);
  // The blocks of 128 KiB and more are mapped pages, returned to the OS when the arena goes.
  EXPECT_GE(arena.num_mapped_blocks(), 64u);
  EXPECT_LT(arena.num_mapped_blocks(), arena.num_blocks());  // the small ramp is from new[]
}

// A huge value gets a mapped block of its own, charged in whole pages; small ones stay in the
// current block.
TEST(ArenaTest, HugeAllocationsAreMappedPagesChargedInFull) {
  Arena arena;
  ASSERT_NE(arena.Allocate(10), nullptr);
  EXPECT_EQ(arena.num_mapped_blocks(), 0u);
  const size_t before = arena.MemoryUsage();
  const size_t huge = (size_t{3} << 20) + 1;
  char* p = arena.Allocate(huge);
  ASSERT_NE(p, nullptr);
  std::memset(p, 'h', huge);
  EXPECT_EQ(arena.num_mapped_blocks(), 1u);
  const size_t page = util::PageMemory::PageSize();
  EXPECT_EQ(arena.MemoryUsage() - before, (huge + page - 1) / page * page + Arena::kBlockOverhead);
  char* q = arena.Allocate(10);  // back in the first block
  EXPECT_EQ(arena.num_mapped_blocks(), 1u);
  EXPECT_EQ(arena.num_blocks(), 2u);
  EXPECT_NE(q, nullptr);
}

}  // namespace
}  // namespace slatedb::memtable
