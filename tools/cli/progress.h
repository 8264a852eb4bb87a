// cli/progress.h — progress lines on stderr for the long-running CLI commands (load, fill,
// readrandom, compactor, gc).
//
// What: a ProgressReporter owns one background thread that, every `interval`, asks the command
// for one line of text (rows, rates, bytes, compactions...) and writes it to its sink (stderr by
// default; never stdout, which carries the results tests parse). Finish() stops the thread and
// writes one last line marked "(done)", so even a command shorter than the interval reports its
// totals; destroying a reporter without Finish (a command failing) stops it silently. A disabled
// reporter starts no thread and writes nothing. ProgressWanted() is the
// policy: on when --progress is given, or when stderr is a terminal.
// Thread safety: the line callback runs on the reporter's thread (and, for the last line, on the
// thread calling Finish), so it must read shared state safely (ProgressCounters are atomics);
// Finish and the destructor may be called from one thread. lines() may be called from any thread.
// Ownership: the reporter owns its thread and copies of the callbacks; what the callbacks read
// must stay valid until Finish or the destructor returns.
// Errors: none (a sink that cannot write drops the line).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "util/clock.h"
#include "util/mutex.h"

namespace slatedb::cli {

// True if progress lines should be shown: `flag` (--progress), or stderr is a terminal.
bool ProgressWanted(bool flag);

// Counters a command's work loop bumps and its line callback reads.
struct ProgressCounters {
  std::atomic<uint64_t> rows{0};
  std::atomic<uint64_t> bytes{0};
};

// "1.5 KiB", "12.0 MiB", "512 B" (binary units).
std::string FormatBytes(double bytes);
// "<what>: <rows> <unit> (<rows/s> <unit>/s), <bytes> (<bytes/s>/s), <seconds> s" — the line of
// load and fill; readrandom passes its own.
std::string RowsLine(std::string_view what, std::string_view unit, uint64_t rows, uint64_t bytes,
                     double elapsed_s);

class ProgressReporter {
 public:
  // Returns one line (no newline) given the seconds since the reporter started.
  using LineFn = std::function<std::string(double elapsed_s)>;
  // Receives one complete line (no newline).
  using Sink = std::function<void(std::string_view line)>;

  // A sink writing "<line>\n" to stderr.
  static Sink Stderr();

  ProgressReporter(bool enabled, LineFn line,
                   std::chrono::milliseconds interval = std::chrono::seconds(1),
                   Sink sink = Stderr(),
                   std::shared_ptr<util::Clock> clock = util::SystemClock::Default());
  ~ProgressReporter();
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

  // Stops the periodic lines and writes the last one ("... (done)"). Idempotent.
  void Finish();
  // Lines written so far (periodic and last).
  uint64_t lines() const { return lines_.load(); }
  bool enabled() const { return enabled_; }

 private:
  void Loop();
  void Emit(bool last);
  void StopThread();

  const bool enabled_;
  const LineFn line_;
  const std::chrono::milliseconds interval_;
  const Sink sink_;
  const std::shared_ptr<util::Clock> clock_;
  const std::chrono::steady_clock::time_point start_;
  std::atomic<uint64_t> lines_{0};
  bool finished_ = false;  // touched only by the thread calling Finish
  util::Mutex mu_;
  util::CondVar cv_;
  bool stop_ GUARDED_BY(mu_) = false;
  std::thread thread_;  // last: started once everything above is initialised
};

}  // namespace slatedb::cli
