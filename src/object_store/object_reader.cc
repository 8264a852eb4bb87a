// object_store/object_reader.cc — see object_reader.h; the ObjectStore::OpenReader and
// ObjectStore::GetRangeInto defaults.
#include "object_store/object_reader.h"

#include <cstring>
#include <memory>

#include "object_store/key.h"

namespace slatedb {

namespace object_store {

Status TruncatedRead(std::string_view store, std::string_view key, uint64_t offset, uint64_t length,
                     uint64_t size) {
  return Status::Data("object '" + Printable(key) + "' in " + std::string(store) +
                      " is truncated: read of [" + std::to_string(offset) + ", +" +
                      std::to_string(length) + ") but the object has " + std::to_string(size) +
                      " bytes");
}

Result<std::string> ForwardingObjectReader::ReadAt(uint64_t offset, uint64_t length) {
  ASSIGN_OR_RETURN(std::string bytes, store_->GetRange(key_, offset, length));
  if (bytes.size() != length) {
    // GetRange clips to the end: the object has offset + bytes.size() bytes.
    return TruncatedRead(store_->Describe(), key_, offset, length, offset + bytes.size());
  }
  return bytes;
}

Result<std::string> ForwardingObjectReader::ReadSuffix(uint64_t n) {
  return store_->GetSuffix(key_, n);
}

Result<uint64_t> ForwardingObjectReader::Size() {
  if (has_size_.load(std::memory_order_acquire)) return size_.load(std::memory_order_relaxed);
  ASSIGN_OR_RETURN(ObjectMeta meta, store_->Head(key_));
  size_.store(meta.size, std::memory_order_relaxed);
  has_size_.store(true, std::memory_order_release);
  return meta.size;
}

}  // namespace object_store

Result<std::unique_ptr<ObjectReader>> ObjectStore::OpenReader(std::string_view key) {
  return std::unique_ptr<ObjectReader>(
      std::make_unique<object_store::ForwardingObjectReader>(this, std::string(key)));
}

Status ObjectStore::GetRangeInto(std::string_view key, uint64_t offset, uint64_t length,
                                 char* out) {
  ASSIGN_OR_RETURN(std::string bytes, GetRange(key, offset, length));
  if (bytes.size() != length) {
    return object_store::TruncatedRead(Describe(), key, offset, length, offset + bytes.size());
  }
  if (length > 0) std::memcpy(out, bytes.data(), length);
  return Status::OK();
}

}  // namespace slatedb
