// Admin::CreateClone (slatedb/admin.h): the two-phase creation of a shallow clone.
//
// Phase 1 writes the clone's manifest 1 (initialized=false) built from the parent's manifest at
// the source checkpoint (db/clone_ops.h CloneManifest). Phase 2 adds each external db's final
// checkpoint to that db (if missing), copies the source version's WAL SSTs (replay point + 1 ..
// wal_id_last_seen) and sets initialized=true. Everything in phase 2 is idempotent, so a retry
// after a crash anywhere redoes what is missing: it finds manifest 1, checks that it was made
// for the same parent and checkpoint, and rebuilds the source version from the final checkpoint
// (or the source one, if the final was not written yet).
#include <memory>
#include <string>
#include <utility>

#include "db/checkpoint_ops.h"
#include "db/clone_ops.h"
#include "format/manifest_codec.h"
#include "format/uuid.h"
#include "manifest/manifest_store.h"
#include "manifest/paths.h"
#include "manifest/stored_manifest.h"
#include "slatedb/admin.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/random.h"

namespace slatedb {
namespace {

// A clone made without a checkpoint id starts from a new checkpoint of the parent that expires
// after this long (as SlateDB); the final checkpoint, made right after, pins the same version
// for good.
constexpr std::chrono::minutes kEphemeralCheckpointLifetime{5};

// The entry of `m` for its direct parent `parent` (the last one of that path: the parent comes
// after the ancestors it inherits).
const format::ExternalDb* DirectParent(const format::Manifest& m, const std::string& parent) {
  for (auto it = m.external_dbs.rbegin(); it != m.external_dbs.rend(); ++it) {
    auto normalized = manifest::NormalizeDbPath(it->path);
    if ((normalized.ok() ? *normalized : it->path) == parent) return &*it;
  }
  return nullptr;
}

const format::Checkpoint* FindCheckpoint(const format::Manifest& m, const format::Uuid& id) {
  for (const auto& c : m.checkpoints) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

class CloneCreator {
 public:
  CloneCreator(std::string clone, std::string parent, std::optional<format::Uuid> checkpoint,
               Components components)
      : clone_(std::move(clone)),
        parent_(std::move(parent)),
        checkpoint_(checkpoint),
        store_(components.object_store),
        clock_(components.clock ? components.clock : util::SystemClock::Default()),
        log_(components.logger),
        rng_(components.seed != 0 ? components.seed ^ 0xC10E5EEDull : util::EntropySeed()) {
    options_.clock = clock_;
  }

  Result<CloneResult> Run() {
    auto clone_store = std::make_shared<manifest::ManifestStore>(store_, clone_);
    // A second round only when another party created manifest 1 between our read and write.
    for (int round = 0; round < 2; ++round) {
      ASSIGN_OR_RETURN(auto latest, clone_store->ReadLatest());
      if (latest) return Resume(latest->id, latest->manifest);
      ASSIGN_OR_RETURN(auto source, NewSource());
      format::Manifest m = db::CloneManifest(source.manifest, parent_, source.checkpoint,
                                             [this] { return format::Uuid::NewV4(rng_); });
      Status st = clone_store->WriteNew(1, m);
      if (st.IsAlreadyExists()) continue;
      if (!st.ok()) return st.WithContext("writing manifest 1 of clone " + clone_);
      log_.Info("slatedb clone: {} (uninitialized) from {} at checkpoint {} (manifest {})", clone_,
                parent_, source.checkpoint.ToString(), source.manifest_id);
      return Finish(m, source);
    }
    return Status::Unavailable("clone " + clone_ + ": manifest 1 keeps changing under us");
  }

 private:
  struct Source {
    format::Uuid checkpoint;  // the source checkpoint of the clone
    uint64_t manifest_id = 0;
    format::Manifest manifest;  // the parent at that checkpoint
  };

  Result<manifest::VersionedManifest> ParentLatest() {
    manifest::ManifestStore parent_store(store_, parent_);
    ASSIGN_OR_RETURN(auto latest, parent_store.ReadLatest());
    if (!latest) return Status::Invalid("no database at " + parent_ + " (clone parent)");
    if (!latest->manifest.initialized) return db::UnfinishedCloneError(parent_);
    return std::move(*latest);
  }

  Result<Source> ReadSource(const format::Uuid& checkpoint, uint64_t manifest_id) {
    manifest::ManifestStore parent_store(store_, parent_);
    auto m = parent_store.Read(manifest_id);
    if (!m.ok()) {
      return m.status().WithContext("reading manifest " + std::to_string(manifest_id) + " of " +
                                    parent_ + " (checkpoint " + checkpoint.ToString() + ")");
    }
    if (m->wal_object_store_uri && !m->wal_object_store_uri->empty()) {
      return Status::Invalid("cannot clone " + parent_ +
                             ": it uses a separate WAL object store, which is not supported");
    }
    return Source{checkpoint, manifest_id, std::move(*m)};
  }

  // The source of a new clone: the given checkpoint or a new one of the latest version.
  Result<Source> NewSource() {
    ASSIGN_OR_RETURN(manifest::VersionedManifest latest, ParentLatest());
    if (checkpoint_) {
      const format::Checkpoint* c = FindCheckpoint(latest.manifest, *checkpoint_);
      if (c == nullptr) {
        return Status::NotFound("checkpoint " + checkpoint_->ToString() + " not found in " +
                                parent_);
      }
      if (db::CheckpointExpired(*c, clock_->NowMillis())) {
        log_.Warn("slatedb clone: checkpoint {} of {} has expired; cloning it anyway",
                  checkpoint_->ToString(), parent_);
      }
      return ReadSource(*checkpoint_, c->manifest_id);
    }
    const format::Uuid id = format::Uuid::NewV4(rng_);
    CheckpointOptions options;
    options.lifetime =
        std::chrono::duration_cast<std::chrono::milliseconds>(kEphemeralCheckpointLifetime);
    options.name = "clone:" + clone_;
    ASSIGN_OR_RETURN(format::Checkpoint created, AddCheckpointTo(parent_, id, options));
    return ReadSource(id, created.manifest_id);
  }

  Result<format::Checkpoint> AddCheckpointTo(const std::string& path, const format::Uuid& id,
                                             const CheckpointOptions& options) {
    ASSIGN_OR_RETURN(manifest::StoredManifest stored,
                     manifest::StoredManifest::Load(
                         std::make_shared<manifest::ManifestStore>(store_, path), options_));
    format::Checkpoint created;
    if (const format::Checkpoint* c = FindCheckpoint(stored.manifest(), id)) return *c;
    const int64_t now_ms = clock_->NowMillis();
    manifest::StoredManifest* sm = &stored;
    Status st = sm->Update([&](format::Manifest& m) -> Status {
      return db::AddCheckpoint(m, sm->id() + 1, id, options, now_ms, &created);
    });
    if (!st.ok()) return st.WithContext("adding checkpoint " + id.ToString() + " to " + path);
    return created;
  }

  // The clone path already has a manifest: finished (nothing to do), unfinished (finish it),
  // or something else (refuse).
  Result<CloneResult> Resume(uint64_t id, const format::Manifest& m) {
    const format::ExternalDb* parent = DirectParent(m, parent_);
    const bool same =
        parent != nullptr && (!checkpoint_ || parent->source_checkpoint_id == *checkpoint_);
    if (m.initialized) {
      if (!same) {
        return Status::Invalid("cannot clone " + parent_ + " onto " + clone_ +
                               ": it already holds an initialized database");
      }
      CloneResult r = Describe(*parent, id);
      return r;
    }
    if (!same) {
      std::string was = "another database";
      if (!m.external_dbs.empty()) {
        const auto& last = m.external_dbs.back();
        was = last.path + " at checkpoint " + last.source_checkpoint_id.ToString();
      }
      return Status::Invalid("cannot finish the unfinished clone at " + clone_ + " (a clone of " +
                             was + ") as a clone of " + parent_ + " at " +
                             (checkpoint_ ? "checkpoint " + checkpoint_->ToString()
                                          : std::string("a new checkpoint")));
    }
    // The version the clone was made from: pinned by the final checkpoint once that exists,
    // else (a crash before it was written) by the source checkpoint.
    ASSIGN_OR_RETURN(manifest::VersionedManifest latest, ParentLatest());
    const format::Checkpoint* c = nullptr;
    if (parent->final_checkpoint_id)
      c = FindCheckpoint(latest.manifest, *parent->final_checkpoint_id);
    if (c == nullptr) c = FindCheckpoint(latest.manifest, parent->source_checkpoint_id);
    if (c == nullptr) {
      return Status::NotFound("cannot finish the clone at " + clone_ + ": checkpoint " +
                              parent->source_checkpoint_id.ToString() + " not found in " + parent_ +
                              " (expired?); remove the clone's objects to start over");
    }
    ASSIGN_OR_RETURN(Source source, ReadSource(parent->source_checkpoint_id, c->manifest_id));
    log_.Info("slatedb clone: finishing {} from {} (manifest {})", clone_, parent_,
              source.manifest_id);
    return Finish(m, source);
  }

  Result<CloneResult> Finish(const format::Manifest& m, const Source& source) {
    // 1. Every ancestor keeps what the clone reads.
    for (const auto& db : m.external_dbs) {
      if (!db.final_checkpoint_id) continue;
      CheckpointOptions options;
      options.source = db.source_checkpoint_id.ToString();
      options.name = "clone:" + clone_;
      auto normalized = manifest::NormalizeDbPath(db.path);
      RETURN_IF_ERROR(
          AddCheckpointTo(normalized.ok() ? *normalized : db.path, *db.final_checkpoint_id, options)
              .status());
    }
    // 2. The WAL SSTs the source version has not flushed yet.
    uint64_t copied = 0;
    for (uint64_t id = source.manifest.replay_after_wal_id + 1;
         id <= source.manifest.wal_id_last_seen; ++id) {
      const std::string from = manifest::WalSstPath(parent_, id);
      auto bytes = store_->Get(from);
      if (!bytes.ok()) {
        if (bytes.status().IsNotFound()) {
          return Status::Data("cannot clone " + parent_ + ": WAL SST " + from +
                              " listed by manifest " + std::to_string(source.manifest_id) +
                              " is missing");
        }
        return bytes.status().WithContext("copying " + from);
      }
      const std::string to = manifest::WalSstPath(clone_, id);
      auto put = store_->Put(to, *bytes);
      if (!put.ok()) return put.status().WithContext("copying " + from + " to " + to);
      ++copied;
    }
    // 3. Done.
    ASSIGN_OR_RETURN(manifest::StoredManifest stored,
                     manifest::StoredManifest::Load(
                         std::make_shared<manifest::ManifestStore>(store_, clone_), options_));
    if (!stored.manifest().initialized) {
      Status st = stored.Update([&](format::Manifest& cm) -> Status {
        cm.replay_after_wal_id = source.manifest.replay_after_wal_id;
        cm.wal_id_last_seen = source.manifest.wal_id_last_seen;
        cm.initialized = true;
        return Status::OK();
      });
      if (!st.ok()) return st.WithContext("initializing clone " + clone_);
    }
    const format::ExternalDb* parent = DirectParent(stored.manifest(), parent_);
    if (parent == nullptr) return Status::Internal("clone " + clone_ + " lost its parent entry");
    CloneResult r = Describe(*parent, stored.id());
    r.source_manifest_id = source.manifest_id;
    r.wal_ssts_copied = copied;
    log_.Info("slatedb clone: {} is a clone of {} (final checkpoint {}, {} WAL SSTs copied)",
              clone_, parent_, r.final_checkpoint_id, copied);
    return r;
  }

  CloneResult Describe(const format::ExternalDb& parent, uint64_t manifest_id) const {
    CloneResult r;
    r.path = clone_;
    r.parent_path = parent_;
    r.source_checkpoint_id = parent.source_checkpoint_id.ToString();
    if (parent.final_checkpoint_id) r.final_checkpoint_id = parent.final_checkpoint_id->ToString();
    r.manifest_id = manifest_id;
    return r;
  }

  const std::string clone_;
  const std::string parent_;
  const std::optional<format::Uuid> checkpoint_;
  std::shared_ptr<ObjectStore> store_;
  std::shared_ptr<util::Clock> clock_;
  util::Log log_;
  util::Random rng_;  // one CreateClone call, one thread
  manifest::ManifestUpdateOptions options_;
};

}  // namespace

Result<CloneResult> Admin::CreateClone(const std::string& clone_path,
                                       const std::string& parent_path,
                                       const std::optional<std::string>& checkpoint_id,
                                       Components components) {
  if (!components.object_store) return Status::Invalid("Components.object_store is required");
  ASSIGN_OR_RETURN(std::string clone, manifest::NormalizeDbPath(clone_path));
  ASSIGN_OR_RETURN(std::string parent, manifest::NormalizeDbPath(parent_path));
  if (clone == parent) {
    return Status::Invalid("clone path " + clone + " is the parent's path");
  }
  std::optional<format::Uuid> checkpoint;
  if (checkpoint_id) {
    ASSIGN_OR_RETURN(checkpoint, db::ParseCheckpointId(*checkpoint_id));
  }
  CloneCreator creator(std::move(clone), std::move(parent), checkpoint, std::move(components));
  return creator.Run();
}

}  // namespace slatedb
