#include "table/sst_options.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace slatedb::table {
namespace {

Settings Tuned() {
  Settings s;
  s.block_size = 8192;
  s.compression_codec = CompressionCodec::kZstd;
  s.filter_bits_per_key = 7;
  s.min_filter_keys = 3;
  return s;
}

TEST(SstOptionsTest, L0AndCompactedCarryEveryShapingSetting) {
  for (SstKind kind : {SstKind::kL0, SstKind::kCompacted}) {
    const format::SstBuilderOptions o = SstBuilderOptionsFor(kind, Tuned());
    EXPECT_EQ(o.block_size, 8192u);
    EXPECT_EQ(o.compression, format::CompressionCodec::kZstd);
    EXPECT_EQ(o.filter_bits_per_key, 7u);
    EXPECT_EQ(o.min_filter_keys, 3u);
    EXPECT_EQ(o.sst_type, format::SstType::kCompacted);
    EXPECT_EQ(o.filter_format, format::FilterFormat::kLegacy);
    EXPECT_EQ(o.prefix_extractor, nullptr);
  }
  ASSERT_OK_AND_ASSIGN(auto extractor, NewFixedPrefixExtractor(2));
  const format::SstBuilderOptions p = SstBuilderOptionsFor(SstKind::kL0, Tuned(), extractor);
  EXPECT_EQ(p.filter_format, format::FilterFormat::kComposite);
  EXPECT_EQ(p.prefix_extractor, extractor);
}

TEST(SstOptionsTest, WalAndFenceTakeBlockSizeAndCompressionOnly) {
  const format::SstBuilderOptions defaults;
  const format::SstBuilderOptions wal = SstBuilderOptionsFor(SstKind::kWal, Tuned());
  EXPECT_EQ(wal.block_size, 8192u);
  EXPECT_EQ(wal.compression, format::CompressionCodec::kZstd);
  EXPECT_EQ(wal.sst_type, format::SstType::kWal);
  EXPECT_EQ(wal.filter_bits_per_key, defaults.filter_bits_per_key);
  EXPECT_EQ(wal.min_filter_keys, defaults.min_filter_keys);
  ASSERT_OK_AND_ASSIGN(auto extractor, NewFixedPrefixExtractor(2));
  const format::SstBuilderOptions fence =
      SstBuilderOptionsFor(SstKind::kWalFence, Tuned(), extractor);
  EXPECT_EQ(fence.block_size, 8192u);
  EXPECT_EQ(fence.compression, format::CompressionCodec::kZstd);
  EXPECT_EQ(fence.sst_type, format::SstType::kCompacted);
  EXPECT_EQ(fence.filter_format, format::FilterFormat::kLegacy);
  EXPECT_EQ(fence.prefix_extractor, nullptr);
}

TEST(SstOptionsTest, SstSettingsDefaultsAreSettingsDefaults) {
  const SstSettings from = SstSettings::From(Settings{});
  const SstSettings plain;
  EXPECT_EQ(from.block_size, plain.block_size);
  EXPECT_EQ(from.compression, plain.compression);
  EXPECT_EQ(from.filter_bits_per_key, plain.filter_bits_per_key);
  EXPECT_EQ(from.min_filter_keys, plain.min_filter_keys);
}

}  // namespace
}  // namespace slatedb::table
