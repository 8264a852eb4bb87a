// object_store/key.h — object-key validation shared by every object-store backend.
//
// What: the rules every store applies to keys so that all backends accept exactly the same key
// space: a key is a non-empty '/'-separated path of non-empty segments, none of which is "." or
// "..", with no NUL byte, no leading '/', and no segment starting with ".tmp." (reserved for the
// local store's temporary files). Also helpers for user metadata names/values.
// Thread safety: pure functions. Ownership: none.
// Errors: kInvalid with a message naming the offending key (escaped when not printable).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "slatedb/status.h"

namespace slatedb::object_store {

// The reserved file-name prefix of temporary files (local store). Keys may not use it.
inline constexpr std::string_view kTempPrefix = ".tmp.";

// OK, or kInvalid naming `key`.
Status ValidateKey(std::string_view key);
// Prefix used by List: may be empty or end in a partial segment; the part up to the last '/'
// (if any) must be a valid key. No NUL bytes, no leading '/'.
Status ValidateListPrefix(std::string_view prefix);
// User metadata: names are [a-z0-9-_] (lower-case; S3 lower-cases them anyway), values are
// printable ASCII without CR/LF. kInvalid naming the entry otherwise.
Status ValidateMetadata(const std::map<std::string, std::string>& metadata);
// A printable rendering of `s` for messages: non-printable bytes as \xNN, truncated at 200 bytes.
std::string Printable(std::string_view s);
// `url` with its userinfo (credentials, "user:password@") replaced by "***":
// "http://user:secret@host/x" -> "http://***@host/x". libcurl's URL API (curl_url) decides
// whether there is userinfo; a URL it cannot parse is redacted by position (anything before
// the last '@' of the authority), so a malformed URL never leaks either. Other URLs unchanged.
std::string RedactUrl(std::string_view url);

}  // namespace slatedb::object_store
