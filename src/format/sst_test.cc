// format/sst_test.cc — SstBuilder / SST decoders: spec bytes, round trips, peer fixtures
// (golden rows from sldecode.py, byte-identical re-encoding), corruption.
#include "format/sst.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "format/compression.h"
#include "format/row_codec.h"
#include "format/test_fixtures.h"
#include "test_util.h"
#include "util/coding.h"
#include "util/crc32.h"

namespace slatedb::format {
namespace {

using testing::FixturesDir;
using testing::ReadFile;

std::string Hex(std::string_view s) { return util::ToHex(s); }

std::string FromHexOrDie(std::string_view hex) {
  std::string out;
  EXPECT_TRUE(util::FromHex(hex, &out)) << hex;
  return out;
}

RowEntry Row(std::string key, std::string value, uint64_t seq, RowKind kind = RowKind::kValue,
             std::optional<int64_t> create = 1000, std::optional<int64_t> expire = std::nullopt) {
  RowEntry r;
  r.key = std::move(key);
  r.value = kind == RowKind::kTombstone ? "" : std::move(value);
  r.seq = seq;
  r.kind = kind;
  r.create_ts = create;
  r.expire_ts = expire;
  return r;
}

// The 114-byte empty fence SST of docs/format.md §6.2.
constexpr const char* kFenceHex =
    "0c00000000000600080004000600000004000000000000001"
    "77e6f0a08000000040004000400000"
    "0ed606b2a1c00000018001c000000000004000000000000000000"
    "00000c00140018000000"
    "1c00000000000000"
    "1c00000000000000"
    "1000000000000000"
    "64413efa000000000000002c0002";

TEST(SstBuilderTest, EmptySstIsTheSpecFence) {
  SstBuilder b;
  auto sst = b.Finish();
  ASSERT_OK(sst) << sst.status().ToString();
  EXPECT_EQ(sst->bytes.size(), 114u);
  EXPECT_EQ(Hex(sst->bytes), kFenceHex);
  EXPECT_EQ(sst->num_rows, 0u);
  EXPECT_FALSE(sst->info.first_entry.has_value());
  EXPECT_EQ(sst->info.index_len, 28u);
  EXPECT_EQ(sst->info.stats_offset, 28u);
  EXPECT_EQ(sst->info.stats_len, 16u);
  auto fixture = ReadFile(FixturesDir() + "/reopen_p3/db/wal/00000000000000000005.sst");
  ASSERT_TRUE(fixture.has_value()) << FixturesDir();
  EXPECT_EQ(Hex(*fixture), Hex(sst->bytes));
  auto decoded = DecodeSst(sst->bytes);
  ASSERT_OK(decoded) << decoded.status().ToString();
  EXPECT_TRUE(decoded->rows.empty());
  EXPECT_TRUE(decoded->index.blocks.empty());
}

TEST(SstBuilderTest, SeparatorsFollowTheSpec) {
  EXPECT_EQ(IndexSeparator("key00000019", "key00000020"), "key0000002");
  EXPECT_EQ(IndexSeparator("abc", "abc"), "abc");
  EXPECT_EQ(IndexSeparator("ab", "abcd"), "abc");
  EXPECT_EQ(IndexSeparator("a", "b"), "b");
  EXPECT_EQ(EncodeSeqKey(1), std::string("\0\0\0\0\0\0\0\1", 8));
}

TEST(SstBuilderTest, RejectsOutOfOrderRowsAndBadKeys) {
  SstBuilder b;
  ASSERT_OK(b.Add(Row("b", "1", 5)));
  EXPECT_TRUE(b.Add(Row("a", "1", 6)).IsInvalid());
  EXPECT_TRUE(b.Add(Row("b", "1", 5)).IsInvalid());  // duplicate (key, seq)
  EXPECT_TRUE(b.Add(Row("b", "1", 6)).IsInvalid());  // seq must descend
  EXPECT_TRUE(b.Add(Row("", "1", 1)).IsInvalid());
  EXPECT_TRUE(b.Add(Row(std::string(65536, 'k'), "1", 1)).IsInvalid());
  EXPECT_OK(b.Add(Row("b", "1", 4)));
  EXPECT_EQ(b.num_rows(), 2u);

  SstBuilderOptions wal_opts;
  wal_opts.sst_type = SstType::kWal;
  SstBuilder w(wal_opts);
  ASSERT_OK(w.Add(Row("z", "1", 3)));
  EXPECT_OK(w.Add(Row("a", "1", 3)));  // same batch, any key
  EXPECT_TRUE(w.Add(Row("a", "1", 2)).IsInvalid());
}

TEST(SstBuilderTest, RoundTripManyBlocksWithFilterAndEveryCodec) {
  for (int c = 0; c <= 4; ++c) {
    SstBuilderOptions opts;
    opts.compression = static_cast<CompressionCodec>(c);
    opts.block_size = 1024;
    opts.min_filter_keys = 100;
    SstBuilder b(opts);
    std::vector<RowEntry> rows;
    for (int i = 0; i < 500; ++i) {
      char key[32];
      std::snprintf(key, sizeof(key), "key%08d", i);
      RowKind kind = i % 7 == 0    ? RowKind::kTombstone
                     : i % 11 == 0 ? RowKind::kMerge
                                   : RowKind::kValue;
      rows.push_back(Row(key, "value-" + std::to_string(i * 31), 1000 - i, kind, 5000 + i,
                         i % 5 == 0 ? std::optional<int64_t>(9000 + i) : std::nullopt));
      if (i % 3 == 0) {  // an older version of the same key
        rows.push_back(Row(key, "old", 10, RowKind::kValue, std::nullopt));
      }
    }
    for (const auto& r : rows) ASSERT_OK(b.Add(r));
    auto sst = b.Finish();
    ASSERT_OK(sst) << sst.status().ToString();
    EXPECT_EQ(sst->num_rows, rows.size());
    EXPECT_EQ(sst->info.first_entry, std::optional<std::string>("key00000000"));
    EXPECT_EQ(sst->info.last_entry, std::optional<std::string>("key00000499"));
    EXPECT_GT(sst->info.filter_len, 0u);
    auto d = DecodeSst(sst->bytes);
    ASSERT_OK(d) << d.status().ToString();
    EXPECT_EQ(d->info, sst->info);
    EXPECT_EQ(d->rows, rows);
    EXPECT_GT(d->index.blocks.size(), 5u);
    EXPECT_EQ(d->index.blocks[0].first_key, "");
    ASSERT_TRUE(d->stats.has_value());
    EXPECT_EQ(d->stats->block_stats.size(), d->index.blocks.size());
    uint64_t puts = 0;
    for (const auto& r : rows) puts += r.kind == RowKind::kValue;
    EXPECT_EQ(d->stats->num_puts, puts);
    ASSERT_TRUE(d->filter.has_value());
    for (const auto& r : rows) EXPECT_TRUE(d->filter->MayContain(r.key)) << r.key;
    int false_positives = 0;
    for (int i = 0; i < 1000; ++i) {
      false_positives += d->filter->MayContain("absent" + std::to_string(i));
    }
    EXPECT_LT(false_positives, 100);  // ~1% expected at 10 bits/key
  }
}

// SlateDB >= 0.13 writes a composite filter block (SsTableInfo.filter_format = Composite):
// the whole-key bloom is the one named `_bf` (or `_bf:p=<extractor>`); unknown names and
// filters without whole keys (`:wh=0`) are skipped, never taken for corruption.
TEST(SstBuilderTest, CompositeFilterBlocksAreReadAndUnknownFiltersSkipped) {
  for (int c = 0; c <= 4; ++c) {
    SstBuilderOptions opts;
    opts.compression = static_cast<CompressionCodec>(c);
    opts.min_filter_keys = 10;
    opts.filter_format = FilterFormat::kComposite;
    opts.extra_filters = {{"_bf:wh=0", std::string(40, '\xff')}, {"zz-unknown", "opaque"}};
    SstBuilder b(opts);
    for (int i = 0; i < 200; ++i) {
      ASSERT_OK(
          b.Add(Row("key" + std::to_string(1000 + i), "v", 5, RowKind::kValue, std::nullopt)));
    }
    auto sst = b.Finish();
    ASSERT_OK(sst) << sst.status().ToString();
    EXPECT_EQ(sst->info.filter_format, FilterFormat::kComposite);
    auto d = DecodeSst(sst->bytes);
    ASSERT_OK(d) << d.status().ToString();
    EXPECT_EQ(d->info.filter_format, FilterFormat::kComposite);  // survives re-encoding
    ASSERT_TRUE(d->filter.has_value());
    for (int i = 0; i < 200; ++i)
      EXPECT_TRUE(d->filter->MayContain("key" + std::to_string(1000 + i)));
    int fp = 0;
    for (int i = 0; i < 1000; ++i) fp += d->filter->MayContain("absent" + std::to_string(i));
    EXPECT_LT(fp, 100);
    // The info round-trips through its FlatBuffer with the format (a manifest rewrite keeps it).
    const std::string fb_bytes = EncodeSsTableInfoBuffer(d->info);
    auto again = SsTableInfoFromFb(flatbuffers::GetRoot<fb::SsTableInfo>(fb_bytes.data()));
    ASSERT_OK(again) << again.status().ToString();
    EXPECT_EQ(*again, d->info);
  }
  // Only filters we cannot use: no filter (reads look into the SST), not an error.
  std::string raw = EncodeCompositeFilters({{"_bf:p=x:wh=0", "ab"}, {"other", ""}});
  auto parsed = ParseCompositeFilters(raw);
  ASSERT_OK(parsed);
  EXPECT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[0].first, "_bf:p=x:wh=0");
  // Truncations are kData naming what is missing.
  for (size_t n = 0; n < raw.size(); ++n) {
    auto t = ParseCompositeFilters(raw.substr(0, n));
    EXPECT_FALSE(t.ok()) << n;
    if (!t.ok()) {
      EXPECT_TRUE(t.status().IsData());
    }
  }
}

TEST(PrefixExtractorTest, FixedLengthExtractor) {
  auto bad = NewFixedPrefixExtractor(0);
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.status().IsInvalid());
  ASSERT_OK_AND_ASSIGN(auto e, NewFixedPrefixExtractor(3));
  EXPECT_EQ(e->Name(), "fixed-3");
  EXPECT_EQ(e->PrefixLen("abc_1", PrefixTarget::kPoint), std::optional<size_t>(3));
  EXPECT_EQ(e->PrefixLen("abc", PrefixTarget::kPrefix), std::optional<size_t>(3));
  EXPECT_EQ(e->PrefixLen("abcd", PrefixTarget::kPrefix), std::optional<size_t>(3));
  EXPECT_EQ(e->PrefixLen("ab", PrefixTarget::kPrefix), std::nullopt);  // too short to probe
  EXPECT_FALSE(e->InDomain("ab"));
  EXPECT_TRUE(e->InDomain("abc"));
}

