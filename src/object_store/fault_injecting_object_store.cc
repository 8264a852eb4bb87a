#include "object_store/fault_injecting_object_store.h"

#include <thread>

#include "object_store/key.h"

namespace slatedb {

std::string_view ObjectStoreOpName(ObjectStoreOp op) {
  switch (op) {
    case ObjectStoreOp::kPut:
      return "put";
    case ObjectStoreOp::kPutIfAbsent:
      return "put_if_absent";
    case ObjectStoreOp::kPutIfMatch:
      return "put_if_match";
    case ObjectStoreOp::kGet:
      return "get";
    case ObjectStoreOp::kGetRange:
      return "get_range";
    case ObjectStoreOp::kHead:
      return "head";
    case ObjectStoreOp::kList:
      return "list";
    case ObjectStoreOp::kDelete:
      return "delete";
  }
  return "unknown";
}

uint64_t RequestCounts::Of(ObjectStoreOp op) const {
  switch (op) {
    case ObjectStoreOp::kPut:
      return put;
    case ObjectStoreOp::kPutIfAbsent:
      return put_if_absent;
    case ObjectStoreOp::kPutIfMatch:
      return put_if_match;
    case ObjectStoreOp::kGet:
      return get;
    case ObjectStoreOp::kGetRange:
      return get_range;
    case ObjectStoreOp::kHead:
      return head;
    case ObjectStoreOp::kList:
      return list;
    case ObjectStoreOp::kDelete:
      return delete_;
  }
  return 0;
}

FaultInjectingObjectStore::FaultInjectingObjectStore(std::shared_ptr<ObjectStore> inner,
                                                     FaultOptions options)
    : inner_(std::move(inner)), opts_(std::move(options)), rng_(opts_.seed) {}

void FaultInjectingObjectStore::SetOptions(FaultOptions options, bool reseed) {
  util::MutexLock l(&mu_);
  opts_ = std::move(options);
  if (reseed) rng_ = util::Random(opts_.seed);
}

FaultOptions FaultInjectingObjectStore::options() const {
  util::MutexLock l(&mu_);
  return opts_;
}

RequestCounts FaultInjectingObjectStore::counts() const {
  util::MutexLock l(&mu_);
  return counts_;
}

void FaultInjectingObjectStore::ResetCounts() {
  util::MutexLock l(&mu_);
  counts_ = RequestCounts();
}

FaultInjectingObjectStore::Decision FaultInjectingObjectStore::Decide(ObjectStoreOp op,
                                                                      std::string_view key) {
  (void)key;
  util::MutexLock l(&mu_);
  switch (op) {
    case ObjectStoreOp::kPut:
      ++counts_.put;
      break;
    case ObjectStoreOp::kPutIfAbsent:
      ++counts_.put_if_absent;
      break;
    case ObjectStoreOp::kPutIfMatch:
      ++counts_.put_if_match;
      break;
    case ObjectStoreOp::kGet:
      ++counts_.get;
      break;
    case ObjectStoreOp::kGetRange:
      ++counts_.get_range;
      break;
    case ObjectStoreOp::kHead:
      ++counts_.head;
      break;
    case ObjectStoreOp::kList:
      ++counts_.list;
      break;
    case ObjectStoreOp::kDelete:
      ++counts_.delete_;
      break;
  }
  Decision d;
  // Always draw the same number of values per request so the sequence depends only on the
  // sequence of operations, not on the outcomes.
  double e = rng_.NextDouble();
  double lost = rng_.NextDouble();
  uint64_t jitter_draw = rng_.Next64();
  d.fail = e < opts_.error_rate[static_cast<int>(op)];
  bool is_write = op == ObjectStoreOp::kPut || op == ObjectStoreOp::kPutIfAbsent ||
                  op == ObjectStoreOp::kPutIfMatch;
  d.lose_reply = !d.fail && is_write && lost < opts_.reply_lost_rate;
  d.delay = opts_.latency;
  if (opts_.latency_jitter.count() > 0) {
    d.delay += std::chrono::microseconds(static_cast<int64_t>(
        jitter_draw % (static_cast<uint64_t>(opts_.latency_jitter.count()) + 1)));
  }
  if (d.fail) ++counts_.injected_errors;
  return d;
}

Status FaultInjectingObjectStore::Injected(ObjectStoreOp op, std::string_view key) const {
  StatusCode code;
  {
    util::MutexLock l(&mu_);
    code = opts_.injected_code;
  }
  return Status(code, "injected fault: " + std::string(ObjectStoreOpName(op)) + " '" +
                          object_store::Printable(key) + "' on " + inner_->Describe());
}

void FaultInjectingObjectStore::Sleep(std::chrono::microseconds d) const {
  if (d.count() <= 0) return;
  std::function<void(std::chrono::microseconds)> sleeper;
  {
    util::MutexLock l(&mu_);
    sleeper = opts_.sleeper;
  }
  if (sleeper) {
    sleeper(d);
  } else {
    std::this_thread::sleep_for(d);
  }
}

template <typename F>
Result<std::string> FaultInjectingObjectStore::WriteOp(ObjectStoreOp op, std::string_view key,
                                                       F&& fn) {
  Decision d = Decide(op, key);
  Sleep(d.delay);
  if (d.fail) return Injected(op, key);
  Result<std::string> r = fn();
  if (r.ok() && d.lose_reply) {
    {
      util::MutexLock l(&mu_);
      ++counts_.lost_replies;
    }
    return Status::Unavailable("injected fault: reply lost after " +
                               std::string(ObjectStoreOpName(op)) + " '" +
                               object_store::Printable(key) + "' landed on " + inner_->Describe());
  }
  return r;
}

Result<std::string> FaultInjectingObjectStore::Put(std::string_view key, std::string_view data,
                                                   const ObjectPutOptions& options) {
  return WriteOp(ObjectStoreOp::kPut, key, [&] { return inner_->Put(key, data, options); });
}

Result<std::string> FaultInjectingObjectStore::PutIfAbsent(std::string_view key,
                                                           std::string_view data,
                                                           const ObjectPutOptions& options) {
  return WriteOp(ObjectStoreOp::kPutIfAbsent, key,
                 [&] { return inner_->PutIfAbsent(key, data, options); });
}

Result<std::string> FaultInjectingObjectStore::PutIfMatch(std::string_view key,
                                                          std::string_view data,
                                                          std::string_view etag,
                                                          const ObjectPutOptions& options) {
  return WriteOp(ObjectStoreOp::kPutIfMatch, key,
                 [&] { return inner_->PutIfMatch(key, data, etag, options); });
}

// Forwards to the inner writer; Appends may fail (bytes kept in pending_), Finish is a kPut.
class FaultInjectingObjectStore::Writer final : public ObjectWriter {
 public:
  Writer(FaultInjectingObjectStore* store, std::string key, std::unique_ptr<ObjectWriter> inner)
      : store_(store), key_(std::move(key)), inner_(std::move(inner)) {}
  Status Append(std::string_view data) override {
    size_ += data.size();
    if (store_->DecideAppend()) {
      pending_.append(data);
      return store_->Injected(ObjectStoreOp::kPut, key_).WithContext("streamed part");
    }
    RETURN_IF_ERROR(Forward());
    return inner_->Append(data);
  }
  Result<std::string> Finish() override {
    return store_->WriteOp(ObjectStoreOp::kPut, key_, [&]() -> Result<std::string> {
      RETURN_IF_ERROR(Forward());
      return inner_->Finish();
    });
  }
  Status Abort() override {
    std::string().swap(pending_);
    return inner_->Abort();
  }
  uint64_t size() const override { return size_; }

