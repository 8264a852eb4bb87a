// util/saturating.h — checked and saturating arithmetic for values that come from users
// (settings, per-write options, stored timestamps), so that no computation on them wraps.
//
// What: CheckedAdd / CheckedMul return std::nullopt on overflow; SaturatingAdd / SaturatingMul
// clamp to the type's range; SaturatingCast narrows with clamping; SaturatingDeadline adds a
// duration of any unit to a time point, clamping to time_point::max() instead of overflowing
// (std::chrono converts milliseconds::max() to nanoseconds by multiplying, which wraps).
// Thread safety: pure functions. Errors: none (overflow is reported as nullopt or clamped).
#pragma once

#include <chrono>
#include <limits>
#include <optional>
#include <type_traits>
#include <utility>

namespace slatedb::util {

template <typename T>
constexpr std::optional<T> CheckedAdd(T a, T b) {
  static_assert(std::is_integral_v<T>);
  T r;
  if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
  return r;
}

template <typename T>
constexpr std::optional<T> CheckedMul(T a, T b) {
  static_assert(std::is_integral_v<T>);
  T r;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
}

// a + b clamped to [min, max] of T (signed overflow goes to the side it overflowed to).
template <typename T>
constexpr T SaturatingAdd(T a, T b) {
  static_assert(std::is_integral_v<T>);
  T r;
  if (!__builtin_add_overflow(a, b, &r)) return r;
  if constexpr (std::is_signed_v<T>) {
    return b < 0 ? std::numeric_limits<T>::min() : std::numeric_limits<T>::max();
  }
  return std::numeric_limits<T>::max();
}

template <typename T>
constexpr T SaturatingMul(T a, T b) {
  static_assert(std::is_integral_v<T>);
  T r;
  if (!__builtin_mul_overflow(a, b, &r)) return r;
  if constexpr (std::is_signed_v<T>) {
    return (a < 0) != (b < 0) ? std::numeric_limits<T>::min() : std::numeric_limits<T>::max();
  }
  return std::numeric_limits<T>::max();
}

// `v` converted to To, clamped to To's range.
template <typename To, typename From>
constexpr To SaturatingCast(From v) {
  static_assert(std::is_integral_v<To> && std::is_integral_v<From>);
  if (std::cmp_less(v, std::numeric_limits<To>::min())) return std::numeric_limits<To>::min();
  if (std::cmp_greater(v, std::numeric_limits<To>::max())) return std::numeric_limits<To>::max();
  return static_cast<To>(v);
}

// now + d, or time_point::max() when that does not fit (d of any unit, e.g. milliseconds::max()).
// A negative d is treated as zero.
template <typename Clock, typename Dur, typename Rep, typename Period>
std::chrono::time_point<Clock, Dur> SaturatingDeadline(std::chrono::time_point<Clock, Dur> now,
                                                       std::chrono::duration<Rep, Period> d) {
  using TimePoint = std::chrono::time_point<Clock, Dur>;
  using In = std::chrono::duration<Rep, Period>;
  if (d <= In::zero()) return now;
  // Compare in d's unit after converting the room left (dividing, never multiplying).
  const Dur room = TimePoint::max() - now;
  if (std::chrono::duration_cast<In>(room) <= d) return TimePoint::max();
  return now + std::chrono::duration_cast<Dur>(d);
}

}  // namespace slatedb::util
