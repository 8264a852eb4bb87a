// slatedb/write_batch.h — an atomic group of puts, merges and deletes.
//
// All operations of a batch get one sequence number and one create_ts and become visible and
// durable together. A later operation on the same key replaces an earlier one in the same batch
// (as in SlateDB), except that merges on one key are folded in order onto what precedes them
// in the batch (a put followed by merges becomes the merged value). Keys are validated when the
// batch is written (Db::Write): empty keys and keys over 65,535 bytes are kInvalid, naming the op.
// Thread safety: none (build a batch on one thread, then hand it to Write). Ownership: the batch
// copies keys and values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "slatedb/export.h"
#include "slatedb/options.h"

namespace slatedb {

class SLATEDB_EXPORT WriteBatch {
 public:
  enum class OpType : uint8_t { kPut, kDelete, kMerge };
  struct Op {
    OpType type;
    std::string key;
    std::string value;  // put: the value; merge: the operand; delete: empty
    Ttl ttl;            // put and merge
  };

  void Put(std::string_view key, std::string_view value, const PutOptions& options = {}) {
    ops_.push_back({OpType::kPut, std::string(key), std::string(value), options.ttl});
  }
  // Appends a merge operand for `key` (resolved by the database's merge operator on read).
  void Merge(std::string_view key, std::string_view operand, const MergeOptions& options = {}) {
    ops_.push_back({OpType::kMerge, std::string(key), std::string(operand), options.ttl});
  }
  void Delete(std::string_view key) {
    ops_.push_back({OpType::kDelete, std::string(key), std::string(), Ttl::Default()});
  }
  void Clear() { ops_.clear(); }
  size_t size() const { return ops_.size(); }
  bool empty() const { return ops_.empty(); }
  const std::vector<Op>& ops() const { return ops_; }

 private:
  std::vector<Op> ops_;
};

}  // namespace slatedb
