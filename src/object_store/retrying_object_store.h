// object_store/retrying_object_store.h — retries transient (kUnavailable) object-store errors.
//
// What: a decorator that retries every operation failing with kUnavailable, with exponential
// backoff and full jitter (delay = uniform[0, min(max_delay, base_delay * 2^retry))), bounded by
// `max_attempts` and `total_deadline`. Other errors are returned at once.
// Conditional PUTs (PutIfAbsent / PutIfMatch) carry user metadata `slatedbputid=<random id>`.
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

std::shared_ptr<ObjectStore> NewRetryingObjectStore(std::shared_ptr<ObjectStore> inner,
                                                    RetryOptions options = {});

}  // namespace slatedb
