// slatedb/admin.h — administration of a database without opening a writer: checkpoints
// (slatedb/checkpoint.h) created, refreshed, deleted and listed directly in the manifest; manifest
// and `.compactions` versions read and listed (slatedb/manifest.h); sequence numbers mapped to
// times and back through the latest manifest's sequence tracker (RFC-0012).
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
// kNotFound "checkpoint <id> not found" (refresh, delete, source); kNotFound naming the object
// for a manifest / `.compactions` version that does not exist (ReadManifest, ReadCompactions:
// nothing is created by any read); kInvalid for an empty list range (start > end); kUnavailable
// when the manifest update keeps losing races for 5 minutes; object-store errors pass through.
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
#include "slatedb/manifest.h"
#include "slatedb/object_store.h"
#include "slatedb/status.h"

namespace slatedb {

// Clones: Admin::CreateClone (a static — the clone path holds no database yet to open an Admin
// on) makes a shallow clone of another database; see its comment below.

// What Admin::CreateClone made (or found already made).
struct CloneResult {
  std::string path;                  // the clone (normalised)
  std::string parent_path;           // its parent (normalised)
  std::string source_checkpoint_id;  // the parent checkpoint the clone starts from
  std::string final_checkpoint_id;   // the parent checkpoint that pins what the clone reads
  uint64_t source_manifest_id = 0;   // the parent manifest version the clone starts from
  uint64_t manifest_id = 0;          // the clone's latest manifest version
  uint64_t wal_ssts_copied = 0;      // WAL SSTs copied from the parent by this call
};

class SLATEDB_EXPORT Admin {
 public:
  // Creates a shallow clone of the database at `parent_path` at `clone_path` (SlateDB RFC-0004;
  // docs/design.md "Clones"). The clone starts as the parent's state at checkpoint
  // `checkpoint_id` of the parent (nullopt: a new checkpoint of the parent's latest manifest,
  // expiring after 5 minutes) and reads the parent's SSTs where they are: its manifest lists
  // them under `external_dbs` together with a "final" checkpoint this call adds to the parent
  // (never expires) so the parent's GC keeps them. Only the WAL SSTs after the source version's
  // replay point are copied. Writes to the clone (L0s, compactions, WAL) stay under
  // `clone_path`; the clone's GC deletes the final checkpoint and the external_dbs entry once
  // its compactor has rewritten every parent SST it read. A clone of a clone reads the SSTs of
  // every ancestor from where they are.
  // Two phases: the clone's manifest 1 is written with initialized=false, then the parent's
  // final checkpoint(s) and the WAL copy are made, then initialized=true. Db::Open / DbReader
  // refuse an uninitialized clone; calling CreateClone again with the same arguments (the same
  // parent and checkpoint, or no checkpoint) finishes it, and calling it on a finished clone of
  // that parent (and checkpoint) returns its description without writing.
  // Uses components.object_store (required), .clock, .seed and .logger.
  // Errors: kInvalid for a malformed path or checkpoint id, a clone path equal to the parent
  // path, no database at parent_path (or an unfinished one), a clone path that holds an
  // initialized database that is not this clone ("already holds an initialized database"), or an
  // unfinished clone of another parent / checkpoint (naming both); kNotFound "checkpoint <id>
  // not found in <parent>"; kData when a WAL SST the source version lists is missing; kUnavailable
  // / object-store errors pass through (retry to finish).
  static Result<CloneResult> CreateClone(const std::string& clone_path,
                                         const std::string& parent_path,
                                         const std::optional<std::string>& checkpoint_id,
                                         Components components);

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

  // Manifest version `id`, or the latest one when nullopt.
  virtual Result<ManifestView> ReadManifest(std::optional<uint64_t> id = std::nullopt) = 0;
  // Every stored manifest version with start <= id < end (a missing bound is open), ascending.
  virtual Result<std::vector<ManifestView>> ListManifests(
      std::optional<uint64_t> start = std::nullopt, std::optional<uint64_t> end = std::nullopt) = 0;
  // `.compactions` version `id`, or the latest; kNotFound when there is none (no compactor ran).
  virtual Result<CompactionsView> ReadCompactions(std::optional<uint64_t> id = std::nullopt) = 0;
  // Every stored `.compactions` version with start <= id < end, ascending.
  virtual Result<std::vector<CompactionsView>> ListCompactions(
      std::optional<uint64_t> start = std::nullopt, std::optional<uint64_t> end = std::nullopt) = 0;

  // A manual full compaction (RocksDB's CompactRange over every key; slatedb-cli's "Full" request
  // with the L0 SSTs included): for each tree (the root, then each segment) holding more than one
  // sorted run or any L0 SST, submits to `.compactions` one compaction of all its L0 SSTs and all
  // its sorted runs into one sorted run, for the database's compactor (embedded or standalone)
  // to run at its next poll. Returns the submitted compactions' ids (ULIDs), none when every tree
  // already is one sorted run. Watch them with ReadCompactions (or Db::GetStatus). L0 SSTs
  // flushed after the call are left to the regular scheduler.
  // Errors: object-store errors; kInvalid when the `.compactions` could not be updated after 100
  // lost races.
  virtual Result<std::vector<std::string>> SubmitFullCompaction() = 0;

  // From the latest manifest's sequence tracker: the Unix second of `seq` (round down: the
  // newest sample at or below seq; up: the oldest at or above), and the seq at `unix_seconds`
  // rounded the same way over the sample times. nullopt when no sample qualifies.
  virtual Result<std::optional<int64_t>> TimestampForSequence(uint64_t seq, bool round_up) = 0;
  virtual Result<std::optional<uint64_t>> SequenceForTimestamp(int64_t unix_seconds,
                                                               bool round_up) = 0;
};

}  // namespace slatedb
