// fuzz/fuzz_util.h — helpers shared by the libFuzzer targets in fuzz/*_fuzzer.cc.
//
// What: FUZZ_CHECK(cond, what) aborts (so libFuzzer records a crash and saves the input) when an
// invariant of the code under test is broken; ExpectCode checks that a failing decoder returned
// the documented status code; FuzzInput splits the input into a few selector bytes and the rest.
// Thread safety: single-threaded (libFuzzer runs one input at a time).
// Ownership: FuzzInput views the caller's buffer, which must outlive it.
// Errors: none returned; a broken invariant prints a message to stderr and aborts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "slatedb/status.h"

namespace slatedb::fuzz {

[[noreturn]] inline void Fail(const char* file, int line, const char* what) {
  std::fprintf(stderr, "FUZZ INVARIANT FAILED at %s:%d: %s\n", file, line, what);
  std::abort();
}

#define FUZZ_CHECK(cond, what)                                      \
  do {                                                              \
    if (!(cond)) ::slatedb::fuzz::Fail(__FILE__, __LINE__, (what)); \
  } while (0)

// A decoder that fails must fail with `expected` (kData for objects, kInvalid for settings) and
// a non-empty message; anything else (kInternal, an empty message) is a finding.
inline void ExpectCode(const Status& st, StatusCode expected, const char* decoder) {
  if (st.ok()) return;
  if (st.code() != expected || st.message().empty()) {
    std::fprintf(stderr, "FUZZ: %s failed with unexpected status: %s\n", decoder,
                 st.ToString().c_str());
    std::abort();
  }
}

// Consumes selector bytes from the front of the input; the rest is the payload.
class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) : rest_(reinterpret_cast<const char*>(data), size) {}
  // The next byte (0 when the input is exhausted).
  uint8_t TakeByte() {
    if (rest_.empty()) return 0;
    uint8_t b = static_cast<uint8_t>(rest_[0]);
    rest_.remove_prefix(1);
    return b;
  }
  std::string_view rest() const { return rest_; }

 private:
  std::string_view rest_;
};

inline std::string_view AsView(const uint8_t* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

}  // namespace slatedb::fuzz
