#include "object_store/s3_object_store.h"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <mutex>  // std::call_once
#include <optional>
#include <pugixml.hpp>
#include <utility>
#include <vector>

#include "object_store/aws_config_file.h"
#include "object_store/key.h"
#include "object_store/object_writer.h"
#include "util/mutex.h"

namespace slatedb {

namespace s3_internal {

std::string UriEncode(std::string_view s, bool keep_slash) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~' ||
        (keep_slash && c == '/')) {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

bool ParseIso8601Millis(std::string_view s, int64_t* ms) {
  // YYYY-MM-DDTHH:MM:SS[.fff]Z
  std::string str(s);
  int y, mo, d, h, mi, sec;
  char rest[32] = {0};
  if (std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%31s", &y, &mo, &d, &h, &mi, &sec, rest) <
      6) {
    return false;
  }
  struct tm tm {};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  int64_t secs = static_cast<int64_t>(timegm(&tm));
  int64_t frac = 0;
  if (rest[0] == '.') {
    int digits = 0;
    for (const char* p = rest + 1; *p >= '0' && *p <= '9'; ++p) {
      if (digits < 3) {
        frac = frac * 10 + (*p - '0');
        ++digits;
      }
    }
    while (digits < 3) {
      frac *= 10;
      ++digits;
    }
  }
  *ms = secs * 1000 + frac;
  return true;
}

namespace {
std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Host (without port and userinfo) of "scheme://[user@]host[:port][/path]".
std::string EndpointHost(std::string_view endpoint) {
  size_t sep = endpoint.find("://");
  std::string_view rest = sep == std::string_view::npos ? endpoint : endpoint.substr(sep + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  size_t at = rest.rfind('@');
  if (at != std::string_view::npos) rest = rest.substr(at + 1);
  if (!rest.empty() && rest[0] == '[') return std::string(rest.substr(0, rest.find(']') + 1));
  return LowerAscii(rest.substr(0, rest.find(':')));
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
}  // namespace

bool UsesVirtualHostedStyle(const S3Config& config) {
  switch (config.addressing_style) {
    case S3AddressingStyle::kPath:
      return false;
    case S3AddressingStyle::kVirtualHosted:
      return true;
    case S3AddressingStyle::kAuto:
      break;
  }
  const std::string host = EndpointHost(config.endpoint);
  const bool aws = EndsWith(host, ".amazonaws.com") || EndsWith(host, ".amazonaws.com.cn");
  // Dotted bucket names break the *.s3.<region>.amazonaws.com wildcard certificate over TLS.
  const bool tls = LowerAscii(config.endpoint).rfind("https://", 0) == 0;
  return aws && !(tls && config.bucket.find('.') != std::string::npos);
}

std::string RequestUrl(const S3Config& config, bool virtual_hosted, std::string_view object_path,
                       std::string_view query) {
  std::string url;
  if (virtual_hosted) {
    // scheme://[userinfo@]host... → scheme://[userinfo@]bucket.host...
    const std::string& ep = config.endpoint;
    size_t sep = ep.find("://");
    size_t host_start = sep == std::string::npos ? 0 : sep + 3;
    size_t authority_end = ep.find_first_of("/?#", host_start);
    size_t at = ep.rfind('@', authority_end == std::string::npos ? ep.size() : authority_end);
    if (at != std::string::npos && at >= host_start) host_start = at + 1;
    url = ep.substr(0, host_start) + config.bucket + "." + ep.substr(host_start);
    url += object_path.empty() ? std::string_view("/") : object_path;
  } else {
    url = config.endpoint + "/" + config.bucket;
    url += object_path;
  }
  if (!query.empty()) {
    url += '?';
    url += query;
  }
  return url;
}

}  // namespace s3_internal

namespace {

using object_store::Printable;
using s3_internal::UriEncode;

const char kEmptySha256[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string credentials_source;  // where the signing credentials came from ("" = unsigned)

  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct S3Error {
  std::string code;
  std::string message;
};

// Parses <Error><Code>..</Code><Message>..</Message></Error>; empty fields if absent.
S3Error ParseError(const std::string& body) {
  S3Error e;
  if (body.empty()) return e;
  pugi::xml_document doc;
  if (!doc.load_buffer(body.data(), body.size())) return e;
  pugi::xml_node err = doc.child("Error");
  if (!err) return e;
  e.code = err.child_value("Code");
  e.message = err.child_value("Message");
  return e;
}

// Upload source for CURLOPT_READFUNCTION / CURLOPT_SEEKFUNCTION.
struct UploadSource {
  std::string_view data;
  size_t pos = 0;
};

size_t ReadCb(char* buf, size_t size, size_t nitems, void* userp) {
  auto* src = static_cast<UploadSource*>(userp);
  size_t n = std::min(size * nitems, src->data.size() - src->pos);
  std::memcpy(buf, src->data.data() + src->pos, n);
  src->pos += n;
  return n;
}

int SeekCb(void* userp, curl_off_t offset, int origin) {
  auto* src = static_cast<UploadSource*>(userp);
  if (origin != SEEK_SET || offset < 0 || static_cast<size_t>(offset) > src->data.size()) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  src->pos = static_cast<size_t>(offset);
  return CURL_SEEKFUNC_OK;
}

size_t WriteCb(char* ptr, size_t size, size_t nmemb, void* userp) {
  static_cast<std::string*>(userp)->append(ptr, size * nmemb);
  return size * nmemb;
}

size_t HeaderCb(char* buf, size_t size, size_t nitems, void* userp) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(userp);
  std::string_view line(buf, size * nitems);
  if (line.substr(0, 5) == "HTTP/") {
    headers->clear();  // a new response (after 100-continue or a redirect)
  } else {
    size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      (*headers)[ToLower(Trim(line.substr(0, colon)))] = Trim(line.substr(colon + 1));
    }
  }
  return size * nitems;
}

// A small pool of reusable easy handles (each keeps its own connection cache).
class HandlePool {
 public:
  ~HandlePool() {
    for (CURL* h : free_) curl_easy_cleanup(h);
  }
  CURL* Acquire() EXCLUDES(mu_) {
    {
      util::MutexLock l(&mu_);
      if (!free_.empty()) {
        CURL* h = free_.back();
        free_.pop_back();
        return h;
      }
    }
    return curl_easy_init();
  }
  void Release(CURL* h) EXCLUDES(mu_) {
    util::MutexLock l(&mu_);
    if (free_.size() < 32) {
      free_.push_back(h);
    } else {
      curl_easy_cleanup(h);
    }
  }

 private:
  util::Mutex mu_;
  std::vector<CURL*> free_ GUARDED_BY(mu_);  // the destructor reads it unlocked (no users left)
};

struct CurlSlist {
  curl_slist* list = nullptr;
  ~CurlSlist() { curl_slist_free_all(list); }
  void Add(const std::string& h) { list = curl_slist_append(list, h.c_str()); }
};

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// Encodes and sorts query parameters as SigV4 canonicalisation requires.
std::string BuildQuery(QueryParams params) {
  std::vector<std::pair<std::string, std::string>> enc;
  for (auto& [k, v] : params) enc.emplace_back(UriEncode(k, false), UriEncode(v, false));
  std::sort(enc.begin(), enc.end());
  std::string q;
  for (auto& [k, v] : enc) {
    if (!q.empty()) q += '&';
    q += k;
    q += '=';
    q += v;
  }
  return q;
}

enum class Cond { kNone, kIfNoneMatch, kIfMatch };

class S3Client {
 public:
  explicit S3Client(S3Config config)
      : config_(std::move(config)),
        shown_endpoint_(object_store::RedactUrl(config_.endpoint)),
        virtual_hosted_(s3_internal::UsesVirtualHostedStyle(config_)) {
    GlobalInit();
    sigv4_ = "aws:amz:" + config_.region + ":s3";
    if (!config_.access_key_id.empty()) {
      AwsCredentials fixed;
      fixed.access_key_id = config_.access_key_id;
      fixed.secret_access_key = config_.secret_access_key;
      fixed.session_token = config_.session_token;
      fixed.source = "S3Config access_key_id";
      static_credentials_ = std::move(fixed);
    }
  }

  const S3Config& config() const { return config_; }

  std::string Describe() const {
    std::string d = "s3://" + config_.bucket;
    if (!config_.prefix.empty()) d += "/" + config_.prefix;
    return d;
  }

  // `object_path` is the already-encoded path below the bucket ("" or "/a/b").
  Result<HttpResponse> Perform(const char* method, const std::string& object_path,
                               const std::string& query, const std::vector<std::string>& headers,
                               std::string_view body, const std::string& what) {
    CURL* h = pool_.Acquire();
    if (h == nullptr) return Status::Internal("curl_easy_init failed");
    struct Releaser {
      HandlePool* pool;
      CURL* h;
      ~Releaser() { pool->Release(h); }
    } releaser{&pool_, h};
    curl_easy_reset(h);

    // The credentials of this request: a refresh elsewhere does not change them mid-request.
    std::optional<AwsCredentials> creds;
    if (!config_.skip_signature) {
      if (static_credentials_) {
        creds = static_credentials_;
      } else if (config_.credentials_provider) {
        auto got = config_.credentials_provider->GetCredentials();
        if (!got.ok()) {
          return got.status().WithContext("s3 " + std::string(method) + " " + what + " via " +
                                          shown_endpoint_);
        }
        creds = std::move(got).value();
        if (!HeaderSafe(creds->access_key_id) || !HeaderSafe(creds->secret_access_key) ||
            !HeaderSafe(creds->session_token)) {
          return Status::Invalid("s3 credentials from " + Printable(creds->source) +
                                 " contain spaces or non-printable characters");
        }
      } else {
        return Status::PermissionDenied(
            "s3 " + std::string(method) + " " + what + " via " + shown_endpoint_ +
            ": no credentials: the S3Config has no access_key_id and no credentials_provider "
            "(use NewDefaultAwsCredentialsChain()), and skip_signature is false");
      }
    }

    const std::string url = s3_internal::RequestUrl(config_, virtual_hosted_, object_path, query);
    HttpResponse resp;
    if (creds) resp.credentials_source = creds->source;
    char errbuf[CURL_ERROR_SIZE] = {0};
    UploadSource src{body, 0};
    CurlSlist hdrs;
    bool is_put = std::strcmp(method, "PUT") == 0;
    bool is_post = std::strcmp(method, "POST") == 0;
    hdrs.Add("x-amz-content-sha256: " +
             (body.empty() ? std::string(kEmptySha256) : s3_internal::Sha256Hex(body)));
    if (creds && !creds->session_token.empty()) {
      hdrs.Add("x-amz-security-token: " + creds->session_token);
    }
    // Note: no "Expect:" header to suppress 100-continue — libcurl 7.88 signs the empty header
    // without sending it (SignatureDoesNotMatch). Bodies > 1 MiB get Expect: 100-continue; we
    // only wait briefly for the 100 (servers such as moto never send it).
    for (const auto& x : headers) hdrs.Add(x);

    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(config_.connect_timeout_ms));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(config_.request_timeout_ms));
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, static_cast<long>(config_.low_speed_limit_bytes));
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, static_cast<long>(config_.low_speed_time_s));
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_EXPECT_100_TIMEOUT_MS, 100L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, WriteCb);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &resp.body);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, HeaderCb);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &resp.headers);
    if (creds) {
      curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4_.c_str());
      curl_easy_setopt(h, CURLOPT_USERNAME, creds->access_key_id.c_str());
      curl_easy_setopt(h, CURLOPT_PASSWORD, creds->secret_access_key.c_str());
    }
    if (is_put) {
      curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(h, CURLOPT_READFUNCTION, ReadCb);
      curl_easy_setopt(h, CURLOPT_READDATA, &src);
      curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, SeekCb);
      curl_easy_setopt(h, CURLOPT_SEEKDATA, &src);
      curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(body.size()));
    } else if (is_post) {
      curl_easy_setopt(h, CURLOPT_POST, 1L);
      // Never NULL: a NULL POSTFIELDS makes libcurl read the body from its read callback.
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.empty() ? "" : body.data());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    } else if (std::strcmp(method, "HEAD") == 0) {
      curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (std::strcmp(method, "GET") != 0) {
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs.list);

    CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK) {
      std::string detail = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
      detail = ScrubEndpoint(std::move(detail));
      std::string msg =
          "s3 " + std::string(method) + " " + what + " via " + shown_endpoint_ + ": " + detail;
      if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL) {
        return Status::Invalid(msg);
      }
      if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
          rc == CURLE_SSL_CERTPROBLEM) {
        return Status::Invalid(msg + " (TLS certificate verification failed)");
      }
      return Status::Unavailable(msg);
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp.status);
    return resp;
  }

  // Maps a non-success response to a Status. `cond` decides what 412/409 mean.
  Status MapError(const char* method, const std::string& what, const HttpResponse& resp,
                  Cond cond = Cond::kNone) const {
    S3Error e = ParseError(resp.body);
    std::string detail = "HTTP " + std::to_string(resp.status);
    if (!e.code.empty()) detail += " " + e.code;
    if (!e.message.empty()) detail += ": " + e.message;
    std::string msg = "s3 " + std::string(method) + " " + what + ": " + detail;
    Status st = MapCode(resp.status, e.code, msg, cond);
    if (st.IsPermissionDenied()) {
      return Status::PermissionDenied(
          st.message() + (resp.credentials_source.empty()
                              ? std::string(" (the request was unsigned: skip_signature)")
                              : " (credentials from " + Printable(resp.credentials_source) + ")"));
    }
    return st;
  }

  Status MapCode(long status, const std::string& code, const std::string& msg, Cond cond) const {
    if (code == "NoSuchBucket") {
      return Status::NotFound("bucket '" + config_.bucket + "' does not exist at " +
                              shown_endpoint_ + " (" + msg + ")");
    }
    if (code == "PermanentRedirect" || code == "AuthorizationHeaderMalformed" || status == 301 ||
        status == 307) {
      return Status::Invalid(msg + " (is the bucket in another region? set AWS_REGION)");
    }
    if (code == "SignatureDoesNotMatch" || code == "InvalidAccessKeyId" || code == "AccessDenied" ||
        code == "ExpiredToken" || code == "InvalidToken" || code == "InvalidClientTokenId" ||
        status == 401 || status == 403) {
      return Status::PermissionDenied(msg);
    }
    if (code == "SlowDown" || code == "RequestTimeout" || code == "InternalError" ||
        code == "OperationAborted" || code == "RequestTimeTooSkewed" ||
        code == "ServiceUnavailable" || status == 429 || status >= 500) {
      return Status::Unavailable(msg);
    }
    if (status == 412 || code == "PreconditionFailed" || status == 409 ||
        code == "ConditionalRequestConflict") {
      if (cond == Cond::kIfNoneMatch) return Status::AlreadyExists(msg + " (object exists)");
      if (cond == Cond::kIfMatch) return Status::PreconditionFailed(msg + " (etag changed)");
    }
    if (status == 404 || code == "NoSuchKey" || code == "NoSuchUpload") {
      if (cond == Cond::kIfMatch) return Status::PreconditionFailed(msg + " (object missing)");
      return Status::NotFound(msg);
    }
    if (status >= 400 && status < 500) return Status::Invalid(msg);
    return Status::Data(msg + " (unexpected response)");
  }

 private:
  static bool HeaderSafe(const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](char ch) {
      auto u = static_cast<unsigned char>(ch);
      return u >= 0x21 && u < 0x7f;
    });
  }

  // libcurl's own error text could quote the URL: drop the endpoint's userinfo from it.
  std::string ScrubEndpoint(std::string text) const {
    const size_t sep = config_.endpoint.find("://");
    const size_t at = config_.endpoint.rfind('@');
    if (sep == std::string::npos || at == std::string::npos || at < sep) return text;
    const std::string userinfo = config_.endpoint.substr(sep + 3, at - sep - 3);
    if (userinfo.empty()) return text;
    for (size_t pos; (pos = text.find(userinfo)) != std::string::npos;) {
      text.replace(pos, userinfo.size(), "***");
    }
    return text;
  }

  S3Config config_;
  std::string shown_endpoint_;  // config_.endpoint with its userinfo redacted
  bool virtual_hosted_;
  std::optional<AwsCredentials> static_credentials_;  // from access_key_id / secret_access_key
  std::string sigv4_;
  HandlePool pool_;
};

