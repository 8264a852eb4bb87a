// config/settings_io.cc — see settings_io.h.
//
// Every source is first turned into a JSON tree (nlohmann::json); one applier then walks the
// tree and writes typed fields. The applier runs in "text" mode for environment variables
// (strings are accepted for numbers, booleans and objects) and accepts the string "null" as
// null for TOML and the environment. Third-party exceptions stop at this file's boundary.
#include "config/settings_io.h"

#include <toml++/toml.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <utility>
#include <vector>

#include "config/duration.h"

extern char** environ;  // NOLINT: POSIX process environment

namespace slatedb::config {
namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;
using std::chrono::milliseconds;

struct Mode {
  bool text = false;                      // values are strings from the environment
  bool null_string = false;               // the string "null" means null (TOML has no null)
  bool numeric_scheduler_values = false;  // scheduler_options: 2 means "2" (env, YAML)
};

std::string Join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string Describe(const Json& v) {
  std::string s = v.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (s.size() > 80) s = s.substr(0, 77) + "...";
  return s;
}

Status Unknown(const std::string& path) {
  return Status::Invalid("unknown setting '" + path + "'");
}

Status Expected(const std::string& path, std::string_view what, const Json& v) {
  return Status::Invalid("setting '" + path + "': expected " + std::string(what) + ", got " +
                         Describe(v));
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

class Applier {
 public:
  explicit Applier(Mode mode) : mode_(mode) {}

  Status ApplyRoot(const Json& v, Settings& s) {
    if (!v.is_object()) {
      return Status::Invalid("settings: expected an object, got " + Describe(v));
    }
    for (const auto& [key, value] : v.items()) {
      RETURN_IF_ERROR(ApplyTop(key, value, s));
    }
    return Status::OK();
  }

 private:
  bool IsNull(const Json& v) const {
    return v.is_null() ||
           (mode_.null_string && v.is_string() && v.get_ref<const std::string&>() == "null");
  }

  Result<uint64_t> U64(const Json& v, const std::string& path) const {
    if (v.is_number_unsigned()) return v.get<uint64_t>();
    if (v.is_number_integer() && v.get<int64_t>() >= 0) {
      return static_cast<uint64_t>(v.get<int64_t>());
    }
    if (mode_.text && v.is_string()) {
      const std::string& s = v.get_ref<const std::string&>();
      uint64_t out = 0;
      auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
      if (!s.empty() && ec == std::errc() && ptr == s.data() + s.size()) return out;
    }
    return Expected(path, "a non-negative integer", v);
  }

  Result<uint32_t> U32(const Json& v, const std::string& path) const {
    ASSIGN_OR_RETURN(uint64_t x, U64(v, path));
    if (x > std::numeric_limits<uint32_t>::max()) {
      return Expected(path, "an integer in [0, 4294967295]", v);
    }
    return static_cast<uint32_t>(x);
  }

  Result<bool> Bool(const Json& v, const std::string& path) const {
    if (v.is_boolean()) return v.get<bool>();
    if (mode_.text && v.is_string()) {
      std::string s = Lower(v.get_ref<const std::string&>());
      if (s == "true") return true;
      if (s == "false") return false;
    }
    return Expected(path, "true or false", v);
  }

  Result<milliseconds> Duration(const Json& v, const std::string& path) const {
    if (!v.is_string()) return Expected(path, "a duration string such as \"100ms\"", v);
    auto d = ParseDuration(v.get_ref<const std::string&>());
    if (!d.ok()) return d.status().WithContext("setting '" + path + "'");
    return *d;
  }

  Result<std::optional<milliseconds>> OptDuration(const Json& v, const std::string& path) const {
    if (IsNull(v)) return std::optional<milliseconds>();
    ASSIGN_OR_RETURN(milliseconds d, Duration(v, path));
    return std::optional<milliseconds>(d);
  }

  Result<std::optional<uint64_t>> OptU64(const Json& v, const std::string& path) const {
    if (IsNull(v)) return std::optional<uint64_t>();
    ASSIGN_OR_RETURN(uint64_t x, U64(v, path));
    return std::optional<uint64_t>(x);
  }

  Result<std::optional<std::string>> OptString(const Json& v, const std::string& path) const {
    if (IsNull(v)) return std::optional<std::string>();
    if (!v.is_string()) return Expected(path, "a string or null", v);
    return std::optional<std::string>(v.get<std::string>());
  }

  // An object-valued setting: in text mode a string holding a JSON object is accepted.
  Result<Json> Object(const Json& v, const std::string& path) const {
    if (v.is_object()) return v;
    if (mode_.text && v.is_string()) {
      Json parsed = Json::parse(v.get_ref<const std::string&>(), nullptr, false);
      if (!parsed.is_discarded() && parsed.is_object()) return parsed;
    }
    return Expected(path, "an object or null", v);
  }

  Result<CompressionCodec> Codec(const Json& v, const std::string& path) const {
    if (IsNull(v)) return CompressionCodec::kNone;
    if (v.is_string()) {
      const std::string& s = v.get_ref<const std::string&>();
      if (s == "Snappy") return CompressionCodec::kSnappy;
      if (s == "Zlib") return CompressionCodec::kZlib;
      if (s == "Lz4") return CompressionCodec::kLz4;
      if (s == "Zstd") return CompressionCodec::kZstd;
    }
    return Expected(path, "null, \"Snappy\", \"Zlib\", \"Lz4\" or \"Zstd\"", v);
  }

  Status ApplyTop(const std::string& key, const Json& v, Settings& s) {
    const std::string& p = key;
    if (key == "flush_interval") {
      ASSIGN_OR_RETURN(s.flush_interval, OptDuration(v, p));
    } else if (key == "wal_enabled") {
      ASSIGN_OR_RETURN(s.wal_enabled, Bool(v, p));
    } else if (key == "manifest_poll_interval") {
      ASSIGN_OR_RETURN(s.manifest_poll_interval, Duration(v, p));
    } else if (key == "manifest_update_timeout") {
      ASSIGN_OR_RETURN(s.manifest_update_timeout, Duration(v, p));
    } else if (key == "min_filter_keys") {
      ASSIGN_OR_RETURN(s.min_filter_keys, U32(v, p));
    } else if (key == "filter_bits_per_key") {
      ASSIGN_OR_RETURN(s.filter_bits_per_key, U32(v, p));
    } else if (key == "l0_sst_size_bytes") {
      ASSIGN_OR_RETURN(s.l0_sst_size_bytes, U64(v, p));
    } else if (key == "l0_max_ssts") {
      ASSIGN_OR_RETURN(s.l0_max_ssts, U64(v, p));
    } else if (key == "l0_flush_parallelism") {
      ASSIGN_OR_RETURN(s.l0_flush_parallelism, U64(v, p));
    } else if (key == "wal_replay_parallelism") {
      ASSIGN_OR_RETURN(s.wal_replay_parallelism, U64(v, p));
    } else if (key == "max_unflushed_bytes") {
      ASSIGN_OR_RETURN(s.max_unflushed_bytes, U64(v, p));
    } else if (key == "compactor_options") {
      if (IsNull(v)) {
        s.compactor_options.reset();
      } else {
        ASSIGN_OR_RETURN(Json obj, Object(v, p));
        CompactorOptions c = s.compactor_options.value_or(CompactorOptions{});
        RETURN_IF_ERROR(ApplyCompactor(obj, p, c));
        s.compactor_options = std::move(c);
      }
    } else if (key == "compression_codec") {
      ASSIGN_OR_RETURN(s.compression_codec, Codec(v, p));
    } else if (key == "object_store_cache_options") {
      ASSIGN_OR_RETURN(Json obj, Object(v, p));
      RETURN_IF_ERROR(ApplyCache(obj, p, s.object_store_cache_options));
    } else if (key == "garbage_collector_options") {
      if (IsNull(v)) {
        s.garbage_collector_options.reset();
      } else {
        ASSIGN_OR_RETURN(Json obj, Object(v, p));
        GarbageCollectorOptions g = s.garbage_collector_options.value_or(GarbageCollectorOptions{});
        RETURN_IF_ERROR(ApplyGc(obj, p, g));
        s.garbage_collector_options = std::move(g);
      }
    } else if (key == "default_ttl" || key == "default_ttl_millis") {
      // default_ttl_millis: SlateDB 0.17's name of the same setting.
      if (mode_.text && v.is_string() && !IsNull(v)) {
        // The environment may say "1h" as well as "3600000".
        auto as_int = U64(v, p);
        if (as_int.ok()) {
          s.default_ttl = *as_int;
        } else {
          auto d = ParseDuration(v.get_ref<const std::string&>());
          if (!d.ok()) return Expected(p, "null, a number of milliseconds or a duration", v);
          s.default_ttl = static_cast<uint64_t>(d->count());
        }
      } else {
        ASSIGN_OR_RETURN(s.default_ttl, OptU64(v, p));
      }
    } else if (key == "object_store_max_retries") {
      ASSIGN_OR_RETURN(s.object_store_max_retries, OptU64(v, p));
    } else if (key == "block_size") {
      ASSIGN_OR_RETURN(s.block_size, U32(v, p));
    } else if (key == "close_timeout") {
      ASSIGN_OR_RETURN(s.close_timeout, Duration(v, p));
    } else if (key == "compatibility") {
      ASSIGN_OR_RETURN(std::optional<std::string> c, OptString(v, p));
      if (!c) return Expected(p, "\"0.17\" or \"0.12\"", v);
      s.compatibility = *c;
    } else {
      return Unknown(p);
    }
    return Status::OK();
  }

  Status ApplyCompactor(const Json& obj, const std::string& path, CompactorOptions& c) {
    for (const auto& [key, v] : obj.items()) {
      std::string p = Join(path, key);
      if (key == "poll_interval") {
        ASSIGN_OR_RETURN(c.poll_interval, Duration(v, p));
      } else if (key == "manifest_update_timeout") {
        ASSIGN_OR_RETURN(c.manifest_update_timeout, Duration(v, p));
      } else if (key == "max_sst_size") {
        ASSIGN_OR_RETURN(c.max_sst_size, U64(v, p));
      } else if (key == "max_concurrent_compactions") {
        ASSIGN_OR_RETURN(c.max_concurrent_compactions, U64(v, p));
      } else if (key == "max_fetch_tasks") {
        ASSIGN_OR_RETURN(c.max_fetch_tasks, U64(v, p));
      } else if (key == "heartbeat_interval") {
        ASSIGN_OR_RETURN(c.heartbeat_interval, Duration(v, p));
      } else if (key == "worker_heartbeat_timeout") {
        ASSIGN_OR_RETURN(c.worker_heartbeat_timeout, Duration(v, p));
      } else if (key == "max_subcompactions") {
        ASSIGN_OR_RETURN(c.max_subcompactions, U64(v, p));
      } else if (key == "enable_trivial_move") {
        ASSIGN_OR_RETURN(c.enable_trivial_move, Bool(v, p));
      } else if (key == "scheduler_options") {
        ASSIGN_OR_RETURN(Json m, Object(v, p));
        for (const auto& [name, value] : m.items()) {
          if (value.is_null()) {
            c.scheduler_options.erase(name);
          } else if (value.is_string()) {
            c.scheduler_options[name] = value.get<std::string>();
          } else if ((mode_.text || mode_.numeric_scheduler_values) && value.is_number()) {
            c.scheduler_options[name] = value.dump();
          } else {
            return Expected(Join(p, name), "a string (e.g. \"2\")", value);
          }
        }
      } else {
        return Unknown(p);
      }
    }
    return Status::OK();
  }

  Status ApplyCache(const Json& obj, const std::string& path, ObjectStoreCacheOptions& c) {
    for (const auto& [key, v] : obj.items()) {
      std::string p = Join(path, key);
      if (key == "root_folder") {
        ASSIGN_OR_RETURN(c.root_folder, OptString(v, p));
      } else if (key == "max_cache_size_bytes") {
        ASSIGN_OR_RETURN(c.max_cache_size_bytes, OptU64(v, p));
      } else if (key == "part_size_bytes") {
        ASSIGN_OR_RETURN(c.part_size_bytes, U64(v, p));
      } else if (key == "cache_puts") {
        ASSIGN_OR_RETURN(c.cache_puts, Bool(v, p));
      } else if (key == "preload_disk_cache_on_startup") {
        ASSIGN_OR_RETURN(c.preload_disk_cache_on_startup, OptString(v, p));
      } else if (key == "scan_interval") {
        ASSIGN_OR_RETURN(c.scan_interval, OptDuration(v, p));
      } else {
        return Unknown(p);
      }
    }
    return Status::OK();
  }

  Status ApplyGcDir(const Json& v, const std::string& path,
                    std::optional<GcDirectoryOptions>& out) {
    if (IsNull(v)) {
      out.reset();
      return Status::OK();
    }
    ASSIGN_OR_RETURN(Json obj, Object(v, path));
    GcDirectoryOptions d = out.value_or(GcDirectoryOptions{});
    for (const auto& [key, value] : obj.items()) {
      std::string p = Join(path, key);
      if (key == "interval") {
        ASSIGN_OR_RETURN(d.interval, Duration(value, p));
      } else if (key == "min_age") {
        ASSIGN_OR_RETURN(d.min_age, Duration(value, p));
      } else {
        return Unknown(p);
      }
    }
    out = d;
    return Status::OK();
  }

  Status ApplyGc(const Json& obj, const std::string& path, GarbageCollectorOptions& g) {
    for (const auto& [key, v] : obj.items()) {
      std::string p = Join(path, key);
      if (key == "manifest_options") {
        RETURN_IF_ERROR(ApplyGcDir(v, p, g.manifest_options));
      } else if (key == "wal_options") {
        RETURN_IF_ERROR(ApplyGcDir(v, p, g.wal_options));
      } else if (key == "compacted_options") {
        RETURN_IF_ERROR(ApplyGcDir(v, p, g.compacted_options));
      } else if (key == "compactions_options") {
        RETURN_IF_ERROR(ApplyGcDir(v, p, g.compactions_options));
      } else if (key == "boundary_files_enabled") {
        ASSIGN_OR_RETURN(g.boundary_files_enabled, Bool(v, p));
      } else {
        return Unknown(p);
      }
    }
    return Status::OK();
  }

  Mode mode_;
};

// Top-level keys, for deciding which environment variables are ours.
const std::set<std::string>& TopLevelKeys() {
  static const std::set<std::string> kKeys = {"flush_interval",
                                              "wal_enabled",
                                              "manifest_poll_interval",
                                              "manifest_update_timeout",
                                              "min_filter_keys",
                                              "filter_bits_per_key",
                                              "l0_sst_size_bytes",
                                              "l0_max_ssts",
                                              "l0_flush_parallelism",
                                              "wal_replay_parallelism",
                                              "max_unflushed_bytes",
                                              "compactor_options",
                                              "compression_codec",
                                              "object_store_cache_options",
                                              "garbage_collector_options",
                                              "default_ttl",
                                              "default_ttl_millis",
                                              "object_store_max_retries",
                                              "block_size",
                                              "close_timeout",
                                              "compatibility"};
  return kKeys;
}

// Converts a TOML node to JSON. Dates and times are not settings values.
Result<Json> TomlToJson(const toml::node& node, const std::string& path) {
  if (const toml::table* t = node.as_table()) {
    Json obj = Json::object();
    for (const auto& [k, child] : *t) {
      std::string key(k.str());
      ASSIGN_OR_RETURN(Json value, TomlToJson(child, Join(path, key)));
      obj[key] = std::move(value);
    }
    return obj;
  }
  if (const toml::array* a = node.as_array()) {
    Json arr = Json::array();
    for (const auto& child : *a) {
      ASSIGN_OR_RETURN(Json value, TomlToJson(child, path));
      arr.push_back(std::move(value));
    }
    return arr;
  }
  if (auto s = node.value_exact<std::string>()) return Json(*s);
  if (auto i = node.value_exact<int64_t>()) return Json(*i);
  if (auto d = node.value_exact<double>()) return Json(*d);
  if (auto b = node.value_exact<bool>()) return Json(*b);
  return Status::Invalid("setting '" + path + "': dates and times are not valid setting values");
}

// YAML 1.2 core-schema typing of a plain (unquoted) scalar: null is handled by yaml-cpp;
// true/false, decimal integers and decimal floats become JSON numbers/booleans, anything else
// (e.g. 100ms) a string.
Json YamlPlainScalar(const std::string& s) {
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  std::string_view digits = s;
  bool negative = false;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  if (!digits.empty() &&
      std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (!negative) {
      uint64_t u = 0;
      auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), u);
      if (ec == std::errc() && ptr == digits.data() + digits.size()) return u;
    } else {
      int64_t i = 0;
      auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
      if (ec == std::errc() && ptr == s.data() + s.size()) return i;
    }
    return s;  // out of range: reported by the setting as a string
  }
  // [-+]? ( \.[0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
  size_t i = 0;
  const size_t n = digits.size();
  auto is_digit = [&](size_t k) { return k < n && digits[k] >= '0' && digits[k] <= '9'; };
  size_t int_digits = 0, frac_digits = 0;
  while (is_digit(i)) ++i, ++int_digits;
  if (i < n && digits[i] == '.') {
    ++i;
    while (is_digit(i)) ++i, ++frac_digits;
  }
  bool ok = int_digits + frac_digits > 0;
  if (ok && i < n && (digits[i] == 'e' || digits[i] == 'E')) {
    ++i;
    if (i < n && (digits[i] == '+' || digits[i] == '-')) ++i;
    if (!is_digit(i)) ok = false;
    while (is_digit(i)) ++i;
  }
  if (ok && i == n) {
    double d = std::strtod(s.c_str(), nullptr);
    if (std::isfinite(d)) return d;
  }
  return s;
}

