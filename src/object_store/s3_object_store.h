// object_store/s3_object_store.h — S3 and S3-compatible object stores (`s3://bucket[/prefix]`).
//
// What: an ObjectStore over the S3 REST API using libcurl (CURLOPT_AWS_SIGV4 signing; we set
// x-amz-content-sha256 ourselves and pre-sort/encode query strings, as libcurl 7.88 needs).
// Path-style addressing (endpoint/bucket/key). Conditional writes use `If-None-Match: *` and
// `If-Match: <etag>`; unconditional Puts larger than `multipart_threshold` are uploaded in parts
// of `part_size` (aborted on failure). Conditional Puts use a single PUT up to 5 GiB because not
// every S3-compatible server (e.g. moto) honours conditions on CompleteMultipartUpload. User
// metadata travels as x-amz-meta-<name>. A store prefix is prepended ("prefix/key") to every key
// and stripped from List results.
//
// Thread safety: every method may be called concurrently; curl easy handles are pooled and reused
// (keeping their connections alive). Ownership: shared; owns its curl handles.
// Errors: kNotFound (404/NoSuchKey; NoSuchBucket says "bucket 'x' does not exist"),
// kAlreadyExists (If-None-Match failed: 412/409), kPreconditionFailed (If-Match failed: 412, or
// 404 for a missing object), kPermissionDenied (401/403, SignatureDoesNotMatch,
// InvalidAccessKeyId, ...), kUnavailable (network errors, timeouts, 5xx, 429, SlowDown,
// RequestTimeout), kInvalid (bad key/bucket/config/range), kData (malformed responses).
// Secrets (secret key, session token) never appear in any message.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "slatedb/object_store.h"

namespace slatedb {

struct S3Config {
  std::string bucket;    // validated by ValidateS3BucketName
  std::string prefix;    // optional key prefix without leading/trailing '/'
  std::string endpoint;  // "http(s)://host[:port]"; empty = https://s3.<region>.amazonaws.com
  std::string region = "us-east-1";
  std::string access_key_id;      // empty = anonymous (unsigned) requests
  std::string secret_access_key;  // secret: never logged or put in a Status
  std::string session_token;      // secret: sent as x-amz-security-token
  bool allow_http = false;        // http:// endpoints are refused unless true
  int64_t connect_timeout_ms = 3000;
  int64_t request_timeout_ms = 120000;        // whole request, including the body transfer
  int64_t low_speed_limit_bytes = 1024;       // abort if slower than this ...
  int64_t low_speed_time_s = 15;              // ... for this many seconds
  uint64_t multipart_threshold = 8ull << 20;  // objects larger than this use multipart
  uint64_t part_size = 8ull << 20;            // >= 5 MiB for real S3
};

// Fills endpoint/region/credentials/allow_http from AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_S3),
// AWS_REGION / AWS_DEFAULT_REGION (default us-east-1), AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_ALLOW_HTTP ("true"/"1"). kInvalid on bad
// values (e.g. a bucket name that breaks the S3 rules).
Result<S3Config> S3ConfigFromEnv(std::string_view bucket, std::string_view prefix);

// S3 bucket naming rules: 3-63 chars of [a-z0-9.-], starting and ending with a letter or digit,
// no "..", not an IP address, not starting with "xn--" or ending with "-s3alias".
Status ValidateS3BucketName(std::string_view bucket);

// Validates the config (bucket name, endpoint scheme, allow_http, credentials) and builds the
// store. Does no network I/O.
Result<std::shared_ptr<ObjectStore>> NewS3ObjectStore(S3Config config);

// Creates config.bucket (for tests and tools). An existing bucket owned by us is OK.
Status CreateS3Bucket(const S3Config& config);

namespace s3_internal {
// RFC 3986 percent-encoding of everything except unreserved characters (and '/' if keep_slash).
std::string UriEncode(std::string_view s, bool keep_slash);
// Hex SHA-256.
std::string Sha256Hex(std::string_view data);
// Parses "2026-11-26T12:28:17.000Z" to Unix epoch milliseconds; false if malformed.
bool ParseIso8601Millis(std::string_view s, int64_t* ms);
}  // namespace s3_internal

}  // namespace slatedb
