// table/merge_resolve_test.cc — MergeResolver, CollapseOperands and the built-in merge operators.
#include "table/merge_resolve.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "test_util.h"

namespace slatedb::table {
namespace {

using format::RowEntry;
using format::RowKind;

RowEntry Row(RowKind kind, uint64_t seq, std::string value = "",
             std::optional<int64_t> expire_ts = std::nullopt) {
  RowEntry r;
  r.key = "k";
  r.kind = kind;
  r.seq = seq;
  r.value = std::move(value);
  r.create_ts = static_cast<int64_t>(1000 + seq);
  r.expire_ts = expire_ts;
  return r;
}
RowEntry V(uint64_t seq, std::string v, std::optional<int64_t> exp = std::nullopt) {
  return Row(RowKind::kValue, seq, std::move(v), exp);
}
RowEntry M(uint64_t seq, std::string v, std::optional<int64_t> exp = std::nullopt) {
  return Row(RowKind::kMerge, seq, std::move(v), exp);
}
RowEntry T(uint64_t seq) { return Row(RowKind::kTombstone, seq); }

std::string U64(uint64_t x) {
  std::string out(8, '\0');
  for (size_t i = 0; i < 8; ++i) out[i] = static_cast<char>((x >> (8 * i)) & 0xff);
  return out;
}

// Feeds `rows` (newest first) until the resolver is done; returns its result.
Result<std::optional<KeyValue>> Resolve(const MergeOperator* op, const std::vector<RowEntry>& rows,
                                        std::optional<int64_t> now = std::nullopt,
                                        size_t* fed = nullptr) {
  MergeResolver r(op, now);
  size_t n = 0;
  for (const auto& row : rows) {
    if (r.done()) break;
    RETURN_IF_ERROR(r.Add(row));
    ++n;
  }
  if (fed != nullptr) *fed = n;
  return r.Finish();
}

TEST(MergeResolverTest, ValueAloneAndTombstone) {
  auto op = StringAppendOperator();
  auto kv = Resolve(op.get(), {V(5, "a", 99), V(3, "old")});
  ASSERT_OK(kv) << kv.status().ToString();
  ASSERT_TRUE(kv->has_value());
  EXPECT_EQ((*kv)->key, "k");
  EXPECT_EQ((*kv)->value, "a");
  EXPECT_EQ((*kv)->seq, 5u);
  EXPECT_EQ((*kv)->create_ts, 1005);
  EXPECT_EQ((*kv)->expire_ts, 99);
  kv = Resolve(op.get(), {T(5), V(3, "old")});
  ASSERT_OK(kv);
  EXPECT_FALSE(kv->has_value());
  kv = Resolve(op.get(), {});
  ASSERT_OK(kv);
  EXPECT_FALSE(kv->has_value());
}

TEST(MergeResolverTest, OperandsFoldOldestFirstOntoTheNewestBase) {
  auto op = StringAppendOperator();
  size_t fed = 0;
  auto kv = Resolve(op.get(), {M(9, "c"), M(8, "b"), V(7, "a"), V(6, "hidden"), M(5, "x")},
                    std::nullopt, &fed);
  ASSERT_OK(kv) << kv.status().ToString();
  ASSERT_TRUE(kv->has_value());
  EXPECT_EQ((*kv)->value, "a,b,c");
  EXPECT_EQ((*kv)->seq, 9u);
  EXPECT_EQ((*kv)->create_ts, 1009);
  EXPECT_EQ(fed, 3u) << "the search stops at the base value";
  // A tombstone base: merged onto nothing.
  kv = Resolve(op.get(), {M(9, "c"), M(8, "b"), T(7), V(6, "hidden")});
  ASSERT_OK(kv);
  EXPECT_EQ(kv->value().value, "b,c");
  // No base at all.
  kv = Resolve(op.get(), {M(2, "y"), M(1, "x")});
  ASSERT_OK(kv);
  EXPECT_EQ(kv->value().value, "x,y");
  EXPECT_EQ(kv->value().seq, 2u);
}

TEST(MergeResolverTest, ExpireTsIsTheSmallestOfTheFoldedRows) {
  auto op = StringAppendOperator();
  auto kv = Resolve(op.get(), {M(9, "c", 500), M(8, "b"), V(7, "a", 300)});
  ASSERT_OK(kv);
  EXPECT_EQ(kv->value().expire_ts, 300);
  kv = Resolve(op.get(), {M(9, "c", 200), M(8, "b", 400), V(7, "a")});
  ASSERT_OK(kv);
  EXPECT_EQ(kv->value().expire_ts, 200);
  kv = Resolve(op.get(), {M(9, "c"), V(7, "a")});
  ASSERT_OK(kv);
  EXPECT_EQ(kv->value().expire_ts, std::nullopt);
}

TEST(MergeResolverTest, ExpiryWithATick) {
  auto op = StringAppendOperator();
  // An expired operand is skipped; an expired value is no existing value.
  auto kv = Resolve(op.get(), {M(9, "c"), M(8, "b", 100), V(7, "a")}, 100);
  ASSERT_OK(kv);
  EXPECT_EQ(kv->value().value, "a,c");
  kv = Resolve(op.get(), {M(9, "c"), V(7, "a", 50), V(6, "older")}, 100);
  ASSERT_OK(kv);
  EXPECT_EQ(kv->value().value, "c");
  kv = Resolve(op.get(), {V(7, "a", 100)}, 100);
  ASSERT_OK(kv);
  EXPECT_FALSE(kv->has_value());
  kv = Resolve(op.get(), {M(7, "a", 10)}, 100);
  ASSERT_OK(kv);
  EXPECT_FALSE(kv->has_value());
  // Not yet expired (expire_ts > now).
  kv = Resolve(op.get(), {V(7, "a", 101)}, 100);
  ASSERT_OK(kv);
  EXPECT_EQ(kv->value().value, "a");
  // Without a tick nothing expires (reads).
  kv = Resolve(op.get(), {M(9, "c", 1), V(7, "a", 1)});
  ASSERT_OK(kv);
  EXPECT_EQ(kv->value().value, "a,c");
}

TEST(MergeResolverTest, NoOperatorIsInvalidOnlyWhenAnOperandMatters) {
  auto kv = Resolve(nullptr, {M(9, "c"), V(7, "a")});
  ASSERT_FALSE(kv.ok());
  EXPECT_TRUE(kv.status().IsInvalid());
  EXPECT_NE(kv.status().message().find("merge operator not configured"), std::string::npos);
  EXPECT_NE(kv.status().message().find("'k'"), std::string::npos) << kv.status().ToString();
  // A value on top hides older operands: no operator needed.
  kv = Resolve(nullptr, {V(9, "v"), M(7, "a")});
  ASSERT_OK(kv);
  EXPECT_EQ(kv->value().value, "v");
  // An expired operand is skipped without an operator too.
  kv = Resolve(nullptr, {M(9, "c", 5), V(7, "a")}, 10);
  ASSERT_OK(kv);
  EXPECT_EQ(kv->value().value, "a");
}

TEST(MergeResolverTest, ResetForgetsThePreviousKey) {
  auto op = StringAppendOperator();
  MergeResolver r(op.get(), std::nullopt);
  ASSERT_OK(r.Add(M(3, "x")));
  ASSERT_OK(r.Add(V(2, "y")));
  EXPECT_TRUE(r.done());
  r.Reset();
  EXPECT_FALSE(r.done());
  ASSERT_OK(r.Add(M(1, "z")));
  auto kv = r.Finish();
  ASSERT_OK(kv);
  EXPECT_EQ(kv->value().value, "z");
}

// FinishInto gives Finish's answers into one reused KeyValue, key after key: a merged value, a
// value alone (whose buffer the next key's value reuses), and nothing (a tombstone).
TEST(MergeResolverTest, FinishIntoAnswersAsFinishDoesIntoAReusedKeyValue) {
  auto op = StringAppendOperator();
  MergeResolver r(op.get(), std::nullopt);
  KeyValue out;
  ASSERT_OK(r.Add(M(5, "b")));
  ASSERT_OK(r.Add(V(4, "a")));
  auto found = r.FinishInto(&out);
  ASSERT_OK(found);
  EXPECT_TRUE(*found);
  EXPECT_EQ(out.key, "k");
  EXPECT_EQ(out.value, "a,b");
  EXPECT_EQ(out.seq, 5u);
  EXPECT_EQ(out.create_ts, std::optional<int64_t>(1005));

  r.Reset();
  const std::string long_value(100, 'v');
  ASSERT_OK(r.Add(V(3, long_value)));
  found = r.FinishInto(&out);
  ASSERT_OK(found);
  EXPECT_TRUE(*found);
  EXPECT_EQ(out.value, long_value);
  EXPECT_EQ(out.seq, 3u);
  const char* buffer = out.value.data();

  r.Reset();
  const std::string other(90, 'w');
  ASSERT_OK(r.Add(V(2, other)));
  found = r.FinishInto(&out);
  ASSERT_OK(found);
  EXPECT_TRUE(*found);
  EXPECT_EQ(out.value, other);
  EXPECT_EQ(out.value.data(), buffer) << "the value's buffer was reused, not reallocated";

  r.Reset();
  ASSERT_OK(r.Add(T(1)));
  found = r.FinishInto(&out);
  ASSERT_OK(found);
  EXPECT_FALSE(*found);
  // Finish after FinishInto-style reuse still moves a lone value out whole.
  r.Reset();
  ASSERT_OK(r.Add(V(1, long_value)));
  auto kv = r.Finish();
  ASSERT_OK(kv);
  ASSERT_TRUE(kv->has_value());
  EXPECT_EQ(kv->value().value, long_value);
}

TEST(MergeOperatorTest, UInt64AddWrapsAndRejectsBadSizes) {
  auto op = UInt64AddOperator();
  EXPECT_EQ(op->name(), "uint64-add");
  auto kv = Resolve(op.get(), {M(3, U64(5)), M(2, U64(7)), V(1, U64(30))});
  ASSERT_OK(kv) << kv.status().ToString();
  EXPECT_EQ(kv->value().value, U64(42));
  // mod 2^64
  kv = Resolve(op.get(), {M(3, U64(3)), V(1, U64(UINT64_MAX))});
  ASSERT_OK(kv);
  EXPECT_EQ(kv->value().value, U64(2));
  kv = Resolve(op.get(), {M(3, U64(UINT64_MAX)), M(2, U64(UINT64_MAX))});
  ASSERT_OK(kv);
  EXPECT_EQ(kv->value().value, U64(UINT64_MAX - 1));
  // A 3-byte operand and a 9-byte existing value are kInvalid naming the key.
  kv = Resolve(op.get(), {M(3, "abc"), V(1, U64(1))});
  ASSERT_FALSE(kv.ok());
  EXPECT_TRUE(kv.status().IsInvalid());
  EXPECT_NE(kv.status().message().find("3 bytes"), std::string::npos) << kv.status().ToString();
  EXPECT_NE(kv.status().message().find("'k'"), std::string::npos);
  kv = Resolve(op.get(), {M(3, U64(1)), V(1, U64(1) + "x")});
  ASSERT_FALSE(kv.ok());
  EXPECT_NE(kv.status().message().find("existing value"), std::string::npos);
}

TEST(MergeOperatorTest, StringAppendDelimiterAndSingleMerge) {
  auto op = StringAppendOperator("|");
  EXPECT_EQ(op->name(), "string-append");
  auto kv = Resolve(op.get(), {M(3, "c"), M(2, "b"), V(1, "a")});
  ASSERT_OK(kv);
  EXPECT_EQ(kv->value().value, "a|b|c");
  auto one = op->Merge("k", std::nullopt, "x");
  ASSERT_OK(one);
  EXPECT_EQ(*one, "x");
  auto empty = op->MergeBatch("k", std::string_view("base"), {});
  ASSERT_OK(empty);
  EXPECT_EQ(*empty, "base");
}

std::vector<RowEntry> Collapse(const std::vector<RowEntry>& rows, bool bottom) {
  auto op = StringAppendOperator();
  auto out = CollapseOperands(*op, rows, bottom);
  EXPECT_OK(out) << out.status().ToString();
  return out.ok() ? *out : std::vector<RowEntry>();
}

TEST(CollapseOperandsTest, FoldsOntoAValueOrATombstone) {
  auto out = Collapse({M(9, "c"), M(8, "b"), V(7, "a")}, false);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, RowKind::kValue);
  EXPECT_EQ(out[0].value, "a,b,c");
  EXPECT_EQ(out[0].seq, 9u);
  EXPECT_EQ(out[0].create_ts, 1009);
  out = Collapse({M(9, "c"), M(8, "b"), T(7)}, false);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, RowKind::kValue);
  EXPECT_EQ(out[0].value, "b,c");
}

