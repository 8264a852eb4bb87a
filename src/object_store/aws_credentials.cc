#include "object_store/aws_credentials.h"

#include <curl/curl.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <mutex>  // std::call_once
#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <sstream>
#include <utility>

#include "object_store/aws_config_file.h"
#include "object_store/key.h"
#include "object_store/s3_object_store.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/mutex.h"

namespace slatedb {

namespace {

using object_store::Printable;
using object_store::RedactUrl;

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

bool EnvTrue(const char* name) {
  std::string s = Env(name);
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s == "true" || s == "1" || s == "yes";
}

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

// A token file's content (trimmed); the path, never the content, goes into errors.
Result<std::string> ReadTokenFile(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::Invalid(std::string(what) + " '" + Printable(path) +
                           "' cannot be read: " + std::generic_category().message(errno));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string token = Trim(ss.str());
  if (token.empty())
    return Status::Invalid(std::string(what) + " '" + Printable(path) + "' is empty");
  return token;
}

void CurlGlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t AppendCb(char* p, size_t s, size_t n, void* out) {
  static_cast<std::string*>(out)->append(p, s * n);
  return s * n;
}

struct HttpResult {
  long status = 0;
  std::string body;
};

struct HttpRequest {
  const char* method = "GET";
  std::string url;
  std::vector<std::string> headers;  // may hold secrets: never put into messages
  std::string body;
  int64_t connect_timeout_ms = 1000;
  int64_t timeout_ms = 5000;
  bool no_proxy = false;  // metadata endpoints are never reached through a proxy
};

// One HTTP exchange. kUnavailable on transport errors; the message names `what` and the URL
// (redacted), not the headers.
Result<HttpResult> HttpCall(const HttpRequest& req, const std::string& what) {
  CurlGlobalInit();
  CURL* h = curl_easy_init();
  if (h == nullptr) return Status::Internal("curl_easy_init failed");
  curl_slist* hdrs = nullptr;
  for (const auto& x : req.headers) hdrs = curl_slist_append(hdrs, x.c_str());
  HttpResult out;
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(h, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(req.connect_timeout_ms));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(req.timeout_ms));
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, AppendCb);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &out.body);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  if (req.no_proxy) curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
  if (std::string_view(req.method) == "POST") {
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, req.body.c_str());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
  } else if (std::string_view(req.method) != "GET") {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method);
  }
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
  CURLcode rc = curl_easy_perform(h);
  if (rc == CURLE_OK) curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out.status);
  curl_slist_free_all(hdrs);
  curl_easy_cleanup(h);
  if (rc != CURLE_OK) {
    std::string detail = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
    return Status::Unavailable(what + ": " + std::string(req.method) + " " +
                               Printable(RedactUrl(req.url)) + ": " + detail);
  }
  return out;
}

// A non-2xx answer of a credential endpoint as a Status; only the status code and a short,
// printable excerpt of an error body (never credentials: those come only with 200).
Status HttpError(const std::string& what, const HttpResult& r) {
  std::string msg = what + ": HTTP " + std::to_string(r.status);
  if (r.status == 401 || r.status == 403) return Status::PermissionDenied(msg);
  if (r.status == 429 || r.status >= 500) return Status::Unavailable(msg);
  return Status::Invalid(msg);
}

std::string FormEncode(const std::string& s) { return s3_internal::UriEncode(s, false); }

