// object_store/s3_object_store.h — S3 and S3-compatible object stores (`s3://bucket[/prefix]`).
//
// What: an ObjectStore over the S3 REST API using libcurl (CURLOPT_AWS_SIGV4 signing; we set
// x-amz-content-sha256 ourselves and pre-sort/encode query strings, as libcurl 7.88 needs).
// Virtual-hosted-style addressing (https://bucket.s3.region.amazonaws.com/key) on AWS endpoints,
// path-style (endpoint/bucket/key) on other endpoints (MinIO, moto, ...), for bucket names with
// dots over https (TLS wildcard certificates), and when chosen (S3AddressingStyle). Credentials
// come, per request, from access_key_id/secret_access_key, else credentials_provider (e.g. the
// default AWS chain, aws_credentials.h); skip_signature sends unsigned requests; with none of
// these every request fails with kPermissionDenied (never silently unsigned). Conditional writes
// use `If-None-Match: *` and `If-Match: <etag>`; unconditional Puts larger than
// `multipart_threshold` are uploaded in parts of `part_size` (aborted on failure). Conditional Puts
// use a single PUT up to 5 GiB because not every S3-compatible server (e.g. moto) honours
// conditions on CompleteMultipartUpload. User metadata travels as x-amz-meta-<name>. A store prefix
// is prepended ("prefix/key") to every key and stripped from List results.
//
// Thread safety: every method may be called concurrently; curl easy handles are pooled and reused
// (keeping their connections alive). Ownership: shared; owns its curl handles.
// Errors: kNotFound (404/NoSuchKey; NoSuchBucket says "bucket 'x' does not exist"),
// kAlreadyExists (If-None-Match failed: 412/409), kPreconditionFailed (If-Match failed: 412, or
// 404 for a missing object), kPermissionDenied (401/403, SignatureDoesNotMatch,
// InvalidAccessKeyId, ..., naming where the credentials came from; or no credentials at all),
// kUnavailable (network errors, timeouts, 5xx, 429, SlowDown, RequestTimeout), kInvalid (bad
// key/bucket/config/range), kData (malformed responses). Secrets (secret key, session token) never
// appear in any message.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "object_store/aws_credentials.h"
#include "slatedb/object_store.h"

namespace slatedb {

enum class S3AddressingStyle {
  kAuto,           // virtual-hosted on *.amazonaws.com (bucket names without dots), else path
  kPath,           // endpoint/bucket/key (AWS_S3_FORCE_PATH_STYLE=true, ?force_path_style=true)
  kVirtualHosted,  // bucket.endpoint-host/key (?virtual_hosted_style_request=true)
};

struct S3Config {
  std::string bucket;    // validated by ValidateS3BucketName
  std::string prefix;    // optional key prefix without leading/trailing '/'
  std::string endpoint;  // "http(s)://host[:port]"; empty = https://s3.<region>.amazonaws.com
  std::string region = "us-east-1";
  std::string access_key_id;      // static credentials; empty = use credentials_provider
  std::string secret_access_key;  // secret: never logged or put in a Status
  std::string session_token;      // secret: sent as x-amz-security-token
  // Asked for credentials on every request when access_key_id is empty (it caches/refreshes).
  std::shared_ptr<AwsCredentialsProvider> credentials_provider;
  // Unsigned (anonymous) requests, e.g. public buckets. Overrides every credential setting.
  bool skip_signature = false;
  S3AddressingStyle addressing_style = S3AddressingStyle::kAuto;
  bool allow_http = false;  // http:// endpoints are refused unless true
  int64_t connect_timeout_ms = 3000;
  int64_t request_timeout_ms = 120000;        // whole request, including the body transfer
  int64_t low_speed_limit_bytes = 1024;       // abort if slower than this ...
  int64_t low_speed_time_s = 15;              // ... for this many seconds
  uint64_t multipart_threshold = 8ull << 20;  // objects larger than this use multipart
  uint64_t part_size = 8ull << 20;            // >= 5 MiB for real S3
};

// Fills the config as the AWS SDKs would:
//   endpoint: AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL, else the profile's endpoint_url
//     (`s3 =` sub-property endpoint_url first), else https://s3.<region>.amazonaws.com;
//   region: AWS_REGION, else AWS_DEFAULT_REGION, else the profile's region, else us-east-1;
//   credentials: the default chain (NewDefaultAwsCredentialsChain; environment first), or none
//     with AWS_SKIP_SIGNATURE=true;
//   addressing: AWS_S3_FORCE_PATH_STYLE=true or the profile's `s3 = addressing_style = path`
//     → path-style, `virtual` → virtual-hosted;
//   allow_http: AWS_ALLOW_HTTP ("true"/"1").
// The profile is AWS_PROFILE (else "default") from AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE
// (else ~/.aws/config, ~/.aws/credentials). kInvalid on bad values (a bucket name that breaks
// the S3 rules, a malformed shared file, only one of the two access key variables).
// `chain_options` is passed to the default chain (its region is set from the resolved one).
Result<S3Config> S3ConfigFromEnv(std::string_view bucket, std::string_view prefix,
                                 AwsCredentialChainOptions chain_options = {});

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
// True when requests go to https://<bucket>.<endpoint host> (see S3AddressingStyle).
bool UsesVirtualHostedStyle(const S3Config& config);
// The URL of a request: `object_path` is "" (the bucket) or "/encoded/key"; `query` is encoded.
std::string RequestUrl(const S3Config& config, bool virtual_hosted, std::string_view object_path,
                       std::string_view query);
// Parses "2026-11-26T12:28:17.000Z" to Unix epoch milliseconds; false if malformed.
bool ParseIso8601Millis(std::string_view s, int64_t* ms);
}  // namespace s3_internal

}  // namespace slatedb
