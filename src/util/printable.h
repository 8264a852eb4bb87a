// util/printable.h — keys and values in error messages: printable ASCII kept, other bytes as
// \xNN, long inputs cut (with their length), so a message names the key without flooding logs.
// Thread safety: pure function. Ownership: returns a new string. Errors: none.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace slatedb::util {

inline std::string PrintableKey(std::string_view key, size_t max_bytes = 64) {
  std::string out;
  const size_t n = key.size() < max_bytes ? key.size() : max_bytes;
  for (size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(key[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[5];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    }
  }
  if (n < key.size()) out += "...(" + std::to_string(key.size()) + " bytes)";
  return out;
}

}  // namespace slatedb::util
