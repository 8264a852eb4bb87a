#include "manifest/paths.h"

#include <cstdio>

namespace slatedb::manifest {
namespace {

std::string Padded(uint64_t id) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%020llu", static_cast<unsigned long long>(id));
  return buf;
}

std::string_view FileName(std::string_view key) {
  const size_t slash = key.rfind('/');
  if (slash != std::string_view::npos) key.remove_prefix(slash + 1);
  return key;
}

}  // namespace

std::string ManifestDir(std::string_view db_path) { return format::DbSubdir(db_path, "manifest"); }
std::string CompactionsDir(std::string_view db_path) {
  return format::DbSubdir(db_path, "compactions");
}
std::string WalDir(std::string_view db_path) { return format::DbSubdir(db_path, "wal"); }
std::string CompactedDir(std::string_view db_path) {
  return format::DbSubdir(db_path, "compacted");
}

std::string GcDir(std::string_view db_path) { return format::DbSubdir(db_path, "gc"); }
std::string ManifestBoundaryPath(std::string_view db_path) {
  return GcDir(db_path) + "manifest.boundary";
}
std::string CompactionsBoundaryPath(std::string_view db_path) {
  return GcDir(db_path) + "compactions.boundary";
}

std::string ManifestPath(std::string_view db_path, uint64_t id) {
  return ManifestDir(db_path) + Padded(id) + ".manifest";
}
std::string CompactionsPath(std::string_view db_path, uint64_t id) {
  return CompactionsDir(db_path) + Padded(id) + ".compactions";
}
std::string WalSstPath(std::string_view db_path, uint64_t id) {
  return WalDir(db_path) + Padded(id) + ".sst";
}

std::optional<uint64_t> ParseManifestId(std::string_view key) {
  return format::ParseNumberedName(FileName(key), ".manifest");
}
std::optional<uint64_t> ParseCompactionsId(std::string_view key) {
  return format::ParseNumberedName(FileName(key), ".compactions");
}
std::optional<uint64_t> ParseWalId(std::string_view key) {
  return format::ParseNumberedName(FileName(key), ".sst");
}
std::optional<format::Ulid> ParseCompactedSstId(std::string_view key) {
  return format::ParseUlidSstName(FileName(key));
}

std::optional<uint64_t> ListedManifestId(std::string_view db_path, std::string_view key) {
  return format::ListedNumberedId(ManifestDir(db_path), key, ".manifest");
}
std::optional<uint64_t> ListedCompactionsId(std::string_view db_path, std::string_view key) {
  return format::ListedNumberedId(CompactionsDir(db_path), key, ".compactions");
}
std::optional<uint64_t> ListedWalId(std::string_view db_path, std::string_view key) {
  return format::ListedNumberedId(WalDir(db_path), key, ".sst");
}
std::optional<format::Ulid> ListedCompactedSstId(std::string_view db_path, std::string_view key) {
  return format::ListedUlidSstId(CompactedDir(db_path), key);
}

}  // namespace slatedb::manifest
