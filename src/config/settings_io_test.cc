// config/settings_io_test.cc — Settings from JSON / TOML / files / environment, and back.
#include "config/settings_io.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "subprocess.h"
#include "test_util.h"
#include "util/random.h"

namespace slatedb::config {
namespace {

using std::chrono::milliseconds;

using testing::ReadFile;
using testing::TempDir;

std::string DefaultsPath() {
  return std::string(SLATEDB_CONFIG_TESTDATA) + "/slatedb-0.12.1-default-settings.json";
}

TEST(SettingsDefaultsTest, MatchSlateDbDefaultJson) {
  std::string expected_text = ReadFile(DefaultsPath());
  ASSERT_FALSE(expected_text.empty()) << DefaultsPath();
  nlohmann::json expected = nlohmann::json::parse(expected_text);
  nlohmann::json actual = nlohmann::json::parse(SettingsToJson(Settings{}));
  EXPECT_EQ(actual, expected) << actual.dump(2);
}

TEST(SettingsDefaultsTest, DefaultJsonParsesToDefaults) {
  auto s = SettingsFromJson(ReadFile(DefaultsPath()));
  ASSERT_OK(s) << s.status().ToString();
  EXPECT_EQ(*s, Settings{});
  // Even over a very different base, a complete object gives the defaults back.
  Settings base;
  base.flush_interval.reset();
  base.compactor_options.reset();
  base.l0_max_ssts = 99;
  auto s2 = SettingsFromJson(ReadFile(DefaultsPath()), base);
  ASSERT_OK(s2) << s2.status().ToString();
  EXPECT_EQ(*s2, Settings{});
}

TEST(SettingsDefaultsTest, ValuesAreSlateDbs) {
  Settings s;
  EXPECT_EQ(s.flush_interval, milliseconds(100));
  EXPECT_EQ(s.l0_sst_size_bytes, 64u << 20);
  EXPECT_EQ(s.max_unflushed_bytes, 1u << 30);
  EXPECT_EQ(s.l0_max_ssts, 8u);
  EXPECT_EQ(s.manifest_poll_interval, milliseconds(1000));
  ASSERT_TRUE(s.compactor_options.has_value());
  EXPECT_EQ(s.compactor_options->poll_interval, milliseconds(5000));
  EXPECT_EQ(s.compression_codec, CompressionCodec::kNone);
  EXPECT_FALSE(s.default_ttl.has_value());
  EXPECT_EQ(s.block_size, 4096u);
  EXPECT_OK(ValidateSettings(s));
}

TEST(SettingsJsonTest, PartialObjectLaysOverBase) {
  Settings base;
  base.l0_max_ssts = 3;
  auto s = SettingsFromJson(
      R"({"flush_interval": "50ms", "compactor_options": {"poll_interval": "1s"},
          "compression_codec": "Zstd", "default_ttl": 60000})",
      base);
  ASSERT_OK(s) << s.status().ToString();
  EXPECT_EQ(s->flush_interval, milliseconds(50));
  EXPECT_EQ(s->l0_max_ssts, 3u);  // untouched base value
  EXPECT_EQ(s->compactor_options->poll_interval, milliseconds(1000));
  EXPECT_EQ(s->compactor_options->max_sst_size, 268435456u);  // merged, not replaced
  EXPECT_EQ(s->compression_codec, CompressionCodec::kZstd);
  EXPECT_EQ(s->default_ttl, 60000u);
}

TEST(SettingsJsonTest, AcceptsSlateDb017DefaultTtlMillis) {
  auto s = SettingsFromJson(R"({"default_ttl_millis": 1500})", Settings());
  ASSERT_OK(s) << s.status().ToString();
  EXPECT_EQ(s->default_ttl, 1500u);
  Settings env;
  Status st = ApplyEnv(env, {{"SLATEDB_DEFAULT_TTL_MILLIS", "2s"}});
  ASSERT_OK(st) << st.ToString();
  EXPECT_EQ(env.default_ttl, 2000u);
}

