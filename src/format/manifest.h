// format/manifest.h — the C++ form of a SlateDB manifest, V1 and V2 (docs/format.md §7.2-§7.5,
// §10).
//
// What: plain value types holding every field of ManifestV1 and of 0.17's ManifestV2:
// `Manifest` (the whole LSM state: epochs, WAL ids, L0 SSTs newest first, sorted runs highest
// id first, checkpoints, named segments, ...), `SstHandle` (one L0 / sorted-run SST view: SST
// id, V2 view id when it differs, its SsTableInfo copy, optional visible range, optional SST
// format version), `SortedRun`, `Segment`, `Checkpoint`, `ExternalDb`, `BytesRange`. A
// manifest's own id is the object name, never a field here. Fields one version cannot hold
// (V2: `wal_object_store_uri`; V1: segments, the extractor name, view ids) are explained in
// manifest_codec.h. Encoding/decoding: manifest_codec.h.
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
  // V2 only: the view id (CompactedSsTableView.id) when it differs from `id`. SlateDB 0.17 gives
  // compaction outputs fresh view ids; L0 flushes use the SST id. Absent = the SST id.
  std::optional<Ulid> view_id;
  Ulid ViewId() const { return view_id.value_or(id); }
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
  // A CheckpointMetadata union variant newer than ours (its tag); the checkpoint stays usable,
  // but a manifest holding it cannot be re-encoded (EncodeManifest fails closed).
  std::optional<uint8_t> unknown_metadata_type;
  bool operator==(const Checkpoint&) const = default;
};

struct ExternalDb {
  std::string path;
  Uuid source_checkpoint_id;
  std::optional<Uuid> final_checkpoint_id;
  std::vector<Ulid> sst_ids;
  bool operator==(const ExternalDb&) const = default;
};

// One named segment of a V2 manifest (RFC-0024): the keys in [prefix, prefix++) form an LSM tree
// of their own, whose views point into the same SSTs as the root tree.
struct Segment {
  std::string prefix;
  std::optional<Ulid> last_compacted_l0_view_id;
  std::vector<SstHandle> l0;         // newest first
  std::vector<SortedRun> compacted;  // highest id first
  bool operator==(const Segment&) const = default;
};

struct Manifest {
  std::vector<ExternalDb> external_dbs;  // clones only
  bool initialized = true;
  uint64_t writer_epoch = 0;
  uint64_t compactor_epoch = 0;
  uint64_t replay_after_wal_id = 0;  // WAL ids ≤ this are reflected in L0 / sorted runs
  uint64_t wal_id_last_seen = 0;
  // Newest L0 consumed by a finished compaction (V1: its SST id; V2: its view id).
  std::optional<Ulid> l0_last_compacted;
  std::vector<SstHandle> l0;         // newest first
  std::vector<SortedRun> compacted;  // highest id first
  int64_t last_l0_clock_tick = std::numeric_limits<int64_t>::min();
  std::vector<Checkpoint> checkpoints;
  uint64_t last_l0_seq = 0;
  std::optional<std::string> wal_object_store_uri;  // "" = a separate WAL store is used
  uint64_t recent_snapshot_min_seq = 0;
  // Raw tracker bytes (docs/format.md §8), kept verbatim so foreign content round-trips byte for
  // byte; use SequenceTracker::Decode / Encode to read or change it.
  std::string sequence_tracker = EmptySequenceTrackerBytes();
  // V2 only (0.13+): named segments, in stored order, and the writer's prefix extractor name.
  // Kept verbatim on every rewrite; a reader that cannot route into segments refuses them
  // (CheckManifestSupported in manifest_codec.h).
  std::vector<Segment> segments;
  std::optional<std::string> segment_extractor_name;

  // The manifest of a fresh database (docs/format.md §7.6): initialized, epochs and WAL ids 0,
  // empty lists, last_l0_clock_tick = INT64_MIN, empty tracker.
  static Manifest NewEmpty() { return Manifest(); }

  bool operator==(const Manifest&) const = default;
};

}  // namespace slatedb::format
