// slatedb/db_read.h — the read interface shared by Db, DbReader, Snapshot and Transaction
// (SlateDB's `DbRead`).
//
// Get returns the visible value of a key (std::nullopt if absent, deleted or expired — a missing
// key is not an error); GetKeyValue also returns the row's metadata; Scan iterates a half-open
// range; ScanPrefix iterates the keys that start with a prefix; MultiGet answers many keys in one
// call, in the order given (fetching from object storage concurrently where the implementation
// can). Merge operands are resolved through the database's merge operator.
// Thread safety: as the implementing class says (Db, DbReader and Snapshot: any thread; a
// Transaction: one thread at a time). Ownership: iterators must not outlive their source.
// Errors: kInvalid (empty or oversized key, a merge operand without a merge operator), kData
// (corrupt object, named), kUnavailable (object store), kClosed (source closed).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "slatedb/export.h"
#include "slatedb/iterator.h"
#include "slatedb/options.h"
#include "slatedb/status.h"

namespace slatedb {

// The range of keys starting with `prefix`: [prefix, the next prefix); an empty prefix, or one
// made only of 0xff bytes, has no exclusive end.
SLATEDB_EXPORT ScanRange PrefixRange(std::string_view prefix);

class SLATEDB_EXPORT DbRead {
 public:
  virtual ~DbRead() = default;

  virtual Result<std::optional<std::string>> Get(std::string_view key,
                                                 const ReadOptions& options = ReadOptions()) = 0;
  // Like Get, with the row's metadata (seq, timestamps).
  virtual Result<std::optional<KeyValue>> GetKeyValue(
      std::string_view key, const ReadOptions& options = ReadOptions()) = 0;
  virtual Result<std::unique_ptr<DbIterator>> Scan(const ScanRange& range,
                                                   const ScanOptions& options = ScanOptions()) = 0;
  // Scan(PrefixRange(prefix), options).
  virtual Result<std::unique_ptr<DbIterator>> ScanPrefix(
      std::string_view prefix, const ScanOptions& options = ScanOptions());
  // One answer per key, in order. The default asks Get key by key (so a Transaction sees its
  // buffered writes and, under SSI, tracks every key); Db, DbReader and Snapshot read
  // the SST blocks the keys need concurrently.
  virtual Result<std::vector<std::optional<std::string>>> MultiGet(
      const std::vector<std::string>& keys, const ReadOptions& options = ReadOptions());
};

}  // namespace slatedb
