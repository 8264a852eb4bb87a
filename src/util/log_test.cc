// The logging seam (slatedb/logger.h, util/log.h): levels, parsing, the default logger and its
// replacement, and that formatting is skipped below the level.
#include "util/log.h"

#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "test_util.h"

namespace slatedb {
namespace {

using slatedb::testing::CapturingLogger;

// Counts how often it is formatted.
struct Counted {
  int* count;
};

}  // namespace
}  // namespace slatedb

template <>
struct fmt::formatter<slatedb::Counted> : fmt::formatter<std::string_view> {
  auto format(const slatedb::Counted& c, fmt::format_context& ctx) const {
    ++*c.count;
    return fmt::formatter<std::string_view>::format("counted", ctx);
  }
};

namespace slatedb {
namespace {

TEST(LogTest, ParsesLevelsLikeSpdlog) {
  EXPECT_EQ(*ParseLogLevel("trace"), LogLevel::kTrace);
  EXPECT_EQ(*ParseLogLevel("DEBUG"), LogLevel::kDebug);
  EXPECT_EQ(*ParseLogLevel("Info"), LogLevel::kInfo);
  EXPECT_EQ(*ParseLogLevel("warn"), LogLevel::kWarn);
  EXPECT_EQ(*ParseLogLevel("warning"), LogLevel::kWarn);
  EXPECT_EQ(*ParseLogLevel("err"), LogLevel::kError);
  EXPECT_EQ(*ParseLogLevel("critical"), LogLevel::kError);
  EXPECT_EQ(*ParseLogLevel("off"), LogLevel::kOff);
  auto bad = ParseLogLevel("loud");
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.status().IsInvalid());
  EXPECT_NE(bad.status().message().find("'loud'"), std::string::npos);
  EXPECT_EQ(LogLevelName(LogLevel::kWarn), "warn");
}

TEST(LogTest, InjectedLoggerGetsLinesAtOrAboveItsLevelOnly) {
  auto logger = std::make_shared<CapturingLogger>(LogLevel::kInfo);
  util::Log log(logger);
  int formatted = 0;
  log.Debug("not {}", Counted{&formatted});
  EXPECT_EQ(formatted, 0);  // below the level: never formatted
  log.Info("compactor {}: started with epoch {}", "db", 7);
  log.Warn("w {}", Counted{&formatted});
  log.Error("e");
  EXPECT_EQ(formatted, 1);
  auto lines = logger->entries();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0],
            std::make_pair(LogLevel::kInfo, std::string("compactor db: started with epoch 7")));
  EXPECT_EQ(lines[1], std::make_pair(LogLevel::kWarn, std::string("w counted")));
  EXPECT_EQ(lines[2].first, LogLevel::kError);
  EXPECT_FALSE(log.Enabled(LogLevel::kDebug));
  EXPECT_TRUE(log.Enabled(LogLevel::kInfo));
}

TEST(LogTest, DefaultLoggerIsReplaceableAndLookedUpAtEachCall) {
  util::Log log;  // no logger of its own: the default, resolved per call
  auto capture = std::make_shared<CapturingLogger>(LogLevel::kTrace);
  SetDefaultLogger(capture);
  log.Debug("to the replacement {}", 1);
  EXPECT_EQ(DefaultLogger(), capture);
  SetDefaultLogger(nullptr);  // back to the built-in stderr logger
  log.Debug("not captured");
  EXPECT_NE(DefaultLogger(), capture);
  ASSERT_EQ(capture->entries().size(), 1u);
  EXPECT_EQ(capture->entries()[0].second, "to the replacement 1");
}

TEST(LogTest, BuiltinDefaultIsWarnAndSettable) {
  SetDefaultLogger(nullptr);
  // The test runs without SLATEDB_LOG (ctest's environment does not set it).
  if (std::getenv("SLATEDB_LOG") == nullptr) {
    EXPECT_EQ(DefaultLogger()->level(), LogLevel::kWarn);
  }
  SetDefaultLogLevel(LogLevel::kDebug);
  EXPECT_EQ(DefaultLogger()->level(), LogLevel::kDebug);
  SetDefaultLogLevel(LogLevel::kWarn);
  EXPECT_EQ(DefaultLogger()->level(), LogLevel::kWarn);
  auto stderr_logger = MakeStderrLogger(LogLevel::kError);
  EXPECT_EQ(stderr_logger->level(), LogLevel::kError);
}

}  // namespace
}  // namespace slatedb
