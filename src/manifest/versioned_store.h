// manifest/versioned_store.h — one store for numbered, create-if-absent versions in the object
// store: manifests and `.compactions` (docs/format.md §4, §7.1, §9, §12.1; SlateDB's
// slatedb-txn-obj shape).
//
// What: `VersionedStore<Kind>` maps ids to objects `<db>/<dir>/<id:020>.<ext>` (the names, codec
// and written format version come from `Kind`, see manifest_store.h for the two kinds):
// `List` (ids ascending, with last-modified), `ReadLatest`, `Read(id)`, `WriteNew(id, value)`, a
// create-if-absent PUT — the only way a version is ever written, so two writers racing for one
// id cannot both win — `Delete`, and `Update`, the one compare-and-swap loop every caller uses:
// apply a mutator to a copy of the latest version, create id + 1, and on a lost race re-read the
// latest and re-apply (bounded by attempts and/or a timeout). Checks that must hold for every
// version a change is applied to (epoch fencing) are the `check` hook of that loop.
// Every successful create is then checked against the GC boundary object (`Kind::BoundaryPath`,
// RFC-0026): an id at or below the boundary was fenced by a garbage collector (it may have
// deleted that id while we stalled), so the create counts as a lost race. `AdvanceBoundary` is the
// collector's side: raise the boundary, never lower it.
// A lost reply of the create (kUnavailable) is resolved by HEAD: our put-id (and bytes) on the
// object → success (so `Update` never applies its change on top of itself); another writer's →
// kAlreadyExists; absent → the kUnavailable.
// Cached probing (SlateDB RFC-0032): a store remembers the newest version it has read or created
// (id N and its contents). `ReadLatest` then GETs N+1, N+2, … instead of listing: the first
// missing id ends the probe (N, or the last hit, is the latest — ids are contiguous), so an
// unchanged database costs one GET that misses; after kMaxManifestProbeHits consecutive hits (a
// reader far behind) it falls back to the LIST path, as does the first read (empty cache).
// A miss proves nothing once a garbage collector may have deleted N+1 (it deletes versions older
// than its min_age that are not the latest), so probing is trusted only for kManifestProbeTrust
// after the cached version was last confirmed to be the latest — by a LIST or by our own create
// of it — on the store's clock; after that the next read LISTs again (and skips the GET when the
// highest listed id is the cached one). Components that share one store instance share its
// cache. If the newest listed object vanished before its GET (a concurrent GC), it re-lists.
// Thread safety: thread-safe (the cache is guarded by its own mutex, never held across
// object-store I/O). `Update` itself is safe to call concurrently; the `Versioned*` it is given
// and the hooks belong to the caller.
// Ownership: shares the ObjectStore and the Clock (`std::shared_ptr`).
// Errors: kAlreadyExists from WriteNew when the id is taken (lost the race) or is at or below the
// GC boundary ("... is at or below the GC boundary B"); kInvalid from WriteNew when the value
// cannot be encoded at the configured version; kData for a boundary object that is not a decimal
// number; kNotFound from Read for a missing id; kData "<object key>: <kind>: ..." for an object
// that fails to decode; from Update: a hook's or mutator's own status unchanged (nothing
// written), kUnavailable when it ran out of attempts or time, kData when the versions vanished or
// went back while it ran; other object-store errors (kUnavailable, kPermissionDenied, ...) pass
// through with the key.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "format/compactions_codec.h"
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

// `Kind` supplies (see ManifestKind / CompactionsKind in manifest_store.h):
//   using Value;      the decoded object
//   using Versioned;  an aggregate {uint64_t id; Value <member>;}, with
//   static constexpr Value Versioned::* kValue;  that member
//   static constexpr const char* kName;          "manifest" / "compactions" (messages)
//   static std::string Dir(db), Path(db, id), BoundaryPath(db);
//   static std::optional<uint64_t> ListedId(db, listed_key);  // direct children, exact names
//   static Result<Value> Decode(bytes);
//   static Result<std::string> Encode(const Value&, const StoreFormat&);
template <typename Kind>
class VersionedStore {
 public:
  using Value = typename Kind::Value;
  using Versioned = typename Kind::Versioned;
  // Changes a copy of the version `Update` is based on. Called once per attempt, each time on a
  // fresh copy of the latest version; must be repeatable. A non-OK return aborts the update.
  using Mutator = std::function<Status(Value&)>;

