// testing/test_util.h — shared GoogleTest helpers for slatedb-cpp tests.
//
//   ASSERT_OK(expr) / EXPECT_OK(expr)        expr is a Status or a Result<T>; on failure the
//                                            message shows the expression and the status.
//   ASSERT_OK_AND_ASSIGN(lhs, expr)          lhs = the value of the Result `expr`, or fail.
//   ScanToMap(reader [, range])              every row of Db/DbReader (anything with Scan) as a
//                                            std::map (adds a test failure on an error).
// Thread safety: as GoogleTest's assertions (the test's thread). Header-only.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>

#include "slatedb/iterator.h"
#include "slatedb/status.h"

namespace slatedb::testing {

inline const Status& ToStatus(const Status& s) { return s; }
template <typename T>
Status ToStatus(const Result<T>& r) {
  return r.status();
}

template <typename Reader>
std::map<std::string, std::string> ScanToMap(Reader& reader, const ScanRange& range = {}) {
  std::map<std::string, std::string> out;
  auto it = reader.Scan(range);
  EXPECT_TRUE(it.ok()) << it.status().ToString();
  if (!it.ok()) return out;
  while (true) {
    auto kv = (*it)->Next();
    EXPECT_TRUE(kv.ok()) << kv.status().ToString();
    if (!kv.ok() || !kv->has_value()) break;
    out[(*kv)->key] = (*kv)->value;
  }
  return out;
}

}  // namespace slatedb::testing

#define SLATEDB_TEST_CONCAT_INNER(a, b) a##b
#define SLATEDB_TEST_CONCAT(a, b) SLATEDB_TEST_CONCAT_INNER(a, b)

#define ASSERT_OK(expr)                                                                       \
  do {                                                                                        \
    const ::slatedb::Status slatedb_test_status = ::slatedb::testing::ToStatus(expr);         \
    ASSERT_TRUE(slatedb_test_status.ok()) << #expr << ": " << slatedb_test_status.ToString(); \
  } while (0)

#define EXPECT_OK(expr)                                                                       \
  do {                                                                                        \
    const ::slatedb::Status slatedb_test_status = ::slatedb::testing::ToStatus(expr);         \
    EXPECT_TRUE(slatedb_test_status.ok()) << #expr << ": " << slatedb_test_status.ToString(); \
  } while (0)

#define SLATEDB_ASSERT_OK_AND_ASSIGN_IMPL(tmp, lhs, expr)            \
  auto tmp = (expr);                                                 \
  ASSERT_TRUE(tmp.ok()) << #expr << ": " << tmp.status().ToString(); \
  lhs = std::move(tmp).value()

#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  SLATEDB_ASSERT_OK_AND_ASSIGN_IMPL(SLATEDB_TEST_CONCAT(slatedb_test_result_, __LINE__), lhs, expr)
