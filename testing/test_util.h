// testing/test_util.h — shared GoogleTest helpers for slatedb-cpp tests.
//
//   ASSERT_OK(expr) / EXPECT_OK(expr)        expr is a Status or a Result<T>; on failure the
//                                            message shows the expression and the status.
//   ASSERT_OK_AND_ASSIGN(lhs, expr)          lhs = the value of the Result `expr`, or fail.
//   ScanToMap(reader [, range])              every row of Db/DbReader (anything with Scan) as a
//                                            std::map (adds a test failure on an error).
//   DrainRows(scan_result)                   the (key, value) rows of a Scan's Result, in
//                                            iteration order (adds a test failure on an error).
//   DrainCursor(wal_cursor)                  the rows a WalCursor yields until it is caught up
//                                            (adds a test failure on an error).
//   ClosedLoopbackPort()                     a 127.0.0.1 port nobody listens on (connections
//                                            are refused at once).
//   CapturingLogger                          a slatedb::Logger keeping every line it gets.
//   ScopedLogCapture                         installs a CapturingLogger as the process default
//                                            logger (what components given no logger use) for
//                                            its lifetime; WarningsAndErrors() for assertions.
// Thread safety: as GoogleTest's assertions (the test's thread). Header-only.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "slatedb/iterator.h"
#include "slatedb/logger.h"
#include "slatedb/status.h"
#include "slatedb/wal_reader.h"

namespace slatedb::testing {

inline const Status& ToStatus(const Status& s) { return s; }
template <typename T>
Status ToStatus(const Result<T>& r) {
  return r.status();
}

// The predicate-formatter behind ASSERT_OK / EXPECT_OK.
template <typename T>
::testing::AssertionResult IsOkPredFormat(const char* expr_text, const T& value) {
  const Status status = ToStatus(value);
  if (status.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << expr_text << ": " << status.ToString();
}

using Rows = std::vector<std::pair<std::string, std::string>>;

inline Rows DrainRows(Result<std::unique_ptr<DbIterator>> it) {
  Rows out;
  EXPECT_TRUE(it.ok()) << it.status().ToString();
  if (!it.ok()) return out;
  while (true) {
    auto kv = (*it)->Next();
    EXPECT_TRUE(kv.ok()) << kv.status().ToString();
    if (!kv.ok() || !kv->has_value()) break;
    out.emplace_back((*kv)->key, (*kv)->value);
  }
  return out;
}

inline std::vector<WalRow> DrainCursor(WalCursor& cursor) {
  std::vector<WalRow> out;
  while (true) {
    auto next = cursor.TryNext();
    EXPECT_TRUE(next.ok()) << next.status().ToString();
    if (!next.ok() || !next->has_value()) return out;
    out.push_back(std::move(**next));
  }
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

inline int ClosedLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  ::close(fd);  // nobody listens there now
  return port;
}

// Keeps every line at `level` and above (thread-safe).
class CapturingLogger : public Logger {
 public:
  explicit CapturingLogger(LogLevel level = LogLevel::kTrace) : level_(level) {}
  LogLevel level() const override { return level_; }
  void Log(LogLevel level, std::string_view message) override {
    std::lock_guard<std::mutex> l(mu_);
    lines_.emplace_back(level, std::string(message));
  }
  std::vector<std::pair<LogLevel, std::string>> entries() {
    std::lock_guard<std::mutex> l(mu_);
    return lines_;
  }
  std::vector<std::string> lines() {
    std::vector<std::string> out;
    for (auto& [level, text] : entries()) out.push_back(text);
    return out;
  }
  // How many lines contain `needle`.
  size_t Count(const std::string& needle) {
    size_t n = 0;
    for (const auto& line : lines()) n += line.find(needle) != std::string::npos ? 1 : 0;
    return n;
  }
  // "[warn] ...\n" lines of level >= `min` (for EXPECT_EQ(..., "")).
  std::string Text(LogLevel min) {
    std::string out;
    for (auto& [level, text] : entries()) {
      if (level >= min) out += "[" + std::string(LogLevelName(level)) + "] " + text + "\n";
    }
    return out;
  }

 private:
  const LogLevel level_;
  std::mutex mu_;
  std::vector<std::pair<LogLevel, std::string>> lines_;
};

// The process default logger is a CapturingLogger while this object lives.
class ScopedLogCapture {
 public:
  explicit ScopedLogCapture(LogLevel level = LogLevel::kTrace)
      : logger_(std::make_shared<CapturingLogger>(level)), previous_(DefaultLogger()) {
    SetDefaultLogger(logger_);
  }
  ~ScopedLogCapture() { SetDefaultLogger(previous_); }
  ScopedLogCapture(const ScopedLogCapture&) = delete;
  ScopedLogCapture& operator=(const ScopedLogCapture&) = delete;

  CapturingLogger& logger() { return *logger_; }
  std::string WarningsAndErrors() { return logger_->Text(LogLevel::kWarn); }
  std::string All() { return logger_->Text(LogLevel::kTrace); }

 private:
  std::shared_ptr<CapturingLogger> logger_;
  std::shared_ptr<Logger> previous_;
};

// Polls `done` every 5 ms until it holds; false after `limit` (a generous bound, also for
// sanitizer builds: the awaited event is certain, the bound only turns a hang into a failure).
template <typename Pred>
bool WaitFor(Pred done, std::chrono::milliseconds limit = std::chrono::seconds(60)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

// Open descriptors of this process on file `path` (also once it is deleted): /proc/self/fd.
inline int OpenFdsOf(const std::string& path) {
  int n = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    std::error_code ec2;
    std::string target = std::filesystem::read_symlink(e.path(), ec2).string();
    if (!ec2 && (target == path || target == path + " (deleted)")) ++n;
  }
  return n;
}

}  // namespace slatedb::testing

#define SLATEDB_TEST_CONCAT_INNER(a, b) a##b
#define SLATEDB_TEST_CONCAT(a, b) SLATEDB_TEST_CONCAT_INNER(a, b)

// ASSERT_OK(expr) / EXPECT_OK(expr): expr is a Status or a Result<T>, evaluated once; on
// failure the message names the expression and the status, and more can be streamed:
// `ASSERT_OK(s) << "key " << k;`. (Built on gtest's predicate-format assertions, which also guard
// against a dangling else.)
#define ASSERT_OK(expr) ASSERT_PRED_FORMAT1(::slatedb::testing::IsOkPredFormat, expr)
#define EXPECT_OK(expr) EXPECT_PRED_FORMAT1(::slatedb::testing::IsOkPredFormat, expr)

#define SLATEDB_ASSERT_OK_AND_ASSIGN_IMPL(tmp, lhs, expr)            \
  auto tmp = (expr);                                                 \
  ASSERT_TRUE(tmp.ok()) << #expr << ": " << tmp.status().ToString(); \
  lhs = std::move(tmp).value()

#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  SLATEDB_ASSERT_OK_AND_ASSIGN_IMPL(SLATEDB_TEST_CONCAT(slatedb_test_result_, __LINE__), lhs, expr)
