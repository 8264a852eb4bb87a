// BackgroundTask on an injected ManualClock: ticks happen exactly when the clock is advanced
// (never replayed, never after Stop), several tickers share one thread, and Stop drains the
// queue without ticking. Nothing sleeps: a message round trip is the barrier (a message sent
// after a deadline passed is handled after that tick), and waits on events have a real-time
// guard only for failures.
#include <gtest/gtest.h>

#if defined(__linux__)
#include <pthread.h>
#endif

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "util/background_task.h"
#include "util/clock.h"
#include "util/mutex.h"

namespace slatedb::util {
namespace {

using std::chrono::milliseconds;

// A message asks for the number of ticks seen when it is handled; with a `gate`, its handler
// first sets `started` and waits for the gate.
struct Ping {
  std::promise<int> ticks;
  std::shared_future<void> gate;
  std::promise<void> started;
};

class Ticker final : public BackgroundTask<Ping> {
 public:
  Ticker(std::vector<milliseconds> tickers, std::shared_ptr<Clock> clock)
      : BackgroundTask("slatedb-tick", 8, std::move(tickers), std::move(clock)) {}
  ~Ticker() override { Stop(); }

  int Ask() {
    Ping p;
    auto f = p.ticks.get_future();
    EXPECT_EQ(Send(std::move(p)), SendResult::kOk);
    return f.get();
  }
  // Waits (guarded) until `n` ticks have run.
  bool AwaitTicks(int n) {
    MutexLock lock(&mu_);
    auto guard = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (ticks_ < n) {
      if (!cv_.WaitUntil(&mu_, guard)) return false;
    }
    return true;
  }
  int ticks() {
    MutexLock lock(&mu_);
    return ticks_;
  }
  std::vector<std::vector<size_t>> calls() {
    MutexLock lock(&mu_);
    return calls_;
  }
  std::atomic<int> handled{0};
  std::atomic<bool> stopped{false};
  std::string thread_name;  // written by the first Handle, read after its reply

 protected:
  void Handle(Ping& p) override {
    if (p.gate.valid()) {
      p.started.set_value();
      p.gate.wait();
    }
#if defined(__linux__)
    char name[16] = {};
    pthread_getname_np(pthread_self(), name, sizeof(name));
    if (thread_name.empty()) thread_name = name;
#endif
    ++handled;
    p.ticks.set_value(ticks());
  }
  void OnTickers(std::span<const size_t> due) override {
    MutexLock lock(&mu_);
    ++ticks_;
    calls_.emplace_back(due.begin(), due.end());
    cv_.NotifyAll();
  }
  void OnStop() override { stopped = true; }

 private:
  Mutex mu_;
  CondVar cv_;
  int ticks_ GUARDED_BY(mu_) = 0;
  std::vector<std::vector<size_t>> calls_ GUARDED_BY(mu_);
};

TEST(BackgroundTaskClockTest, TicksExactlyWhenAdvancedAndNeverAfterStop) {
  auto clock = std::make_shared<ManualClock>(1000);
  Ticker task({milliseconds(100)}, clock);
  task.Start();
  EXPECT_EQ(task.Ask(), 0);
  clock->Advance(99);
  EXPECT_EQ(task.Ask(), 0);
  clock->Advance(1);  // 1100: the first deadline
  EXPECT_EQ(task.Ask(), 1);
  clock->Advance(250);  // 1350: one tick, the missed one is not replayed; next at 1450
  EXPECT_EQ(task.Ask(), 2);
  clock->Advance(99);
  EXPECT_EQ(task.Ask(), 2);
  clock->Advance(1);  // without a message: the clock's move alone wakes the task
  ASSERT_TRUE(task.AwaitTicks(3));
  EXPECT_EQ(task.Ask(), 3);
#if defined(__linux__)
  EXPECT_EQ(task.thread_name, "slatedb-tick");
#endif
  task.Stop();
  EXPECT_TRUE(task.stopped.load());
  clock->Advance(10'000);
  EXPECT_EQ(task.ticks(), 3);
  std::optional<Ping> rejected;
  EXPECT_EQ(task.Send(Ping{}, &rejected), SendResult::kClosed);
  EXPECT_TRUE(rejected.has_value());
}

TEST(BackgroundTaskClockTest, DueTickersRunTogetherInOneCall) {
  auto clock = std::make_shared<ManualClock>(0);
  Ticker task({milliseconds(100), milliseconds(250)}, clock);
  task.Start();
  clock->Advance(100);  // ticker 0 (next 200)
  EXPECT_EQ(task.Ask(), 1);
  clock->Advance(150);  // 250: ticker 0 (due at 200) and ticker 1 together
  EXPECT_EQ(task.Ask(), 2);
  clock->Advance(99);  // 349: ticker 0's next is 350
  EXPECT_EQ(task.Ask(), 2);
  clock->Advance(1);
  EXPECT_EQ(task.Ask(), 3);
  task.Stop();
  EXPECT_EQ(task.calls(), (std::vector<std::vector<size_t>>{{0}, {0, 1}, {0}}));
}

TEST(BackgroundTaskClockTest, StopDrainsQueuedMessagesWithoutTicking) {
  auto clock = std::make_shared<ManualClock>(0);
  Ticker task({milliseconds(100)}, clock);
  task.Start();
  std::promise<void> open;
  std::future<void> started;
  std::vector<std::future<int>> replies;
  for (int i = 0; i < 6; ++i) {
    Ping p;
    if (i == 0) {
      p.gate = open.get_future().share();
      started = p.started.get_future();
    }
    replies.push_back(p.ticks.get_future());
    ASSERT_EQ(task.Send(std::move(p)), SendResult::kOk);
  }
  // The first message holds the thread; then the clock passes the deadline and Stop begins.
  started.wait();
  clock->Advance(1000);
  std::thread stopper([&] { task.Stop(); });
  while (!task.stopping()) std::this_thread::yield();
  open.set_value();
  stopper.join();
  for (auto& r : replies) EXPECT_EQ(r.get(), 0);  // every queued message handled, no tick
  EXPECT_EQ(task.handled.load(), 6);
  EXPECT_EQ(task.ticks(), 0);
  EXPECT_TRUE(task.stopped.load());
}

TEST(BackgroundTaskClockTest, DefaultClockIsSystemClock) {
  Ticker task({milliseconds(1)}, nullptr);
  EXPECT_EQ(&task.clock(), SystemClock::Default().get());
  task.Start();
  ASSERT_TRUE(task.AwaitTicks(2));  // real time passes by itself
  task.Stop();
  EXPECT_GE(task.ticks(), 2);
}

}  // namespace
}  // namespace slatedb::util
