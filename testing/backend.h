// Object stores for tests parameterised by backend: "memory", "local" (a directory the caller
// owns and keeps alive) or "s3" (moto at $SLATEDB_TEST_S3_ENDPOINT, a fresh bucket per call).
// The kind is matched case-insensitively, so "Local" and "S3" work as parameter names too.
//
// Thread safety: call from a test's SetUp (reads the environment, creates a bucket).
// Ownership: the returned store is shared; the local directory stays the caller's.
// Errors: kInvalid naming an unknown kind; the store's own error when it cannot be opened or the
// bucket cannot be created. A backend that is not available on this machine (no moto) is not an
// error: `skip` says why, and the test should GTEST_SKIP() with it.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "object_store/s3_object_store.h"
#include "slatedb/object_store.h"
#include "slatedb/status.h"
#include "util/random.h"

namespace slatedb::testing {

struct TestStore {
  std::shared_ptr<ObjectStore> store;  // null when skipped
  std::string skip;                    // non-empty: the backend is unavailable, and why
  std::string s3_bucket;               // the bucket created for "s3"
};

// The S3 settings of the moto server the test script started, or std::nullopt without one.
inline std::optional<S3Config> MotoS3Config(std::string_view bucket_prefix,
                                            std::string prefix = "") {
  const char* endpoint = std::getenv("SLATEDB_TEST_S3_ENDPOINT");
  if (endpoint == nullptr || *endpoint == '\0') return std::nullopt;
  S3Config c;
  // A name no earlier run on the same server used (pids are reused across runs).
  c.bucket = std::string(bucket_prefix) + "-" + std::to_string(util::EntropySeed() % 1000000007);
  c.endpoint = endpoint;
  c.allow_http = true;
  c.access_key_id = "testing";
  c.secret_access_key = "testing";
  c.prefix = std::move(prefix);
  return c;
}

// The environment a child process (our CLI) needs to reach the moto server MotoS3Config names,
// with MotoS3Config's credentials; empty without moto.
inline std::map<std::string, std::string> MotoCliEnv() {
  const char* endpoint = std::getenv("SLATEDB_TEST_S3_ENDPOINT");
  if (endpoint == nullptr || *endpoint == '\0') return {};
  return {{"AWS_ENDPOINT_URL", endpoint},
          {"AWS_ALLOW_HTTP", "true"},
          {"AWS_ACCESS_KEY_ID", "testing"},
          {"AWS_SECRET_ACCESS_KEY", "testing"},
          {"AWS_REGION", "us-east-1"}};
}

inline Result<TestStore> MakeTestStore(std::string_view kind, const std::string& local_dir,
                                       std::string_view bucket_prefix, std::string s3_prefix = "") {
  std::string k(kind);
  std::transform(k.begin(), k.end(), k.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  TestStore t;
  if (k == "memory") {
    t.store = NewMemoryObjectStore();
    return t;
  }
  if (k == "local") {
    auto s = NewLocalObjectStore(local_dir);
    if (!s.ok()) return s.status();
    t.store = *s;
    return t;
  }
  if (k != "s3") return Status::Invalid("unknown test backend '" + std::string(kind) + "'");
  auto c = MotoS3Config(bucket_prefix, std::move(s3_prefix));
  if (!c) {
    t.skip = "SLATEDB_TEST_S3_ENDPOINT not set (scripts/test.sh starts moto)";
    return t;
  }
  if (Status st = CreateS3Bucket(*c); !st.ok()) return st;
  auto s = NewS3ObjectStore(*c);
  if (!s.ok()) return s.status();
  t.store = *s;
  t.s3_bucket = c->bucket;
  return t;
}

}  // namespace slatedb::testing
