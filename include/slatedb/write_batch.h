// slatedb/write_batch.h — an atomic group of puts, merges and deletes.
//
// All operations of a batch get one sequence number and one create_ts and become visible and
// durable together. A later operation on the same key replaces an earlier one in the same batch
// (as in SlateDB), except that merges on one key are folded in order onto what precedes them
// in the batch (a put followed by merges becomes the merged value). Keys are validated when the
// batch is written (Db::Write): empty keys and keys over 65,535 bytes are kInvalid, naming the op.
// Thread safety: none (build a batch on one thread, then hand it to Write). Ownership: the batch
// copies keys and values. Clear() keeps the ops' memory for reuse, so a batch cleared and refilled
// (the usual loop) allocates only when an op's key or value outgrows what that slot held before;
// destroy the batch to release it.
#pragma once

#include <cstdint>
#include <span>
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
    OpType type = OpType::kPut;
    std::string key;
    std::string value;  // put: the value; merge: the operand; delete: empty
    Ttl ttl;            // put and merge
  };

  void Put(std::string_view key, std::string_view value, const PutOptions& options = {}) {
    Append(OpType::kPut, key, value, options.ttl);
  }
  // Appends a merge operand for `key` (resolved by the database's merge operator on read).
  void Merge(std::string_view key, std::string_view operand, const MergeOptions& options = {}) {
    Append(OpType::kMerge, key, operand, options.ttl);
  }
  void Delete(std::string_view key) { Append(OpType::kDelete, key, {}, Ttl::Default()); }
  void Clear() { size_ = 0; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // The ops in the order they were added.
  std::span<const Op> ops() const { return {ops_.data(), size_}; }

 private:
  void Append(OpType type, std::string_view key, std::string_view value, Ttl ttl) {
    if (size_ == ops_.size()) ops_.emplace_back();
    Op& op = ops_[size_++];
    op.type = type;
    op.key.assign(key);
    op.value.assign(value);
    op.ttl = ttl;
  }

  std::vector<Op> ops_;  // [0, size_) are the batch; the rest keep their capacity (Clear)
  size_t size_ = 0;
};

}  // namespace slatedb