// Nesting deeper than any settings tree; also stops self-referencing aliases ("&a [*a]").
constexpr int kMaxYamlDepth = 32;

Result<Json> YamlToJson(const YAML::Node& node, const std::string& path, int depth = 0) {
  if (depth > kMaxYamlDepth) {
    return Status::Invalid("settings YAML: nested deeper than " + std::to_string(kMaxYamlDepth) +
                           " levels" + (path.empty() ? std::string() : " at '" + path + "'"));
  }
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return Json(nullptr);
    case YAML::NodeType::Scalar: {
      const std::string& tag = node.Tag();
      if (tag == "!" || tag == "tag:yaml.org,2002:str") return Json(node.Scalar());  // quoted
      return YamlPlainScalar(node.Scalar());
    }
    case YAML::NodeType::Sequence: {
      Json arr = Json::array();
      for (const YAML::Node& child : node) {
        ASSIGN_OR_RETURN(Json value, YamlToJson(child, path, depth + 1));
        arr.push_back(std::move(value));
      }
      return arr;
    }
    case YAML::NodeType::Map: {
      Json obj = Json::object();
      for (const auto& entry : node) {
        if (!entry.first.IsScalar()) {
          return Status::Invalid(
              "settings YAML: " + (path.empty() ? std::string("top level") : "'" + path + "'") +
              ": keys must be plain strings");
        }
        const std::string& key = entry.first.Scalar();
        ASSIGN_OR_RETURN(Json value, YamlToJson(entry.second, Join(path, key), depth + 1));
        obj[key] = std::move(value);
      }
      return obj;
    }
  }
  return Json(nullptr);
}

