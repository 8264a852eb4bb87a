// object_store/fault_injecting_object_store.h — a seeded fault injector and request counter.
//
// What: a decorator for tests and benchmarks. Each call first counts the request by kind, then
// (with the configured, per-kind probability) fails it with `injected_code` (default
// kUnavailable) without reaching the inner store, optionally sleeps (fixed latency plus a
// random extra up to `latency_jitter`), and for writes may "lose the reply": the write lands in
// the inner store but kUnavailable is returned (`reply_lost_rate`). All randomness comes from one
// util::Random seeded with `seed`, so a single-threaded sequence of calls injects the same
// faults for the same seed. Options can be changed at run time (SetOptions), e.g. to stop
// injecting; the random sequence continues.
// Counters: requests by kind (GetSuffix counts as get_range) and injected faults; read with
// counts(), reset with ResetCounts(). The benchmark uses them for request-cost figures.
//
// Thread safety: all methods may be called concurrently (one mutex around the RNG and counters;
// the inner call and any sleep happen outside it). Ownership: shares the inner store.
// Errors: injected ones (message starts with "injected fault"), else those of the inner store.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "slatedb/object_store.h"
#include "util/mutex.h"
#include "util/random.h"

namespace slatedb {

enum class ObjectStoreOp : int {
  kPut = 0,
  kPutIfAbsent,
  kPutIfMatch,
  kGet,
  kGetRange,
  kHead,
  kList,
  kDelete,
};
inline constexpr int kObjectStoreOpCount = 8;
std::string_view ObjectStoreOpName(ObjectStoreOp op);

struct FaultOptions {
  uint64_t seed = 1;
  // Probability in [0, 1] that a request of each kind fails before reaching the inner store.
  std::array<double, kObjectStoreOpCount> error_rate{};
  StatusCode injected_code = StatusCode::kUnavailable;
  // Probability that a successful write (any put kind) is reported as kUnavailable.
  double reply_lost_rate = 0;
  // Streaming writers (OpenWriter): probability that an Append fails with `injected_code` before
  // its bytes reach the inner writer (they are kept and forwarded by the next Append or Finish,
  // as the ObjectWriter contract says). A writer's Finish is one kPut request (error_rate[kPut],
  // reply_lost_rate and latency apply; a failed one leaves the inner writer open).
  double append_error_rate = 0;
  std::chrono::microseconds latency{0};         // added to every request
  std::chrono::microseconds latency_jitter{0};  // plus uniform [0, jitter]
  // Sleeps for the latency; null = std::this_thread::sleep_for.
  std::function<void(std::chrono::microseconds)> sleeper;

  FaultOptions& SetErrorRate(ObjectStoreOp op, double rate) {
    error_rate[static_cast<int>(op)] = rate;
    return *this;
  }
  FaultOptions& SetAllErrorRates(double rate) {
    error_rate.fill(rate);
    return *this;
  }
};

struct RequestCounts {
  uint64_t put = 0, put_if_absent = 0, put_if_match = 0, get = 0, get_range = 0, head = 0, list = 0,
           delete_ = 0;
  uint64_t injected_errors = 0;  // requests failed before reaching the inner store
  uint64_t lost_replies = 0;     // writes that landed but reported kUnavailable
  uint64_t writer_appends = 0;   // ObjectWriter::Append calls (not requests: not in Total())
  uint64_t failed_appends = 0;   // of which failed by append_error_rate
  uint64_t Total() const {
    return put + put_if_absent + put_if_match + get + get_range + head + list + delete_;
  }
  uint64_t Of(ObjectStoreOp op) const;
};

class FaultInjectingObjectStore final : public ObjectStore {
 public:
  FaultInjectingObjectStore(std::shared_ptr<ObjectStore> inner, FaultOptions options);

  Result<std::string> Put(std::string_view key, std::string_view data,
                          const ObjectPutOptions& options = {}) EXCLUDES(mu_) override;
  Result<std::string> PutIfAbsent(std::string_view key, std::string_view data,
                                  const ObjectPutOptions& options = {}) EXCLUDES(mu_) override;
  Result<std::string> PutIfMatch(std::string_view key, std::string_view data, std::string_view etag,
                                 const ObjectPutOptions& options = {}) EXCLUDES(mu_) override;
  Result<std::string> Get(std::string_view key) EXCLUDES(mu_) override;
  Result<std::string> GetRange(std::string_view key, uint64_t offset,
                               std::optional<uint64_t> length) EXCLUDES(mu_) override;
  Result<std::string> GetSuffix(std::string_view key, uint64_t n) EXCLUDES(mu_) override;
  Result<ObjectMeta> Head(std::string_view key) EXCLUDES(mu_) override;
  Result<std::vector<ObjectMeta>> List(std::string_view prefix) EXCLUDES(mu_) override;
  Status Delete(std::string_view key) EXCLUDES(mu_) override;
  Result<std::unique_ptr<ObjectWriter>> OpenWriter(std::string_view key,
                                                   const ObjectPutOptions& options = {})
      EXCLUDES(mu_) override;
  std::string Describe() const override;

  // Replaces the options; the RNG is re-seeded only if `reseed` is true.
  void SetOptions(FaultOptions options, bool reseed = false) EXCLUDES(mu_);
  FaultOptions options() const EXCLUDES(mu_);
  RequestCounts counts() const EXCLUDES(mu_);
  void ResetCounts() EXCLUDES(mu_);

 private:
  class Writer;
  // For one Append: true = fail it (counted).
  bool DecideAppend() EXCLUDES(mu_);
  struct Decision {
    bool fail = false;
    bool lose_reply = false;
    std::chrono::microseconds delay{0};
  };
  Decision Decide(ObjectStoreOp op, std::string_view key) EXCLUDES(mu_);
  Status Injected(ObjectStoreOp op, std::string_view key) const EXCLUDES(mu_);
  void Sleep(std::chrono::microseconds d) const EXCLUDES(mu_);
  template <typename F>
  Result<std::string> WriteOp(ObjectStoreOp op, std::string_view key, F&& fn) EXCLUDES(mu_);

  std::shared_ptr<ObjectStore> inner_;
  mutable util::Mutex mu_;
  FaultOptions opts_ GUARDED_BY(mu_);
  util::Random rng_ GUARDED_BY(mu_);
  RequestCounts counts_ GUARDED_BY(mu_);
};

std::shared_ptr<FaultInjectingObjectStore> NewFaultInjectingObjectStore(
    std::shared_ptr<ObjectStore> inner, FaultOptions options = {});

}  // namespace slatedb
