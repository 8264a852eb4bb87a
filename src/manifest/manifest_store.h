// manifest/manifest_store.h — the two kinds of versioned objects of a database: manifests
// `<db>/manifest/<id:020>.manifest` and `.compactions` `<db>/compactions/<id:020>.compactions`
// (docs/format.md §4, §7.1, §9, §12.1).
//
// What: `ManifestStore` and `CompactionsStore` are `VersionedStore` (versioned_store.h: List,
// ReadLatest with cached probing, Read, WriteNew = create-if-absent + GC-boundary check, Delete,
// Boundary / AdvanceBoundary, and the one `Update` CAS loop) over `ManifestKind` resp.
// `CompactionsKind`, which name the objects, their GC boundary (`gc/manifest.boundary` resp.
// `gc/compactions.boundary`) and their codec. `StoreFormat` says which format versions are
// written (compatibility "0.17" → manifest 2 / `.compactions` 2; "0.12" → manifest 2 /
// `.compactions` 1, since SlateDB 0.12.1 reads manifest version 2 but not `.compactions` version
// 2); every version is read.
// Thread safety, ownership, errors: as VersionedStore; the kinds are stateless.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "format/compactions_codec.h"
#include "format/manifest.h"
#include "format/manifest_codec.h"
#include "manifest/versioned_store.h"
#include "slatedb/status.h"

namespace slatedb::manifest {

// A manifest together with its id (= its object name).
struct VersionedManifest {
  uint64_t id = 0;
  format::Manifest manifest;
};

struct VersionedCompactions {
  uint64_t id = 0;
  format::Compactions compactions;
};

struct ManifestKind {
  using Value = format::Manifest;
  using Versioned = VersionedManifest;
  static constexpr Value Versioned::*kValue = &VersionedManifest::manifest;
  static constexpr const char* kName = "manifest";
  static std::string Dir(std::string_view db_path);
  static std::string Path(std::string_view db_path, uint64_t id);
  static std::string BoundaryPath(std::string_view db_path);
  static std::optional<uint64_t> ListedId(std::string_view db_path, std::string_view key);
  static Result<Value> Decode(std::string_view bytes);
  static Result<std::string> Encode(const Value& value, const StoreFormat& format);
};

struct CompactionsKind {
  using Value = format::Compactions;
  using Versioned = VersionedCompactions;
  static constexpr Value Versioned::*kValue = &VersionedCompactions::compactions;
  static constexpr const char* kName = "compactions";
  static std::string Dir(std::string_view db_path);
  static std::string Path(std::string_view db_path, uint64_t id);
  static std::string BoundaryPath(std::string_view db_path);
  static std::optional<uint64_t> ListedId(std::string_view db_path, std::string_view key);
  static Result<Value> Decode(std::string_view bytes);
  static Result<std::string> Encode(const Value& value, const StoreFormat& format);
};

// Both are instantiated in versioned_store.cc.
extern template class VersionedStore<ManifestKind>;
extern template class VersionedStore<CompactionsKind>;

using ManifestStore = VersionedStore<ManifestKind>;
using CompactionsStore = VersionedStore<CompactionsKind>;

}  // namespace slatedb::manifest
