// manifest/stored_manifest.h — the manifest update protocol: compare-and-swap by
// create-if-absent, and epoch fencing of writers and compactors (docs/design.md §9; docs/format.md
// §12.1-§12.3, §12.5).
//
// Overview:
//   * `StoredManifest` holds the newest manifest version it knows (id N + contents). `Update`
//     applies a mutator to a copy and tries to create version N+1; when another party created
//     N+1 first (kAlreadyExists) it re-reads the latest version, re-applies the mutator to it and
//     tries again, until `ManifestUpdateOptions::timeout` (SlateDB's manifest_update_timeout,
//     300 s) has passed. A successful Update therefore applies the change exactly once, on top of
//     every change that won before it; ids stay contiguous.
//   * `FenceableManifest` is a StoredManifest owned by a writer or a compactor. `Init` bumps the
//     role's epoch (writer_epoch or compactor_epoch) through the update loop and remembers it;
//     every later Refresh / Update checks the stored epoch and fails with
//     Status::Fenced("detected newer writer (epoch N > M)") once a newer party has taken over.
//   * `MergeCompactorState` is the rule a writer applies to its own view when a compactor wrote
//     a newer manifest (docs/format.md §12.2).
// Opening: `StoredManifest::Load` (readers; an empty path is "no database at <path>") and
// `StoredManifest::LoadOrCreate` (writers; creates version 1 = Manifest::NewEmpty() if none).
//
// Thread safety: StoredManifest and FenceableManifest are not thread-safe (one owner each);
// several of them, in any threads or processes, may update the same database concurrently.
// Ownership: they share the ManifestStore (and through it the ObjectStore) and the Clock.
// Errors: kInvalid "no database at <path>" (Load on an empty path); Closed(kFenced) when fenced;
// kUnavailable when the update loop times out; a mutator's own non-OK status aborts the update
// and is returned unchanged; kData for a corrupt manifest (message names the object); other
// object-store errors pass through.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "format/manifest.h"
#include "manifest/manifest_store.h"
#include "slatedb/status.h"
#include "util/clock.h"

namespace slatedb::manifest {

struct ManifestUpdateOptions {
  // Give up retrying lost CAS races after this long (SlateDB manifest_update_timeout).
  std::chrono::milliseconds timeout = std::chrono::minutes(5);
  // Source of time for the timeout; null = util::SystemClock::Default().
  std::shared_ptr<util::Clock> clock;
};

// Changes a manifest in place. Called once per attempt, each time on a fresh copy of the latest
// version; must not have side effects that cannot be repeated. A non-OK return aborts the update.
using ManifestMutator = std::function<Status(format::Manifest&)>;

class StoredManifest {
 public:
  // Reads the latest version. kInvalid "no database at <path>" if the path has no manifest.
  static Result<StoredManifest> Load(std::shared_ptr<ManifestStore> store,
                                     ManifestUpdateOptions options = {});
  // Reads the latest version, creating version 1 (= `initial`) first when there is none.
  static Result<StoredManifest> LoadOrCreate(
      std::shared_ptr<ManifestStore> store, ManifestUpdateOptions options = {},
      const format::Manifest& initial = format::Manifest::NewEmpty());

  uint64_t id() const { return current_.id; }
  const format::Manifest& manifest() const { return current_.manifest; }
  const std::shared_ptr<ManifestStore>& store() const { return store_; }

  // Re-reads the latest version.
  Status Refresh();
  // The CAS loop described above (ManifestStore::Update). On success id() is the new version.
  Status Update(const ManifestMutator& mutator);

 private:
  friend class FenceableManifest;
  StoredManifest(std::shared_ptr<ManifestStore> store, ManifestUpdateOptions options, uint64_t id,
                 format::Manifest manifest);
  // Update with a check run on every version before a mutation is applied to it.
  Status UpdateChecked(const ManifestMutator& mutator,
                       const std::function<Status(const format::Manifest&)>& check);

  std::shared_ptr<ManifestStore> store_;
  ManifestUpdateOptions options_;
  VersionedManifest current_;
};

enum class FenceRole { kWriter, kCompactor };

class FenceableManifest {
 public:
  // Bumps the role's epoch (plus `extra`, if given, in the same version) and returns the fenced
  // handle. Fails with Fenced if a newer party bumps the epoch between our read and our write
  // and then keeps winning — in practice it simply retries on the newer version.
  static Result<FenceableManifest> Init(StoredManifest stored, FenceRole role,
                                        const ManifestMutator& extra = nullptr);

  // Writer open (docs/format.md §12.3 steps 1 and 3): creates manifest 1 if the path has none, then
  // bumps writer_epoch.
  static Result<FenceableManifest> OpenWriter(std::shared_ptr<ManifestStore> store,
                                              ManifestUpdateOptions options = {});
  // Compactor start (docs/format.md §12.7): the database must exist (kInvalid otherwise); bumps
  // compactor_epoch.
  static Result<FenceableManifest> OpenCompactor(std::shared_ptr<ManifestStore> store,
                                                 ManifestUpdateOptions options = {});

  FenceRole role() const { return role_; }
  uint64_t epoch() const { return epoch_; }
  uint64_t id() const { return stored_.id(); }
  const format::Manifest& manifest() const { return stored_.manifest(); }
  const std::shared_ptr<ManifestStore>& store() const { return stored_.store(); }

  // Re-reads the latest version; Fenced if its epoch for our role is above ours.
  Status Refresh();
  // StoredManifest::Update, failing with Fenced (and writing nothing) once fenced.
  Status Update(const ManifestMutator& mutator);

 private:
  FenceableManifest(StoredManifest stored, FenceRole role, uint64_t epoch)
      : stored_(std::move(stored)), role_(role), epoch_(epoch) {}
  Status CheckEpoch(const format::Manifest& m) const;

  StoredManifest stored_;
  FenceRole role_;
  uint64_t epoch_;
};

// The stored epoch of `role` in `m`.
uint64_t EpochOf(const format::Manifest& m, FenceRole role);

// A writer's view merged with a newer manifest written by the compactor (docs/format.md §12.2):
// `compacted`, `checkpoints`, `l0_last_compacted` and `compactor_epoch` come from `stored`;
// everything else from `local`, except that local `l0` is cut just before the entry whose id equals
// stored.l0_last_compacted (that entry and all older ones were compacted). If that id is not in
// the local l0 list, l0 is kept as is.
format::Manifest MergeCompactorState(const format::Manifest& local, const format::Manifest& stored);

}  // namespace slatedb::manifest
