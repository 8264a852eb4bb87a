#include "manifest/manifest_store.h"

#include <algorithm>
#include <functional>
#include <utility>

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

template <typename T>
Result<T> WithKey(Result<T> decoded, const std::string& key) {
  if (decoded.ok()) return decoded;
  return decoded.status().WithContext(key);
}

}  // namespace

ManifestStore::ManifestStore(std::shared_ptr<ObjectStore> store, std::string db_path)
    : store_(std::move(store)), db_path_(std::move(db_path)) {}

Result<std::vector<VersionInfo>> ManifestStore::List() const {
  return ListVersions(*store_, db_path_, ManifestDir(db_path_), &ListedManifestId);
}

Result<std::optional<VersionedManifest>> ManifestStore::ReadLatest() const {
  ASSIGN_OR_RETURN(auto raw,
                   ReadLatestRaw(*store_, db_path_, ManifestDir(db_path_), &ListedManifestId));
  if (!raw) return std::optional<VersionedManifest>();
  ASSIGN_OR_RETURN(format::Manifest m, WithKey(format::DecodeManifest(raw->second),
                                               ManifestPath(db_path_, raw->first)));
  return std::optional<VersionedManifest>(VersionedManifest{raw->first, std::move(m)});
}

Result<format::Manifest> ManifestStore::Read(uint64_t id) const {
  const std::string key = ManifestPath(db_path_, id);
  ASSIGN_OR_RETURN(std::string bytes, ReadRaw(*store_, key, "manifest"));
  return WithKey(format::DecodeManifest(bytes), key);
}

Status ManifestStore::WriteNew(uint64_t id, const format::Manifest& manifest) const {
  return WriteRaw(*store_, ManifestPath(db_path_, id), format::EncodeManifest(manifest));
}

Status ManifestStore::Delete(uint64_t id) const {
  return store_->Delete(ManifestPath(db_path_, id));
}

CompactionsStore::CompactionsStore(std::shared_ptr<ObjectStore> store, std::string db_path)
    : store_(std::move(store)), db_path_(std::move(db_path)) {}

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
  return WriteRaw(*store_, CompactionsPath(db_path_, id), format::EncodeCompactions(compactions));
}

Status CompactionsStore::Delete(uint64_t id) const {
  return store_->Delete(CompactionsPath(db_path_, id));
}

}  // namespace slatedb::manifest
