// OpenObjectStore(url): memory:///, file:///abs/dir, s3://bucket[/prefix] (retried).
#include "object_store/key.h"
#include "object_store/memory_object_store.h"
#include "object_store/retrying_object_store.h"
#include "object_store/s3_object_store.h"
#include "slatedb/object_store.h"

namespace slatedb {

namespace {
constexpr char kExpected[] = "(expected memory:///, file:///abs/dir or s3://bucket/prefix)";
}

Result<std::shared_ptr<ObjectStore>> OpenObjectStore(std::string_view url) {
  using object_store::Printable;
  size_t sep = url.find("://");
  if (sep == std::string_view::npos || sep == 0) {
    return Status::Invalid("malformed object store URL '" + Printable(url) + "' " + kExpected);
  }
  std::string_view scheme = url.substr(0, sep);
  std::string_view rest = url.substr(sep + 3);
  if (scheme == "memory") {
    if (!rest.empty() && rest != "/") {
      return Status::Invalid("memory object store URL '" + Printable(url) +
                             "' must be exactly memory:///");
    }
    return NewMemoryObjectStore();
  }
  if (scheme == "file") {
    if (rest.empty() || rest.front() != '/') {
      return Status::Invalid("file object store URL '" + Printable(url) +
                             "' must name an absolute directory: file:///abs/dir (relative paths "
                             "and hosts are not supported)");
    }
    return NewLocalObjectStore(std::string(rest));
  }
  if (scheme == "s3") {
    size_t slash = rest.find('/');
    std::string_view bucket = rest.substr(0, slash);
    std::string_view prefix =
        slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (bucket.empty()) {
      return Status::Invalid("s3 object store URL '" + Printable(url) + "' has no bucket " +
                             kExpected);
    }
    auto config = S3ConfigFromEnv(bucket, prefix);
    if (!config.ok())
      return config.status().WithContext("object store URL '" + Printable(url) + "'");
    ASSIGN_OR_RETURN(std::shared_ptr<ObjectStore> s3, NewS3ObjectStore(std::move(config).value()));
    return NewRetryingObjectStore(std::move(s3));
  }
  return Status::Invalid("unknown object store URL scheme '" + Printable(scheme) + "' in '" +
                         Printable(url) + "' " + kExpected);
}

}  // namespace slatedb
