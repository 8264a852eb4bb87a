// object_store/aws_credentials.h — AWS credentials as the AWS SDKs find them: the default
// provider chain (environment, shared profile files, web identity, ECS container, EC2 IMDSv2),
// cached and refreshed before expiry.
//
// What: an AwsCredentialsProvider hands the S3 store the credentials for each request. The
// default chain tries, in the SDKs' order, and uses the first source that is configured:
//   1. environment: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY [+ AWS_SESSION_TOKEN];
//   2. shared files: profile AWS_PROFILE (else "default") of AWS_SHARED_CREDENTIALS_FILE (else
//      ~/.aws/credentials) and AWS_CONFIG_FILE (else ~/.aws/config): aws_access_key_id,
//      aws_secret_access_key, aws_session_token, or role_arn + web_identity_token_file;
//   3. web identity: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN [+ AWS_ROLE_SESSION_NAME] →
//      STS AssumeRoleWithWebIdentity at AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL, else
//      https://sts.<region>.amazonaws.com;
//   4. ECS container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (on http://169.254.170.2) or
//      AWS_CONTAINER_CREDENTIALS_FULL_URI (https, or http on a loopback / ECS / EKS address),
//      Authorization from AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE or _TOKEN;
//   5. EC2 instance metadata, IMDSv2 only (token PUT, then the role's credentials) at
//      AWS_EC2_METADATA_SERVICE_ENDPOINT (else http://169.254.169.254); skipped when
//      AWS_EC2_METADATA_DISABLED=true; connect timeout 1 s.
// A source that is not configured is skipped (its reason is kept for the error message); a
// source that is configured but fails ends the chain with its error (as the Rust SDK does), so a
// broken profile never silently falls through to the instance role.
// Temporary credentials are cached and refreshed `refresh_before_expiry_ms` (5 min) before their
// Expiration: one caller refreshes (no lock held during the HTTP call); others keep using the
// current, still valid credentials meanwhile, and wait only when there are none that are valid.
//
// Thread safety: providers are thread-safe. Ownership: shared (std::shared_ptr). Errors:
// kPermissionDenied when no source has credentials (the message lists every source tried and
// why each was skipped); a configured source's failure keeps its kind (kUnavailable for network
// errors and 5xx, kPermissionDenied for 401/403 and STS AccessDenied/InvalidIdentityToken,
// kInvalid for malformed settings or files, kData for malformed responses). Secrets (secret keys,
// session tokens, web identity and container tokens) never appear in any message or log line.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "slatedb/clock.h"
#include "slatedb/logger.h"
#include "slatedb/status.h"

namespace slatedb {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;         // secret
  std::string session_token;             // secret; empty for long-term keys
  std::optional<int64_t> expiration_ms;  // Unix epoch ms; nullopt = does not expire
  std::string source;                    // where they came from, e.g. "environment" (for logs)
};

class AwsCredentialsProvider {
 public:
  virtual ~AwsCredentialsProvider() = default;
  // Credentials valid now (fetched or refreshed if needed).
  virtual Result<AwsCredentials> GetCredentials() = 0;
  // A short name for messages, e.g. "default AWS credential chain".
  virtual std::string Describe() const = 0;
};

struct AwsCredentialChainOptions {
  std::shared_ptr<Clock> clock;                      // null = SystemClock::Default()
  std::shared_ptr<Logger> logger;                    // null = the default logger
  int64_t refresh_before_expiry_ms = 5 * 60 * 1000;  // refresh this long before Expiration
  int64_t metadata_connect_timeout_ms = 1000;        // IMDS and ECS, as the SDKs
  int64_t metadata_timeout_ms = 5000;                // whole IMDS / ECS request
  int64_t sts_timeout_ms = 30000;                    // whole STS request
  std::string region = "us-east-1";                  // for the regional STS endpoint
  bool allow_http = false;                           // plain-http STS endpoints (AWS_ALLOW_HTTP)
  // Base URL for AWS_CONTAINER_CREDENTIALS_RELATIVE_URI. Only tests change it (the real one is a
  // link-local address they must not contact).
  std::string ecs_base_url = "http://169.254.170.2";
};

// The default chain above, with caching and refresh. Reads the environment and files on each
// fetch (so the first request, not this call, sees them); does no I/O here.
std::shared_ptr<AwsCredentialsProvider> NewDefaultAwsCredentialsChain(
    AwsCredentialChainOptions options = {});

// Fixed credentials (e.g. from S3Config::access_key_id). Never fails.
std::shared_ptr<AwsCredentialsProvider> NewStaticAwsCredentialsProvider(AwsCredentials creds);

namespace aws {

// One link of the chain. Fetch returns credentials, or nullopt with *why_not set when the source
// is not configured, or an error when it is configured but failed.
class CredentialSource {
 public:
  virtual ~CredentialSource() = default;
  virtual std::string Name() const = 0;
  virtual Result<std::optional<AwsCredentials>> Fetch(std::string* why_not) = 0;
};

std::unique_ptr<CredentialSource> NewEnvironmentSource();
std::unique_ptr<CredentialSource> NewProfileSource(const AwsCredentialChainOptions& options);
std::unique_ptr<CredentialSource> NewWebIdentitySource(const AwsCredentialChainOptions& options);
std::unique_ptr<CredentialSource> NewEcsSource(const AwsCredentialChainOptions& options);
std::unique_ptr<CredentialSource> NewImdsSource(const AwsCredentialChainOptions& options);

// Tries `sources` in order (see the file comment) and caches/refreshes what it finds.
std::shared_ptr<AwsCredentialsProvider> NewChainProvider(
    std::vector<std::unique_ptr<CredentialSource>> sources, AwsCredentialChainOptions options,
    std::string description);

// Parses STS AssumeRoleWithWebIdentity XML / the ECS and IMDS JSON documents.
Result<AwsCredentials> ParseStsCredentials(const std::string& xml);
Result<AwsCredentials> ParseJsonCredentials(const std::string& json, const std::string& what);

}  // namespace aws
}  // namespace slatedb
