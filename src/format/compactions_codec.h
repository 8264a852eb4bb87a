// format/compactions_codec.h — the compactor's `.compactions` object (docs/format.md §9): C++
// structs and their encoding `[u16 BE version = 1][CompactionsV1 FlatBuffer]`.
//
// What: `Compactions` {compactor_epoch, recent_compactions}; each `CompactionRecord` is one
// size-tiered compaction: its ULID, its sources (sorted-run ids and L0 SST ids, newest first),
// its status and the output SSTs reported so far. Encoding follows the peer's builder order, so a
// decoded peer file re-encodes to the same bytes; empty source lists and empty output lists are
// omitted as the peer does.
// Thread safety: value types and pure functions. Ownership: everything is held by value.
// Errors (kData): "compactions: unsupported format version N", "compactions: flatbuffer
// verification failed", unknown spec type / status, bad SST info.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "format/manifest.h"
#include "format/ulid.h"
#include "slatedb/status.h"

namespace slatedb::format {

inline constexpr uint16_t kCompactionsFormatVersion = 1;

enum class CompactionStatus : int8_t { kSubmitted = 0, kRunning = 1, kCompleted = 2, kFailed = 3 };

struct CompactionRecord {
  Ulid id;                            // ULID time = submission time
  std::vector<uint32_t> sorted_runs;  // source run ids, newest first
  std::vector<Ulid> l0_view_ids;      // source L0 SST ids (V1: = SST ids), newest first
  CompactionStatus status = CompactionStatus::kSubmitted;
  std::vector<SstHandle> output_ssts;  // outputs reported so far
  bool operator==(const CompactionRecord&) const = default;
};

struct Compactions {
  uint64_t compactor_epoch = 0;
  std::vector<CompactionRecord> recent_compactions;
  bool operator==(const Compactions&) const = default;
};

std::string EncodeCompactions(const Compactions& compactions);
Result<Compactions> DecodeCompactions(std::string_view bytes);

}  // namespace slatedb::format
