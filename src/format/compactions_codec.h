// format/compactions_codec.h — the compactor's `.compactions` object (docs/format.md §9): C++
// structs and their encoding `[u16 BE version][CompactionsV1 FlatBuffer]`, version 1 (SlateDB
// 0.12) or 2 (0.13+, the default).
//
// What: `Compactions` {compactor_epoch, recent_compactions}; each `CompactionRecord` is one
// compaction: its ULID, its spec (size-tiered, or 0.13's drain-segment; sources = sorted-run ids
// and L0 view ids, newest first; the segment; the destination run), its status, the output SSTs
// reported so far and, in version 2, the worker that claimed it and the execution context
// (subcompactions with their outputs, retention_min_seq). Encoding follows the writer of each
// version (v1: the 0.12 peer, which omits empty lists; v2: SlateDB 0.17's builder, which always
// writes the segment and output lists), so a decoded file re-encodes to the same bytes at its
// own version.
// Thread safety: value types and pure functions. Ownership: everything is held by value.
// Errors (kData): "compactions: unsupported format version N", "compactions: flatbuffer
// verification failed", unknown spec / context type or status, unknown fields, bad SST info.
// EncodeCompactions(…, version 1) → kInvalid naming what version 1 cannot hold (a drain-segment
// spec, a segment, the statuses Compacted / Scheduled, a worker, a context).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "format/manifest.h"
#include "format/ulid.h"
#include "slatedb/status.h"

namespace slatedb::format {

inline constexpr uint16_t kCompactionsFormatVersionV1 = 1;
inline constexpr uint16_t kCompactionsFormatVersionV2 = 2;
inline constexpr uint16_t kCompactionsFormatVersion = kCompactionsFormatVersionV2;  // written

// Compacted: a worker wrote the outputs, the coordinator has not committed them yet; Scheduled:
// the coordinator validated the job and a worker may claim it (both 0.13+).
enum class CompactionStatus : int8_t {
  kSubmitted = 0,
  kRunning = 1,
  kCompleted = 2,
  kFailed = 3,
  kCompacted = 4,
  kScheduled = 5,
};

// SlateDB's name of a status ("Submitted", ..., "Scheduled"), as the admin CLI prints it.
const char* CompactionStatusName(CompactionStatus s);

// The CompactionSpec union tag.
enum class CompactionKind : uint8_t { kTiered = 1, kDrainSegment = 2 };

struct WorkerSpec {
  std::string worker_id;
  uint64_t last_heartbeat_ms = 0;
  bool operator==(const WorkerSpec&) const = default;
};

// One key range of a compaction (RFC-0028) and the outputs written for it so far.
struct Subcompaction {
  BytesRange range;
  std::vector<SstHandle> output_ssts;
  bool operator==(const Subcompaction&) const = default;
};

// TieredCompactionContext, the only CompactionContext variant.
struct CompactionContext {
  std::vector<Subcompaction> subcompactions;
  uint64_t retention_min_seq = 0;
  bool operator==(const CompactionContext&) const = default;
};

struct CompactionRecord {
  Ulid id;  // ULID time = submission time
  CompactionKind kind = CompactionKind::kTiered;
  std::vector<uint32_t> sorted_runs;  // source run ids, newest first
  std::vector<Ulid> l0_view_ids;  // source L0 view ids (= SST ids of V1 manifests), newest first
  std::string segment;            // "" = the root tree
  // The output sorted-run id (version 2; version-1 files do not store it: nullopt).
  std::optional<uint32_t> destination;
  CompactionStatus status = CompactionStatus::kSubmitted;
  std::vector<SstHandle> output_ssts;  // outputs reported so far
  std::optional<WorkerSpec> worker;    // version 2: the worker that claimed the job
  std::optional<CompactionContext> ctx;
  bool operator==(const CompactionRecord&) const = default;
};

struct Compactions {
  uint64_t compactor_epoch = 0;
  std::vector<CompactionRecord> recent_compactions;
  bool operator==(const Compactions&) const = default;
};

Result<std::string> EncodeCompactions(const Compactions& compactions,
                                      uint16_t version = kCompactionsFormatVersion);
Result<Compactions> DecodeCompactions(std::string_view bytes);

}  // namespace slatedb::format