// An extractor that breaks the contract (a prefix longer than the key).
class TooLongExtractor final : public PrefixExtractor {
 public:
  std::string_view Name() const override { return "too-long"; }
  std::optional<size_t> PrefixLen(std::string_view input, PrefixTarget) const override {
    return input.size() + 1;
  }
};

// With a prefix extractor the composite block holds `_bf` (whole keys) and `_bf:p=<name>`: one
// bloom over every key's hash and the hash of each distinct (consecutive) extracted prefix, as
// SlateDB's BloomFilterPolicy with a prefix extractor and whole-key filtering builds it.
TEST(SstBuilderTest, PrefixFilterRoundTrip) {
  ASSERT_OK_AND_ASSIGN(auto fixed3, NewFixedPrefixExtractor(3));
  std::vector<std::string> keys;
  for (const char* p : {"aaa", "bbb", "bbc"}) {
    for (int i = 0; i < 100; ++i) keys.push_back(std::string(p) + std::to_string(1000 + i));
  }
  keys.insert(keys.begin(), "a");  // out of the domain (shorter than 3): whole key only
  keys.insert(keys.begin() + 1, "aa");
  for (int c = 0; c <= 4; ++c) {
    SstBuilderOptions opts;
    opts.compression = static_cast<CompressionCodec>(c);
    opts.min_filter_keys = 10;
    SetPrefixFilter(&opts, fixed3);
    EXPECT_EQ(opts.filter_format, FilterFormat::kComposite);
    SstBuilder b(opts);
    for (const auto& k : keys) {
      // Two versions of "bbb1050": the prefix is still hashed once, the key once per row.
      if (k == "bbb1050") {
        ASSERT_OK(b.Add(Row(k, "new", 9, RowKind::kValue, std::nullopt)));
      }
      ASSERT_OK(b.Add(Row(k, "v", 5, RowKind::kValue, std::nullopt)));
    }
    ASSERT_OK_AND_ASSIGN(EncodedSst sst, b.Finish());
    EXPECT_EQ(sst.info.filter_format, FilterFormat::kComposite);
    const std::string_view section =
        std::string_view(sst.bytes).substr(sst.info.filter_offset, sst.info.filter_len);
    ASSERT_OK_AND_ASSIGN(SstFilters filters,
                         DecodeFilters(section, opts.compression, FilterFormat::kComposite));
    ASSERT_TRUE(filters.whole_key.has_value());
    ASSERT_EQ(filters.prefix.size(), 1u);
    EXPECT_EQ(filters.prefix[0].first, "_bf:p=fixed-3");
    EXPECT_EQ(filters.PrefixFilter("fixed-4"), nullptr);  // another extractor's name: unused
    const BloomFilter* pf = filters.PrefixFilter("fixed-3");
    ASSERT_NE(pf, nullptr);
    // The exact bits: keys (one per row) + the distinct prefixes aaa, bbb, bbc.
    BloomFilterBuilder expected(opts.filter_bits_per_key);
    for (const char* p : {"aaa", "bbb", "bbc"}) expected.AddKey(p);
    for (const auto& k : keys) expected.AddKey(k);
    expected.AddKey("bbb1050");
    ASSERT_OK_AND_ASSIGN(BloomFilter want, BloomFilter::Decode(expected.Build()));
    EXPECT_EQ(pf->ByteSize(), want.ByteSize());
    EXPECT_EQ(pf->num_probes(), want.num_probes());
    for (const char* p : {"aaa", "bbb", "bbc"}) EXPECT_TRUE(pf->MayContain(p)) << p;
    for (const auto& k : keys) {
      EXPECT_TRUE(pf->MayContain(k)) << k;  // whole keys are in the prefix filter too
      EXPECT_TRUE(filters.whole_key->MayContain(k)) << k;
    }
    int fp = 0;
    for (char x = 'c'; x <= 'z'; ++x) fp += pf->MayContain(std::string(3, x));
    EXPECT_LT(fp, 5);
    // The whole-key filter is `_bf` (DecodeSst and DecodeFilter pick it).
    ASSERT_OK_AND_ASSIGN(auto raw, ParseCompositeFilters(*Decompress(
                                       opts.compression, section.substr(0, section.size() - 4))));
    ASSERT_EQ(raw.size(), 2u);
    EXPECT_EQ(raw[0].first, "_bf");
    EXPECT_EQ(raw[1].first, "_bf:p=fixed-3");
    EXPECT_EQ(raw[1].second, expected.Build());
    ASSERT_OK_AND_ASSIGN(DecodedSst d, DecodeSst(sst.bytes));
    EXPECT_EQ(d.rows.size(), keys.size() + 1);
  }
  // A prefix-only filter (`:wh=0`, SlateDB's whole_key_filtering=false) serves prefix probes but
  // never point lookups.
  BloomFilterBuilder only(10);
  only.AddKey("xyz");
  const std::string block = EncodeCompositeFilters({{"_bf:p=fixed-3:wh=0", only.Build()}});
  std::string section = block;
  util::PutU32BE(&section, util::Crc32(block));
  ASSERT_OK_AND_ASSIGN(SstFilters f,
                       DecodeFilters(section, CompressionCodec::kNone, FilterFormat::kComposite));
  EXPECT_FALSE(f.whole_key.has_value());
  ASSERT_NE(f.PrefixFilter("fixed-3"), nullptr);
  EXPECT_TRUE(f.PrefixFilter("fixed-3")->MayContain("xyz"));
}

