// format/manifest.h — the C++ form of a SlateDB 0.12 manifest (docs/format.md §7.2, §7.5, §10).
//
// What: plain value types mirroring ManifestV1: `Manifest` (the whole LSM state: epochs, WAL
// ids, L0 SSTs newest first, sorted runs highest id first, checkpoints, ...), `SstHandle` (one
// L0 / sorted-run SST: id, its SsTableInfo copy, optional visible range, optional SST format
// version), `SortedRun`, `Checkpoint`, `ExternalDb`, `BytesRange`. A manifest's own id is the
// object name, never a field here. V2 manifests decode into the same types (views become
// SstHandles with their visible range). Encoding/decoding: manifest_codec.h.
// Thread safety: value types, no internal locking. Ownership: everything is held by value.
// Errors: none (no I/O, no validation here).
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "format/sequence_tracker.h"
#include "format/sst_info.h"
#include "format/ulid.h"
#include "format/uuid.h"

namespace slatedb::format {

enum class BoundType : int8_t { kUnknown = 0, kUnbounded = 1, kIncluded = 2, kExcluded = 3 };

struct BytesBound {
  BoundType type = BoundType::kUnbounded;
  std::optional<std::string> key;  // absent for kUnbounded
  bool operator==(const BytesBound&) const = default;
};

// A key range; rows of an SST outside it must be ignored (projected / cloned DBs only).
struct BytesRange {
  BytesBound start;
  BytesBound end;
  bool operator==(const BytesRange&) const = default;
};

// One L0 or sorted-run SST as listed in the manifest ("CompactedSsTable").
struct SstHandle {
  Ulid id;                                  // object `compacted/<ULID>.sst`
  SstInfo info;                             // copy of the SST's own info section
  std::optional<BytesRange> visible_range;  // only for projected / cloned DBs
  std::optional<uint16_t> format_version;   // SST footer version; the peer writes 2; absent ⇒ 1
  bool operator==(const SstHandle&) const = default;
};

struct SortedRun {
  uint32_t id = 0;
  std::vector<SstHandle> ssts;  // key-ordered, non-overlapping
  bool operator==(const SortedRun&) const = default;
};

struct Checkpoint {
  Uuid id;
  uint64_t manifest_id = 0;              // the manifest version this checkpoint pins
  uint32_t expire_time_s = 0;            // Unix seconds; 0 = never expires
  uint32_t create_time_s = 0;            // Unix seconds
  std::optional<uint64_t> writer_epoch;  // WriterCheckpoint metadata (the peer writes none)
  std::optional<std::string> name;
  bool operator==(const Checkpoint&) const = default;
};

struct ExternalDb {
  std::string path;
  Uuid source_checkpoint_id;
  std::optional<Uuid> final_checkpoint_id;
  std::vector<Ulid> sst_ids;
  bool operator==(const ExternalDb&) const = default;
};

struct Manifest {
  std::vector<ExternalDb> external_dbs;  // clones only
  bool initialized = true;
  uint64_t writer_epoch = 0;
  uint64_t compactor_epoch = 0;
  uint64_t replay_after_wal_id = 0;  // WAL ids ≤ this are reflected in L0 / sorted runs
  uint64_t wal_id_last_seen = 0;
  std::optional<Ulid> l0_last_compacted;  // newest L0 consumed by a finished compaction
  std::vector<SstHandle> l0;              // newest first
  std::vector<SortedRun> compacted;       // highest id first
  int64_t last_l0_clock_tick = std::numeric_limits<int64_t>::min();
  std::vector<Checkpoint> checkpoints;
  uint64_t last_l0_seq = 0;
  std::optional<std::string> wal_object_store_uri;  // "" = a separate WAL store is used
  uint64_t recent_snapshot_min_seq = 0;
  // Raw tracker bytes (docs/format.md §8), kept verbatim so foreign content round-trips byte for
  // byte; use SequenceTracker::Decode / Encode to read or change it.
  std::string sequence_tracker = EmptySequenceTrackerBytes();

  // The manifest of a fresh database (docs/format.md §7.6): initialized, epochs and WAL ids 0,
  // empty lists, last_l0_clock_tick = INT64_MIN, empty tracker.
  static Manifest NewEmpty() { return Manifest(); }

  bool operator==(const Manifest&) const = default;
};

}  // namespace slatedb::format
