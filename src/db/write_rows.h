// db/write_rows.h — turning a public WriteBatch into the rows one committed batch writes.
//
// What: key validation (1..65,535 bytes) and the batch → rows conversion the write path runs on
// the caller's thread, before the batch is handed to the write task: rows sorted by key (the
// order a WAL SST stores a batch in, docs/format.md §6.1), one row per key (a later op on the same
// key replaces an earlier one, as in SlateDB's batch), seq and timestamps not yet stamped. A put's
// time to live travels in `ttl_ms` until the write task stamps create_ts and turns it into
// expire_ts (StampRows). Thread safety: pure functions. Ownership: returns values. Errors: kInvalid
// "key is empty" / "key of 65536 bytes exceeds the maximum of 65535 bytes" (naming the op index for
// batches).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "format/row.h"
#include "slatedb/status.h"
#include "slatedb/write_batch.h"

namespace slatedb::db {

struct PendingRows {
  std::vector<format::RowEntry> rows;          // sorted by key, unique keys
  std::vector<std::optional<int64_t>> ttl_ms;  // parallel to rows (puts only)
  size_t bytes = 0;                            // sum of EstimatedSize()
};

// OK or kInvalid naming the problem.
Status ValidateKey(std::string_view key);

// Validates every op and builds the rows. An empty batch gives no rows (OK).
Result<PendingRows> RowsFromBatch(const WriteBatch& batch);

// The expire_ts of a put written at `create_ts` with its own `ttl_ms` (else `default_ttl`):
// nullopt for no ttl, and also when create_ts + ttl does not fit in an int64 (saturation: an
// expiry that cannot be represented is no expiry).
std::optional<int64_t> ExpireTs(int64_t create_ts, std::optional<int64_t> ttl_ms,
                                std::optional<uint64_t> default_ttl);

// Stamps seq, create_ts and expire_ts (create_ts + ttl, the op's own or `default_ttl`).
void StampRows(PendingRows& pending, uint64_t seq, int64_t create_ts,
               std::optional<uint64_t> default_ttl);

}  // namespace slatedb::db