TEST(SettingsJsonTest, NullClearsOptionals) {
  auto s = SettingsFromJson(
      R"({"flush_interval": null, "compactor_options": null, "garbage_collector_options": null,
          "compression_codec": null, "default_ttl": null})");
  ASSERT_OK(s) << s.status().ToString();
  EXPECT_FALSE(s->flush_interval.has_value());
  EXPECT_FALSE(s->compactor_options.has_value());
  EXPECT_FALSE(s->garbage_collector_options.has_value());
  // A nested object over a null base starts from the defaults.
  auto s2 = SettingsFromJson(R"({"compactor_options": {"max_fetch_tasks": 9}})", *s);
  ASSERT_OK(s2) << s2.status().ToString();
  ASSERT_TRUE(s2->compactor_options.has_value());
  EXPECT_EQ(s2->compactor_options->max_fetch_tasks, 9u);
  EXPECT_EQ(s2->compactor_options->poll_interval, milliseconds(5000));
}

TEST(SettingsJsonTest, GcAndCacheOptions) {
  auto s = SettingsFromJson(
      R"({"garbage_collector_options": {"wal_options": {"min_age": "10m"},
                                         "manifest_options": null},
          "object_store_cache_options": {"root_folder": null, "cache_puts": true,
                                          "preload_disk_cache_on_startup": "AllSst",
                                          "scan_interval": null}})");
  ASSERT_OK(s) << s.status().ToString();
  const GarbageCollectorOptions& g = *s->garbage_collector_options;
  EXPECT_EQ(g.wal_options->min_age, milliseconds(600000));
  EXPECT_EQ(g.wal_options->interval, milliseconds(60000));
  EXPECT_FALSE(g.manifest_options.has_value());
  EXPECT_TRUE(g.compacted_options.has_value());
  EXPECT_FALSE(s->object_store_cache_options.root_folder.has_value());
  EXPECT_TRUE(s->object_store_cache_options.cache_puts);
  EXPECT_EQ(s->object_store_cache_options.preload_disk_cache_on_startup, "AllSst");
  EXPECT_FALSE(s->object_store_cache_options.scan_interval.has_value());
}

TEST(SettingsJsonTest, SchedulerOptionsMerge) {
  auto s = SettingsFromJson(
      R"({"compactor_options": {"scheduler_options": {"min_compaction_sources": "2",
                                                      "max_compaction_sources": "8"}}})");
  ASSERT_OK(s) << s.status().ToString();
  auto s2 = SettingsFromJson(
      R"({"compactor_options": {"scheduler_options": {"max_compaction_sources": null,
                                                      "include_size_threshold": "4.0"}}})",
      *s);
  ASSERT_OK(s2) << s2.status().ToString();
  std::map<std::string, std::string> expected = {{"min_compaction_sources", "2"},
                                                 {"include_size_threshold", "4.0"}};
  EXPECT_EQ(s2->compactor_options->scheduler_options, expected);
  auto bad = SettingsFromJson(R"({"compactor_options": {"scheduler_options": {"x": 2}}})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "setting 'compactor_options.scheduler_options.x': expected a string (e.g. \"2\"), "
            "got 2");
}

TEST(SettingsJsonTest, UnknownKeysAreNamed) {
  auto r = SettingsFromJson(R"({"flush_intervl": "1s"})");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalid());
  EXPECT_EQ(r.status().message(), "unknown setting 'flush_intervl'");
  auto r2 = SettingsFromJson(R"({"compactor_options": {"poll_intervl": "1s"}})");
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.status().message(), "unknown setting 'compactor_options.poll_intervl'");
  auto r3 = SettingsFromJson(R"({"garbage_collector_options": {"wal_options": {"minage": "1s"}}})");
  ASSERT_FALSE(r3.ok());
  EXPECT_EQ(r3.status().message(),
            "unknown setting 'garbage_collector_options.wal_options.minage'");
}

