// config/settings_test.cc — the public Settings API (FromFile / FromEnv / Load / FromJson /
// ToJson), YAML, SlateDB's '.' environment nesting, and the validated ranges.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "config/duration.h"
#include "config/settings_io.h"
#include "slatedb/options.h"
#include "subprocess.h"
#include "test_util.h"

namespace slatedb {
namespace {

using std::chrono::milliseconds;

using testing::ReadFile;
using testing::TempDir;

std::string DefaultsPath() {
  return std::string(SLATEDB_CONFIG_TESTDATA) + "/slatedb-0.12.1-default-settings.json";
}

// chdir for the scope of one test.
class ScopedChdir {
 public:
  explicit ScopedChdir(const std::filesystem::path& dir) : old_(std::filesystem::current_path()) {
    std::filesystem::current_path(dir);
  }
  ~ScopedChdir() {
    std::error_code ec;
    std::filesystem::current_path(old_, ec);
  }

 private:
  std::filesystem::path old_;
};

// setenv for the scope of one test.
class ScopedEnv {
 public:
  ScopedEnv(std::initializer_list<std::pair<std::string, std::string>> vars) {
    for (const auto& [k, v] : vars) {
      EXPECT_EQ(::setenv(k.c_str(), v.c_str(), 1), 0);
      names_.push_back(k);
    }
  }
  ~ScopedEnv() {
    for (const auto& k : names_) ::unsetenv(k.c_str());
  }

 private:
  std::vector<std::string> names_;
};

// ---------------------------------------------------------------------------------------------
// Public API

TEST(SettingsApiTest, PeerExportedDefaultsLoadUnchanged) {
  // The file the peer's binding exported (/work/shared/docs/...; testdata holds a copy).
  const std::string shared = "/work/shared/docs/slatedb-0.12.1-default-settings.json";
  if (std::filesystem::exists(shared)) {
    EXPECT_EQ(ReadFile(shared), ReadFile(DefaultsPath()));
  }
  auto s = Settings::FromFile(DefaultsPath());
  ASSERT_OK(s) << s.status().ToString();
  EXPECT_EQ(*s, Settings{});
  auto j = Settings::FromJson(ReadFile(DefaultsPath()));
  ASSERT_OK(j) << j.status().ToString();
  EXPECT_EQ(*j, Settings{});
  // And we print it back exactly (pretty = SlateDB's 4-space to_json_string).
  EXPECT_EQ(nlohmann::json::parse(Settings{}.ToJson(true)),
            nlohmann::json::parse(ReadFile(DefaultsPath())));
}

TEST(SettingsApiTest, FromJsonAndToJsonRoundTrip) {
  Settings s;
  s.flush_interval = milliseconds(1500);
  s.compactor_options->poll_interval = milliseconds(250);
  s.default_ttl = 0;
  std::string text = s.ToJson();
  EXPECT_NE(text.find("\"flush_interval\":\"1s+500ms\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"poll_interval\":\"250ms\""), std::string::npos) << text;
  EXPECT_EQ(text.find('\n'), std::string::npos);
  EXPECT_NE(s.ToJson(true).find("\n    \"flush_interval\": \"1s+500ms\""), std::string::npos);
  auto back = Settings::FromJson(text);
  ASSERT_OK(back) << back.status().ToString();
  EXPECT_EQ(*back, s);
  auto bad = Settings::FromJson(R"({"l0_max_ssts": 0})");
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.status().IsInvalid());
}

TEST(SettingsApiTest, SlateDbWrittenDurationsLoad) {
  // What SlateDB's serialize_duration writes for non-round values.
  auto s = Settings::FromJson(
      R"({"flush_interval": "050ms", "manifest_poll_interval": "1s+500ms",
          "compactor_options": {"poll_interval": "2s+005ms"},
          "garbage_collector_options": {"wal_options": {"interval": "7days 30min",
                                                        "min_age": "2 hours"}}})");
  ASSERT_OK(s) << s.status().ToString();
  EXPECT_EQ(s->flush_interval, milliseconds(50));
  EXPECT_EQ(s->manifest_poll_interval, milliseconds(1500));
  EXPECT_EQ(s->compactor_options->poll_interval, milliseconds(2005));
  EXPECT_EQ(s->garbage_collector_options->wal_options->interval,
            milliseconds((7 * 24 * 60 + 30) * 60000LL));
  EXPECT_EQ(s->garbage_collector_options->wal_options->min_age, milliseconds(7200000));
  auto frac = Settings::FromJson(R"({"flush_interval": "0.5ms"})");
  ASSERT_FALSE(frac.ok());
  EXPECT_NE(frac.status().message().find("'flush_interval'"), std::string::npos);
  EXPECT_NE(frac.status().message().find("'0.5ms'"), std::string::npos);
}

