// format/test_fixtures.h — test-only helpers: locate the peer fixtures and read files.
//
// Fixtures dir: $SLATEDB_FIXTURES, else $SLATEDB_SOURCE_DIR/../shared/peer/fixtures-0.12.1,
// else the path relative to this source file. Thread safety: pure functions. Errors: ReadFile
// returns std::nullopt if the file cannot be read.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace slatedb::format::testing {

inline std::string FixturesDir() {
  if (const char* env = std::getenv("SLATEDB_FIXTURES")) return env;
  std::filesystem::path src;
  if (const char* s = std::getenv("SLATEDB_SOURCE_DIR")) {
    src = s;
  } else {
    src = std::filesystem::path(__FILE__).parent_path().parent_path().parent_path();
  }
  std::filesystem::path p = src / ".." / "shared" / "peer" / "fixtures-0.12.1";
  if (!std::filesystem::exists(p)) {
    // Fall back to the checkout this file lives in.
    p = std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / ".." /
        "shared" / "peer" / "fixtures-0.12.1";
  }
  return p.lexically_normal().string();
}

inline std::string SourceDir() { return std::filesystem::path(__FILE__).parent_path().string(); }

inline std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace slatedb::format::testing
