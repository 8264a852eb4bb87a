// slatedb/manifest.h — a read-only, public view of one manifest version and of one `.compactions`
// version, as Admin::ReadManifest / ListManifests / ReadCompactions / ListCompactions return them
// (slatedb/admin.h). It holds what an operator needs to see: the epochs, the WAL ids, the L0 SSTs
// and sorted runs with their SST ids, key ranges and sizes, the checkpoints, the parent databases
// of a clone, and the sequence-number → time samples; not the encoding details (docs/format.md
// has those).
//
// Keys are raw bytes in std::string. Ids are text: SST ids and compaction ids as ULIDs (26
// Crockford base-32 characters), checkpoint ids as UUIDs (8-4-4-4-12 lower-case hex).
// Thread safety: plain value types. Ownership: everything is held by value. Errors: none here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "slatedb/checkpoint.h"

namespace slatedb {

// One bound of a key range; `key` is absent for an unbounded side.
struct KeyBoundView {
  enum class Kind : uint8_t { kUnbounded, kIncluded, kExcluded };
  Kind kind = Kind::kUnbounded;
  std::optional<std::string> key;
};

// One L0 SST or one SST of a sorted run.
struct SstView {
  std::string view_id;  // the manifest's view of the SST (equals sst_id unless a compaction or a
                        // clone gave the view its own id)
  std::string sst_id;   // the object compacted/<sst_id>.sst
  std::optional<std::string> first_key;  // smallest key in the SST (absent when empty)
  std::optional<std::string> last_key;   // largest key (absent when the writer did not record it)
  uint64_t size_bytes = 0;  // estimate: the end of the index block (the SST minus its footer)
  // Clones and projections only: the keys of the SST this view may show.
  std::optional<KeyBoundView> visible_start;
  std::optional<KeyBoundView> visible_end;
};

struct SortedRunView {
  uint32_t id = 0;
  std::vector<SstView> ssts;  // key order
  uint64_t size_bytes = 0;    // sum of the SSTs' size_bytes
};

// A parent database whose SSTs a clone reads (RFC-0004).
struct ExternalDbView {
  std::string path;
  std::string source_checkpoint_id;
  std::optional<std::string> final_checkpoint_id;
  std::vector<std::string> sst_ids;
};

struct SeqTimeSampleView {
  uint64_t seq = 0;
  int64_t unix_seconds = 0;
};

// One named segment (RFC-0024): an LSM tree of its own for the keys starting with `prefix`.
struct SegmentView {
  std::string prefix;                            // raw bytes
  std::optional<std::string> l0_last_compacted;  // view id of its newest compacted L0
  std::vector<SstView> l0;                       // newest first
  std::vector<SortedRunView> compacted;          // highest id first
};

struct ManifestView {
  uint64_t id = 0;  // the manifest version (the object manifest/<id>.manifest)
  bool initialized = true;
  uint64_t writer_epoch = 0;
  uint64_t compactor_epoch = 0;
  uint64_t replay_after_wal_id = 0;  // WAL ids up to this one are in L0 / sorted runs
  uint64_t next_wal_id = 1;          // wal_id_last_seen + 1
  uint64_t last_l0_seq = 0;
  int64_t last_l0_clock_tick = 0;
  uint64_t recent_snapshot_min_seq = 0;
  std::optional<std::string> l0_last_compacted;  // view id of the newest compacted L0
  std::vector<SstView> l0;                       // newest first
  std::vector<SortedRunView> compacted;          // highest id (newest) first
  std::vector<CheckpointInfo> checkpoints;
  std::vector<ExternalDbView> external_dbs;
  std::vector<SeqTimeSampleView> sequence_samples;  // oldest first (RFC-0012)
  size_t segments = 0;                              // named segments (0.13+): how many
  std::vector<SegmentView> segment_trees;           // ... and each one, in stored order
  std::optional<std::string> segment_extractor_name;
};

// One compaction job of a `.compactions` version.
struct CompactionView {
  std::string id;  // ULID (its time is the submission time)
  // "Submitted", "Scheduled", "Running", "Compacted", "Completed" or "Failed" (SlateDB's names).
  std::string status;
  std::vector<uint32_t> source_sorted_runs;  // newest first
  std::vector<std::string> source_l0_views;  // L0 view ids, newest first
  std::optional<uint32_t> destination;       // output sorted run (absent in version-1 files)
  std::vector<std::string> output_sst_ids;   // written so far
  std::string segment;                       // the tree compacted: "" = root, else a segment
  bool drain_segment = false;                // a DrainSegmentSpec (RFC-0024), not a merge
};

struct CompactionsView {
  uint64_t id = 0;  // the version (the object compactions/<id>.compactions)
  uint64_t compactor_epoch = 0;
  std::vector<CompactionView> compactions;
};

}  // namespace slatedb
