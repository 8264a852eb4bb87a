#include <gtest/gtest.h>

#include "slatedb/status.h"
#include "util/coding.h"
#include "util/crc32.h"
#include "util/random.h"

namespace slatedb {
namespace {

TEST(StatusTest, KindsAndMessages) {
  Status ok;
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(ok.ToString(), "OK");
  Status f = Status::Fenced("detected newer writer");
  EXPECT_TRUE(f.IsClosed());
  EXPECT_TRUE(f.IsFenced());
  EXPECT_EQ(f.ToString(), "Closed(fenced): detected newer writer");
  EXPECT_EQ(Status::Invalid("key is empty").WithContext("put").message(), "put: key is empty");
}

Result<int> Half(int x) {
  if (x % 2) return Status::Invalid("odd");
  return x / 2;
}
Status UseHalf(int x, int* out) {
  ASSIGN_OR_RETURN(*out, Half(x));
  return Status::OK();
}

TEST(StatusTest, ResultAndMacros) {
  int v = 0;
  EXPECT_TRUE(UseHalf(8, &v).ok());
  EXPECT_EQ(v, 4);
  Status s = UseHalf(7, &v);
  EXPECT_TRUE(s.IsInvalid());
  EXPECT_EQ(s.message(), "odd");
}

TEST(CodingTest, VarintRoundTripAndOverflow) {
  for (uint32_t v : {0u, 1u, 127u, 128u, 4074u, 65535u, 0xFFFFFFFFu}) {
    std::string buf;
    util::PutVarint32(&buf, v);
    EXPECT_EQ(buf.size(), util::VarintLength(v));
    std::string_view in(buf);
    uint32_t got = 0;
    ASSERT_TRUE(util::GetVarint32(&in, &got));
    EXPECT_EQ(got, v);
    EXPECT_TRUE(in.empty());
  }
  std::string bad("\xff\xff\xff\xff\x7f", 5);
  std::string_view in(bad);
  uint32_t got;
  EXPECT_FALSE(util::GetVarint32(&in, &got));
  std::string truncated("\x80", 1);
  in = truncated;
  EXPECT_FALSE(util::GetVarint32(&in, &got));
}

TEST(CodingTest, BigEndianAndHex) {
  std::string buf;
  util::PutU64BE(&buf, 0x0102030405060708ull);
  EXPECT_EQ(util::ToHex(buf), "0102030405060708");
  EXPECT_EQ(util::LoadU64BE(buf.data()), 0x0102030405060708ull);
  std::string back;
  ASSERT_TRUE(util::FromHex("00ff10", &back));
  EXPECT_EQ(back, std::string("\x00\xff\x10", 3));
  EXPECT_FALSE(util::FromHex("0g", &back));
}

TEST(Crc32Test, MatchesKnownValues) {
  EXPECT_EQ(util::Crc32("123456789"), 0xCBF43926u);
  EXPECT_EQ(util::Crc32(""), 0u);
}

TEST(RandomTest, MatchesPeerXorshiftSequence) {
  // peer.mjs: rng(1) — first outputs computed with BigInt arithmetic.
  util::Random r(1);
  uint64_t x = 1;
  for (int i = 0; i < 5; ++i) {
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    EXPECT_EQ(r.Next64(), x * 2685821657736338717ull);
  }
  util::Random a(42), b(42);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.Uniform(1000), b.Uniform(1000));
}

}  // namespace
}  // namespace slatedb
