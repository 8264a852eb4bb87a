// format/boundary.h — the GC boundary objects of RFC-0026 (docs/format.md §9.3):
// `<db>/gc/manifest.boundary` and `<db>/gc/compactions.boundary`.
//
// What: the bytes of one boundary object are one unsigned 64-bit integer in ASCII decimal,
// without a newline ("40"); every manifest / `.compactions` id <= it is fenced. A missing
// object means 0 (callers handle that). EncodeBoundary writes SlateDB's form; DecodeBoundary
// accepts what SlateDB's reader accepts (surrounding ASCII whitespace and one leading '+').
// Thread safety: pure functions. Ownership: values only.
// Errors: DecodeBoundary → kData "gc boundary: ..." naming the bad content.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "slatedb/status.h"

namespace slatedb::format {

std::string EncodeBoundary(uint64_t boundary);
Result<uint64_t> DecodeBoundary(std::string_view bytes);

}  // namespace slatedb::format