std::string SchemeOf(const std::string& url) {
  std::string s = url.substr(0, url.find("://"));
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// --------------------------------------------------------------------------- sources

class EnvironmentSource final : public aws::CredentialSource {
 public:
  std::string Name() const override { return "environment"; }
  Result<std::optional<AwsCredentials>> Fetch(std::string* why_not) override {
    AwsCredentials c;
    c.access_key_id = Env("AWS_ACCESS_KEY_ID");
    c.secret_access_key = Env("AWS_SECRET_ACCESS_KEY");
    c.session_token = Env("AWS_SESSION_TOKEN");
    if (c.access_key_id.empty() && c.secret_access_key.empty()) {
      *why_not = "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set";
      return std::optional<AwsCredentials>();
    }
    if (c.access_key_id.empty() || c.secret_access_key.empty()) {
      return Status::Invalid(c.access_key_id.empty()
                                 ? "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not"
                                 : "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
    }
    c.source = "environment";
    return std::optional<AwsCredentials>(std::move(c));
  }
};

// AssumeRoleWithWebIdentity with a token file (from the environment or a profile).
Result<AwsCredentials> AssumeRoleWithWebIdentity(const AwsCredentialChainOptions& o,
                                                 const std::string& token_file,
                                                 const std::string& role_arn,
                                                 std::string session_name,
                                                 const std::string& source) {
  ASSIGN_OR_RETURN(std::string token, ReadTokenFile(token_file, "web identity token file"));
  std::string endpoint = Env("AWS_ENDPOINT_URL_STS");
  if (endpoint.empty()) endpoint = Env("AWS_ENDPOINT_URL");
  if (endpoint.empty()) endpoint = "https://sts." + o.region + ".amazonaws.com";
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  const std::string scheme = SchemeOf(endpoint);
  if (scheme != "https" && !(scheme == "http" && o.allow_http)) {
    return Status::Invalid("STS endpoint '" + Printable(RedactUrl(endpoint)) +
                           "' must be https:// (or http:// with AWS_ALLOW_HTTP=true)");
  }
  if (session_name.empty()) {
    const auto clock = o.clock ? o.clock : util::SystemClock::Default();
    session_name = "slatedb-cpp-" + std::to_string(clock->NowMillis());
  }
  HttpRequest req;
  req.method = "POST";
  req.url = endpoint + "/";
  req.headers = {"Content-Type: application/x-www-form-urlencoded", "Accept: application/xml"};
  req.body = "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=" + FormEncode(role_arn) +
             "&RoleSessionName=" + FormEncode(session_name) +
             "&WebIdentityToken=" + FormEncode(token);
  req.connect_timeout_ms = std::min<int64_t>(o.sts_timeout_ms, 10000);
  req.timeout_ms = o.sts_timeout_ms;
  const std::string what = "STS AssumeRoleWithWebIdentity for role '" + Printable(role_arn) +
                           "' at " + Printable(RedactUrl(endpoint));
  ASSIGN_OR_RETURN(HttpResult r, HttpCall(req, what));
  if (r.status != 200) {
    // STS errors: <ErrorResponse><Error><Code>..</Code><Message>..</Message></Error>.
    pugi::xml_document doc;
    std::string code, message;
    if (doc.load_buffer(r.body.data(), r.body.size())) {
      pugi::xml_node err = doc.child("ErrorResponse").child("Error");
      code = err.child_value("Code");
      message = err.child_value("Message");
    }
    std::string msg = what + ": HTTP " + std::to_string(r.status);
    if (!code.empty()) msg += " " + Printable(code);
    if (!message.empty()) msg += ": " + Printable(message.substr(0, 300));
    if (code == "AccessDenied" || code == "InvalidIdentityToken" ||
        code == "ExpiredTokenException" || r.status == 401 || r.status == 403) {
      return Status::PermissionDenied(msg);
    }
    if (code == "IDPCommunicationError" || code == "Throttling" || r.status == 429 ||
        r.status >= 500) {
      return Status::Unavailable(msg);
    }
    return Status::Invalid(msg);
  }
  auto creds = aws::ParseStsCredentials(r.body);
  if (!creds.ok()) return creds.status().WithContext(what);
  creds->source = source;
  return creds;
}

class ProfileSource final : public aws::CredentialSource {
 public:
  explicit ProfileSource(AwsCredentialChainOptions o) : options_(std::move(o)) {}
  std::string Name() const override { return "shared config files"; }
  Result<std::optional<AwsCredentials>> Fetch(std::string* why_not) override {
    ASSIGN_OR_RETURN(aws::AwsProfile p, aws::LoadAwsProfile());
    if (!p.found) {
      if (p.name_from_env) {
        return Status::Invalid("AWS_PROFILE names " + p.Describe() + ", which is in neither file");
      }
      *why_not = p.Describe() + " not found";
      return std::optional<AwsCredentials>();
    }
    auto akid = p.Get("aws_access_key_id");
    auto secret = p.Get("aws_secret_access_key");
    if (akid || secret) {
      if (!akid || !secret) {
        return Status::Invalid(p.Describe() + " has " +
                               (akid ? "aws_access_key_id but no aws_secret_access_key"
                                     : "aws_secret_access_key but no aws_access_key_id"));
      }
      AwsCredentials c;
      c.access_key_id = *akid;
      c.secret_access_key = *secret;
      c.session_token = p.Get("aws_session_token").value_or("");
      c.source = p.Describe();
      return std::optional<AwsCredentials>(std::move(c));
    }
    auto role = p.Get("role_arn");
    auto token_file = p.Get("web_identity_token_file");
    if (role && token_file) {
      ASSIGN_OR_RETURN(AwsCredentials c,
                       AssumeRoleWithWebIdentity(options_, *token_file, *role,
                                                 p.Get("role_session_name").value_or(""),
                                                 p.Describe() + " web identity"));
      return std::optional<AwsCredentials>(std::move(c));
    }
    for (const char* unsupported : {"source_profile", "credential_source", "credential_process",
                                    "sso_session", "sso_start_url"}) {
      if (p.Get(unsupported)) {
        return Status::Invalid(p.Describe() + " uses '" + unsupported +
                               "', which slatedb-cpp does not support; export credentials "
                               "(e.g. `aws configure export-credentials --format env`)");
      }
    }
    *why_not = p.Describe() + " has no aws_access_key_id";
    return std::optional<AwsCredentials>();
  }

 private:
  AwsCredentialChainOptions options_;
};

class WebIdentitySource final : public aws::CredentialSource {
 public:
  explicit WebIdentitySource(AwsCredentialChainOptions o) : options_(std::move(o)) {}
  std::string Name() const override { return "web identity"; }
  Result<std::optional<AwsCredentials>> Fetch(std::string* why_not) override {
    const std::string token_file = Env("AWS_WEB_IDENTITY_TOKEN_FILE");
    const std::string role = Env("AWS_ROLE_ARN");
    if (token_file.empty() && role.empty()) {
      *why_not = "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not set";
      return std::optional<AwsCredentials>();
    }
    if (token_file.empty() || role.empty()) {
      return Status::Invalid(token_file.empty()
                                 ? "AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE is not"
                                 : "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not");
    }
    ASSIGN_OR_RETURN(AwsCredentials c,
                     AssumeRoleWithWebIdentity(options_, token_file, role,
                                               Env("AWS_ROLE_SESSION_NAME"), "web identity"));
    return std::optional<AwsCredentials>(std::move(c));
  }

 private:
  AwsCredentialChainOptions options_;
};

// http:// full URIs are allowed only to loopback and the ECS / EKS pod identity addresses (the
// SDKs' rule: the token must not travel in clear text elsewhere).
bool AllowedPlainHttpHost(std::string host) {
  for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (host == "localhost" || host == "[::1]" || host == "::1" || host == "169.254.170.2" ||
      host == "169.254.170.23" || host == "[fd00:ec2::23]" || host == "fd00:ec2::23") {
    return true;
  }
  return host.rfind("127.", 0) == 0;
}

std::string HostOf(const std::string& url) {
  size_t sep = url.find("://");
  if (sep == std::string::npos) return "";
  std::string rest = url.substr(sep + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  size_t at = rest.rfind('@');
  if (at != std::string::npos) rest = rest.substr(at + 1);
  if (!rest.empty() && rest[0] == '[') return rest.substr(0, rest.find(']') + 1);
  return rest.substr(0, rest.find(':'));
}

class EcsSource final : public aws::CredentialSource {
 public:
  explicit EcsSource(AwsCredentialChainOptions o) : options_(std::move(o)) {}
  std::string Name() const override { return "ECS container credentials"; }
  Result<std::optional<AwsCredentials>> Fetch(std::string* why_not) override {
    const std::string relative = Env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    const std::string full = Env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    std::string url;
    if (!relative.empty()) {
      url = options_.ecs_base_url + (relative[0] == '/' ? "" : "/") + relative;
    } else if (!full.empty()) {
      url = full;
      const std::string scheme = SchemeOf(url);
      if (scheme != "https" && !(scheme == "http" && AllowedPlainHttpHost(HostOf(url)))) {
        return Status::Invalid("AWS_CONTAINER_CREDENTIALS_FULL_URI '" + Printable(RedactUrl(url)) +
                               "' must be https://, or http:// on a loopback or the ECS/EKS "
                               "credential address");
      }
    } else {
      *why_not =
          "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are not "
          "set";
      return std::optional<AwsCredentials>();
    }
    HttpRequest req;
    req.url = url;
    req.headers = {"Accept: application/json"};
    std::string token;
    const std::string token_file = Env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    if (!token_file.empty()) {
      ASSIGN_OR_RETURN(token, ReadTokenFile(token_file, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"));
    } else {
      token = Env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    }
    if (token.find_first_of("\r\n") != std::string::npos) {
      return Status::Invalid("the container authorization token contains a line break");
    }
    if (!token.empty()) req.headers.push_back("Authorization: " + token);
    req.connect_timeout_ms = options_.metadata_connect_timeout_ms;
    req.timeout_ms = options_.metadata_timeout_ms;
    req.no_proxy = true;
    const std::string what = "ECS container credentials at " + Printable(RedactUrl(url));
    ASSIGN_OR_RETURN(HttpResult r, HttpCall(req, what));
    if (r.status != 200) return HttpError(what, r);
    ASSIGN_OR_RETURN(AwsCredentials c, aws::ParseJsonCredentials(r.body, what));
    c.source = "ECS container credentials";
    return std::optional<AwsCredentials>(std::move(c));
  }

 private:
  AwsCredentialChainOptions options_;
};

class ImdsSource final : public aws::CredentialSource {
 public:
  explicit ImdsSource(AwsCredentialChainOptions o) : options_(std::move(o)) {}
  std::string Name() const override { return "EC2 instance metadata (IMDSv2)"; }
  Result<std::optional<AwsCredentials>> Fetch(std::string* why_not) override {
    if (EnvTrue("AWS_EC2_METADATA_DISABLED")) {
      *why_not = "disabled by AWS_EC2_METADATA_DISABLED";
      return std::optional<AwsCredentials>();
    }
    std::string base = Env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    if (base.empty()) {
      std::string mode = Env("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
      for (char& c : mode) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      base = mode == "ipv6" ? "http://[fd00:ec2::254]" : "http://169.254.169.254";
    }
    while (!base.empty() && base.back() == '/') base.pop_back();
    const std::string scheme = SchemeOf(base);
    if (scheme != "http" && scheme != "https") {
      return Status::Invalid("AWS_EC2_METADATA_SERVICE_ENDPOINT '" + Printable(RedactUrl(base)) +
                             "' must start with http:// or https://");
    }
    const std::string shown = Printable(RedactUrl(base));
    HttpRequest token_req;
    token_req.method = "PUT";
    token_req.url = base + "/latest/api/token";
    token_req.headers = {"X-aws-ec2-metadata-token-ttl-seconds: 21600"};
    token_req.connect_timeout_ms = options_.metadata_connect_timeout_ms;
    token_req.timeout_ms = options_.metadata_timeout_ms;
    token_req.no_proxy = true;
    auto token_resp = HttpCall(token_req, "IMDSv2 token from " + shown);
    if (!token_resp.ok()) {
      // Not on EC2 (or the service is unreachable): not configured.
      *why_not = "no instance metadata service answered at " + shown + " (" +
                 token_resp.status().message() + ")";
      return std::optional<AwsCredentials>();
    }
    if (token_resp->status != 200) {
      return HttpError("IMDSv2 token PUT " + shown + "/latest/api/token", *token_resp);
    }
    const std::string token = Trim(token_resp->body);
    if (token.empty() || token.find_first_of("\r\n") != std::string::npos) {
      return Status::Data("IMDSv2 at " + shown + " returned a malformed session token");
    }
    HttpRequest get;
    get.url = base + "/latest/meta-data/iam/security-credentials/";
    get.headers = {"X-aws-ec2-metadata-token: " + token};
    get.connect_timeout_ms = options_.metadata_connect_timeout_ms;
    get.timeout_ms = options_.metadata_timeout_ms;
    get.no_proxy = true;
    const std::string list_what =
        "IMDSv2 GET " + shown + "/latest/meta-data/iam/security-credentials/";
    ASSIGN_OR_RETURN(HttpResult roles, HttpCall(get, list_what));
    if (roles.status == 404) {
      *why_not = "the instance at " + shown + " has no IAM role";
      return std::optional<AwsCredentials>();
    }
    if (roles.status != 200) return HttpError(list_what, roles);
    std::string role = Trim(roles.body.substr(0, roles.body.find('\n')));
    if (role.empty()) {
      *why_not = "the instance at " + shown + " has no IAM role";
      return std::optional<AwsCredentials>();
    }
    if (role.find_first_of("/?#% ") != std::string::npos) {
      return Status::Data("IMDSv2 at " + shown + " returned a malformed role name '" +
                          Printable(role) + "'");
    }
    get.url += role;
    const std::string what = list_what + role;
    ASSIGN_OR_RETURN(HttpResult r, HttpCall(get, what));
    if (r.status != 200) return HttpError(what, r);
    ASSIGN_OR_RETURN(AwsCredentials c, aws::ParseJsonCredentials(r.body, what));
    c.source = "EC2 instance role '" + Printable(role) + "'";
    return std::optional<AwsCredentials>(std::move(c));
  }

 private:
  AwsCredentialChainOptions options_;
};

class StaticProvider final : public AwsCredentialsProvider {
 public:
  explicit StaticProvider(AwsCredentials c) : creds_(std::move(c)) {}
  Result<AwsCredentials> GetCredentials() override { return creds_; }
  std::string Describe() const override { return "static credentials"; }

 private:
  const AwsCredentials creds_;
};

// The chain with its cache. Only one caller fetches at a time (refreshing_); the fetch runs
// without mu_ held.
class ChainProvider final : public AwsCredentialsProvider {
 public:
  ChainProvider(std::vector<std::unique_ptr<aws::CredentialSource>> sources,
                AwsCredentialChainOptions options, std::string description)
      : sources_(std::move(sources)),
        options_(std::move(options)),
        clock_(options_.clock ? options_.clock : util::SystemClock::Default()),
        log_(options_.logger),
        description_(std::move(description)) {}

  std::string Describe() const override { return description_; }

  Result<AwsCredentials> GetCredentials() override EXCLUDES(mu_) {
    uint64_t waited_for = 0;
    {
      util::MutexLock lock(&mu_);
      for (;;) {
        const int64_t now = clock_->NowMillis();
        if (cached_ && !NeedsRefresh(*cached_, now)) return *cached_;
        if (!refreshing_) {
          // A refresh we waited for just failed and left nothing valid: report its error
          // rather than starting another round of HTTP calls for every waiter.
          if (waited_for != 0 && generation_ != waited_for && !last_error_.ok() &&
              !(cached_ && StillValid(*cached_, now))) {
            return last_error_;
          }
          refreshing_ = true;
          break;
        }
        // Someone is refreshing: keep using credentials that have not expired yet.
        if (cached_ && StillValid(*cached_, now)) return *cached_;
        waited_for = generation_;
        cv_.Wait(&mu_);
      }
    }
    Result<AwsCredentials> fetched = Resolve();  // HTTP: no lock held
    util::MutexLock lock(&mu_);
    refreshing_ = false;
    ++generation_;
    cv_.NotifyAll();
    if (fetched.ok()) {
      last_error_ = Status::OK();
      cached_ = *fetched;
      log_.Info("AWS credentials from {}{}", Printable(fetched->source),
                fetched->expiration_ms ? " (temporary)" : "");
      return fetched;
    }
    last_error_ = fetched.status();
    const int64_t now = clock_->NowMillis();
    if (cached_ && StillValid(*cached_, now)) {
      log_.Warn("refreshing AWS credentials failed; using the current ones until they expire: {}",
                fetched.status().ToString());
      return *cached_;
    }
    return fetched.status();
  }

 private:
  bool NeedsRefresh(const AwsCredentials& c, int64_t now) const {
    return c.expiration_ms && now >= *c.expiration_ms - options_.refresh_before_expiry_ms;
  }
  static bool StillValid(const AwsCredentials& c, int64_t now) {
    return !c.expiration_ms || now < *c.expiration_ms;
  }

  Result<AwsCredentials> Resolve() {
    std::string tried;
    int n = 0;
    for (const auto& source : sources_) {
      std::string why_not;
      auto r = source->Fetch(&why_not);
      if (!r.ok()) return r.status().WithContext("AWS credentials from " + source->Name());
      if (r->has_value()) {
        AwsCredentials c = std::move(**r);
        if (c.access_key_id.empty() || c.secret_access_key.empty()) {
          return Status::Data("AWS credentials from " + source->Name() +
                              " have an empty access key id or secret");
        }
        return c;
      }
      if (!tried.empty()) tried += "; ";
      tried += std::to_string(++n) + ") " + source->Name() + ": " + why_not;
    }
    return Status::PermissionDenied(
        "no AWS credentials found (" + description_ + " tried, in order: " + tried +
        "). Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or a profile, or choose unsigned "
        "requests explicitly with AWS_SKIP_SIGNATURE=true (URL ?skip_signature=true)");
  }

  const std::vector<std::unique_ptr<aws::CredentialSource>> sources_;
  const AwsCredentialChainOptions options_;
  const std::shared_ptr<Clock> clock_;
  const util::Log log_;
  const std::string description_;

  util::Mutex mu_;
  std::optional<AwsCredentials> cached_ GUARDED_BY(mu_);
  bool refreshing_ GUARDED_BY(mu_) = false;
  uint64_t generation_ GUARDED_BY(mu_) = 1;  // bumped when a fetch ends
  Status last_error_ GUARDED_BY(mu_);
  util::CondVar cv_;
};

}  // namespace

namespace aws {

std::unique_ptr<CredentialSource> NewEnvironmentSource() {
  return std::make_unique<EnvironmentSource>();
}
std::unique_ptr<CredentialSource> NewProfileSource(const AwsCredentialChainOptions& options) {
  return std::make_unique<ProfileSource>(options);
}
std::unique_ptr<CredentialSource> NewWebIdentitySource(const AwsCredentialChainOptions& options) {
  return std::make_unique<WebIdentitySource>(options);
}
std::unique_ptr<CredentialSource> NewEcsSource(const AwsCredentialChainOptions& options) {
  return std::make_unique<EcsSource>(options);
}
std::unique_ptr<CredentialSource> NewImdsSource(const AwsCredentialChainOptions& options) {
  return std::make_unique<ImdsSource>(options);
}

std::shared_ptr<AwsCredentialsProvider> NewChainProvider(
    std::vector<std::unique_ptr<CredentialSource>> sources, AwsCredentialChainOptions options,
    std::string description) {
  return std::make_shared<ChainProvider>(std::move(sources), std::move(options),
                                         std::move(description));
}

Result<AwsCredentials> ParseStsCredentials(const std::string& xml) {
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size())) {
    return Status::Data("malformed AssumeRoleWithWebIdentity XML");
  }
  pugi::xml_node c = doc.child("AssumeRoleWithWebIdentityResponse")
                         .child("AssumeRoleWithWebIdentityResult")
                         .child("Credentials");
  if (!c) return Status::Data("AssumeRoleWithWebIdentity response has no Credentials");
  AwsCredentials out;
  out.access_key_id = Trim(c.child_value("AccessKeyId"));
  out.secret_access_key = Trim(c.child_value("SecretAccessKey"));
  out.session_token = Trim(c.child_value("SessionToken"));
  if (out.access_key_id.empty() || out.secret_access_key.empty()) {
    return Status::Data("AssumeRoleWithWebIdentity response lacks AccessKeyId or SecretAccessKey");
  }
  int64_t ms = 0;
  const std::string exp = Trim(c.child_value("Expiration"));
  if (!s3_internal::ParseIso8601Millis(exp, &ms)) {
    return Status::Data("AssumeRoleWithWebIdentity response has a malformed Expiration '" +
                        Printable(exp) + "'");
  }
  out.expiration_ms = ms;
  return out;
}

Result<AwsCredentials> ParseJsonCredentials(const std::string& text, const std::string& what) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Status::Data(what + ": response is not JSON");
  auto str = [&](const char* key) -> std::string {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  const std::string code = str("Code");
  if (!code.empty() && code != "Success") {
    return Status::PermissionDenied(what + ": Code " + Printable(code) + ": " +
                                    Printable(str("Message").substr(0, 300)));
  }
  AwsCredentials out;
  out.access_key_id = str("AccessKeyId");
  out.secret_access_key = str("SecretAccessKey");
  out.session_token = str("Token");
  if (out.access_key_id.empty() || out.secret_access_key.empty()) {
    return Status::Data(what + ": response lacks AccessKeyId or SecretAccessKey");
  }
  const std::string exp = str("Expiration");
  if (!exp.empty()) {
    int64_t ms = 0;
    if (!s3_internal::ParseIso8601Millis(exp, &ms)) {
      return Status::Data(what + ": malformed Expiration '" + Printable(exp) + "'");
    }
    out.expiration_ms = ms;
  }
  return out;
}

}  // namespace aws

std::shared_ptr<AwsCredentialsProvider> NewDefaultAwsCredentialsChain(
    AwsCredentialChainOptions options) {
  std::vector<std::unique_ptr<aws::CredentialSource>> sources;
  sources.push_back(aws::NewEnvironmentSource());
  sources.push_back(aws::NewProfileSource(options));
  sources.push_back(aws::NewWebIdentitySource(options));
  sources.push_back(aws::NewEcsSource(options));
  sources.push_back(aws::NewImdsSource(options));
  return aws::NewChainProvider(std::move(sources), std::move(options),
                               "the default AWS credential chain");
}

std::shared_ptr<AwsCredentialsProvider> NewStaticAwsCredentialsProvider(AwsCredentials creds) {
  return std::make_shared<StaticProvider>(std::move(creds));
}

}  // namespace slatedb
