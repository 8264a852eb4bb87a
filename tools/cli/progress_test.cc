// Tests of cli/progress.h: periodic lines go to the sink, Finish writes the totals once (marked
// "(done)"), a disabled or unfinished reporter writes nothing more, and the line formats.
#include "cli/progress.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "util/mutex.h"

namespace slatedb::cli {
namespace {

// Collects the lines a reporter writes.
class Lines {
 public:
  ProgressReporter::Sink Sink() {
    return [this](std::string_view line) {
      util::MutexLock lock(&mu_);
      lines_.emplace_back(line);
    };
  }
  std::vector<std::string> Get() {
    util::MutexLock lock(&mu_);
    return lines_;
  }

 private:
  util::Mutex mu_;
  std::vector<std::string> lines_ GUARDED_BY(mu_);
};

TEST(ProgressTest, FinishWritesTheTotalsOnceWithElapsedTimeFromTheClock) {
  auto clock = std::make_shared<util::ManualClock>(1000);
  ProgressCounters c;
  Lines out;
  ProgressReporter p(
      true, [&](double secs) { return RowsLine("fill", "rows", c.rows, c.bytes, secs); },
      std::chrono::hours(1), out.Sink(), clock);
  c.rows = 100;
  c.bytes = 2048;
  clock->Advance(2000);
  p.Finish();
  p.Finish();  // idempotent
  EXPECT_EQ(out.Get(), std::vector<std::string>{
                           "fill: 100 rows (50 rows/s), 2.0 KiB (1.0 KiB/s), 2.0 s (done)"});
  EXPECT_EQ(p.lines(), 1u);
}

TEST(ProgressTest, PeriodicLinesArriveEveryIntervalUntilFinish) {
  ProgressCounters c;
  Lines out;
  ProgressReporter p(
      true,
      [&](double) {
        c.rows.fetch_add(1);  // each line sees a new count
        return "n=" + std::to_string(c.rows.load());
      },
      std::chrono::milliseconds(1), out.Sink());
  // Waits for three periodic lines (the interval is 1 ms; the bound only guards a hang).
  for (int i = 0; i < 600000 && p.lines() < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_GE(p.lines(), 3u);
  p.Finish();
  std::vector<std::string> lines = out.Get();
  ASSERT_GE(lines.size(), 4u);
  EXPECT_EQ(lines[0], "n=1");
  EXPECT_EQ(lines[1], "n=2");
  for (size_t i = 0; i + 1 < lines.size(); ++i) {
    EXPECT_EQ(lines[i].find("(done)"), std::string::npos) << lines[i];
  }
  EXPECT_EQ(lines.back(), "n=" + std::to_string(lines.size()) + " (done)");
  const uint64_t after = p.lines();
  EXPECT_EQ(after, lines.size());
  EXPECT_EQ(out.Get().size(), lines.size());  // nothing after Finish
}

TEST(ProgressTest, DisabledOrUnfinishedReportersWriteNothing) {
  Lines out;
  int calls = 0;
  {
    ProgressReporter p(
        false,
        [&](double) {
          ++calls;
          return std::string("x");
        },
        std::chrono::milliseconds(1), out.Sink());
    EXPECT_FALSE(p.enabled());
    p.Finish();
    EXPECT_EQ(p.lines(), 0u);
  }
  {
    // Destroyed without Finish (a failing command): stops without a "(done)" line.
    ProgressReporter p(
        true,
        [&](double) {
          ++calls;
          return std::string("y");
        },
        std::chrono::hours(1), out.Sink());
  }
  EXPECT_EQ(calls, 0);
  EXPECT_TRUE(out.Get().empty());
}

TEST(ProgressTest, Formats) {
  EXPECT_EQ(FormatBytes(0), "0 B");
  EXPECT_EQ(FormatBytes(1023), "1023 B");
  EXPECT_EQ(FormatBytes(1536), "1.5 KiB");
  EXPECT_EQ(FormatBytes(3.0 * 1024 * 1024 * 1024), "3.0 GiB");
  EXPECT_EQ(RowsLine("load", "rows", 0, 0, 0), "load: 0 rows (0 rows/s), 0 B (0 B/s), 0.0 s");
  EXPECT_EQ(RowsLine("readrandom", "reads", 10, 0, 0.5),
            "readrandom: 10 reads (20 reads/s), 0 B (0 B/s), 0.5 s");
  EXPECT_TRUE(ProgressWanted(true));
}

}  // namespace
}  // namespace slatedb::cli
