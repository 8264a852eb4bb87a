// testing/cli_engines.h — the two command lines the compatibility tests drive (our `slatedb`
// CLI and the SlateDB 0.12.1 peer) and where they run: a local directory or a fresh bucket on
// the moto server the test script started.
//
// Thread safety: call from a test's SetUp (reads the environment, runs curl to create a bucket).
// Ownership: plain values; the local directory stays the caller's.
// Errors: `skip` names what is missing on this machine (a CLI, moto) — the test should
// GTEST_SKIP() with it; `error` says why the bucket could not be created — the test should fail.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>

#include "subprocess.h"

namespace slatedb::testing {

struct Engine {
  std::string name;
  std::string cli;
  bool is_peer = false;
};

inline Engine PeerEngine() { return {"peer", PeerCli(), true}; }
inline Engine OurEngine() { return {"slatedb-cpp", OurCli(), false}; }

struct CliBackend {
  std::string url;                         // --url for both engines
  std::map<std::string, std::string> env;  // extra environment (S3: endpoint and credentials)
  std::string skip;                        // non-empty: unavailable here, and why
  std::string error;                       // non-empty: setting up failed, and why
};

// kind "local": file://<dir>. kind "s3": a new bucket "<bucket_prefix>-<dir's name>" on
// $SLATEDB_TEST_S3_ENDPOINT and the url s3://<bucket>/<root>, with the AWS variables both
// engines read. Also reports (as `skip`) a missing CLI of either engine.
inline CliBackend MakeCliBackend(const std::string& kind, const std::string& dir,
                                 const std::string& bucket_prefix, const std::string& root) {
  CliBackend b;
  for (const Engine& e : {OurEngine(), PeerEngine()}) {
    if (!std::filesystem::exists(e.cli)) {
      b.skip = e.name + " CLI not found: " + e.cli;
      return b;
    }
  }
  if (kind == "local") {
    b.url = "file://" + dir;
    return b;
  }
  const char* endpoint = std::getenv("SLATEDB_TEST_S3_ENDPOINT");
  if (endpoint == nullptr || *endpoint == '\0') {
    b.skip = "SLATEDB_TEST_S3_ENDPOINT not set (scripts/test.sh starts moto_server)";
    return b;
  }
  std::string bucket = bucket_prefix + "-" + std::filesystem::path(dir).filename().string();
  std::transform(bucket.begin(), bucket.end(), bucket.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto r = RunProcess({"curl", "-sf", "-X", "PUT", std::string(endpoint) + "/" + bucket});
  if (r.exit_code != 0) {
    b.error = "could not create bucket " + bucket + ": " + r.err;
    return b;
  }
  b.env = {{"AWS_ENDPOINT_URL", endpoint},    {"AWS_ENDPOINT", endpoint},
           {"AWS_ALLOW_HTTP", "true"},        {"AWS_ACCESS_KEY_ID", "test"},
           {"AWS_SECRET_ACCESS_KEY", "test"}, {"AWS_REGION", "us-east-1"}};
  b.url = "s3://" + bucket + "/" + root;
  return b;
}

}  // namespace slatedb::testing
