#include "object_store/key.h"

#include <curl/curl.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <utility>

namespace slatedb::object_store {

namespace {

// Where the authority of `url` starts and ends ("scheme://AUTHORITY/..."); npos if no "://".
std::pair<size_t, size_t> Authority(std::string_view url) {
  const size_t sep = url.find("://");
  if (sep == std::string_view::npos) return {std::string_view::npos, std::string_view::npos};
  const size_t begin = sep + 3;
  size_t end = url.find_first_of("/?#", begin);
  if (end == std::string_view::npos) end = url.size();
  return {begin, end};
}

// True if libcurl finds a user or password in `url`; nullopt if it cannot parse it.
std::optional<bool> CurlFindsUserinfo(std::string_view url) {
  struct Deleter {
    void operator()(CURLU* u) const { curl_url_cleanup(u); }
  };
  std::unique_ptr<CURLU, Deleter> u(curl_url());
  if (!u) return std::nullopt;
  const std::string text(url);
  if (curl_url_set(u.get(), CURLUPART_URL, text.c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
    return std::nullopt;
  }
  for (CURLUPart part : {CURLUPART_USER, CURLUPART_PASSWORD, CURLUPART_OPTIONS}) {
    char* out = nullptr;
    CURLUcode rc = curl_url_get(u.get(), part, &out, 0);
    if (out != nullptr) curl_free(out);
    if (rc == CURLUE_OK) return true;
  }
  return false;
}

}  // namespace

std::string RedactUrl(std::string_view url) {
  const auto [begin, end] = Authority(url);
  if (begin == std::string_view::npos) return std::string(url);
  const size_t at = url.substr(begin, end - begin).rfind('@');
  const std::optional<bool> curl_says = CurlFindsUserinfo(url);
  // Parsed: trust libcurl (and redact everything up to the '@' it split at). Unparsable: redact
  // by position, whatever precedes an '@' in the authority.
  if (curl_says.has_value() && !*curl_says) return std::string(url);
  if (at == std::string_view::npos) return std::string(url);
  std::string out(url.substr(0, begin));
  out += "***";
  out += url.substr(begin + at);
  return out;
}

std::string Printable(std::string_view s) {
  std::string out;
  size_t n = 0;
  for (char c : s) {
    if (++n > 200) {
      out += "...";
      break;
    }
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f || c == '\\') {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

namespace {

Status CheckSegments(std::string_view key, std::string_view what) {
  auto bad = [&](std::string_view why) {
    return Status::Invalid(std::string(what) + " '" + Printable(key) +
                           "' is invalid: " + std::string(why));
  };
  if (key.find('\0') != std::string_view::npos) return bad("contains a NUL byte");
  if (key.front() == '/') return bad("absolute keys are not allowed (leading '/')");
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find('/', start);
    if (end == std::string_view::npos) end = key.size();
    std::string_view seg = key.substr(start, end - start);
    if (seg.empty()) return bad("empty path segment");
    if (seg == "." || seg == "..") return bad("'.' and '..' segments are not allowed");
    if (seg.substr(0, kTempPrefix.size()) == kTempPrefix) {
      return bad("segments starting with '.tmp.' are reserved");
    }
    start = end + 1;
  }
  return Status::OK();
}

}  // namespace

Status ValidateKey(std::string_view key) {
  if (key.empty()) return Status::Invalid("object key is empty");
  return CheckSegments(key, "object key");
}

Status ValidateListPrefix(std::string_view prefix) {
  if (prefix.find('\0') != std::string_view::npos) {
    return Status::Invalid("list prefix '" + Printable(prefix) + "' contains a NUL byte");
  }
  if (!prefix.empty() && prefix.front() == '/') {
    return Status::Invalid("list prefix '" + Printable(prefix) +
                           "' is invalid: absolute prefixes are not allowed (leading '/')");
  }
  size_t slash = prefix.rfind('/');
  if (slash == std::string_view::npos) return Status::OK();
  return CheckSegments(prefix.substr(0, slash), "list prefix directory");
}

Status ValidateMetadata(const std::map<std::string, std::string>& metadata) {
  for (const auto& [name, value] : metadata) {
    if (name.empty()) return Status::Invalid("object metadata name is empty");
    for (char c : name) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      if (!ok) {
        return Status::Invalid("object metadata name '" + Printable(name) +
                               "' is invalid: use lower-case letters, digits, '-' and '_'");
      }
    }
    for (char c : value) {
      auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u >= 0x7f) {
        return Status::Invalid("object metadata value for '" + name +
                               "' is invalid: only printable ASCII is allowed");
      }
    }
  }
  return Status::OK();
}

}  // namespace slatedb::object_store
