// db/db_state.h — the immutable snapshot of what a read sees (docs/design.md §4.6).
//
// What: DbState = the mutable memtable (concurrently readable; a read bounds it by its snapshot
// seq), the frozen memtables newest first, and the manifest view (L0 SSTs newest first, sorted
// runs). The engine publishes a new DbState (copy-on-write) whenever one of these changes; a
// read or an iterator holds a shared_ptr to the state it started with, so a concurrent flush
// never pulls data from under it.
// Thread safety: a published DbState is never modified; share it freely. The memtable inside is
// itself safe for one writer plus concurrent readers.
// Ownership: shared_ptrs; the state keeps its memtables and manifest alive.
// Errors: none.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "format/manifest.h"
#include "format/sequence_tracker.h"
#include "memtable/memtable.h"

namespace slatedb::db {

using Memtable = memtable::Memtable;

// A frozen memtable waiting to be written as an L0 SST.
struct ImmutableMemtable {
  std::shared_ptr<Memtable> table;
  uint64_t max_seq = 0;       // highest seq in it (its rows are exactly (prev max, max_seq])
  int64_t max_create_ts = 0;  // highest create_ts in it
  uint64_t first_seq = 0;     // seq and time of its first write
  int64_t first_create_ts = 0;
  // Its writes' (seq, Unix second) samples, one per 60 s (RFC-0012, as SlateDB's memtable
  // records them); merged into the manifest's tracker when it is published as an L0.
  format::SequenceTracker tracker;
  size_t bytes = 0;  // unflushed bytes it accounts for
};

struct DbState {
  std::shared_ptr<Memtable> memtable;                          // may be null (DbReader w/o WAL)
  std::vector<std::shared_ptr<const ImmutableMemtable>> imms;  // newest first
  std::shared_ptr<const format::Manifest> manifest;            // never null once open
};

}  // namespace slatedb::db
