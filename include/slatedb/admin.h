// slatedb/admin.h — administration of a database without opening a writer: checkpoints
// (slatedb/checkpoint.h) created, refreshed, deleted and listed directly in the manifest.
//
// Admin::Open checks that `path` holds a database and creates nothing; every later call reads
// or updates the manifest through the same compare-and-swap loop the writer and the compactor
// use, so it is safe while a writer, a compactor, readers and garbage collectors run (a losing
// update is re-applied to the newer version). Admin never bumps an epoch, so it fences no one.
// A checkpoint made here is "detached": no writer flushed anything for it — it pins the latest
// manifest version (and the WAL SSTs that version lists as seen).
//
// Thread safety: every method may be called concurrently from any thread (each call works on a
// fresh read of the manifest). Ownership: Open returns a unique_ptr; the Admin shares the object
// store given in Components. Errors: Open → kInvalid "no database at <path>" (nothing is written)
// or a malformed path; kInvalid for a malformed checkpoint id or a negative lifetime;
// kNotFound "checkpoint <id> not found" (refresh, delete, source); kUnavailable when the manifest
// update keeps losing races for 5 minutes; object-store errors pass through.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "slatedb/checkpoint.h"
#include "slatedb/db.h"
#include "slatedb/export.h"
#include "slatedb/object_store.h"
#include "slatedb/status.h"

namespace slatedb {

class SLATEDB_EXPORT Admin {
 public:
  // Uses components.object_store (required), .clock (checkpoint times; default: system clock),
  // .seed (checkpoint UUIDs; 0 = entropy) and .logger.
  static Result<std::unique_ptr<Admin>> Open(const std::string& path, Components components);
  static Result<std::unique_ptr<Admin>> Open(const std::string& path,
                                             std::shared_ptr<ObjectStore> store);
  virtual ~Admin() = default;

  // Adds a checkpoint of the latest manifest version (or of options.source's version).
  virtual Result<CheckpointCreateResult> CreateDetachedCheckpoint(
      const CheckpointOptions& options = CheckpointOptions()) = 0;
  // Sets checkpoint `id` to expire `lifetime` from now; nullopt: it never expires.
  virtual Status RefreshCheckpoint(std::string_view id,
                                   std::optional<std::chrono::milliseconds> lifetime) = 0;
  virtual Status DeleteCheckpoint(std::string_view id) = 0;
  // The checkpoints of the latest manifest (expired ones too, until a GC removes them), in
  // manifest order; only those named `name` when given.
  virtual Result<std::vector<CheckpointInfo>> ListCheckpoints(
      const std::optional<std::string>& name = std::nullopt) = 0;
  // The id of the latest manifest version.
  virtual Result<uint64_t> LatestManifestId() = 0;
};

}  // namespace slatedb
