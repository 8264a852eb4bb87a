// object_store/local_object_store.h — the local-directory object store (`file:///abs/dir`).
//
// What: object "a/b/c" is the file <root>/a/b/c. Writes go to a temporary file named
// ".tmp.<random>" in the destination directory, are fsync'ed, then published:
//   Put          rename(2) over the final name (atomic replace), then fsync of the directory;
//   PutIfAbsent  link(2) to the final name (fails with EEXIST → kAlreadyExists), unlink of the
//                temporary, fsync of the directory;
//   PutIfMatch   compare the current etag and rename, under the store lock (see below).
// Etags are "<mtime_ns>-<size>-<inode>" in hex; every write creates a new inode, so an etag
// changes on every write. Ranged reads use pread(2). List walks directories recursively, skips
// temporary files and returns keys sorted by bytes. Delete unlinks and prunes empty parent
// directories (never the root). User metadata is NOT stored (ObjectPutOptions::metadata is
// validated and ignored; Head returns no metadata).
//
// Thread safety: every method may be called concurrently. Put/PutIfMatch/Delete publish under a
// store lock = an in-process mutex plus flock(2) on "<root>/.tmp.lock", so compare-and-swap is
// atomic against other threads AND other processes that use this class on the same root.
// Caveat: programs that modify the directory without this class bypass the lock, and flock is
// advisory and may not work on some network file systems (NFS); PutIfAbsent relies only on
// link(2) and is atomic everywhere link(2) is.
// The lock file is created by the first Put/PutIfMatch/Delete, so a read-only directory (e.g.
// test fixtures) can be opened and read without modifying it.
// Ownership: shared; keeps an open descriptor on the lock file once created.
// Errors: kNotFound, kAlreadyExists, kPreconditionFailed, kInvalid (key escaping the root,
// relative root, bad range), kInternal (I/O errors, with the path and strerror).
#pragma once

#include <memory>
#include <string>

#include "slatedb/object_store.h"

namespace slatedb {

// Declared in slatedb/object_store.h:
// Result<std::shared_ptr<ObjectStore>> NewLocalObjectStore(const std::string& root);

}  // namespace slatedb