 private:
  Status Forward() {
    if (pending_.empty()) return Status::OK();
    std::string p = std::move(pending_);
    pending_.clear();
    return inner_->Append(p);  // the inner writer keeps the bytes even if this fails
  }

  FaultInjectingObjectStore* store_;
  std::string key_;
  std::unique_ptr<ObjectWriter> inner_;
  std::string pending_;  // bytes of failed Appends, not yet given to inner_
  uint64_t size_ = 0;
};

bool FaultInjectingObjectStore::DecideAppend() {
  util::MutexLock l(&mu_);
  ++counts_.writer_appends;
  // No draw while the rate is 0, so seeded fault sequences of other requests stay as they were.
  const bool fail = opts_.append_error_rate > 0 && rng_.NextDouble() < opts_.append_error_rate;
  if (fail) ++counts_.failed_appends;
  return fail;
}

Result<std::unique_ptr<ObjectWriter>> FaultInjectingObjectStore::OpenWriter(
    std::string_view key, const ObjectPutOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<ObjectWriter> inner, inner_->OpenWriter(key, options));
  return std::unique_ptr<ObjectWriter>(
      std::make_unique<Writer>(this, std::string(key), std::move(inner)));
}

Result<std::string> FaultInjectingObjectStore::Get(std::string_view key) {
  Decision d = Decide(ObjectStoreOp::kGet, key);
  Sleep(d.delay);
  if (d.fail) return Injected(ObjectStoreOp::kGet, key);
  return inner_->Get(key);
}

Result<std::string> FaultInjectingObjectStore::GetRange(std::string_view key, uint64_t offset,
                                                        std::optional<uint64_t> length) {
  Decision d = Decide(ObjectStoreOp::kGetRange, key);
  Sleep(d.delay);
  if (d.fail) return Injected(ObjectStoreOp::kGetRange, key);
  return inner_->GetRange(key, offset, length);
}

Result<std::string> FaultInjectingObjectStore::GetSuffix(std::string_view key, uint64_t n) {
  Decision d = Decide(ObjectStoreOp::kGetRange, key);
  Sleep(d.delay);
  if (d.fail) return Injected(ObjectStoreOp::kGetRange, key);
  return inner_->GetSuffix(key, n);
}

Result<ObjectMeta> FaultInjectingObjectStore::Head(std::string_view key) {
  Decision d = Decide(ObjectStoreOp::kHead, key);
  Sleep(d.delay);
  if (d.fail) return Injected(ObjectStoreOp::kHead, key);
  return inner_->Head(key);
}

Result<std::vector<ObjectMeta>> FaultInjectingObjectStore::List(std::string_view prefix) {
  Decision d = Decide(ObjectStoreOp::kList, prefix);
  Sleep(d.delay);
  if (d.fail) return Injected(ObjectStoreOp::kList, prefix);
  return inner_->List(prefix);
}

Status FaultInjectingObjectStore::Delete(std::string_view key) {
  Decision d = Decide(ObjectStoreOp::kDelete, key);
  Sleep(d.delay);
  if (d.fail) return Injected(ObjectStoreOp::kDelete, key);
  return inner_->Delete(key);
}

std::string FaultInjectingObjectStore::Describe() const {
  return "fault-injecting(" + inner_->Describe() + ")";
}

std::shared_ptr<FaultInjectingObjectStore> NewFaultInjectingObjectStore(
    std::shared_ptr<ObjectStore> inner, FaultOptions options) {
  return std::make_shared<FaultInjectingObjectStore>(std::move(inner), std::move(options));
}

}  // namespace slatedb