// A Get's row handed over as an rvalue: Finish returns its very key and value buffers (no copy);
// with operands, the merge still sees the key (moved out before the operator runs).
TEST(MergeResolverTest, AnRvalueRowsKeyAndValueMoveIntoTheAnswer) {
  MergeResolver r(nullptr, std::nullopt);
  RowEntry row = V(7, std::string(100, 'v'));
  row.key = std::string(40, 'k');
  const char* key_buffer = row.key.data();
  const char* value_buffer = row.value.data();
  ASSERT_OK(r.Add(std::move(row)));
  EXPECT_TRUE(r.done());
  auto kv = r.Finish();
  ASSERT_OK(kv);
  ASSERT_TRUE(kv->has_value());
  EXPECT_EQ((*kv)->key, std::string(40, 'k'));
  EXPECT_EQ((*kv)->value, std::string(100, 'v'));
  EXPECT_EQ((*kv)->key.data(), key_buffer) << "the key was copied";
  EXPECT_EQ((*kv)->value.data(), value_buffer) << "the value was copied";

  auto op = StringAppendOperator();
  MergeResolver m(op.get(), std::nullopt);
  RowEntry operand = M(9, "b");
  operand.key = std::string(40, 'k');
  RowEntry base = V(8, "a");
  base.key = operand.key;
  ASSERT_OK(m.Add(std::move(operand)));
  ASSERT_OK(m.Add(std::move(base)));
  auto merged = m.Finish();
  ASSERT_OK(merged);
  ASSERT_TRUE(merged->has_value());
  EXPECT_EQ((*merged)->key, std::string(40, 'k'));
  EXPECT_EQ((*merged)->value, "a,b");
  EXPECT_EQ((*merged)->seq, 9u);

  // The operator is handed the key (Finish moved it out of the resolver first).
  struct KeyEcho final : MergeOperator {
    std::string_view name() const override { return "key-echo"; }
    Result<std::string> Merge(std::string_view key, std::optional<std::string_view>,
                              std::string_view) const override {
      return std::string(key);
    }
  } echo;
  MergeResolver echoing(&echo, std::nullopt);
  RowEntry one = M(9, "x");
  one.key = "the-key";
  ASSERT_OK(echoing.Add(std::move(one)));
  auto echoed = echoing.Finish();
  ASSERT_OK(echoed);
  ASSERT_TRUE(echoed->has_value());
  EXPECT_EQ((*echoed)->value, "the-key");
}

