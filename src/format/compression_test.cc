// format/compression_test.cc — codec round trips, framing per docs/format.md §5.2, corrupt input.
#include "format/compression.h"

#include <gtest/gtest.h>

#include <string>

#include "test_util.h"
#include "util/coding.h"

namespace slatedb::format {
namespace {

std::string Sample(size_t n) {
  std::string s;
  for (size_t i = 0; s.size() < n; ++i) s += "key" + std::to_string(i % 97) + "value;";
  s.resize(n);
  return s;
}

constexpr CompressionCodec kAll[] = {CompressionCodec::kNone, CompressionCodec::kSnappy,
                                     CompressionCodec::kZlib, CompressionCodec::kLz4,
                                     CompressionCodec::kZstd};

TEST(CompressionTest, RoundTripsEveryCodec) {
  for (CompressionCodec c : kAll) {
    for (size_t n : {size_t{0}, size_t{1}, size_t{4074}, size_t{200000}}) {
      std::string in = Sample(n);
      auto z = Compress(c, in);
      ASSERT_OK(z) << CompressionCodecName(c);
      if (c != CompressionCodec::kNone && n > 1000) {
        EXPECT_LT(z->size(), n);
      }
      auto out = Decompress(c, *z);
      ASSERT_OK(out) << CompressionCodecName(c) << " " << out.status().ToString();
      EXPECT_EQ(*out, in) << CompressionCodecName(c) << " n=" << n;
    }
  }
}

TEST(CompressionTest, FramingMatchesTheSpec) {
  std::string in = Sample(4074);
  auto snappy = Compress(CompressionCodec::kSnappy, in);
  EXPECT_EQ(util::ToHex(snappy->substr(0, 2)), "ea1f");  // varint 4074
  auto zlib = Compress(CompressionCodec::kZlib, in);
  EXPECT_EQ(util::ToHex(zlib->substr(0, 2)), "789c");
  auto lz4 = Compress(CompressionCodec::kLz4, in);
  EXPECT_EQ(util::ToHex(lz4->substr(0, 4)), "ea0f0000");  // u32 LE 4074
  auto zstd = Compress(CompressionCodec::kZstd, in);
  EXPECT_EQ(util::ToHex(zstd->substr(0, 4)), "28b52ffd");
}

TEST(CompressionTest, CorruptInputIsDataError) {
  std::string in = Sample(5000);
  for (CompressionCodec c : kAll) {
    if (c == CompressionCodec::kNone) continue;
    auto z = Compress(c, in);
    ASSERT_OK(z);
    // Truncations.
    for (size_t cut : {size_t{0}, size_t{1}, z->size() / 2, z->size() - 1}) {
      auto out = Decompress(c, z->substr(0, cut));
      EXPECT_TRUE(out.status().IsData()) << CompressionCodecName(c) << " cut=" << cut;
    }
    // Garbage.
    auto g = Decompress(c, std::string(64, '\x5a'));
    EXPECT_TRUE(g.status().IsData()) << CompressionCodecName(c);
  }
}

TEST(CompressionTest, DecompressionRespectsTheSizeLimit) {
  std::string in = Sample(100000);
  for (CompressionCodec c : kAll) {
    auto z = Compress(c, in);
    ASSERT_OK(z);
    auto out = Decompress(c, *z, 1000);
    ASSERT_TRUE(out.status().IsData()) << CompressionCodecName(c);
    EXPECT_NE(out.status().message().find("limit"), std::string::npos);
  }
  // A corrupt LZ4 header declaring 4 GiB must not allocate it.
  auto lz = Decompress(CompressionCodec::kLz4, std::string("\xff\xff\xff\xff\x00", 5));
  EXPECT_TRUE(lz.status().IsData());
}

TEST(CompressionTest, NamesParseBack) {
  for (CompressionCodec c : kAll) {
    EXPECT_EQ(ParseCompressionCodec(CompressionCodecName(c)), c);
    EXPECT_EQ(CompressionCodecFromId(static_cast<int>(c)), c);
  }
  EXPECT_EQ(ParseCompressionCodec("ZSTD"), CompressionCodec::kZstd);
  EXPECT_FALSE(ParseCompressionCodec("brotli").has_value());
  EXPECT_FALSE(CompressionCodecFromId(5).has_value());
  EXPECT_FALSE(CompressionCodecFromId(-1).has_value());
}

}  // namespace
}  // namespace slatedb::format