TEST(SstBuilderTest, PrefixFilterErrors) {
  ASSERT_OK_AND_ASSIGN(auto fixed3, NewFixedPrefixExtractor(3));
  // The legacy format has room for one filter: asking for a prefix filter there is kInvalid.
  SstBuilderOptions legacy;
  legacy.min_filter_keys = 1;
  legacy.prefix_extractor = fixed3;
  SstBuilder b(legacy);
  ASSERT_OK(b.Add(Row("abc", "v", 1)));
  auto r = b.Finish();
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalid());
  EXPECT_NE(r.status().ToString().find("fixed-3"), std::string::npos) << r.status().ToString();
  // An extractor longer than the key is kInvalid naming it, and adds nothing.
  SstBuilderOptions opts;
  SetPrefixFilter(&opts, std::make_shared<TooLongExtractor>());
  SstBuilder b2(opts);
  Status st = b2.Add(Row("abc", "v", 1));
  EXPECT_TRUE(st.IsInvalid());
  EXPECT_NE(st.ToString().find("too-long"), std::string::npos) << st.ToString();
  EXPECT_EQ(b2.num_rows(), 0u);
  // Open-time checks: empty names, and compatibility "0.12" (no composite filter blocks).
  EXPECT_OK(ValidatePrefixExtractor(nullptr, "0.12"));
  EXPECT_OK(ValidatePrefixExtractor(fixed3.get(), "0.17"));
  Status old = ValidatePrefixExtractor(fixed3.get(), "0.12");
  EXPECT_TRUE(old.IsInvalid());
  EXPECT_NE(old.ToString().find("compatibility"), std::string::npos) << old.ToString();
  EXPECT_NE(old.ToString().find("prefix_extractor"), std::string::npos) << old.ToString();
}