TEST(SettingsJsonTest, BadValuesAreNamed) {
  struct Case {
    const char* json;
    const char* message;
  };
  const Case cases[] = {
      {R"({"l0_max_ssts": "x"})",
       "setting 'l0_max_ssts': expected a non-negative integer, got \"x\""},
      {R"({"l0_max_ssts": -1})", "setting 'l0_max_ssts': expected a non-negative integer, got -1"},
      {R"({"l0_max_ssts": 1.5})",
       "setting 'l0_max_ssts': expected a non-negative integer, got 1.5"},
      {R"({"min_filter_keys": 4294967296})",
       "setting 'min_filter_keys': expected an integer in [0, 4294967295], got 4294967296"},
      {R"({"wal_enabled": "true"})", "setting 'wal_enabled': expected true or false, got \"true\""},
      {R"({"compression_codec": "snappy"})",
       "setting 'compression_codec': expected null, \"Snappy\", \"Zlib\", \"Lz4\" or \"Zstd\", "
       "got \"snappy\""},
      {R"({"manifest_poll_interval": 1000})",
       "setting 'manifest_poll_interval': expected a duration string such as \"100ms\", got 1000"},
      {R"({"manifest_poll_interval": null})",
       "setting 'manifest_poll_interval': expected a duration string such as \"100ms\", got null"},
      {R"({"compactor_options": 5})",
       "setting 'compactor_options': expected an object or null, got 5"},
      {R"({"l0_max_ssts": 0})",
       "setting 'l0_max_ssts': 0 is outside the allowed range [1, 1000000]"},
      {R"({"block_size": 1000})",
       "setting 'block_size': must be a power of two in [1024, 65536], got 1000"},
      {R"({"flush_interval": "0ms"})",
       "setting 'flush_interval': \"0s\" is outside the allowed range [1ms, 10y] (0 would spin)"},
      {R"([1, 2])", "settings: expected an object, got [1,2]"},
      {R"({"compactor_options": {"max_subcompactions": 0}})",
       "setting 'compactor_options.max_subcompactions': 0 is outside the allowed range [1, 64]"},
      {R"({"compactor_options": {"max_subcompactions": 65}})",
       "setting 'compactor_options.max_subcompactions': 65 is outside the allowed range [1, 64]"},
      {R"({"compactor_options": {"enable_trivial_move": 1}})",
       "setting 'compactor_options.enable_trivial_move': expected true or false, got 1"},
  };
  for (const Case& c : cases) {
    auto r = SettingsFromJson(c.json);
    ASSERT_FALSE(r.ok()) << c.json;
    EXPECT_TRUE(r.status().IsInvalid()) << c.json;
    EXPECT_EQ(r.status().message(), c.message) << c.json;
  }
  auto d = SettingsFromJson(R"({"flush_interval": "fast"})");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().message().rfind("setting 'flush_interval': invalid duration 'fast'", 0), 0u)
      << d.status().message();
}

