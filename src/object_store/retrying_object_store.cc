#include "object_store/retrying_object_store.h"

#include <algorithm>
#include <cstdio>
#include <thread>

#include "util/mutex.h"
#include "util/random.h"
#include "util/saturating.h"

namespace slatedb {
namespace {

class RetryingObjectStore final : public ObjectStore {
 public:
  RetryingObjectStore(std::shared_ptr<ObjectStore> inner, RetryOptions options)
      : inner_(std::move(inner)),
        opts_(std::move(options)),
        rng_(opts_.seed != 0 ? opts_.seed : util::EntropySeed()) {
    if (!opts_.clock) opts_.clock = util::SystemClock::Default();
    if (!opts_.sleeper) {
      opts_.sleeper = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
    }
    if (opts_.max_attempts < 1) opts_.max_attempts = 1;
  }

  Result<std::string> Put(std::string_view key, std::string_view data,
                          const ObjectPutOptions& options) override {
    return Retry<std::string>("put", [&] { return inner_->Put(key, data, options); });
  }

  Result<std::string> PutIfAbsent(std::string_view key, std::string_view data,
                                  const ObjectPutOptions& options) override {
    return ConditionalPut(key, options, StatusCode::kAlreadyExists, [&](const ObjectPutOptions& o) {
      return inner_->PutIfAbsent(key, data, o);
    });
  }

  Result<std::string> PutIfMatch(std::string_view key, std::string_view data, std::string_view etag,
                                 const ObjectPutOptions& options) override {
    return ConditionalPut(
        key, options, StatusCode::kPreconditionFailed,
        [&](const ObjectPutOptions& o) { return inner_->PutIfMatch(key, data, etag, o); });
  }

  Result<std::string> Get(std::string_view key) override {
    return Retry<std::string>("get", [&] { return inner_->Get(key); });
  }
  Result<std::string> GetRange(std::string_view key, uint64_t offset,
                               std::optional<uint64_t> length) override {
    return Retry<std::string>("get range", [&] { return inner_->GetRange(key, offset, length); });
  }
  Result<std::string> GetSuffix(std::string_view key, uint64_t n) override {
    return Retry<std::string>("get suffix", [&] { return inner_->GetSuffix(key, n); });
  }
  Result<ObjectMeta> Head(std::string_view key) override {
    return Retry<ObjectMeta>("head", [&] { return inner_->Head(key); });
  }
  Result<std::vector<ObjectMeta>> List(std::string_view prefix) override {
    return Retry<std::vector<ObjectMeta>>("list", [&] { return inner_->List(prefix); });
  }
  Status Delete(std::string_view key) override {
    Result<bool> r = Retry<bool>("delete", [&]() -> Result<bool> {
      Status st = inner_->Delete(key);
      if (!st.ok()) return st;
      return true;
    });
    return r.ok() ? Status::OK() : r.status();
  }

  // Retries part by part: the inner writer keeps the bytes a failed Append or Finish could not
  // upload (ObjectWriter contract), so a transient failure retries that part (an empty Append, or
  // Finish again) with this store's backoff and budget, per call, never the whole object — which
  // would need the whole object buffered.
  Result<std::unique_ptr<ObjectWriter>> OpenWriter(std::string_view key,
                                                   const ObjectPutOptions& options) override {
    ASSIGN_OR_RETURN(std::unique_ptr<ObjectWriter> inner,
                     Retry<std::unique_ptr<ObjectWriter>>(
                         "open writer", [&] { return inner_->OpenWriter(key, options); }));
    return std::unique_ptr<ObjectWriter>(std::make_unique<Writer>(this, std::move(inner)));
  }

  std::string Describe() const override { return inner_->Describe(); }

 private:
  class Writer final : public ObjectWriter {
   public:
    Writer(RetryingObjectStore* store, std::unique_ptr<ObjectWriter> inner)
        : store_(store), inner_(std::move(inner)) {}
    Status Append(std::string_view data) override {
      Status st = inner_->Append(data);
      if (st.ok() || !st.IsUnavailable()) return st;
      Budget budget(store_);
      while (true) {
        if (!budget.BackoffAndContinue()) return budget.GiveUp(st, "streamed part upload");
        st = inner_->Append({});  // the bytes are kept: retry the pending part
        if (st.ok() || !st.IsUnavailable()) return st;
      }
    }
    Result<std::string> Finish() override {
      return store_->Retry<std::string>("streamed upload finish", [&] { return inner_->Finish(); });
    }
    Status Abort() override {
      Result<bool> r = store_->Retry<bool>("streamed upload abort", [&]() -> Result<bool> {
        Status st = inner_->Abort();
        if (!st.ok()) return st;
        return true;
      });
      return r.ok() ? Status::OK() : r.status();
    }
    uint64_t size() const override { return inner_->size(); }

   private:
    RetryingObjectStore* store_;
    std::unique_ptr<ObjectWriter> inner_;
  };

  // Tracks the retry budget of one logical operation.
  class Budget {
   public:
    explicit Budget(RetryingObjectStore* s) : s_(s), start_(s->opts_.clock->SteadyNow()) {}

    // After a transient failure: sleeps and returns true if another attempt is allowed.
    bool BackoffAndContinue() {
      ++attempts_;
      if (attempts_ >= s_->opts_.max_attempts) return false;
      auto delay = s_->Jitter(attempts_);
      if (s_->opts_.total_deadline.count() > 0) {
        auto elapsed = s_->opts_.clock->SteadyNow() - start_;
        if (elapsed + delay >= s_->opts_.total_deadline) return false;
      }
      s_->opts_.sleeper(delay);
      return true;
    }

