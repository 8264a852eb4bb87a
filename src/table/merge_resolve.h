// table/merge_resolve.h — resolving and collapsing merge operands (SlateDB RFC-0006;
// docs/format.md §11).
//
// What:
//   * `MergeResolver` turns the versions of one key, fed newest first (every one visible to the
//     read: seq <= its snapshot seq), into what a read returns. The newest value, tombstone or
//     expired value is the base (a tombstone or an expired value = no existing value; an
//     expired operand is skipped); every newer live operand is folded onto it oldest first with
//     MergeOperator::MergeBatch. The result carries the seq of the newest row folded, the
//     largest create_ts and the smallest expire_ts of the rows folded (base value included), as
//     SlateDB's merge iterator does. Every read path (point Get across memtables, L0 and sorted
//     runs, scans in both directions, DbReader) uses it.
//   * `CollapseOperands` is the write side (L0 flush and compaction): the versions of one key
//     that no snapshot tells apart are folded into as few rows as possible without changing
//     what any read returns or when anything expires.
// Expiry: `now` is the clock tick rows are judged against (expire_ts <= now = expired);
// nullopt applies no expiry. Reads pass nullopt: like SlateDB 0.12.1 (and 0.17), expiry is
// applied by compaction only (docs/format.md §11).
// Thread safety: a MergeResolver is used by one thread; CollapseOperands is a pure function.
// The operator is shared and must be thread-safe (slatedb/merge_operator.h).
// Ownership: the resolver copies what it keeps; it does not own the operator, which must
// outlive it.
// Errors: an operand met with no operator configured → kInvalid "merge operator not
// configured: key '<key>' has merge operands"; an operator error is returned with the key
// named (e.g. kInvalid "uint64-add: operand of key 'k' has 3 bytes, not 8 ...").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "format/row.h"
#include "slatedb/iterator.h"
#include "slatedb/merge_operator.h"
#include "slatedb/status.h"

namespace slatedb::table {

class MergeResolver {
 public:
  // `op` may be null (no operator configured).
  MergeResolver(const MergeOperator* op, std::optional<int64_t> now) : op_(op), now_(now) {}

  // Forgets the previous key.
  void Reset();

  // Feeds the next (older) version of the key. REQUIRES: !done(), same key as the rows before.
  Status Add(const format::RowEntry& row);
  // The same, taking the row's key and value instead of copying them (a Get's row from an SST).
  Status Add(format::RowEntry&& row);

  // True once a base (value, tombstone, expired value) was met: older versions cannot matter.
  bool done() const { return done_; }

  // What a read returns given the rows added so far (call after done() or after the oldest
  // version): the value, or nullopt (no rows, a tombstone, only expired rows). May run the
  // operator. Once: it moves the key and value out (Reset before resolving another key).
  Result<std::optional<KeyValue>> Finish();
  // The same answer written into `*out` (its strings' capacity reused, so a scan that resolves
  // row after row allocates nothing in steady state): true = a value, false = none (`*out`
  // unspecified). Errors as Finish.
  Result<bool> FinishInto(KeyValue* out);

 private:
  // Finish / FinishInto; `take_base`: move the key and base value out (Finish's fresh KeyValue)
  // instead of copying them (FinishInto keeps their capacity for the next key).
  Result<bool> Resolve(KeyValue* out, bool take_base);
  template <class Row>
  Status AddRow(Row&& row);  // Add's two forms (copying from a const row, moving from an rvalue)

  const MergeOperator* op_;
  std::optional<int64_t> now_;
  bool done_ = false;
  bool any_ = false;  // a row contributes (operand or base value)
  std::string key_;
  std::vector<std::string> operands_;  // newest first
  std::string base_;                   // the base value, if has_base_ (kept for its capacity)
  bool has_base_ = false;              // a live value ended the search
  uint64_t seq_ = 0;
  std::optional<int64_t> create_ts_;
  std::optional<int64_t> expire_ts_;
};

// The rows a key's versions `rows` (newest first, all at or below the retention bound, expiry
// already applied by the caller: expired operands removed, expired values turned into
// tombstones) collapse into. `rows` holds operands and at most one base, last (the first value
// or tombstone at or below the bound). Runs of adjacent operands with the same expire_ts are
// folded into one operand (operands with different expire_ts stay apart so each expires on its
// own, as SlateDB's compaction keeps them); the oldest run folds onto the base when the base is a
// tombstone (→ a value merged onto nothing) or a value with the same expire_ts (→ a value);
// with `bottom` (no older version of the key exists anywhere) and no base, the oldest run
// becomes a value merged onto nothing. A folded row has the seq of its newest row, the largest
// create_ts and the run's expire_ts. An operator error is returned naming the key (callers keep
// `rows` unchanged then).
Result<std::vector<format::RowEntry>> CollapseOperands(const MergeOperator& op,
                                                       const std::vector<format::RowEntry>& rows,
                                                       bool bottom);

}  // namespace slatedb::table
