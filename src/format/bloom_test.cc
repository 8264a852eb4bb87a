// format/bloom_test.cc — SipHash-1-3 vectors and the bloom filter worked example (docs/format.md
// §5.6).
#include "format/bloom.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "test_util.h"
#include "util/coding.h"

namespace slatedb::format {
namespace {

std::string Hex64(uint64_t v) {
  char buf[20];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

TEST(SipHashTest, SpecVectors) {
  EXPECT_EQ(Hex64(SipHash13("")), "d1fba762150c532c");
  EXPECT_EQ(Hex64(SipHash13("a")), "407448d2b89b1813");
  EXPECT_EQ(Hex64(SipHash13("apple")), "e4305d08716d0e44");
  EXPECT_EQ(Hex64(SipHash13("banana")), "7dac5b89b00bb584");
  EXPECT_EQ(Hex64(SipHash13("cherry")), "640ff50df9ee4ec6");
  EXPECT_EQ(Hex64(SipHash13("key00000000")), "d2959db6181ce668");
}

TEST(SipHashTest, LargeExampleLowAndHighHalves) {
  uint64_t h = SipHash13("key00000000");
  EXPECT_EQ((h & 0xFFFFFFFF) % 10000, 7176u);
  EXPECT_EQ((h >> 32) % 10000, 598u);
}

TEST(BloomTest, NumProbes) {
  EXPECT_EQ(BloomNumProbes(10), 6);
  EXPECT_EQ(BloomNumProbes(1), 0);
  EXPECT_EQ(BloomNumProbes(20), 13);
}

TEST(BloomTest, WorkedExampleBytes) {
  BloomFilterBuilder b(10);
  b.AddKey("apple");
  b.AddKey("banana");
  b.AddKey("cherry");
  std::string raw = b.Build();
  EXPECT_EQ(util::ToHex(raw), "00067b70ae08");
  auto f = BloomFilter::Decode(raw);
  ASSERT_OK(f);
  EXPECT_EQ(f->num_probes(), 6);
  EXPECT_EQ(f->num_bits(), 32u);
  EXPECT_TRUE(f->MayContain("apple"));
  EXPECT_TRUE(f->MayContain("banana"));
  EXPECT_TRUE(f->MayContain("cherry"));
}

TEST(BloomTest, ThousandKeysSize) {
  BloomFilterBuilder b(10);
  for (int i = 0; i < 1000; ++i) {
    char key[16];
    std::snprintf(key, sizeof(key), "key%08d", i);
    b.AddKey(key);
  }
  std::string raw = b.Build();
  EXPECT_EQ(raw.size(), 2u + 1250u);
  auto f = BloomFilter::Decode(raw);
  ASSERT_OK(f);
  // Probe bits of key00000000 per spec: 7176, 7774, 8373, 8974, 9578, 186.
  for (uint64_t bit : {7176u, 7774u, 8373u, 8974u, 9578u, 186u}) {
    EXPECT_NE(static_cast<unsigned char>(raw[2 + bit / 8]) & (1u << (bit % 8)), 0u) << bit;
  }
  int fp = 0;
  for (int i = 0; i < 10000; ++i) fp += f->MayContain("other" + std::to_string(i));
  EXPECT_LT(fp, 300);  // about 1% expected
  EXPECT_GT(fp, 0);
}

// Past kInlineHashes the hashes go to 1 MiB pages: a filter of keys spanning the inline part and
// two pages holds every one of them, at the size the key count gives, and is the same filter as
// one built from the keys in another order (each key's bits are set, whichever part held it).
TEST(BloomTest, PagedHashesBuildTheSameFilter) {
  const size_t n = BloomFilterBuilder::kInlineHashes + BloomFilterBuilder::kHashesPerPage + 5000;
  BloomFilterBuilder forward(10), backward(10);
  auto key = [](size_t i) { return "paged-key-" + std::to_string(i); };
  for (size_t i = 0; i < n; ++i) forward.AddKey(key(i));
  for (size_t i = n; i-- > 0;) backward.AddKey(key(i));
  EXPECT_EQ(forward.num_keys(), n);
  const std::string raw = forward.Build();
  EXPECT_EQ(raw.size(), 2 + (n * 10 + 7) / 8);
  EXPECT_EQ(raw, backward.Build());
  auto f = BloomFilter::Decode(raw);
  ASSERT_OK(f);
  for (size_t i = 0; i < n; ++i) ASSERT_TRUE(f->MayContain(key(i))) << i;
  int fp = 0;
  for (int i = 0; i < 20000; ++i) fp += f->MayContain("absent-" + std::to_string(i));
  EXPECT_LT(fp, 600);  // about 1% expected
}

TEST(BloomTest, DecodeErrorsAndDegenerateFilters) {
  EXPECT_TRUE(BloomFilter::Decode("").status().IsData());
  EXPECT_TRUE(BloomFilter::Decode("\x00").status().IsData());
  auto empty = BloomFilter::Decode(std::string("\x00\x06", 2));
  ASSERT_OK(empty);
  EXPECT_TRUE(empty->MayContain("anything"));  // no bits: cannot exclude
  auto zero = BloomFilter::Decode(std::string("\x00\x00\x00\x00", 4));
  ASSERT_OK(zero);
  EXPECT_TRUE(zero->MayContain("anything"));
  auto none = BloomFilter::Decode(std::string("\x00\x06\x00\x00\x00\x00", 6));
  ASSERT_OK(none);
  EXPECT_FALSE(none->MayContain("apple"));
}

// keys × bits_per_key beyond the cap (or wrapping) builds no filter instead of allocating
// gigabytes; probes saturate instead of a float→uint16 overflow.
TEST(BloomTest, HugeBitsPerKeySaturates) {
  EXPECT_EQ(BloomNumProbes(UINT32_MAX), UINT16_MAX);
  BloomFilterBuilder b(UINT32_MAX);
  for (int i = 0; i < 10; ++i) b.AddKey("k" + std::to_string(i));
  std::string raw = b.Build();
  EXPECT_EQ(raw.size(), 2u);
  auto f = BloomFilter::Decode(raw);
  ASSERT_OK(f);
  EXPECT_TRUE(f->MayContain("k1"));
  EXPECT_TRUE(f->MayContain("absent"));
}

}  // namespace
}  // namespace slatedb::format