TEST(SstBuilderTest, WalSstUsesSeqKeysAndNoFilterOrStats) {
  SstBuilderOptions opts;
  opts.sst_type = SstType::kWal;
  opts.min_filter_keys = 1;
  SstBuilder b(opts);
  ASSERT_OK(b.Add(Row("b", "1", 7)));
  ASSERT_OK(b.Add(Row("a", "2", 8)));
  auto sst = b.Finish();
  ASSERT_OK(sst);
  EXPECT_EQ(sst->info.sst_type, SstType::kWal);
  EXPECT_EQ(sst->info.first_entry, EncodeSeqKey(7));
  EXPECT_FALSE(sst->info.last_entry.has_value());
  EXPECT_EQ(sst->info.filter_len, 0u);
  EXPECT_EQ(sst->info.stats_len, 0u);
  auto d = DecodeSst(sst->bytes);
  ASSERT_OK(d);
  ASSERT_EQ(d->index.blocks.size(), 1u);
  EXPECT_EQ(d->index.blocks[0].first_key, EncodeSeqKey(7));
  ASSERT_EQ(d->rows.size(), 2u);
  EXPECT_EQ(d->rows[1].key, "a");
}

TEST(SstBuilderTest, OversizedRowGetsItsOwnBlock) {
  SstBuilder b;
  ASSERT_OK(b.Add(Row("a", "small", 3)));
  ASSERT_OK(b.Add(Row("b", std::string(100000, 'x'), 2)));
  ASSERT_OK(b.Add(Row("c", "small", 1)));
  auto sst = b.Finish();
  ASSERT_OK(sst);
  auto d = DecodeSst(sst->bytes);
  ASSERT_OK(d);
  EXPECT_EQ(d->index.blocks.size(), 3u);
  EXPECT_EQ(d->rows[1].value.size(), 100000u);
}

