#include "manifest/manifest_store.h"

#include "manifest/paths.h"

namespace slatedb::manifest {

std::string ManifestKind::Dir(std::string_view db_path) { return ManifestDir(db_path); }
std::string ManifestKind::Path(std::string_view db_path, uint64_t id) {
  return ManifestPath(db_path, id);
}
std::string ManifestKind::BoundaryPath(std::string_view db_path) {
  return ManifestBoundaryPath(db_path);
}
std::optional<uint64_t> ManifestKind::ListedId(std::string_view db_path, std::string_view key) {
  return ListedManifestId(db_path, key);
}
Result<format::Manifest> ManifestKind::Decode(std::string_view bytes) {
  return format::DecodeManifest(bytes);
}
Result<std::string> ManifestKind::Encode(const Value& value, const StoreFormat& format) {
  return format::EncodeManifest(value, format.manifest_version);
}

std::string CompactionsKind::Dir(std::string_view db_path) { return CompactionsDir(db_path); }
std::string CompactionsKind::Path(std::string_view db_path, uint64_t id) {
  return CompactionsPath(db_path, id);
}
std::string CompactionsKind::BoundaryPath(std::string_view db_path) {
  return CompactionsBoundaryPath(db_path);
}
std::optional<uint64_t> CompactionsKind::ListedId(std::string_view db_path, std::string_view key) {
  return ListedCompactionsId(db_path, key);
}
Result<format::Compactions> CompactionsKind::Decode(std::string_view bytes) {
  return format::DecodeCompactions(bytes);
}
Result<std::string> CompactionsKind::Encode(const Value& value, const StoreFormat& format) {
  return format::EncodeCompactions(value, format.compactions_version);
}

}  // namespace slatedb::manifest
