// util/background_task.h — BackgroundTask<Msg>: one actor = one std::jthread + a bounded
// Channel<Msg> + an optional ticker (docs/design.md §4.1).
//
// A subclass implements Handle(msg) (one message), optionally OnTick() (every `tick` interval,
// measured on the steady clock, between messages; not after Stop()) and OnStop() (after the drain,
// on the task's thread). Stop() closes the channel, lets the thread handle every message still
// queued (so no sender is left waiting forever: a subclass that cannot do the work during shutdown
// completes the message with a "closed" status), runs OnStop() and joins. Stop() is idempotent; the
// subclass destructor must call it (the base destructor only asserts it happened, since virtual
// calls are not possible there). Sending after Stop() returns SendResult::kClosed.
// Thread safety: Send/Stop/stopping may be called from any thread; Handle/OnTick/OnStop run only
// on the task thread. Ownership: the task owns its thread and channel.
// Errors: none; subclasses report errors through the messages they complete.
#pragma once

#include <atomic>
#include <cassert>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "util/channel.h"
#include "util/mutex.h"
#include "util/saturating.h"
#include "util/thread_name.h"

namespace slatedb::util {

template <typename Msg>
class BackgroundTask {
 public:
  BackgroundTask(std::string name, size_t capacity,
                 std::optional<std::chrono::milliseconds> tick = std::nullopt)
      : name_(std::move(name)), channel_(capacity), tick_(tick) {}
  virtual ~BackgroundTask() { assert(!thread_.joinable() && "subclass must call Stop()"); }
  BackgroundTask(const BackgroundTask&) = delete;
  BackgroundTask& operator=(const BackgroundTask&) = delete;

  // Starts the thread. Call once, after the subclass is fully constructed.
  void Start() EXCLUDES(stop_mu_) {
    MutexLock lock(&stop_mu_);
    thread_ = NamedThread(name_, [this] { Run(); });  // at most 15 characters are kept
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

 protected:
  virtual void Handle(Msg& message) = 0;
  virtual void OnTick() {}
  virtual void OnStop() {}

 private:
  void Run() {
    auto next_tick = util::SaturatingDeadline(std::chrono::steady_clock::now(),
                                              tick_.value_or(std::chrono::milliseconds(0)));
    while (true) {
      std::optional<Msg> message;
      if (tick_) {
        message = channel_.ReceiveUntil(next_tick);
      } else {
        message = channel_.Receive();
      }
      if (message) {
        Handle(*message);
      } else if (channel_.closed() && channel_.size() == 0) {
        break;
      }
      if (tick_ && !stopping_.load() && std::chrono::steady_clock::now() >= next_tick) {
        OnTick();
        next_tick = util::SaturatingDeadline(std::chrono::steady_clock::now(), *tick_);
      }
    }
    OnStop();
  }

  const std::string name_;
  Channel<Msg> channel_;
  const std::optional<std::chrono::milliseconds> tick_;
  Mutex stop_mu_;  // serialises Start/Stop (so concurrent Stop calls join once)
  std::atomic<bool> stopping_{false};
  std::jthread thread_ GUARDED_BY(stop_mu_);  // the destructor reads it unlocked: no thread left
};

}  // namespace slatedb::util
