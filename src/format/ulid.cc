#include "format/ulid.h"

namespace slatedb::format {
namespace {

constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr int kUlidChars = 26;

// The 5-bit group whose lowest bit is bit `shift` of the 128-bit value (high:low).
uint32_t FiveBitsAt(const Ulid& u, int shift) {
  if (shift >= 64) return static_cast<uint32_t>((u.high >> (shift - 64)) & 31);
  if (shift + 5 <= 64) return static_cast<uint32_t>((u.low >> shift) & 31);
  // Straddles the two words (shift in 60..63).
  return static_cast<uint32_t>(((u.high << (64 - shift)) | (u.low >> shift)) & 31);
}

int CrockfordValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  for (int i = 10; i < 32; ++i) {
    if (kCrockford[i] == c) return i;
  }
  return -1;
}

}  // namespace

Ulid Ulid::New(int64_t unix_millis, util::Random& rng) {
  const uint64_t ts = static_cast<uint64_t>(unix_millis) & 0xFFFFFFFFFFFFull;
  Ulid u;
  u.high = (ts << 16) | (rng.Next64() & 0xFFFF);
  u.low = rng.Next64();
  return u;
}

Result<Ulid> Ulid::Parse(std::string_view text) {
  if (text.size() != kUlidChars) {
    return Status::Invalid("ulid: expected 26 characters, got " + std::to_string(text.size()) +
                           " in '" + std::string(text) + "'");
  }
  Ulid u;
  for (int i = 0; i < kUlidChars; ++i) {
    const int v = CrockfordValue(text[i]);
    if (v < 0 || (i == 0 && v > 7)) {
      return Status::Invalid("ulid: invalid character '" + std::string(1, text[i]) +
                             "' at position " + std::to_string(i) + " in '" + std::string(text) +
                             "'");
    }
    // Shift the 128-bit value left by 5 and add v.
    u.high = (u.high << 5) | (u.low >> 59);
    u.low = (u.low << 5) | static_cast<uint64_t>(v);
  }
  return u;
}

std::string Ulid::ToString() const {
  std::string out(kUlidChars, '0');
  for (int i = 0; i < kUlidChars; ++i) {
    out[i] = kCrockford[FiveBitsAt(*this, 125 - 5 * i)];
  }
  return out;
}

Ulid UlidGenerator::Next(int64_t unix_millis) {
  util::MutexLock lock(&mu_);
  Ulid next = Ulid::New(unix_millis, rng_);
  if (has_last_ && next <= last_) {
    // Same (or earlier) millisecond: increment the previous id; the carry may reach the
    // timestamp bits, which keeps the order strict.
    next = last_;
    if (++next.low == 0) ++next.high;
  }
  last_ = next;
  has_last_ = true;
  return next;
}

}  // namespace slatedb::format