// ---- decoders: error cases ----

TEST(SstDecodeTest, FooterErrors) {
  std::string tail = FromHexOrDie("000000000000002c0002");
  EXPECT_OK(DecodeFooter(tail, 114));
  EXPECT_TRUE(DecodeFooter(tail, 10).status().IsData());
  EXPECT_TRUE(DecodeFooter(tail.substr(1), 114).status().IsData());
  auto v3 = DecodeFooter(FromHexOrDie("000000000000002c0003"), 114);
  ASSERT_TRUE(v3.status().IsData());
  EXPECT_NE(v3.status().message().find("version 3"), std::string::npos);
  EXPECT_TRUE(DecodeFooter(FromHexOrDie("00000000000003e80002"), 114).status().IsData());
  auto v1 = DecodeFooter(FromHexOrDie("000000000000002c0001"), 114);
  ASSERT_OK(v1);
  EXPECT_EQ(v1->version, 1);
}

TEST(SstDecodeTest, TruncatedObjectsAreDataErrors) {
  auto fence = FromHexOrDie(kFenceHex);
  for (size_t n = 0; n < fence.size(); ++n) {
    auto d = DecodeSst(std::string_view(fence).substr(0, n));
    EXPECT_FALSE(d.ok()) << n;
    if (!d.ok()) {
      EXPECT_TRUE(d.status().IsData()) << n << " " << d.status().ToString();
    }
  }
}

