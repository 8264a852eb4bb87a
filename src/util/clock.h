// util/clock.h — injected time. Every component reads time only through a Clock.
//
// SystemClock: wall-clock milliseconds since the Unix epoch (for create_ts, ULIDs, manifests)
// and a monotonic clock for timeouts. ManualClock: set by tests, so runs replay.
// Thread safety: both implementations are thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

namespace slatedb::util {

class Clock {
 public:
  virtual ~Clock() = default;
  // Unix epoch milliseconds ("clock ticks" in SlateDB's format).
  virtual int64_t NowMillis() = 0;
  // Monotonic time for deadlines and intervals.
  virtual std::chrono::steady_clock::time_point SteadyNow() = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t NowMillis() override;
  std::chrono::steady_clock::time_point SteadyNow() override;
  static std::shared_ptr<Clock> Default();
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_millis) : millis_(start_millis) {}
  int64_t NowMillis() override { return millis_.load(); }
  std::chrono::steady_clock::time_point SteadyNow() override {
    return std::chrono::steady_clock::time_point(std::chrono::milliseconds(millis_.load()));
  }
  void Advance(int64_t ms) { millis_.fetch_add(ms); }
  void Set(int64_t ms) { millis_.store(ms); }

 private:
  std::atomic<int64_t> millis_;
};

}  // namespace slatedb::util