class S3ObjectStore final : public ObjectStore {
 public:
  explicit S3ObjectStore(S3Config config) : client_(std::move(config)) {}

  Result<std::string> Put(std::string_view key, std::string_view data,
                          const ObjectPutOptions& options) override {
    return PutImpl(key, data, options, Cond::kNone, {});
  }
  Result<std::string> PutIfAbsent(std::string_view key, std::string_view data,
                                  const ObjectPutOptions& options) override {
    return PutImpl(key, data, options, Cond::kIfNoneMatch, {});
  }
  Result<std::string> PutIfMatch(std::string_view key, std::string_view data, std::string_view etag,
                                 const ObjectPutOptions& options) override {
    for (char c : etag) {
      auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u >= 0x7f) {
        return Status::Invalid("etag '" + Printable(etag) + "' for '" + Printable(key) +
                               "' contains non-printable characters");
      }
    }
    if (etag.empty()) {
      return Status::Invalid("empty etag passed to PutIfMatch for '" + Printable(key) + "'");
    }
    return PutImpl(key, data, options, Cond::kIfMatch, etag);
  }

  Result<std::unique_ptr<ObjectWriter>> OpenWriter(std::string_view key,
                                                   const ObjectPutOptions& options) override {
    RETURN_IF_ERROR(object_store::ValidateKey(key));
    RETURN_IF_ERROR(object_store::ValidateMetadata(options.metadata));
    return std::unique_ptr<ObjectWriter>(std::make_unique<Writer>(this, std::string(key), options));
  }

  Result<std::string> Get(std::string_view key) override {
    RETURN_IF_ERROR(object_store::ValidateKey(key));
    std::string what = What(key);
    ASSIGN_OR_RETURN(HttpResponse r, client_.Perform("GET", PathOf(key), "", {}, {}, what));
    if (r.status != 200) return client_.MapError("GET", what, r);
    return std::move(r.body);
  }

  Result<std::string> GetRange(std::string_view key, uint64_t offset,
                               std::optional<uint64_t> length) override {
    RETURN_IF_ERROR(object_store::ValidateKey(key));
    std::string what = What(key);
    if (length && *length == 0) {
      ASSIGN_OR_RETURN(ObjectMeta m, Head(key));
      if (offset > m.size) return BeyondEnd(key, offset, m.size);
      return std::string();
    }
    std::string range = "Range: bytes=" + std::to_string(offset) + "-";
    if (length && *length <= UINT64_MAX - offset) {  // else: to the end
      range += std::to_string(offset + *length - 1);
    }
    ASSIGN_OR_RETURN(HttpResponse r, client_.Perform("GET", PathOf(key), "", {range}, {}, what));
    if (r.status == 206) return std::move(r.body);
    if (r.status == 200) {  // range ignored by the server: clip ourselves
      if (offset > r.body.size()) return BeyondEnd(key, offset, r.body.size());
      return r.body.substr(offset, length ? *length : std::string::npos);
    }
    if (r.status == 416) {
      // offset >= size. offset == size is an empty read; offset > size is invalid.
      ASSIGN_OR_RETURN(ObjectMeta m, Head(key));
      if (offset > m.size) return BeyondEnd(key, offset, m.size);
      if (offset == m.size) return std::string();
      return Status::Data("s3 GET " + what + ": HTTP 416 for range starting at " +
                          std::to_string(offset) + " inside the object (size " +
                          std::to_string(m.size) + "); it changed concurrently?");
    }
    return client_.MapError("GET", what, r);
  }

  Result<std::string> GetSuffix(std::string_view key, uint64_t n) override {
    RETURN_IF_ERROR(object_store::ValidateKey(key));
    std::string what = What(key);
    if (n == 0) {
      RETURN_IF_ERROR(Head(key).status());
      return std::string();
    }
    std::string range = "Range: bytes=-" + std::to_string(n);
    ASSIGN_OR_RETURN(HttpResponse r, client_.Perform("GET", PathOf(key), "", {range}, {}, what));
    if (r.status == 206) return std::move(r.body);
    if (r.status == 200) {
      if (r.body.size() > n) return r.body.substr(r.body.size() - n);
      return std::move(r.body);
    }
    if (r.status == 416) {  // some servers answer 416 for a suffix of an empty object
      ASSIGN_OR_RETURN(ObjectMeta m, Head(key));
      if (m.size == 0) return std::string();
    }
    return client_.MapError("GET", what, r);
  }

  Result<ObjectMeta> Head(std::string_view key) override {
    RETURN_IF_ERROR(object_store::ValidateKey(key));
    std::string what = What(key);
    ASSIGN_OR_RETURN(HttpResponse r, client_.Perform("HEAD", PathOf(key), "", {}, {}, what));
    if (r.status != 200) return client_.MapError("HEAD", what, r);
    ObjectMeta m;
    m.key.assign(key);
    std::string len = r.Header("content-length");
    m.size = len.empty() ? 0 : std::strtoull(len.c_str(), nullptr, 10);
    m.etag = r.Header("etag");
    std::string lm = r.Header("last-modified");
    if (!lm.empty()) {
      time_t t = curl_getdate(lm.c_str(), nullptr);
      if (t >= 0) m.last_modified_ms = static_cast<int64_t>(t) * 1000;
    }
    for (const auto& [name, value] : r.headers) {
      if (name.rfind("x-amz-meta-", 0) == 0) m.metadata[name.substr(11)] = value;
    }
    return m;
  }

  Result<std::vector<ObjectMeta>> List(std::string_view prefix) override {
    RETURN_IF_ERROR(object_store::ValidateListPrefix(prefix));
    const std::string& sp = client_.config().prefix;
    std::string full_prefix = sp.empty() ? std::string(prefix) : sp + "/" + std::string(prefix);
    size_t strip = sp.empty() ? 0 : sp.size() + 1;
    std::string what = Describe() + " list '" + Printable(prefix) + "'";
    std::vector<ObjectMeta> out;
    std::string token;
    for (int page = 0;; ++page) {
      QueryParams q = {{"list-type", "2"}};
      if (!full_prefix.empty()) q.emplace_back("prefix", full_prefix);
      if (!token.empty()) q.emplace_back("continuation-token", token);
      ASSIGN_OR_RETURN(HttpResponse r,
                       client_.Perform("GET", "", BuildQuery(std::move(q)), {}, {}, what));
      if (r.status != 200) return client_.MapError("GET", what, r);
      pugi::xml_document doc;
      if (!doc.load_buffer(r.body.data(), r.body.size())) {
        return Status::Data("s3 " + what + ": malformed ListObjectsV2 XML on page " +
                            std::to_string(page));
      }
      pugi::xml_node root = doc.child("ListBucketResult");
      if (!root) {
        return Status::Data("s3 " + what + ": response has no ListBucketResult on page " +
                            std::to_string(page));
      }
      for (pugi::xml_node c : root.children("Contents")) {
        std::string k = c.child_value("Key");
        if (k.size() < strip || k.compare(0, full_prefix.size(), full_prefix) != 0) continue;
        ObjectMeta m;
        m.key = k.substr(strip);
        m.size = std::strtoull(c.child_value("Size"), nullptr, 10);
        m.etag = c.child_value("ETag");
        int64_t ms = 0;
        if (s3_internal::ParseIso8601Millis(c.child_value("LastModified"), &ms)) {
          m.last_modified_ms = ms;
        }
        out.push_back(std::move(m));
      }
      bool truncated = std::string(root.child_value("IsTruncated")) == "true";
      if (!truncated) break;
      token = root.child_value("NextContinuationToken");
      if (token.empty()) {
        return Status::Data("s3 " + what + ": truncated listing without NextContinuationToken");
      }
    }
    // S3 lists in UTF-8 binary order, which equals byte order; sort anyway for other servers.
    if (!std::is_sorted(out.begin(), out.end(),
                        [](const ObjectMeta& a, const ObjectMeta& b) { return a.key < b.key; })) {
      std::sort(out.begin(), out.end(),
                [](const ObjectMeta& a, const ObjectMeta& b) { return a.key < b.key; });
    }
    return out;
  }

  Status Delete(std::string_view key) override {
    RETURN_IF_ERROR(object_store::ValidateKey(key));
    std::string what = What(key);
    ASSIGN_OR_RETURN(HttpResponse r, client_.Perform("DELETE", PathOf(key), "", {}, {}, what));
    if (r.status == 200 || r.status == 204) return Status::OK();
    Status st = client_.MapError("DELETE", what, r);
    if (st.IsNotFound() && ParseError(r.body).code != "NoSuchBucket") return Status::OK();
    return st;
  }

  std::string Describe() const override { return client_.Describe(); }

 private:
  std::string FullKey(std::string_view key) const {
    const std::string& sp = client_.config().prefix;
    return sp.empty() ? std::string(key) : sp + "/" + std::string(key);
  }
  std::string PathOf(std::string_view key) const { return "/" + UriEncode(FullKey(key), true); }
  std::string What(std::string_view key) const {
    return "s3://" + client_.config().bucket + "/" + Printable(FullKey(key));
  }

  static Status BeyondEnd(std::string_view key, uint64_t offset, uint64_t size) {
    return Status::Invalid("range offset " + std::to_string(offset) + " is beyond the end of '" +
                           Printable(key) + "' (size " + std::to_string(size) + ")");
  }

  static std::vector<std::string> PutHeaders(const ObjectPutOptions& options, Cond cond,
                                             std::string_view etag) {
    std::vector<std::string> h = {"Content-Type: application/octet-stream"};
    for (const auto& [name, value] : options.metadata) {
      h.push_back("x-amz-meta-" + name + ": " + value);
    }
    if (cond == Cond::kIfNoneMatch) h.push_back("If-None-Match: *");
    if (cond == Cond::kIfMatch) h.push_back("If-Match: " + std::string(etag));
    return h;
  }

  Result<std::string> PutImpl(std::string_view key, std::string_view data,
                              const ObjectPutOptions& options, Cond cond, std::string_view etag) {
    RETURN_IF_ERROR(object_store::ValidateKey(key));
    RETURN_IF_ERROR(object_store::ValidateMetadata(options.metadata));
    // Conditional writes use one PUT up to S3's single-PUT limit: not every S3-compatible server
    // honours If-Match / If-None-Match on CompleteMultipartUpload (moto ignores If-Match).
    constexpr uint64_t kMaxSinglePut = 5ull << 30;
    bool multipart = data.size() > client_.config().multipart_threshold &&
                     (cond == Cond::kNone || data.size() > kMaxSinglePut);
    if (multipart) return MultipartPut(key, data, options, cond, etag);
    std::string what = What(key);
    ASSIGN_OR_RETURN(HttpResponse r, client_.Perform("PUT", PathOf(key), "",
                                                     PutHeaders(options, cond, etag), data, what));
    if (r.status != 200) return client_.MapError("PUT", what, r, cond);
    std::string tag = r.Header("etag");
    if (tag.empty()) return Status::Data("s3 PUT " + what + ": response has no ETag");
    return tag;
  }

  Result<std::string> MultipartPut(std::string_view key, std::string_view data,
                                   const ObjectPutOptions& options, Cond cond,
                                   std::string_view etag) {
    ASSIGN_OR_RETURN(std::string upload_id, CreateUpload(key, options));
    Result<std::string> result = UploadParts(key, data, cond, etag, upload_id);
    if (!result.ok()) {
      // Best effort: abort so the parts do not linger (and cost money).
      (void)AbortUpload(key, upload_id);
    }
    return result;
  }

  // CreateMultipartUpload; returns the upload id.
  Result<std::string> CreateUpload(std::string_view key, const ObjectPutOptions& options) {
    std::string what = What(key);
    std::vector<std::string> create_headers = PutHeaders(options, Cond::kNone, {});
    ASSIGN_OR_RETURN(HttpResponse cr,
                     client_.Perform("POST", PathOf(key), "uploads=", create_headers, {}, what));
    if (cr.status != 200) return client_.MapError("POST (create multipart upload)", what, cr);
    pugi::xml_document doc;
    std::string upload_id;
    if (doc.load_buffer(cr.body.data(), cr.body.size())) {
      upload_id = doc.child("InitiateMultipartUploadResult").child_value("UploadId");
    }
    if (upload_id.empty()) {
      return Status::Data("s3 POST " + what + ": CreateMultipartUpload returned no UploadId");
    }
    return upload_id;
  }

  // UploadPart; returns the part's ETag.
  Result<std::string> UploadPart(std::string_view key, const std::string& upload_id, int part,
                                 std::string_view chunk) {
    std::string what = What(key);
    std::string q = BuildQuery({{"partNumber", std::to_string(part)}, {"uploadId", upload_id}});
    ASSIGN_OR_RETURN(HttpResponse r, client_.Perform("PUT", PathOf(key), q, {}, chunk, what));
    if (r.status != 200) {
      return client_.MapError(("PUT (part " + std::to_string(part) + ")").c_str(), what, r);
    }
    std::string tag = r.Header("etag");
    if (tag.empty()) {
      return Status::Data("s3 PUT " + what + ": part " + std::to_string(part) + " has no ETag");
    }
    return tag;
  }

  // AbortMultipartUpload (a missing upload is OK: already aborted or completed).
  Status AbortUpload(std::string_view key, const std::string& upload_id) {
    std::string what = What(key);
    ASSIGN_OR_RETURN(HttpResponse r,
                     client_.Perform("DELETE", PathOf(key), BuildQuery({{"uploadId", upload_id}}),
                                     {}, {}, what));
    if (r.status == 204 || r.status == 200 || r.status == 404) return Status::OK();
    return client_.MapError("DELETE (abort multipart upload)", what, r);
  }

  // CompleteMultipartUpload of `part_etags` (part i+1 = part_etags[i]); returns the ETag.
  Result<std::string> CompleteUpload(std::string_view key, const std::string& upload_id,
                                     const std::vector<std::string>& part_etags, Cond cond,
                                     std::string_view etag) {
    std::string what = What(key);
    std::string path = PathOf(key);
    std::string complete = "<CompleteMultipartUpload>";
    for (size_t i = 0; i < part_etags.size(); ++i) {
      complete += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" +
                  part_etags[i] + "</ETag></Part>";
    }
    complete += "</CompleteMultipartUpload>";
    std::vector<std::string> headers = {"Content-Type: application/xml"};
    if (cond == Cond::kIfNoneMatch) headers.push_back("If-None-Match: *");
    if (cond == Cond::kIfMatch) headers.push_back("If-Match: " + std::string(etag));
    std::string q = BuildQuery({{"uploadId", upload_id}});
    ASSIGN_OR_RETURN(HttpResponse r, client_.Perform("POST", path, q, headers, complete, what));
    if (r.status != 200) return client_.MapError("POST (complete multipart upload)", what, r, cond);
    // S3 may report an error inside a 200 response.
    S3Error e = ParseError(r.body);
    if (!e.code.empty()) {
      long status = e.code == "PreconditionFailed" ? 412 : 500;
      return client_.MapCode(
          status, e.code,
          "s3 POST (complete multipart upload) " + what + ": " + e.code + ": " + e.message, cond);
    }
    pugi::xml_document doc;
    std::string tag;
    if (doc.load_buffer(r.body.data(), r.body.size())) {
      tag = doc.child("CompleteMultipartUploadResult").child_value("ETag");
    }
    if (tag.empty()) tag = r.Header("etag");
    if (tag.empty()) {
      // Fall back to HEAD (some servers omit the ETag); the object is complete.
      ASSIGN_OR_RETURN(ObjectMeta m, Head(key));
      tag = m.etag;
    }
    return tag;
  }

  Result<std::string> UploadParts(std::string_view key, std::string_view data, Cond cond,
                                  std::string_view etag, const std::string& upload_id) {
    uint64_t part_size = std::max<uint64_t>(client_.config().part_size, 1);
    std::vector<std::string> tags;
    int part = 1;
    for (uint64_t off = 0; off < data.size(); off += part_size, ++part) {
      ASSIGN_OR_RETURN(std::string tag,
                       UploadPart(key, upload_id, part, data.substr(off, part_size)));
      tags.push_back(std::move(tag));
    }
    return CompleteUpload(key, upload_id, tags, cond, etag);
  }

  // The streaming writer: buffers up to one part; the first full part (beyond
  // multipart_threshold) starts a multipart upload, each further full part is uploaded as it
  // fills, Finish uploads the rest as the last part and completes. An object that never grows
  // past the threshold is one PUT at Finish. A failed part stays buffered and is retried by the
  // next call; Abort (or the destructor) aborts the multipart upload.
  class Writer final : public ObjectWriter {
   public:
    Writer(S3ObjectStore* store, std::string key, ObjectPutOptions options)
        : store_(store), key_(std::move(key)), options_(std::move(options)) {
      part_size_ = std::max<uint64_t>(store_->client_.config().part_size, 1);
      threshold_ = store_->client_.config().multipart_threshold;
    }
    ~Writer() override { (void)Abort(); }

    Status Append(std::string_view data) override {
      RETURN_IF_ERROR(state_.Check("Append", key_));
      buf_.append(data);
      size_ += data.size();
      while (buf_.size() >= part_size_ && (!upload_id_.empty() || buf_.size() > threshold_)) {
        RETURN_IF_ERROR(UploadFront(part_size_));
      }
      return Status::OK();
    }

    Result<std::string> Finish() override {
      if (state_.finished()) return state_.etag();
      RETURN_IF_ERROR(state_.Check("Finish", key_));
      if (upload_id_.empty()) {
        ASSIGN_OR_RETURN(std::string tag, store_->PutImpl(key_, buf_, options_, Cond::kNone, {}));
        Done(object_store::WriterState::Phase::kFinished);
        state_.Finished(tag);
        return tag;
      }
      while (buf_.size() > part_size_) RETURN_IF_ERROR(UploadFront(part_size_));
      if (!buf_.empty()) RETURN_IF_ERROR(UploadFront(buf_.size()));
      Result<std::string> tag =
          store_->CompleteUpload(key_, upload_id_, part_etags_, Cond::kNone, {});
      if (!tag.ok() && tag.status().IsNotFound() && complete_tried_) {
        // An earlier CompleteMultipartUpload landed with its reply lost: the upload is gone and
        // the object is ours.
        ASSIGN_OR_RETURN(ObjectMeta m, store_->Head(key_));
        tag = m.etag;
      }
      complete_tried_ = true;
      if (!tag.ok()) return tag.status();
      upload_id_.clear();
      Done(object_store::WriterState::Phase::kFinished);
      state_.Finished(*tag);
      return tag;
    }

    Status Abort() override {
      if (state_.phase() == object_store::WriterState::Phase::kFinished) {
        return state_.Check("Abort", key_);
      }
      if (!upload_id_.empty()) {
        RETURN_IF_ERROR(store_->AbortUpload(key_, upload_id_));
        upload_id_.clear();
      }
      Done(object_store::WriterState::Phase::kAborted);
      return Status::OK();
    }
    uint64_t size() const override { return size_; }

   private:
    // Uploads buf_[0, n) as the next part (creating the upload first); erased on success.
    Status UploadFront(uint64_t n) {
      if (upload_id_.empty()) {
        ASSIGN_OR_RETURN(upload_id_, store_->CreateUpload(key_, options_));
      }
      const int part = static_cast<int>(part_etags_.size()) + 1;
      ASSIGN_OR_RETURN(std::string tag, store_->UploadPart(key_, upload_id_, part,
                                                           std::string_view(buf_).substr(0, n)));
      part_etags_.push_back(std::move(tag));
      buf_.erase(0, n);
      return Status::OK();
    }
    void Done(object_store::WriterState::Phase phase) {
      state_.set_phase(phase);
      std::string().swap(buf_);
    }

    S3ObjectStore* store_;
    std::string key_;
    ObjectPutOptions options_;
    uint64_t part_size_ = 0;
    uint64_t threshold_ = 0;
    std::string buf_;  // bytes not yet uploaded (at most about one part)
    std::string upload_id_;
    std::vector<std::string> part_etags_;
    uint64_t size_ = 0;
    bool complete_tried_ = false;
    object_store::WriterState state_;
  };

  S3Client client_;
};

