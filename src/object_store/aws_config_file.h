// object_store/aws_config_file.h — the AWS shared configuration files (~/.aws/config and
// ~/.aws/credentials): a small INI parser and profile lookup, as the AWS SDKs read them.
//
// What: ParseAwsIniFile turns the text of one file into sections of key = value pairs. Keys are
// lower-cased; values are trimmed. Comment lines start with '#' or ';'; an inline comment needs
// whitespace before the '#' / ';'. An indented line under a key with an empty value is a
// sub-property (`s3 =` then `  addressing_style = path` gives key "s3.addressing_style").
// In the config file a profile is `[profile NAME]` (the default profile also `[default]`); in
// the credentials file it is `[NAME]`. LoadAwsProfile merges both files for one profile, the
// credentials file winning for keys present in both (as the SDKs do).
// Thread safety: pure functions; LoadAwsProfile reads the environment and files only.
// Ownership: values. Errors: kInvalid naming file:line for a line that is none of section,
// key = value, sub-property, comment or blank; kInvalid also for an existing file that cannot be
// read. Values read here (secret keys, session tokens) never appear in any message.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "slatedb/status.h"

namespace slatedb::aws {

// Section name exactly as written between the brackets (trimmed) → key → value.
using IniSections = std::map<std::string, std::map<std::string, std::string>>;

// `origin` names the file in error messages.
Result<IniSections> ParseAwsIniFile(std::string_view text, std::string_view origin);

// One profile, merged from the two shared files.
struct AwsProfile {
  std::string name;              // AWS_PROFILE, else "default"
  bool name_from_env = false;    // AWS_PROFILE was set
  std::string credentials_file;  // path used (may not exist)
  std::string config_file;       // path used (may not exist)
  bool credentials_file_exists = false;
  bool config_file_exists = false;
  bool found = false;                         // the profile has a section in either file
  std::map<std::string, std::string> values;  // merged keys (credentials file wins)

  std::optional<std::string> Get(const std::string& key) const;
  // "profile 'x' (in /home/u/.aws/credentials, /home/u/.aws/config)" — for messages.
  std::string Describe() const;
};

// Reads AWS_PROFILE, AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE and HOME. Missing files are not
// an error (found = false); unreadable or malformed ones are.
Result<AwsProfile> LoadAwsProfile();

}  // namespace slatedb::aws
