// util/channel.h — a bounded, closable multi-producer / multi-consumer channel of T.
//
// What: the message queue between engine actors (docs/design.md §4.1). Send blocks while the
// channel is full; Receive blocks until a message arrives, the channel is closed and drained, or a
// deadline passes. Sending to a closed channel is an expected condition during shutdown: it returns
// SendResult::kClosed and hands the message back to the caller (so it can complete or abandon
// the work it carries), never a crash or a user-visible error.
// Thread safety: every method may be called concurrently from any thread.
// Ownership: the channel owns queued messages; Receive moves them out.
// Errors: none (results are enum values / optionals).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>

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
  SendResult Send(T message, std::optional<T>* rejected = nullptr) {
    std::unique_lock lock(mu_);
    not_full_.wait(lock, [&] { return closed_ || queue_.size() < capacity_; });
    if (closed_) {
      if (rejected != nullptr) rejected->emplace(std::move(message));
      return SendResult::kClosed;
    }
    queue_.push_back(std::move(message));
    not_empty_.notify_one();
    return SendResult::kOk;
  }

  // Never blocks: kFull when the channel is full.
  SendResult TrySend(T message, std::optional<T>* rejected = nullptr) {
    std::unique_lock lock(mu_);
    if (closed_ || queue_.size() >= capacity_) {
      if (rejected != nullptr) rejected->emplace(std::move(message));
      return closed_ ? SendResult::kClosed : SendResult::kFull;
    }
    queue_.push_back(std::move(message));
    not_empty_.notify_one();
    return SendResult::kOk;
  }

  // Waits until a message is available (returns it), or the channel is closed and empty, or
  // `deadline` passes (both return nullopt).
  std::optional<T> ReceiveUntil(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mu_);
    not_empty_.wait_until(lock, deadline, [&] { return closed_ || !queue_.empty(); });
    return PopLocked();
  }

  // Waits until a message is available or the channel is closed and empty.
  std::optional<T> Receive() {
    std::unique_lock lock(mu_);
    not_empty_.wait(lock, [&] { return closed_ || !queue_.empty(); });
    return PopLocked();
  }

  std::optional<T> TryReceive() {
    std::unique_lock lock(mu_);
    return PopLocked();
  }

  // After Close, Send returns kClosed; queued messages can still be received (drained).
  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
    not_full_.notify_all();
  }

  bool closed() const {
    std::lock_guard lock(mu_);
    return closed_;
  }
  size_t size() const {
    std::lock_guard lock(mu_);
    return queue_.size();
  }

 private:
  std::optional<T> PopLocked() {
    if (queue_.empty()) return std::nullopt;
    std::optional<T> out(std::move(queue_.front()));
    queue_.pop_front();
    not_full_.notify_one();
    return out;
  }

  const size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<T> queue_;
  bool closed_ = false;
};

}  // namespace slatedb::util
