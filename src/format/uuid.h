// format/uuid.h — RFC 4122 UUIDs: checkpoint ids and external-DB ids (docs/format.md §3.2).
//
// What: `Uuid` (value type). `high` = first 8 bytes of the RFC byte string read big-endian,
// `low` = last 8, exactly as the FlatBuffers `fb::Uuid` table stores them. Text form
// 8-4-4-4-12 lower-case hex. New ids are random version-4 UUIDs drawn from a seeded Random.
// Thread safety and ownership: plain value type. Errors: `Uuid::Parse` returns kInvalid naming the
// text.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "slatedb/status.h"
#include "util/random.h"

namespace slatedb::format {

struct Uuid {
  uint64_t high = 0;
  uint64_t low = 0;

  // A random version-4 (variant 10xx) UUID.
  static Uuid NewV4(util::Random& rng);
  // Parses "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (hex, either case).
  static Result<Uuid> Parse(std::string_view text);

  std::string ToString() const;
  int version() const { return static_cast<int>((high >> 12) & 0xF); }

  auto operator<=>(const Uuid&) const = default;
  bool operator==(const Uuid&) const = default;
};

}  // namespace slatedb::format
