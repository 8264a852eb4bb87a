// manifest/manifest_store.h — reading and creating manifest and `.compactions` versions in the
// object store (docs/format.md §4, §7.1, §9, §12.1).
//
// What: `ManifestStore` maps manifest ids to objects `<db>/manifest/<id:020>.manifest`:
// `List` (ids ascending, with last-modified), `ReadLatest` (LIST, take the highest id, GET; if
// that object vanished — a concurrent GC — re-list), `Read(id)`, and `WriteNew(id, manifest)`,
// a create-if-absent PUT: the only way a manifest version is ever written, so two writers racing
// for the same id cannot both win. `CompactionsStore` does the same for `.compactions`.
// Thread safety: both classes are thread-safe (no mutable state besides the shared store).
// Ownership: they share the ObjectStore (`std::shared_ptr`).
// Errors: kAlreadyExists from WriteNew when the id is taken (lost the race); kNotFound from Read
// for a missing id; kData "<object key>: manifest: ..." for an object that fails to decode;
// other object-store errors (kUnavailable, kPermissionDenied, ...) pass through with the key.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "format/compactions_codec.h"
#include "format/manifest.h"
#include "slatedb/object_store.h"
#include "slatedb/status.h"

namespace slatedb::manifest {

// One listed version of a manifest or `.compactions` object.
struct VersionInfo {
  uint64_t id = 0;
  std::string key;
  int64_t last_modified_ms = 0;
  uint64_t size = 0;
};

// A manifest together with its id (= its object name).
struct VersionedManifest {
  uint64_t id = 0;
  format::Manifest manifest;
};

struct VersionedCompactions {
  uint64_t id = 0;
  format::Compactions compactions;
};

class ManifestStore {
 public:
  ManifestStore(std::shared_ptr<ObjectStore> store, std::string db_path);

  const std::string& db_path() const { return db_path_; }
  const std::shared_ptr<ObjectStore>& object_store() const { return store_; }

  // Every manifest version, ascending by id (names that are not `<digits>.manifest` are
  // ignored).
  Result<std::vector<VersionInfo>> List() const;
  // The highest-id manifest, or std::nullopt when the database has none.
  Result<std::optional<VersionedManifest>> ReadLatest() const;
  Result<format::Manifest> Read(uint64_t id) const;
  // Creates version `id`; kAlreadyExists if it exists.
  Status WriteNew(uint64_t id, const format::Manifest& manifest) const;
  // Deletes version `id` (for the garbage collector); deleting a missing one is OK.
  Status Delete(uint64_t id) const;

 private:
  std::shared_ptr<ObjectStore> store_;
  std::string db_path_;
};

class CompactionsStore {
 public:
  CompactionsStore(std::shared_ptr<ObjectStore> store, std::string db_path);

  Result<std::vector<VersionInfo>> List() const;
  Result<std::optional<VersionedCompactions>> ReadLatest() const;
  Result<format::Compactions> Read(uint64_t id) const;
  Status WriteNew(uint64_t id, const format::Compactions& compactions) const;
  Status Delete(uint64_t id) const;

 private:
  std::shared_ptr<ObjectStore> store_;
  std::string db_path_;
};

}  // namespace slatedb::manifest
