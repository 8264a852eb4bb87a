// slatedb/write_batch.h — an atomic group of puts and deletes.
//
// All operations of a batch get one sequence number and become visible and durable together.
// Keys are validated when the batch is written (Db::Write): empty keys and keys over 65,535
// bytes are kInvalid. Thread safety: none (build a batch on one thread, then hand it to Write).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "slatedb/export.h"

namespace slatedb {

class SLATEDB_EXPORT WriteBatch {
 public:
  enum class OpType : uint8_t { kPut, kDelete };
  struct Op {
    OpType type;
    std::string key;
    std::string value;
    std::optional<int64_t> ttl_ms;  // put only; absent = settings.default_ttl
  };

  void Put(std::string_view key, std::string_view value) {
    ops_.push_back({OpType::kPut, std::string(key), std::string(value), std::nullopt});
  }
  void PutWithTtl(std::string_view key, std::string_view value, int64_t ttl_ms) {
    ops_.push_back({OpType::kPut, std::string(key), std::string(value), ttl_ms});
  }
  void Delete(std::string_view key) {
    ops_.push_back({OpType::kDelete, std::string(key), std::string(), std::nullopt});
  }
  void Clear() { ops_.clear(); }
  size_t size() const { return ops_.size(); }
  bool empty() const { return ops_.empty(); }
  const std::vector<Op>& ops() const { return ops_; }

 private:
  std::vector<Op> ops_;
};

}  // namespace slatedb
