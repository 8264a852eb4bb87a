// config/settings.cc — the public Settings loaders (include/slatedb/options.h): thin wrappers of
// settings_io.h.
#include "config/settings_io.h"
#include "slatedb/options.h"

namespace slatedb {

Result<Settings> Settings::FromFile(const std::string& path) {
  return config::SettingsFromFile(path);
}

Result<Settings> Settings::FromEnv(std::string_view prefix) {
  Settings s;
  RETURN_IF_ERROR(config::ApplyEnvFromEnviron(s, prefix));
  return s;
}

Result<Settings> Settings::Load() {
  return config::LoadSettings(".", config::ProcessEnvironment(), "SLATEDB_");
}

Result<Settings> Settings::FromJson(std::string_view json) {
  return config::SettingsFromJson(json);
}

std::string Settings::ToJson(bool pretty) const {
  return config::SettingsToJson(*this, config::JsonFormat{.pretty = pretty});
}

}  // namespace slatedb
