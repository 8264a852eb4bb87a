#include "format/ulid.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

#include "test_util.h"

namespace slatedb::format {
namespace {

TEST(UlidTest, SpecExampleParsesToHighLow) {
  auto u = Ulid::Parse("01M8BVF2MX00NHKW27PPS3ZNMD");
  ASSERT_OK(u) << u.status().ToString();
  EXPECT_EQ(u->high, 0x01A217B78A9D002Bull);
  EXPECT_EQ(u->low, 0x19F047B5B23FD68Dull);
  EXPECT_EQ(u->TimestampMillis(), 1795694234269ull);
  EXPECT_EQ(u->ToString(), "01M8BVF2MX00NHKW27PPS3ZNMD");
}

TEST(UlidTest, ParseIsCaseInsensitive) {
  auto u = Ulid::Parse("01m8bvf2mx00nhkw27pps3znmd");
  ASSERT_OK(u);
  EXPECT_EQ(u->ToString(), "01M8BVF2MX00NHKW27PPS3ZNMD");
}

TEST(UlidTest, ExtremesRoundTrip) {
  Ulid zero;
  EXPECT_EQ(zero.ToString(), std::string(26, '0'));
  Ulid max{~0ull, ~0ull};
  EXPECT_EQ(max.ToString(), "7ZZZZZZZZZZZZZZZZZZZZZZZZZ");
  auto parsed = Ulid::Parse(max.ToString());
  ASSERT_OK(parsed);
  EXPECT_EQ(*parsed, max);
}

TEST(UlidTest, RejectsBadText) {
  EXPECT_TRUE(Ulid::Parse("").status().IsInvalid());
  EXPECT_TRUE(Ulid::Parse("01M8BVF2MX00NHKW27PPS3ZNM").status().IsInvalid());   // 25 chars
  EXPECT_TRUE(Ulid::Parse("01M8BVF2MX00NHKW27PPS3ZNMU").status().IsInvalid());  // 'U'
  EXPECT_TRUE(Ulid::Parse("81M8BVF2MX00NHKW27PPS3ZNMD").status().IsInvalid());  // overflow
  auto st = Ulid::Parse("01M8BVF2MX00NHKW27PPS3ZNM!").status();
  EXPECT_NE(st.message().find("01M8BVF2MX00NHKW27PPS3ZNM!"), std::string::npos);
}

TEST(UlidTest, NewCarriesTimestampAndIsSeeded) {
  util::Random a(42);
  util::Random b(42);
  Ulid x = Ulid::New(1795694234269, a);
  Ulid y = Ulid::New(1795694234269, b);
  EXPECT_EQ(x, y);
  EXPECT_EQ(x.TimestampMillis(), 1795694234269ull);
  auto parsed = Ulid::Parse(x.ToString());
  ASSERT_OK(parsed);
  EXPECT_EQ(*parsed, x);
}

TEST(UlidTest, RandomRoundTrips) {
  util::Random rng(7);
  for (int i = 0; i < 1000; ++i) {
    Ulid u{rng.Next64(), rng.Next64()};
    u.high &= 0xFFFFFFFFFFFFFFFFull;
    auto parsed = Ulid::Parse(u.ToString());
    ASSERT_OK(parsed);
    EXPECT_EQ(*parsed, u);
  }
}

TEST(UlidTest, TextOrderEqualsNumericOrder) {
  util::Random rng(9);
  for (int i = 0; i < 200; ++i) {
    Ulid a{rng.Next64(), rng.Next64()};
    Ulid b{rng.Next64(), rng.Next64()};
    EXPECT_EQ(a < b, a.ToString() < b.ToString());
  }
}

TEST(UlidGeneratorTest, StrictlyIncreasingWithinOneMillisecondAndBackwardsClock) {
  UlidGenerator gen(1);
  Ulid prev = gen.Next(1000);
  for (int i = 0; i < 1000; ++i) {
    const int64_t ms = (i % 3 == 0) ? 999 : 1000;  // clock stalls and goes backwards
    Ulid next = gen.Next(ms);
    ASSERT_LT(prev, next);
    prev = next;
  }
  Ulid later = gen.Next(2000);
  EXPECT_LT(prev, later);
  EXPECT_EQ(later.TimestampMillis(), 2000u);
}

TEST(UlidGeneratorTest, UniqueAcrossThreads) {
  UlidGenerator gen(3);
  std::vector<std::vector<Ulid>> per_thread(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) per_thread[t].push_back(gen.Next(5000));
    });
  }
  for (auto& th : threads) th.join();
  std::set<Ulid> all;
  for (const auto& ids : per_thread) {
    for (size_t i = 1; i < ids.size(); ++i) EXPECT_LT(ids[i - 1], ids[i]);
    all.insert(ids.begin(), ids.end());
  }
  EXPECT_EQ(all.size(), 2000u);
}

}  // namespace
}  // namespace slatedb::format