Status ApplyJsonTree(const Json& tree, Mode mode, Settings& s) {
  Applier applier(mode);
  return applier.ApplyRoot(tree, s);
}

// Builds {"a": {"b": value}} from path ["a", "b"].
Json Nest(const std::vector<std::string>& path, Json value) {
  for (auto it = path.rbegin(); it != path.rend(); ++it) {
    Json obj = Json::object();
    obj[*it] = std::move(value);
    value = std::move(obj);
  }
  return value;
}

OrderedJson DurationJson(milliseconds d) { return OrderedJson(FormatDuration(d)); }

OrderedJson GcDirJson(const std::optional<GcDirectoryOptions>& d) {
  if (!d) return nullptr;
  OrderedJson j = OrderedJson::object();
  j["interval"] = DurationJson(d->interval);
  j["min_age"] = DurationJson(d->min_age);
  return j;
}

// "a.b__c" -> ["a", "b", "c"]: SlateDB nests with '.', we also accept '__' (a '.' is not
// allowed in variable names by most shells).
std::vector<std::string> SplitEnvKey(const std::string& rest) {
  std::vector<std::string> path(1);
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '.') {
      path.emplace_back();
    } else if (rest[i] == '_' && i + 1 < rest.size() && rest[i + 1] == '_') {
      path.emplace_back();
      ++i;
    } else {
      path.back() += rest[i];
    }
  }
  return path;
}

