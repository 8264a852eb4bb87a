// OpenObjectStore(url): memory:///, file:///abs/dir, s3://bucket[/prefix][?options] (retried).
// S3 URL options (SlateDB's object_store names, with or without the aws_ prefix):
// skip_signature, force_path_style, virtual_hosted_style_request = true|false.
#include <curl/curl.h>

#include <cctype>
#include <memory>
#include <string>

#include "object_store/key.h"
#include "object_store/memory_object_store.h"
#include "object_store/retrying_object_store.h"
#include "object_store/s3_object_store.h"
#include "slatedb/object_store.h"

namespace slatedb {

namespace {
constexpr char kExpected[] = "(expected memory:///, file:///abs/dir or s3://bucket/prefix)";
constexpr char kS3Options[] =
    "skip_signature, force_path_style, virtual_hosted_style_request (true or false)";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The directory of a file:// URL, parsed by libcurl's URL API: percent-decoding,
// file://localhost/abs and file:///abs; other hosts, queries and fragments are refused.
Result<std::string> FileUrlPath(std::string_view url) {
  using object_store::Printable;
  using object_store::RedactUrl;
  struct Deleter {
    void operator()(CURLU* u) const { curl_url_cleanup(u); }
  };
  std::unique_ptr<CURLU, Deleter> u(curl_url());
  if (!u) return Status::Internal("curl_url: out of memory");
  const std::string text(url);
  CURLUcode rc = curl_url_set(u.get(), CURLUPART_URL, text.c_str(), 0);
  if (rc != CURLUE_OK) {
    return Status::Invalid("file object store URL '" + Printable(RedactUrl(url)) +
                           "': " + curl_url_strerror(rc) +
                           " (only file:///abs/dir or file://localhost/abs/dir)");
  }
  auto part = [&](CURLUPart which, unsigned flags) -> std::optional<std::string> {
    char* out = nullptr;
    if (curl_url_get(u.get(), which, &out, flags) != CURLUE_OK || out == nullptr) {
      return std::nullopt;
    }
    std::string value(out);
    curl_free(out);
    return value;
  };
  auto host = part(CURLUPART_HOST, 0);
  if (host && !host->empty() && Lower(*host) != "localhost") {
    return Status::Invalid("file object store URL '" + Printable(RedactUrl(url)) +
                           "' names host '" + Printable(*host) +
                           "'; only file:///abs/dir or file://localhost/abs/dir");
  }
  if (part(CURLUPART_QUERY, 0) || part(CURLUPART_FRAGMENT, 0)) {
    return Status::Invalid("file object store URL '" + Printable(RedactUrl(url)) +
                           "' has a query or fragment; expected file:///abs/dir");
  }
  auto path = part(CURLUPART_PATH, CURLU_URLDECODE);
  if (!path || path->empty() || path->front() != '/') {
    return Status::Invalid("file object store URL '" + Printable(RedactUrl(url)) +
                           "' must name an absolute directory: file:///abs/dir");
  }
  if (path->find('\0') != std::string::npos) {
    return Status::Invalid("file object store URL '" + Printable(RedactUrl(url)) +
                           "' decodes to a NUL byte");
  }
  return *path;
}

// Applies "k=v&k=v" S3 URL options to `config`.
Status ApplyS3UrlOptions(std::string_view url, std::string_view query, S3Config* config) {
  using object_store::Printable;
  using object_store::RedactUrl;
  bool path_style = false, virtual_hosted = false;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (item.empty()) continue;
    size_t eq = item.find('=');
    std::string key = Lower(item.substr(0, eq));
    std::string value = eq == std::string_view::npos ? "true" : Lower(item.substr(eq + 1));
    if (key.rfind("aws_", 0) == 0) key.erase(0, 4);
    if (key != "skip_signature" && key != "force_path_style" &&
        key != "virtual_hosted_style_request") {
      return Status::Invalid("s3 URL '" + Printable(RedactUrl(url)) + "': unknown option '" +
                             Printable(key) + "' (known: " + kS3Options + ")");
    }
    if (value != "true" && value != "false") {
      return Status::Invalid("s3 URL '" + Printable(RedactUrl(url)) + "': option '" +
                             Printable(key) + "' must be true or false, not '" + Printable(value) +
                             "'");
    }
    const bool on = value == "true";
    if (key == "skip_signature") {
      config->skip_signature = on;
      if (on) config->credentials_provider.reset();
    } else if (key == "force_path_style") {
      path_style = on;
    } else {  // virtual_hosted_style_request
      virtual_hosted = on;
    }
  }
  if (path_style && virtual_hosted) {
    return Status::Invalid("s3 URL '" + Printable(RedactUrl(url)) +
                           "': force_path_style and virtual_hosted_style_request exclude each "
                           "other");
  }
  if (path_style) config->addressing_style = S3AddressingStyle::kPath;
  if (virtual_hosted) config->addressing_style = S3AddressingStyle::kVirtualHosted;
  return Status::OK();
}

}  // namespace

Result<std::shared_ptr<ObjectStore>> OpenObjectStore(std::string_view url) {
  using object_store::Printable;
  using object_store::RedactUrl;
  // Credentials belong in the environment (AWS_*), never in the URL: refuse it, redacted.
  if (RedactUrl(url) != url) {
    return Status::Invalid("object store URL '" + Printable(RedactUrl(url)) +
                           "' contains credentials (user:password@); pass them in AWS_* "
                           "environment variables instead");
  }
  size_t sep = url.find("://");
  if (sep == std::string_view::npos || sep == 0) {
    return Status::Invalid("malformed object store URL '" + Printable(RedactUrl(url)) + "' " +
                           kExpected);
  }
  // Schemes are case-insensitive (RFC 3986 §3.1).
  const std::string scheme = Lower(url.substr(0, sep));
  std::string_view rest = url.substr(sep + 3);
  if (scheme == "memory") {
    if (!rest.empty() && rest != "/") {
      return Status::Invalid("memory object store URL '" + Printable(RedactUrl(url)) +
                             "' must be exactly memory:///");
    }
    return NewMemoryObjectStore();
  }
  if (scheme == "file") {
    ASSIGN_OR_RETURN(std::string dir, FileUrlPath(url));
    return NewLocalObjectStore(dir);
  }
  if (scheme == "s3") {
    std::string_view query;
    if (size_t q = rest.find('?'); q != std::string_view::npos) {
      query = rest.substr(q + 1);
      rest = rest.substr(0, q);
    }
    if (rest.find('#') != std::string_view::npos || query.find('#') != std::string_view::npos) {
      return Status::Invalid("s3 object store URL '" + Printable(RedactUrl(url)) +
                             "' has a fragment ('#')");
    }
    size_t slash = rest.find('/');
    std::string_view bucket = rest.substr(0, slash);
    std::string_view prefix =
        slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (bucket.empty()) {
      return Status::Invalid("s3 object store URL '" + Printable(RedactUrl(url)) +
                             "' has no bucket " + kExpected);
    }
    auto config = S3ConfigFromEnv(bucket, prefix);
    if (!config.ok())
      return config.status().WithContext("object store URL '" + Printable(RedactUrl(url)) + "'");
    RETURN_IF_ERROR(ApplyS3UrlOptions(url, query, &config.value()));
    ASSIGN_OR_RETURN(std::shared_ptr<ObjectStore> s3, NewS3ObjectStore(std::move(config).value()));
    return NewRetryingObjectStore(std::move(s3));
  }
  return Status::Invalid("unknown object store URL scheme '" + Printable(scheme) + "' in '" +
                         Printable(RedactUrl(url)) + "' " + kExpected);
}

}  // namespace slatedb
