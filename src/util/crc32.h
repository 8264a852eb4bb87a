// util/crc32.h — CRC-32/IEEE (zlib's crc32), as SlateDB stores after every SST section.
//
// On x86-64 CPUs with PCLMULQDQ and SSE4.1 (checked once at run time) inputs of 64 bytes or
// more are folded 64 bytes at a time with carry-less multiplication (Intel's "Fast CRC
// Computation for Generic Polynomials Using PCLMULQDQ"), the tail (< 16 bytes) and short inputs
// go through zlib's crc32; elsewhere zlib does everything. Both give zlib's values.
// Thread safety: pure functions. Ownership: none. Errors: none.
#pragma once

#include <cstdint>
#include <string_view>

namespace slatedb::util {

uint32_t Crc32(std::string_view data);
uint32_t Crc32Extend(uint32_t crc, std::string_view data);
// True when this process uses the carry-less multiplication path (for tests and benchmarks).
bool Crc32Accelerated();
// zlib's crc32 only (the portable path; for tests and benchmarks).
uint32_t Crc32ExtendPortable(uint32_t crc, std::string_view data);

}  // namespace slatedb::util
