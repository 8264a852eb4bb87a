// slatedb/status.h — the error model of slatedb-cpp.
//
// What: `Status` (a code plus a human-readable message) and `Result<T>` (a value or a non-OK
// Status). The public kinds follow SlateDB's coarse error kinds (Invalid, Unavailable, Data,
// Closed(reason), Transaction, Internal); NotFound / AlreadyExists / PreconditionFailed /
// PermissionDenied are used by the object-store layer. A missing *key* is never an error: reads
// return `Result<std::optional<...>>`.
// Thread safety: values; safe to copy and move between threads. No exceptions are thrown.
// Messages are for people, not for matching: they name the offending input.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "slatedb/export.h"

namespace slatedb {

enum class StatusCode : int {
  kOk = 0,
  kInvalid,             // bad argument, bad configuration, unknown URL scheme, ...
  kUnavailable,         // transient: network, throttling, timeouts; the caller may retry
  kData,                // corrupt or unexpected data in an object (checksum, decode)
  kClosed,              // the database is closed; see CloseReason
  kTransaction,         // a transaction's commit conflicted (retry with a new transaction)
  kInternal,            // a bug or an invariant violation
  kNotFound,            // object store: the object does not exist
  kAlreadyExists,       // object store: create-if-absent lost (object exists)
  kPreconditionFailed,  // object store: put-if-match lost (etag changed)
  kPermissionDenied,    // object store: credentials rejected
};

enum class CloseReason : int { kNone = 0, kClean, kFenced, kPanic };

class [[nodiscard]] SLATEDB_EXPORT Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message, CloseReason reason = CloseReason::kNone)
      : code_(code), reason_(reason), message_(std::move(message)) {}

  static Status OK() { return Status(); }
  static Status Invalid(std::string m) { return {StatusCode::kInvalid, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status Data(std::string m) { return {StatusCode::kData, std::move(m)}; }
  static Status Closed(CloseReason r, std::string m) {
    return {StatusCode::kClosed, std::move(m), r};
  }
  static Status Fenced(std::string m) { return Closed(CloseReason::kFenced, std::move(m)); }
  static Status Transaction(std::string m) { return {StatusCode::kTransaction, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status PreconditionFailed(std::string m) {
    return {StatusCode::kPreconditionFailed, std::move(m)};
  }
  static Status PermissionDenied(std::string m) {
    return {StatusCode::kPermissionDenied, std::move(m)};
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  CloseReason close_reason() const { return reason_; }
  const std::string& message() const { return message_; }

  bool IsInvalid() const { return code_ == StatusCode::kInvalid; }
  bool IsUnavailable() const { return code_ == StatusCode::kUnavailable; }
  bool IsData() const { return code_ == StatusCode::kData; }
  bool IsClosed() const { return code_ == StatusCode::kClosed; }
  bool IsFenced() const { return IsClosed() && reason_ == CloseReason::kFenced; }
  bool IsTransaction() const { return code_ == StatusCode::kTransaction; }
  bool IsInternal() const { return code_ == StatusCode::kInternal; }
  bool IsNotFound() const { return code_ == StatusCode::kNotFound; }
  bool IsAlreadyExists() const { return code_ == StatusCode::kAlreadyExists; }
  bool IsPreconditionFailed() const { return code_ == StatusCode::kPreconditionFailed; }
  bool IsPermissionDenied() const { return code_ == StatusCode::kPermissionDenied; }

  // Returns a copy whose message is "<context>: <message>".
  Status WithContext(std::string_view context) const;

  // "Invalid: key is empty", "Closed(fenced): ...", "OK".
  std::string ToString() const;

  // Explicitly ignore a status (greppable).
  void PermitUnchecked() const {}

 private:
  StatusCode code_ = StatusCode::kOk;
  CloseReason reason_ = CloseReason::kNone;
  std::string message_;
};

SLATEDB_EXPORT std::string_view StatusCodeName(StatusCode code);

// Result<T>: either a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(runtime/explicit)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(runtime/explicit)
    assert(!std::get<Status>(v_).ok() && "Result constructed from an OK status");
    if (std::get<Status>(v_).ok()) v_ = Status::Internal("Result built from OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T value_or(T other) const& { return ok() ? value() : std::move(other); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace slatedb

#define SLATEDB_CONCAT_INNER_(a, b) a##b
#define SLATEDB_CONCAT_(a, b) SLATEDB_CONCAT_INNER_(a, b)

// Returns the status from the enclosing function if `expr` is not OK.
#define RETURN_IF_ERROR(expr)       \
  do {                              \
    ::slatedb::Status _st = (expr); \
    if (!_st.ok()) return _st;      \
  } while (0)

#define ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                           \
  if (!tmp.ok()) return tmp.status();          \
  lhs = std::move(tmp).value()

// ASSIGN_OR_RETURN(auto x, SomeResult()); declares/assigns on success, returns status otherwise.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(SLATEDB_CONCAT_(_result_, __LINE__), lhs, expr)
