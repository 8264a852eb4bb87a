// format/ulid.h — ULIDs: 128-bit ids (48-bit Unix-ms timestamp + 80 random bits) used for SST
// ids and compaction ids (docs/format.md §3.1).
//
// What: `Ulid` (value type; text form = 26 upper-case Crockford base32 characters, most
// significant first), `UlidGenerator` (strictly increasing ids within one process, even inside one
// millisecond). Conversions to/from the FlatBuffers `fb::Ulid` table live in manifest_codec.h.
// Thread safety: `Ulid` is a value; `UlidGenerator` is thread-safe (internal mutex).
// Ownership: plain values; the generator owns its seeded Random.
// Errors: `Ulid::Parse` returns kInvalid naming the offending text.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "slatedb/status.h"
#include "util/mutex.h"
#include "util/random.h"

namespace slatedb::format {

struct Ulid {
  uint64_t high = 0;  // bits 127..64: timestamp (ms) << 16 | top 16 random bits
  uint64_t low = 0;   // bits 63..0: random

  // A fresh ULID for `unix_millis` (only the low 48 bits are used) with 80 bits from `rng`.
  static Ulid New(int64_t unix_millis, util::Random& rng);
  // Parses 26 Crockford base32 characters (case-insensitive). kInvalid on anything else,
  // including a first character above '7' (which would overflow 128 bits).
  static Result<Ulid> Parse(std::string_view text);

  // 26 upper-case Crockford base32 characters.
  std::string ToString() const;
  // The 48-bit Unix-millisecond timestamp.
  uint64_t TimestampMillis() const { return high >> 16; }

  auto operator<=>(const Ulid&) const = default;
  bool operator==(const Ulid&) const = default;
};

// Mints ULIDs that strictly increase across calls: when the clock does not advance (or goes
// backwards) the previous id plus one is returned, so ids sort in creation order.
// Thread-safe.
class UlidGenerator {
 public:
  explicit UlidGenerator(uint64_t seed) : rng_(seed) {}
  Ulid Next(int64_t unix_millis);

 private:
  util::Mutex mu_;
  util::Random rng_ GUARDED_BY(mu_);
  Ulid last_ GUARDED_BY(mu_);
  bool has_last_ GUARDED_BY(mu_) = false;
};

}  // namespace slatedb::format
