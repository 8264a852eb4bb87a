// config/duration.cc — see duration.h.
#include "config/duration.h"

#include <cstdint>
#include <string>

namespace slatedb::config {
namespace {

Status Bad(std::string_view text, std::string_view why) {
  return Status::Invalid("invalid duration '" + std::string(text) + "': " + std::string(why) +
                         " (expected e.g. \"100ms\", \"5s\", \"1m30s\")");
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Nanoseconds per unit, or 0 for an unknown unit.
uint64_t UnitNanos(std::string_view unit) {
  if (unit == "ns") return 1;
  if (unit == "us") return 1000;
  if (unit == "ms") return 1000000;
  if (unit == "s") return 1000000000ULL;
  if (unit == "m" || unit == "min") return 60ULL * 1000000000ULL;
  if (unit == "h") return 3600ULL * 1000000000ULL;
  if (unit == "d") return 86400ULL * 1000000000ULL;
  return 0;
}

}  // namespace

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  size_t i = 0;
  const size_t n = text.size();
  uint64_t total_ns = 0;
  int groups = 0;
  while (true) {
    while (i < n && text[i] == ' ') ++i;
    if (i == n) break;
    if (!IsDigit(text[i])) return Bad(text, "expected a number");
    uint64_t number = 0;
    while (i < n && IsDigit(text[i])) {
      if (__builtin_mul_overflow(number, 10ULL, &number) ||
          __builtin_add_overflow(number, static_cast<uint64_t>(text[i] - '0'), &number)) {
        return Bad(text, "too large");
      }
      ++i;
    }
    size_t unit_start = i;
    while (i < n && IsAlpha(text[i])) ++i;
    std::string_view unit = text.substr(unit_start, i - unit_start);
    if (unit.empty()) return Bad(text, "missing unit");
    uint64_t unit_ns = UnitNanos(unit);
    if (unit_ns == 0) return Bad(text, "unknown unit '" + std::string(unit) + "'");
    uint64_t ns = 0;
    if (__builtin_mul_overflow(number, unit_ns, &ns) ||
        __builtin_add_overflow(total_ns, ns, &total_ns)) {
      return Bad(text, "too large");
    }
    ++groups;
  }
  if (groups == 0) return Bad(text, "empty");
  if (total_ns % 1000000 != 0) return Bad(text, "not a whole number of milliseconds");
  uint64_t ms = total_ns / 1000000;
  return std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(ms));
}

std::string FormatDuration(std::chrono::milliseconds d) {
  int64_t ms = d.count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

}  // namespace slatedb::config