TEST(SettingsJsonTest, MalformedJson) {
  for (const char* bad : {"", "{", "{\"a\": }", "nul", "{\"flush_interval\": \"1s\",}"}) {
    auto r = SettingsFromJson(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_TRUE(r.status().IsInvalid());
    EXPECT_EQ(r.status().message().rfind("settings JSON: parse error", 0), 0u)
        << r.status().message();
  }
}

TEST(SettingsJsonTest, RoundTripsNonDefaults) {
  Settings s;
  s.wal_enabled = false;
  s.manifest_poll_interval = milliseconds(250);
  s.l0_max_ssts = 16;
  s.compression_codec = CompressionCodec::kLz4;
  s.default_ttl = 1234;
  s.compactor_options->scheduler_options["min_compaction_sources"] = "2";
  s.compactor_options->manifest_update_timeout = milliseconds(1500);
  s.garbage_collector_options->compactions_options.reset();
  s.object_store_cache_options.max_cache_size_bytes.reset();
  s.object_store_cache_options.preload_disk_cache_on_startup = "L0Sst";
  s.flush_interval = milliseconds(1500);         // SlateDB prints "1s+500ms"
  s.manifest_update_timeout = milliseconds(50);  // "050ms"
  s.block_size = 16384;
  for (bool pretty : {false, true}) {
    std::string text = SettingsToJson(s, {.pretty = pretty, .include_extensions = true});
    auto back = SettingsFromJson(text);
    ASSERT_OK(back) << back.status().ToString() << "\n" << text;
    EXPECT_EQ(*back, s) << text;
  }
  // Without extensions block_size is not printed, so it comes back as the base value.
  auto back = SettingsFromJson(SettingsToJson(s));
  ASSERT_OK(back);
  EXPECT_EQ(back->block_size, 4096u);
  EXPECT_EQ(nlohmann::json::parse(SettingsToJson(s)).count("block_size"), 0u);
}

TEST(SettingsJsonTest, SubcompactionSettings) {
  Settings d;
  EXPECT_EQ(d.compactor_options->max_subcompactions, 4u);  // SlateDB 0.17's defaults
  EXPECT_FALSE(d.compactor_options->enable_trivial_move);
  auto s = SettingsFromJson(
      R"({"compactor_options": {"max_subcompactions": 2, "enable_trivial_move": true}})");
  ASSERT_OK(s) << s.status().ToString();
  EXPECT_EQ(s->compactor_options->max_subcompactions, 2u);
  EXPECT_TRUE(s->compactor_options->enable_trivial_move);
  // Non-defaults are printed (and read back); defaults only with extensions.
  auto back = SettingsFromJson(SettingsToJson(*s));
  ASSERT_OK(back);
  EXPECT_EQ(*back, *s);
  auto j = nlohmann::json::parse(SettingsToJson(d));
  EXPECT_EQ(j["compactor_options"].count("max_subcompactions"), 0u);
  EXPECT_EQ(j["compactor_options"].count("enable_trivial_move"), 0u);
  j = nlohmann::json::parse(SettingsToJson(d, {.include_extensions = true}));
  EXPECT_EQ(j["compactor_options"]["max_subcompactions"], 4);
  EXPECT_EQ(j["compactor_options"]["enable_trivial_move"], false);
}

TEST(SettingsJsonTest, PrettyUsesSlateDbKeyOrder) {
  std::string text = SettingsToJson(Settings{}, {.pretty = true});
  EXPECT_LT(text.find("\"flush_interval\""), text.find("\"wal_enabled\""));
  EXPECT_LT(text.find("\"compression_codec\""), text.find("\"object_store_cache_options\""));
  EXPECT_LT(text.find("\"garbage_collector_options\""), text.find("\"default_ttl\""));
  EXPECT_NE(text.find("\n    \"wal_enabled\": true"), std::string::npos) << text;
}

TEST(SettingsTomlTest, ParsesNestedTables) {
  auto s = SettingsFromToml(R"(
flush_interval = "20ms"
l0_max_ssts = 12
compression_codec = "Snappy"
default_ttl = "null"

[compactor_options]
poll_interval = "2s"
[compactor_options.scheduler_options]
min_compaction_sources = "3"

[garbage_collector_options.wal_options]
interval = "1m"
)");
  ASSERT_OK(s) << s.status().ToString();
  EXPECT_EQ(s->flush_interval, milliseconds(20));
  EXPECT_EQ(s->l0_max_ssts, 12u);
  EXPECT_EQ(s->compression_codec, CompressionCodec::kSnappy);
  EXPECT_FALSE(s->default_ttl.has_value());
  EXPECT_EQ(s->compactor_options->poll_interval, milliseconds(2000));
  EXPECT_EQ(s->compactor_options->scheduler_options.at("min_compaction_sources"), "3");
  EXPECT_EQ(s->garbage_collector_options->wal_options->interval, milliseconds(60000));
}

TEST(SettingsTomlTest, NullStringDisablesCompactor) {
  auto s = SettingsFromToml("compactor_options = \"null\"\nflush_interval = \"null\"\n");
  ASSERT_OK(s) << s.status().ToString();
  EXPECT_FALSE(s->compactor_options.has_value());
  EXPECT_FALSE(s->flush_interval.has_value());
}

TEST(SettingsTomlTest, ErrorsNameTheProblem) {
  auto parse = SettingsFromToml("flush_interval = \n");
  ASSERT_FALSE(parse.ok());
  EXPECT_TRUE(parse.status().IsInvalid());
  EXPECT_NE(parse.status().message().find("settings TOML:"), std::string::npos);
  EXPECT_NE(parse.status().message().find("line 1"), std::string::npos) << parse.status().message();
  auto unknown = SettingsFromToml("[compactor_options]\nfoo = 1\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(), "unknown setting 'compactor_options.foo'");
  auto bad = SettingsFromToml("l0_max_ssts = \"x\"\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "setting 'l0_max_ssts': expected a non-negative integer, got \"x\"");
  auto date = SettingsFromToml("flush_interval = 1979-05-27\n");
  ASSERT_FALSE(date.ok());
  EXPECT_NE(date.status().message().find("'flush_interval'"), std::string::npos);
}

TEST(SettingsFileTest, LoadsByExtension) {
  TempDir dir;
  auto j = SettingsFromFile(dir.Write("s.json", R"({"l0_max_ssts": 5})"));
  ASSERT_OK(j) << j.status().ToString();
  EXPECT_EQ(j->l0_max_ssts, 5u);
  auto t = SettingsFromFile(dir.Write("s.TOML", "l0_max_ssts = 6\n"));
  ASSERT_OK(t) << t.status().ToString();
  EXPECT_EQ(t->l0_max_ssts, 6u);
  auto full = SettingsFromFile(DefaultsPath());
  ASSERT_OK(full) << full.status().ToString();
  EXPECT_EQ(*full, Settings{});
}

TEST(SettingsFileTest, ErrorsNameTheFile) {
  TempDir dir;
  std::string ini = dir.Write("s.ini", "a = 1\n");
  auto r = SettingsFromFile(ini);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalid());
  EXPECT_EQ(r.status().message(), "settings file '" + ini +
                                      "': unsupported extension (expected .json, .toml, .yaml "
                                      "or .yml)");
  auto missing = SettingsFromFile("/nonexistent/dir/s.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.status().IsNotFound());
  EXPECT_NE(missing.status().message().find("/nonexistent/dir/s.json"), std::string::npos);
  std::string bad = dir.Write("bad.json", R"({"nope": 1})");
  auto b = SettingsFromFile(bad);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().message(), "settings file '" + bad + "': unknown setting 'nope'");
}

TEST(SettingsEnvTest, AppliesPrefixedVariables) {
  Settings s;
  std::map<std::string, std::string> env = {
      {"SLATEDB_FLUSH_INTERVAL", "50ms"},
      {"SLATEDB_COMPACTOR_OPTIONS__POLL_INTERVAL", "1s"},
      {"SLATEDB_COMPACTOR_OPTIONS__SCHEDULER_OPTIONS__MIN_COMPACTION_SOURCES", "2"},
      {"SLATEDB_GARBAGE_COLLECTOR_OPTIONS__WAL_OPTIONS__MIN_AGE", "10m"},
      {"SLATEDB_L0_MAX_SSTS", "12"},
      {"SLATEDB_WAL_ENABLED", "false"},
      {"SLATEDB_COMPRESSION_CODEC", "Zlib"},
      {"SLATEDB_DEFAULT_TTL", "1h"},
      {"SLATEDB_BLOCK_SIZE", "8192"},
      {"slatedb_min_filter_keys", "7"},  // wrong case of the prefix: not ours
      {"SLATEDB_SOURCE_DIR", "/src"},    // not a setting: ignored
      {"OTHER_L0_MAX_SSTS", "1"},
  };
  Status st = ApplyEnv(s, env);
  ASSERT_OK(st) << st.ToString();
  EXPECT_EQ(s.flush_interval, milliseconds(50));
  EXPECT_EQ(s.compactor_options->poll_interval, milliseconds(1000));
  EXPECT_EQ(s.compactor_options->scheduler_options.at("min_compaction_sources"), "2");
  EXPECT_EQ(s.garbage_collector_options->wal_options->min_age, milliseconds(600000));
  EXPECT_EQ(s.l0_max_ssts, 12u);
  EXPECT_FALSE(s.wal_enabled);
  EXPECT_EQ(s.compression_codec, CompressionCodec::kZlib);
  EXPECT_EQ(s.default_ttl, 3600000u);
  EXPECT_EQ(s.block_size, 8192u);
  EXPECT_EQ(s.min_filter_keys, 1000u);
}

TEST(SettingsEnvTest, NullAndJsonObjects) {
  Settings s;
  ASSERT_TRUE(ApplyEnv(s, {{"SLATEDB_COMPACTOR_OPTIONS", "null"},
                           {"SLATEDB_FLUSH_INTERVAL", "null"},
                           {"SLATEDB_DEFAULT_TTL", "60000"}})
                  .ok());
  EXPECT_FALSE(s.compactor_options.has_value());
  EXPECT_FALSE(s.flush_interval.has_value());
  EXPECT_EQ(s.default_ttl, 60000u);
  Status st = ApplyEnv(s, {{"SLATEDB_GARBAGE_COLLECTOR_OPTIONS", R"({"wal_options": null})"}});
  ASSERT_OK(st) << st.ToString();
  EXPECT_FALSE(s.garbage_collector_options->wal_options.has_value());
  EXPECT_TRUE(s.garbage_collector_options->manifest_options.has_value());
}

TEST(SettingsEnvTest, ErrorsNameTheVariable) {
  Settings s;
  Status bad = ApplyEnv(s, {{"SLATEDB_L0_MAX_SSTS", "x"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.message(),
            "environment variable 'SLATEDB_L0_MAX_SSTS': setting 'l0_max_ssts': expected a "
            "non-negative integer, got \"x\"");
  Status nested = ApplyEnv(s, {{"SLATEDB_COMPACTOR_OPTIONS__POLL_INTRVAL", "1s"}});
  ASSERT_FALSE(nested.ok());
  EXPECT_EQ(nested.message(),
            "environment variable 'SLATEDB_COMPACTOR_OPTIONS__POLL_INTRVAL': unknown setting "
            "'compactor_options.poll_intrval'");
  Status empty = ApplyEnv(s, {{"SLATEDB_COMPACTOR_OPTIONS____POLL_INTERVAL", "1s"}});
  ASSERT_FALSE(empty.ok());
  EXPECT_TRUE(empty.IsInvalid());
  Status ttl = ApplyEnv(s, {{"SLATEDB_DEFAULT_TTL", "soon"}});
  ASSERT_FALSE(ttl.ok());
  EXPECT_NE(ttl.message().find("'default_ttl'"), std::string::npos);
  EXPECT_EQ(s, Settings{});  // failed variables changed nothing
}

TEST(SettingsEnvTest, CustomPrefix) {
  Settings s;
  ASSERT_OK(ApplyEnv(s, {{"MYAPP_L0_MAX_SSTS", "3"}, {"SLATEDB_L0_MAX_SSTS", "4"}}, "MYAPP_"));
  EXPECT_EQ(s.l0_max_ssts, 3u);
}

TEST(SettingsEnvTest, ProcessEnvironment) {
  ASSERT_EQ(::setenv("SLATEDBTEST_L0_FLUSH_PARALLELISM", "2", 1), 0);
  Settings s;
  Status st = ApplyEnvFromEnviron(s, "SLATEDBTEST_");
  ::unsetenv("SLATEDBTEST_L0_FLUSH_PARALLELISM");
  ASSERT_OK(st) << st.ToString();
  EXPECT_EQ(s.l0_flush_parallelism, 2u);
}

TEST(SetSettingTest, DottedKeysWithJsonLiterals) {
  Settings s;
  ASSERT_OK(SetSetting(s, "compactor_options.scheduler_options.min_compaction_sources", "\"2\""));
  ASSERT_OK(SetSetting(s, "flush_interval", "null"));
  ASSERT_OK(SetSetting(s, "l0_max_ssts", "4"));
  EXPECT_EQ(s.compactor_options->scheduler_options.at("min_compaction_sources"), "2");
  EXPECT_FALSE(s.flush_interval.has_value());
  EXPECT_EQ(s.l0_max_ssts, 4u);
  Status unquoted = SetSetting(s, "manifest_poll_interval", "1s");
  ASSERT_FALSE(unquoted.ok());
  EXPECT_NE(unquoted.message().find("not a JSON literal"), std::string::npos);
  Status unknown = SetSetting(s, "compactor_options.nope", "1");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.message(), "unknown setting 'compactor_options.nope'");
  EXPECT_FALSE(SetSetting(s, "compactor_options..x", "1").ok());
  EXPECT_FALSE(SetSetting(s, "l0_max_ssts", "0").ok());
  EXPECT_EQ(s.l0_max_ssts, 4u);  // rejected values leave settings unchanged
}

// Garbage and mutated documents never crash and fail only with kInvalid.
TEST(SettingsRobustnessTest, GarbageAndMutationsFailCleanly) {
  util::Random rnd(1234);
  const std::string base_json = SettingsToJson(Settings{}, {.pretty = true});
  const std::string base_toml =
      "flush_interval = \"20ms\"\n[compactor_options]\nmax_fetch_tasks = 2\n";
  int ok = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string doc = (i % 2 == 0) ? base_json : base_toml;
    int edits = 1 + static_cast<int>(rnd.Uniform(4));
    for (int e = 0; e < edits; ++e) {
      size_t pos = rnd.Uniform(doc.size());
      switch (rnd.Uniform(3)) {
        case 0:
          doc[pos] = static_cast<char>(rnd.Uniform(256));
          break;
        case 1:
          doc.erase(pos, 1 + rnd.Uniform(8));
          break;
        default:
          doc.insert(pos, 1, "{}[]\",:=0x-9\n"[rnd.Uniform(14)]);
      }
    }
    Result<Settings> r = (i % 2 == 0) ? SettingsFromJson(doc) : SettingsFromToml(doc);
    if (r.ok()) {
      ++ok;
    } else {
      ASSERT_TRUE(r.status().IsInvalid()) << r.status().ToString() << "\n" << doc;
      ASSERT_FALSE(r.status().message().empty());
    }
    Settings env_target;
    Status st = ApplyEnv(env_target, {{"SLATEDB_FLUSH_INTERVAL", doc.substr(0, 20)}});
    if (!st.ok()) {
      ASSERT_TRUE(st.IsInvalid()) << st.ToString();
    }
  }
  EXPECT_LT(ok, 3000);  // most mutations are rejected
}

}  // namespace
}  // namespace slatedb::config

