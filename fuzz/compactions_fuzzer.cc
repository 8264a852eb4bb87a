// fuzz/compactions_fuzzer.cc — libFuzzer target for `.compactions` objects, version 1 and 2
// (format/compactions_codec.h), and GC boundary objects (format/boundary.h). Input: the object
// bytes.
// Invariants: DecodeCompactions fails only with kData; EncodeCompactions fails only with
// kInvalid (version 1 refusing what it cannot hold); whatever encodes decodes again and is then
// stable; a version-2 re-encode keeps the value (a version-1 one loses only the destination,
// which version 1 does not store). DecodeBoundary fails only with kData and what it reads
// re-encodes to a value that decodes to itself.
#include <cstddef>
#include <cstdint>
#include <string>

#include "format/boundary.h"
#include "format/compactions_codec.h"
#include "fuzz/fuzz_util.h"

using slatedb::StatusCode;
using slatedb::fuzz::ExpectCode;
namespace format = slatedb::format;

namespace {

void CheckVersion(const format::Compactions& decoded, uint16_t version) {
  auto encoded = format::EncodeCompactions(decoded, version);
  if (!encoded.ok()) {
    ExpectCode(encoded.status(), StatusCode::kInvalid, "EncodeCompactions");
    return;
  }
  auto again = format::DecodeCompactions(*encoded);
  FUZZ_CHECK(again.ok(), "re-encoded .compactions does not decode");
  format::Compactions expected = decoded;
  for (auto& c : expected.recent_compactions) {
    if (version == format::kCompactionsFormatVersionV1) {
      c.destination.reset();
    } else if (!c.destination && c.kind == format::CompactionKind::kTiered) {
      c.destination = 0;  // filled from the sources; checked for stability below
      for (size_t i = 0; i < c.sorted_runs.size(); ++i) {
        if (i == 0 || c.sorted_runs[i] < *c.destination) c.destination = c.sorted_runs[i];
      }
    }
  }
  FUZZ_CHECK(*again == expected, "re-encoded .compactions decodes to a different value");
  auto stable = format::EncodeCompactions(*again, version);
  FUZZ_CHECK(stable.ok() && *stable == *encoded, ".compactions encoding not stable");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input = slatedb::fuzz::AsView(data, size);
  auto boundary = format::DecodeBoundary(input);
  if (boundary.ok()) {
    auto back = format::DecodeBoundary(format::EncodeBoundary(*boundary));
    FUZZ_CHECK(back.ok() && *back == *boundary, "boundary does not round-trip");
  } else {
    ExpectCode(boundary.status(), StatusCode::kData, "DecodeBoundary");
  }
  auto decoded = format::DecodeCompactions(input);
  if (!decoded.ok()) {
    ExpectCode(decoded.status(), StatusCode::kData, "DecodeCompactions");
    return 0;
  }
  CheckVersion(*decoded, format::kCompactionsFormatVersionV1);
  CheckVersion(*decoded, format::kCompactionsFormatVersionV2);
  return 0;
}
