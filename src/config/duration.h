// config/duration.h — SlateDB duration strings ("100ms", "5s", "1s+500ms", "7days 30min").
//
// What: ParseDuration reads everything SlateDB 0.12..0.17 reads (its `duration_str` 0.11
// grammar) plus humantime-style long units and decimal fractions; FormatDuration prints what
// SlateDB's own serializer prints, which ParseDuration (and SlateDB) read back.
//
// Grammar (whitespace allowed anywhere between tokens):
//   duration := term (sep term)*        sep := '+' | '*' | nothing (adjacent or spaces mean '+')
//   term     := number [unit]           number := digits ['.' digits]
// A term without a unit is in seconds ("90" = 90 s), as in SlateDB. Units, case-insensitive:
//   ns nsec nsecs nanos nanosecond(s)   us µs usec(s) µsec usecond µsecond micros microsecond(s)
//   ms msec(s) millis millisecond(s)    s sec secs second(s)      m min mins minute(s)
//   h hr hrs hour(s)                    d day(s)                  w wk wks week(s)
//   mon month(s) (30 days)              y yr yrs year(s) (365 days)
// '+' sums the terms. '*' multiplies them as seconds ("1m*10" = 600 s, "1m*10ms" = 600 ms), as
// duration_str does (each step rounded down to a nanosecond); '+' and '*' cannot be mixed.
// The result must be a whole number of milliseconds ("0.5ms", "1500us" are refused) and fit
// in 2^64-1 nanoseconds (about 584 years; SlateDB's limit too): overflow is an error, never a
// wrap.
//
// FormatDuration (SlateDB's `serialize_duration`): whole seconds print as "<s>s" ("0s", "300s"),
// a duration below one second as three-digit "<mmm>ms" ("100ms", "050ms"), anything else as
// "<s>s+<mmm>ms" ("1s+500ms"). A negative duration prints as "-" followed by its magnitude,
// which does not parse (no setting may be negative).
//
// Thread safety: pure functions. Errors: kInvalid naming the input
// ("invalid duration '5 parsecs': unknown unit 'parsecs' (...)").
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "slatedb/status.h"

namespace slatedb::config {

Result<std::chrono::milliseconds> ParseDuration(std::string_view text);
std::string FormatDuration(std::chrono::milliseconds d);

}  // namespace slatedb::config