namespace slatedb::config {
namespace {

// Settings::compatibility (our extension) and garbage_collector_options.boundary_files_enabled
// (SlateDB 0.13+) through every loader, range-checked, printed only where they belong.
TEST(SettingsFormatsTest, CompatibilityAndBoundaryFilesEverywhere) {
  Settings defaults;
  EXPECT_EQ(defaults.compatibility, "0.17");
  EXPECT_TRUE(defaults.garbage_collector_options->boundary_files_enabled);

  auto json = SettingsFromJson(
      R"({"compatibility": "0.12", "garbage_collector_options": {"boundary_files_enabled": false}})");
  ASSERT_OK(json) << json.status().ToString();
  EXPECT_EQ(json->compatibility, "0.12");
  EXPECT_FALSE(json->garbage_collector_options->boundary_files_enabled);
  EXPECT_TRUE(json->garbage_collector_options->manifest_options.has_value());  // merged

  auto toml = SettingsFromToml(
      "compatibility = \"0.12\"\n[garbage_collector_options]\nboundary_files_enabled = false\n");
  ASSERT_OK(toml) << toml.status().ToString();
  EXPECT_EQ(*toml, *json);
  auto yaml = SettingsFromYaml(
      "compatibility: \"0.12\"\ngarbage_collector_options:\n  boundary_files_enabled: false\n");
  ASSERT_OK(yaml) << yaml.status().ToString();
  EXPECT_EQ(*yaml, *json);
  Settings env;
  ASSERT_TRUE(
      ApplyEnv(env, {{"SLATEDB_COMPATIBILITY", "0.12"},
                     {"SLATEDB_GARBAGE_COLLECTOR_OPTIONS__BOUNDARY_FILES_ENABLED", "false"}})
          .ok());
  EXPECT_EQ(env, *json);

  for (const std::string bad : {R"({"compatibility": "0.13"})", R"({"compatibility": ""})"}) {
    auto r = SettingsFromJson(bad);
    ASSERT_TRUE(r.status().IsInvalid()) << bad;
    EXPECT_NE(r.status().message().find("setting 'compatibility': must be \"0.17\" or \"0.12\""),
              std::string::npos)
        << r.status().ToString();
  }
  EXPECT_TRUE(SettingsFromJson(R"({"compatibility": null})").status().IsInvalid());
  EXPECT_TRUE(SettingsFromJson(R"({"compatibility": 12})").status().IsInvalid());
  Settings direct;
  direct.compatibility = "0.16";
  Status st = ValidateSettings(direct);
  EXPECT_EQ(st.message(), "setting 'compatibility': must be \"0.17\" or \"0.12\", got \"0.16\"");
  EXPECT_TRUE(SettingsFromJson(R"({"garbage_collector_options": {"boundary_files_enabled": "no"}})")
                  .status()
                  .IsInvalid());

  // SlateDB's JSON: the defaults keep 0.12.1's key set; a non-default boundary setting and, on
  // request, the extension are printed, and both parse back.
  const auto plain = nlohmann::json::parse(SettingsToJson(defaults));
  EXPECT_EQ(plain.count("compatibility"), 0u);
  EXPECT_EQ(plain["garbage_collector_options"].count("boundary_files_enabled"), 0u);
  JsonFormat with_extensions;
  with_extensions.include_extensions = true;
  const std::string printed = SettingsToJson(*json, with_extensions);
  EXPECT_EQ(nlohmann::json::parse(printed)["compatibility"], "0.12");
  auto back = SettingsFromJson(printed);
  ASSERT_OK(back) << back.status().ToString();
  EXPECT_EQ(*back, *json);
  EXPECT_EQ(nlohmann::json::parse(
                SettingsToJson(*json))["garbage_collector_options"]["boundary_files_enabled"],
            false);
}

}  // namespace
}  // namespace slatedb::config
