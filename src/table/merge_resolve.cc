// table/merge_resolve.cc — see merge_resolve.h.
#include "table/merge_resolve.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "util/printable.h"

namespace slatedb::table {

namespace {

using format::RowEntry;
using format::RowKind;

Status NoOperator(std::string_view key) {
  return Status::Invalid("merge operator not configured: key '" + util::PrintableKey(key) +
                         "' has merge operands");
}

Status OperatorError(const Status& st, std::string_view key) {
  return st.WithContext("merging key '" + util::PrintableKey(key) + "'");
}

std::optional<int64_t> MinTs(std::optional<int64_t> a, std::optional<int64_t> b) {
  if (!a) return b;
  if (!b) return a;
  return std::min(*a, *b);
}

std::optional<int64_t> MaxTs(std::optional<int64_t> a, std::optional<int64_t> b) {
  if (!a) return b;
  if (!b) return a;
  return std::max(*a, *b);
}

// Folds `run` (operands newest first, all of one expire_ts) onto `base` (a value or nothing) into
// one row of kind `kind`.
Result<RowEntry> Fold(const MergeOperator& op, const std::vector<const RowEntry*>& run,
                      const RowEntry* base, RowKind kind) {
  const RowEntry& newest = *run.front();
  std::vector<std::string_view> operands;
  operands.reserve(run.size());
  RowEntry out;
  out.key = newest.key;
  out.seq = newest.seq;
  out.kind = kind;
  out.expire_ts = newest.expire_ts;
  for (auto it = run.rbegin(); it != run.rend(); ++it) {
    operands.push_back((*it)->value);
    out.create_ts = MaxTs(out.create_ts, (*it)->create_ts);
  }
  std::optional<std::string_view> existing;
  if (base != nullptr && base->kind == RowKind::kValue) {
    existing = base->value;
    out.create_ts = MaxTs(out.create_ts, base->create_ts);
  }
  Result<std::string> merged = op.MergeBatch(out.key, existing, operands);
  if (!merged.ok()) return OperatorError(merged.status(), out.key);
  out.value = std::move(*merged);
  return out;
}

}  // namespace

void MergeResolver::Reset() {
  done_ = false;
  any_ = false;
  key_.clear();
  operands_.clear();
  has_base_ = false;
  seq_ = 0;
  create_ts_.reset();
  expire_ts_.reset();
}

template <class Row>
Status MergeResolver::AddRow(Row&& row) {
  if (done_) return Status::OK();
  const bool expired = now_ && row.expire_ts && *row.expire_ts <= *now_;
  if (row.kind == RowKind::kMerge) {
    if (expired) return Status::OK();  // an expired operand is skipped
    if (op_ == nullptr) return NoOperator(row.key);
  } else {
    done_ = true;  // a tombstone or an expired value: no existing value
    if (row.kind == RowKind::kTombstone || expired) return Status::OK();
  }
  if (!any_) {
    any_ = true;
    key_ = std::forward<Row>(row).key;
    seq_ = row.seq;
  }
  create_ts_ = MaxTs(create_ts_, row.create_ts);
  expire_ts_ = MinTs(expire_ts_, row.expire_ts);
  if (row.kind == RowKind::kMerge) {
    operands_.push_back(std::forward<Row>(row).value);
  } else {
    base_ = std::forward<Row>(row).value;
    has_base_ = true;
  }
  return Status::OK();
}

Status MergeResolver::Add(const RowEntry& row) { return AddRow(row); }

Status MergeResolver::Add(RowEntry&& row) { return AddRow(std::move(row)); }

Result<std::optional<KeyValue>> MergeResolver::Finish() {
  KeyValue kv;
  ASSIGN_OR_RETURN(bool found, Resolve(&kv, /*take_base=*/true));
  if (!found) return std::optional<KeyValue>();
  return std::optional<KeyValue>(std::move(kv));
}

Result<bool> MergeResolver::FinishInto(KeyValue* out) { return Resolve(out, false); }

Result<bool> MergeResolver::Resolve(KeyValue* out, bool take_base) {
  if (!any_) return false;
  if (take_base) {
    out->key = std::move(key_);
  } else {
    out->key = key_;
  }
  out->seq = seq_;
  out->create_ts = create_ts_;
  out->expire_ts = expire_ts_;
  if (operands_.empty()) {
    // A value alone (any_ without operands means a base value).
    if (take_base) {
      out->value = std::move(base_);
    } else {
      out->value = base_;
    }
    return true;
  }
  std::vector<std::string_view> operands;
  operands.reserve(operands_.size());
  for (auto it = operands_.rbegin(); it != operands_.rend(); ++it) operands.push_back(*it);
  std::optional<std::string_view> existing;
  if (has_base_) existing = base_;
  Result<std::string> merged = op_->MergeBatch(out->key, existing, operands);
  if (!merged.ok()) return OperatorError(merged.status(), out->key);
  out->value = std::move(*merged);
  return true;
}

Result<std::vector<RowEntry>> CollapseOperands(const MergeOperator& op,
                                               const std::vector<RowEntry>& rows, bool bottom) {
  std::vector<RowEntry> out;
  out.reserve(rows.size());
  const RowEntry* base = nullptr;
  size_t n = rows.size();
  if (n > 0 && rows.back().kind != RowKind::kMerge) {
    base = &rows.back();
    --n;
  }
  std::vector<const RowEntry*> run;
  size_t i = 0;
  while (i < n) {
    run.clear();
    size_t j = i;
    while (j < n && rows[j].expire_ts == rows[i].expire_ts) run.push_back(&rows[j++]);
    const bool oldest_run = j == n;
    if (oldest_run && base != nullptr &&
        (base->kind == RowKind::kTombstone || base->expire_ts == rows[i].expire_ts)) {
      ASSIGN_OR_RETURN(RowEntry folded, Fold(op, run, base, RowKind::kValue));
      out.push_back(std::move(folded));
      return out;  // the base is folded in
    }
    if (oldest_run && base == nullptr && bottom) {
      ASSIGN_OR_RETURN(RowEntry folded, Fold(op, run, nullptr, RowKind::kValue));
      out.push_back(std::move(folded));
      return out;
    }
    if (run.size() == 1) {
      out.push_back(*run.front());
    } else {
      ASSIGN_OR_RETURN(RowEntry folded, Fold(op, run, nullptr, RowKind::kMerge));
      out.push_back(std::move(folded));
    }
    i = j;
  }
  if (base != nullptr) out.push_back(*base);
  return out;
}

}  // namespace slatedb::table
