// util/background_task.h — BackgroundTask<Msg>: one actor = one named std::jthread + a bounded
// Channel<Msg> + optional tickers on an injected util::Clock (docs/design.md §4.1; SlateDB's
// MessageHandler: handle a message, tick, clean up on stop).
//
// A subclass implements Handle(msg) (one message), optionally OnTick() / OnTickers(due) (when
// tickers are due, between messages; not after Stop()) and OnStop() (after the drain, on the
// task's thread). Tickers run on the clock given to the constructor (null = SystemClock), so a
// test drives them with ManualClock::Advance: a ticker's first deadline is one interval after
// Start(), each next one an interval after the clock reading that found it due (missed ticks
// are not replayed; a tick longer than its interval is followed by the next at once). A message
// sent after the clock reached a ticker's deadline is handled after that tick, so a round trip
// through the channel is a barrier for tests. Stop() closes the channel, lets the thread handle
// every message still queued (so no sender is left waiting forever: a subclass that cannot do
// the work during shutdown completes the message with a "closed" status), runs OnStop() and
// joins. Stop() is idempotent; the subclass destructor must call it (the base destructor only
// asserts it happened, since virtual calls are not possible there). Sending after Stop()
// returns SendResult::kClosed.
// Thread safety: Send/Stop/stopping may be called from any thread; Handle/OnTick*/OnStop run
// only on the task thread. Ownership: the task owns its thread and channel; it shares the clock.
// Errors: none; subclasses report errors through the messages they complete.
#pragma once

#include <algorithm>
#include <atomic>
#include <cassert>
#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "util/channel.h"
#include "util/clock.h"
#include "util/mutex.h"
#include "util/saturating.h"
#include "util/thread_name.h"

namespace slatedb::util {

template <typename Msg>
class BackgroundTask {
 public:
  // One optional ticker (OnTick()).
  BackgroundTask(std::string name, size_t capacity,
                 std::optional<std::chrono::milliseconds> tick = std::nullopt,
                 std::shared_ptr<Clock> clock = nullptr)
      : BackgroundTask(std::move(name), capacity,
                       tick ? std::vector<std::chrono::milliseconds>{*tick}
                            : std::vector<std::chrono::milliseconds>{},
                       std::move(clock)) {}
  // Any number of tickers, each with its own interval (OnTickers(due) gets their indices).
  BackgroundTask(std::string name, size_t capacity, std::vector<std::chrono::milliseconds> tickers,
                 std::shared_ptr<Clock> clock)
      : name_(std::move(name)),
        channel_(capacity),
        tickers_(std::move(tickers)),
        clock_(clock != nullptr ? std::move(clock) : SystemClock::Default()) {}
  virtual ~BackgroundTask() { assert(!thread_.joinable() && "subclass must call Stop()"); }
  BackgroundTask(const BackgroundTask&) = delete;
  BackgroundTask& operator=(const BackgroundTask&) = delete;

  // Starts the thread. Call once, after the subclass is fully constructed.
  void Start() EXCLUDES(stop_mu_) {
    MutexLock lock(&stop_mu_);
    // Read here, not on the new thread: a test may advance the clock as soon as Start returns.
    const auto start = clock_->SteadyNow();
    thread_ = NamedThread(name_, [this, start] { Run(start); });  // at most 15 characters kept
  }

  // Blocks while the channel is full. kClosed after Stop(); the message is handed back.
  SendResult Send(Msg message, std::optional<Msg>* rejected = nullptr) {
    return channel_.Send(std::move(message), rejected);
  }
  SendResult TrySend(Msg message, std::optional<Msg>* rejected = nullptr) {
    return channel_.TrySend(std::move(message), rejected);
  }

  // Closes the channel, drains it, runs OnStop() and joins. Idempotent; must not be called from
  // the task's own thread.
  void Stop() EXCLUDES(stop_mu_) {
    MutexLock lock(&stop_mu_);
    stopping_.store(true);
    channel_.Close();
    if (thread_.joinable()) thread_.join();
  }

  bool stopping() const { return stopping_.load(); }
  const std::string& name() const { return name_; }
  Clock& clock() const { return *clock_; }

 protected:
  virtual void Handle(Msg& message) = 0;
  virtual void OnTick() {}
  // The tickers whose deadline passed (indices into the constructor's list, ascending; never
  // empty). Default: OnTick().
  virtual void OnTickers(std::span<const size_t> due) {
    (void)due;
    OnTick();
  }
  virtual void OnStop() {}

 private:
  void Run(std::chrono::steady_clock::time_point start) {
    std::vector<std::chrono::steady_clock::time_point> next(tickers_.size());
    for (size_t i = 0; i < tickers_.size(); ++i) next[i] = SaturatingDeadline(start, tickers_[i]);
    std::vector<size_t> due;
    while (true) {
      std::optional<Msg> message;
      if (!tickers_.empty()) {
        message = channel_.ReceiveUntil(clock_.get(), *std::min_element(next.begin(), next.end()));
      } else {
        message = channel_.Receive();
      }
      // Ticks first: the time is read after the message was received (see the header comment).
      if (!tickers_.empty() && !stopping_.load()) {
        const auto now = clock_->SteadyNow();
        due.clear();
        for (size_t i = 0; i < tickers_.size(); ++i) {
          if (now >= next[i]) due.push_back(i);
        }
        if (!due.empty()) {
          // From the time read before the tick, so an Advance during it counts toward the next.
          for (size_t i : due) next[i] = SaturatingDeadline(now, tickers_[i]);
          OnTickers(due);
        }
      }
      if (message) {
        Handle(*message);
      } else if (channel_.closed() && channel_.size() == 0) {
        break;
      }
    }
    OnStop();
  }

  const std::string name_;
  Channel<Msg> channel_;
  const std::vector<std::chrono::milliseconds> tickers_;
  const std::shared_ptr<Clock> clock_;
  Mutex stop_mu_;  // serialises Start/Stop (so concurrent Stop calls join once)
  std::atomic<bool> stopping_{false};
  std::jthread thread_ GUARDED_BY(stop_mu_);  // the destructor reads it unlocked: no thread left
};

}  // namespace slatedb::util
