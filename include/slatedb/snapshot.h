// slatedb/snapshot.h — a consistent read-only view of a Db at one sequence number (SlateDB's
// `DbSnapshot`).
//
// Db::Snapshot() takes the database's last committed seq; every read through the snapshot (the
// DbRead interface: Get, GetKeyValue, Scan, ScanPrefix, MultiGet) sees exactly the writes with
// seq <= seq(), whatever was written, flushed or compacted since: a snapshot is a seq plus "read
// the database's current sources at that seq", and while it lives the writer keeps every
// version it can see (its L0 flushes and the manifest's recent_snapshot_min_seq, which bounds
// what any compactor drops, never go above the oldest live snapshot). ReadOptions still apply:
// DurabilityLevel::kRemote reads at min(seq(), the durable seq).
// Thread safety: every method may be called from any thread, concurrently.
// Ownership: the caller owns the snapshot; destroying it releases it (the retention bound may
// rise at the next manifest write). It may outlive its Db: once the Db is closed (or destroyed)
// reads return kClosed, and destruction stays safe. Iterators follow slatedb/iterator.h.
// Errors: as DbRead (slatedb/db_read.h); kClosed once the database is closed.
#pragma once

#include <cstdint>

#include "slatedb/db_read.h"
#include "slatedb/export.h"

namespace slatedb {

class SLATEDB_EXPORT Snapshot : public DbRead {
 public:
  ~Snapshot() override = default;
  // The sequence number this snapshot reads at.
  virtual uint64_t seq() const = 0;
};

}  // namespace slatedb