  struct UpdateOptions {
    // Give up after this many lost races (0 = no limit).
    int max_attempts = 0;
    // Give up after this long (no value = no limit), on `clock` (null = the store's clock).
    std::optional<std::chrono::milliseconds> timeout;
    std::shared_ptr<util::Clock> clock;
    // Run on every version before the mutator is applied to it (the one passed in and each one
    // re-read after a lost race, which is adopted into `*current` first): the fencing hook. A
    // non-OK return aborts the update with that status, nothing written.
    std::function<Status(const Versioned&)> check;
    // The value version 1 starts from when there is no version at all (`Update` without a
    // `current` only); null = kInvalid "no <kind> at '<db>'". A non-OK return aborts.
    std::function<Result<Value>()> initial;
  };

  // `clock` (null = the system clock) times kManifestProbeTrust and, by default, Update.
  VersionedStore(std::shared_ptr<ObjectStore> store, std::string db_path, StoreFormat format = {},
                 std::shared_ptr<util::Clock> clock = nullptr);

  const std::string& db_path() const { return db_path_; }
  const std::shared_ptr<ObjectStore>& object_store() const { return store_; }
  const StoreFormat& format() const { return format_; }

  // Every version, ascending by id (names that are not exactly ours are ignored).
  Result<std::vector<VersionInfo>> List() const;
  // The highest-id version, or std::nullopt when there is none. Probes from the cached version
  // when there is one (see above), else LISTs.
  Result<std::optional<Versioned>> ReadLatest() const EXCLUDES(cache_mu_);
  // ReadLatest for a caller that already knows version `known_id`: kData when there is no version
  // any more or the latest is below `known_id`.
  Result<Versioned> ReadLatestSince(uint64_t known_id) const EXCLUDES(cache_mu_);
  // Forgets the cached version: the next ReadLatest LISTs.
  void InvalidateCache() const EXCLUDES(cache_mu_);
  Result<Value> Read(uint64_t id) const;
  // Creates version `id`; kAlreadyExists if it exists or is at or below the GC boundary.
  // On success the version is cached (write-through), so the next ReadLatest probes id + 1.
  Status WriteNew(uint64_t id, const Value& value) const EXCLUDES(cache_mu_);
  // Deletes version `id` (for the garbage collector); deleting a missing one is OK.
  Status Delete(uint64_t id) const EXCLUDES(cache_mu_);
  // The GC boundary (0 when absent), and raising it (the garbage collector only).
  Result<uint64_t> Boundary() const;
  Status AdvanceBoundary(uint64_t boundary) const;

  // The CAS loop, based on `*current` (the caller's newest known version; id 0 = none exists, so
  // version 1 is created): check(*current), mutate a copy, create current->id + 1; on success
  // `*current` is the version written; on a lost race the latest version is re-read into
  // `*current` (ReadLatestSince) and the loop repeats, until the attempts or the time run out.
  Status Update(Versioned* current, const Mutator& mutator, const UpdateOptions& options) const
      EXCLUDES(cache_mu_);
  // The same, based on the latest version read first (`options.initial` when there is none).
  // Returns the version written.
  Result<Versioned> Update(const Mutator& mutator, const UpdateOptions& options = {}) const
      EXCLUDES(cache_mu_);

 private:
  struct Cached {
    uint64_t id = 0;
    std::shared_ptr<const Value> value;
    // When `id` was last known to be the latest (a LIST, or our own create).
    std::chrono::steady_clock::time_point confirmed;
  };
  // Replaces the cache only with a higher id (concurrent readers never move it backwards); a
  // probe hit keeps the confirmation time of what it replaces, a LIST or create sets `now`.
  void MaybeCache(uint64_t id, std::shared_ptr<const Value> value,
                  std::optional<std::chrono::steady_clock::time_point> confirmed) const
      EXCLUDES(cache_mu_);
  Result<Value> Decode(const std::string& bytes, const std::string& key) const;
  static Versioned Make(uint64_t id, Value value);

  std::shared_ptr<ObjectStore> store_;
  std::string db_path_;
  StoreFormat format_;
  std::shared_ptr<util::Clock> clock_;
  mutable util::Mutex cache_mu_;
  mutable std::optional<Cached> cache_ GUARDED_BY(cache_mu_);
};

}  // namespace slatedb::manifest
