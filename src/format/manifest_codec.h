// format/manifest_codec.h — bytes <-> Manifest (docs/format.md §7.1-§7.4), plus the FlatBuffers
// helpers for the sub-tables shared with the `.compactions` codec (Ulid, Uuid, CompactedSsTable).
//
// Encoding: `[u16 BE version = 1][ManifestV1 FlatBuffer]`, laid out as the Rust builder of the
// 0.12 peer does (children created in the peer's order, default scalars omitted, required vectors
// always present, manifest_id never written), so a manifest that went through Decode → Encode is
// byte-identical to the peer's file. Decoding accepts version 1 (ManifestV1) and version 2
// (ManifestV2: each L0 / sorted-run view becomes an SstHandle for its physical SST with the view's
// visible range; `last_compacted_l0_sst_view_id` becomes `l0_last_compacted`). The FlatBuffer is
// copied into an aligned buffer and checked with flatbuffers::Verifier (depth ≤ 64) first.
// Thread safety: pure functions. Ownership: results are returned by value; the builder
// helpers write into the caller's FlatBufferBuilder.
// Errors (kData): "manifest: N bytes is too short", "manifest: unsupported format version 7",
// "manifest: flatbuffer verification failed", or a message naming the bad field (unknown codec,
// V2 view of an unknown SST, ...). Callers add the object name.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "flatbuffers/flatbuffers.h"
#include "format/manifest.h"
#include "format/slatedb_schema_generated.h"
#include "slatedb/status.h"

namespace slatedb::format {

inline constexpr uint16_t kManifestFormatVersionV1 = 1;
inline constexpr uint16_t kManifestFormatVersionV2 = 2;

// Encodes `manifest` as format version 1 (the only version the 0.12 peer writes).
std::string EncodeManifest(const Manifest& manifest);
// Decodes a version-1 or version-2 manifest object.
Result<Manifest> DecodeManifest(std::string_view bytes);

// ---- helpers shared with compactions_codec ----
flatbuffers::Offset<fb::Ulid> EncodeUlid(flatbuffers::FlatBufferBuilder& fbb, const Ulid& id);
Ulid UlidFromFb(const fb::Ulid* id);  // null → the zero ULID
flatbuffers::Offset<fb::Uuid> EncodeUuid(flatbuffers::FlatBufferBuilder& fbb, const Uuid& id);
Uuid UuidFromFb(const fb::Uuid* id);  // null → the zero UUID
flatbuffers::Offset<fb::CompactedSsTable> EncodeSstHandle(flatbuffers::FlatBufferBuilder& fbb,
                                                          const SstHandle& sst);
Result<SstHandle> SstHandleFromFb(const fb::CompactedSsTable* sst);

// A copy of `bytes` in 8-byte aligned storage, for the FlatBuffers verifier and accessors.
class AlignedBuffer {
 public:
  explicit AlignedBuffer(std::string_view bytes);
  const uint8_t* data() const { return reinterpret_cast<const uint8_t*>(words_.data()); }
  size_t size() const { return size_; }

 private:
  std::vector<uint64_t> words_;
  size_t size_;
};

// `.manifest` / `.compactions` framing: a u16 big-endian format version, then the FlatBuffer.
std::string FrameVersioned(uint16_t version, const flatbuffers::FlatBufferBuilder& fbb);
// Reads the version prefix of a framed object; `what` ("manifest", "compactions") names it in
// the kData error when fewer than 2 bytes are present.
Result<uint16_t> ReadVersionPrefix(std::string_view bytes, std::string_view what);

}  // namespace slatedb::format
