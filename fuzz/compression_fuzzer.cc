// fuzz/compression_fuzzer.cc — libFuzzer target for the five SST compression codecs
// (format/compression.h). Input: [codec selector byte][compressed section bytes].
// Invariants: Decompress of arbitrary bytes fails only with kData and never returns more than
// max_output bytes; Compress of the payload followed by Decompress returns the payload.
#include <cstddef>
#include <cstdint>
#include <string>

#include "format/compression.h"
#include "fuzz/fuzz_util.h"

using slatedb::StatusCode;
using slatedb::format::CompressionCodec;
using slatedb::fuzz::ExpectCode;
using slatedb::fuzz::FuzzInput;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzInput in(data, size);
  const auto codec = slatedb::format::CompressionCodecFromId(in.TakeByte() % 5);
  FUZZ_CHECK(codec.has_value(), "codec ids 0..4 must map");
  constexpr size_t kMaxOutput = size_t{4} << 20;
  auto out = slatedb::format::Decompress(*codec, in.rest(), kMaxOutput);
  ExpectCode(out.status(), StatusCode::kData, "Decompress");
  if (out.ok()) FUZZ_CHECK(out->size() <= kMaxOutput, "Decompress exceeded max_output");

  auto compressed = slatedb::format::Compress(*codec, in.rest());
  FUZZ_CHECK(compressed.ok(), "Compress failed");
  auto round = slatedb::format::Decompress(*codec, *compressed, in.rest().size());
  FUZZ_CHECK(round.ok(), "Decompress(Compress(x)) failed");
  FUZZ_CHECK(*round == in.rest(), "Decompress(Compress(x)) != x");
  return 0;
}
