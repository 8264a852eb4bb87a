// util/channel.h — a bounded, closable multi-producer / multi-consumer channel of T.
//
// What: the message queue between engine actors (docs/design.md §4.1). Send blocks while the
// channel is full; Receive blocks until a message arrives, the channel is closed and drained, or a
// deadline passes. Sending to a closed channel is an expected condition during shutdown: it returns
// SendResult::kClosed and hands the message back to the caller (so it can complete or abandon
// the work it carries), never a crash or a user-visible error.
// Deadlines are on the steady clock, or on an injected util::Clock (ReceiveUntil(clock, ...)).
// Thread safety: every method may be called concurrently from any thread.
// Ownership: the channel owns queued messages; Receive moves them out.
// Errors: none (results are enum values / optionals).
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <utility>

#include "util/clock.h"
#include "util/clock_wait.h"
#include "util/mutex.h"

namespace slatedb::util {

enum class SendResult : uint8_t { kOk = 0, kClosed, kFull };

template <typename T>
class Channel {
 public:
  // REQUIRES: capacity > 0.
  explicit Channel(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  // Blocks while full. On kClosed the message is moved back into `*rejected` if given.
  SendResult Send(T message, std::optional<T>* rejected = nullptr) EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    while (!closed_ && queue_.size() >= capacity_) not_full_.Wait(&mu_);
    if (closed_) {
      if (rejected != nullptr) rejected->emplace(std::move(message));
      return SendResult::kClosed;
    }
    queue_.push_back(std::move(message));
    not_empty_.NotifyOne();
    return SendResult::kOk;
  }

  // Never blocks: kFull when the channel is full.
  SendResult TrySend(T message, std::optional<T>* rejected = nullptr) EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    if (closed_ || queue_.size() >= capacity_) {
      if (rejected != nullptr) rejected->emplace(std::move(message));
      return closed_ ? SendResult::kClosed : SendResult::kFull;
    }
    queue_.push_back(std::move(message));
    not_empty_.NotifyOne();
    return SendResult::kOk;
  }

  // Waits until a message is available (returns it), or the channel is closed and empty, or
  // `deadline` passes (both return nullopt).
  std::optional<T> ReceiveUntil(std::chrono::steady_clock::time_point deadline) EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    while (!closed_ && queue_.empty()) {
      if (!not_empty_.WaitUntil(&mu_, deadline)) break;
    }
    return PopLocked();
  }

  // As ReceiveUntil, with `deadline` on `clock` (a ManualClock's Advance/Set ends the wait once
  // the deadline has passed; see util/clock_wait.h).
  std::optional<T> ReceiveUntil(Clock* clock, std::chrono::steady_clock::time_point deadline)
      EXCLUDES(mu_) {
    ClockWait wait(clock, &mu_, &not_empty_);
    MutexLock lock(&mu_);
    while (!closed_ && queue_.empty()) {
      if (!wait.WaitUntil(&mu_, deadline)) break;
    }
    return PopLocked();
  }

  // Waits until a message is available or the channel is closed and empty.
  std::optional<T> Receive() EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    while (!closed_ && queue_.empty()) not_empty_.Wait(&mu_);
    return PopLocked();
  }

  std::optional<T> TryReceive() EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    return PopLocked();
  }

  // After Close, Send returns kClosed; queued messages can still be received (drained).
  void Close() EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    closed_ = true;
    not_empty_.NotifyAll();
    not_full_.NotifyAll();
  }

  bool closed() const EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    return closed_;
  }
  size_t size() const EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    return queue_.size();
  }

 private:
  std::optional<T> PopLocked() REQUIRES(mu_) {
    if (queue_.empty()) return std::nullopt;
    std::optional<T> out(std::move(queue_.front()));
    queue_.pop_front();
    not_full_.NotifyOne();
    return out;
  }

  const size_t capacity_;
  mutable Mutex mu_;
  CondVar not_empty_;  // signals a message queued or closed_ (with mu_)
  CondVar not_full_;   // signals room in queue_ or closed_ (with mu_)
  std::deque<T> queue_ GUARDED_BY(mu_);
  bool closed_ GUARDED_BY(mu_) = false;
};

}  // namespace slatedb::util