TEST(SettingsApiTest, FromFileByExtension) {
  TempDir dir;
  auto j = Settings::FromFile(dir.Write("a.json", R"({"l0_max_ssts": 5})"));
  ASSERT_OK(j) << j.status().ToString();
  EXPECT_EQ(j->l0_max_ssts, 5u);
  auto t = Settings::FromFile(dir.Write("a.toml", "l0_max_ssts = 6\n"));
  ASSERT_OK(t) << t.status().ToString();
  EXPECT_EQ(t->l0_max_ssts, 6u);
  auto y = Settings::FromFile(dir.Write("a.yaml", "l0_max_ssts: 7\n"));
  ASSERT_OK(y) << y.status().ToString();
  EXPECT_EQ(y->l0_max_ssts, 7u);
  auto yml = Settings::FromFile(dir.Write("a.YML", "l0_max_ssts: 9\n"));
  ASSERT_OK(yml) << yml.status().ToString();
  EXPECT_EQ(yml->l0_max_ssts, 9u);
  EXPECT_EQ(yml->flush_interval, milliseconds(100));  // partial: the rest are defaults

  std::string ini = dir.Write("a.ini", "x");
  auto unknown = Settings::FromFile(ini);
  ASSERT_FALSE(unknown.ok());
  EXPECT_TRUE(unknown.status().IsInvalid());
  EXPECT_NE(unknown.status().message().find(ini), std::string::npos);
  std::string missing = (std::filesystem::path(dir.path()) / "nope.yaml").string();
  auto m = Settings::FromFile(missing);
  ASSERT_FALSE(m.ok());
  EXPECT_TRUE(m.status().IsNotFound());
  EXPECT_NE(m.status().message().find(missing), std::string::npos);
  std::string bad = dir.Write("bad.yaml", "l0_max_ssts: 0\n");
  auto b = Settings::FromFile(bad);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().message(), "settings file '" + bad +
                                      "': setting 'l0_max_ssts': 0 is outside the allowed range "
                                      "[1, 1000000]");
}

// ---------------------------------------------------------------------------------------------
// YAML

TEST(SettingsYamlTest, SameTreeAsJson) {
  auto s = config::SettingsFromYaml(R"(
# SlateDb.yaml
flush_interval: 20ms
wal_enabled: false
l0_max_ssts: 12
compression_codec: Snappy
default_ttl: 60000
compactor_options:
  poll_interval: "2s"
  max_fetch_tasks: 3
  scheduler_options:
    min_compaction_sources: 3     # plain number, as a YAML user writes it
    include_size_threshold: "2.5"
garbage_collector_options:
  wal_options:
    interval: 1m
object_store_cache_options:
  part_size_bytes: 1048576
)");
  ASSERT_OK(s) << s.status().ToString();
  EXPECT_EQ(s->flush_interval, milliseconds(20));
  EXPECT_FALSE(s->wal_enabled);
  EXPECT_EQ(s->l0_max_ssts, 12u);
  EXPECT_EQ(s->compression_codec, CompressionCodec::kSnappy);
  EXPECT_EQ(s->default_ttl, 60000u);
  EXPECT_EQ(s->compactor_options->poll_interval, milliseconds(2000));
  EXPECT_EQ(s->compactor_options->max_fetch_tasks, 3u);
  EXPECT_EQ(s->compactor_options->max_sst_size, 268435456u);  // merged
  EXPECT_EQ(s->compactor_options->scheduler_options.at("min_compaction_sources"), "3");
  EXPECT_EQ(s->compactor_options->scheduler_options.at("include_size_threshold"), "2.5");
  EXPECT_EQ(s->garbage_collector_options->wal_options->interval, milliseconds(60000));
  EXPECT_EQ(s->garbage_collector_options->wal_options->min_age, milliseconds(300000));
  EXPECT_EQ(s->object_store_cache_options.part_size_bytes, 1048576u);
}

