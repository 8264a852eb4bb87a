// config/duration_test.cc — duration strings parse and print as SlateDB's do.
#include "config/duration.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "test_util.h"

namespace slatedb::config {
namespace {

using std::chrono::milliseconds;

milliseconds Ms(std::string_view s) {
  auto r = ParseDuration(s);
  EXPECT_OK(r) << s << ": " << r.status().ToString();
  return r.ok() ? *r : milliseconds(-1);
}

constexpr int64_t kSecond = 1000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;

TEST(DurationTest, ParsesUnits) {
  EXPECT_EQ(Ms("100ms"), milliseconds(100));
  EXPECT_EQ(Ms("5s"), milliseconds(5000));
  EXPECT_EQ(Ms("300s"), milliseconds(300000));
  EXPECT_EQ(Ms("5m"), milliseconds(300000));
  EXPECT_EQ(Ms("5min"), milliseconds(300000));
  EXPECT_EQ(Ms("1h"), milliseconds(3600000));
  EXPECT_EQ(Ms("2d"), milliseconds(2 * 86400000LL));
  EXPECT_EQ(Ms("0s"), milliseconds(0));
  EXPECT_EQ(Ms("1000us"), milliseconds(1));
  EXPECT_EQ(Ms("2000000ns"), milliseconds(2));
}

TEST(DurationTest, ParsesLongUnits) {
  struct Case {
    const char* text;
    int64_t ms;
  };
  const Case cases[] = {
      {"7days 30min", 7 * kDay + 30 * kMinute},
      {"2 hours", 2 * kHour},
      {"3 weeks", 21 * kDay},
      {"1week", 7 * kDay},
      {"2wk", 14 * kDay},
      {"1day", kDay},
      {"4sec", 4 * kSecond},
      {"4secs", 4 * kSecond},
      {"1second", kSecond},
      {"2seconds", 2 * kSecond},
      {"1minute", kMinute},
      {"3minutes", 3 * kMinute},
      {"2mins", 2 * kMinute},
      {"1hr", kHour},
      {"2hrs", 2 * kHour},
      {"1hour", kHour},
      {"5msec", 5},
      {"5msecs", 5},
      {"5millis", 5},
      {"1millisecond", 1},
      {"7milliseconds", 7},
      {"3000usec", 3},
      {"3000usecs", 3},
      {"1000microsecond", 1},
      {"2000microseconds", 2},
      {"2000micros", 2},
      {"1000\xC2\xB5s", 1},    // micro sign
      {"1000\xCE\xBCs", 1},    // Greek mu
      {"1000\xC2\xB5sec", 1},  // duration_str's µsec
      {"4000000nsec", 4},
      {"1000000nanosecond", 1},
      {"2000000nanoseconds", 2},
      {"3000000nanos", 3},
      {"1mon", 30 * kDay},  // duration_str: 30 days
      {"2months", 60 * kDay},
      {"1y", 365 * kDay},  // duration_str: 365 days
      {"1year", 365 * kDay},
      {"2yrs", 730 * kDay},
  };
  for (const Case& c : cases) EXPECT_EQ(Ms(c.text), milliseconds(c.ms)) << c.text;
}

TEST(DurationTest, UnitsAreCaseInsensitiveAsInSlateDb) {
  EXPECT_EQ(Ms("5S"), milliseconds(5000));
  EXPECT_EQ(Ms("1M"), milliseconds(kMinute));  // duration_str lower-cases: minutes
  EXPECT_EQ(Ms("2MS"), milliseconds(2));
  EXPECT_EQ(Ms("1Hour"), milliseconds(kHour));
  EXPECT_EQ(Ms("1DAY"), milliseconds(kDay));
}

TEST(DurationTest, ParsesCombinations) {
  EXPECT_EQ(Ms("1m30s"), milliseconds(90000));
  EXPECT_EQ(Ms("1h 2m 3s 4ms"), milliseconds(3723004));
  EXPECT_EQ(Ms("  7s "), milliseconds(7000));
  EXPECT_EQ(Ms("1s+500ms"), milliseconds(1500));
  EXPECT_EQ(Ms("1s + 500ms"), milliseconds(1500));
  EXPECT_EQ(Ms("3m + 13s + 29ms"), milliseconds(193029));
  EXPECT_EQ(Ms("1h+30min+15"), milliseconds(kHour + 30 * kMinute + 15 * kSecond));
}

TEST(DurationTest, BareNumbersAreSecondsAsInSlateDb) {
  EXPECT_EQ(Ms("0"), milliseconds(0));
  EXPECT_EQ(Ms("1"), milliseconds(1000));
  EXPECT_EQ(Ms("100"), milliseconds(100000));
  EXPECT_EQ(Ms("3m+31"), milliseconds(211000));
}

TEST(DurationTest, MultipliesAsDurationStr) {
  EXPECT_EQ(Ms("1m*10"), milliseconds(600000));
  EXPECT_EQ(Ms("1m * 10ms"), milliseconds(600));
  EXPECT_EQ(Ms("1m*1m"), milliseconds(kHour));
  EXPECT_EQ(Ms("2*3*4"), milliseconds(24000));
  EXPECT_EQ(Ms("10s*0.5"), milliseconds(5000));
}

TEST(DurationTest, ParsesFractions) {
  EXPECT_EQ(Ms("1.5s"), milliseconds(1500));
  EXPECT_EQ(Ms("0.5s"), milliseconds(500));
  EXPECT_EQ(Ms("1.25m"), milliseconds(75000));
  EXPECT_EQ(Ms("0.001s"), milliseconds(1));
  EXPECT_EQ(Ms("1.5ms+0.5ms"), milliseconds(2));  // each term whole ns, the sum whole ms
  EXPECT_EQ(Ms("2.50h"), milliseconds(150 * kMinute));
}

TEST(DurationTest, RejectsBadInputNamingIt) {
  for (std::string_view bad : {"",
                               " ",
                               "ms",
                               "5 parsecs",
                               "-5s",
                               "5s!",
                               "1500us",
                               "0.5ms",
                               "2.5ms",
                               "1.0001s",
                               "99999999999999999999s",
                               "18446744073709551615d",
                               "1s+",
                               "+1s",
                               "1s++2s",
                               "1m*10+5",
                               "1s 2s*3",
                               "1.s",
                               ".5s",
                               "1e3s",
                               "1,5s",
                               "5 s s",
                               "1\xC2s",
                               "10000000000000000000000000000000000000s"}) {
    auto r = ParseDuration(bad);
    ASSERT_FALSE(r.ok()) << "accepted '" << bad << "'";
    EXPECT_TRUE(r.status().IsInvalid());
    EXPECT_NE(r.status().message().find("'" + std::string(bad) + "'"), std::string::npos)
        << r.status().message();
  }
  auto half = ParseDuration("0.5ms");
  ASSERT_FALSE(half.ok());
  EXPECT_NE(half.status().message().find("not a whole number of milliseconds"), std::string::npos)
      << half.status().message();
}

// Found by fuzz_settings_toml: leading zeros of a fraction are no significant digits, so the
// scale 10^(fraction length) was unbounded and wrapped to 0 in 128 bits (a division by zero).
TEST(DurationTest, LongFractionsAreRefusedOrExactNeverAWrap) {
  const std::string zeros(150, '0');
  for (const std::string& text : {"0." + zeros + "6148859135680961649ms", "0." + zeros + "1s"}) {
    auto r = ParseDuration(text);
    ASSERT_FALSE(r.ok()) << "accepted '" << text << "'";
    EXPECT_TRUE(r.status().IsInvalid());
    EXPECT_NE(r.status().message().find("not a whole number of milliseconds"), std::string::npos)
        << r.status().message();
  }
  // After a non-zero digit every zero is significant: too many digits, said so.
  auto long_mantissa = ParseDuration("1." + zeros + "5d");
  ASSERT_FALSE(long_mantissa.ok());
  EXPECT_NE(long_mantissa.status().message().find("too many digits"), std::string::npos)
      << long_mantissa.status().message();
  // Exact values with many digits still parse: 38 fraction digits, and zeros that add nothing.
  EXPECT_EQ(Ms("0.00000000000000000000000000000000000000s"), milliseconds(0));
  EXPECT_EQ(Ms("2." + zeros + "s"), milliseconds(2000));
  EXPECT_EQ(Ms("0.001000000000000000000000000000000000s"), milliseconds(1));
}

TEST(DurationTest, OverflowIsAnErrorNeverAWrap) {
  // 2^64-1 ns is the largest duration (as in SlateDB's duration_str); one more is too large.
  EXPECT_EQ(Ms("18446744073709ms"), milliseconds(18446744073709LL));
  for (std::string_view big :
       {"18446744073709551616ns", "18446744073710ms", "584y+1y", "18446744073709551615ns+1ns",
        "1000000h*1000000", "213503d*1d", "99999999999999999999999999999999999y", "585years"}) {
    auto r = ParseDuration(big);
    ASSERT_FALSE(r.ok()) << "accepted '" << big << "'";
    EXPECT_TRUE(r.status().IsInvalid());
    EXPECT_NE(r.status().message().find("too large"), std::string::npos) << r.status().message();
  }
}

TEST(DurationTest, FormatsAsSlateDb) {
  // SlateDB's serialize_duration: "<s>s", "<mmm>ms" (zero-padded) or "<s>s+<mmm>ms".
  EXPECT_EQ(FormatDuration(milliseconds(100)), "100ms");
  EXPECT_EQ(FormatDuration(milliseconds(50)), "050ms");
  EXPECT_EQ(FormatDuration(milliseconds(5)), "005ms");
  EXPECT_EQ(FormatDuration(milliseconds(1000)), "1s");
  EXPECT_EQ(FormatDuration(milliseconds(300000)), "300s");
  EXPECT_EQ(FormatDuration(milliseconds(3600000)), "3600s");
  EXPECT_EQ(FormatDuration(milliseconds(1500)), "1s+500ms");
  EXPECT_EQ(FormatDuration(milliseconds(60005)), "60s+005ms");
  EXPECT_EQ(FormatDuration(milliseconds(0)), "0s");
  EXPECT_EQ(FormatDuration(milliseconds(-1500)), "-1s+500ms");
  EXPECT_EQ(FormatDuration(milliseconds(std::numeric_limits<int64_t>::min())),
            "-9223372036854775s+808ms");
}

TEST(DurationTest, RoundTrips) {
  for (int64_t ms : {0LL, 1LL, 5LL, 50LL, 999LL, 1000LL, 1001LL, 1500LL, 60000LL, 86400000LL,
                     123456789LL, 18446744073709LL}) {
    EXPECT_EQ(Ms(FormatDuration(milliseconds(ms))), milliseconds(ms)) << ms;
  }
}

}  // namespace
}  // namespace slatedb::config
