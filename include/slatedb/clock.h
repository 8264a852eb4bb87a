// slatedb/clock.h — injected time (Components::clock). Every component reads time only through
// a Clock, so tests can drive it.
//
// SystemClock: wall-clock milliseconds since the Unix epoch (row create_ts, ULIDs, manifests)
// and a monotonic clock for timeouts and intervals. ManualClock: set and advanced by the caller
// (tests, simulations), so runs replay.
// Waiting on a clock (timers, tickers): a thread that waits for SteadyNow() to reach a deadline
// registers a ClockWaiter with AddWaiter, blocks for at most the remaining clock time in real
// time, and reads SteadyNow() again when it wakes. A clock whose time moves only when it is told
// to (ManualClock) calls Wake() on every registered waiter each time its time moves, so waiters
// whose deadline has passed see it at once; SystemClock (and the default of a custom Clock) needs
// no registration, because its time passes in real time.
// Thread safety: both implementations are thread-safe; a custom Clock must be too. Wake() runs on
// the thread that moved the time, while the clock holds its waiter list: a waiter must not call
// AddWaiter/RemoveWaiter from Wake(), nor move the clock while holding a lock its Wake() takes.
// Ownership: shared (std::shared_ptr in Components); the clock does not own its waiters (a waiter
// is removed before it is destroyed; after RemoveWaiter returns, no Wake() of it is running).
// Errors: none.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

#include "slatedb/export.h"

namespace slatedb {

// Woken by a Clock whose time moved (see above). Implementations notify their waiting thread.
class SLATEDB_EXPORT ClockWaiter {
 public:
  virtual ~ClockWaiter() = default;
  virtual void Wake() = 0;
};

class SLATEDB_EXPORT Clock {
 public:
  virtual ~Clock() = default;
  // Unix epoch milliseconds ("clock ticks" in SlateDB's format).
  virtual int64_t NowMillis() = 0;
  // Monotonic time for deadlines and intervals.
  virtual std::chrono::steady_clock::time_point SteadyNow() = 0;
  // Registers / unregisters a waiter to be woken when the time moves. The defaults do nothing:
  // right for any clock whose time passes in real time.
  virtual void AddWaiter(ClockWaiter* waiter) { (void)waiter; }
  virtual void RemoveWaiter(ClockWaiter* waiter) { (void)waiter; }
};

class SLATEDB_EXPORT SystemClock final : public Clock {
 public:
  int64_t NowMillis() override;
  std::chrono::steady_clock::time_point SteadyNow() override;
  // The process-wide instance (what a null Components::clock means).
  static std::shared_ptr<Clock> Default();
};

// Time moves only by Advance/Set, which then wake every registered waiter.
class SLATEDB_EXPORT ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_millis);
  ~ManualClock() override;
  ManualClock(const ManualClock&) = delete;
  ManualClock& operator=(const ManualClock&) = delete;
  int64_t NowMillis() override { return millis_.load(); }
  std::chrono::steady_clock::time_point SteadyNow() override {
    return std::chrono::steady_clock::time_point(std::chrono::milliseconds(millis_.load()));
  }
  void Advance(int64_t ms);
  void Set(int64_t ms);
  void AddWaiter(ClockWaiter* waiter) override;
  void RemoveWaiter(ClockWaiter* waiter) override;

 private:
  void WakeAll();
  struct Waiters;  // a mutex and the registered waiters (clock.cc)
  std::atomic<int64_t> millis_;
  const std::unique_ptr<Waiters> waiters_;
};

}  // namespace slatedb
