// slatedb/transaction.h — optimistic transactions (SlateDB RFC-0011 `DbTransaction`).
//
// Db::Begin(level) starts a transaction at the database's last committed seq (its snapshot,
// seq()). Writes (Put, Merge, Delete) are buffered in the transaction; reads (the DbRead
// interface) see the buffered writes on top of the snapshot: a buffered put or delete replaces
// the snapshot's value, buffered merges are folded (Components::merge_operator) onto the value
// below them (the buffered put, nothing after a buffered delete, or the snapshot's value);
// scans merge the buffer into the snapshot's rows in either direction. A buffered row reports
// seq = UINT64_MAX and no create_ts in GetKeyValue/Scan (it has not been committed yet).
//
// Commit(options) submits the buffer as one atomic batch. Conflicts are checked on the
// database's write thread, atomically with the batch's seq assignment, against the writes
// committed after seq() (other transactions and plain Db writes alike), in memory (no I/O):
//   kSnapshot              fails with kTransaction if one of them wrote a key this transaction
//                          writes (write-write conflict), or a key passed to MarkRead.
//   kSerializableSnapshot  also if one of them wrote a key this transaction read (Get,
//                          GetKeyValue, MultiGet, MarkRead) or a key inside a range it scanned
//                          (the whole requested range, also what the iterator never reached):
//                          committed transactions are serializable in commit-seq order.
// UnmarkWrite(keys) keeps those keys in the batch but out of conflict detection, for this
// transaction and for the transactions it could conflict with. A transaction that buffered no
// write commits trivially (no check; serializable at its snapshot) and its handle has the last
// committed seq. A failed commit is final: start a new transaction to retry.
// After Commit or Rollback every call returns kInvalid ("transaction <id> is already committed"
// / "... already ended: its commit failed" / "... is already rolled back"); Rollback is
// idempotent (but kInvalid after a commit). Destroying an unfinished
// transaction rolls it back. The commit-tracking memory the database keeps for conflict checks
// is released as transactions end (nothing is kept while no transaction is active); if it
// would exceed its cap, the oldest entries are dropped and transactions that began before them
// fail their commit with kTransaction ("conflict history truncated").
// Thread safety: one thread at a time per transaction (distinct transactions are independent).
// Ownership: the caller owns it; it may outlive its Db (calls then return kClosed).
// Errors: kTransaction (conflict), kInvalid (bad key, merge without a merge operator, finished
// transaction), kClosed (database closed), and the write path's errors (slatedb/db.h).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "slatedb/db_read.h"
#include "slatedb/export.h"
#include "slatedb/options.h"
#include "slatedb/status.h"
#include "slatedb/write_handle.h"

namespace slatedb {

enum class IsolationLevel : uint8_t {
  kSnapshot,              // SI: write-write conflicts
  kSerializableSnapshot,  // SSI: also read-write conflicts (keys read, ranges scanned)
};

class SLATEDB_EXPORT Transaction : public DbRead {
 public:
  ~Transaction() override = default;

  virtual Status Put(std::string_view key, std::string_view value,
                     const PutOptions& options = PutOptions()) = 0;
  // kInvalid without Components::merge_operator.
  virtual Status Merge(std::string_view key, std::string_view operand,
                       const MergeOptions& options = MergeOptions()) = 0;
  virtual Status Delete(std::string_view key) = 0;
  // Treats `keys` as read for conflict detection, at either isolation level.
  virtual Status MarkRead(const std::vector<std::string>& keys) = 0;
  // Excludes `keys` from write-conflict detection (before or after writing them; for the rest of
  // the transaction). They are still written by Commit.
  virtual Status UnmarkWrite(const std::vector<std::string>& keys) = 0;

  virtual Result<WriteHandle> Commit(const WriteOptions& options = WriteOptions()) = 0;
  virtual Status Rollback() = 0;

  // The snapshot seq the transaction reads at.
  virtual uint64_t seq() const = 0;
  // A UUID (text form), unique per transaction, drawn from the database's seeded randomness.
  virtual const std::string& id() const = 0;
  virtual IsolationLevel isolation_level() const = 0;
};

}  // namespace slatedb
