// manifest/manifest_store.h — reading and creating manifest and `.compactions` versions in the
// object store (docs/format.md §4, §7.1, §9, §12.1).
//
// What: `ManifestStore` maps manifest ids to objects `<db>/manifest/<id:020>.manifest`:
// `List` (ids ascending, with last-modified), `ReadLatest` (LIST, take the highest id, GET; if
// that object vanished — a concurrent GC — re-list), `Read(id)`, and `WriteNew(id, manifest)`,
// a create-if-absent PUT: the only way a manifest version is ever written, so two writers racing
// for the same id cannot both win. `CompactionsStore` does the same for `.compactions`.
// Every successful create is then checked against the GC boundary object (`gc/manifest.boundary`
// resp. `gc/compactions.boundary`, RFC-0026): an id at or below the boundary was fenced by a
// garbage collector (it may have deleted that id while we stalled), so the create counts as a
// lost race. `AdvanceBoundary` is the collector's side: raise the boundary, never lower it.
// Cached probing (SlateDB RFC-0032): a ManifestStore remembers the newest version it has read or
// created (id N and its contents). `ReadLatest` then GETs N+1, N+2, … instead of listing: the
// first missing id ends the probe (N, or the last hit, is the latest — ids are contiguous), so
// an unchanged database costs one GET that misses; after kMaxManifestProbeHits consecutive hits
// (a reader far behind) it falls back to the LIST path, as does the first read (empty cache).
// A miss proves nothing once a garbage collector may have deleted N+1 (it deletes versions
// older than its min_age that are not the latest), so probing is trusted only for
// kManifestProbeTrust after the cached version was last confirmed to be the latest — by a LIST
// or by our own create of it — on the store's clock; after that the next read LISTs again (and
// skips the GET when the highest listed id is the cached one). Components that share one
// ManifestStore instance share its cache.
// `StoreFormat` says which format versions are written (compatibility "0.17" → manifest 2 /
// `.compactions` 2; "0.12" → manifest 2 / `.compactions` 1, since SlateDB 0.12.1 reads manifest
// version 2 but not `.compactions` version 2); every version is read.
// Thread safety: both classes are thread-safe (ManifestStore's cache is guarded by its own
// mutex, never held across object-store I/O).
// Ownership: they share the ObjectStore (`std::shared_ptr`).
// Errors: kAlreadyExists from WriteNew when the id is taken (lost the race) or is at or below the
// GC boundary ("... is at or below the GC boundary B"); kInvalid from WriteNew when the object
// cannot be encoded at the configured version; kData for a boundary object that is not a
// decimal number; kNotFound from Read
// for a missing id; kData "<object key>: manifest: ..." for an object that fails to decode;
// other object-store errors (kUnavailable, kPermissionDenied, ...) pass through with the key.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "format/compactions_codec.h"
#include "format/manifest.h"
#include "format/manifest_codec.h"
#include "slatedb/object_store.h"
#include "slatedb/status.h"
#include "util/clock.h"
#include "util/mutex.h"

namespace slatedb::manifest {

// ReadLatest's probing ends in a LIST after this many consecutive successful GETs.
inline constexpr int kMaxManifestProbeHits = 4;
// How long a cached latest version is probed from before a LIST confirms it again.
inline constexpr std::chrono::seconds kManifestProbeTrust{10};

// Which format versions the stores write.
struct StoreFormat {
  uint16_t manifest_version = format::kManifestFormatVersionV2;
  uint16_t compactions_version = format::kCompactionsFormatVersionV2;
  bool operator==(const StoreFormat&) const = default;
};
// The versions a `Settings::compatibility` value asks for: "0.12" → {2, 1}; anything else (the
// validated default "0.17") → {2, 2}.
StoreFormat StoreFormatFor(std::string_view compatibility);

// The current GC boundary at `key` (0 when the object does not exist).
Result<uint64_t> ReadBoundary(ObjectStore& store, const std::string& key);
// Raises the boundary at `key` to at least `boundary`: create-if-absent when missing, else
// conditional overwrite on the etag read (retried on conflict). Never lowers it.
Status AdvanceBoundary(ObjectStore& store, const std::string& key, uint64_t boundary);

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
  // `clock` (null = the system clock) times kManifestProbeTrust.
  ManifestStore(std::shared_ptr<ObjectStore> store, std::string db_path, StoreFormat format = {},
                std::shared_ptr<util::Clock> clock = nullptr);

  const std::string& db_path() const { return db_path_; }
  const std::shared_ptr<ObjectStore>& object_store() const { return store_; }
  const StoreFormat& format() const { return format_; }

  // Every manifest version, ascending by id (names that are not `<digits>.manifest` are
  // ignored).
  Result<std::vector<VersionInfo>> List() const;
  // The highest-id manifest, or std::nullopt when the database has none. Probes from the cached
  // version when there is one (see above), else LISTs.
  Result<std::optional<VersionedManifest>> ReadLatest() const EXCLUDES(cache_mu_);
  // Forgets the cached version: the next ReadLatest LISTs.
  void InvalidateCache() const EXCLUDES(cache_mu_);
  Result<format::Manifest> Read(uint64_t id) const;
  // Creates version `id`; kAlreadyExists if it exists or is at or below the GC boundary.
  // On success the version is cached (write-through), so the next ReadLatest probes id + 1.
  Status WriteNew(uint64_t id, const format::Manifest& manifest) const EXCLUDES(cache_mu_);
  // Deletes version `id` (for the garbage collector); deleting a missing one is OK.
  Status Delete(uint64_t id) const EXCLUDES(cache_mu_);
  // `gc/manifest.boundary` (0 when absent), and raising it (the garbage collector only).
  Result<uint64_t> Boundary() const;
  Status AdvanceBoundary(uint64_t boundary) const;

 private:
  struct Cached {
    uint64_t id = 0;
    std::shared_ptr<const format::Manifest> manifest;
    // When `id` was last known to be the latest (a LIST, or our own create).
    std::chrono::steady_clock::time_point confirmed;
  };
  // Replaces the cache only with a higher id (concurrent readers never move it backwards); a
  // probe hit keeps the confirmation time of what it replaces, a LIST or create sets `now`.
  void MaybeCache(uint64_t id, std::shared_ptr<const format::Manifest> manifest,
                  std::optional<std::chrono::steady_clock::time_point> confirmed) const
      EXCLUDES(cache_mu_);

  std::shared_ptr<ObjectStore> store_;
  std::string db_path_;
  StoreFormat format_;
  std::shared_ptr<util::Clock> clock_;
  mutable util::Mutex cache_mu_;
  mutable std::optional<Cached> cache_ GUARDED_BY(cache_mu_);
};

class CompactionsStore {
 public:
  CompactionsStore(std::shared_ptr<ObjectStore> store, std::string db_path,
                   StoreFormat format = {});

  const StoreFormat& format() const { return format_; }
  Result<std::vector<VersionInfo>> List() const;
  Result<std::optional<VersionedCompactions>> ReadLatest() const;
  Result<format::Compactions> Read(uint64_t id) const;
  Status WriteNew(uint64_t id, const format::Compactions& compactions) const;
  Status Delete(uint64_t id) const;
  // `gc/compactions.boundary` (0 when absent), and raising it (the garbage collector only).
  Result<uint64_t> Boundary() const;
  Status AdvanceBoundary(uint64_t boundary) const;

 private:
  std::shared_ptr<ObjectStore> store_;
  std::string db_path_;
  StoreFormat format_;
};

}  // namespace slatedb::manifest
