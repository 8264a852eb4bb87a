// fuzz/settings_toml_fuzzer.cc — libFuzzer target for config::SettingsFromToml. Input: a TOML
// document. Invariants: failures are kInvalid with a message; accepted settings print to JSON
// that parses back to the same Settings.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/settings_io.h"
#include "fuzz/fuzz_util.h"

using slatedb::StatusCode;
using slatedb::fuzz::ExpectCode;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto settings = slatedb::config::SettingsFromToml(slatedb::fuzz::AsView(data, size));
  if (!settings.ok()) {
    ExpectCode(settings.status(), StatusCode::kInvalid, "SettingsFromToml");
    return 0;
  }
  slatedb::config::JsonFormat format;
  format.include_extensions = true;
  const std::string printed = slatedb::config::SettingsToJson(*settings, format);
  auto again = slatedb::config::SettingsFromJson(printed);
  FUZZ_CHECK(again.ok(), "printed settings do not parse");
  FUZZ_CHECK(*again == *settings, "printed settings parse to a different value");
  return 0;
}
