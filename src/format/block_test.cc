// format/block_test.cc — row codec v2 / v1 and data blocks (docs/format.md §5.3, §5.4, §5.10).
#include "format/block.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "format/row_codec.h"
#include "test_util.h"
#include "util/coding.h"

namespace slatedb::format {
namespace {

std::string Unhex(std::string_view hex) {
  std::string out;
  EXPECT_TRUE(util::FromHex(hex, &out));
  return out;
}

RowEntry Row(std::string key, std::string value, uint64_t seq, RowKind kind = RowKind::kValue) {
  RowEntry r;
  r.key = std::move(key);
  r.value = std::move(value);
  r.seq = seq;
  r.kind = kind;
  r.create_ts = 1795694213596;
  return r;
}

TEST(RowCodecTest, SpecExampleBanana) {
  RowEntry r = Row("banana", "yellow", 2);
  r.expire_ts = 1795697813598;
  r.create_ts = 1795694213598;
  std::string enc;
  EncodeRowV2(&enc, "", r);
  EXPECT_EQ(util::ToHex(enc),
            "00060662616e616e6179656c6c6f77000000000000000206000001a217ee285e000001a217b739de");
  EXPECT_EQ(EncodedRowV2Size("", r), enc.size());
  std::string_view in = enc;
  RowEntry d;
  ASSERT_OK(DecodeRowV2(&in, "", &d));
  EXPECT_TRUE(in.empty());
  EXPECT_EQ(d, r);
}

TEST(RowCodecTest, PrefixCompressionAndKinds) {
  // "counter" merge after "cherry": shares 1 byte (docs/format.md §5.4).
  RowEntry m = Row("counter", "+1", 4, RowKind::kMerge);
  m.create_ts = 1795694213600;
  std::string enc;
  EncodeRowV2(&enc, "cherry", m);
  EXPECT_EQ(util::ToHex(enc), "0106026f756e7465722b3100000000000000040c000001a217b739e0");
  RowEntry t = Row("cherry", "", 3, RowKind::kTombstone);
  t.create_ts = 1795694213599;
  enc.clear();
  EncodeRowV2(&enc, "banana", t);
  EXPECT_EQ(util::ToHex(enc), "000600636865727279000000000000000305000001a217b739df");
  RowEntry plain = Row("k", "", 9);
  plain.create_ts.reset();
  enc.clear();
  EncodeRowV2(&enc, "", plain);
  std::string_view in = enc;
  RowEntry d;
  ASSERT_OK(DecodeRowV2(&in, "", &d));
  EXPECT_EQ(d, plain);
  EXPECT_EQ(RowFlags(plain), 0);
}

TEST(RowCodecTest, DecodeErrors) {
  std::string good = Unhex("000500656d707479000000000000000604000001a217b739e4");
  for (size_t n = 0; n < good.size(); ++n) {
    std::string_view in(good.data(), n);
    RowEntry d;
    EXPECT_TRUE(DecodeRowV2(&in, "", &d).IsData()) << n;
    // The seek's value-less decoding fails on the same inputs.
    in = std::string_view(good.data(), n);
    std::string_view value;
    EXPECT_TRUE(DecodeRowV2KeepValue(&in, "", &d, &value).IsData()) << n;
  }
  RowEntry d;
  std::string_view in = good;
  EXPECT_OK(DecodeRowV2(&in, "", &d));
  // shared > previous key length.
  std::string shared = good;
  shared[0] = 3;
  in = shared;
  EXPECT_TRUE(DecodeRowV2(&in, "ab", &d).IsData());
  // Unknown flag bit; tombstone + merge.
  for (char flags : {'\x14', '\x09', '\x80'}) {
    std::string bad = good;
    bad[16] = flags;
    in = bad;
    Status st = DecodeRowV2(&in, "", &d);
    EXPECT_TRUE(st.IsData()) << int(flags);
    EXPECT_NE(st.message().find("flag"), std::string::npos);
  }
}

std::string V1Row(uint16_t prefix, std::string_view suffix, uint64_t seq, uint8_t flags,
                  std::string_view value) {
  std::string out;
  util::PutU16BE(&out, prefix);
  util::PutU16BE(&out, static_cast<uint16_t>(suffix.size()));
  out.append(suffix);
  util::PutU64BE(&out, seq);
  out.push_back(static_cast<char>(flags));
  if (flags & kFlagHasCreateTs) util::PutU64BE(&out, 77);
  if (!(flags & kFlagTombstone)) {
    util::PutU32BE(&out, static_cast<uint32_t>(value.size()));
    out.append(value);
  }
  return out;
}

TEST(BlockTest, LegacyV1BlockDecodes) {
  std::vector<std::string> rows = {V1Row(0, "apple", 3, kFlagHasCreateTs, "red"),
                                   V1Row(2, "ricot", 2, 0, "orange"),
                                   V1Row(0, "banana", 1, kFlagTombstone | kFlagHasCreateTs, "")};
  std::string block;
  std::vector<uint16_t> offs;
  for (const auto& r : rows) {
    offs.push_back(static_cast<uint16_t>(block.size()));
    block += r;
  }
  for (uint16_t o : offs) util::PutU16BE(&block, o);
  util::PutU16BE(&block, static_cast<uint16_t>(offs.size()));
  auto b = Block::Parse(block, 1);
  ASSERT_OK(b) << b.status().ToString();
  auto all = (*b)->DecodeAll();
  ASSERT_OK(all) << all.status().ToString();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].key, "apple");
  EXPECT_EQ((*all)[0].value, "red");
  EXPECT_EQ((*all)[0].create_ts, 77);
  EXPECT_EQ((*all)[1].key, "apricot");
  EXPECT_EQ((*all)[1].value, "orange");
  EXPECT_FALSE((*all)[1].create_ts.has_value());
  EXPECT_EQ((*all)[2].key, "banana");
  EXPECT_TRUE((*all)[2].is_tombstone());
  BlockIterator it(*b);
  ASSERT_OK(it.Seek("apricot"));
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.row().key, "apricot");
  ASSERT_OK(it.Seek("b"));
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.row().key, "banana");
}

