#include "slatedb/status.h"

namespace slatedb {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "OK";
    case StatusCode::kInvalid:
      return "Invalid";
    case StatusCode::kUnavailable:
      return "Unavailable";
    case StatusCode::kData:
      return "Data";
    case StatusCode::kClosed:
      return "Closed";
    case StatusCode::kTransaction:
      return "Transaction";
    case StatusCode::kInternal:
      return "Internal";
    case StatusCode::kNotFound:
      return "NotFound";
    case StatusCode::kAlreadyExists:
      return "AlreadyExists";
    case StatusCode::kPreconditionFailed:
      return "PreconditionFailed";
    case StatusCode::kPermissionDenied:
      return "PermissionDenied";
  }
  return "Unknown";
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  return Status(code_, std::string(context) + ": " + message_, reason_);
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string s(StatusCodeName(code_));
  if (code_ == StatusCode::kClosed) {
    switch (reason_) {
      case CloseReason::kFenced:
        s += "(fenced)";
        break;
      case CloseReason::kClean:
        s += "(clean)";
        break;
      case CloseReason::kPanic:
        s += "(panic)";
        break;
      case CloseReason::kNone:
        break;
    }
  }
  s += ": ";
  s += message_;
  return s;
}

}  // namespace slatedb
