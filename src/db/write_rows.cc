#include "db/write_rows.h"

#include <algorithm>
#include <numeric>
#include <string>

#include "util/printable.h"
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

Result<PendingRows> RowsFromBatch(const WriteBatch& batch, const MergeOperator* merge_operator) {
  const auto& ops = batch.ops();
  auto op_error = [&](size_t i, const std::string& what) {
    if (ops.size() == 1) return Status::Invalid(what);
    return Status::Invalid("write batch op " + std::to_string(i) + ": " + what);
  };
  for (size_t i = 0; i < ops.size(); ++i) {
    Status st = ValidateKey(ops[i].key);
    if (!st.ok()) return op_error(i, st.message());
    if (ops[i].ttl.kind == Ttl::Kind::kExpireAfter && ops[i].ttl.value < 0) {
      return op_error(i, "negative ttl " + std::to_string(ops[i].ttl.value) + " ms (key of " +
                             std::to_string(ops[i].key.size()) + " bytes)");
    }
    if (ops[i].value.size() > UINT32_MAX) {
      return op_error(i, "value of " + std::to_string(ops[i].value.size()) +
                             " bytes exceeds the maximum of 4294967295 bytes");
    }
    if (ops[i].type == WriteBatch::OpType::kMerge && merge_operator == nullptr) {
      return op_error(i,
                      "merge operator not configured (Components::merge_operator) for a merge "
                      "of key '" +
                          util::PrintableKey(ops[i].key) + "'");
    }
  }
  // Sort op indexes by key, stable: among equal keys the batch order is kept.
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
  out.ttl.reserve(ops.size());
  size_t i = 0;
  while (i < order.size()) {
    size_t end = i + 1;
    while (end < order.size() && ops[order[end]].key == ops[order[i]].key) ++end;
    // The last put/delete of the key replaces everything before it; merges after it fold on.
    size_t base = i;
    for (size_t j = i; j < end; ++j) {
      if (ops[order[j]].type != WriteBatch::OpType::kMerge) base = j;
    }
    const WriteBatch::Op& first = ops[order[base]];
    format::RowView row;
    row.key = first.key;
    Ttl ttl = first.ttl;
    std::vector<std::string_view> operands;
    for (size_t j = base + (first.type == WriteBatch::OpType::kMerge ? 0 : 1); j < end; ++j) {
      const WriteBatch::Op& op = ops[order[j]];
      if (first.type == WriteBatch::OpType::kMerge && !(op.ttl == first.ttl)) {
        return op_error(order[j], "merges of key '" + util::PrintableKey(op.key) +
                                      "' with different ttls in one batch");
      }
      operands.push_back(op.value);
    }
    if (first.type == WriteBatch::OpType::kPut && operands.empty()) {
      row.kind = format::RowKind::kValue;
      row.value = first.value;
    } else if (first.type == WriteBatch::OpType::kDelete && operands.empty()) {
      row.kind = format::RowKind::kTombstone;
      ttl = Ttl::Default();
    } else if (first.type == WriteBatch::OpType::kMerge) {
      // Merges alone: one operand combining them (an associative operator, see merge_operator.h).
      // Even a lone operand goes through the operator (as SlateDB does), so an operand the
      // operator refuses (e.g. uint64-add of 2 bytes) fails this write, naming the key, instead
      // of making the key unreadable later.
      row.kind = format::RowKind::kMerge;
      Result<std::string> merged = merge_operator->MergeBatch(row.key, std::nullopt, operands);
      if (!merged.ok()) {
        return merged.status().WithContext("merging key '" + util::PrintableKey(row.key) + "'");
      }
      row.value = out.owned.emplace_back(std::move(merged).value());
    } else {
      // A put or a delete followed by merges: the merged value (onto nothing after a delete).
      std::optional<std::string_view> existing;
      if (first.type == WriteBatch::OpType::kPut) existing = first.value;
      Result<std::string> merged = merge_operator->MergeBatch(row.key, existing, operands);
      if (!merged.ok())
        return merged.status().WithContext("merging key '" + util::PrintableKey(row.key) + "'");
      row.kind = format::RowKind::kValue;
      row.value = out.owned.emplace_back(std::move(merged).value());
      // The put's ttl governs the value; after a delete the value takes the last merge's ttl.
      if (first.type == WriteBatch::OpType::kDelete) ttl = ops[order[end - 1]].ttl;
    }
    if (row.value.size() > UINT32_MAX) {
      return Status::Invalid("merged value of key '" + util::PrintableKey(row.key) + "' has " +
                             std::to_string(row.value.size()) +
                             " bytes, over the maximum of 4294967295 bytes");
    }
    out.bytes += row.EstimatedSize();
    out.rows.push_back(row);
    out.ttl.push_back(ttl);
    i = end;
  }
  return out;
}

std::optional<int64_t> ExpireTs(int64_t create_ts, const Ttl& ttl,
                                std::optional<uint64_t> default_ttl) {
  switch (ttl.kind) {
    case Ttl::Kind::kNoExpiry:
      return std::nullopt;
    case Ttl::Kind::kExpireAt:
      return ttl.value;
    case Ttl::Kind::kExpireAfter:
      if (ttl.value < 0) return create_ts;  // rejected by RowsFromBatch; expired at once otherwise
      return util::CheckedAdd(create_ts, ttl.value);  // nullopt on overflow: no expiry
    case Ttl::Kind::kDefault:
      break;
  }
  if (!default_ttl) return std::nullopt;
  // An expiry beyond the representable range is no expiry (as in SlateDB): saturate, never wrap
  // into the past (which would make the first compaction drop the row).
  if (*default_ttl > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return util::CheckedAdd(create_ts, static_cast<int64_t>(*default_ttl));
}

void StampRows(PendingRows& pending, uint64_t seq, int64_t create_ts,
               std::optional<uint64_t> default_ttl) {
  for (size_t i = 0; i < pending.rows.size(); ++i) {
    format::RowView& row = pending.rows[i];
    row.seq = seq;
    row.create_ts = create_ts;
    if (row.kind != format::RowKind::kTombstone) {
      row.expire_ts = ExpireTs(create_ts, pending.ttl[i], default_ttl);
    }
  }
}

}  // namespace slatedb::db