// Flipping any byte of a small SST must be detected (or, for the footer version byte, give a
// clear error) — never a crash or different rows.
TEST(SstDecodeTest, EveryFlippedByteIsDetected) {
  auto basic = ReadFile(FixturesDir() + "/basic/db/wal/00000000000000000002.sst");
  auto bloom = ReadFile(FixturesDir() + "/bloom/db/compacted/01M8BVF3RGTSFRN9H6ZAEYBXDK.sst");
  ASSERT_TRUE(basic && bloom);
  for (const std::string* file : {&*basic, &*bloom}) {
    auto good = DecodeSst(*file);
    ASSERT_OK(good);
    for (size_t i = 0; i < file->size(); ++i) {
      for (unsigned char mask : {0x01, 0x80, 0xff}) {
        std::string bad = *file;
        bad[i] = static_cast<char>(bad[i] ^ mask);
        auto d = DecodeSst(bad);
        if (d.ok()) {
          // Only the footer may be altered harmlessly-looking: never silently different rows.
          EXPECT_EQ(d->rows, good->rows) << "byte " << i;
          ADD_FAILURE() << "flip of byte " << i << " mask " << int(mask) << " went unnoticed";
        } else {
          EXPECT_TRUE(d.status().IsData()) << i << " " << d.status().ToString();
        }
      }
    }
  }
}

// Corruption that keeps every checksum valid (a buggy writer): offsets and contents are still
// validated.
TEST(SstDecodeTest, ValidChecksumsWithBadContentsAreDataErrors) {
  SstBuilder b;
  RowEntry r;
  r.key = "k";
  r.value = "v";
  r.seq = 1;
  ASSERT_OK(b.Add(r));
  auto sst = b.Finish();
  ASSERT_OK(sst);
  auto rebuild = [&](const SstInfo& info, std::string_view data_and_sections) {
    std::string out(data_and_sections);
    std::string fb = EncodeSsTableInfoBuffer(info);
    uint64_t m = out.size();
    out += fb;
    util::PutU32BE(&out, util::Crc32(fb));
    util::PutU64BE(&out, m);
    util::PutU16BE(&out, 2);
    return out;
  };
  const std::string body = sst->bytes.substr(0, sst->bytes.size() - 10);
  const std::string sections = body.substr(0, sst->info.stats_offset + sst->info.stats_len);
  ASSERT_OK(DecodeSst(rebuild(sst->info, sections)));
  std::vector<std::pair<std::string, SstInfo>> bad;
  SstInfo i1 = sst->info;
  i1.index_offset = 1u << 30;
  bad.push_back({"index offset", i1});
  SstInfo i2 = sst->info;
  i2.index_len = ~uint64_t{0};
  bad.push_back({"index length overflow", i2});
  SstInfo i3 = sst->info;
  i3.filter_offset = 3;  // block 0 would end at 3 (too short / wrong CRC)
  bad.push_back({"filter offset", i3});
  SstInfo i4 = sst->info;
  i4.stats_len = 2;
  bad.push_back({"stats length", i4});
  SstInfo i5 = sst->info;
  i5.compression = CompressionCodec::kZstd;
  bad.push_back({"codec", i5});
  for (const auto& [what, info] : bad) {
    auto d = DecodeSst(rebuild(info, sections));
    ASSERT_FALSE(d.ok()) << what;
    EXPECT_TRUE(d.status().IsData()) << what << ": " << d.status().ToString();
  }
  // A data block with a valid CRC but an undecodable row.
  std::string garbage("\x00\x09\x00\x00\x00\x01", 6);
  std::string block_section = garbage;
  util::PutU32BE(&block_section, util::Crc32(garbage));
  SstInfo gi = sst->info;
  uint64_t old_data_end = sst->info.filter_offset;
  std::string rest = sections.substr(old_data_end);
  int64_t delta = static_cast<int64_t>(block_section.size()) - static_cast<int64_t>(old_data_end);
  gi.filter_offset = block_section.size();
  gi.index_offset += delta;
  gi.stats_offset += delta;
  auto d = DecodeSst(rebuild(gi, block_section + rest));
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(d.status().IsData()) << d.status().ToString();
}

