// format/manifest_codec.h — bytes <-> Manifest (docs/format.md §7.1-§7.4), plus the FlatBuffers
// helpers for the sub-tables shared with the `.compactions` codec (Ulid, Uuid, CompactedSsTable,
// BytesRange, the unknown-field check).
//
// Encoding: `[u16 BE version][ManifestV1 or ManifestV2 FlatBuffer]`, children created in the
// order of the writer of that version (V1: the 0.12 peer; V2: SlateDB 0.17's builder), default
// scalars omitted, required vectors always present, manifest_id never written — so a manifest
// that went through Decode → Encode at its own version is byte-identical to the writer's file.
// Version 2 is the default (SlateDB writes it since #2056, and 0.12.1 reads it). V2 has no
// `wal_object_store_uri`, so a manifest that has one is written as version 1; version 1 cannot
// hold segments, an extractor name or view ids, so asking for version 1 (compatibility "0.12")
// with those fails closed. Decoding accepts version 1 and version 2 (views become SstHandles
// with their view id and visible range; segments and the extractor name are kept).
// The FlatBuffer is copied into an aligned buffer and checked with flatbuffers::Verifier
// (depth ≤ 64) first; then every table we re-encode is checked for fields we do not know.
// Thread safety: pure functions. Ownership: results are returned by value; the builder
// helpers write into the caller's FlatBufferBuilder.
// Errors (kData): "manifest: N bytes is too short", "manifest: unsupported format version 7",
// "manifest: flatbuffer verification failed", "manifest: ManifestV2 has field id 18, which this
// version does not know", or a message naming the bad field (unknown codec, V2 view of an
// unknown SST, ...). EncodeManifest: kInvalid naming what the requested version cannot hold or
// what cannot be re-encoded (an unknown checkpoint metadata variant). Callers add the object
// name.
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

// Encodes `manifest` as format `version` (2 by default; 1 = what the 0.12 peer writes). See the
// file comment for when version 2 writes 1 and when encoding fails (kInvalid).
Result<std::string> EncodeManifest(const Manifest& manifest,
                                   uint16_t version = kManifestFormatVersionV2);
// Decodes a version-1 or version-2 manifest object.
Result<Manifest> DecodeManifest(std::string_view bytes);

// What a process does with a manifest: read it (Db / DbReader reads, GC, compactor) or write
// the database (a writer's L0 flushes).
enum class ManifestUse { kRead, kWrite };
// kInvalid when this version cannot honour `m`. Named segments and a segment extractor name
// (RFC-0024) are supported since the segments work (docs/design.md "Segments"): it accepts every
// decodable manifest today; kept as the one place a future unsupported field is refused.
Status CheckManifestSupported(const Manifest& m, ManifestUse use);

// ---- helpers shared with compactions_codec ----
// The Rust verifier's limits (docs/format.md §2), for every flatbuffers::Verifier of ours.
inline constexpr flatbuffers::uoffset_t kMaxDepth = 64;
inline constexpr flatbuffers::uoffset_t kMaxTables = 1000000000;
flatbuffers::Offset<flatbuffers::Vector<uint8_t>> BytesVector(flatbuffers::FlatBufferBuilder& fbb,
                                                              const std::string& s);
flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::CompactedSsTable>>>
EncodeSstHandles(flatbuffers::FlatBufferBuilder& fbb, const std::vector<SstHandle>& ssts);
// Null → empty; kData (from SstHandleFromFb) for an invalid entry.
Result<std::vector<SstHandle>> SstHandlesFromFb(
    const flatbuffers::Vector<flatbuffers::Offset<fb::CompactedSsTable>>* ssts);
flatbuffers::Offset<fb::Ulid> EncodeUlid(flatbuffers::FlatBufferBuilder& fbb, const Ulid& id);
Ulid UlidFromFb(const fb::Ulid* id);  // null → the zero ULID
flatbuffers::Offset<fb::Uuid> EncodeUuid(flatbuffers::FlatBufferBuilder& fbb, const Uuid& id);
Uuid UuidFromFb(const fb::Uuid* id);  // null → the zero UUID
flatbuffers::Offset<fb::CompactedSsTable> EncodeSstHandle(flatbuffers::FlatBufferBuilder& fbb,
                                                          const SstHandle& sst);
Result<SstHandle> SstHandleFromFb(const fb::CompactedSsTable* sst);
flatbuffers::Offset<fb::BytesRange> EncodeBytesRange(flatbuffers::FlatBufferBuilder& fbb,
                                                     const BytesRange& range);
Result<BytesRange> BytesRangeFromFb(const fb::BytesRange* range);
// kData "<what> has field id N, which this version does not know" when `table` has a present
// field at or past `known_fields` (a newer writer's field that a rewrite would drop).
// `table` is any generated table type (they derive privately from flatbuffers::Table).
Status CheckKnownFieldsOfTable(const uint8_t* table, int known_fields, std::string_view what);
template <typename FbTable>
Status CheckKnownFields(const FbTable* table, int known_fields, std::string_view what) {
  return CheckKnownFieldsOfTable(reinterpret_cast<const uint8_t*>(table), known_fields, what);
}

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
