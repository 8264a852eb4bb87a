#include "object_store/memory_object_store.h"

#include "object_store/key.h"
#include "util/mutex.h"

namespace slatedb {
namespace {

using object_store::Printable;

class MemoryObjectStore final : public ObjectStore {
 public:
  explicit MemoryObjectStore(std::shared_ptr<util::Clock> clock) : clock_(std::move(clock)) {}

  Result<std::string> Put(std::string_view key, std::string_view data,
                          const ObjectPutOptions& options) EXCLUDES(mu_) override {
    RETURN_IF_ERROR(CheckPut(key, options));
    util::MutexLock lock(&mu_);
    return StoreLocked(key, data, options);
  }

  Result<std::string> PutIfAbsent(std::string_view key, std::string_view data,
                                  const ObjectPutOptions& options) EXCLUDES(mu_) override {
    RETURN_IF_ERROR(CheckPut(key, options));
    util::MutexLock lock(&mu_);
    if (objects_.find(key) != objects_.end()) {
      return Status::AlreadyExists("object '" + Printable(key) + "' already exists in memory:///");
    }
    return StoreLocked(key, data, options);
  }

  Result<std::string> PutIfMatch(std::string_view key, std::string_view data, std::string_view etag,
                                 const ObjectPutOptions& options) EXCLUDES(mu_) override {
    RETURN_IF_ERROR(CheckPut(key, options));
    util::MutexLock lock(&mu_);
    auto it = objects_.find(key);
    if (it == objects_.end()) {
      return Status::PreconditionFailed("object '" + Printable(key) +
                                        "' does not exist in memory:/// (expected etag " +
                                        Printable(etag) + ")");
    }
    if (it->second.meta.etag != etag) {
      return Status::PreconditionFailed("object '" + Printable(key) + "' has etag " +
                                        it->second.meta.etag + ", not " + Printable(etag));
    }
    return StoreLocked(key, data, options);
  }

  Result<std::string> Get(std::string_view key) EXCLUDES(mu_) override {
    RETURN_IF_ERROR(object_store::ValidateKey(key));
    util::MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(const Object* obj, FindLocked(key));
    return obj->data;
  }

  Result<std::string> GetRange(std::string_view key, uint64_t offset,
                               std::optional<uint64_t> length) EXCLUDES(mu_) override {
    RETURN_IF_ERROR(object_store::ValidateKey(key));
    util::MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(const Object* obj, FindLocked(key));
    uint64_t size = obj->data.size();
    if (offset > size) {
      return Status::Invalid("range offset " + std::to_string(offset) + " is beyond the end of '" +
                             Printable(key) + "' (size " + std::to_string(size) + ")");
    }
    uint64_t n = size - offset;
    if (length && *length < n) n = *length;
    return obj->data.substr(offset, n);
  }

  Result<std::string> GetSuffix(std::string_view key, uint64_t n) EXCLUDES(mu_) override {
    RETURN_IF_ERROR(object_store::ValidateKey(key));
    util::MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(const Object* obj, FindLocked(key));
    uint64_t size = obj->data.size();
    if (n > size) n = size;
    return obj->data.substr(size - n);
  }

  Result<ObjectMeta> Head(std::string_view key) EXCLUDES(mu_) override {
    RETURN_IF_ERROR(object_store::ValidateKey(key));
    util::MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(const Object* obj, FindLocked(key));
    return obj->meta;
  }

  Result<std::vector<ObjectMeta>> List(std::string_view prefix) EXCLUDES(mu_) override {
    RETURN_IF_ERROR(object_store::ValidateListPrefix(prefix));
    util::MutexLock lock(&mu_);
    std::vector<ObjectMeta> out;
    for (auto it = objects_.lower_bound(prefix); it != objects_.end(); ++it) {
      if (std::string_view(it->first).substr(0, prefix.size()) != prefix) break;
      ObjectMeta m = it->second.meta;
      m.metadata.clear();  // List returns no user metadata (as S3).
      out.push_back(std::move(m));
    }
    return out;
  }

  Status Delete(std::string_view key) EXCLUDES(mu_) override {
    RETURN_IF_ERROR(object_store::ValidateKey(key));
    util::MutexLock lock(&mu_);
    auto it = objects_.find(key);
    if (it != objects_.end()) objects_.erase(it);
    return Status::OK();
  }

  std::string Describe() const override { return "memory:///"; }

 private:
  struct Object {
    std::string data;
    ObjectMeta meta;
  };

  static Status CheckPut(std::string_view key, const ObjectPutOptions& options) {
    RETURN_IF_ERROR(object_store::ValidateKey(key));
    return object_store::ValidateMetadata(options.metadata);
  }

  Result<const Object*> FindLocked(std::string_view key) const REQUIRES(mu_) {
    auto it = objects_.find(key);
    if (it == objects_.end()) {
      return Status::NotFound("object '" + Printable(key) + "' not found in memory:///");
    }
    return &it->second;
  }

  Result<std::string> StoreLocked(std::string_view key, std::string_view data,
                                  const ObjectPutOptions& options) REQUIRES(mu_) {
    Object obj;
    obj.data.assign(data);
    obj.meta.key.assign(key);
    obj.meta.size = data.size();
    obj.meta.last_modified_ms = clock_->NowMillis();
    // "m<counter>", built by inserting the 'm': at -O3, g++ 12 reports a false -Wrestrict for
    // both `"m" + std::to_string(...)` and assigning "m" (GCC bug 105329).
    obj.meta.etag = std::to_string(++etag_counter_);
    obj.meta.etag.insert(obj.meta.etag.begin(), 'm');
    obj.meta.metadata = options.metadata;
    std::string etag = obj.meta.etag;
    auto it = objects_.find(key);
    if (it == objects_.end()) {
      objects_.emplace(std::string(key), std::move(obj));
    } else {
      it->second = std::move(obj);
    }
    return etag;
  }

  std::shared_ptr<util::Clock> clock_;
  util::Mutex mu_;
  std::map<std::string, Object, std::less<>> objects_ GUARDED_BY(mu_);
  uint64_t etag_counter_ GUARDED_BY(mu_) = 0;
};

}  // namespace

std::shared_ptr<ObjectStore> NewMemoryObjectStore(std::shared_ptr<util::Clock> clock) {
  if (!clock) clock = util::SystemClock::Default();
  return std::make_shared<MemoryObjectStore>(std::move(clock));
}

std::shared_ptr<ObjectStore> NewMemoryObjectStore() {
  return NewMemoryObjectStore(util::SystemClock::Default());
}

}  // namespace slatedb
