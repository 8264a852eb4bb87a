// db/txn_manager.h — the writer's registry of live snapshots and transactions, and the conflict
// tracker of optimistic transactions (SlateDB's TransactionManager; docs/design.md §19).
//
// What:
//   * Live snapshot seqs (Db::Snapshot and every transaction's snapshot), as a multiset: the
//     oldest bounds what an L0 flush keeps and what the writer publishes as the manifest's
//     recent_snapshot_min_seq. Registration reads the committed seq under the registry lock
//     and the write path publishes a new committed seq under the same lock (PublishCommit),
//     so a snapshot never takes a seq below a concurrently computed retention bound.
//   * Active transactions' begin seqs and the recent commits (seq + tracked keys) that some
//     active transaction could conflict with: a commit is recorded only while a transaction
//     that began before it is active, and records at or below the oldest active begin seq are
//     dropped when a transaction ends (none are kept while no transaction is active). Capped at
//     `max_tracked_keys`: beyond it the oldest records are dropped and transactions that began
//     before them fail their commit ("conflict history truncated").
//   * The link from snapshots/transactions to their database (TxnSource), detached by ~DbImpl:
//     afterwards calls answer kClosed without touching the database.
// Thread safety: every method is thread-safe. CheckConflicts and PublishCommit are called only
// by the write path (under its mutex), one batch at a time, so a check and the recording of the
// checked batch are atomic with respect to every other commit. mu_ is a leaf lock (nothing is
// called under it); link_mu_ is held only to count users. Ownership: shared by DbImpl and every
// snapshot/transaction it handed out. Errors: CheckConflicts returns kTransaction naming the
// conflicting key.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "format/row.h"
#include "slatedb/iterator.h"
#include "slatedb/options.h"
#include "slatedb/status.h"
#include "slatedb/write_batch.h"
#include "slatedb/write_handle.h"
#include "util/mutex.h"
#include "util/random.h"

namespace slatedb::db {

// What a committing transaction is checked for (built by the transaction at Commit).
struct TxnConflictSet {
  std::string id;
  uint64_t begin_seq = 0;
  std::vector<std::string> write_keys;  // sorted, unique; unmarked keys excluded
  std::vector<std::string> read_keys;   // sorted, unique (Get under SSI, MarkRead)
  std::vector<ScanRange> read_ranges;   // SSI scans (requested ranges)
};

// What snapshots and transactions call on their database (implemented by DbImpl).
class TxnSource {
 public:
  virtual ~TxnSource() = default;
  // Reads at min(seq, the read seq `options` asks for).
  virtual Result<std::optional<KeyValue>> GetAt(std::string_view key, const ReadOptions& options,
                                                uint64_t seq) = 0;
  virtual Result<std::unique_ptr<DbIterator>> ScanAt(const ScanRange& range,
                                                     const ScanOptions& options, uint64_t seq) = 0;
  // Db::MultiGet (concurrent SST reads) at min(seq, the read seq `options` asks for).
  virtual Result<std::vector<std::optional<std::string>>> MultiGetAt(
      const std::vector<std::string>& keys, const ReadOptions& options, uint64_t seq) = 0;
  // Writes `batch` after the write path found no conflict for `txn` (kTransaction otherwise).
  virtual Result<WriteHandle> CommitTxn(const WriteBatch& batch,
                                        std::shared_ptr<const TxnConflictSet> txn,
                                        const WriteOptions& options) = 0;
};

class TxnManager {
 public:
  static constexpr size_t kDefaultMaxTrackedKeys = size_t{1} << 20;

  TxnManager(uint64_t seed, size_t max_tracked_keys = kDefaultMaxTrackedKeys);

  // ---- snapshots ----
  // Registers a snapshot at the current value of `committed_seq` (read under mu_) and returns it.
  uint64_t RegisterSnapshot(const std::atomic<uint64_t>& committed_seq) EXCLUDES(mu_);
  void ReleaseSnapshot(uint64_t seq) EXCLUDES(mu_);
  // The oldest live snapshot's seq (transactions' snapshots included); nullopt if none.
  std::optional<uint64_t> MinSnapshotSeq() const EXCLUDES(mu_);
  size_t live_snapshots() const EXCLUDES(mu_);

  // ---- transactions ----
  // Registers a transaction (and its snapshot) at the current committed seq; returns the seq and
  // sets *id to a new UUID.
  uint64_t BeginTxn(const std::atomic<uint64_t>& committed_seq, std::string* id) EXCLUDES(mu_);
  // Unregisters a transaction begun at `begin_seq` (and its snapshot); drops the commit records
  // no remaining transaction can conflict with.
  void EndTxn(uint64_t begin_seq) EXCLUDES(mu_);
  // Write path only (under its mutex): OK, or kTransaction if a commit recorded after txn.begin_seq
  // wrote a key of txn.write_keys or txn.read_keys, or a key inside one of txn.read_ranges.
  Status CheckConflicts(const TxnConflictSet& txn) const EXCLUDES(mu_);
  // Write path only (under its mutex), once the batch with `seq` is in the memtable: stores `seq`
  // into *committed_seq and records the batch's keys (txn ? txn->write_keys : the rows' keys) if an
  // active transaction began before `seq`.
  void PublishCommit(uint64_t seq, const std::vector<format::RowView>& rows,
                     const TxnConflictSet* txn, std::atomic<uint64_t>* committed_seq) EXCLUDES(mu_);
  size_t active_txns() const EXCLUDES(mu_);
  size_t tracked_commits() const EXCLUDES(mu_);
  size_t tracked_keys() const EXCLUDES(mu_);

  // ---- the database link ----
  void Attach(TxnSource* db) EXCLUDES(link_mu_);
  // Waits for calls in progress, then makes every later call answer kClosed.
  void Detach() EXCLUDES(link_mu_);
  // Runs f(TxnSource&) unless detached (then kClosed).
  template <typename R, typename F>
  R WithDb(F&& f) EXCLUDES(link_mu_) {
    TxnSource* db;
    {
      util::MutexLock lock(&link_mu_);
      if (db_ == nullptr) return Status::Closed(CloseReason::kClean, "database is closed");
      db = db_;
      ++users_;
    }
    R r = f(*db);
    {
      util::MutexLock lock(&link_mu_);
      --users_;
    }
    idle_.NotifyAll();
    return r;
  }

 private:
  struct Commit {
    uint64_t seq = 0;
    std::vector<std::string> keys;  // sorted, unique
  };
  void PruneLocked() REQUIRES(mu_);

  const size_t max_tracked_keys_;
  mutable util::Mutex mu_;
  std::multiset<uint64_t> snapshots_ GUARDED_BY(mu_);
  std::multiset<uint64_t> txns_ GUARDED_BY(mu_);  // begin seqs of active transactions
  std::deque<Commit> commits_ GUARDED_BY(mu_);    // ascending seq
  size_t commit_keys_ GUARDED_BY(mu_) = 0;
  // Records at or below this seq were dropped by the cap: a transaction that began below it
  // cannot be checked and fails its commit.
  uint64_t truncated_through_ GUARDED_BY(mu_) = 0;
  util::Random rng_ GUARDED_BY(mu_);

  util::Mutex link_mu_;
  util::CondVar idle_;
  TxnSource* db_ GUARDED_BY(link_mu_) = nullptr;
  int users_ GUARDED_BY(link_mu_) = 0;
};

// True if `key` lies in `range` ([start, end), absent bounds unbounded).
bool RangeContains(const ScanRange& range, std::string_view key);

}  // namespace slatedb::db
