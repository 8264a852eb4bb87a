// db/write_rows.h — turning a public WriteBatch into the rows one committed batch writes.
//
// What: key validation (1..65,535 bytes) and the batch → rows conversion the write path runs on
// the caller's thread, before the batch is committed (db/write_path.h): rows sorted by key (the
// order a WAL SST stores a batch in, docs/format.md §6.1), one row per key (a later put or delete
// on the same key replaces an earlier op, merges are folded, as in SlateDB's batch), seq and
// timestamps not yet stamped. A row's time to live travels in `ttl` until the write path stamps
// create_ts and turns it into expire_ts (StampRows). Thread safety: pure functions. Ownership:
// the rows are views: keys and values point into the WriteBatch (which must outlive the
// PendingRows: the write copies them into the memtable) or, for folded merges, into `owned`.
// Errors: kInvalid "key is empty" / "key of 65536 bytes exceeds the maximum of 65535 bytes" (naming
// the op index for batches).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "format/row.h"
#include "slatedb/merge_operator.h"
#include "slatedb/options.h"
#include "slatedb/status.h"
#include "slatedb/write_batch.h"

namespace slatedb::db {

struct PendingRows {
  std::vector<format::RowView> rows;  // sorted by key, unique keys; views (see above)
  std::deque<std::string> owned;      // values the conversion made (merged), which rows view
  std::vector<Ttl> ttl;               // parallel to rows (puts and merges)
  size_t bytes = 0;                   // sum of EstimatedSize()
};

// OK or kInvalid naming the problem.
Status ValidateKey(std::string_view key);

// Validates every op and builds the rows. An empty batch gives no rows (OK). Per key, a put or
// delete replaces what came before it in the batch; merges after it are folded onto it with
// `merge_operator` (a put + merges becomes one value; merges alone become one operand, or one
// tombstone + merges one value merged onto nothing). Merges without an operator are kInvalid;
// merges of one key with different ttls are kInvalid (SlateDB: IncompatibleMergeTtls).
Result<PendingRows> RowsFromBatch(const WriteBatch& batch, const MergeOperator* merge_operator);

// The expire_ts of a row written at `create_ts` with time to live `ttl` (Ttl::Default() =
// `default_ttl`): nullopt for no expiry, and also when create_ts + ttl does not fit in an int64
// (saturation: an expiry that cannot be represented is no expiry).
std::optional<int64_t> ExpireTs(int64_t create_ts, const Ttl& ttl,
                                std::optional<uint64_t> default_ttl);

// Stamps seq, create_ts and expire_ts (from each row's ttl).
void StampRows(PendingRows& pending, uint64_t seq, int64_t create_ts,
               std::optional<uint64_t> default_ttl);

}  // namespace slatedb::db
