// config/settings_io.h — loading and printing slatedb::Settings (include/slatedb/options.h).
//
// Sources, all with SlateDB 0.12's key names and value types:
//  * JSON: the object SlateDB's `Settings::to_json_string` prints. Unlike SlateDB, a *partial*
//    object is accepted and laid over `base` (as the CLI's --settings does); a complete object
//    replaces everything. Nested objects (compactor_options, garbage_collector_options, ...)
//    are merged key by key into the base value (or into the defaults if the base has null);
//    `null` clears an optional field. scheduler_options entries are merged; a null entry
//    removes that key. Durations are strings ("100ms", "5s", see duration.h).
//  * TOML: the same tree as TOML tables. TOML has no null: the string "null" clears an
//    optional field.
//  * Environment: `<prefix><KEY>` with nested keys joined by a double underscore, case
//    insensitive: SLATEDB_FLUSH_INTERVAL=50ms, SLATEDB_COMPACTOR_OPTIONS__POLL_INTERVAL=1s,
//    SLATEDB_GARBAGE_COLLECTOR_OPTIONS__WAL_OPTIONS__MIN_AGE=10m,
//    SLATEDB_COMPACTOR_OPTIONS__SCHEDULER_OPTIONS__MIN_COMPACTION_SOURCES=2. Values are text:
//    numbers and booleans ("true"/"false") are parsed, "null" clears an optional field, an
//    object-valued key also takes a JSON object ("{...}"), default_ttl also takes a duration.
//    Variables whose first segment is not a setting (e.g. SLATEDB_SOURCE_DIR) are ignored;
//    an unknown nested key under a known setting is an error.
//  * SetSetting: one dotted key and a JSON literal, like SlateDB's `settings.set(k, v)`.
// Every loader validates the result with ValidateSettings.
//
// Thread safety: pure functions (ApplyEnvFromEnviron reads the process environment).
// Errors: kInvalid, always naming the setting and/or input:
//   "unknown setting 'flush_intervl'"
//   "setting 'l0_max_ssts': expected a non-negative integer, got \"x\""
//   "settings JSON: parse error at byte 12: ..." / "settings TOML: ... (line 3, column 7)"
//   "settings file 'x.yaml': unsupported extension (expected .json or .toml)"
//   kNotFound if a settings file does not exist.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "slatedb/options.h"
#include "slatedb/status.h"

namespace slatedb::config {

// JSON object (full or partial) laid over `base`.
Result<Settings> SettingsFromJson(std::string_view json, const Settings& base = Settings());
// TOML document laid over `base`.
Result<Settings> SettingsFromToml(std::string_view toml, const Settings& base = Settings());
// Reads `path` and parses it by extension: ".json" or ".toml" (case-insensitive).
Result<Settings> SettingsFromFile(const std::string& path, const Settings& base = Settings());

// Applies `<prefix>...` variables of `env` (name -> value) to `settings`, in name order. On error
// `settings` may be partially updated.
Status ApplyEnv(Settings& settings, const std::map<std::string, std::string>& env,
                std::string_view prefix = "SLATEDB_");
// Same, reading the process environment.
Status ApplyEnvFromEnviron(Settings& settings, std::string_view prefix = "SLATEDB_");

// Sets one setting: `key` is dotted ("compactor_options.poll_interval"), `json_value` a JSON
// literal ("\"1s\"", "8", "null", "{...}").
Status SetSetting(Settings& settings, std::string_view key, std::string_view json_value);

struct JsonFormat {
  bool pretty = false;              // 4-space indentation as SlateDB prints, else compact
  bool include_extensions = false;  // also print slatedb-cpp extensions (block_size)
};
// Prints exactly SlateDB 0.12.1's key set, in its order (plus extensions if asked).
std::string SettingsToJson(const Settings& settings, JsonFormat format = JsonFormat());

// Checks values the engine cannot work with (zero intervals, zero limits, block_size not a
// power of two in [1 KiB, 64 KiB]). kInvalid naming the setting.
Status ValidateSettings(const Settings& settings);

// "Snappy", "Zlib", "Lz4", "Zstd"; "null" for kNone.
std::string_view CompressionCodecName(CompressionCodec codec);

}  // namespace slatedb::config