std::vector<RowEntry> ManyRows(int n) {
  std::vector<RowEntry> rows;
  for (int i = 0; i < n; ++i) {
    char key[16];
    std::snprintf(key, sizeof(key), "key%05d", i / 2);
    rows.push_back(Row(key, "v" + std::to_string(i), 1000 - i));
  }
  return rows;
}

TEST(BlockTest, RestartEvery16RowsAndRoundTrip) {
  BlockBuilder bb(1 << 16);
  auto rows = ManyRows(50);
  for (const auto& r : rows) ASSERT_TRUE(bb.TryAdd(r));
  EXPECT_EQ(bb.num_rows(), 50u);
  std::string data = bb.Finish();
  EXPECT_TRUE(bb.empty());
  EXPECT_EQ(util::LoadU16BE(data.data() + data.size() - 2), 4);   // ceil(50/16)
  EXPECT_EQ(util::LoadU16BE(data.data() + data.size() - 10), 0);  // restart 0
  auto b = Block::Parse(data, 2);
  ASSERT_OK(b);
  auto all = (*b)->DecodeAll();
  ASSERT_OK(all);
  EXPECT_EQ(*all, rows);
  BlockIterator it(*b);
  ASSERT_OK(it.SeekToFirst());
  size_t n = 0;
  while (it.Valid()) {
    EXPECT_EQ(it.row(), rows[n++]);
    ASSERT_OK(it.Next());
  }
  EXPECT_EQ(n, rows.size());
}

TEST(BlockTest, SeekFindsFirstVersionAtOrAfterKey) {
  BlockBuilder bb(1 << 16);
  auto rows = ManyRows(100);  // keys key00000..key00049, two versions each
  for (const auto& r : rows) ASSERT_TRUE(bb.TryAdd(r));
  auto b = Block::Parse(bb.Finish(), 2);
  ASSERT_OK(b);
  BlockIterator it(*b);
  for (int k = 0; k < 50; ++k) {
    char key[16];
    std::snprintf(key, sizeof(key), "key%05d", k);
    ASSERT_OK(it.Seek(key));
    ASSERT_TRUE(it.Valid()) << key;
    EXPECT_EQ(it.row(), rows[2 * k]) << key;  // newest version first
  }
  ASSERT_OK(it.Seek("key00010a"));
  EXPECT_EQ(it.row().key, "key00011");
  ASSERT_OK(it.Seek("a"));
  EXPECT_EQ(it.row().key, "key00000");
  ASSERT_OK(it.Seek("z"));
  EXPECT_FALSE(it.Valid());
  // After a seek (which copies only the value it stops at), Next gives every later row whole.
  ASSERT_OK(it.Seek("key00007"));
  for (size_t i = 14; i < rows.size(); ++i) {
    ASSERT_TRUE(it.Valid()) << i;
    EXPECT_EQ(it.row(), rows[i]) << i;
    ASSERT_OK(it.Next());
  }
  EXPECT_FALSE(it.Valid());
}