bool EnvTrue(const char* v) {
  std::string s = ToLower(v == nullptr ? "" : v);
  return s == "true" || s == "1" || s == "yes";
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

Status ValidateConfig(S3Config* c) {
  RETURN_IF_ERROR(ValidateS3BucketName(c->bucket));
  while (!c->prefix.empty() && c->prefix.back() == '/') c->prefix.pop_back();
  while (!c->prefix.empty() && c->prefix.front() == '/') c->prefix.erase(0, 1);
  if (!c->prefix.empty()) {
    Status st = object_store::ValidateKey(c->prefix);
    if (!st.ok()) return Status::Invalid("s3 prefix: " + st.message());
  }
  if (c->region.empty()) c->region = "us-east-1";
  for (char ch : c->region) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-') {
      return Status::Invalid("s3 region '" + Printable(c->region) + "' is invalid");
    }
  }
  if (c->endpoint.empty()) c->endpoint = "https://s3." + c->region + ".amazonaws.com";
  while (!c->endpoint.empty() && c->endpoint.back() == '/') c->endpoint.pop_back();
  std::string lower = ToLower(c->endpoint);
  if (lower.rfind("http://", 0) == 0) {
    if (!c->allow_http) {
      return Status::Invalid("s3 endpoint '" + Printable(object_store::RedactUrl(c->endpoint)) +
                             "' uses plain http; set AWS_ALLOW_HTTP=true to allow it");
    }
  } else if (lower.rfind("https://", 0) != 0) {
    return Status::Invalid("s3 endpoint '" + Printable(object_store::RedactUrl(c->endpoint)) +
                           "' must start with https:// (or http:// with AWS_ALLOW_HTTP=true)");
  }
  if (c->endpoint.size() <= 8 || c->endpoint.find_first_of(" \t\r\n") != std::string::npos) {
    return Status::Invalid("s3 endpoint '" + Printable(object_store::RedactUrl(c->endpoint)) +
                           "' is malformed");
  }
  if (c->access_key_id.empty() != c->secret_access_key.empty()) {
    return Status::Invalid(c->access_key_id.empty()
                               ? "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not"
                               : "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
  }
  auto header_safe = [](const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](char ch) {
      auto u = static_cast<unsigned char>(ch);
      return u >= 0x21 && u < 0x7f;
    });
  };
  if (!header_safe(c->access_key_id) || !header_safe(c->secret_access_key) ||
      !header_safe(c->session_token)) {
    // Never echo the values: they are secrets.
    return Status::Invalid("s3 credentials contain spaces or non-printable characters");
  }
  if (c->part_size < 1 || c->multipart_threshold < 1) {
    return Status::Invalid("s3 part_size and multipart_threshold must be positive");
  }
  return Status::OK();
}

}  // namespace

