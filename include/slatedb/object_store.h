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
//   kNotFound            the object does not exist (Get, GetRange, Head, OpenReader and its reads;
//                        Delete is *not* an error)
//   kAlreadyExists       PutIfAbsent found the object present
//   kPreconditionFailed  PutIfMatch found a different etag (or no object)
//   kUnavailable         transient: network, 5xx, throttling, timeouts — retrying may succeed
//   kPermissionDenied    credentials rejected (never retried; secrets never appear in messages)
//   kInvalid             bad key (empty, "..", absolute, empty segment), bad range, bad URL
//   kData / kInternal    malformed responses, local I/O errors that are not transient
#pragma once

#include <cstddef>
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

// A streaming upload of one object, from ObjectStore::OpenWriter. The object appears (as with an
// unconditional Put: created or replaced) only when Finish succeeds; until then readers see the
// previous state. Bytes go out as they arrive: S3 uploads parts of `part_size` (multipart, with a
// single PUT when the whole object is smaller than a part), the local store writes a temporary
// file in the target directory and renames it at Finish, the memory store and the base class
// buffer and Put at Finish. So a writer holds at most about one part in memory.
//
// Append always takes `data` (also when it returns an error). An error means an upload of
// earlier bytes failed; the writer keeps what was not uploaded, and a later Append (possibly
// of nothing) or Finish retries it, so transient (kUnavailable) errors can be retried without
// restarting the object. After any error the caller may instead Abort.
// Abort discards everything: no object becomes visible and nothing stays pending (the multipart
// upload is aborted, the temporary file removed); it is idempotent. Destroying a writer that was
// neither finished nor aborted aborts it (best effort, errors ignored).
//
// Thread safety: one writer is used by one thread at a time; many writers may run at once.
// Ownership: a writer must not outlive the store that opened it.
// Errors: as Put (kInvalid for a bad key is reported by OpenWriter); kInternal for calls after
// Finish or Abort.
class SLATEDB_EXPORT ObjectWriter {
 public:
  virtual ~ObjectWriter() = default;
  virtual Status Append(std::string_view data) = 0;
  // Uploads what is left and makes the object visible; returns its etag. On an error nothing new
  // is visible and Finish may be called again (it resumes) or the writer aborted.
  virtual Result<std::string> Finish() = 0;
  virtual Status Abort() = 0;
  // Bytes appended so far.
  virtual uint64_t size() const = 0;
};

// Repeated ranged reads of one object, from ObjectStore::OpenReader (SlateDB reads each SST
// through one). The local store opens the file once and keeps the descriptor, so a read is one
// pread(2) (up to LocalObjectStoreOptions::max_open_readers descriptors per store; beyond that a
// reader opens the file per read); the base-class default forwards every read to the store's
// GetRange / GetSuffix / Head, so S3, memory and decorator stores keep their semantics (retries,
// faults, caching).
// Which version is read: SlateDB reads only immutable objects through readers. A local reader
// that holds its descriptor keeps reading the file it opened, also after the object is deleted
// or replaced (POSIX: the data stays until the descriptor closes, so drop readers of deleted
// objects promptly); every other reader reads the object as it is at each call (kNotFound once
// it is deleted; the local reader without a descriptor also reports a replaced object so).
//
// Thread safety: ReadAt, ReadSuffix and Size may be called concurrently on one reader.
// Ownership: a reader must not outlive the store that opened it; destroying it closes its
// descriptor.
// Errors: kNotFound naming the key (from OpenReader, or — for stores that do not look at the
// object when opening — from the first read); a read extending past the object's end is kData
// "... truncated ..." naming the object and its size (never a silently short result); a read
// starting past the end may be kInvalid instead (as GetRange); other errors as GetRange.
class SLATEDB_EXPORT ObjectReader {
 public:
  virtual ~ObjectReader() = default;
  // Exactly bytes [offset, offset+length).
  virtual Result<std::string> ReadAt(uint64_t offset, uint64_t length) = 0;
  // The last min(n, size) bytes.
  virtual Result<std::string> ReadSuffix(uint64_t n) = 0;
  // The object's size (known at open for the local store; one Head, memoized, by default).
  virtual Result<uint64_t> Size() = 0;
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

  // A streaming unconditional write of `key` (see ObjectWriter). The default implementation
  // buffers the appended bytes and calls Put at Finish, so every decorator that only overrides
  // Put keeps seeing whole objects; stores that can stream override it.
  virtual Result<std::unique_ptr<ObjectWriter>> OpenWriter(std::string_view key,
                                                           const ObjectPutOptions& options = {});

  // Whole object.
  virtual Result<std::string> Get(std::string_view key) = 0;
  // Bytes [offset, offset+length) clipped to the object's end; `length` absent = to the end.
  // offset == size gives an empty string; offset > size is kInvalid.
  virtual Result<std::string> GetRange(std::string_view key, uint64_t offset,
                                       std::optional<uint64_t> length) = 0;
  // Exactly bytes [offset, offset+length) into out[0, length), for a caller that brings its own
  // buffer (the compactor reads its input chunks into pages it unmaps after use). An object
  // ending before offset+length is kData "... truncated ..." naming it (nothing short is
  // reported as success); other errors as GetRange. The default calls this store's GetRange and
  // copies, so a decorator that only overrides GetRange keeps seeing every read; the local store
  // overrides it with one pread into `out`.
  virtual Status GetRangeInto(std::string_view key, uint64_t offset, uint64_t length, char* out);
  // The last min(n, size) bytes.
  virtual Result<std::string> GetSuffix(std::string_view key, uint64_t n) = 0;
  virtual Result<ObjectMeta> Head(std::string_view key) = 0;
  // A reader for repeated ranged reads of `key` (see ObjectReader). The default implementation
  // does no I/O and forwards each read to this store's GetRange / GetSuffix / Head, so every
  // decorator that only overrides those keeps seeing every read; the local store overrides it
  // (one open, then pread per read).
  virtual Result<std::unique_ptr<ObjectReader>> OpenReader(std::string_view key);
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
struct LocalObjectStoreOptions {
  // At most this many ObjectReaders of the store keep their file open at once (each holds one
  // descriptor); readers opened beyond it open the file for every read, so a database with many
  // SSTs cannot exhaust descriptors. The effective cap is also at most half the process's soft
  // RLIMIT_NOFILE at store creation. 0 = no reader keeps a descriptor.
  size_t max_open_readers = 1024;
};

// A store rooted at the absolute directory `root`. The directory is created by the first write,
// never by opening or reading (a missing root reads as an empty store).
SLATEDB_EXPORT Result<std::shared_ptr<ObjectStore>> NewLocalObjectStore(const std::string& root);
SLATEDB_EXPORT Result<std::shared_ptr<ObjectStore>> NewLocalObjectStore(
    const std::string& root, const LocalObjectStoreOptions& options);

// Builds a store from a URL: "memory:///" (a fresh store each call), "file:///abs/dir",
// "s3://bucket[/prefix]" (endpoint/region/credentials from AWS_* environment variables:
// AWS_ENDPOINT_URL, AWS_REGION / AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN, AWS_ALLOW_HTTP). Unknown schemes and malformed URLs are kInvalid.
SLATEDB_EXPORT Result<std::shared_ptr<ObjectStore>> OpenObjectStore(std::string_view url);

}  // namespace slatedb
