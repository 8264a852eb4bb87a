// fuzz/manifest_fuzzer.cc — libFuzzer target for manifest objects (format/manifest_codec.h) and
// the sequence tracker bytes they carry. Input: the manifest object bytes.
// Invariants: DecodeManifest fails only with kData; whatever decodes re-encodes (as version 1)
// into bytes that decode to the same Manifest, and encoding is then stable (Encode of the
// re-decoded value gives the same bytes).
#include <cstddef>
#include <cstdint>
#include <string>

#include "format/manifest_codec.h"
#include "format/sequence_tracker.h"
#include "fuzz/fuzz_util.h"

using slatedb::StatusCode;
using slatedb::fuzz::ExpectCode;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto manifest = slatedb::format::DecodeManifest(slatedb::fuzz::AsView(data, size));
  if (!manifest.ok()) {
    ExpectCode(manifest.status(), StatusCode::kData, "DecodeManifest");
    return 0;
  }
  const std::string encoded = slatedb::format::EncodeManifest(*manifest);
  auto again = slatedb::format::DecodeManifest(encoded);
  FUZZ_CHECK(again.ok(), "re-encoded manifest does not decode");
  FUZZ_CHECK(*again == *manifest, "re-encoded manifest decodes to a different value");
  FUZZ_CHECK(slatedb::format::EncodeManifest(*again) == encoded, "manifest encoding not stable");
  // The tracker bytes are kept verbatim; decoding them must not crash either.
  auto tracker = slatedb::format::SequenceTracker::Decode(manifest->sequence_tracker);
  ExpectCode(tracker.status(), StatusCode::kData, "SequenceTracker::Decode");
  return 0;
}
