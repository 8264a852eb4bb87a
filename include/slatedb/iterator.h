// slatedb/iterator.h — range scans over a Db or DbReader.
//
// A DbIterator yields the visible version of each key in [start, end) in ascending order, or
// descending with `reverse`. It reads a consistent snapshot taken when the scan started.
// Thread safety: one iterator per thread. Ownership: the iterator keeps what it reads alive; it
// must be destroyed before its Db is destroyed (Close() may run while it exists; later calls
// then return kClosed).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "slatedb/export.h"
#include "slatedb/options.h"
#include "slatedb/status.h"

namespace slatedb {

struct KeyValue {
  std::string key;
  std::string value;
  uint64_t seq = 0;
  std::optional<int64_t> create_ts;
  std::optional<int64_t> expire_ts;
};

// Half-open key range; an absent bound is unbounded.
struct ScanRange {
  std::optional<std::string> start;  // inclusive
  std::optional<std::string> end;    // exclusive
};

struct ScanOptions {
  ReadOptions read;
  bool reverse = false;
};

class SLATEDB_EXPORT DbIterator {
 public:
  virtual ~DbIterator() = default;
  // The next row, or std::nullopt at the end of the range. Errors: kData (corrupt object, names
  // it), kUnavailable (object store), kClosed.
  virtual Result<std::optional<KeyValue>> Next() = 0;
  // The same, written into `*row`: true = a row, false = the end of the range (`*row` then
  // unspecified). A scan that passes the same KeyValue each time reuses its strings' memory, so
  // it allocates nothing per row. Errors as Next.
  virtual Result<bool> NextInto(KeyValue* row) {
    ASSIGN_OR_RETURN(std::optional<KeyValue> next, Next());
    if (!next) return false;
    *row = std::move(*next);
    return true;
  }
  // Repositions: the next Next() returns the first key >= key (forward) or <= key (reverse),
  // still within the range. kInvalid if key lies outside the range.
  virtual Status Seek(std::string_view key) = 0;
};

}  // namespace slatedb
