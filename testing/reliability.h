// testing/reliability.h — small helpers shared by the reliability tests (tests only, header-only):
// seeds and counts from environment variables, writing to a child's stdin, S3 (moto) setup for
// child processes, and parsing `slatedb --hex scan` output.
//
// Thread safety: every function is independent and may be called from any thread.
// Ownership: none (values only). Errors: functions report failure through their return value
// (false / std::nullopt) with a reason in `*why` where there is one; nothing throws.
#pragma once

#include <poll.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "subprocess.h"
#include "util/coding.h"
#include "util/random.h"

namespace slatedb::testing {

// Objects that are not the engine's own, under database path "db", in every directory it reads:
// nested copies, near-miss names, temp-like names. Writers, readers, compactors and GC must
// ignore them and never delete them (or fence on them).
inline const std::vector<std::string>& StrayObjects() {
  static const std::vector<std::string> strays = {
      "db/manifest/backup/00000000000000000009.manifest",
      "db/manifest/0000000000000000001.manifest",
      "db/manifest/00000000000000000099.manifest.tmp",
      "db/wal/backup/00000000000000000100.sst",
      "db/wal/000000000000000000100.sst",
      "db/wal/00000000000000000777.txt",
      "db/compacted/01arz3ndektsv4rrffq69g5fav.sst",
      "db/compacted/old/01ARZ3NDEKTSV4RRFFQ69G5FAV.sst",
      "db/compactions/00000000000000000005.compactions.bak",
      "db/compactions/copy/00000000000000000005.compactions",
      "db/gc/notes.txt",
      "db/gc/old/00000000000000000001.manifest",
  };
  return strays;
}

// The value of environment variable `name` as an unsigned integer, else `fallback`.
inline uint64_t EnvU64(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  char* end = nullptr;
  unsigned long long x = std::strtoull(v, &end, 10);
  return (end != nullptr && *end == '\0') ? static_cast<uint64_t>(x) : fallback;
}

// Our CLI: testing::OurCli() if it exists, else tools/cli/slatedb next to this test's build
// tree (<build>/tests/<test> -> <build>/tools/cli/slatedb), so the tests also find it when
// ctest does not pass SLATEDB_BINARY_DIR.
inline std::string CliPath() {
  std::string cli = OurCli();
  if (access(cli.c_str(), X_OK) == 0) return cli;
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n <= 0) return cli;
  std::string exe(self, static_cast<size_t>(n));
  size_t slash = exe.rfind('/');
  if (slash == std::string::npos) return cli;
  std::string dir = exe.substr(0, slash);  // <build>/tests
  slash = dir.rfind('/');
  if (slash == std::string::npos) return cli;
  std::string guess = dir.substr(0, slash) + "/tools/cli/slatedb";
  return access(guess.c_str(), X_OK) == 0 ? guess : cli;
}

// $SLATEDB_TEST_SEED if set (replays a run exactly), else a fresh seed.
inline uint64_t TestSeed() {
  uint64_t s = EnvU64("SLATEDB_TEST_SEED", 0);
  return s != 0 ? s : (util::EntropySeed() % 1000000000ULL) + 1;
}

// Writes all of `data` to `fd` (blocking or not). False once the reader is gone (EPIPE) or on
// another error. SIGPIPE must be ignored by the caller (RunProcess/BackgroundProcess users do).
inline bool WriteAllFd(int fd, std::string_view data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t w = write(fd, data.data() + done, data.size() - done);
    if (w > 0) {
      done += static_cast<size_t>(w);
      continue;
    }
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && errno == EAGAIN) {
      pollfd p{fd, POLLOUT, 0};
      poll(&p, 1, 100);
      continue;
    }
    return false;
  }
  return true;
}

// An S3 (moto) database location for child processes: the url and the AWS_* variables.
struct S3Target {
  std::string url;
  std::map<std::string, std::string> env;
};

// Uses $SLATEDB_TEST_S3_ENDPOINT: creates bucket `bucket` (lower-cased) with curl and returns
// the target. std::nullopt with `*why` set when no endpoint is configured or creation fails.
inline std::optional<S3Target> MakeS3Target(std::string bucket, std::string* why) {
  const char* endpoint = std::getenv("SLATEDB_TEST_S3_ENDPOINT");
  if (endpoint == nullptr || *endpoint == '\0') {
    *why = "SLATEDB_TEST_S3_ENDPOINT not set (scripts/test.sh starts moto_server)";
    return std::nullopt;
  }
  for (auto& c : bucket) {
    c = std::isalnum(static_cast<unsigned char>(c))
            ? static_cast<char>(std::tolower(static_cast<unsigned char>(c)))
            : '-';
  }
  auto r = RunProcess({"curl", "-sf", "-X", "PUT", std::string(endpoint) + "/" + bucket});
  if (r.exit_code != 0) {
    *why = "could not create bucket " + bucket + ": " + r.err;
    return std::nullopt;
  }
  S3Target t;
  t.url = "s3://" + bucket + "/rel";
  t.env = {{"AWS_ENDPOINT_URL", endpoint},    {"AWS_ENDPOINT", endpoint},
           {"AWS_ALLOW_HTTP", "true"},        {"AWS_ACCESS_KEY_ID", "test"},
           {"AWS_SECRET_ACCESS_KEY", "test"}, {"AWS_REGION", "us-east-1"}};
  return t;
}

// Parses `key<TAB>value` lines of hex (`slatedb --hex scan`). std::nullopt with `*why` naming
// the bad line on malformed input or a repeated key.
inline std::optional<std::map<std::string, std::string>> ParseHexScan(std::string_view out,
                                                                      std::string* why) {
  std::map<std::string, std::string> rows;
  size_t pos = 0, line_no = 0;
  while (pos < out.size()) {
    size_t nl = out.find('\n', pos);
    if (nl == std::string_view::npos) nl = out.size();
    std::string_view line = out.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (line.empty()) continue;
    size_t tab = line.find('\t');
    std::string k, v;
    if (tab == std::string_view::npos || !util::FromHex(line.substr(0, tab), &k) ||
        !util::FromHex(line.substr(tab + 1), &v)) {
      *why = "scan line " + std::to_string(line_no) + " is malformed: " + std::string(line);
      return std::nullopt;
    }
    if (!rows.emplace(std::move(k), std::move(v)).second) {
      *why = "scan line " + std::to_string(line_no) + " repeats a key: " + std::string(line);
      return std::nullopt;
    }
  }
  return rows;
}

}  // namespace slatedb::testing
