// Admin (slatedb/admin.h): checkpoint administration straight on the manifest.
#include "slatedb/admin.h"

#include <utility>

#include "db/checkpoint_ops.h"
#include "format/uuid.h"
#include "manifest/manifest_store.h"
#include "manifest/paths.h"
#include "manifest/stored_manifest.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/mutex.h"
#include "util/random.h"

namespace slatedb {

namespace {

class AdminImpl final : public Admin {
 public:
  AdminImpl(std::string path, Components components)
      : path_(std::move(path)),
        store_(components.object_store),
        clock_(components.clock ? components.clock : util::SystemClock::Default()),
        manifests_(std::make_shared<manifest::ManifestStore>(store_, path_)),
        log_(components.logger),
        rng_(components.seed != 0 ? components.seed ^ 0xA0761D6478BD642Full : util::EntropySeed()) {
  }

  Status Init() {
    ASSIGN_OR_RETURN(auto latest, manifests_->ReadLatest());
    if (!latest) return Status::Invalid("no database at " + path_);
    return Status::OK();
  }

  Result<CheckpointCreateResult> CreateDetachedCheckpoint(
      const CheckpointOptions& options) override {
    RETURN_IF_ERROR(db::ValidateLifetime(options.lifetime));
    if (options.source) RETURN_IF_ERROR(db::ParseCheckpointId(*options.source).status());
    format::Uuid id;
    {
      util::MutexLock lock(&rng_mu_);
      id = format::Uuid::NewV4(rng_);
    }
    ASSIGN_OR_RETURN(manifest::StoredManifest stored, Load());
    const int64_t now_ms = clock_->NowMillis();
    format::Checkpoint created;
    manifest::StoredManifest* sm = &stored;
    Status st = sm->Update([&](format::Manifest& m) -> Status {
      return db::AddCheckpoint(m, sm->id() + 1, id, options, now_ms, &created);
    });
    if (!st.ok()) return st.WithContext("creating a checkpoint of " + path_);
    log_.Info("slatedb admin: checkpoint {} of {} pins manifest {}", id.ToString(), path_,
              created.manifest_id);
    return CheckpointCreateResult{id.ToString(), created.manifest_id};
  }

  Status RefreshCheckpoint(std::string_view id_text,
                           std::optional<std::chrono::milliseconds> lifetime) override {
    RETURN_IF_ERROR(db::ValidateLifetime(lifetime));
    ASSIGN_OR_RETURN(format::Uuid id, db::ParseCheckpointId(id_text));
    ASSIGN_OR_RETURN(manifest::StoredManifest stored, Load());
    const int64_t now_ms = clock_->NowMillis();
    Status st = stored.Update([&](format::Manifest& m) -> Status {
      return db::RefreshCheckpoint(m, id, lifetime, now_ms);
    });
    if (!st.ok()) return st.WithContext("refreshing a checkpoint of " + path_);
    return Status::OK();
  }

  Status DeleteCheckpoint(std::string_view id_text) override {
    ASSIGN_OR_RETURN(format::Uuid id, db::ParseCheckpointId(id_text));
    ASSIGN_OR_RETURN(manifest::StoredManifest stored, Load());
    // Unknown on the first attempt: kNotFound. Gone on a retry (after a lost race, maybe with
    // our own write): already deleted, done.
    bool first = true;
    bool gone = false;
    Status st = stored.Update([&](format::Manifest& m) -> Status {
      Status removed = db::RemoveCheckpoint(m, id);
      if (removed.IsNotFound() && !first) {
        gone = true;
        return Status::NotFound("");  // aborts the update; mapped to OK below
      }
      first = false;
      return removed;
    });
    if (gone) return Status::OK();
    if (!st.ok()) return st.WithContext("deleting a checkpoint of " + path_);
    return Status::OK();
  }

  Result<std::vector<CheckpointInfo>> ListCheckpoints(
      const std::optional<std::string>& name) override {
    ASSIGN_OR_RETURN(auto latest, manifests_->ReadLatest());
    if (!latest) return Status::Invalid("no database at " + path_);
    std::vector<CheckpointInfo> out;
    for (const auto& c : latest->manifest.checkpoints) {
      if (name && c.name != *name) continue;
      out.push_back(db::ToCheckpointInfo(c));
    }
    return out;
  }

  Result<uint64_t> LatestManifestId() override {
    ASSIGN_OR_RETURN(auto latest, manifests_->ReadLatest());
    if (!latest) return Status::Invalid("no database at " + path_);
    return latest->id;
  }

 private:
  Result<manifest::StoredManifest> Load() {
    manifest::ManifestUpdateOptions options;
    options.clock = clock_;
    return manifest::StoredManifest::Load(manifests_, options);
  }

  const std::string path_;
  std::shared_ptr<ObjectStore> store_;
  std::shared_ptr<util::Clock> clock_;
  std::shared_ptr<manifest::ManifestStore> manifests_;
  util::Log log_;
  util::Mutex rng_mu_;
  util::Random rng_ GUARDED_BY(rng_mu_);
};

}  // namespace

Result<std::unique_ptr<Admin>> Admin::Open(const std::string& path, Components components) {
  if (!components.object_store) return Status::Invalid("Components.object_store is required");
  ASSIGN_OR_RETURN(std::string db_path, manifest::NormalizeDbPath(path));
  auto admin = std::make_unique<AdminImpl>(db_path, std::move(components));
  RETURN_IF_ERROR(admin->Init());
  return std::unique_ptr<Admin>(std::move(admin));
}

Result<std::unique_ptr<Admin>> Admin::Open(const std::string& path,
                                           std::shared_ptr<ObjectStore> store) {
  Components components;
  components.object_store = std::move(store);
  return Open(path, std::move(components));
}

}  // namespace slatedb
