#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <zlib.h>

#include "slatedb/status.h"
#include "test_util.h"
#include "util/coding.h"
#include "util/crc32.h"
#include "util/page_memory.h"
#include "util/random.h"
#include "util/saturating.h"

namespace slatedb {
namespace {

TEST(StatusTest, KindsAndMessages) {
  Status ok;
  EXPECT_OK(ok);
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
  EXPECT_OK(UseHalf(8, &v));
  EXPECT_EQ(v, 4);
  Status s = UseHalf(7, &v);
  EXPECT_TRUE(s.IsInvalid());
  EXPECT_EQ(s.message(), "odd");
}

// testing/test_util.h's ASSERT_OK / EXPECT_OK fail on an error (naming the expression and the
// status, plus what the caller streams) and pass on OK, for Status and Result<T>.
TEST(TestMacrosTest, AssertOkAndExpectOkFailOnErrors) {
  EXPECT_FATAL_FAILURE(ASSERT_OK(Status::NotFound("key k1")) << "extra context",
                       "Status::NotFound(\"key k1\"): ");
  EXPECT_FATAL_FAILURE(ASSERT_OK(Status::NotFound("key k1")) << "extra context", "extra context");
  EXPECT_NONFATAL_FAILURE(EXPECT_OK(Result<int>(Status::Invalid("bad setting x"))),
                          "bad setting x");
  ASSERT_OK(Status::OK());
  EXPECT_OK(Result<int>(3));
  int evaluated = 0;
  auto once = [&evaluated] {
    ++evaluated;
    return Status::OK();
  };
  EXPECT_OK(once());
  EXPECT_EQ(evaluated, 1);
}

// A PageMemory is whole zeroed pages, movable, and unmapped (not just freed) when destroyed.
TEST(PageMemoryTest, MapsWholePagesAndUnmapsThemWhenDestroyed) {
  using util::PageMemory;
  const size_t page = PageMemory::PageSize();
  ASSERT_GE(page, 4096u);
  const size_t bytes = 3 * page + 1;
  auto resident = [page](const char* p, size_t n) -> int {
    std::vector<unsigned char> vec((n + page - 1) / page);
    return mincore(const_cast<char*>(p), n, vec.data());
  };
  char* data = nullptr;
  {
    PageMemory m(bytes);
    ASSERT_FALSE(m.empty());
    EXPECT_EQ(m.size(), 4 * page);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(m.data()) % page, 0u);
    for (size_t i = 0; i < m.size(); i += 997) ASSERT_EQ(m.data()[i], 0) << i;
    std::memset(m.data(), 'x', m.size());
    PageMemory moved(std::move(m));
    EXPECT_TRUE(m.empty());  // NOLINT(bugprone-use-after-move): checking the moved-from state
    EXPECT_EQ(m.size(), 0u);
    EXPECT_EQ(moved.data()[bytes - 1], 'x');
    PageMemory assigned;
    assigned = std::move(moved);
    data = assigned.data();
    EXPECT_EQ(resident(data, 4 * page), 0) << "mapped while alive";
  }
  errno = 0;
  EXPECT_EQ(resident(data, 4 * page), -1) << "still mapped after the PageMemory was destroyed";
  EXPECT_EQ(errno, ENOMEM);
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

// The accelerated path (when this CPU has it) gives zlib's values for every length 0..4096, every
// start alignment 0..15 and chained calls; the portable path is zlib itself.
TEST(Crc32Test, MatchesZlibForEveryLengthAndAlignment) {
  util::Random rnd(2024);
  std::string buf(4096 + 16, '\0');
  for (char& c : buf) c = static_cast<char>(rnd.Next64());
  size_t checked = 0;
  for (size_t offset = 0; offset < 16; ++offset) {
    for (size_t n = 0; n <= 4096; ++n) {
      const std::string_view data(buf.data() + offset, n);
      const uint32_t init = n % 3 == 0 ? 0 : static_cast<uint32_t>(rnd.Next64());
      const uint32_t want = static_cast<uint32_t>(
          crc32(init, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(n)));
      ASSERT_EQ(util::Crc32Extend(init, data), want) << "offset " << offset << " length " << n;
      ASSERT_EQ(util::Crc32ExtendPortable(init, data), want);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 16u * 4097u);
  // Split anywhere, the chained CRC is the CRC of the whole.
  const std::string_view all(buf.data(), 4096);
  const uint32_t whole = util::Crc32(all);
  for (size_t cut = 0; cut <= all.size(); cut += 37) {
    EXPECT_EQ(util::Crc32Extend(util::Crc32(all.substr(0, cut)), all.substr(cut)), whole) << cut;
  }
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

TEST(SaturatingTest, AddMulCastAndDeadline) {
  EXPECT_EQ(util::CheckedAdd<int64_t>(INT64_MAX, 1), std::nullopt);
  EXPECT_EQ(util::CheckedAdd<int64_t>(1, 2), 3);
  EXPECT_EQ(util::CheckedMul<uint64_t>(UINT64_MAX / 2 + 1, 2), std::nullopt);
  EXPECT_EQ(util::CheckedMul<uint64_t>(1000, 10), 10000u);
  EXPECT_EQ(util::SaturatingAdd<int64_t>(INT64_MAX - 1, 5), INT64_MAX);
  EXPECT_EQ(util::SaturatingAdd<int64_t>(INT64_MIN + 1, -5), INT64_MIN);
  EXPECT_EQ(util::SaturatingAdd<uint64_t>(UINT64_MAX, 1), UINT64_MAX);
  EXPECT_EQ(util::SaturatingMul<int64_t>(INT64_MAX / 2 + 1, 2), INT64_MAX);
  EXPECT_EQ(util::SaturatingMul<int64_t>(INT64_MAX / 2 + 1, -2), INT64_MIN);
  EXPECT_EQ(util::SaturatingCast<uint32_t>(int64_t{1} << 40), UINT32_MAX);
  EXPECT_EQ(util::SaturatingCast<uint32_t>(int64_t{-1}), 0u);
  EXPECT_EQ(util::SaturatingCast<uint32_t>(int64_t{7}), 7u);
  const auto now = std::chrono::steady_clock::now();
  EXPECT_EQ(util::SaturatingDeadline(now, std::chrono::milliseconds::max()),
            std::chrono::steady_clock::time_point::max());
  EXPECT_EQ(util::SaturatingDeadline(now, std::chrono::milliseconds(5)),
            now + std::chrono::milliseconds(5));
  EXPECT_EQ(util::SaturatingDeadline(now, std::chrono::milliseconds(-5)), now);
}

}  // namespace
}  // namespace slatedb