TEST(SettingsYamlTest, NullClearsOptionals) {
  auto s = config::SettingsFromYaml(R"(
flush_interval: ~
compactor_options: null
default_ttl:
garbage_collector_options:
  manifest_options: Null
object_store_cache_options:
  max_cache_size_bytes: NULL
  scan_interval: ~
)",
                                    [] {
                                      Settings b;
                                      b.default_ttl = 5;
                                      return b;
                                    }());
  ASSERT_OK(s) << s.status().ToString();
  EXPECT_FALSE(s->flush_interval.has_value());
  EXPECT_FALSE(s->compactor_options.has_value());
  EXPECT_FALSE(s->default_ttl.has_value());
  EXPECT_FALSE(s->garbage_collector_options->manifest_options.has_value());
  EXPECT_TRUE(s->garbage_collector_options->wal_options.has_value());
  EXPECT_FALSE(s->object_store_cache_options.max_cache_size_bytes.has_value());
  EXPECT_FALSE(s->object_store_cache_options.scan_interval.has_value());
  // A quoted "null" is a string, and YAML null for a required setting is an error.
  auto quoted = config::SettingsFromYaml("flush_interval: \"null\"\n");
  ASSERT_FALSE(quoted.ok());
  EXPECT_NE(quoted.status().message().find("'flush_interval'"), std::string::npos);
  auto required = config::SettingsFromYaml("manifest_poll_interval: ~\n");
  ASSERT_FALSE(required.ok());
  EXPECT_EQ(required.status().message(),
            "setting 'manifest_poll_interval': expected a duration string such as \"100ms\", got "
            "null");
}

TEST(SettingsYamlTest, ScalarsAreTypedByTheCoreSchema) {
  // Quoted numbers are strings: not a valid integer setting (as in SlateDB via serde_yaml).
  auto quoted = config::SettingsFromYaml("l0_max_ssts: \"12\"\n");
  ASSERT_FALSE(quoted.ok());
  EXPECT_EQ(quoted.status().message(),
            "setting 'l0_max_ssts': expected a non-negative integer, got \"12\"");
  auto yes = config::SettingsFromYaml("wal_enabled: yes\n");  // YAML 1.1 only: a string
  ASSERT_FALSE(yes.ok());
  EXPECT_EQ(yes.status().message(), "setting 'wal_enabled': expected true or false, got \"yes\"");
  auto negative = config::SettingsFromYaml("l0_max_ssts: -3\n");
  ASSERT_FALSE(negative.ok());
  EXPECT_EQ(negative.status().message(),
            "setting 'l0_max_ssts': expected a non-negative integer, got -3");
  auto fraction = config::SettingsFromYaml("l0_max_ssts: 1.5\n");
  ASSERT_FALSE(fraction.ok());
  EXPECT_EQ(fraction.status().message(),
            "setting 'l0_max_ssts': expected a non-negative integer, got 1.5");
  auto big = config::SettingsFromYaml("l0_sst_size_bytes: 99999999999999999999\n");
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.status().message().find("'l0_sst_size_bytes'"), std::string::npos);
  auto sched_float = config::SettingsFromYaml(
      "compactor_options:\n  scheduler_options:\n    include_size_threshold: 4.5\n");
  ASSERT_OK(sched_float) << sched_float.status().ToString();
  EXPECT_EQ(sched_float->compactor_options->scheduler_options.at("include_size_threshold"), "4.5");
  auto truthy = config::SettingsFromYaml("wal_enabled: False\n");
  ASSERT_OK(truthy) << truthy.status().ToString();
  EXPECT_FALSE(truthy->wal_enabled);
}

