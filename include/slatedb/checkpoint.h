// slatedb/checkpoint.h — checkpoints: named, optionally expiring pins of one manifest version
// (SlateDB RFC-0004; docs/design.md "Checkpoints").
//
// A checkpoint lives in the manifest's `checkpoints` list. While it is live (listed and not
// expired) the garbage collector keeps the manifest version it names and everything that version
// references: its L0 SSTs, sorted runs and the WAL SSTs in (replay_after_wal_id,
// wal_id_last_seen]. A DbReader can open a frozen view at a checkpoint (DbReaderOptions).
// Created by Db::CreateCheckpoint (slatedb/db.h) or Admin::CreateDetachedCheckpoint
// (slatedb/admin.h); refreshed, listed and deleted through Admin.
//
// Thread safety: plain value types. Ownership: none. Errors: see the functions that use them.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace slatedb {

// What Db::CreateCheckpoint pins. kAll: first flushes the WAL and the memtable (as
// Flush(FlushType::kMemTable)), so the checkpoint holds every write committed before the call.
// kDurable: pins the current manifest as it is (writes only in the unflushed memtable are not in
// it; WAL SSTs not yet replayed into L0 are, through the pinned WAL range).
enum class CheckpointScope : uint8_t { kAll = 0, kDurable = 1 };

struct CheckpointOptions {
  // Expire after this long (from creation, on the database's Clock); unset = never expires.
  // Must be >= 0 (kInvalid otherwise). Stored with one-second resolution.
  std::optional<std::chrono::milliseconds> lifetime;
  // Pin the same manifest version as this existing checkpoint (its UUID text) instead of the
  // current one. kNotFound naming the id when no such checkpoint is listed.
  std::optional<std::string> source;
  // A free-form name (ListCheckpoints can filter on it).
  std::optional<std::string> name;
};

struct CheckpointCreateResult {
  std::string id;            // the new checkpoint's UUID, 8-4-4-4-12 lower-case hex
  uint64_t manifest_id = 0;  // the manifest version it pins
};

// One listed checkpoint.
struct CheckpointInfo {
  std::string id;  // UUID text
  uint64_t manifest_id = 0;
  // Unix seconds; nullopt = never expires.
  std::optional<uint32_t> expire_time_s;
  uint32_t create_time_s = 0;
  std::optional<std::string> name;
};

}  // namespace slatedb
