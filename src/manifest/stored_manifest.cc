#include "manifest/stored_manifest.h"

#include <algorithm>
#include <utility>

#include "format/manifest_codec.h"

namespace slatedb::manifest {
namespace {

const char* RoleName(FenceRole role) { return role == FenceRole::kWriter ? "writer" : "compactor"; }

std::shared_ptr<util::Clock> ClockOf(const ManifestUpdateOptions& options) {
  return options.clock != nullptr ? options.clock : util::SystemClock::Default();
}

// Fails closed (kInvalid naming the database and manifest) on what this version cannot honour.
Status Supported(const ManifestStore& store, const VersionedManifest& latest,
                 format::ManifestUse use = format::ManifestUse::kRead) {
  Status st = format::CheckManifestSupported(latest.manifest, use);
  if (st.ok()) return st;
  return st.WithContext("database '" + store.db_path() + "' (manifest " +
                        std::to_string(latest.id) + ")");
}

}  // namespace

StoredManifest::StoredManifest(std::shared_ptr<ManifestStore> store, ManifestUpdateOptions options,
                               uint64_t id, format::Manifest manifest)
    : store_(std::move(store)), options_(std::move(options)), current_{id, std::move(manifest)} {}

Result<StoredManifest> StoredManifest::Load(std::shared_ptr<ManifestStore> store,
                                            ManifestUpdateOptions options) {
  ASSIGN_OR_RETURN(std::optional<VersionedManifest> latest, store->ReadLatest());
  if (!latest) {
    return Status::Invalid("no database at '" + store->db_path() + "' in " +
                           store->object_store()->Describe() + " (no manifest)");
  }
  RETURN_IF_ERROR(Supported(*store, *latest));
  return StoredManifest(std::move(store), std::move(options), latest->id,
                        std::move(latest->manifest));
}

Result<StoredManifest> StoredManifest::LoadOrCreate(std::shared_ptr<ManifestStore> store,
                                                    ManifestUpdateOptions options,
                                                    const format::Manifest& initial) {
  ASSIGN_OR_RETURN(std::optional<VersionedManifest> latest, store->ReadLatest());
  if (latest) {
    RETURN_IF_ERROR(Supported(*store, *latest));
    return StoredManifest(std::move(store), std::move(options), latest->id,
                          std::move(latest->manifest));
  }
  Status created = store->WriteNew(1, initial);
  if (created.ok()) return StoredManifest(std::move(store), std::move(options), 1, initial);
  if (!created.IsAlreadyExists()) return created;
  // Another writer created the database at the same time: use whatever is latest now.
  return Load(std::move(store), std::move(options));
}

Status StoredManifest::Refresh() {
  ASSIGN_OR_RETURN(VersionedManifest latest, store_->ReadLatestSince(current_.id));
  RETURN_IF_ERROR(Supported(*store_, latest));
  current_ = std::move(latest);
  return Status::OK();
}

Status StoredManifest::Update(const ManifestMutator& mutator) {
  return UpdateChecked(mutator, nullptr);
}

Status StoredManifest::UpdateChecked(const ManifestMutator& mutator,
                                     const std::function<Status(const format::Manifest&)>& check) {
  ManifestStore::UpdateOptions update;
  update.timeout = options_.timeout;
  update.clock = ClockOf(options_);
  // Every version re-read after a lost race is one this build must be able to honour (as
  // Refresh), and passes the caller's check (the epoch fence) before the mutator sees it.
  update.check = [&](const VersionedManifest& v) -> Status {
    RETURN_IF_ERROR(Supported(*store_, v));
    return check ? check(v.manifest) : Status::OK();
  };
  return store_->Update(&current_, mutator, update);
}

uint64_t EpochOf(const format::Manifest& m, FenceRole role) {
  return role == FenceRole::kWriter ? m.writer_epoch : m.compactor_epoch;
}

Result<FenceableManifest> FenceableManifest::Init(StoredManifest stored, FenceRole role,
                                                  const ManifestMutator& extra) {
  if (role == FenceRole::kWriter) {
    RETURN_IF_ERROR(Supported(*stored.store(), VersionedManifest{stored.id(), stored.manifest()},
                              format::ManifestUse::kWrite));
  }
  uint64_t epoch = 0;
  Status st = stored.Update([&](format::Manifest& m) -> Status {
    epoch = EpochOf(m, role) + 1;
    (role == FenceRole::kWriter ? m.writer_epoch : m.compactor_epoch) = epoch;
    if (extra) return extra(m);
    return Status::OK();
  });
  RETURN_IF_ERROR(st);
  return FenceableManifest(std::move(stored), role, epoch);
}

Result<FenceableManifest> FenceableManifest::OpenWriter(std::shared_ptr<ManifestStore> store,
                                                        ManifestUpdateOptions options) {
  ASSIGN_OR_RETURN(StoredManifest stored,
                   StoredManifest::LoadOrCreate(std::move(store), std::move(options)));
  return Init(std::move(stored), FenceRole::kWriter);
}

Result<FenceableManifest> FenceableManifest::OpenCompactor(std::shared_ptr<ManifestStore> store,
                                                           ManifestUpdateOptions options) {
  ASSIGN_OR_RETURN(StoredManifest stored,
                   StoredManifest::Load(std::move(store), std::move(options)));
  return Init(std::move(stored), FenceRole::kCompactor);
}

Status FenceableManifest::CheckEpoch(const format::Manifest& m) const {
  const uint64_t stored = EpochOf(m, role_);
  if (stored > epoch_) {
    return Status::Fenced(std::string("detected newer ") + RoleName(role_) + " (epoch " +
                          std::to_string(stored) + " > " + std::to_string(epoch_) + ")");
  }
  if (stored < epoch_) {
    return Status::Internal(std::string("stored ") + RoleName(role_) + " epoch " +
                            std::to_string(stored) + " is below ours (" + std::to_string(epoch_) +
                            ")");
  }
  return Status::OK();
}

Status FenceableManifest::Refresh() {
  RETURN_IF_ERROR(stored_.Refresh());
  return CheckEpoch(stored_.manifest());
}

Status FenceableManifest::Update(const ManifestMutator& mutator) {
  return stored_.UpdateChecked(mutator,
                               [this](const format::Manifest& m) { return CheckEpoch(m); });
}

format::Manifest MergeCompactorState(const format::Manifest& local,
                                     const format::Manifest& stored) {
  format::Manifest out = local;
  out.compacted = stored.compacted;
  out.checkpoints = stored.checkpoints;
  out.l0_last_compacted = stored.l0_last_compacted;
  out.compactor_epoch = stored.compactor_epoch;
  if (stored.l0_last_compacted) {
    auto it = std::find_if(out.l0.begin(), out.l0.end(), [&](const format::SstHandle& sst) {
      return sst.ViewId() == *stored.l0_last_compacted;
    });
    out.l0.erase(it, out.l0.end());
  }
  return out;
}

}  // namespace slatedb::manifest
