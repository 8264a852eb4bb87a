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

  // From the latest manifest's sequence tracker: the Unix second of `seq` (round down: the
  // newest sample at or below seq; up: the oldest at or above), and the seq at `unix_seconds`
  // rounded the same way over the sample times. nullopt when no sample qualifies.
  virtual Result<std::optional<int64_t>> TimestampForSequence(uint64_t seq, bool round_up) = 0;
  virtual Result<std::optional<uint64_t>> SequenceForTimestamp(int64_t unix_seconds,
                                                               bool round_up) = 0;
};

}  // namespace slatedb
