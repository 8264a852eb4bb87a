// util/clock_wait.h — ClockWait: wait on a CondVar until a deadline on an injected util::Clock
// (docs/design.md §4), so timers run on the clock tests drive (ManualClock::Advance wakes them).
//
// Use (the waited-for condition is guarded by `mu`, and whoever changes it notifies `cv`):
//   util::ClockWait wait(clock, &mu_, &cv_);      // registers with the clock; mu_ NOT held
//   util::MutexLock lock(&mu_);
//   while (!condition_) {
//     if (!wait.WaitUntil(&mu_, deadline)) break;  // the clock reached `deadline`
//   }
// WaitUntil blocks for at most the clock time left before `deadline`, measured in real time,
// and returns after the clock's time moves (ManualClock wakes registered waiters), on a notify
// of `cv`, or spuriously; it returns false once clock.SteadyNow() >= deadline.
// Thread safety: one waiting thread per ClockWait; construct and destroy it without holding
// `mu` (registration takes the clock's lock, and the clock's Wake() takes `mu`).
// Ownership: borrows the clock, mutex and condition variable, which must outlive it.
// Errors: none.
#pragma once

#include <cassert>
#include <chrono>

#include "util/clock.h"
#include "util/mutex.h"
#include "util/saturating.h"

namespace slatedb::util {

class ClockWait final : public ClockWaiter {
 public:
  ClockWait(Clock* clock, Mutex* mu, CondVar* cv) EXCLUDES(mu) : clock_(clock), mu_(mu), cv_(cv) {
    clock_->AddWaiter(this);
  }
  ~ClockWait() override { clock_->RemoveWaiter(this); }
  ClockWait(const ClockWait&) = delete;
  ClockWait& operator=(const ClockWait&) = delete;

  // REQUIRES: `mu` (the mutex given to the constructor) held; it is released while blocked.
  // False once the deadline has passed.
  bool WaitUntil(Mutex* mu, std::chrono::steady_clock::time_point deadline) REQUIRES(mu) {
    assert(mu == mu_);
    const auto now = clock_->SteadyNow();
    if (now >= deadline) return false;
    if (deadline == std::chrono::steady_clock::time_point::max()) {
      cv_->Wait(mu);  // no deadline: only a notify or a move of the clock ends the wait
    } else {
      cv_->WaitUntil(mu, SaturatingDeadline(std::chrono::steady_clock::now(), deadline - now));
    }
    return clock_->SteadyNow() < deadline;
  }

  // The clock moved: wake the waiting thread. Taking `mu` orders this after the waiter's last
  // read of the time (it holds `mu` from that read until it blocks), so no wake-up is lost.
  void Wake() override {
    MutexLock lock(mu_);
    cv_->NotifyAll();
  }

 private:
  Clock* const clock_;
  Mutex* const mu_;
  CondVar* const cv_;
};

}  // namespace slatedb::util