TEST(SettingsYamlTest, ErrorsNameTheProblem) {
  auto parse = config::SettingsFromYaml("a: [1, 2\nb: c\n");
  ASSERT_FALSE(parse.ok());
  EXPECT_TRUE(parse.status().IsInvalid());
  EXPECT_EQ(parse.status().message().rfind("settings YAML: ", 0), 0u) << parse.status().message();
  EXPECT_NE(parse.status().message().find("line "), std::string::npos);
  auto unknown = config::SettingsFromYaml("compactor_options:\n  foo: 1\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(), "unknown setting 'compactor_options.foo'");
  auto list = config::SettingsFromYaml("- 1\n- 2\n");
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.status().message(), "settings: expected an object, got [1,2]");
  auto complex_key = config::SettingsFromYaml("? [a, b]\n: 1\n");
  ASSERT_FALSE(complex_key.ok());
  EXPECT_EQ(complex_key.status().message(), "settings YAML: top level: keys must be plain strings");
  auto empty = config::SettingsFromYaml("# nothing but a comment\n");
  ASSERT_OK(empty) << empty.status().ToString();
  EXPECT_EQ(*empty, Settings{});
  // Garbage never throws.
  const std::string deep = std::string(200, '[') + std::string(200, ']');
  for (const std::string& g :
       {std::string("{"), std::string("a: b: c"), std::string("\t- x"), std::string("!!binary x"),
        std::string("a: &a [*a]"), std::string("&a [*a, *a]"), std::string("%YAML 9.9\n---\n"),
        deep, "a: " + deep}) {
    auto r = config::SettingsFromYaml(g);
    if (!r.ok()) {
      EXPECT_TRUE(r.status().IsInvalid()) << g << ": " << r.status().ToString();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Environment

TEST(SettingsEnvTest, SlateDbDotNesting) {
  Settings s;
  Status st = config::ApplyEnv(
      s, {{"SLATEDB_COMPACTOR_OPTIONS.POLL_INTERVAL", "2s"},
          {"SLATEDB_OBJECT_STORE_CACHE_OPTIONS.PART_SIZE_BYTES", "1024"},
          {"SLATEDB_GARBAGE_COLLECTOR_OPTIONS.WAL_OPTIONS__MIN_AGE", "1h"},  // mixed
          {"SLATEDB_COMPACTOR_OPTIONS.SCHEDULER_OPTIONS.MAX_COMPACTION_SOURCES", "9"}});
  ASSERT_OK(st) << st.ToString();
  EXPECT_EQ(s.compactor_options->poll_interval, milliseconds(2000));
  EXPECT_EQ(s.object_store_cache_options.part_size_bytes, 1024u);
  EXPECT_EQ(s.garbage_collector_options->wal_options->min_age, milliseconds(3600000));
  EXPECT_EQ(s.compactor_options->scheduler_options.at("max_compaction_sources"), "9");
  // SlateDB's own example variable: the disk cache's folder.
  Settings t;
  ASSERT_OK(
      config::ApplyEnv(t, {{"SLATEDB_OBJECT_STORE_CACHE_OPTIONS.ROOT_FOLDER", "/tmp/slatedb"}}));
  EXPECT_EQ(t.object_store_cache_options.root_folder, "/tmp/slatedb");
  Status empty = config::ApplyEnv(t, {{"SLATEDB_COMPACTOR_OPTIONS..POLL_INTERVAL", "1s"}});
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.message().find("empty key segment"), std::string::npos);
  Status unknown = config::ApplyEnv(t, {{"SLATEDB_COMPACTOR_OPTIONS.POLL_INTRVAL", "1s"}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.message(),
            "environment variable 'SLATEDB_COMPACTOR_OPTIONS.POLL_INTRVAL': unknown setting "
            "'compactor_options.poll_intrval'");
}

TEST(SettingsEnvTest, FromEnvReadsTheProcessEnvironment) {
  ScopedEnv env({{"SLATEDBAPI_FLUSH_INTERVAL", "1s+250ms"},
                 {"SLATEDBAPI_COMPACTOR_OPTIONS.POLL_INTERVAL", "3s"},
                 {"SLATEDBAPI_COMPACTOR_OPTIONS__MAX_FETCH_TASKS", "6"}});
  auto s = Settings::FromEnv("SLATEDBAPI_");
  ASSERT_OK(s) << s.status().ToString();
  EXPECT_EQ(s->flush_interval, milliseconds(1250));
  EXPECT_EQ(s->compactor_options->poll_interval, milliseconds(3000));
  EXPECT_EQ(s->compactor_options->max_fetch_tasks, 6u);
  EXPECT_EQ(s->l0_max_ssts, 8u);  // defaults underneath
  ScopedEnv bad({{"SLATEDBAPI_L0_MAX_SSTS", "0"}});
  auto b = Settings::FromEnv("SLATEDBAPI_");
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("'l0_max_ssts': 0 is outside"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Load(): defaults <- SlateDb.json <- SlateDb.toml <- SlateDb.yaml <- SlateDb.yml <- env

TEST(SettingsLoadTest, LayersInSlateDbOrder) {
  TempDir dir;
  dir.Write("SlateDb.json",
            R"({"l0_max_ssts": 2, "min_filter_keys": 1, "filter_bits_per_key": 3,
                "l0_flush_parallelism": 5, "compactor_options": {"max_fetch_tasks": 2}})");
  dir.Write("SlateDb.toml",
            "min_filter_keys = 11\nfilter_bits_per_key = 13\n"
            "l0_flush_parallelism = 15\n");
  dir.Write("SlateDb.yaml", "filter_bits_per_key: 23\nl0_flush_parallelism: 25\n");
  dir.Write("SlateDb.yml", "l0_flush_parallelism: 35\n");
  dir.Write("slatedb.json", R"({"l0_max_ssts": 99})");  // wrong case: not read
  ScopedEnv env(
      {{"SLATEDB_MAX_UNFLUSHED_BYTES", "4096"}, {"SLATEDB_COMPACTOR_OPTIONS.POLL_INTERVAL", "9s"}});
  Result<Settings> s = Status::Internal("not loaded");
  {
    ScopedChdir cd(dir.path());
    s = Settings::Load();
  }
  ASSERT_OK(s) << s.status().ToString();
  EXPECT_EQ(s->l0_max_ssts, 2u);             // json
  EXPECT_EQ(s->min_filter_keys, 11u);        // toml over json
  EXPECT_EQ(s->filter_bits_per_key, 23u);    // yaml over toml
  EXPECT_EQ(s->l0_flush_parallelism, 35u);   // yml over yaml
  EXPECT_EQ(s->max_unflushed_bytes, 4096u);  // env over everything
  EXPECT_EQ(s->compactor_options->poll_interval, milliseconds(9000));
  EXPECT_EQ(s->compactor_options->max_fetch_tasks, 2u);    // nested objects merge across files
  EXPECT_EQ(s->flush_interval, milliseconds(100));         // default
  EXPECT_NE(std::filesystem::current_path(), dir.path());  // restored
}

TEST(SettingsLoadTest, NoFilesGivesDefaultsAndErrorsNameTheFile) {
  TempDir dir;
  {
    ScopedChdir cd(dir.path());
    auto s = Settings::Load();
    ASSERT_OK(s) << s.status().ToString();
    EXPECT_EQ(*s, Settings{});
  }
  // Only the final result is validated: a later source may fix an earlier one.
  dir.Write("SlateDb.json", R"({"l0_max_ssts": 0})");
  auto fixed = config::LoadSettings(dir.path(), {{"SLATEDB_L0_MAX_SSTS", "3"}});
  ASSERT_OK(fixed) << fixed.status().ToString();
  EXPECT_EQ(fixed->l0_max_ssts, 3u);
  auto invalid = config::LoadSettings(dir.path(), {});
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.status().message(),
            "setting 'l0_max_ssts': 0 is outside the allowed range [1, 1000000]");
  std::string yaml = dir.Write("SlateDb.yaml", "flush_interval: [\n");
  auto broken = config::LoadSettings(dir.path(), {});
  ASSERT_FALSE(broken.ok());
  EXPECT_TRUE(broken.status().IsInvalid());
  EXPECT_EQ(broken.status().message().rfind("settings file '" + yaml + "': settings YAML:", 0), 0u)
      << broken.status().message();
}

// ---------------------------------------------------------------------------------------------
// Ranges: each bound is accepted and one past it refused, with the setting, value and range.

struct RangeCase {
  const char* name;
  std::function<void(Settings&, uint64_t)> set;
  uint64_t lo, hi;
  const char* range;
};

void ExpectRange(const RangeCase& c) {
  SCOPED_TRACE(c.name);
  for (uint64_t ok : {c.lo, c.hi}) {
    Settings s;
    c.set(s, ok);
    Status st = config::ValidateSettings(s);
    EXPECT_OK(st) << ok << ": " << st.ToString();
  }
  std::vector<uint64_t> bad;
  if (c.lo > 0) bad.push_back(c.lo - 1);
  if (c.hi < std::numeric_limits<uint64_t>::max()) bad.push_back(c.hi + 1);
  for (uint64_t v : bad) {
    Settings s;
    c.set(s, v);
    Status st = config::ValidateSettings(s);
    ASSERT_FALSE(st.ok()) << v;
    EXPECT_TRUE(st.IsInvalid());
    EXPECT_EQ(st.message(), std::string("setting '") + c.name + "': " + std::to_string(v) +
                                " is outside the allowed range " + c.range);
  }
}

TEST(SettingsRangeTest, IntegerSettings) {
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  const RangeCase cases[] = {
      {"filter_bits_per_key",
       [](Settings& s, uint64_t v) { s.filter_bits_per_key = static_cast<uint32_t>(v); }, 1, 64,
       "[1, 64]"},
      {"l0_sst_size_bytes", [](Settings& s, uint64_t v) { s.l0_sst_size_bytes = v; }, 1024,
       4294967296, "[1024, 4294967296]"},
      {"l0_max_ssts", [](Settings& s, uint64_t v) { s.l0_max_ssts = v; }, 1, 1000000,
       "[1, 1000000]"},
      {"l0_flush_parallelism", [](Settings& s, uint64_t v) { s.l0_flush_parallelism = v; }, 1, 64,
       "[1, 64]"},
      {"max_unflushed_bytes", [](Settings& s, uint64_t v) { s.max_unflushed_bytes = v; }, 1, kMax,
       "[1, 18446744073709551615]"},
      {"compactor_options.max_sst_size",
       [](Settings& s, uint64_t v) { s.compactor_options->max_sst_size = v; }, 1024, 4294967296,
       "[1024, 4294967296]"},
      {"compactor_options.max_concurrent_compactions",
       [](Settings& s, uint64_t v) { s.compactor_options->max_concurrent_compactions = v; }, 1,
       1024, "[1, 1024]"},
      {"compactor_options.max_fetch_tasks",
       [](Settings& s, uint64_t v) { s.compactor_options->max_fetch_tasks = v; }, 1, 1024,
       "[1, 1024]"},
      {"compactor_options.max_subcompactions",
       [](Settings& s, uint64_t v) { s.compactor_options->max_subcompactions = v; }, 1, 64,
       "[1, 64]"},
      {"object_store_cache_options.part_size_bytes",
       [](Settings& s, uint64_t v) { s.object_store_cache_options.part_size_bytes = v; }, 1, kMax,
       "[1, 18446744073709551615]"},
  };
  for (const RangeCase& c : cases) ExpectRange(c);
}

TEST(SettingsRangeTest, FilterBitsMatchTheBloomReader) {
  // Every accepted value yields a probe count the reader takes: floor(bits * 0.69f) in u16.
  for (uint32_t bits = 1; bits <= 64; ++bits) {
    float probes = static_cast<float>(bits) * 0.69f;
    EXPECT_LE(probes, 65535.0f);
    Settings s;
    s.filter_bits_per_key = bits;
    EXPECT_OK(config::ValidateSettings(s)) << bits;
  }
  Settings zero;
  zero.filter_bits_per_key = 0;
  EXPECT_FALSE(config::ValidateSettings(zero).ok());
}

TEST(SettingsRangeTest, AnyValueSettings) {
  Settings s;
  s.min_filter_keys = 0;
  EXPECT_OK(config::ValidateSettings(s));
  s.min_filter_keys = std::numeric_limits<uint32_t>::max();
  EXPECT_OK(config::ValidateSettings(s));
  for (uint64_t ttl : {uint64_t{0}, uint64_t{1}, std::numeric_limits<uint64_t>::max()}) {
    s.default_ttl = ttl;
    EXPECT_OK(config::ValidateSettings(s)) << ttl;
  }
  s.object_store_cache_options.max_cache_size_bytes = 0;
  EXPECT_OK(config::ValidateSettings(s));
  s.compactor_options.reset();  // a disabled compactor has nothing to check
  s.garbage_collector_options.reset();
  s.flush_interval.reset();
  s.object_store_cache_options.scan_interval.reset();
  EXPECT_OK(config::ValidateSettings(s));
}

TEST(SettingsRangeTest, Durations) {
  constexpr int64_t kTenYears = 3650LL * 86400 * 1000;
  struct Case {
    const char* name;
    std::function<void(Settings&, milliseconds)> set;
    int64_t lo;
  };
  const Case cases[] = {
      {"flush_interval", [](Settings& s, milliseconds d) { s.flush_interval = d; }, 1},
      {"manifest_poll_interval", [](Settings& s, milliseconds d) { s.manifest_poll_interval = d; },
       1},
      {"manifest_update_timeout",
       [](Settings& s, milliseconds d) { s.manifest_update_timeout = d; }, 1},
      {"compactor_options.poll_interval",
       [](Settings& s, milliseconds d) { s.compactor_options->poll_interval = d; }, 1},
      {"compactor_options.manifest_update_timeout",
       [](Settings& s, milliseconds d) { s.compactor_options->manifest_update_timeout = d; }, 1},
      {"object_store_cache_options.scan_interval",
       [](Settings& s, milliseconds d) { s.object_store_cache_options.scan_interval = d; }, 1},
      {"garbage_collector_options.manifest_options.interval",
       [](Settings& s, milliseconds d) {
         s.garbage_collector_options->manifest_options->interval = d;
       },
       1},
      {"garbage_collector_options.wal_options.interval",
       [](Settings& s, milliseconds d) { s.garbage_collector_options->wal_options->interval = d; },
       1},
      {"garbage_collector_options.compacted_options.interval",
       [](Settings& s, milliseconds d) {
         s.garbage_collector_options->compacted_options->interval = d;
       },
       1},
      {"garbage_collector_options.compactions_options.interval",
       [](Settings& s, milliseconds d) {
         s.garbage_collector_options->compactions_options->interval = d;
       },
       1},
      {"garbage_collector_options.manifest_options.min_age",
       [](Settings& s, milliseconds d) {
         s.garbage_collector_options->manifest_options->min_age = d;
       },
       0},
      {"garbage_collector_options.wal_options.min_age",
       [](Settings& s, milliseconds d) { s.garbage_collector_options->wal_options->min_age = d; },
       0},
      {"garbage_collector_options.compacted_options.min_age",
       [](Settings& s, milliseconds d) {
         s.garbage_collector_options->compacted_options->min_age = d;
       },
       0},
      {"garbage_collector_options.compactions_options.min_age",
       [](Settings& s, milliseconds d) {
         s.garbage_collector_options->compactions_options->min_age = d;
       },
       0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string range = c.lo == 0 ? "[0s, 10y]" : "[1ms, 10y] (0 would spin)";
    for (int64_t ok : {c.lo, kTenYears}) {
      Settings s;
      c.set(s, milliseconds(ok));
      Status st = config::ValidateSettings(s);
      EXPECT_OK(st) << ok << ": " << st.ToString();
    }
    for (int64_t bad : {c.lo - 1, kTenYears + 1}) {
      Settings s;
      c.set(s, milliseconds(bad));
      Status st = config::ValidateSettings(s);
      ASSERT_FALSE(st.ok()) << bad;
      EXPECT_TRUE(st.IsInvalid());
      EXPECT_EQ(st.message(), std::string("setting '") + c.name + "': \"" +
                                  config::FormatDuration(milliseconds(bad)) +
                                  "\" is outside the allowed range " + range);
    }
  }
  // "10y" itself parses to the maximum.
  auto ten = Settings::FromJson(R"({"manifest_poll_interval": "10y"})");
  ASSERT_OK(ten) << ten.status().ToString();
  EXPECT_EQ(ten->manifest_poll_interval, milliseconds(kTenYears));
  auto over = Settings::FromJson(R"({"manifest_poll_interval": "10y 1ms"})");
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().message(),
            "setting 'manifest_poll_interval': \"315360000s+001ms\" is outside the allowed range "
            "[1ms, 10y] (0 would spin)");
}

TEST(SettingsRangeTest, SchedulerOptionsAsTheSchedulerParsesThem) {
  auto check = [](std::map<std::string, std::string> opts) {
    Settings s;
    s.compactor_options->scheduler_options = std::move(opts);
    return config::ValidateSettings(s);
  };
  EXPECT_OK(check({{"min_compaction_sources", "2"}}));
  EXPECT_OK(check({{"min_compaction_sources", "2.0"}}));  // strtod, as the scheduler
  EXPECT_OK(check({{"min_compaction_sources", "8"}, {"max_compaction_sources", "8"}}));
  EXPECT_OK(check({{"max_compaction_sources", "1000000"}}));
  EXPECT_OK(check({{"include_size_threshold", "0.001"}}));
  struct Bad {
    std::map<std::string, std::string> opts;
    const char* message;
  };
  const Bad bad[] = {
      {{{"min_compaction_sources", "1"}},
       "setting 'compactor_options.scheduler_options.min_compaction_sources': 1 is outside the "
       "allowed range [2, 1000000]"},
      {{{"min_compaction_sources", "x"}},
       "setting 'compactor_options.scheduler_options.min_compaction_sources': expected a number, "
       "got \"x\""},
      {{{"min_compaction_sources", ""}},
       "setting 'compactor_options.scheduler_options.min_compaction_sources': expected a number, "
       "got \"\""},
      {{{"min_compaction_sources", "2.5"}},
       "setting 'compactor_options.scheduler_options.min_compaction_sources': expected a whole "
       "number in [0, 1000000], got \"2.5\""},
      {{{"max_compaction_sources", "1000001"}},
       "setting 'compactor_options.scheduler_options.max_compaction_sources': expected a whole "
       "number in [0, 1000000], got \"1000001\""},
      {{{"max_compaction_sources", "3"}},
       "setting 'compactor_options.scheduler_options.max_compaction_sources': 3 is below "
       "min_compaction_sources (4, 4 if unset)"},
      {{{"include_size_threshold", "0"}},
       "setting 'compactor_options.scheduler_options.include_size_threshold': 0 is outside the "
       "allowed range (0, inf)"},
      {{{"include_size_threshold", "inf"}},
       "setting 'compactor_options.scheduler_options.include_size_threshold': expected a number, "
       "got \"inf\""},
      {{{"min_sources", "2"}},
       "setting 'compactor_options.scheduler_options.min_sources': unknown scheduler option "
       "(expected min_compaction_sources, max_compaction_sources or include_size_threshold)"},
  };
  for (const Bad& b : bad) {
    Status st = check(b.opts);
    ASSERT_FALSE(st.ok()) << b.message;
    EXPECT_TRUE(st.IsInvalid());
    EXPECT_EQ(st.message(), b.message);
  }
}

TEST(SettingsRangeTest, CacheRootFolderMustBeAbsoluteWithKibParts) {
  Settings s;
  s.object_store_cache_options.root_folder = "/var/cache/slatedb";
  EXPECT_OK(config::ValidateSettings(s));
  s.object_store_cache_options.root_folder = "cache";
  Status rel = config::ValidateSettings(s);
  ASSERT_FALSE(rel.ok());
  EXPECT_TRUE(rel.IsInvalid());
  EXPECT_EQ(rel.message(),
            "setting 'object_store_cache_options.root_folder': expected null or an absolute "
            "directory path, got \"cache\"");
  auto j = Settings::FromJson(R"({"object_store_cache_options": {"root_folder": ""}})");
  ASSERT_FALSE(j.ok());
  EXPECT_NE(j.status().message().find("object_store_cache_options.root_folder"), std::string::npos);
  // Parts are whole KiB once the cache is on (any size >= 1 is accepted without a folder).
  s.object_store_cache_options.root_folder = "/c";
  s.object_store_cache_options.part_size_bytes = 1000;
  Status part = config::ValidateSettings(s);
  ASSERT_FALSE(part.ok());
  EXPECT_EQ(part.message(),
            "setting 'object_store_cache_options.part_size_bytes': 1000 is not a multiple of 1024 "
            "(required when root_folder is set)");
  s.object_store_cache_options.root_folder.reset();
  EXPECT_OK(config::ValidateSettings(s));
  Settings p;
  p.object_store_cache_options.preload_disk_cache_on_startup = "Everything";
  Status pre = config::ValidateSettings(p);
  ASSERT_FALSE(pre.ok());
  EXPECT_EQ(pre.message(),
            "setting 'object_store_cache_options.preload_disk_cache_on_startup': expected null, "
            "\"AllSst\" or \"L0Sst\", got \"Everything\"");
  p.object_store_cache_options.preload_disk_cache_on_startup = "AllSst";
  EXPECT_OK(config::ValidateSettings(p));
}

TEST(SettingsRangeTest, BlockSize) {
  for (uint32_t ok : {1024u, 2048u, 65536u}) {
    Settings s;
    s.block_size = ok;
    EXPECT_OK(config::ValidateSettings(s)) << ok;
  }
  for (uint32_t bad : {512u, 1023u, 3000u, 131072u, 65537u}) {
    Settings s;
    s.block_size = bad;
    Status st = config::ValidateSettings(s);
    ASSERT_FALSE(st.ok()) << bad;
    EXPECT_EQ(st.message(), "setting 'block_size': must be a power of two in [1024, 65536], got " +
                                std::to_string(bad));
  }
}

}  // namespace
}  // namespace slatedb
