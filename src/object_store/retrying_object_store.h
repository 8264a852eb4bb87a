// object_store/retrying_object_store.h — retries transient (kUnavailable) object-store errors.
//
// What: a decorator that retries every operation failing with kUnavailable, with exponential
// backoff and full jitter (delay = uniform[0, min(max_delay, base_delay * 2^retry))), bounded by
// `max_attempts` and `total_deadline`. Other errors are returned at once.
// Conditional PUTs (PutIfAbsent / PutIfMatch) carry user metadata `slatedbputid=<random id>`
// (the caller's own value if its ObjectPutOptions already carry one, see NewPutId()).
// If an attempt failed with kUnavailable and a later attempt meets kAlreadyExists /
// kPreconditionFailed, the wrapper HEADs the object: when its put-id is ours, the earlier
// attempt landed and only its reply was lost, so success is reported (with the current etag).
// This needs a backend that stores metadata (memory, S3); the local store does not lose replies.
//
// Thread safety: all methods may be called concurrently (the jitter RNG is under a mutex).
// Ownership: shares the inner store; clock and sleeper are shared/copied.
// Errors: those of the inner store; after the budget the last kUnavailable is returned with a
// message saying how many attempts were made and for how long.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "slatedb/object_store.h"
#include "util/clock.h"

namespace slatedb {

struct RetryOptions {
  int max_attempts = 8;                             // total attempts, including the first (>= 1)
  std::chrono::milliseconds total_deadline{30000};  // 0 = no deadline
  std::chrono::milliseconds base_delay{50};
  std::chrono::milliseconds max_delay{2000};
  uint64_t seed = 0;                                       // 0 = util::EntropySeed()
  std::shared_ptr<util::Clock> clock;                      // null = system clock (deadline)
  std::function<void(std::chrono::milliseconds)> sleeper;  // null = std::this_thread::sleep_for
};

// The metadata name carrying the put-id of conditional PUTs.
inline constexpr char kPutIdMetadata[] = "slatedbputid";

// A fresh random put-id (32 hex digits) for callers that tag their own conditional PUTs.
std::string NewPutId();

// After a conditional PUT of `key` with `put_id` failed with kUnavailable (the write may have
// landed with its reply lost): HEADs the object. kOurs = its put-id metadata is `put_id` (for
// a backend that keeps no metadata at all: its bytes equal `data`); kAbsent; kTheirs = another
// writer's object; kUnavailable (or another error) when the HEAD/GET fails.
enum class PutOwner { kAbsent, kOurs, kTheirs };
Result<PutOwner> OwnerOfConditionalPut(ObjectStore& store, std::string_view key,
                                       std::string_view put_id, std::string_view data);

std::shared_ptr<ObjectStore> NewRetryingObjectStore(std::shared_ptr<ObjectStore> inner,
                                                    RetryOptions options = {});

}  // namespace slatedb