// ---- golden rows: every SST of the selected fixtures vs sldecode.py ----

std::string KindChar(RowKind k) {
  return k == RowKind::kTombstone ? "T" : k == RowKind::kMerge ? "M" : "V";
}

std::string ValueField(const RowEntry& r) {
  if (r.kind == RowKind::kTombstone) return "-";
  if (r.value.size() > 48) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "#%zu:%08x", r.value.size(), util::Crc32(r.value));
    return buf;
  }
  return r.value.empty() ? "\"\"" : Hex(r.value);
}

std::string OptTs(const std::optional<int64_t>& t) { return t ? std::to_string(*t) : "-"; }

TEST(SstGoldenTest, EveryFixtureSstDecodesToTheReferenceRows) {
  auto golden = ReadFile(testing::SourceDir() + "/testdata/sst_golden.txt");
  ASSERT_TRUE(golden.has_value());
  std::istringstream in(*golden);
  std::string line;
  std::vector<std::string> expected_lines, actual_lines;
  int ssts = 0;
  std::string sst_rows_mismatch;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] != 'S') {
      expected_lines.push_back(line);
      continue;
    }
    expected_lines.push_back(line);
    std::istringstream ls(line);
    std::string tag, rel;
    ls >> tag >> rel;
    auto bytes = ReadFile(FixturesDir() + "/" + rel);
    ASSERT_TRUE(bytes.has_value()) << rel;
    auto d = DecodeSst(*bytes);
    ASSERT_OK(d) << rel << ": " << d.status().ToString();
    ++ssts;
    const SstInfo& info = d->info;
    std::ostringstream s;
    s << "S " << rel << " " << d->footer.version << " "
      << (info.sst_type == SstType::kWal ? "Wal" : "Compacted") << " "
      << CompressionCodecName(info.compression) << " " << d->rows.size() << " "
      << d->index.blocks.size() << " " << info.filter_len << " "
      << (info.first_entry ? Hex(*info.first_entry) : "-") << " "
      << (info.last_entry ? Hex(*info.last_entry) : "-");
    actual_lines.push_back(s.str());
    for (const auto& r : d->rows) {
      actual_lines.push_back("R " + Hex(r.key) + " " + ValueField(r) + " " + std::to_string(r.seq) +
                             " " + KindChar(r.kind) + " " + OptTs(r.create_ts) + " " +
                             OptTs(r.expire_ts));
    }
  }
  EXPECT_GE(ssts, 60);
  ASSERT_EQ(actual_lines.size(), expected_lines.size());
  for (size_t i = 0; i < actual_lines.size(); ++i) {
    ASSERT_EQ(actual_lines[i], expected_lines[i]) << "golden line " << i + 1;
  }
}

// ---- re-encoding peer SSTs byte for byte ----

struct ReencodeCase {
  std::string rel;
  size_t min_filter_keys;
  bool expect_identical;
};

