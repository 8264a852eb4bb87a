// fuzz/manifest_fuzzer.cc — libFuzzer target for manifest objects (format/manifest_codec.h),
// V1 and V2 (segments, view ids, checkpoint metadata), and the sequence tracker bytes they carry.
// Input: the manifest object bytes.
// Invariants: DecodeManifest fails only with kData; EncodeManifest fails only with kInvalid;
// for each format version that encodes, the bytes decode again, the value survives (V1 always;
// V2 unless the input listed one SST id twice with different infos, which V2's shared `ssts`
// table cannot hold) and encoding is then stable (Encode of the re-decoded value gives the same
// bytes).
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "format/manifest_codec.h"
#include "format/sequence_tracker.h"
#include "fuzz/fuzz_util.h"

using slatedb::StatusCode;
using slatedb::fuzz::ExpectCode;
namespace format = slatedb::format;

namespace {

// True when one SST id is listed with two different infos / format versions.
bool HasConflictingSstCopies(const format::Manifest& m) {
  std::map<format::Ulid, const format::SstHandle*> seen;
  bool conflict = false;
  auto visit = [&](const format::SstHandle& sst) {
    auto [it, inserted] = seen.emplace(sst.id, &sst);
    if (!inserted &&
        (it->second->info != sst.info || it->second->format_version != sst.format_version)) {
      conflict = true;
    }
  };
  auto visit_tree = [&](const auto& l0, const auto& runs) {
    for (const auto& sst : l0) visit(sst);
    for (const auto& run : runs) {
      for (const auto& sst : run.ssts) visit(sst);
    }
  };
  visit_tree(m.l0, m.compacted);
  for (const auto& segment : m.segments) visit_tree(segment.l0, segment.compacted);
  return conflict;
}

void CheckVersion(const format::Manifest& manifest, uint16_t version) {
  auto encoded = format::EncodeManifest(manifest, version);
  if (!encoded.ok()) {
    ExpectCode(encoded.status(), StatusCode::kInvalid, "EncodeManifest");
    return;
  }
  auto again = format::DecodeManifest(*encoded);
  FUZZ_CHECK(again.ok(), "re-encoded manifest does not decode");
  if (version == format::kManifestFormatVersionV1 || !HasConflictingSstCopies(manifest)) {
    FUZZ_CHECK(*again == manifest, "re-encoded manifest decodes to a different value");
  }
  auto stable = format::EncodeManifest(*again, version);
  FUZZ_CHECK(stable.ok() && *stable == *encoded, "manifest encoding not stable");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto manifest = format::DecodeManifest(slatedb::fuzz::AsView(data, size));
  if (!manifest.ok()) {
    ExpectCode(manifest.status(), StatusCode::kData, "DecodeManifest");
    return 0;
  }
  CheckVersion(*manifest, format::kManifestFormatVersionV1);
  CheckVersion(*manifest, format::kManifestFormatVersionV2);
  // Support checks never crash and only ever say kInvalid.
  for (auto use : {format::ManifestUse::kRead, format::ManifestUse::kWrite}) {
    ExpectCode(format::CheckManifestSupported(*manifest, use), StatusCode::kInvalid,
               "CheckManifestSupported");
  }
  // The tracker bytes are kept verbatim; decoding them must not crash either.
  auto tracker = format::SequenceTracker::Decode(manifest->sequence_tracker);
  ExpectCode(tracker.status(), StatusCode::kData, "SequenceTracker::Decode");
  return 0;
}
