// config/settings_io.h — loading, printing and validating slatedb::Settings
// (include/slatedb/options.h; the public entry points are Settings::FromFile / FromEnv / Load /
// FromJson / ToJson, thin wrappers of these functions).
//
// Sources, all with SlateDB 0.12's key names and value types:
//  * JSON: the object SlateDB's `Settings::to_json_string` prints. Unlike SlateDB, a *partial*
//    object is accepted and laid over `base` (as the CLI's --settings does); a complete object
//    replaces everything. Nested objects (compactor_options, garbage_collector_options, ...)
//    are merged key by key into the base value (or into the defaults if the base has null);
//    `null` clears an optional field. scheduler_options entries are merged; a null entry
//    removes that key. Durations are strings ("100ms", "1s+500ms", "7days 30min", see
//    duration.h); JSON numbers are not durations (as in SlateDB).
//  * TOML: the same tree as TOML tables. TOML has no null: the string "null" clears an
//    optional field.
//  * YAML: the same tree as YAML mappings (yaml-cpp; YAML 1.2 core-schema scalars: plain
//    true/false, integers and floats are typed, `~`/`null`/empty clear an optional field,
//    anything else is a string, quoted scalars always are). scheduler_options values may be
//    plain numbers (`min_compaction_sources: 2`). An empty document sets nothing.
//  * Environment: `<prefix><KEY>`, case insensitive, nested keys joined by '.' (SlateDB's
//    form: SLATEDB_OBJECT_STORE_CACHE_OPTIONS.ROOT_FOLDER, SLATEDB_COMPACTOR_OPTIONS.POLL_INTERVAL)
//    or by a double underscore (usable from shells: SLATEDB_COMPACTOR_OPTIONS__POLL_INTERVAL=1s,
//    SLATEDB_GARBAGE_COLLECTOR_OPTIONS__WAL_OPTIONS__MIN_AGE=10m,
//    SLATEDB_COMPACTOR_OPTIONS__SCHEDULER_OPTIONS__MIN_COMPACTION_SOURCES=2); the two may be
//    mixed. Values are text: numbers and booleans ("true"/"false") are parsed, "null" clears
//    an optional field, an object-valued key also takes a JSON object ("{...}"), default_ttl
//    also takes a duration. Variables whose first segment is not a setting (e.g.
//    SLATEDB_SOURCE_DIR) are ignored; an unknown nested key under a known setting is an error.
//  * LoadSettings: SlateDB's `Settings::load()` order, defaults <- SlateDb.json <- SlateDb.toml
//    <- SlateDb.yaml <- SlateDb.yml (each only if present in `dir`) <- environment.
//  * SetSetting: one dotted key and a JSON literal, like SlateDB's `settings.set(k, v)`.
// Every loader validates the final result (once) with ValidateSettings; the allowed ranges are
// documented beside the fields in include/slatedb/options.h.
//
// Thread safety: pure functions, except that ApplyEnvFromEnviron and ProcessEnvironment read
// the process environment (do not call them while another thread calls setenv).
// Errors: kInvalid, always naming the setting and/or input:
//   "unknown setting 'flush_intervl'"
//   "setting 'l0_max_ssts': expected a non-negative integer, got \"x\""
//   "setting 'l0_max_ssts': 0 is outside the allowed range [1, 10000]"
//   "settings JSON: parse error at byte 12: ..." / "settings TOML: ... (line 3, column 7)" /
//   "settings YAML: ... (line 2, column 5)"
//   "settings file 'x.ini': unsupported extension (expected .json, .toml, .yaml or .yml)"
//   "environment variable 'SLATEDB_L0_MAX_SSTS': setting 'l0_max_ssts': ..."
//   kNotFound if a settings file given by name does not exist. Third-party exceptions never
//   escape: they become kInvalid naming the input.
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
// YAML document laid over `base`.
Result<Settings> SettingsFromYaml(std::string_view yaml, const Settings& base = Settings());
// Reads `path` and parses it by extension: ".json", ".toml", ".yaml" or ".yml"
// (case-insensitive).
Result<Settings> SettingsFromFile(const std::string& path, const Settings& base = Settings());

// Applies `<prefix>...` variables of `env` (name -> value) to `settings`, in name order. On error
// `settings` may be partially updated.
Status ApplyEnv(Settings& settings, const std::map<std::string, std::string>& env,
                std::string_view prefix = "SLATEDB_");
// Same, reading the process environment.
Status ApplyEnvFromEnviron(Settings& settings, std::string_view prefix = "SLATEDB_");
// The process environment as name -> value.
std::map<std::string, std::string> ProcessEnvironment();

// SlateDB's Settings::load(): defaults <- `dir`/SlateDb.json <- SlateDb.toml <- SlateDb.yaml
// <- SlateDb.yml (absent files are skipped) <- `env` variables with `prefix`. Each source is
// laid over the previous ones; the result is validated once at the end.
Result<Settings> LoadSettings(const std::string& dir, const std::map<std::string, std::string>& env,
                              std::string_view prefix = "SLATEDB_");

// Sets one setting: `key` is dotted ("compactor_options.poll_interval"), `json_value` a JSON
// literal ("\"1s\"", "8", "null", "{...}").
Status SetSetting(Settings& settings, std::string_view key, std::string_view json_value);

struct JsonFormat {
  bool pretty = false;              // 4-space indentation as SlateDB prints, else compact
  bool include_extensions = false;  // also print slatedb-cpp extensions (block_size)
};
// Prints exactly SlateDB 0.12.1's key set, in its order (plus extensions if asked).
std::string SettingsToJson(const Settings& settings, JsonFormat format = JsonFormat());

// Checks every setting against its allowed range (documented in include/slatedb/options.h):
// kInvalid naming the setting, its value and the range, e.g.
// "setting 'filter_bits_per_key': 65 is outside the allowed range [1, 64]". A disk cache
// root_folder must be absolute, and then part_size_bytes a multiple of 1024.
Status ValidateSettings(const Settings& settings);

// "Snappy", "Zlib", "Lz4", "Zstd"; "null" for kNone.
std::string_view CompressionCodecName(CompressionCodec codec);

}  // namespace slatedb::config