// A seek steps over the rows before its key by their announced lengths: rows with and without
// expire_ts / create_ts, tombstones and merge operands, in every position within a restart
// interval, are passed over and stopped at exactly.
TEST(BlockTest, SeekStepsOverRowsOfEveryShape) {
  BlockBuilder bb(1 << 16);
  std::vector<RowEntry> rows;
  for (int i = 0; i < 70; ++i) {
    char key[16];
    std::snprintf(key, sizeof(key), "key%05d", i);
    RowEntry r;
    r.key = key;
    r.seq = static_cast<uint64_t>(100 + i);
    r.kind = i % 5 == 1 ? RowKind::kTombstone : i % 5 == 2 ? RowKind::kMerge : RowKind::kValue;
    if (r.kind != RowKind::kTombstone) r.value = std::string(static_cast<size_t>(i % 7), 'x');
    if (i % 3 == 0) r.create_ts = 1000 + i;
    if (i % 4 == 0) r.expire_ts = 5000 + i;
    rows.push_back(r);
    ASSERT_TRUE(bb.TryAdd(r));
  }
  auto b = Block::Parse(bb.Finish(), 2);
  ASSERT_OK(b);
  BlockIterator it(*b);
  for (size_t i = 0; i < rows.size(); ++i) {
    ASSERT_OK(it.Seek(rows[i].key));
    ASSERT_TRUE(it.Valid()) << i;
    EXPECT_EQ(it.row(), rows[i]) << i;
    ASSERT_OK(it.Seek(rows[i].key + "!"));  // between keys: the next row
    if (i + 1 < rows.size()) {
      ASSERT_TRUE(it.Valid()) << i;
      EXPECT_EQ(it.row(), rows[i + 1]) << i;
      ASSERT_OK(it.Next());
      if (i + 2 < rows.size()) {
        EXPECT_EQ(it.row(), rows[i + 2]) << i;
      }
    } else {
      EXPECT_FALSE(it.Valid());
    }
  }
}

TEST(BlockTest, SeekReportsACorruptRowItPassesOver) {
  BlockBuilder bb(1 << 16);
  auto rows = ManyRows(8);  // one restart point: a seek to the last key decodes every row
  for (const auto& r : rows) ASSERT_TRUE(bb.TryAdd(r));
  std::string bytes = bb.Finish();
  // Row 0's flags byte: varints 0, 8, value length, the key, the value, then seq (8 bytes).
  const size_t flags_at = 3 + rows[0].key.size() + rows[0].value.size() + 8;
  bytes[flags_at] = '\x80';
  auto b = Block::Parse(bytes, 2);
  ASSERT_OK(b);
  BlockIterator it(*b);
  Status st = it.Seek(rows.back().key);
  EXPECT_TRUE(st.IsData()) << st.ToString();
  EXPECT_NE(st.message().find("flag"), std::string::npos) << st.ToString();
  EXPECT_FALSE(it.Valid());
}

TEST(BlockTest, SizeRuleOfThePeer) {
  BlockBuilder bb(100);
  RowEntry r = Row("a", std::string(40, 'x'), 1);  // 3+1+40+9+8 = 61 bytes
  EXPECT_TRUE(bb.TryAdd(r));
  r.key = "b";
  // 61 + 2*1 + 2 + 61 + 0 = 126 > 100
  EXPECT_FALSE(bb.TryAdd(r));
  EXPECT_EQ(bb.num_rows(), 1u);
  BlockBuilder big(10);
  EXPECT_TRUE(big.TryAdd(r));  // first row always fits
  BlockBuilder exact(61 + 2 + 2 + 60);
  RowEntry a = Row("a", std::string(40, 'x'), 2);
  RowEntry b = Row("ab", std::string(40, 'x'), 1);  // shares 1: 3+1+40+9+8 = 61... minus 1
  EXPECT_TRUE(exact.TryAdd(a));
  EXPECT_EQ(EncodedRowV2Size("a", b), 61u);
  EXPECT_FALSE(exact.TryAdd(b));  // 61+2+2+61 = 126 > 125
  BlockBuilder exact2(61 + 2 + 2 + 61);
  EXPECT_TRUE(exact2.TryAdd(a));
  EXPECT_TRUE(exact2.TryAdd(b));  // exactly block_size
}

TEST(BlockTest, ParseErrors) {
  EXPECT_TRUE(Block::Parse("", 2).status().IsData());
  EXPECT_TRUE(Block::Parse(std::string("\x00\x00", 2), 2).status().IsData());  // 0 restarts
  EXPECT_TRUE(Block::Parse(std::string("\x00\x05", 2), 2).status().IsData());  // too many
  EXPECT_TRUE(Block::Parse(std::string("abc\x00\x01\x00\x01", 7), 2).status().IsData());
  EXPECT_TRUE(Block::Parse(std::string("abc\x00\x00\x00\x01", 7), 3).status().IsData());
  // Row area that does not decode: Parse succeeds (lazy) but DecodeAll / Seek fail cleanly.
  auto b = Block::Parse(std::string("\x00\x09\x00\x00\x00\x00\x01", 7), 2);
  ASSERT_OK(b);
  EXPECT_TRUE((*b)->DecodeAll().status().IsData());
  BlockIterator it(*b);
  EXPECT_TRUE(it.SeekToFirst().IsData());
  EXPECT_FALSE(it.Valid());
}

}  // namespace
}  // namespace slatedb::format
