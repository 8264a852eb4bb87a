// slatedb/wal_reader.h — change data capture: read a database's WAL SSTs straight from the object
// store, without a writer (SlateDB RFC-0019, docs/cdc.md).
//
// What: `WalReader` is opened on an ObjectStore and a database path. It creates, changes and
// deletes nothing. `List` returns the WAL files (`<db>/wal/<20 digits>.sst`, direct children
// only: stray objects such as `wal/backup/…` are ignored) in an id range; `ReadFile` returns one
// file's rows in commit order (value, tombstone or merge rows exactly as written, with their
// create / expire timestamps); fences and zero-byte WAL objects have no rows. A `WalCursor`
// starts at a WAL id or at a sequence number and follows the tail: `TryNext` yields every row of
// every WAL file in id order and polls the store for the next file at most once per
// `poll_interval` of the injected clock (no thread, no sleep: the caller decides how to wait).
// Thread safety: WalReader is thread-safe (no mutable state); a WalCursor is used by one thread
// at a time. Several cursors may share one reader.
// Ownership: the reader shares the store and the clock; a cursor shares the reader's state (it
// stays valid after the WalReader object is destroyed).
// Errors: kInvalid for a bad database path or options (naming them); kData for a WAL file that
// does not decode ("<object key>: ...") and for a WAL file that is gone before it was read — the
// garbage collector removed it (a later WAL id, or a manifest replay point beyond it, exists):
// the message names the missing id, and the cursor stays at it (rows are never skipped);
// kNotFound from ReadFile for an id that does not exist; other object-store errors pass through
// with the object key as context.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "slatedb/clock.h"
#include "slatedb/export.h"
#include "slatedb/object_store.h"
#include "slatedb/status.h"

namespace slatedb {

enum class WalRowKind : uint8_t { kValue = 0, kTombstone = 1, kMerge = 2 };

// "Value", "Tombstone", "Merge" (SlateDB's names, as `wal-dump` prints them).
SLATEDB_EXPORT const char* WalRowKindName(WalRowKind kind);

// One row of a WAL file.
struct WalRow {
  uint64_t wal_id = 0;
  uint64_t seq = 0;
  WalRowKind kind = WalRowKind::kValue;
  std::string key;
  std::string value;                 // empty for tombstones; the operand for merges
  std::optional<int64_t> create_ts;  // Unix ms, when the writer stored one
  std::optional<int64_t> expire_ts;  // Unix ms, for rows written with a TTL
};

// One listed WAL file.
struct WalFileInfo {
  uint64_t id = 0;
  uint64_t size = 0;             // bytes (0 for a zero-byte fence)
  int64_t last_modified_ms = 0;  // as the store reports it
};

struct WalReaderOptions {
  // How often a cursor that has caught up asks the store for the next WAL file (> 0).
  std::chrono::milliseconds poll_interval{1000};
  // The clock poll intervals are measured on (null: SystemClock::Default()).
  std::shared_ptr<Clock> clock;
};

class WalCursor;

class SLATEDB_EXPORT WalReader {
 public:
  // Opens a reader on the database at `db_path` ("db", "/db/" and "db/" are the same path).
  // Reads nothing yet; a missing database is not an error (it has no WAL files).
  static Result<std::unique_ptr<WalReader>> Open(std::shared_ptr<ObjectStore> store,
                                                 std::string db_path,
                                                 WalReaderOptions options = {});
  ~WalReader();

  // WAL files with start_id <= id < end_id (absent bounds: unbounded), ascending. One LIST.
  Result<std::vector<WalFileInfo>> List(std::optional<uint64_t> start_id = std::nullopt,
                                        std::optional<uint64_t> end_id = std::nullopt) const;
  // The rows of WAL file `id` in commit order (none for a fence or a zero-byte object), every
  // checksum verified.
  Result<std::vector<WalRow>> ReadFile(uint64_t id) const;

  // A cursor whose first row is the first row of WAL file `wal_id` (or of the next file after
  // it, when `wal_id` is a fence). kData when `wal_id` was already removed by the GC.
  Result<std::unique_ptr<WalCursor>> CursorAtWalId(uint64_t wal_id) const;
  // A cursor whose first row is the oldest stored row with seq >= `seq` (a cursor at the tail
  // when every stored row is older). kData when rows with seq >= `seq` may have been in WAL
  // files the GC already removed (the oldest stored row is newer than `seq` and older WAL files
  // are gone).
  Result<std::unique_ptr<WalCursor>> CursorAtSeq(uint64_t seq) const;

  struct State;  // shared with cursors (implementation detail)

 private:
  struct PrivateTag {
    explicit PrivateTag() = default;
  };

 public:
  // Use Open (the tag is private).
  WalReader(PrivateTag, std::shared_ptr<State> state);

 private:
  std::shared_ptr<State> state_;
};

class SLATEDB_EXPORT WalCursor {
 public:
  ~WalCursor();
  // The next row, or nullopt when the cursor has caught up with the tail (call again later: a
  // new poll of the store happens once `poll_interval` has passed on the clock since the last
  // one). Fences and empty WAL files are stepped over. Errors leave the cursor where it was.
  Result<std::optional<WalRow>> TryNext();
  // The id of the next WAL file the cursor will read (rows of the file before it may still be
  // pending), or the one it waits for at the tail, or the missing one after a gap error.
  uint64_t next_wal_id() const;

 private:
  friend class WalReader;
  struct Impl;
  struct PrivateTag {
    explicit PrivateTag() = default;
  };

 public:
  // Made by WalReader::CursorAt* (the tag is private).
  WalCursor(PrivateTag, std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace slatedb