Status ValidateS3BucketName(std::string_view b) {
  auto bad = [&](std::string_view why) {
    return Status::Invalid("invalid S3 bucket name '" + Printable(b) + "': " + std::string(why));
  };
  if (b.size() < 3 || b.size() > 63) return bad("must be 3 to 63 characters long");
  for (char c : b) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) {
      return bad("only lower-case letters, digits, '.' and '-' are allowed");
    }
  }
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(b.front()) || !alnum(b.back()))
    return bad("must start and end with a letter or digit");
  if (b.find("..") != std::string_view::npos) return bad("must not contain '..'");
  if (b.find(".-") != std::string_view::npos || b.find("-.") != std::string_view::npos) {
    return bad("must not contain '.-' or '-.'");
  }
  if (b.rfind("xn--", 0) == 0 || b.rfind("sthree-", 0) == 0) {
    return bad("must not start with 'xn--' or 'sthree-'");
  }
  if (b.size() >= 8 && b.substr(b.size() - 8) == "-s3alias")
    return bad("must not end with '-s3alias'");
  // An IPv4 address: four dot-separated groups of digits.
  int dots = 0;
  bool digits_and_dots = true;
  for (char c : b) {
    if (c == '.')
      ++dots;
    else if (!(c >= '0' && c <= '9'))
      digits_and_dots = false;
  }
  if (digits_and_dots && dots == 3) return bad("must not be formatted as an IP address");
  return Status::OK();
}

