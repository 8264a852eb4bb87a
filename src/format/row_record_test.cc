// Tests of the in-memory row record (format/row_record.h): every field shape round-trips, the
// size is exact, and the seq is read without a full decode.
#include "format/row_record.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace slatedb::format {
namespace {

TEST(RowRecordTest, EveryShapeRoundTripsInExactlyItsSize) {
  struct Case {
    std::string key, value;
    uint64_t seq;
    RowKind kind;
    std::optional<int64_t> create_ts, expire_ts;
  };
  const std::vector<Case> cases = {
      {"k", "v", 1, RowKind::kValue, std::nullopt, std::nullopt},
      {"k", "", 2, RowKind::kTombstone, std::nullopt, std::nullopt},
      {"m", "operand", 3, RowKind::kMerge, 5, std::nullopt},
      {"e", "x", 4, RowKind::kValue, std::nullopt, -7},  // timestamps may be negative
      {std::string(127, 'a'), std::string(127, 'b'), 5, RowKind::kValue, 1, 2},  // 1-byte varints
      {std::string(128, 'a'), std::string(300, 'b'), ~0ull, RowKind::kMerge, std::nullopt, 9},
      {std::string(65535, 'z'), std::string(70000, 'y'), 6, RowKind::kValue, 11, 12},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("key of " + std::to_string(c.key.size()) + " bytes, seq " + std::to_string(c.seq));
    const size_t size = RowRecordSize(c.key, c.value, c.create_ts, c.expire_ts);
    std::string buf(size + 1, '#');  // one guard byte after the record
    char* end =
        EncodeRowRecord(buf.data(), c.key, c.value, c.seq, c.kind, c.create_ts, c.expire_ts);
    EXPECT_EQ(end, buf.data() + size);
    EXPECT_EQ(buf.back(), '#');
    const RowView row = DecodeRowRecord(buf.data());
    EXPECT_EQ(row.key, c.key);
    EXPECT_EQ(row.value, c.value);
    EXPECT_EQ(row.seq, c.seq);
    EXPECT_EQ(row.kind, c.kind);
    EXPECT_EQ(row.create_ts, c.create_ts);
    EXPECT_EQ(row.expire_ts, c.expire_ts);
    EXPECT_EQ(row.value.data() + row.value.size(), buf.data() + size);
    EXPECT_EQ(RowRecordSeq(buf.data()), c.seq);
  }
}

}  // namespace
}  // namespace slatedb::format
