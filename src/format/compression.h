// format/compression.h — the five SST compression codecs of SlateDB 0.12 (docs/format.md §5.2).
//
// What: `CompressionCodec` (values = the FlatBuffers `CompressionFormat` ids) and Compress /
// Decompress of one SST section (data block, filter, index or stats; never the info section).
//   none   raw bytes
//   snappy raw Snappy block format (no framing)
//   zlib   zlib stream (RFC 1950), default level
//   lz4    u32 LE uncompressed size, then one raw LZ4 block
//   zstd   one zstd frame, level 3 (any valid frame is accepted on read)
// Thread safety: pure functions. Ownership: outputs are returned by value.
// Errors: Decompress returns kData for corrupt input or when the decompressed size would exceed
// `max_output` (no unbounded allocation from a corrupt header). Compress returns kInternal if a
// library fails (should not happen).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "slatedb/status.h"

namespace slatedb::format {

enum class CompressionCodec : uint8_t { kNone = 0, kSnappy = 1, kZlib = 2, kLz4 = 3, kZstd = 4 };

// Default cap on one decompressed section (a data block, the index, the filter or the stats).
inline constexpr size_t kDefaultMaxDecompressedSize = size_t{1} << 30;  // 1 GiB

// "none", "snappy", "zlib", "lz4", "zstd".
std::string_view CompressionCodecName(CompressionCodec codec);
// Parses the names above (case-insensitive); nullopt for anything else.
std::optional<CompressionCodec> ParseCompressionCodec(std::string_view name);
// Maps the raw FlatBuffers enum value; nullopt if out of range.
std::optional<CompressionCodec> CompressionCodecFromId(int id);

Result<std::string> Compress(CompressionCodec codec, std::string_view input);
Result<std::string> Decompress(CompressionCodec codec, std::string_view input,
                               size_t max_output = kDefaultMaxDecompressedSize);

}  // namespace slatedb::format
