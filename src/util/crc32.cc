#include "util/crc32.h"

#include <zlib.h>

#include <cstddef>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SLATEDB_CRC32_CLMUL 1
#include <immintrin.h>
#endif

namespace slatedb::util {

namespace {

#ifdef SLATEDB_CRC32_CLMUL

#define SLATEDB_CLMUL_TARGET __attribute__((target("pclmul,sse4.1")))

SLATEDB_CLMUL_TARGET inline __m128i Load(const unsigned char* p) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}

// One 128-bit fold: x.hi * k.hi ^ x.lo * k.lo ^ next.
SLATEDB_CLMUL_TARGET inline __m128i Fold(__m128i x, __m128i k, __m128i next) {
  const __m128i lo = _mm_clmulepi64_si128(x, k, 0x00);
  const __m128i hi = _mm_clmulepi64_si128(x, k, 0x11);
  return _mm_xor_si128(_mm_xor_si128(hi, lo), next);
}

// Folds `len` bytes (len >= 64, a multiple of 16) into the bit-reflected CRC state `crc`
// (zlib's crc, inverted) and returns the new state. Constants: the bit-reflected fold
// multipliers x^n mod P(x) of Intel's paper for the IEEE polynomial (k1/k2: 512-bit lane
// folds, k3/k4: 128-bit folds, k5: 64-bit), then P(x) and the Barrett constant u = x^64 / P(x).
SLATEDB_CLMUL_TARGET uint32_t FoldClmul(const unsigned char* buf, size_t len, uint32_t crc) {
  alignas(16) static const uint64_t kK1K2[] = {0x0154442bd4, 0x01c6e41596};
  alignas(16) static const uint64_t kK3K4[] = {0x01751997d0, 0x00ccaa009e};
  alignas(16) static const uint64_t kK5K0[] = {0x0163cd6124, 0x0000000000};
  alignas(16) static const uint64_t kPoly[] = {0x01db710641, 0x01f7011641};
  __m128i x1 = Load(buf);
  __m128i x2 = Load(buf + 16);
  __m128i x3 = Load(buf + 32);
  __m128i x4 = Load(buf + 48);
  x1 = _mm_xor_si128(x1, _mm_cvtsi32_si128(static_cast<int>(crc)));
  buf += 64;
  len -= 64;
  // Four lanes of 128 bits, each folded over 512 bits per step.
  __m128i k = _mm_load_si128(reinterpret_cast<const __m128i*>(kK1K2));
  while (len >= 64) {
    x1 = Fold(x1, k, Load(buf));
    x2 = Fold(x2, k, Load(buf + 16));
    x3 = Fold(x3, k, Load(buf + 32));
    x4 = Fold(x4, k, Load(buf + 48));
    buf += 64;
    len -= 64;
  }
  // The four lanes into one, then the remaining 16-byte blocks.
  k = _mm_load_si128(reinterpret_cast<const __m128i*>(kK3K4));
  x1 = Fold(x1, k, x2);
  x1 = Fold(x1, k, x3);
  x1 = Fold(x1, k, x4);
  while (len >= 16) {
    x1 = Fold(x1, k, Load(buf));
    buf += 16;
    len -= 16;
  }
  // 128 bits to 64.
  const __m128i mask32 = _mm_setr_epi32(~0, 0, ~0, 0);
  __m128i t = _mm_clmulepi64_si128(x1, k, 0x10);
  x1 = _mm_xor_si128(_mm_srli_si128(x1, 8), t);
  k = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(kK5K0));
  t = _mm_srli_si128(x1, 4);
  x1 = _mm_clmulepi64_si128(_mm_and_si128(x1, mask32), k, 0x00);
  x1 = _mm_xor_si128(x1, t);
  // Barrett reduction to 32 bits.
  k = _mm_load_si128(reinterpret_cast<const __m128i*>(kPoly));
  t = _mm_clmulepi64_si128(_mm_and_si128(x1, mask32), k, 0x10);
  t = _mm_clmulepi64_si128(_mm_and_si128(t, mask32), k, 0x00);
  x1 = _mm_xor_si128(x1, t);
  return static_cast<uint32_t>(_mm_extract_epi32(x1, 1));
}

bool DetectClmul() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
}

#undef SLATEDB_CLMUL_TARGET
#endif  // SLATEDB_CRC32_CLMUL

uint32_t ZlibExtend(uint32_t crc, const unsigned char* p, size_t n) {
  // zlib takes uInt lengths; feed in chunks so multi-GiB inputs are correct.
  uLong c = crc;
  while (n > 0) {
    uInt chunk = n > (1u << 30) ? (1u << 30) : static_cast<uInt>(n);
    c = crc32(c, p, chunk);
    p += chunk;
    n -= chunk;
  }
  return static_cast<uint32_t>(c);
}

}  // namespace

bool Crc32Accelerated() {
#ifdef SLATEDB_CRC32_CLMUL
  static const bool kClmul = DetectClmul();
  return kClmul;
#else
  return false;
#endif
}

uint32_t Crc32ExtendPortable(uint32_t crc, std::string_view data) {
  return ZlibExtend(crc, reinterpret_cast<const unsigned char*>(data.data()), data.size());
}

uint32_t Crc32Extend(uint32_t crc, std::string_view data) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  size_t n = data.size();
#ifdef SLATEDB_CRC32_CLMUL
  if (n >= 64 && Crc32Accelerated()) {
    const size_t folded = n & ~size_t{15};
    crc = ~FoldClmul(p, folded, ~crc);
    p += folded;
    n -= folded;
  }
#endif
  return ZlibExtend(crc, p, n);
}

uint32_t Crc32(std::string_view data) { return Crc32Extend(0, data); }

}  // namespace slatedb::util
