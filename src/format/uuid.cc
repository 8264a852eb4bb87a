#include "format/uuid.h"

namespace slatedb::format {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsDashPosition(size_t i) { return i == 8 || i == 13 || i == 18 || i == 23; }

}  // namespace

Uuid Uuid::NewV4(util::Random& rng) {
  Uuid u;
  u.high = rng.Next64();
  u.low = rng.Next64();
  u.high = (u.high & ~0xF000ull) | 0x4000ull;                          // version 4
  u.low = (u.low & ~(0xC000000000000000ull)) | 0x8000000000000000ull;  // variant 10
  return u;
}

Result<Uuid> Uuid::Parse(std::string_view text) {
  if (text.size() != 36) {
    return Status::Invalid("uuid: expected 36 characters (8-4-4-4-12), got '" + std::string(text) +
                           "'");
  }
  Uuid u;
  int nibbles = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (IsDashPosition(i)) {
      if (text[i] != '-') {
        return Status::Invalid("uuid: expected '-' at position " + std::to_string(i) + " in '" +
                               std::string(text) + "'");
      }
      continue;
    }
    const int v = HexValue(text[i]);
    if (v < 0) {
      return Status::Invalid("uuid: invalid hex character at position " + std::to_string(i) +
                             " in '" + std::string(text) + "'");
    }
    uint64_t& word = nibbles < 16 ? u.high : u.low;
    word = (word << 4) | static_cast<uint64_t>(v);
    ++nibbles;
  }
  return u;
}

std::string Uuid::ToString() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int n = 0; n < 32; ++n) {
    if (n == 8 || n == 12 || n == 16 || n == 20) out.push_back('-');
    const uint64_t word = n < 16 ? high : low;
    const int shift = 60 - 4 * (n % 16);
    out.push_back(kHex[(word >> shift) & 0xF]);
  }
  return out;
}

}  // namespace slatedb::format
