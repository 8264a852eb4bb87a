// config/duration.cc — see duration.h.
//
// All arithmetic is exact in unsigned 128-bit nanoseconds, checked against 2^64-1 after every
// step, so nothing can wrap.
#include "config/duration.h"

#include <cstdint>
#include <limits>
#include <string>

namespace slatedb::config {
namespace {

__extension__ typedef unsigned __int128 U128;  // NOLINT: GCC/Clang 128-bit integer

constexpr U128 kMaxNanos = std::numeric_limits<uint64_t>::max();
constexpr uint64_t kNanosPerMs = 1000000;
constexpr uint64_t kNanosPerSecond = 1000000000;
constexpr uint64_t kNanosPerDay = 86400 * kNanosPerSecond;
// Significant digits of one number; 10^36 * (365 days in ns) still fits in 128 bits.
constexpr int kMaxDigits = 36;

Status Bad(std::string_view text, std::string_view why) {
  return Status::Invalid("invalid duration '" + std::string(text) + "': " + std::string(why) +
                         " (expected e.g. \"100ms\", \"5s\", \"1s+500ms\", \"1h 30min\")");
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Length of a unit character at text[i]: ASCII letters, and the micro sign (U+00B5) or the
// Greek small mu (U+03BC) in UTF-8; 0 if none.
size_t UnitCharLen(std::string_view text, size_t i) {
  if (IsAsciiAlpha(text[i])) return 1;
  if (i + 1 < text.size()) {
    unsigned char a = static_cast<unsigned char>(text[i]);
    unsigned char b = static_cast<unsigned char>(text[i + 1]);
    if ((a == 0xC2 && b == 0xB5) || (a == 0xCE && b == 0xBC)) return 2;
  }
  return 0;
}

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Nanoseconds per unit, or 0 for an unknown unit. `unit` is lower-case; "u" stands for either
// micro sign.
uint64_t UnitNanos(const std::string& unit) {
  static constexpr struct {
    const char* names[8];
    uint64_t nanos;
  } kUnits[] = {
      {{"ns", "nsec", "nsecs", "nanos", "nanosecond", "nanoseconds"}, 1},
      {{"us", "usec", "usecs", "usecond", "micros", "microsecond", "microseconds"}, 1000},
      {{"ms", "msec", "msecs", "millis", "millisecond", "milliseconds"}, kNanosPerMs},
      {{"s", "sec", "secs", "second", "seconds"}, kNanosPerSecond},
      {{"m", "min", "mins", "minute", "minutes"}, 60 * kNanosPerSecond},
      {{"h", "hr", "hrs", "hour", "hours"}, 3600 * kNanosPerSecond},
      {{"d", "day", "days"}, kNanosPerDay},
      {{"w", "wk", "wks", "week", "weeks"}, 7 * kNanosPerDay},
      {{"mon", "month", "months"}, 30 * kNanosPerDay},
      {{"y", "yr", "yrs", "year", "years"}, 365 * kNanosPerDay},
  };
  for (const auto& u : kUnits) {
    for (const char* name : u.names) {
      if (name != nullptr && unit == name) return u.nanos;
    }
  }
  return 0;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<uint64_t> ParseNanos() {
    enum class Op { kNone, kPlus, kStar };
    SkipSpaces();
    if (i_ == text_.size()) return Bad(text_, "empty");
    ASSIGN_OR_RETURN(U128 total, Term());
    Op op = Op::kNone;
    while (true) {
      SkipSpaces();
      if (i_ == text_.size()) break;
      Op next;
      char c = text_[i_];
      if (c == '+') {
        next = Op::kPlus;
        ++i_;
      } else if (c == '*') {
        next = Op::kStar;
        ++i_;
      } else if (IsDigit(c)) {
        next = Op::kPlus;  // "1m30s", "1h 30min"
      } else {
        return Bad(text_, "unexpected '" + std::string(1, c) + "'");
      }
      if (op != Op::kNone && op != next) return Bad(text_, "'+' and '*' cannot be mixed");
      op = next;
      SkipSpaces();
      ASSIGN_OR_RETURN(U128 term, Term());
      if (op == Op::kPlus) {
        total += term;  // both <= 2^64-1: no 128-bit overflow
      } else {
        total = total * term / kNanosPerSecond;  // seconds times seconds, rounded down
      }
      if (total > kMaxNanos) return Bad(text_, "too large");
    }
    return static_cast<uint64_t>(total);
  }

 private:
  void SkipSpaces() {
    while (i_ < text_.size() && IsSpace(text_[i_])) ++i_;
  }

  // number [unit], in nanoseconds (<= 2^64-1).
  Result<U128> Term() {
    if (i_ == text_.size() || !IsDigit(text_[i_])) return Bad(text_, "expected a number");
    U128 mantissa = 0;
    int digits = 0;      // significant digits in the mantissa
    int frac_scale = 0;  // mantissa = value * 10^frac_scale
    auto add_digit = [&](char c) -> bool {
      if (digits == 0 && c == '0') return true;  // leading zero
      if (++digits > kMaxDigits) return false;
      mantissa = mantissa * 10 + static_cast<unsigned>(c - '0');
      return true;
    };
    while (i_ < text_.size() && IsDigit(text_[i_])) {
      if (!add_digit(text_[i_++])) return Bad(text_, "too large");
    }
    if (i_ + 1 < text_.size() && text_[i_] == '.' && IsDigit(text_[i_ + 1])) {
      ++i_;
      size_t start = i_;
      while (i_ < text_.size() && IsDigit(text_[i_])) ++i_;
      size_t end = i_;
      while (end > start && text_[end - 1] == '0') --end;  // trailing zeros add nothing
      for (size_t j = start; j < end; ++j) {
        if (!add_digit(text_[j])) return Bad(text_, "too many digits");
        ++frac_scale;
      }
    }
    SkipSpaces();  // "2 hours"
    size_t unit_start = i_;
    std::string unit;
    while (i_ < text_.size()) {
      size_t len = UnitCharLen(text_, i_);
      if (len == 0) break;
      unit += len == 1 ? text_.substr(i_, 1) : std::string_view("u");
      i_ += len;
    }
    uint64_t unit_nanos = kNanosPerSecond;  // no unit: seconds, as in SlateDB
    if (!unit.empty()) {
      unit_nanos = UnitNanos(LowerAscii(unit));
      if (unit_nanos == 0) {
        return Bad(text_,
                   "unknown unit '" + std::string(text_.substr(unit_start, i_ - unit_start)) + "'");
      }
    }
    U128 nanos = 0;
    if (__builtin_mul_overflow(mantissa, static_cast<U128>(unit_nanos), &nanos)) {
      return Bad(text_, "too large");
    }
    // Leading zeros of the fraction count in frac_scale but not in the digits, so it is unbounded
    // ("0.000…0006ms"). 10^38 is the largest power of ten below 2^128: beyond it a non-zero
    // `nanos` (< 2^128) cannot be a multiple of 10^frac_scale (and the power would wrap to 0).
    constexpr int kMaxScale = 38;
    if (frac_scale > kMaxScale) {
      if (nanos != 0) return Bad(text_, "not a whole number of milliseconds");
      return nanos;
    }
    U128 scale = 1;
    for (int k = 0; k < frac_scale; ++k) scale *= 10;
    if (nanos % scale != 0) return Bad(text_, "not a whole number of milliseconds");
    nanos /= scale;
    if (nanos > kMaxNanos) return Bad(text_, "too large");
    return nanos;
  }

  std::string_view text_;
  size_t i_ = 0;
};

std::string FormatMillis(uint64_t ms) {
  uint64_t secs = ms / 1000;
  uint64_t millis = ms % 1000;
  std::string padded = std::to_string(millis);
  padded.insert(0, 3 - padded.size(), '0');
  if (millis == 0) return std::to_string(secs) + "s";
  if (secs == 0) return padded + "ms";
  return std::to_string(secs) + "s+" + padded + "ms";
}

}  // namespace

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  Parser parser(text);
  ASSIGN_OR_RETURN(uint64_t nanos, parser.ParseNanos());
  if (nanos % kNanosPerMs != 0) return Bad(text, "not a whole number of milliseconds");
  // <= 2^64 / 10^6: fits the signed representation.
  return std::chrono::milliseconds(
      static_cast<std::chrono::milliseconds::rep>(nanos / kNanosPerMs));
}

std::string FormatDuration(std::chrono::milliseconds d) {
  int64_t ms = d.count();
  if (ms >= 0) return FormatMillis(static_cast<uint64_t>(ms));
  // Magnitude without negating INT64_MIN. (Built by inserting the '-': at -O3, g++ 12 reports a
  // false -Wrestrict for `"-" + std::string`, GCC bug 105329.)
  std::string s = FormatMillis(static_cast<uint64_t>(-(ms + 1)) + 1);
  s.insert(s.begin(), '-');
  return s;
}

}  // namespace slatedb::config
