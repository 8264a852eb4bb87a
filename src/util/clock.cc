#include "util/clock.h"

#include <algorithm>
#include <vector>

#include "util/mutex.h"

namespace slatedb {

int64_t SystemClock::NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::chrono::steady_clock::time_point SystemClock::SteadyNow() {
  return std::chrono::steady_clock::now();
}

std::shared_ptr<Clock> SystemClock::Default() {
  static std::shared_ptr<Clock> clock = std::make_shared<SystemClock>();
  return clock;
}

struct ManualClock::Waiters {
  util::Mutex mu;  // held while waking, so RemoveWaiter returns only once no Wake() of it runs
  std::vector<ClockWaiter*> list GUARDED_BY(mu);
};

ManualClock::ManualClock(int64_t start_millis)
    : millis_(start_millis), waiters_(std::make_unique<Waiters>()) {}

ManualClock::~ManualClock() = default;

void ManualClock::Advance(int64_t ms) {
  millis_.fetch_add(ms);
  WakeAll();
}

void ManualClock::Set(int64_t ms) {
  millis_.store(ms);
  WakeAll();
}

void ManualClock::AddWaiter(ClockWaiter* waiter) {
  util::MutexLock lock(&waiters_->mu);
  waiters_->list.push_back(waiter);
}

void ManualClock::RemoveWaiter(ClockWaiter* waiter) {
  util::MutexLock lock(&waiters_->mu);
  auto& list = waiters_->list;
  auto it = std::find(list.begin(), list.end(), waiter);
  if (it != list.end()) list.erase(it);
}

void ManualClock::WakeAll() {
  // The new time is stored first: a waiter woken here (or checking just before) reads it.
  util::MutexLock lock(&waiters_->mu);
  for (ClockWaiter* w : waiters_->list) w->Wake();
}

}  // namespace slatedb
