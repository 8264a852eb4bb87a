// slatedb/clock.h — injected time (Components::clock). Every component reads time only through
// a Clock, so tests can drive it.
//
// SystemClock: wall-clock milliseconds since the Unix epoch (row create_ts, ULIDs, manifests)
// and a monotonic clock for timeouts and intervals. ManualClock: set and advanced by the caller
// (tests, simulations), so runs replay.
// Thread safety: both implementations are thread-safe; a custom Clock must be too.
// Ownership: shared (std::shared_ptr in Components). Errors: none.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

#include "slatedb/export.h"

namespace slatedb {

class SLATEDB_EXPORT Clock {
 public:
  virtual ~Clock() = default;
  // Unix epoch milliseconds ("clock ticks" in SlateDB's format).
  virtual int64_t NowMillis() = 0;
  // Monotonic time for deadlines and intervals.
  virtual std::chrono::steady_clock::time_point SteadyNow() = 0;
};

class SLATEDB_EXPORT SystemClock final : public Clock {
 public:
  int64_t NowMillis() override;
  std::chrono::steady_clock::time_point SteadyNow() override;
  // The process-wide instance (what a null Components::clock means).
  static std::shared_ptr<Clock> Default();
};

class SLATEDB_EXPORT ManualClock final : public Clock {
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

}  // namespace slatedb
