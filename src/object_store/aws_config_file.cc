#include "object_store/aws_config_file.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

#include "object_store/key.h"

namespace slatedb::aws {

namespace {

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Drops an inline comment: '#' or ';' preceded by whitespace.
std::string StripInlineComment(std::string_view v) {
  for (size_t i = 1; i < v.size(); ++i) {
    if ((v[i] == '#' || v[i] == ';') && std::isspace(static_cast<unsigned char>(v[i - 1]))) {
      return Trim(v.substr(0, i));
    }
  }
  return Trim(v);
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

// The file's text; nullopt when it does not exist.
Result<std::optional<std::string>> ReadIfExists(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT || errno == ENOTDIR) return std::optional<std::string>();
    return Status::Invalid("cannot read AWS shared file '" + object_store::Printable(path) +
                           "': " + std::generic_category().message(errno));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    return Status::Invalid("cannot read AWS shared file '" + object_store::Printable(path) + "'");
  }
  return std::optional<std::string>(ss.str());
}

}  // namespace

Result<IniSections> ParseAwsIniFile(std::string_view text, std::string_view origin) {
  IniSections out;
  std::string section;
  bool in_section = false;
  std::string parent_key;  // a key with an empty value: indented lines below are sub-properties
  size_t line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view raw = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++line_no;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    const std::string line = Trim(raw);
    auto bad = [&](const std::string& why) {
      // Only the position and the reason: the line may hold a secret.
      return Status::Invalid("AWS shared file '" + object_store::Printable(origin) + "' line " +
                             std::to_string(line_no) + ": " + why);
    };
    if (line.empty() || line[0] == '#' || line[0] == ';') {
      if (eol == text.size()) break;
      continue;
    }
    const bool indented = std::isspace(static_cast<unsigned char>(raw[0])) != 0;
    if (line[0] == '[') {
      size_t close = line.find(']');
      if (close == std::string::npos) return bad("section header without ']'");
      std::string rest = StripInlineComment(line.substr(close + 1));
      if (!rest.empty()) return bad("text after a section header");
      section = Trim(line.substr(1, close - 1));
      if (section.empty()) return bad("empty section name");
      out[section];  // an empty section still names a profile
      in_section = true;
      parent_key.clear();
    } else {
      size_t eq = line.find('=');
      if (eq == std::string::npos) return bad("expected 'key = value'");
      if (!in_section) return bad("'key = value' before any [section]");
      std::string key = Lower(Trim(line.substr(0, eq)));
      std::string value = StripInlineComment(line.substr(eq + 1));
      if (key.empty()) return bad("empty key");
      if (indented && !parent_key.empty()) {
        out[section][parent_key + "." + key] = value;
      } else {
        out[section][key] = value;
        parent_key = value.empty() ? key : std::string();
      }
    }
    if (eol == text.size()) break;
  }
  return out;
}

std::optional<std::string> AwsProfile::Get(const std::string& key) const {
  auto it = values.find(key);
  if (it == values.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

std::string AwsProfile::Describe() const {
  return "profile '" + object_store::Printable(name) + "' (in " +
         object_store::Printable(credentials_file) + ", " + object_store::Printable(config_file) +
         ")";
}

Result<AwsProfile> LoadAwsProfile() {
  AwsProfile p;
  p.name = Env("AWS_PROFILE");
  p.name_from_env = !p.name.empty();
  if (p.name.empty()) p.name = "default";
  const std::string home = Env("HOME");
  p.credentials_file = Env("AWS_SHARED_CREDENTIALS_FILE");
  if (p.credentials_file.empty()) p.credentials_file = home + "/.aws/credentials";
  p.config_file = Env("AWS_CONFIG_FILE");
  if (p.config_file.empty()) p.config_file = home + "/.aws/config";

  ASSIGN_OR_RETURN(std::optional<std::string> config_text, ReadIfExists(p.config_file));
  if (config_text) {
    p.config_file_exists = true;
    ASSIGN_OR_RETURN(IniSections config, ParseAwsIniFile(*config_text, p.config_file));
    // "[profile NAME]"; the default profile may also be plain "[default]".
    for (const auto& [section, keys] : config) {
      std::string name;
      if (section.rfind("profile", 0) == 0 && section.size() > 7 &&
          std::isspace(static_cast<unsigned char>(section[7]))) {
        name = Trim(section.substr(7));
      } else if (section == "default") {
        name = "default";
      } else {
        continue;  // sso-session, services, plain names: not profiles in the config file
      }
      if (name != p.name) continue;
      p.found = true;
      for (const auto& [k, v] : keys) p.values[k] = v;
    }
  }
  ASSIGN_OR_RETURN(std::optional<std::string> cred_text, ReadIfExists(p.credentials_file));
  if (cred_text) {
    p.credentials_file_exists = true;
    ASSIGN_OR_RETURN(IniSections creds, ParseAwsIniFile(*cred_text, p.credentials_file));
    auto it = creds.find(p.name);
    if (it != creds.end()) {
      p.found = true;
      for (const auto& [k, v] : it->second) p.values[k] = v;  // the credentials file wins
    }
  }
  return p;
}

}  // namespace slatedb::aws
