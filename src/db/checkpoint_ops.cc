#include "db/checkpoint_ops.h"

#include <algorithm>
#include <string>

#include "util/saturating.h"

namespace slatedb::db {

namespace {

Status NotFound(const format::Uuid& id) {
  return Status::NotFound("checkpoint " + id.ToString() + " not found");
}

uint32_t ExpiryOf(const std::optional<std::chrono::milliseconds>& lifetime, int64_t now_ms) {
  if (!lifetime) return 0;
  // Whole seconds (truncated, like create_time_s), saturating: a huge lifetime never wraps into the
  // past.
  const int64_t expire_ms = util::SaturatingAdd<int64_t>(now_ms, lifetime->count());
  const int64_t expire_s = expire_ms / 1000;
  // 0 means "never" in the format; an expiry at the epoch is already past anyway.
  return std::max<uint32_t>(1, util::SaturatingCast<uint32_t>(expire_s));
}

}  // namespace

Result<format::Uuid> ParseCheckpointId(std::string_view text) {
  auto id = format::Uuid::Parse(text);
  if (!id.ok()) return id.status().WithContext("checkpoint id '" + std::string(text) + "'");
  return *id;
}

Status ValidateLifetime(const std::optional<std::chrono::milliseconds>& lifetime) {
  if (lifetime && lifetime->count() < 0) {
    return Status::Invalid("checkpoint lifetime must not be negative (got " +
                           std::to_string(lifetime->count()) + " ms)");
  }
  return Status::OK();
}

Status AddCheckpoint(format::Manifest& m, uint64_t next_id, const format::Uuid& id,
                     const CheckpointOptions& options, int64_t now_ms, format::Checkpoint* out) {
  for (const auto& c : m.checkpoints) {
    if (c.id == id) {
      *out = c;
      return Status::OK();
    }
  }
  format::Checkpoint c;
  c.id = id;
  if (options.source) {
    ASSIGN_OR_RETURN(format::Uuid source, ParseCheckpointId(*options.source));
    auto it = std::find_if(m.checkpoints.begin(), m.checkpoints.end(),
                           [&](const format::Checkpoint& s) { return s.id == source; });
    if (it == m.checkpoints.end()) {
      return Status::NotFound("source checkpoint " + source.ToString() + " not found");
    }
    c.manifest_id = it->manifest_id;
  } else {
    if (!m.initialized) {
      return Status::Invalid("cannot checkpoint an uninitialized database (unfinished clone)");
    }
    c.manifest_id = next_id;
  }
  c.create_time_s = util::SaturatingCast<uint32_t>(std::max<int64_t>(0, now_ms / 1000));
  c.expire_time_s = ExpiryOf(options.lifetime, now_ms);
  c.name = options.name;
  m.checkpoints.push_back(c);
  *out = c;
  return Status::OK();
}

Status RefreshCheckpoint(format::Manifest& m, const format::Uuid& id,
                         const std::optional<std::chrono::milliseconds>& lifetime, int64_t now_ms) {
  for (auto& c : m.checkpoints) {
    if (c.id != id) continue;
    c.expire_time_s = ExpiryOf(lifetime, now_ms);
    return Status::OK();
  }
  return NotFound(id);
}

Status RemoveCheckpoint(format::Manifest& m, const format::Uuid& id) {
  const size_t removed =
      std::erase_if(m.checkpoints, [&](const format::Checkpoint& c) { return c.id == id; });
  return removed > 0 ? Status::OK() : NotFound(id);
}

bool CheckpointExpired(const format::Checkpoint& c, int64_t now_ms) {
  return c.expire_time_s != 0 && static_cast<int64_t>(c.expire_time_s) * 1000 <= now_ms;
}

CheckpointInfo ToCheckpointInfo(const format::Checkpoint& c) {
  CheckpointInfo info;
  info.id = c.id.ToString();
  info.manifest_id = c.manifest_id;
  if (c.expire_time_s != 0) info.expire_time_s = c.expire_time_s;
  info.create_time_s = c.create_time_s;
  info.name = c.name;
  return info;
}

}  // namespace slatedb::db
