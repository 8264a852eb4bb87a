// fuzz/settings_json_fuzzer.cc — libFuzzer target for config::SettingsFromJson and
// config::SetSetting. Input: a JSON document.
// Invariants: failures are kInvalid with a message; accepted settings print (SettingsToJson, with
// extensions) to JSON that parses back to the same Settings.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/settings_io.h"
#include "fuzz/fuzz_util.h"

using slatedb::StatusCode;
using slatedb::fuzz::ExpectCode;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = slatedb::fuzz::AsView(data, size);
  auto settings = slatedb::config::SettingsFromJson(text);
  if (!settings.ok()) {
    ExpectCode(settings.status(), StatusCode::kInvalid, "SettingsFromJson");
  } else {
    slatedb::config::JsonFormat format;
    format.include_extensions = true;
    const std::string printed = slatedb::config::SettingsToJson(*settings, format);
    auto again = slatedb::config::SettingsFromJson(printed);
    FUZZ_CHECK(again.ok(), "printed settings do not parse");
    FUZZ_CHECK(*again == *settings, "printed settings parse to a different value");
  }
  // The same text as the value of a few settings (the CLI's --set path).
  slatedb::Settings s;
  for (const char* key : {"flush_interval", "compactor_options", "default_ttl",
                          "garbage_collector_options.wal_options.min_age"}) {
    ExpectCode(slatedb::config::SetSetting(s, key, text), StatusCode::kInvalid, "SetSetting");
  }
  return 0;
}
