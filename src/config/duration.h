// config/duration.h — SlateDB duration strings ("100ms", "5s", "5m", "1h", "1m30s").
//
// Parse accepts one or more <non-negative integer><unit> groups, optionally separated by
// spaces, summed: units ns, us, ms, s, m (or min), h, d. The total must be a whole number of
// milliseconds. Format prints what SlateDB 0.12 prints: "<n>s" for whole seconds, else "<n>ms"
// (so 300 s prints as "300s", not "5m").
// Thread safety: pure functions. Errors: kInvalid naming the input ("invalid duration 'x': ...").
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "slatedb/status.h"

namespace slatedb::config {

Result<std::chrono::milliseconds> ParseDuration(std::string_view text);
std::string FormatDuration(std::chrono::milliseconds d);

}  // namespace slatedb::config
