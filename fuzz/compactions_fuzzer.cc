// fuzz/compactions_fuzzer.cc — libFuzzer target for `.compactions` objects
// (format/compactions_codec.h). Input: the object bytes.
// Invariants: DecodeCompactions fails only with kData; whatever decodes re-encodes into bytes
// that decode to the same value, and encoding is then stable.
#include <cstddef>
#include <cstdint>
#include <string>

#include "format/compactions_codec.h"
#include "fuzz/fuzz_util.h"

using slatedb::StatusCode;
using slatedb::fuzz::ExpectCode;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto decoded = slatedb::format::DecodeCompactions(slatedb::fuzz::AsView(data, size));
  if (!decoded.ok()) {
    ExpectCode(decoded.status(), StatusCode::kData, "DecodeCompactions");
    return 0;
  }
  const std::string encoded = slatedb::format::EncodeCompactions(*decoded);
  auto again = slatedb::format::DecodeCompactions(encoded);
  FUZZ_CHECK(again.ok(), "re-encoded .compactions does not decode");
  FUZZ_CHECK(*again == *decoded, "re-encoded .compactions decodes to a different value");
  FUZZ_CHECK(slatedb::format::EncodeCompactions(*again) == encoded,
             ".compactions encoding not stable");
  return 0;
}
