// Waiting on the injected clock: ManualClock wakes registered waiters when it moves
// (util::ClockWait), SystemClock waits in real time. No test sleeps: they wait on events, with
// a generous real-time bound only as a failure guard.
#include "util/clock_wait.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "util/clock.h"
#include "util/mutex.h"

namespace slatedb::util {
namespace {

constexpr auto kGuard = std::chrono::seconds(20);  // only reached when a test fails

class CountingWaiter final : public ClockWaiter {
 public:
  void Wake() override { wakes.fetch_add(1); }
  std::atomic<int> wakes{0};
};

TEST(ManualClockTest, AdvanceAndSetWakeRegisteredWaitersOnly) {
  ManualClock clock(1000);
  CountingWaiter a, b;
  clock.AddWaiter(&a);
  clock.AddWaiter(&b);
  clock.Advance(5);
  EXPECT_EQ(clock.NowMillis(), 1005);
  EXPECT_EQ(a.wakes.load(), 1);
  EXPECT_EQ(b.wakes.load(), 1);
  clock.RemoveWaiter(&a);
  clock.Set(2000);
  EXPECT_EQ(clock.NowMillis(), 2000);
  EXPECT_EQ(clock.SteadyNow().time_since_epoch(), std::chrono::milliseconds(2000));
  EXPECT_EQ(a.wakes.load(), 1);
  EXPECT_EQ(b.wakes.load(), 2);
  clock.RemoveWaiter(&b);
  clock.RemoveWaiter(&b);  // not registered: no effect
  clock.Advance(1);
  EXPECT_EQ(b.wakes.load(), 2);
  // SystemClock needs no registration; the calls are accepted and do nothing.
  SystemClock::Default()->AddWaiter(&a);
  SystemClock::Default()->RemoveWaiter(&a);
}

// A thread waits until the clock reaches `deadline`, publishing each clock reading it woke to.
struct Sleeper {
  Sleeper(Clock* clock, std::chrono::steady_clock::time_point deadline) : clock_(clock) {
    thread_ = std::thread([this, deadline] {
      ClockWait wait(clock_, &mu_, &cv_);
      MutexLock lock(&mu_);
      while (!cancel_) {
        seen_ms_ = clock_->NowMillis();
        ++wakeups_;
        seen_cv_.NotifyAll();
        if (!wait.WaitUntil(&mu_, deadline)) {
          timed_out_ = true;
          break;
        }
      }
      done_ = true;
      seen_cv_.NotifyAll();
    });
  }
  ~Sleeper() {
    Cancel();
    thread_.join();
  }
  void Cancel() {
    MutexLock lock(&mu_);
    cancel_ = true;
    cv_.NotifyAll();
  }
  // Waits (bounded by kGuard) until the sleeper saw the clock at >= ms, or finished.
  bool AwaitSeen(int64_t ms) {
    MutexLock lock(&mu_);
    auto guard = std::chrono::steady_clock::now() + kGuard;
    while (!done_ && seen_ms_ < ms) {
      if (!seen_cv_.WaitUntil(&mu_, guard)) return false;
    }
    return seen_ms_ >= ms;
  }
  bool AwaitDone() {
    MutexLock lock(&mu_);
    auto guard = std::chrono::steady_clock::now() + kGuard;
    while (!done_) {
      if (!seen_cv_.WaitUntil(&mu_, guard)) return false;
    }
    return true;
  }
  bool done() {
    MutexLock lock(&mu_);
    return done_;
  }
  bool timed_out() {
    MutexLock lock(&mu_);
    return timed_out_;
  }

  Clock* const clock_;
  Mutex mu_;
  CondVar cv_;       // the waited-on condition variable (cancel_)
  CondVar seen_cv_;  // signals seen_ms_ / done_ to the test
  bool cancel_ GUARDED_BY(mu_) = false;
  bool done_ GUARDED_BY(mu_) = false;
  bool timed_out_ GUARDED_BY(mu_) = false;
  int64_t seen_ms_ GUARDED_BY(mu_) = -1;
  int wakeups_ GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

TEST(ClockWaitTest, ManualClockDeadlinePassesOnlyWhenAdvanced) {
  auto clock = std::make_shared<ManualClock>(10'000);
  Sleeper s(clock.get(), clock->SteadyNow() + std::chrono::milliseconds(100));
  ASSERT_TRUE(s.AwaitSeen(10'000));
  clock->Advance(99);
  ASSERT_TRUE(s.AwaitSeen(10'099));  // woken by the move, and went back to waiting
  EXPECT_FALSE(s.done());
  clock->Advance(1);
  ASSERT_TRUE(s.AwaitDone());
  EXPECT_TRUE(s.timed_out());
}

TEST(ClockWaitTest, ManualClockSetPastDeadlineWakesAtOnce) {
  auto clock = std::make_shared<ManualClock>(0);
  // A deadline an hour away on the clock; the real-time bound of the wait is also an hour, so
  // only the clock's wake-up can end it within the guard.
  Sleeper s(clock.get(), clock->SteadyNow() + std::chrono::hours(1));
  ASSERT_TRUE(s.AwaitSeen(0));
  clock->Set(3'600'000);
  ASSERT_TRUE(s.AwaitDone());
  EXPECT_TRUE(s.timed_out());
}

TEST(ClockWaitTest, NotifyEndsTheWaitEarly) {
  auto clock = std::make_shared<ManualClock>(0);
  Sleeper s(clock.get(), std::chrono::steady_clock::time_point::max());
  ASSERT_TRUE(s.AwaitSeen(0));
  s.Cancel();
  ASSERT_TRUE(s.AwaitDone());
  EXPECT_FALSE(s.timed_out());
}

TEST(ClockWaitTest, SystemClockWaitsInRealTime) {
  auto clock = SystemClock::Default();
  const auto start = std::chrono::steady_clock::now();
  Sleeper s(clock.get(), start + std::chrono::milliseconds(30));
  ASSERT_TRUE(s.AwaitDone());
  EXPECT_TRUE(s.timed_out());
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(30));
}

TEST(ClockWaitTest, PassedDeadlineReturnsAtOnce) {
  ManualClock clock(500);
  Mutex mu;
  CondVar cv;
  ClockWait wait(&clock, &mu, &cv);
  MutexLock lock(&mu);
  EXPECT_FALSE(wait.WaitUntil(&mu, clock.SteadyNow()));
  EXPECT_FALSE(wait.WaitUntil(&mu, clock.SteadyNow() - std::chrono::milliseconds(1)));
}

}  // namespace
}  // namespace slatedb::util
