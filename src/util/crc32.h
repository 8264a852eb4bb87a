// util/crc32.h — CRC-32/IEEE (zlib's crc32), as SlateDB stores after every SST section.
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

namespace slatedb::util {

uint32_t Crc32(std::string_view data);
uint32_t Crc32Extend(uint32_t crc, std::string_view data);

}  // namespace slatedb::util
