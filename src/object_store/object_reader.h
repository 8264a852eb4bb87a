// object_store/object_reader.h — helpers for ObjectReader implementations (slatedb/object_store.h).
//
// What: ForwardingObjectReader, the reader of the ObjectStore::OpenReader default: every read is
// one GetRange / GetSuffix of the store, Size one Head (memoized); and TruncatedRead, the kData
// every reader reports for a read past the object's end.
// Thread safety: all methods may be called concurrently. Ownership: the store must outlive the
// reader. Errors: those of GetRange / GetSuffix / Head; TruncatedRead for short reads.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "slatedb/object_store.h"

namespace slatedb::object_store {

// kData: "object '<key>' in <store> is truncated: read of [offset, +length) ... has <size>
// bytes".
Status TruncatedRead(std::string_view store, std::string_view key, uint64_t offset, uint64_t length,
                     uint64_t size);

class ForwardingObjectReader final : public ObjectReader {
 public:
  ForwardingObjectReader(ObjectStore* store, std::string key)
      : store_(store), key_(std::move(key)) {}
  Result<std::string> ReadAt(uint64_t offset, uint64_t length) override;
  Result<std::string> ReadSuffix(uint64_t n) override;
  Result<uint64_t> Size() override;

 private:
  ObjectStore* const store_;
  const std::string key_;
  std::atomic<bool> has_size_{false};
  std::atomic<uint64_t> size_{0};
};

}  // namespace slatedb::object_store
