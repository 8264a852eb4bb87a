// db/clone_ops.h — the manifest edits behind clones (docs/design.md "Clones"; SlateDB RFC-0004),
// used by Admin::CreateClone and the openers. The SST-id helpers the compactor and the GC share
// (ListedSstIds, OwnedSstIds, PruneExternalSstIds) are in manifest/sst_paths.h.
//
// A clone is a database whose manifest starts as a copy of its parent's manifest at a
// checkpoint and reads the parent's SSTs where they are: `external_dbs` lists, per ancestor
// database, the SST ids still read from there and the checkpoint (`final_checkpoint_id`) that
// pins them in that ancestor. SST objects are resolved through manifest::SstPathResolver.
// Thread safety: pure functions. Ownership: none.
// Errors: UnfinishedCloneError is the kInvalid every opener returns for `initialized = false`.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "format/manifest.h"
#include "format/ulid.h"
#include "format/uuid.h"
#include "slatedb/status.h"

namespace slatedb::db {

// kInvalid "database at <path> is an unfinished clone (initialized=false): run
// Admin::CreateClone again with the same arguments to finish it".
Status UnfinishedCloneError(const std::string& path);

// The phase-1 manifest of a clone of `parent` (the parent's manifest at the source checkpoint,
// stored at `parent_path`): the parent's state with its checkpoints dropped and
// initialized = false; external_dbs = every external db of the parent, now pinned through the
// parent's final checkpoint (source = that id, a fresh final id), then one entry for the parent
// itself (source = `source_checkpoint`, a fresh final id, sst_ids = the parent's own SSTs).
// `new_uuid` makes the fresh ids.
format::Manifest CloneManifest(const format::Manifest& parent, const std::string& parent_path,
                               const format::Uuid& source_checkpoint,
                               const std::function<format::Uuid()>& new_uuid);

}  // namespace slatedb::db
