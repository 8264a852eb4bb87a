#include "format/boundary.h"

#include <cstdint>

namespace slatedb::format {

std::string EncodeBoundary(uint64_t boundary) { return std::to_string(boundary); }

Result<uint64_t> DecodeBoundary(std::string_view bytes) {
  auto bad = [&](const char* why) {
    std::string shown(bytes.substr(0, 32));
    for (char& c : shown) {
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
    }
    return Status::Data("gc boundary: " + std::string(why) + " in " + std::to_string(bytes.size()) +
                        " bytes \"" + shown + (bytes.size() > 32 ? "...\"" : "\""));
  };
  auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (!bytes.empty() && is_space(bytes.front())) bytes.remove_prefix(1);
  while (!bytes.empty() && is_space(bytes.back())) bytes.remove_suffix(1);
  if (!bytes.empty() && bytes.front() == '+') bytes.remove_prefix(1);
  if (bytes.empty()) return bad("no decimal number");
  uint64_t value = 0;
  for (char c : bytes) {
    if (c < '0' || c > '9') return bad("a character that is not a decimal digit");
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return bad("a number above 2^64-1");
    value = value * 10 + digit;
  }
  return value;
}

}  // namespace slatedb::format