std::string FileExtension(const std::string& path) {
  return Lower(std::filesystem::path(path).extension().string());
}

Status ExceptionStatus(std::string_view where, const std::exception& e) {
  return Status::Invalid(std::string(where) + ": " + e.what());
}

}  // namespace

std::string_view CompressionCodecName(CompressionCodec codec) {
  switch (codec) {
    case CompressionCodec::kNone:
      return "null";
    case CompressionCodec::kSnappy:
      return "Snappy";
    case CompressionCodec::kZlib:
      return "Zlib";
    case CompressionCodec::kLz4:
      return "Lz4";
    case CompressionCodec::kZstd:
      return "Zstd";
  }
  return "null";
}

namespace {

// The Layer* functions lay one source over `s` without validating; public loaders validate the
// final result once (so Load() does not reject an intermediate state a later source fixes).

Status LayerJson(std::string_view json, Settings& s) {
  try {
    Json tree = Json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
    if (tree.is_discarded()) {
      // Parse again with exceptions on, only to get the position of the error.
      try {
        Json unused = Json::parse(json.begin(), json.end());
        (void)unused;
      } catch (const Json::parse_error& e) {
        return Status::Invalid("settings JSON: parse error at byte " + std::to_string(e.byte) +
                               ": " + e.what());
      }
      return Status::Invalid("settings JSON: parse error");
    }
    Settings updated = s;
    RETURN_IF_ERROR(ApplyJsonTree(tree, Mode{}, updated));
    s = std::move(updated);
    return Status::OK();
  } catch (const std::exception& e) {
    return ExceptionStatus("settings JSON", e);
  }
}

Status LayerToml(std::string_view toml_text, Settings& s) {
  try {
    toml::table table;
    try {
      table = toml::parse(toml_text);
    } catch (const toml::parse_error& e) {
      std::ostringstream msg;
      msg << "settings TOML: " << e.description() << " (line " << e.source().begin.line
          << ", column " << e.source().begin.column << ")";
      return Status::Invalid(msg.str());
    }
    ASSIGN_OR_RETURN(Json tree, TomlToJson(table, ""));
    Settings updated = s;
    RETURN_IF_ERROR(ApplyJsonTree(tree, Mode{.text = false, .null_string = true}, updated));
    s = std::move(updated);
    return Status::OK();
  } catch (const std::exception& e) {
    return ExceptionStatus("settings TOML", e);
  }
}

Status LayerYaml(std::string_view yaml_text, Settings& s) {
  try {
    YAML::Node root;
    try {
      root = YAML::Load(std::string(yaml_text));
    } catch (const YAML::ParserException& e) {
      return Status::Invalid("settings YAML: " + e.msg + " (line " +
                             std::to_string(e.mark.line + 1) + ", column " +
                             std::to_string(e.mark.column + 1) + ")");
    }
    ASSIGN_OR_RETURN(Json tree, YamlToJson(root, ""));
    if (tree.is_null()) tree = Json::object();  // an empty document (or only comments)
    Settings updated = s;
    RETURN_IF_ERROR(ApplyJsonTree(tree, Mode{.numeric_scheduler_values = true}, updated));
    s = std::move(updated);
    return Status::OK();
  } catch (const std::exception& e) {
    return ExceptionStatus("settings YAML", e);
  }
}

Status LayerFile(const std::string& path, Settings& s) {
  try {
    std::string ext = FileExtension(path);
    if (ext != ".json" && ext != ".toml" && ext != ".yaml" && ext != ".yml") {
      return Status::Invalid("settings file '" + path +
                             "': unsupported extension (expected .json, .toml, .yaml or .yml)");
    }
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      return Status::NotFound("settings file '" + path + "' not found (or not a regular file)");
    }
    std::ifstream in(path, std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    if (!in.good() && !in.eof()) {
      return Status::Invalid("settings file '" + path + "': cannot read");
    }
    std::string text = buf.str();
    Status st = ext == ".json"   ? LayerJson(text, s)
                : ext == ".toml" ? LayerToml(text, s)
                                 : LayerYaml(text, s);
    return st.WithContext("settings file '" + path + "'");
  } catch (const std::exception& e) {
    return ExceptionStatus("settings file '" + path + "'", e);
  }
}

Status LayerEnv(Settings& settings, const std::map<std::string, std::string>& env,
                std::string_view prefix) {
  try {
    for (const auto& [name, value] : env) {
      if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
      std::vector<std::string> path =
          SplitEnvKey(Lower(std::string_view(name).substr(prefix.size())));
      if (TopLevelKeys().count(path.front()) == 0) continue;  // not a setting: not ours
      const std::string context = "environment variable '" + name + "'";
      for (const std::string& segment : path) {
        if (segment.empty()) {
          return Status::Invalid(context +
                                 ": empty key segment (nested keys are joined by '.' or '__')");
        }
      }
      Settings updated = settings;
      Status st =
          ApplyJsonTree(Nest(path, Json(value)), Mode{.text = true, .null_string = true}, updated);
      if (!st.ok()) return st.WithContext(context);
      settings = std::move(updated);
    }
    return Status::OK();
  } catch (const std::exception& e) {
    return ExceptionStatus("settings from environment", e);
  }
}

}  // namespace

