// db/transaction_impl.h — SnapshotImpl and TransactionImpl, behind slatedb::Snapshot and
// slatedb::Transaction (docs/design.md §19).
//
// What: a snapshot is a registered seq plus reads of the database's *current* sources at that
// seq (TxnSource::GetAt / ScanAt) — not a frozen DbState — so after its memtable is flushed and
// compacted it reads the L0s / sorted runs that kept its versions. A transaction is a snapshot
// plus a write buffer (a WriteBatch for Commit, and a per-key view of it for read-your-writes)
// plus what SSI tracks (keys read, ranges scanned); its commit is checked by the write path.
// Thread safety: SnapshotImpl: any thread (its state is constant). TransactionImpl: one thread at
// a time (slatedb/transaction.h).
// Ownership: both share the TxnManager (which links to the database until ~DbImpl detaches it)
// and release their registration on destruction; iterators keep what they read alive.
// Errors: see slatedb/snapshot.h and slatedb/transaction.h.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "db/txn_manager.h"
#include "slatedb/merge_operator.h"
#include "slatedb/snapshot.h"
#include "slatedb/transaction.h"
#include "slatedb/write_batch.h"

namespace slatedb::db {

class SnapshotImpl final : public slatedb::Snapshot {
 public:
  SnapshotImpl(std::shared_ptr<TxnManager> txns, uint64_t seq);
  ~SnapshotImpl() override;
  SnapshotImpl(const SnapshotImpl&) = delete;
  SnapshotImpl& operator=(const SnapshotImpl&) = delete;

  Result<std::optional<std::string>> Get(std::string_view key, const ReadOptions& options) override;
  Result<std::optional<KeyValue>> GetKeyValue(std::string_view key,
                                              const ReadOptions& options) override;
  Result<std::unique_ptr<DbIterator>> Scan(const ScanRange& range,
                                           const ScanOptions& options) override;
  Result<std::vector<std::optional<std::string>>> MultiGet(const std::vector<std::string>& keys,
                                                           const ReadOptions& options) override;
  uint64_t seq() const override { return seq_; }

 private:
  const std::shared_ptr<TxnManager> txns_;
  const uint64_t seq_;
};

// One key's buffered writes: a base (none = on top of the snapshot, a value, or a tombstone)
// and the merge operands after it, oldest first.
struct BufferedWrite {
  enum class Base : uint8_t { kSnapshot, kValue, kTombstone };
  Base base = Base::kSnapshot;
  std::string value;
  std::vector<std::string> operands;
};

class TransactionImpl final : public Transaction {
 public:
  TransactionImpl(std::shared_ptr<TxnManager> txns, std::shared_ptr<MergeOperator> merge_operator,
                  IsolationLevel level, uint64_t seq, std::string id);
  ~TransactionImpl() override;
  TransactionImpl(const TransactionImpl&) = delete;
  TransactionImpl& operator=(const TransactionImpl&) = delete;

  Result<std::optional<std::string>> Get(std::string_view key, const ReadOptions& options) override;
  Result<std::optional<KeyValue>> GetKeyValue(std::string_view key,
                                              const ReadOptions& options) override;
  Result<std::unique_ptr<DbIterator>> Scan(const ScanRange& range,
                                           const ScanOptions& options) override;

  Status Put(std::string_view key, std::string_view value, const PutOptions& options) override;
  Status Merge(std::string_view key, std::string_view operand,
               const MergeOptions& options) override;
  Status Delete(std::string_view key) override;
  Status MarkRead(const std::vector<std::string>& keys) override;
  Status UnmarkWrite(const std::vector<std::string>& keys) override;
  Result<WriteHandle> Commit(const WriteOptions& options) override;
  Status Rollback() override;

  uint64_t seq() const override { return seq_; }
  const std::string& id() const override { return id_; }
  IsolationLevel isolation_level() const override { return level_; }

 private:
  enum class State : uint8_t { kActive, kCommitted, kCommitFailed, kRolledBack };
  Status CheckActive() const;
  void End();

  const std::shared_ptr<TxnManager> txns_;
  const std::shared_ptr<MergeOperator> merge_operator_;
  const IsolationLevel level_;
  const uint64_t seq_;
  const std::string id_;
  State state_ = State::kActive;
  bool ended_ = false;  // unregistered from txns_
  WriteBatch batch_;
  std::map<std::string, BufferedWrite, std::less<>> buffer_;
  std::set<std::string, std::less<>> read_keys_;
  std::vector<ScanRange> read_ranges_;
  std::set<std::string, std::less<>> unmarked_;
};

// The value `write` gives `key` over `below` (the snapshot's value; used only for kSnapshot):
// nullopt for a tombstone with no operands.
Result<std::optional<std::string>> ResolveBuffered(const MergeOperator* merge_operator,
                                                   std::string_view key, const BufferedWrite& write,
                                                   const std::optional<std::string>& below);

}  // namespace slatedb::db
