// config/duration_test.cc — duration strings parse and print as SlateDB's do.
#include "config/duration.h"

#include <gtest/gtest.h>

namespace slatedb::config {
namespace {

using std::chrono::milliseconds;

milliseconds Ms(std::string_view s) {
  auto r = ParseDuration(s);
  EXPECT_TRUE(r.ok()) << s << ": " << r.status().ToString();
  return r.ok() ? *r : milliseconds(-1);
}

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

TEST(DurationTest, ParsesCombinations) {
  EXPECT_EQ(Ms("1m30s"), milliseconds(90000));
  EXPECT_EQ(Ms("1h 2m 3s 4ms"), milliseconds(3723004));
  EXPECT_EQ(Ms("  7s "), milliseconds(7000));
}

TEST(DurationTest, RejectsBadInputNamingIt) {
  for (std::string_view bad : {"", " ", "100", "ms", "5 parsecs", "5S", "-5s", "1.5s", "5s!",
                               "1500us", "99999999999999999999s", "18446744073709551615d"}) {
    auto r = ParseDuration(bad);
    ASSERT_FALSE(r.ok()) << "accepted '" << bad << "'";
    EXPECT_TRUE(r.status().IsInvalid());
    EXPECT_NE(r.status().message().find("'" + std::string(bad) + "'"), std::string::npos)
        << r.status().message();
  }
}

TEST(DurationTest, FormatsAsSlateDb) {
  EXPECT_EQ(FormatDuration(milliseconds(100)), "100ms");
  EXPECT_EQ(FormatDuration(milliseconds(1000)), "1s");
  EXPECT_EQ(FormatDuration(milliseconds(300000)), "300s");
  EXPECT_EQ(FormatDuration(milliseconds(3600000)), "3600s");
  EXPECT_EQ(FormatDuration(milliseconds(1500)), "1500ms");
  EXPECT_EQ(FormatDuration(milliseconds(0)), "0s");
}

TEST(DurationTest, RoundTrips) {
  for (int64_t ms : {0LL, 1LL, 999LL, 1000LL, 1001LL, 60000LL, 86400000LL, 123456789LL}) {
    EXPECT_EQ(Ms(FormatDuration(milliseconds(ms))), milliseconds(ms));
  }
}

}  // namespace
}  // namespace slatedb::config