TEST(CollapseOperandsTest, WithoutABaseOneOperandOrAtTheBottomAValue) {
  auto out = Collapse({M(9, "c"), M(8, "b")}, false);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, RowKind::kMerge);
  EXPECT_EQ(out[0].value, "b,c");
  EXPECT_EQ(out[0].seq, 9u);
  out = Collapse({M(9, "c"), M(8, "b")}, true);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, RowKind::kValue);
  EXPECT_EQ(out[0].value, "b,c");
  out = Collapse({M(9, "c")}, false);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], M(9, "c"));
}

TEST(CollapseOperandsTest, OperandsOfDifferentExpiryStayApart) {
  // Runs: {9, 8} expire at 500, {7} never, then a value expiring at 300.
  auto out = Collapse({M(9, "d", 500), M(8, "c", 500), M(7, "b"), V(6, "a", 300)}, false);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].kind, RowKind::kMerge);
  EXPECT_EQ(out[0].value, "c,d");
  EXPECT_EQ(out[0].expire_ts, 500);
  EXPECT_EQ(out[1], M(7, "b"));
  EXPECT_EQ(out[2], V(6, "a", 300));
  // Same expiry as the value: folded into it.
  out = Collapse({M(9, "d", 500), M(7, "b", 300), V(6, "a", 300)}, false);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], M(9, "d", 500));
  EXPECT_EQ(out[1].kind, RowKind::kValue);
  EXPECT_EQ(out[1].value, "a,b");
  EXPECT_EQ(out[1].expire_ts, 300);
  EXPECT_EQ(out[1].seq, 7u);
  // A tombstone absorbs the adjacent run whatever its expiry (the value expires with it).
  out = Collapse({M(9, "d", 500), T(6)}, false);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, RowKind::kValue);
  EXPECT_EQ(out[0].value, "d");
  EXPECT_EQ(out[0].expire_ts, 500);
}

TEST(CollapseOperandsTest, AnOperatorErrorIsReturnedNamingTheKey) {
  auto op = UInt64AddOperator();
  auto out = CollapseOperands(*op, {M(9, "bad"), M(8, U64(1))}, false);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("'k'"), std::string::npos) << out.status().ToString();
}

}  // namespace
}  // namespace slatedb::table
