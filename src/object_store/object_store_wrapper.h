// object_store/object_store_wrapper.h — ObjectStoreWrapper: an ObjectStore that forwards every
// call to an inner store (LevelDB's EnvWrapper). Decorators (test probes, fault injection around
// a few calls) derive from it and override only what they change. OpenWriter is not forwarded:
// the ObjectStore default buffers a streamed object and calls this wrapper's Put at Finish, so a
// decorator that overrides Put sees streamed uploads too (override OpenWriter to stream through).
//
// Thread safety: as the inner store (the wrapper adds no state). Ownership: shares the inner
// store. Errors: exactly the inner store's.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "slatedb/object_store.h"

namespace slatedb {

class ObjectStoreWrapper : public ObjectStore {
 public:
  explicit ObjectStoreWrapper(std::shared_ptr<ObjectStore> inner) : inner_(std::move(inner)) {}

  Result<std::string> Put(std::string_view key, std::string_view data,
                          const ObjectPutOptions& options) override {
    return inner_->Put(key, data, options);
  }
  Result<std::string> PutIfAbsent(std::string_view key, std::string_view data,
                                  const ObjectPutOptions& options) override {
    return inner_->PutIfAbsent(key, data, options);
  }
  Result<std::string> PutIfMatch(std::string_view key, std::string_view data, std::string_view etag,
                                 const ObjectPutOptions& options) override {
    return inner_->PutIfMatch(key, data, etag, options);
  }
  Result<std::string> Get(std::string_view key) override { return inner_->Get(key); }
  Result<std::string> GetRange(std::string_view key, uint64_t offset,
                               std::optional<uint64_t> length) override {
    return inner_->GetRange(key, offset, length);
  }
  Result<std::string> GetSuffix(std::string_view key, uint64_t n) override {
    return inner_->GetSuffix(key, n);
  }
  Result<ObjectMeta> Head(std::string_view key) override { return inner_->Head(key); }
  Result<std::vector<ObjectMeta>> List(std::string_view prefix) override {
    return inner_->List(prefix);
  }
  Status Delete(std::string_view key) override { return inner_->Delete(key); }
  std::string Describe() const override { return inner_->Describe(); }

 protected:
  const std::shared_ptr<ObjectStore> inner_;
};

}  // namespace slatedb
