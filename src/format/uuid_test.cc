#include "format/uuid.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace slatedb::format {
namespace {

TEST(UuidTest, SpecExample) {
  auto u = Uuid::Parse("5fa09694-d03b-449c-9ead-e2a36cab61d3");
  ASSERT_OK(u) << u.status().ToString();
  EXPECT_EQ(u->high, 0x5FA09694D03B449Cull);
  EXPECT_EQ(u->low, 0x9EADE2A36CAB61D3ull);
  EXPECT_EQ(u->ToString(), "5fa09694-d03b-449c-9ead-e2a36cab61d3");
  EXPECT_EQ(u->version(), 4);
}

TEST(UuidTest, ParseAcceptsUpperCase) {
  auto u = Uuid::Parse("5FA09694-D03B-449C-9EAD-E2A36CAB61D3");
  ASSERT_OK(u);
  EXPECT_EQ(u->ToString(), "5fa09694-d03b-449c-9ead-e2a36cab61d3");
}

TEST(UuidTest, RejectsBadText) {
  EXPECT_TRUE(Uuid::Parse("").status().IsInvalid());
  EXPECT_TRUE(Uuid::Parse("5fa09694d03b449c9eade2a36cab61d3").status().IsInvalid());
  EXPECT_TRUE(Uuid::Parse("5fa09694-d03b-449c-9ead-e2a36cab61dz").status().IsInvalid());
  EXPECT_TRUE(Uuid::Parse("5fa09694-d03b-449c-9ead+e2a36cab61d3").status().IsInvalid());
}

TEST(UuidTest, NewV4IsVersion4Variant1AndSeeded) {
  util::Random a(11);
  util::Random b(11);
  for (int i = 0; i < 100; ++i) {
    Uuid x = Uuid::NewV4(a);
    EXPECT_EQ(x, Uuid::NewV4(b));
    EXPECT_EQ(x.version(), 4);
    EXPECT_EQ(x.low >> 62, 2u);  // variant 10
    auto parsed = Uuid::Parse(x.ToString());
    ASSERT_OK(parsed);
    EXPECT_EQ(*parsed, x);
  }
}

}  // namespace
}  // namespace slatedb::format
