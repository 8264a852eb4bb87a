// format/test_fixtures.h — test-only helpers: locate the peer fixtures and read files.
//
// Fixtures dir: $SLATEDB_FIXTURES, else $SLATEDB_SOURCE_DIR/../shared/peer/fixtures-0.12.1,
// else beside the checkout (SLATEDB_TEST_SOURCE_ROOT, which slatedb_test() defines as the absolute
// source path; __FILE__ is relative when ccache rewrites paths under its base_dir). Thread safety:
// pure functions. Errors: ReadFile returns std::nullopt if the file cannot be read.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace slatedb::format::testing {

// The checkout's root directory.
inline std::filesystem::path SourceRoot() {
#ifdef SLATEDB_TEST_SOURCE_ROOT
  return std::filesystem::path(SLATEDB_TEST_SOURCE_ROOT);
#else
  return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path();
#endif
}

inline std::string FixturesDir() {
  if (const char* env = std::getenv("SLATEDB_FIXTURES")) return env;
  std::filesystem::path src;
  if (const char* s = std::getenv("SLATEDB_SOURCE_DIR")) {
    src = s;
  } else {
    src = SourceRoot();
  }
  std::filesystem::path p = src / ".." / "shared" / "peer" / "fixtures-0.12.1";
  if (!std::filesystem::exists(p)) {
    // Fall back to the checkout this file lives in.
    p = SourceRoot() / ".." / "shared" / "peer" / "fixtures-0.12.1";
  }
  return p.lexically_normal().string();
}

// src/format in the checkout (its testdata/ holds the golden files).
inline std::string SourceDir() { return (SourceRoot() / "src" / "format").string(); }

inline std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace slatedb::format::testing