Result<S3Config> S3ConfigFromEnv(std::string_view bucket, std::string_view prefix,
                                 AwsCredentialChainOptions chain_options) {
  S3Config c;
  c.bucket.assign(bucket);
  c.prefix.assign(prefix);
  ASSIGN_OR_RETURN(aws::AwsProfile profile, aws::LoadAwsProfile());
  c.endpoint = Env("AWS_ENDPOINT_URL_S3");
  if (c.endpoint.empty()) c.endpoint = Env("AWS_ENDPOINT_URL");
  if (c.endpoint.empty()) c.endpoint = profile.Get("s3.endpoint_url").value_or("");
  if (c.endpoint.empty()) c.endpoint = profile.Get("endpoint_url").value_or("");
  c.region = Env("AWS_REGION");
  if (c.region.empty()) c.region = Env("AWS_DEFAULT_REGION");
  if (c.region.empty()) c.region = profile.Get("region").value_or("");
  if (c.region.empty()) c.region = "us-east-1";
  c.allow_http = EnvTrue(std::getenv("AWS_ALLOW_HTTP"));
  c.skip_signature = EnvTrue(std::getenv("AWS_SKIP_SIGNATURE"));
  const std::string force_path = Env("AWS_S3_FORCE_PATH_STYLE");
  const std::string style = ToLower(profile.Get("s3.addressing_style").value_or("auto"));
  if (EnvTrue(force_path.c_str())) {
    c.addressing_style = S3AddressingStyle::kPath;
  } else if (!force_path.empty() && ToLower(force_path) != "false" && force_path != "0") {
    return Status::Invalid("AWS_S3_FORCE_PATH_STYLE must be true or false, not '" +
                           Printable(force_path) + "'");
  } else if (style == "path") {
    c.addressing_style = S3AddressingStyle::kPath;
  } else if (style == "virtual") {
    c.addressing_style = S3AddressingStyle::kVirtualHosted;
  } else if (style != "auto") {
    return Status::Invalid(profile.Describe() +
                           ": s3 addressing_style must be auto, path or "
                           "virtual, not '" +
                           Printable(style) + "'");
  }
  // A half-set pair of key variables is a mistake to report now, not at the first request.
  const std::string akid = Env("AWS_ACCESS_KEY_ID");
  const std::string secret = Env("AWS_SECRET_ACCESS_KEY");
  if (akid.empty() != secret.empty()) {
    return Status::Invalid(akid.empty()
                               ? "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not"
                               : "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
  }
  RETURN_IF_ERROR(ValidateConfig(&c));
  if (!c.skip_signature) {
    chain_options.region = c.region;
    chain_options.allow_http = chain_options.allow_http || c.allow_http;
    c.credentials_provider = NewDefaultAwsCredentialsChain(std::move(chain_options));
  }
  return c;
}

Result<std::shared_ptr<ObjectStore>> NewS3ObjectStore(S3Config config) {
  RETURN_IF_ERROR(ValidateConfig(&config));
  return std::shared_ptr<ObjectStore>(std::make_shared<S3ObjectStore>(std::move(config)));
}

Status CreateS3Bucket(const S3Config& config_in) {
  S3Config config = config_in;
  RETURN_IF_ERROR(ValidateConfig(&config));
  S3Client client(config);
  std::string body;
  std::vector<std::string> headers;
  if (config.region != "us-east-1") {
    body =
        "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        "<LocationConstraint>" +
        config.region + "</LocationConstraint></CreateBucketConfiguration>";
    headers.push_back("Content-Type: application/xml");
  }
  std::string what = "bucket '" + config.bucket + "'";
  ASSIGN_OR_RETURN(HttpResponse r, client.Perform("PUT", "", "", headers, body, what));
  if (r.status == 200) return Status::OK();
  S3Error e = ParseError(r.body);
  if (e.code == "BucketAlreadyOwnedByYou") return Status::OK();
  if (e.code == "BucketAlreadyExists") {
    return Status::AlreadyExists("s3 bucket '" + config.bucket +
                                 "' exists and is owned by someone else");
  }
  return client.MapError("PUT (create bucket)", what, r);
}

}  // namespace slatedb
