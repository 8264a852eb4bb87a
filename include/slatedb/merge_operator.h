// slatedb/merge_operator.h — merge operators: read-modify-write without a read (SlateDB RFC-0006,
// RocksDB's associative merge operators).
//
// Db::Merge(key, operand) stores an operand; reads resolve the newest value (or nothing, after
// a tombstone or expiry) and every newer operand, oldest first, through the database's merge
// operator (Components::merge_operator). Compaction collapses operands the same way, keeping every
// version a live snapshot can see. Operands may be combined with one another before the value
// below them is known (in a batch, in a flush, in compaction): a then b becomes
// Merge(key, a, b), stored as one operand. An operator must therefore be associative: applying
// a then b to v must equal applying Merge(key, a, b) to v (string append and addition are).
// Thread safety: an operator is called concurrently from any thread (reads, flushes,
// compaction); implementations must be thread-safe and must not call back into the database.
// Ownership: shared (Components holds a shared_ptr).
// Errors: an operator returns a non-OK Status to refuse an operand (e.g. kInvalid "uint64-add:
// operand of key 'k' has 3 bytes, not 8"); a read that runs it fails with that error, naming the
// key; an L0 flush or a compaction that meets it keeps that key's operands unmerged instead (so
// nothing is lost and the database keeps working; the key's reads report the error).
// Without an operator, reading a key whose newest version is an operand is kInvalid "merge
// operator not configured: key '<key>' has merge operands"; compaction keeps operands as they are.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "slatedb/export.h"
#include "slatedb/status.h"

namespace slatedb {

class SLATEDB_EXPORT MergeOperator {
 public:
  virtual ~MergeOperator() = default;
  // A short stable name for logs and the CLI (e.g. "string-append").
  virtual std::string_view name() const = 0;
  // Combines the existing value (absent: no value, or only older operands) with one operand.
  virtual Result<std::string> Merge(std::string_view key,
                                    std::optional<std::string_view> existing_value,
                                    std::string_view operand) const = 0;
  // Combines `operands` (oldest first) onto `existing_value`. The default folds Merge over
  // them; override when a batch can be combined faster.
  virtual Result<std::string> MergeBatch(std::string_view key,
                                         std::optional<std::string_view> existing_value,
                                         const std::vector<std::string_view>& operands) const;
};

// Built-in operators (RocksDB's semantics).
// string-append: existing + delimiter + operand; no existing value: the operand alone.
SLATEDB_EXPORT std::shared_ptr<MergeOperator> StringAppendOperator(std::string delimiter = ",");
// uint64-add: values and operands are 8-byte little-endian unsigned integers; the result is their
// sum mod 2^64. An operand or existing value of another size is kInvalid naming the key.
SLATEDB_EXPORT std::shared_ptr<MergeOperator> UInt64AddOperator();

}  // namespace slatedb