Result<Settings> SettingsFromJson(std::string_view json, const Settings& base) {
  Settings s = base;
  RETURN_IF_ERROR(LayerJson(json, s));
  RETURN_IF_ERROR(ValidateSettings(s));
  return s;
}

Result<Settings> SettingsFromToml(std::string_view toml_text, const Settings& base) {
  Settings s = base;
  RETURN_IF_ERROR(LayerToml(toml_text, s));
  RETURN_IF_ERROR(ValidateSettings(s));
  return s;
}

Result<Settings> SettingsFromYaml(std::string_view yaml_text, const Settings& base) {
  Settings s = base;
  RETURN_IF_ERROR(LayerYaml(yaml_text, s));
  RETURN_IF_ERROR(ValidateSettings(s));
  return s;
}

Result<Settings> SettingsFromFile(const std::string& path, const Settings& base) {
  Settings s = base;
  RETURN_IF_ERROR(LayerFile(path, s));
  RETURN_IF_ERROR(ValidateSettings(s).WithContext("settings file '" + path + "'"));
  return s;
}

Status ApplyEnv(Settings& settings, const std::map<std::string, std::string>& env,
                std::string_view prefix) {
  RETURN_IF_ERROR(LayerEnv(settings, env, prefix));
  return ValidateSettings(settings).WithContext("settings from environment");
}

std::map<std::string, std::string> ProcessEnvironment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    size_t eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return env;
}

Status ApplyEnvFromEnviron(Settings& settings, std::string_view prefix) {
  return ApplyEnv(settings, ProcessEnvironment(), prefix);
}

Result<Settings> LoadSettings(const std::string& dir, const std::map<std::string, std::string>& env,
                              std::string_view prefix) {
  Settings s;
  try {
    for (const char* name : {"SlateDb.json", "SlateDb.toml", "SlateDb.yaml", "SlateDb.yml"}) {
      std::string path = (std::filesystem::path(dir) / name).string();
      std::error_code ec;
      if (!std::filesystem::exists(path, ec)) continue;  // each file only if present
      RETURN_IF_ERROR(LayerFile(path, s));
    }
  } catch (const std::exception& e) {
    return ExceptionStatus("settings files in '" + dir + "'", e);
  }
  RETURN_IF_ERROR(LayerEnv(s, env, prefix));
  RETURN_IF_ERROR(ValidateSettings(s));
  return s;
}