TEST(SstReencodeTest, PeerSstsAreReproducedByteForByte) {
  const std::vector<ReencodeCase> cases = {
      {"bloom/db/compacted/01M8BVF3RGTSFRN9H6ZAEYBXDK.sst", 1, true},
      {"basic/db/wal/00000000000000000002.sst", 1000, true},
      {"basic/db/wal/00000000000000000003.sst", 1000, true},
      {"basic/db/compacted/01M8BVEEFETRWDZV1DSB8ASKQC.sst", 1000, true},
      {"misc/db/compacted/01M8BVF3D3AKNE08TQ77MQVSYX.sst", 1000, true},
      {"misc/db/wal/00000000000000000002.sst", 1000, true},
      {"versions/db/compacted/01M8BVF312PG2Z896GNJQMHCZE.sst", 1000, true},
      {"ttl/db/wal/00000000000000000002.sst", 1000, true},
      {"compress_zstd/db/compacted/01M8BVF1GZAWRAQZR8Y20SPSQ7.sst", 1000, false},
      {"compress_zlib/db/compacted/01M8BVF1CFJXZZ5C8JTD6W5MFG.sst", 1000, false},
      {"compress_lz4/db/compacted/01M8BVF1ES6WWQG1R1271T4YM5.sst", 1000, false},
      {"compress_snappy/db/compacted/01M8BVF19EG1RZTY9QGZVR45NP.sst", 1000, false},
  };
  // Compressed peer SSTs are not byte-identical: the peer's Rust codecs (snap, lz4_flex,
  // flate2, zstd-rs) emit different (equally valid) compressed bytes than the C libraries.
  for (const auto& c : cases) {
    SCOPED_TRACE(c.rel);
    auto bytes = ReadFile(FixturesDir() + "/" + c.rel);
    ASSERT_TRUE(bytes.has_value());
    auto d = DecodeSst(*bytes);
    ASSERT_OK(d) << d.status().ToString();
    SstBuilderOptions opts;
    opts.compression = d->info.compression;
    opts.sst_type = d->info.sst_type;
    opts.min_filter_keys = c.min_filter_keys;
    SstBuilder b(opts);
    for (const auto& r : d->rows) ASSERT_OK(b.Add(r));
    auto sst = b.Finish();
    ASSERT_OK(sst);
    // Whatever the codec, the rebuilt SST decodes to the same rows and block boundaries.
    auto again = DecodeSst(sst->bytes);
    ASSERT_OK(again);
    EXPECT_EQ(again->rows, d->rows);
    ASSERT_EQ(again->index.blocks.size(), d->index.blocks.size());
    for (size_t i = 0; i < d->index.blocks.size(); ++i) {
      EXPECT_EQ(Hex(again->index.blocks[i].first_key), Hex(d->index.blocks[i].first_key)) << i;
    }
    if (c.expect_identical) {
      EXPECT_EQ(Hex(sst->bytes), Hex(*bytes));
      EXPECT_EQ(sst->info, d->info);
    }
  }
}

TEST(SstIndexTest, LowerBoundBlockMatchesLowerBoundOverTheFirstKeys) {
  std::mt19937_64 rng(7);
  // First keys with a long shared prefix (as zero-padded numbers have), of varying lengths,
  // with zero bytes (the search keys' padding) and keys differing only after 8 more bytes.
  auto random_key = [&](const std::string& prefix) {
    std::string k = prefix;
    const size_t n = rng() % 12;
    for (size_t i = 0; i < n; ++i) k.push_back("\0\1az\xff"[rng() % 5]);
    return k;
  };
  const std::vector<std::string> prefixes = {"", "0000000000000", std::string("p\0", 2)};
  for (const std::string& prefix : prefixes) {
    for (size_t blocks : {1, 2, 3, 17, 200}) {
      for (bool empty_first : {false, true}) {
        std::vector<std::string> keys;
        for (size_t i = 0; i < blocks; ++i) keys.push_back(random_key(prefix));
        std::sort(keys.begin(), keys.end());
        keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
        SstIndex index;
        // In a compacted SST, block 0's first key is the empty separator.
        if (empty_first && !keys[0].empty()) keys.insert(keys.begin(), "");
        for (size_t i = 0; i < keys.size(); ++i) index.blocks.push_back({i * 4096, keys[i]});
        FillIndexSearchKeys(&index);
        ASSERT_EQ(index.search_keys.size(), index.blocks.size() < 2 ? 0 : index.blocks.size());
        std::vector<std::string> probes = keys;
        for (int i = 0; i < 300; ++i) probes.push_back(random_key(prefix));
        for (const auto& k : keys) probes.push_back(k + std::string(1, '\0'));
        probes.insert(probes.end(), {"", "0", "00000000000000000000", "p", "q", "\xff"});
        for (const std::string& probe : probes) {
          const size_t want =
              static_cast<size_t>(std::lower_bound(keys.begin(), keys.end(), probe) - keys.begin());
          EXPECT_EQ(LowerBoundBlock(index, probe), want) << Hex(prefix) << " " << Hex(probe);
        }
        // Without search keys (an index built, not decoded), the plain search gives the same.
        SstIndex plain;
        plain.blocks = index.blocks;
        for (const std::string& probe : probes) {
          EXPECT_EQ(LowerBoundBlock(plain, probe), LowerBoundBlock(index, probe)) << Hex(probe);
        }
      }
    }
  }
}

}  // namespace
}  // namespace slatedb::format
