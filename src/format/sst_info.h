// format/sst_info.h — SstInfo, the C++ form of the FlatBuffers `SsTableInfo` (docs/format.md §5.8).
//
// What: the metadata of one SST (first/last entry, section offsets and lengths, codec, type),
// as stored in the SST's info section and copied verbatim into the manifest for every L0 /
// sorted-run SST. `EncodeSsTableInfo` writes it into a FlatBufferBuilder (fields equal to their
// default are omitted, like the Rust builder); `SsTableInfoFromFb` reads it back.
// All `*_len` values include the 4 CRC bytes of the section.
// Thread safety: plain value type and pure functions. Ownership: SstInfo owns its bytes.
// Errors: SsTableInfoFromFb returns kData for a null table or an unknown codec / sst type /
// filter format.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "flatbuffers/flatbuffers.h"
#include "format/compression.h"
#include "format/slatedb_schema_generated.h"
#include "slatedb/status.h"

namespace slatedb::format {

enum class SstType : uint8_t { kCompacted = 0, kWal = 1 };

// Layout of the filter section (SsTableInfo field 10, SlateDB >= 0.13): kLegacy = one raw bloom
// filter (what SlateDB 0.12 and we write); kComposite = named filters (`_bf`, `_bf:p=<prefix
// extractor>`, ...; docs/format.md §5.6.1). Kept as read so a manifest rewrite preserves it.
enum class FilterFormat : uint8_t { kLegacy = 0, kComposite = 1 };

// Current (written) SST format version; version 1 is read-only (legacy, docs/format.md §5.10).
inline constexpr uint16_t kSstFormatVersion = 2;
inline constexpr uint16_t kSstFormatVersionLegacy = 1;

struct SstInfo {
  // Compacted: first user key; WAL: 8-byte big-endian seq of the first row. Absent when empty.
  std::optional<std::string> first_entry;
  // Compacted: last user key; WAL: absent.
  std::optional<std::string> last_entry;
  uint64_t index_offset = 0;
  uint64_t index_len = 0;
  uint64_t filter_offset = 0;  // = end of the data blocks, always
  uint64_t filter_len = 0;     // 0 = no filter
  uint64_t stats_offset = 0;   // 0 when absent
  uint64_t stats_len = 0;      // 0 when absent
  CompressionCodec compression = CompressionCodec::kNone;
  SstType sst_type = SstType::kCompacted;
  FilterFormat filter_format = FilterFormat::kLegacy;

  bool has_filter() const { return filter_len > 0; }
  bool has_stats() const { return stats_len > 0; }
  bool operator==(const SstInfo&) const = default;
};

// Builds an fb::SsTableInfo table in `fbb` (vectors first, then the table).
flatbuffers::Offset<fb::SsTableInfo> EncodeSsTableInfo(flatbuffers::FlatBufferBuilder& fbb,
                                                       const SstInfo& info);

// Converts a (verified) fb::SsTableInfo. Unknown codec or type → kData.
Result<SstInfo> SsTableInfoFromFb(const fb::SsTableInfo* fb_info);

// Serializes `info` as a standalone root FlatBuffer (the SST info section without its CRC).
std::string EncodeSsTableInfoBuffer(const SstInfo& info);

}  // namespace slatedb::format
