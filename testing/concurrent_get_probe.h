// testing/concurrent_get_probe.h — ConcurrentGetProbe: an ObjectStoreWrapper that counts
// concurrent GETs and remembers the highest WAL id requested. Until `hold_for` GETs run at once,
// each GET waits for that (at most 30 s, a guard against hanging when fewer ever overlap), so full
// overlap is observed whenever the caller issues that many at all. With `wal_keys_only`, GETs of
// keys outside a `/wal/` directory pass straight through, uncounted.
//
// Thread safety: thread-safe. Ownership: shares `inner`. Errors: those of `inner`.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "object_store/object_store_wrapper.h"
#include "wal/wal_store.h"

namespace slatedb::testing {

class ConcurrentGetProbe final : public ObjectStoreWrapper {
 public:
  ConcurrentGetProbe(std::shared_ptr<ObjectStore> inner, size_t hold_for,
                     bool wal_keys_only = false)
      : ObjectStoreWrapper(std::move(inner)), hold_for_(hold_for), wal_keys_only_(wal_keys_only) {}

  Result<std::string> Get(std::string_view key) override {
    if (wal_keys_only_ && key.find("/wal/") == std::string_view::npos) return inner_->Get(key);
    {
      std::unique_lock lock(mu_);
      max_ = std::max(max_, ++cur_);
      if (std::optional<uint64_t> id = wal::ParseWalId(key)) max_id_ = std::max(max_id_, *id);
      if (!released_) {
        if (cur_ >= hold_for_) {
          released_ = true;
          cv_.notify_all();
        } else if (!cv_.wait_for(lock, std::chrono::seconds(30), [&] { return released_; })) {
          released_ = true;
        }
      }
    }
    auto r = inner_->Get(key);
    std::lock_guard lock(mu_);
    --cur_;
    return r;
  }
  size_t max_concurrent() {
    std::lock_guard lock(mu_);
    return max_;
  }
  uint64_t max_id() {
    std::lock_guard lock(mu_);
    return max_id_;
  }

 private:
  const size_t hold_for_;
  const bool wal_keys_only_;
  std::mutex mu_;
  std::condition_variable cv_;
  size_t cur_ = 0, max_ = 0;
  uint64_t max_id_ = 0;
  bool released_ = false;
};

}  // namespace slatedb::testing
