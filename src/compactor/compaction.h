// compactor/compaction.h — the compactor's vocabulary (after SlateDB's compactor.rs).
//
//   CompactionSpec  WHAT to compact: source L0 SSTs (newest first), source sorted runs (highest
//                   id first) and the destination run id. Decided by the scheduler.
//   Compaction      a spec that was submitted: it has a ULID id (time = submission time) and is
//                   recorded in the `.compactions` object (docs/format.md §9).
//   job             one attempt to execute a compaction on the executor (CompactionJob), which
//                   ends with exactly one CompactionJobResult.
// Roles: scheduler (size_tiered_scheduler.h, a pure decision function), executor (executor.h,
// merges on a bounded pool), orchestrator (compactor.h, polls the manifest, submits jobs and is
// the only committer of results).
// Thread safety: plain value types. Ownership: everything is held by value. Errors: none here.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "format/compactions_codec.h"
#include "format/compression.h"
#include "format/manifest.h"
#include "format/ulid.h"
#include "manifest/sst_paths.h"
#include "slatedb/prefix_extractor.h"
#include "slatedb/status.h"
#include "table/sst_options.h"

namespace slatedb::compactor {

struct CompactionSpec {
  std::vector<format::Ulid> l0_ids;  // newest first; always the oldest tail of the manifest's l0
  std::vector<uint32_t> run_ids;     // highest id first; adjacent runs of the manifest
  uint32_t destination = 0;          // output run id (docs/format.md §7.5)
  // The tree compacted: "" = the root tree, else a named segment (RFC-0024); the ids above are
  // then that segment's L0s and runs. The destination id is unique across every tree.
  std::string segment;
  bool operator==(const CompactionSpec&) const = default;
};

// How output SSTs are built (the database's settings, docs/design.md §10): the SST shape
// (table::SstSettings: block size, compression, filters, prefix extractor — outputs carry its
// prefix filter) and the compactor's own.
struct OutputSettings : table::SstSettings {
  uint64_t max_sst_size = 268435456;  // outputs are cut at about this size
  // Settings::compatibility: which manifest / `.compactions` versions the compactor writes
  // (manifest::StoreFormatFor).
  std::string compatibility = "0.17";
};

// One attempt to execute a compaction: the spec resolved against a manifest version.
struct CompactionJob {
  format::Ulid id;  // the compaction id
  CompactionSpec spec;
  std::vector<format::SstHandle> l0;    // source L0 SSTs, newest first
  std::vector<format::SortedRun> runs;  // source runs, highest id first
  bool output_is_bottom = false;        // no older run below the output: tombstones dropped
  uint64_t retention_min_seq = 0;       // manifest recent_snapshot_min_seq
  int64_t compaction_clock_tick = 0;    // manifest last_l0_clock_tick (expiry)
  // Where the sources live (a clone reads its ancestors' SSTs from their paths); null: every
  // source is in the compactor's own database. Outputs always go to the own database.
  std::shared_ptr<const manifest::SstPathResolver> sst_paths;
  // A resumed job (RFC-0028): the subcompactions an earlier attempt recorded (`.compactions`
  // v2 context), each range with the outputs it finished. The executor then runs exactly these
  // ranges (no new plan, no trivial move), each continuing after the last key of its last
  // recorded output. Empty: the executor plans the ranges itself.
  std::vector<format::Subcompaction> resume;
};

struct CompactionJobResult {
  format::Ulid id;
  Status status;                           // OK when finished (all outputs uploaded) or cancelled
  bool cancelled = false;                  // stopped at an SST boundary; outputs are orphans
  std::vector<format::SstHandle> outputs;  // uploaded outputs, in key order
  uint64_t bytes_read = 0;                 // source SST bytes (approximate: object sizes)
  uint64_t bytes_written = 0;              // output SST bytes
  uint64_t rows_written = 0;               // rows of the SSTs written by this attempt
  // The key ranges the job ran as (RFC-0028), in key order, each with its outputs (recorded ones
  // of a resumed job first); `outputs` is their concatenation. One unbounded range when the job
  // was not split; empty for a trivial move.
  std::vector<format::Subcompaction> subcompactions;
  // enable_trivial_move: the outputs are the input SSTs themselves (nothing read or written).
  bool trivial_move = false;
  uint64_t retention_min_seq = 0;  // the job's (for the `.compactions` v2 context)
};

// The approximate size of an SST object from its info (end of its last section).
uint64_t SstSize(const format::SstInfo& info);
uint64_t RunSize(const format::SortedRun& run);

std::string SpecToString(const CompactionSpec& spec);

}  // namespace slatedb::compactor
