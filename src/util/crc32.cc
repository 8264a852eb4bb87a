#include "util/crc32.h"

#include <zlib.h>

namespace slatedb::util {

uint32_t Crc32Extend(uint32_t crc, std::string_view data) {
  // zlib takes uInt lengths; feed in chunks so multi-GiB inputs are correct.
  const auto* p = reinterpret_cast<const Bytef*>(data.data());
  size_t n = data.size();
  uLong c = crc;
  while (n > 0) {
    uInt chunk = n > (1u << 30) ? (1u << 30) : static_cast<uInt>(n);
    c = crc32(c, p, chunk);
    p += chunk;
    n -= chunk;
  }
  return static_cast<uint32_t>(c);
}

uint32_t Crc32(std::string_view data) { return Crc32Extend(0, data); }

}  // namespace slatedb::util