Status SetSetting(Settings& settings, std::string_view key, std::string_view json_value) {
  try {
    std::vector<std::string> path;
    size_t start = 0;
    while (true) {
      size_t pos = key.find('.', start);
      path.emplace_back(
          key.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
      if (pos == std::string_view::npos) break;
      start = pos + 1;
    }
    for (const std::string& segment : path) {
      if (segment.empty()) {
        return Status::Invalid("setting key '" + std::string(key) + "': empty key segment");
      }
    }
    Json value = Json::parse(json_value.begin(), json_value.end(), nullptr, false);
    if (value.is_discarded()) {
      return Status::Invalid("setting '" + std::string(key) + "': value " +
                             std::string(json_value) +
                             " is not a JSON literal (strings need quotes: '\"1s\"')");
    }
    Settings updated = settings;
    RETURN_IF_ERROR(ApplyJsonTree(Nest(path, std::move(value)), Mode{}, updated));
    RETURN_IF_ERROR(ValidateSettings(updated));
    settings = std::move(updated);
    return Status::OK();
  } catch (const std::exception& e) {
    return ExceptionStatus("setting '" + std::string(key) + "'", e);
  }
}

std::string SettingsToJson(const Settings& s, JsonFormat format) {
  OrderedJson j = OrderedJson::object();
  j["flush_interval"] = s.flush_interval ? DurationJson(*s.flush_interval) : OrderedJson(nullptr);
  j["wal_enabled"] = s.wal_enabled;
  j["manifest_poll_interval"] = DurationJson(s.manifest_poll_interval);
  j["manifest_update_timeout"] = DurationJson(s.manifest_update_timeout);
  j["min_filter_keys"] = s.min_filter_keys;
  j["filter_bits_per_key"] = s.filter_bits_per_key;
  j["l0_sst_size_bytes"] = s.l0_sst_size_bytes;
  j["l0_max_ssts"] = s.l0_max_ssts;
  j["l0_flush_parallelism"] = s.l0_flush_parallelism;
  j["max_unflushed_bytes"] = s.max_unflushed_bytes;
  if (s.compactor_options) {
    const CompactorOptions& c = *s.compactor_options;
    OrderedJson cj = OrderedJson::object();
    cj["poll_interval"] = DurationJson(c.poll_interval);
    cj["manifest_update_timeout"] = DurationJson(c.manifest_update_timeout);
    cj["max_sst_size"] = c.max_sst_size;
    cj["max_concurrent_compactions"] = c.max_concurrent_compactions;
    cj["max_fetch_tasks"] = c.max_fetch_tasks;
    // SlateDB 0.13+ settings: printed when not their defaults or on request, so the default
    // JSON stays 0.12.1's key set.
    const CompactorOptions defaults;
    if (c.heartbeat_interval != defaults.heartbeat_interval || format.include_extensions) {
      cj["heartbeat_interval"] = DurationJson(c.heartbeat_interval);
    }
    if (c.worker_heartbeat_timeout != defaults.worker_heartbeat_timeout ||
        format.include_extensions) {
      cj["worker_heartbeat_timeout"] = DurationJson(c.worker_heartbeat_timeout);
    }
    // SlateDB 0.17 settings: printed when not their default or on request, so the default JSON
    // stays 0.12.1's key set.
    if (c.max_subcompactions != defaults.max_subcompactions || format.include_extensions) {
      cj["max_subcompactions"] = c.max_subcompactions;
    }
    if (c.enable_trivial_move || format.include_extensions) {
      cj["enable_trivial_move"] = c.enable_trivial_move;
    }
    OrderedJson sched = OrderedJson::object();
    for (const auto& [k, v] : c.scheduler_options) sched[k] = v;
    cj["scheduler_options"] = std::move(sched);
    j["compactor_options"] = std::move(cj);
  } else {
    j["compactor_options"] = nullptr;
  }
  if (s.compression_codec == CompressionCodec::kNone) {
    j["compression_codec"] = nullptr;
  } else {
    j["compression_codec"] = std::string(CompressionCodecName(s.compression_codec));
  }
  {
    const ObjectStoreCacheOptions& c = s.object_store_cache_options;
    OrderedJson cj = OrderedJson::object();
    cj["root_folder"] = c.root_folder ? OrderedJson(*c.root_folder) : OrderedJson(nullptr);
    cj["max_cache_size_bytes"] =
        c.max_cache_size_bytes ? OrderedJson(*c.max_cache_size_bytes) : OrderedJson(nullptr);
    cj["part_size_bytes"] = c.part_size_bytes;
    cj["cache_puts"] = c.cache_puts;
    cj["preload_disk_cache_on_startup"] = c.preload_disk_cache_on_startup
                                              ? OrderedJson(*c.preload_disk_cache_on_startup)
                                              : OrderedJson(nullptr);
    cj["scan_interval"] = c.scan_interval ? DurationJson(*c.scan_interval) : OrderedJson(nullptr);
    j["object_store_cache_options"] = std::move(cj);
  }
  if (s.garbage_collector_options) {
    const GarbageCollectorOptions& g = *s.garbage_collector_options;
    OrderedJson gj = OrderedJson::object();
    gj["manifest_options"] = GcDirJson(g.manifest_options);
    gj["wal_options"] = GcDirJson(g.wal_options);
    gj["compacted_options"] = GcDirJson(g.compacted_options);
    gj["compactions_options"] = GcDirJson(g.compactions_options);
    // A SlateDB 0.13+ setting: printed when not its default (true) or on request, so the
    // default JSON stays 0.12.1's key set.
    if (!g.boundary_files_enabled || format.include_extensions) {
      gj["boundary_files_enabled"] = g.boundary_files_enabled;
    }
    j["garbage_collector_options"] = std::move(gj);
  } else {
    j["garbage_collector_options"] = nullptr;
  }
  j["default_ttl"] = s.default_ttl ? OrderedJson(*s.default_ttl) : OrderedJson(nullptr);
  // A newer SlateDB setting than the 0.12.1 key set printed above: printed when set (null is
  // SlateDB's default, which SlateDB also assumes when the key is absent) or on request.
  if (s.object_store_max_retries || format.include_extensions) {
    j["object_store_max_retries"] = s.object_store_max_retries
                                        ? OrderedJson(*s.object_store_max_retries)
                                        : OrderedJson(nullptr);
  }
  if (format.include_extensions) {
    j["block_size"] = s.block_size;
    j["close_timeout"] = DurationJson(s.close_timeout);
    j["wal_replay_parallelism"] = s.wal_replay_parallelism;
    j["compatibility"] = s.compatibility;
  }
  return j.dump(format.pretty ? 4 : -1, ' ', false, OrderedJson::error_handler_t::replace);
}

namespace {

constexpr uint64_t kKiB = 1024;
constexpr uint64_t kGiB = kKiB * kKiB * kKiB;
constexpr int64_t kTenYearsMs = 3650LL * 86400 * 1000;  // "10y" (a year is 365 days)

Status OutOfRange(std::string_view name, const std::string& value, std::string_view range) {
  return Status::Invalid("setting '" + std::string(name) + "': " + value +
                         " is outside the allowed range " + std::string(range));
}

Status CheckU64(std::string_view name, uint64_t v, uint64_t lo, uint64_t hi) {
  if (v >= lo && v <= hi) return Status::OK();
  std::string range = "[";  // appended, not `"[" + std::string` (GCC bug 105329 at -O3)
  range.append(std::to_string(lo)).append(", ").append(std::to_string(hi)).append("]");
  return OutOfRange(name, std::to_string(v), range);
}

// [min_ms, 10y]; min_ms is 0 or 1.
Status CheckDuration(std::string_view name, milliseconds d, int64_t min_ms) {
  if (d.count() >= min_ms && d.count() <= kTenYearsMs) return Status::OK();
  // Quoted by inserting (g++ 12 -O3 reports a false -Wrestrict for `"\"" + std::string`, GCC
  // bug 105329).
  std::string quoted = FormatDuration(d);
  quoted.insert(quoted.begin(), '"');
  quoted.push_back('"');
  return OutOfRange(name, quoted, min_ms == 0 ? "[0s, 10y]" : "[1ms, 10y] (0 would spin)");
}

// Mirrors ParseSchedulerOptions in src/compactor/size_tiered_scheduler.cc (a layer above this
// one): what it refuses at compactor start is refused here, and nothing else.
Result<double> SchedulerNumber(const std::string& name, const std::string& value) {
  errno = 0;
  char* end = nullptr;
  double v = value.empty() ? 0 : std::strtod(value.c_str(), &end);
  if (value.empty() || errno != 0 || end != value.c_str() + value.size() || !std::isfinite(v)) {
    return Status::Invalid("setting '" + name + "': expected a number, got \"" + value + "\"");
  }
  return v;
}

Result<uint64_t> SchedulerCount(const std::string& name, const std::string& value) {
  ASSIGN_OR_RETURN(double v, SchedulerNumber(name, value));
  if (v < 0 || v != std::floor(v) || v > 1e6) {
    return Status::Invalid("setting '" + name +
                           "': expected a whole number in [0, 1000000], got \"" + value + "\"");
  }
  return static_cast<uint64_t>(v);
}

Status ValidateScheduler(const std::map<std::string, std::string>& options) {
  const std::string prefix = "compactor_options.scheduler_options.";
  uint64_t min_sources = 4;  // SizeTieredOptions defaults
  uint64_t max_sources = 8;
  for (const auto& [key, value] : options) {
    const std::string name = prefix + key;
    if (key == "min_compaction_sources") {
      ASSIGN_OR_RETURN(min_sources, SchedulerCount(name, value));
      if (min_sources < 2) return OutOfRange(name, value, "[2, 1000000]");
    } else if (key == "max_compaction_sources") {
      ASSIGN_OR_RETURN(max_sources, SchedulerCount(name, value));
    } else if (key == "include_size_threshold") {
      ASSIGN_OR_RETURN(double t, SchedulerNumber(name, value));
      if (t <= 0) return OutOfRange(name, value, "(0, inf)");
    } else {
      return Status::Invalid("setting '" + name +
                             "': unknown scheduler option (expected min_compaction_sources, "
                             "max_compaction_sources or include_size_threshold)");
    }
  }
  if (max_sources < min_sources) {
    return Status::Invalid(
        "setting '" + prefix + "max_compaction_sources': " + std::to_string(max_sources) +
        " is below min_compaction_sources (" + std::to_string(min_sources) + ", 4 if unset)");
  }
  return Status::OK();
}

}  // namespace

Status ValidateSettings(const Settings& s) {
  // The ranges are documented beside the fields in include/slatedb/options.h.
  if (s.flush_interval) RETURN_IF_ERROR(CheckDuration("flush_interval", *s.flush_interval, 1));
  RETURN_IF_ERROR(CheckDuration("manifest_poll_interval", s.manifest_poll_interval, 1));
  RETURN_IF_ERROR(CheckDuration("manifest_update_timeout", s.manifest_update_timeout, 1));
  // min_filter_keys: any uint32.
  RETURN_IF_ERROR(CheckU64("filter_bits_per_key", s.filter_bits_per_key, 1, 64));
  RETURN_IF_ERROR(CheckU64("l0_sst_size_bytes", s.l0_sst_size_bytes, kKiB, 4 * kGiB));
  RETURN_IF_ERROR(CheckU64("l0_max_ssts", s.l0_max_ssts, 1, 1000000));
  RETURN_IF_ERROR(CheckU64("l0_flush_parallelism", s.l0_flush_parallelism, 1, 64));
  RETURN_IF_ERROR(CheckU64("wal_replay_parallelism", s.wal_replay_parallelism, 0, 256));
  RETURN_IF_ERROR(CheckU64("max_unflushed_bytes", s.max_unflushed_bytes, 1,
                           std::numeric_limits<uint64_t>::max()));
  if (s.compactor_options) {
    const CompactorOptions& c = *s.compactor_options;
    RETURN_IF_ERROR(CheckDuration("compactor_options.poll_interval", c.poll_interval, 1));
    RETURN_IF_ERROR(
        CheckDuration("compactor_options.manifest_update_timeout", c.manifest_update_timeout, 1));
    RETURN_IF_ERROR(CheckU64("compactor_options.max_sst_size", c.max_sst_size, kKiB, 4 * kGiB));
    RETURN_IF_ERROR(CheckU64("compactor_options.max_concurrent_compactions",
                             c.max_concurrent_compactions, 1, 1024));
    RETURN_IF_ERROR(CheckU64("compactor_options.max_fetch_tasks", c.max_fetch_tasks, 1, 1024));
    RETURN_IF_ERROR(CheckDuration("compactor_options.heartbeat_interval", c.heartbeat_interval, 1));
    RETURN_IF_ERROR(
        CheckDuration("compactor_options.worker_heartbeat_timeout", c.worker_heartbeat_timeout, 1));
    if (c.heartbeat_interval >= c.worker_heartbeat_timeout) {
      std::string msg = "compactor_options.heartbeat_interval (";
      msg += FormatDuration(c.heartbeat_interval);
      msg += ") must be below compactor_options.worker_heartbeat_timeout (";
      msg += FormatDuration(c.worker_heartbeat_timeout);
      msg += ")";
      return Status::Invalid(msg);
    }
    RETURN_IF_ERROR(CheckU64("compactor_options.max_subcompactions", c.max_subcompactions, 1, 64));
    RETURN_IF_ERROR(ValidateScheduler(c.scheduler_options));
  }
  {
    const ObjectStoreCacheOptions& c = s.object_store_cache_options;
    if (c.root_folder && (c.root_folder->empty() || (*c.root_folder)[0] != '/')) {
      std::string msg =
          "setting 'object_store_cache_options.root_folder': expected null or an absolute "
          "directory path, got \"";
      msg.append(*c.root_folder).append("\"");
      return Status::Invalid(msg);
    }
    if (c.root_folder && c.part_size_bytes % 1024 != 0) {
      std::string msg = "setting 'object_store_cache_options.part_size_bytes': ";
      msg.append(std::to_string(c.part_size_bytes))
          .append(" is not a multiple of 1024 (required when root_folder is set)");
      return Status::Invalid(msg);
    }
    // max_cache_size_bytes: any (null = unbounded); cache_puts: any.
    RETURN_IF_ERROR(CheckU64("object_store_cache_options.part_size_bytes", c.part_size_bytes, 1,
                             std::numeric_limits<uint64_t>::max()));
    if (c.preload_disk_cache_on_startup && *c.preload_disk_cache_on_startup != "AllSst" &&
        *c.preload_disk_cache_on_startup != "L0Sst") {
      return Status::Invalid(
          "setting 'object_store_cache_options.preload_disk_cache_on_startup': expected null, "
          "\"AllSst\" or \"L0Sst\", got \"" +
          *c.preload_disk_cache_on_startup + "\"");
    }
    if (c.scan_interval) {
      RETURN_IF_ERROR(
          CheckDuration("object_store_cache_options.scan_interval", *c.scan_interval, 1));
    }
  }
  if (s.garbage_collector_options) {
    const GarbageCollectorOptions& g = *s.garbage_collector_options;
    const std::pair<const char*, const std::optional<GcDirectoryOptions>*> dirs[] = {
        {"manifest_options", &g.manifest_options},
        {"wal_options", &g.wal_options},
        {"compacted_options", &g.compacted_options},
        {"compactions_options", &g.compactions_options}};
    for (const auto& [name, dir] : dirs) {
      if (!*dir) continue;
      const std::string p = std::string("garbage_collector_options.") + name;
      RETURN_IF_ERROR(CheckDuration(p + ".interval", (*dir)->interval, 1));
      RETURN_IF_ERROR(CheckDuration(p + ".min_age", (*dir)->min_age, 0));
    }
  }
  // default_ttl: any (0 = rows expire at once, as in SlateDB; null = never).
  if (s.object_store_max_retries) {
    RETURN_IF_ERROR(CheckU64("object_store_max_retries", *s.object_store_max_retries, 0,
                             std::numeric_limits<uint32_t>::max()));
  }
  RETURN_IF_ERROR(CheckDuration("close_timeout", s.close_timeout, 1));
  if (s.compatibility != "0.17" && s.compatibility != "0.12") {
    return Status::Invalid("setting 'compatibility': must be \"0.17\" or \"0.12\", got \"" +
                           s.compatibility + "\"");
  }
  uint32_t b = s.block_size;
  if (b < 1024 || b > 65536 || (b & (b - 1)) != 0) {
    return Status::Invalid("setting 'block_size': must be a power of two in [1024, 65536], got " +
                           std::to_string(b));
  }
  return Status::OK();
}

}  // namespace slatedb::config
