// util/coding.h — fixed-width big/little-endian integers and LEB128 varints.
//
// Thread safety: pure functions. Decoders take a `std::string_view*` cursor, advance it on
// success and return false (leaving the cursor unspecified) when the input is too short.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace slatedb::util {

inline void PutU16BE(std::string* dst, uint16_t v) {
  char b[2] = {static_cast<char>(v >> 8), static_cast<char>(v)};
  dst->append(b, 2);
}
inline void PutU32BE(std::string* dst, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (24 - 8 * i));
  dst->append(b, 4);
}
inline void PutU64BE(std::string* dst, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (56 - 8 * i));
  dst->append(b, 8);
}
inline void PutU32LE(std::string* dst, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (8 * i));
  dst->append(b, 4);
}

inline uint16_t LoadU16BE(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return static_cast<uint16_t>((u[0] << 8) | u[1]);
}
inline uint32_t LoadU32BE(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) | (uint32_t{u[2]} << 8) | u[3];
}
inline uint64_t LoadU64BE(const char* p) {
  return (uint64_t{LoadU32BE(p)} << 32) | LoadU32BE(p + 4);
}
inline uint32_t LoadU32LE(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t{u[3]} << 24) | (uint32_t{u[2]} << 16) | (uint32_t{u[1]} << 8) | u[0];
}

inline bool GetU16BE(std::string_view* in, uint16_t* v) {
  if (in->size() < 2) return false;
  *v = LoadU16BE(in->data());
  in->remove_prefix(2);
  return true;
}
inline bool GetU32BE(std::string_view* in, uint32_t* v) {
  if (in->size() < 4) return false;
  *v = LoadU32BE(in->data());
  in->remove_prefix(4);
  return true;
}
inline bool GetU64BE(std::string_view* in, uint64_t* v) {
  if (in->size() < 8) return false;
  *v = LoadU64BE(in->data());
  in->remove_prefix(8);
  return true;
}

inline void PutVarint32(std::string* dst, uint32_t v) {
  char buf[5];
  int n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  dst->append(buf, n);
}
inline size_t VarintLength(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}
// Unsigned LEB128 in the u32 range.
inline bool GetVarint32(std::string_view* in, uint32_t* v) {
  uint32_t result = 0;
  for (int shift = 0; shift <= 28 && !in->empty(); shift += 7) {
    auto byte = static_cast<unsigned char>(in->front());
    in->remove_prefix(1);
    if (shift == 28 && (byte & 0xF0) != 0) return false;  // overflow of u32
    result |= static_cast<uint32_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}

// Lower-case hex of arbitrary bytes, and its inverse (false on bad input).
std::string ToHex(std::string_view bytes);
bool FromHex(std::string_view hex, std::string* out);

}  // namespace slatedb::util
