#include "manifest/paths.h"

#include <cstdio>

namespace slatedb::manifest {
namespace {

std::string Dir(std::string_view db_path, std::string_view sub) {
  while (!db_path.empty() && db_path.back() == '/') db_path.remove_suffix(1);
  std::string out;
  if (!db_path.empty()) {
    out.append(db_path);
    out.push_back('/');
  }
  out.append(sub);
  out.push_back('/');
  return out;
}

std::string Padded(uint64_t id) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%020llu", static_cast<unsigned long long>(id));
  return buf;
}

// The file name (after the last '/') split at its first '.': {stem, extension incl. '.'}.
std::pair<std::string_view, std::string_view> SplitName(std::string_view key) {
  const size_t slash = key.rfind('/');
  if (slash != std::string_view::npos) key.remove_prefix(slash + 1);
  const size_t dot = key.find('.');
  if (dot == std::string_view::npos) return {key, {}};
  return {key.substr(0, dot), key.substr(dot)};
}

std::optional<uint64_t> ParseDecimal(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10) return std::nullopt;  // overflow
    v = v * 10 + digit;
  }
  return v;
}

std::optional<uint64_t> ParseNumbered(std::string_view key, std::string_view ext) {
  auto [stem, extension] = SplitName(key);
  if (extension != ext) return std::nullopt;
  return ParseDecimal(stem);
}

}  // namespace

std::string ManifestDir(std::string_view db_path) { return Dir(db_path, "manifest"); }
std::string CompactionsDir(std::string_view db_path) { return Dir(db_path, "compactions"); }
std::string WalDir(std::string_view db_path) { return Dir(db_path, "wal"); }
std::string CompactedDir(std::string_view db_path) { return Dir(db_path, "compacted"); }

std::string ManifestPath(std::string_view db_path, uint64_t id) {
  return ManifestDir(db_path) + Padded(id) + ".manifest";
}
std::string CompactionsPath(std::string_view db_path, uint64_t id) {
  return CompactionsDir(db_path) + Padded(id) + ".compactions";
}
std::string WalSstPath(std::string_view db_path, uint64_t id) {
  return WalDir(db_path) + Padded(id) + ".sst";
}
std::string CompactedSstPath(std::string_view db_path, const format::Ulid& id) {
  return CompactedDir(db_path) + id.ToString() + ".sst";
}

std::optional<uint64_t> ParseManifestId(std::string_view key) {
  return ParseNumbered(key, ".manifest");
}
std::optional<uint64_t> ParseCompactionsId(std::string_view key) {
  return ParseNumbered(key, ".compactions");
}
std::optional<uint64_t> ParseWalId(std::string_view key) { return ParseNumbered(key, ".sst"); }

std::optional<format::Ulid> ParseCompactedSstId(std::string_view key) {
  auto [stem, extension] = SplitName(key);
  if (extension != ".sst") return std::nullopt;
  auto id = format::Ulid::Parse(stem);
  if (!id.ok()) return std::nullopt;
  return *id;
}

}  // namespace slatedb::manifest
