// db/checkpoint_ops.h — the manifest edits behind checkpoints, shared by Db::CreateCheckpoint,
// Admin and DbReader (docs/design.md "Checkpoints"; SlateDB RFC-0004).
//
// Each function edits one in-memory manifest and is meant to run inside a manifest update
// mutator (manifest/stored_manifest.h), so it is applied again, unchanged in meaning, when the
// CAS loop retries on a newer version. Times are Unix milliseconds from the caller's Clock.
// Thread safety: pure functions. Ownership: none.
// Errors: kInvalid for a malformed UUID text or a negative lifetime (message names the value);
// kNotFound "checkpoint <id> not found" for an unknown id (source, refresh, delete); kInvalid
// when a new checkpoint is asked of an uninitialized manifest (an unfinished clone).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "format/manifest.h"
#include "format/uuid.h"
#include "slatedb/checkpoint.h"
#include "slatedb/status.h"

namespace slatedb::db {

// Parses a checkpoint id given by a user ("checkpoint id 'x': ..." on error).
Result<format::Uuid> ParseCheckpointId(std::string_view text);

// kInvalid for a negative lifetime.
Status ValidateLifetime(const std::optional<std::chrono::milliseconds>& lifetime);

// Appends checkpoint `id` to `m`, which is about to be written as version `next_id`: it pins
// `next_id` itself, or the source checkpoint's manifest when options.source is set. Idempotent:
// if `id` is already listed (a retried update whose first write landed) nothing changes.
// `*out` receives the checkpoint as listed.
Status AddCheckpoint(format::Manifest& m, uint64_t next_id, const format::Uuid& id,
                     const CheckpointOptions& options, int64_t now_ms, format::Checkpoint* out);

// Sets the expiry of checkpoint `id` to now + lifetime (unset lifetime: never expires).
Status RefreshCheckpoint(format::Manifest& m, const format::Uuid& id,
                         const std::optional<std::chrono::milliseconds>& lifetime, int64_t now_ms);

// Removes checkpoint `id`.
Status RemoveCheckpoint(format::Manifest& m, const format::Uuid& id);

// Whether `c` has expired at `now_ms` (expire_time_s 0 = never).
bool CheckpointExpired(const format::Checkpoint& c, int64_t now_ms);

// The public view of a listed checkpoint.
CheckpointInfo ToCheckpointInfo(const format::Checkpoint& c);

}  // namespace slatedb::db
