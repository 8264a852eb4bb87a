// A Db logs through the logger in Components (slatedb/logger.h), never to stdout.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include "slatedb/db.h"
#include "slatedb/logger.h"
#include "test_util.h"

namespace slatedb {
namespace {

using slatedb::testing::CapturingLogger;

bool AnyContains(const std::vector<std::string>& lines, const std::string& needle) {
  for (const auto& l : lines) {
    if (l.find(needle) != std::string::npos) return true;
  }
  return false;
}

void WriteReadClose(Components c) {
  Settings s;
  s.flush_interval = std::chrono::milliseconds(10);
  std::unique_ptr<Db> db;
  ASSERT_OK_AND_ASSIGN(db, Db::Open("db", std::move(c), s));
  ASSERT_OK(db->Put("k", "v"));
  ASSERT_OK(db->Flush(FlushType::kMemTable));
  std::optional<std::string> v;
  ASSERT_OK_AND_ASSIGN(v, db->Get("k"));
  EXPECT_EQ(v.value_or(""), "v");
  ASSERT_OK(db->Close());
}

TEST(DbLoggingTest, ComponentsLoggerReceivesTheEnginesLines) {
  auto logger = std::make_shared<CapturingLogger>();
  Components c;
  c.object_store = NewMemoryObjectStore();
  c.logger = logger;
  WriteReadClose(c);
  // The embedded compactor logs its start and stop at info level through the Db's logger.
  EXPECT_TRUE(AnyContains(logger->lines(), "compactor db: started with epoch"));
  EXPECT_TRUE(AnyContains(logger->lines(), "compactor db: stopped"));
}

TEST(DbLoggingTest, NothingReachesStdoutEvenAtTraceLevel) {
  // Everything the default logger gets at trace level must go to stderr, never stdout.
  SetDefaultLogger(nullptr);
  SetDefaultLogLevel(LogLevel::kTrace);
  std::fflush(stdout);
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const int saved = ::dup(STDOUT_FILENO);
  ASSERT_GE(saved, 0);
  ASSERT_GE(::dup2(pipe_fds[1], STDOUT_FILENO), 0);
  ::close(pipe_fds[1]);
  {
    Components c;
    c.object_store = NewMemoryObjectStore();
    WriteReadClose(c);
  }
  std::fflush(stdout);
  ASSERT_GE(::dup2(saved, STDOUT_FILENO), 0);
  ::close(saved);
  SetDefaultLogLevel(LogLevel::kWarn);
  std::string captured;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(pipe_fds[0], buf, sizeof(buf))) > 0) captured.append(buf, n);
  ::close(pipe_fds[0]);
  EXPECT_EQ(captured, "");
}

}  // namespace
}  // namespace slatedb
