#include "manifest/manifest_store.h"

#include <algorithm>
#include <functional>
#include <utility>

#include "format/boundary.h"
#include "format/manifest_codec.h"
#include "manifest/paths.h"
#include "object_store/retrying_object_store.h"
#include "util/log.h"

namespace slatedb::manifest {
namespace {

// How often ReadLatest re-lists when the newest listed object disappears before the GET.
constexpr int kMaxRelists = 16;

// (db_path, listed key) → id for our own objects only (manifest/paths.h Listed*).
using IdParser = std::optional<uint64_t> (*)(std::string_view, std::string_view);

Result<std::vector<VersionInfo>> ListVersions(ObjectStore& store, const std::string& db_path,
                                              const std::string& dir, IdParser parse) {
  auto listed = store.List(dir);
  if (!listed.ok()) return listed.status().WithContext("list " + dir);
  std::vector<VersionInfo> out;
  for (const ObjectMeta& meta : *listed) {
    // Only direct children named exactly like our versions count (docs/format.md §4.2); others are
    // ignored.
    auto id = parse(db_path, meta.key);
    if (!id) continue;
    out.push_back(VersionInfo{*id, meta.key, meta.last_modified_ms, meta.size});
  }
  std::sort(out.begin(), out.end(),
            [](const VersionInfo& a, const VersionInfo& b) { return a.id < b.id; });
  return out;
}

// Reads the highest-id object in `dir`: {id, bytes}, or nullopt when there is none.
Result<std::optional<std::pair<uint64_t, std::string>>> ReadLatestRaw(ObjectStore& store,
                                                                      const std::string& db_path,
                                                                      const std::string& dir,
                                                                      IdParser parse) {
  for (int attempt = 0; attempt < kMaxRelists; ++attempt) {
    ASSIGN_OR_RETURN(std::vector<VersionInfo> versions, ListVersions(store, db_path, dir, parse));
    if (versions.empty()) return std::optional<std::pair<uint64_t, std::string>>();
    const VersionInfo& latest = versions.back();
    auto bytes = store.Get(latest.key);
    if (bytes.ok()) {
      return std::optional<std::pair<uint64_t, std::string>>(
          std::make_pair(latest.id, std::move(bytes).value()));
    }
    if (!bytes.status().IsNotFound()) return bytes.status().WithContext("get " + latest.key);
    // Deleted between LIST and GET (garbage collection): list again.
  }
  return Status::Unavailable("list " + dir + ": the newest object kept vanishing after " +
                             std::to_string(kMaxRelists) + " listings");
}

Result<std::string> ReadRaw(ObjectStore& store, const std::string& key, const char* what) {
  auto bytes = store.Get(key);
  if (bytes.ok()) return bytes;
  if (bytes.status().IsNotFound()) {
    return Status::NotFound(std::string(what) + " " + key + " does not exist");
  }
  return bytes.status().WithContext("get " + key);
}

// Create-if-absent tagged with our own put-id. When the reply is lost (kUnavailable, also
// after a retrying store gave up), the object is HEADed: if it carries our put-id the write
// landed and this is success — so a CAS loop never re-applies its change on top of a version
// that already holds it. Absent: kUnavailable (did not land; retry). Someone else's:
// kAlreadyExists (lost the race).
Status WriteRaw(ObjectStore& store, const std::string& key, const std::string& bytes) {
  ObjectPutOptions options;
  const std::string put_id = NewPutId();
  options.metadata[kPutIdMetadata] = put_id;
  auto put = store.PutIfAbsent(key, bytes, options);
  if (put.ok()) return Status::OK();
  if (put.status().IsAlreadyExists()) return Status::AlreadyExists(key + " already exists");
  if (!put.status().IsUnavailable()) return put.status().WithContext("create " + key);
  Result<PutOwner> owner = OwnerOfConditionalPut(store, key, put_id, bytes);
  if (owner.ok() && *owner == PutOwner::kOurs) {
    util::Log().Info("slatedb: {} landed although its reply was lost ({})", key,
                     put.status().message());
    return Status::OK();
  }
  if (owner.ok() && *owner == PutOwner::kTheirs) {
    return Status::AlreadyExists(key + " already exists");
  }
  return put.status().WithContext("create " + key);
}

// WriteRaw, then the RFC-0026 check: a version created at or below the GC boundary was fenced
// (the collector may have deleted that id while we stalled), so it counts as a lost race.
Status CreateChecked(ObjectStore& store, const std::string& key, uint64_t id,
                     const std::string& bytes, const std::string& boundary_key) {
  RETURN_IF_ERROR(WriteRaw(store, key, bytes));
  ASSIGN_OR_RETURN(const uint64_t boundary, ReadBoundary(store, boundary_key));
  if (id <= boundary) {
    return Status::AlreadyExists(key + " is at or below the GC boundary " +
                                 std::to_string(boundary) + " (" + boundary_key +
                                 "): lost the race to a garbage collector");
  }
  return Status::OK();
}

template <typename T>
Result<T> WithKey(Result<T> decoded, const std::string& key) {
  if (decoded.ok()) return decoded;
  return decoded.status().WithContext(key);
}

}  // namespace

StoreFormat StoreFormatFor(std::string_view compatibility) {
  // SlateDB 0.12.1 reads manifest version 2 (tested against the peer: manifest_peer_compat_test,
  // compat_test) but rejects `.compactions` version 2, so only the latter steps back.
  if (compatibility == "0.12") {
    return StoreFormat{format::kManifestFormatVersionV2, format::kCompactionsFormatVersionV1};
  }
  return StoreFormat{};
}

Result<uint64_t> ReadBoundary(ObjectStore& store, const std::string& key) {
  auto bytes = store.Get(key);
  if (bytes.status().IsNotFound()) return uint64_t{0};
  if (!bytes.ok()) return bytes.status().WithContext("get " + key);
  return WithKey(format::DecodeBoundary(*bytes), key);
}

Status AdvanceBoundary(ObjectStore& store, const std::string& key, uint64_t boundary) {
  // Bounded: each round loses only to another collector that raised the boundary meanwhile.
  constexpr int kMaxRounds = 64;
  for (int round = 0; round < kMaxRounds; ++round) {
    // HEAD before GET: if the object changes in between, the etag is the older one and the
    // conditional PUT below fails and retries — never a PUT over a value we did not see.
    auto meta = store.Head(key);
    if (!meta.ok() && !meta.status().IsNotFound()) return meta.status().WithContext("head " + key);
    const std::string bytes = format::EncodeBoundary(boundary);
    Status put;
    if (meta.ok()) {
      ASSIGN_OR_RETURN(const uint64_t current, ReadBoundary(store, key));
      if (current >= boundary) return Status::OK();
      put = store.PutIfMatch(key, bytes, meta->etag).status();
    } else {
      put = store.PutIfAbsent(key, bytes).status();
    }
    if (put.ok()) return Status::OK();
    if (!put.IsAlreadyExists() && !put.IsPreconditionFailed()) {
      return put.WithContext("advance " + key);
    }
  }
  return Status::Unavailable("advance " + key + " to " + std::to_string(boundary) + ": lost " +
                             std::to_string(kMaxRounds) + " conditional writes");
}

ManifestStore::ManifestStore(std::shared_ptr<ObjectStore> store, std::string db_path,
                             StoreFormat format, std::shared_ptr<util::Clock> clock)
    : store_(std::move(store)),
      db_path_(std::move(db_path)),
      format_(format),
      clock_(clock ? std::move(clock) : util::SystemClock::Default()) {}

Result<std::vector<VersionInfo>> ManifestStore::List() const {
  return ListVersions(*store_, db_path_, ManifestDir(db_path_), &ListedManifestId);
}

Result<std::optional<VersionedManifest>> ManifestStore::ReadLatest() const {
  std::optional<Cached> start;
  {
    util::MutexLock lock(&cache_mu_);
    start = cache_;
  }
  const auto now = clock_->SteadyNow();
  if (start && now - start->confirmed < kManifestProbeTrust) {
    // Warm: probe the successors of the cached version (no lock held across the GETs).
    uint64_t id = start->id;
    std::shared_ptr<const format::Manifest> latest = start->manifest;
    for (int hits = 0; hits < kMaxManifestProbeHits; ++hits) {
      const std::string key = ManifestPath(db_path_, id + 1);
      auto bytes = store_->Get(key);
      if (!bytes.ok()) {
        if (!bytes.status().IsNotFound()) return bytes.status().WithContext("get " + key);
        return std::optional<VersionedManifest>(VersionedManifest{id, *latest});
      }
      ASSIGN_OR_RETURN(format::Manifest m, WithKey(format::DecodeManifest(*bytes), key));
      ++id;
      latest = std::make_shared<const format::Manifest>(std::move(m));
      MaybeCache(id, latest, std::nullopt);
    }
    // Far behind: catch up with a LIST instead of reading every version in between.
  } else if (start) {
    // Trusted too long: confirm with a LIST; unchanged, the cached contents need no GET.
    ASSIGN_OR_RETURN(std::vector<VersionInfo> versions, List());
    if (!versions.empty() && versions.back().id == start->id) {
      MaybeCache(start->id, start->manifest, now);
      return std::optional<VersionedManifest>(VersionedManifest{start->id, *start->manifest});
    }
    if (!versions.empty()) {
      const VersionInfo& newest = versions.back();
      auto bytes = store_->Get(newest.key);
      if (bytes.ok()) {
        ASSIGN_OR_RETURN(format::Manifest m, WithKey(format::DecodeManifest(*bytes), newest.key));
        MaybeCache(newest.id, std::make_shared<const format::Manifest>(m), now);
        return std::optional<VersionedManifest>(VersionedManifest{newest.id, std::move(m)});
      }
      if (!bytes.status().IsNotFound()) return bytes.status().WithContext("get " + newest.key);
      // Deleted since the LIST: the path below lists again.
    }
  }
  ASSIGN_OR_RETURN(auto raw,
                   ReadLatestRaw(*store_, db_path_, ManifestDir(db_path_), &ListedManifestId));
  if (!raw) return std::optional<VersionedManifest>();
  ASSIGN_OR_RETURN(format::Manifest m, WithKey(format::DecodeManifest(raw->second),
                                               ManifestPath(db_path_, raw->first)));
  MaybeCache(raw->first, std::make_shared<const format::Manifest>(m), now);
  return std::optional<VersionedManifest>(VersionedManifest{raw->first, std::move(m)});
}

void ManifestStore::InvalidateCache() const {
  util::MutexLock lock(&cache_mu_);
  cache_.reset();
}

void ManifestStore::MaybeCache(
    uint64_t id, std::shared_ptr<const format::Manifest> manifest,
    std::optional<std::chrono::steady_clock::time_point> confirmed) const {
  util::MutexLock lock(&cache_mu_);
  if (cache_ && id < cache_->id) return;
  if (cache_ && id == cache_->id) {
    if (confirmed) cache_->confirmed = std::max(cache_->confirmed, *confirmed);
    return;
  }
  const auto when = confirmed ? *confirmed
                    : cache_  ? cache_->confirmed
                              : std::chrono::steady_clock::time_point();
  cache_ = Cached{id, std::move(manifest), when};
}

Result<format::Manifest> ManifestStore::Read(uint64_t id) const {
  const std::string key = ManifestPath(db_path_, id);
  ASSIGN_OR_RETURN(std::string bytes, ReadRaw(*store_, key, "manifest"));
  return WithKey(format::DecodeManifest(bytes), key);
}

Status ManifestStore::WriteNew(uint64_t id, const format::Manifest& manifest) const {
  const std::string key = ManifestPath(db_path_, id);
  ASSIGN_OR_RETURN(std::string bytes,
                   WithKey(format::EncodeManifest(manifest, format_.manifest_version), key));
  RETURN_IF_ERROR(CreateChecked(*store_, key, id, bytes, ManifestBoundaryPath(db_path_)));
  MaybeCache(id, std::make_shared<const format::Manifest>(manifest), clock_->SteadyNow());
  return Status::OK();
}

Status ManifestStore::Delete(uint64_t id) const {
  RETURN_IF_ERROR(store_->Delete(ManifestPath(db_path_, id)));
  util::MutexLock lock(&cache_mu_);
  if (cache_ && cache_->id == id) cache_.reset();
  return Status::OK();
}

Result<uint64_t> ManifestStore::Boundary() const {
  return ReadBoundary(*store_, ManifestBoundaryPath(db_path_));
}

Status ManifestStore::AdvanceBoundary(uint64_t boundary) const {
  return manifest::AdvanceBoundary(*store_, ManifestBoundaryPath(db_path_), boundary);
}

CompactionsStore::CompactionsStore(std::shared_ptr<ObjectStore> store, std::string db_path,
                                   StoreFormat format)
    : store_(std::move(store)), db_path_(std::move(db_path)), format_(format) {}

Result<std::vector<VersionInfo>> CompactionsStore::List() const {
  return ListVersions(*store_, db_path_, CompactionsDir(db_path_), &ListedCompactionsId);
}

Result<std::optional<VersionedCompactions>> CompactionsStore::ReadLatest() const {
  ASSIGN_OR_RETURN(
      auto raw, ReadLatestRaw(*store_, db_path_, CompactionsDir(db_path_), &ListedCompactionsId));
  if (!raw) return std::optional<VersionedCompactions>();
  ASSIGN_OR_RETURN(format::Compactions c, WithKey(format::DecodeCompactions(raw->second),
                                                  CompactionsPath(db_path_, raw->first)));
  return std::optional<VersionedCompactions>(VersionedCompactions{raw->first, std::move(c)});
}

Result<format::Compactions> CompactionsStore::Read(uint64_t id) const {
  const std::string key = CompactionsPath(db_path_, id);
  ASSIGN_OR_RETURN(std::string bytes, ReadRaw(*store_, key, "compactions"));
  return WithKey(format::DecodeCompactions(bytes), key);
}

Status CompactionsStore::WriteNew(uint64_t id, const format::Compactions& compactions) const {
  const std::string key = CompactionsPath(db_path_, id);
  ASSIGN_OR_RETURN(
      std::string bytes,
      WithKey(format::EncodeCompactions(compactions, format_.compactions_version), key));
  return CreateChecked(*store_, key, id, bytes, CompactionsBoundaryPath(db_path_));
}

Status CompactionsStore::Delete(uint64_t id) const {
  return store_->Delete(CompactionsPath(db_path_, id));
}

Result<uint64_t> CompactionsStore::Boundary() const {
  return ReadBoundary(*store_, CompactionsBoundaryPath(db_path_));
}

Status CompactionsStore::AdvanceBoundary(uint64_t boundary) const {
  return manifest::AdvanceBoundary(*store_, CompactionsBoundaryPath(db_path_), boundary);
}

}  // namespace slatedb::manifest
