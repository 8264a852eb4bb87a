// slatedb/object_store.h — the object-store interface every durable byte goes through.
//
// What: a flat namespace of immutable-ish objects addressed by '/'-separated keys ("db/wal/
// 00000000000000000001.sst"), with the conditional writes SlateDB's protocols need:
// create-if-absent (manifests, WAL SSTs, fences) and put-if-match (etag compare-and-swap).
// Implementations: memory (`memory:///`), local directory (`file:///abs/dir`), S3 and
// S3-compatible (`s3://bucket[/prefix]`), plus wrappers (retrying, fault-injecting).
//
// Thread safety: every method of every implementation may be called concurrently.
// Ownership: stores are shared (`std::shared_ptr`); a Db keeps its store alive.
//
// Errors (Status codes):
//   kNotFound            the object does not exist (Get, GetRange, Head, Delete is *not* an error)
//   kAlreadyExists       PutIfAbsent found the object present
//   kPreconditionFailed  PutIfMatch found a different etag (or no object)
//   kUnavailable         transient: network, 5xx, throttling, timeouts — retrying may succeed
//   kPermissionDenied    credentials rejected (never retried; secrets never appear in messages)
//   kInvalid             bad key (empty, "..", absolute, empty segment), bad range, bad URL
//   kData / kInternal    malformed responses, local I/O errors that are not transient
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "slatedb/export.h"
#include "slatedb/status.h"

namespace slatedb {

struct ObjectMeta {
  std::string key;  // full key, as passed to Put (without any store prefix)
  uint64_t size = 0;
  int64_t last_modified_ms = 0;                 // Unix epoch milliseconds
  std::string etag;                             // opaque; pass back to PutIfMatch
  std::map<std::string, std::string> metadata;  // user metadata (Head only; may be empty)
};

struct ObjectPutOptions {
  // User metadata stored with the object where the backend supports it (memory, S3); the
  // retrying wrapper uses "slatedbputid" to recognise its own earlier conditional PUT.
  std::map<std::string, std::string> metadata;
};

class SLATEDB_EXPORT ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // Unconditional write (creates or replaces). Returns the new etag.
  virtual Result<std::string> Put(std::string_view key, std::string_view data,
                                  const ObjectPutOptions& options = {}) = 0;
  // Create-only write: kAlreadyExists if the key is present. Atomic with respect to every other
  // writer of the same store. Returns the new etag.
  virtual Result<std::string> PutIfAbsent(std::string_view key, std::string_view data,
                                          const ObjectPutOptions& options = {}) = 0;
  // Replace only if the current etag equals `etag`; kPreconditionFailed otherwise.
  virtual Result<std::string> PutIfMatch(std::string_view key, std::string_view data,
                                         std::string_view etag,
                                         const ObjectPutOptions& options = {}) = 0;

  // Whole object.
  virtual Result<std::string> Get(std::string_view key) = 0;
  // Bytes [offset, offset+length) clipped to the object's end; `length` absent = to the end.
  // offset == size gives an empty string; offset > size is kInvalid.
  virtual Result<std::string> GetRange(std::string_view key, uint64_t offset,
                                       std::optional<uint64_t> length) = 0;
  // The last min(n, size) bytes.
  virtual Result<std::string> GetSuffix(std::string_view key, uint64_t n) = 0;
  virtual Result<ObjectMeta> Head(std::string_view key) = 0;
  // Every object whose key starts with `prefix`, in lexicographic (byte) order; complete
  // (pagination is handled inside).
  virtual Result<std::vector<ObjectMeta>> List(std::string_view prefix) = 0;
  // Deleting a missing object is OK.
  virtual Status Delete(std::string_view key) = 0;

  // Human-readable, secret-free description ("file:///srv/x", "s3://bucket/prefix").
  virtual std::string Describe() const = 0;
};

// A fresh, empty in-process store.
SLATEDB_EXPORT std::shared_ptr<ObjectStore> NewMemoryObjectStore();
// A store rooted at the absolute directory `root`. The directory is created by the first write,
// never by opening or reading (a missing root reads as an empty store).
SLATEDB_EXPORT Result<std::shared_ptr<ObjectStore>> NewLocalObjectStore(const std::string& root);

// Builds a store from a URL: "memory:///" (a fresh store each call), "file:///abs/dir",
// "s3://bucket[/prefix]" (endpoint/region/credentials from AWS_* environment variables:
// AWS_ENDPOINT_URL, AWS_REGION / AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN, AWS_ALLOW_HTTP). Unknown schemes and malformed URLs are kInvalid.
SLATEDB_EXPORT Result<std::shared_ptr<ObjectStore>> OpenObjectStore(std::string_view url);

}  // namespace slatedb
