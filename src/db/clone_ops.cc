// Clone manifest edits (db/clone_ops.h).
#include "db/clone_ops.h"

#include "manifest/sst_paths.h"

namespace slatedb::db {

Status UnfinishedCloneError(const std::string& path) {
  return Status::Invalid("database at " + path +
                         " is an unfinished clone (initialized=false): run Admin::CreateClone "
                         "again with the same arguments to finish it");
}

format::Manifest CloneManifest(const format::Manifest& parent, const std::string& parent_path,
                               const format::Uuid& source_checkpoint,
                               const std::function<format::Uuid()>& new_uuid) {
  format::Manifest m = parent;
  m.checkpoints.clear();
  m.initialized = false;
  m.external_dbs.clear();
  for (const auto& inherited : parent.external_dbs) {
    format::ExternalDb db;
    db.path = inherited.path;
    // The user's source checkpoint of that ancestor may be gone; the parent's final checkpoint
    // there pins the same version for as long as the parent needs it.
    db.source_checkpoint_id =
        inherited.final_checkpoint_id.value_or(inherited.source_checkpoint_id);
    db.final_checkpoint_id = new_uuid();
    db.sst_ids = inherited.sst_ids;
    m.external_dbs.push_back(std::move(db));
  }
  format::ExternalDb own;
  own.path = parent_path;
  own.source_checkpoint_id = source_checkpoint;
  own.final_checkpoint_id = new_uuid();
  own.sst_ids = manifest::OwnedSstIds(parent);
  m.external_dbs.push_back(std::move(own));
  return m;
}

}  // namespace slatedb::db