    Status GiveUp(const Status& last, std::string_view op) const {
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(s_->opts_.clock->SteadyNow() -
                                                                      start_)
                    .count();
      return Status::Unavailable("object store " + std::string(op) + " gave up after " +
                                 std::to_string(attempts_) + " attempt(s) in " +
                                 std::to_string(ms) + " ms: " + last.message());
    }

   private:
    RetryingObjectStore* s_;
    std::chrono::steady_clock::time_point start_;
    int attempts_ = 0;
  };

  std::chrono::milliseconds Jitter(int retry) EXCLUDES(rng_mu_) {
    int64_t cap = opts_.max_delay.count();
    int64_t exp = opts_.base_delay.count();
    for (int i = 1; i < retry && exp < cap; ++i) exp = util::SaturatingMul<int64_t>(exp, 2);
    exp = std::min(exp, cap);
    if (exp <= 0) return std::chrono::milliseconds(0);
    util::MutexLock l(&rng_mu_);
    return std::chrono::milliseconds(static_cast<int64_t>(
        rng_.Uniform(util::SaturatingAdd(static_cast<uint64_t>(exp), uint64_t{1}))));
  }

  std::string NewPutId() EXCLUDES(rng_mu_) {
    util::MutexLock l(&rng_mu_);
    char buf[40];
    std::snprintf(buf, sizeof(buf), "%016llx%016llx",
                  static_cast<unsigned long long>(rng_.Next64()),
                  static_cast<unsigned long long>(rng_.Next64()));
    return buf;
  }

  template <typename T, typename F>
  Result<T> Retry(std::string_view op, F&& fn) {
    Budget budget(this);
    while (true) {
      Result<T> r = fn();
      if (r.ok() || !r.status().IsUnavailable()) return r;
      if (!budget.BackoffAndContinue()) return budget.GiveUp(r.status(), op);
    }
  }

  template <typename F>
  Result<std::string> ConditionalPut(std::string_view key, const ObjectPutOptions& options,
                                     StatusCode conflict, F&& fn) {
    ObjectPutOptions o = options;
    // A caller-supplied put-id is kept, so the caller can recognise its own object later
    // (e.g. after this wrapper gave up with the reply of the last attempt lost).
    auto given = o.metadata.find(kPutIdMetadata);
    const std::string put_id = given != o.metadata.end() ? given->second : NewPutId();
    o.metadata[kPutIdMetadata] = put_id;
    std::string_view op = conflict == StatusCode::kAlreadyExists ? "put-if-absent" : "put-if-match";
    Budget budget(this);
    bool maybe_landed = false;  // an earlier attempt failed transiently: it may have landed
    while (true) {
      Result<std::string> r = fn(o);
      if (r.ok()) return r;
      if (r.status().code() == conflict && maybe_landed) {
        // Was it our own earlier write? HEAD (retrying transient errors within the budget).
        while (true) {
          Result<ObjectMeta> h = inner_->Head(key);
          if (h.ok()) {
            auto it = h->metadata.find(kPutIdMetadata);
            if (it != h->metadata.end() && it->second == put_id) return h->etag;
            return r;
          }
          if (!h.status().IsUnavailable()) return r;  // e.g. deleted since: report the conflict
          if (!budget.BackoffAndContinue()) return budget.GiveUp(h.status(), op);
        }
      }
      if (!r.status().IsUnavailable()) return r;
      maybe_landed = true;
      if (!budget.BackoffAndContinue()) return budget.GiveUp(r.status(), op);
    }
  }

  std::shared_ptr<ObjectStore> inner_;
  RetryOptions opts_;
  util::Mutex rng_mu_;
  util::Random rng_ GUARDED_BY(rng_mu_);
};

}  // namespace

std::string NewPutId() {
  static util::Mutex mu;
  static util::Random rng GUARDED_BY(mu)(util::EntropySeed());
  util::MutexLock l(&mu);
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%016llx%016llx", static_cast<unsigned long long>(rng.Next64()),
                static_cast<unsigned long long>(rng.Next64()));
  return buf;
}

Result<PutOwner> OwnerOfConditionalPut(ObjectStore& store, std::string_view key,
                                       std::string_view put_id, std::string_view data) {
  Result<ObjectMeta> head = store.Head(key);
  if (!head.ok()) {
    if (head.status().IsNotFound()) return PutOwner::kAbsent;
    return head.status();
  }
  auto it = head->metadata.find(kPutIdMetadata);
  if (it != head->metadata.end()) return it->second == put_id ? PutOwner::kOurs : PutOwner::kTheirs;
  if (!head->metadata.empty()) return PutOwner::kTheirs;
  // A backend without user metadata (the local store, which does not lose replies): the
  // only evidence left is the content.
  if (head->size != data.size()) return PutOwner::kTheirs;
  Result<std::string> bytes = store.Get(key);
  if (!bytes.ok()) {
    if (bytes.status().IsNotFound()) return PutOwner::kAbsent;
    return bytes.status();
  }
  return *bytes == data ? PutOwner::kOurs : PutOwner::kTheirs;
}

std::shared_ptr<ObjectStore> NewRetryingObjectStore(std::shared_ptr<ObjectStore> inner,
                                                    RetryOptions options) {
  return std::make_shared<RetryingObjectStore>(std::move(inner), std::move(options));
}

}  // namespace slatedb
