#include "db/write_rows.h"

#include <algorithm>
#include <numeric>
#include <string>

#include "util/saturating.h"

namespace slatedb::db {

Status ValidateKey(std::string_view key) {
  if (key.empty()) return Status::Invalid("key is empty");
  if (key.size() > format::kMaxKeySize) {
    return Status::Invalid("key of " + std::to_string(key.size()) +
                           " bytes exceeds the maximum of " + std::to_string(format::kMaxKeySize) +
                           " bytes");
  }
  return Status::OK();
}

Result<PendingRows> RowsFromBatch(const WriteBatch& batch) {
  const auto& ops = batch.ops();
  for (size_t i = 0; i < ops.size(); ++i) {
    Status st = ValidateKey(ops[i].key);
    if (!st.ok()) {
      if (ops.size() == 1) return st;
      return Status::Invalid("write batch op " + std::to_string(i) + ": " + st.message());
    }
    if (ops[i].ttl_ms && *ops[i].ttl_ms < 0) {
      return Status::Invalid("write batch op " + std::to_string(i) + " (key of " +
                             std::to_string(ops[i].key.size()) + " bytes): negative ttl " +
                             std::to_string(*ops[i].ttl_ms) + " ms");
    }
    if (ops[i].value.size() > UINT32_MAX) {
      return Status::Invalid("value of " + std::to_string(ops[i].value.size()) +
                             " bytes exceeds the maximum of 4294967295 bytes");
    }
  }
  // Sort op indexes by key; among equal keys the later op wins.
  std::vector<size_t> order(ops.size());
  std::iota(order.begin(), order.end(), size_t{0});
  bool sorted = true;
  for (size_t i = 1; i < ops.size() && sorted; ++i) sorted = ops[i - 1].key < ops[i].key;
  if (!sorted) {
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return ops[a].key < ops[b].key; });
  }
  PendingRows out;
  out.rows.reserve(ops.size());
  out.ttl_ms.reserve(ops.size());
  for (size_t i = 0; i < order.size(); ++i) {
    if (i + 1 < order.size() && ops[order[i]].key == ops[order[i + 1]].key) continue;
    const WriteBatch::Op& op = ops[order[i]];
    format::RowEntry row;
    row.key = op.key;
    if (op.type == WriteBatch::OpType::kPut) {
      row.kind = format::RowKind::kValue;
      row.value = op.value;
      out.ttl_ms.push_back(op.ttl_ms);
    } else {
      row.kind = format::RowKind::kTombstone;
      out.ttl_ms.push_back(std::nullopt);
    }
    out.bytes += row.EstimatedSize();
    out.rows.push_back(std::move(row));
  }
  return out;
}

std::optional<int64_t> ExpireTs(int64_t create_ts, std::optional<int64_t> ttl_ms,
                                std::optional<uint64_t> default_ttl) {
  std::optional<uint64_t> ttl;
  if (ttl_ms) {
    if (*ttl_ms < 0) return create_ts;  // rejected by RowsFromBatch; expired at once otherwise
    ttl = static_cast<uint64_t>(*ttl_ms);
  } else {
    ttl = default_ttl;
  }
  if (!ttl) return std::nullopt;
  // An expiry beyond the representable range is no expiry (as in SlateDB): saturate, never wrap
  // into the past (which would make the first compaction drop the row).
  if (*ttl > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  std::optional<int64_t> expire = util::CheckedAdd(create_ts, static_cast<int64_t>(*ttl));
  return expire;  // nullopt on overflow
}

void StampRows(PendingRows& pending, uint64_t seq, int64_t create_ts,
               std::optional<uint64_t> default_ttl) {
  for (size_t i = 0; i < pending.rows.size(); ++i) {
    format::RowEntry& row = pending.rows[i];
    row.seq = seq;
    row.create_ts = create_ts;
    if (row.kind == format::RowKind::kValue) {
      row.expire_ts = ExpireTs(create_ts, pending.ttl_ms[i], default_ttl);
    }
  }
}

}  // namespace slatedb::db
