#include "db/txn_manager.h"

#include <algorithm>
#include <utility>

#include "format/uuid.h"

namespace slatedb::db {

namespace {

bool SortedIntersect(const std::vector<std::string>& a, const std::vector<std::string>& b,
                     std::string* common) {
  auto i = a.begin();
  auto j = b.begin();
  while (i != a.end() && j != b.end()) {
    if (*i < *j) {
      ++i;
    } else if (*j < *i) {
      ++j;
    } else {
      *common = *i;
      return true;
    }
  }
  return false;
}

}  // namespace

bool RangeContains(const ScanRange& range, std::string_view key) {
  if (range.start && key < *range.start) return false;
  if (range.end && key >= *range.end) return false;
  return true;
}

TxnManager::TxnManager(uint64_t seed, size_t max_tracked_keys)
    : max_tracked_keys_(std::max<size_t>(1, max_tracked_keys)), rng_(seed) {}

uint64_t TxnManager::RegisterSnapshot(const std::atomic<uint64_t>& committed_seq) {
  util::MutexLock lock(&mu_);
  const uint64_t seq = committed_seq.load(std::memory_order_acquire);
  snapshots_.insert(seq);
  return seq;
}

void TxnManager::ReleaseSnapshot(uint64_t seq) {
  util::MutexLock lock(&mu_);
  auto it = snapshots_.find(seq);
  if (it != snapshots_.end()) snapshots_.erase(it);
}

std::optional<uint64_t> TxnManager::MinSnapshotSeq() const {
  util::MutexLock lock(&mu_);
  if (snapshots_.empty()) return std::nullopt;
  return *snapshots_.begin();
}

size_t TxnManager::live_snapshots() const {
  util::MutexLock lock(&mu_);
  return snapshots_.size();
}

uint64_t TxnManager::BeginTxn(const std::atomic<uint64_t>& committed_seq, std::string* id) {
  util::MutexLock lock(&mu_);
  const uint64_t seq = committed_seq.load(std::memory_order_acquire);
  snapshots_.insert(seq);
  txns_.insert(seq);
  *id = format::Uuid::NewV4(rng_).ToString();
  return seq;
}

void TxnManager::EndTxn(uint64_t begin_seq) {
  util::MutexLock lock(&mu_);
  auto s = snapshots_.find(begin_seq);
  if (s != snapshots_.end()) snapshots_.erase(s);
  auto t = txns_.find(begin_seq);
  if (t != txns_.end()) txns_.erase(t);
  PruneLocked();
}

void TxnManager::PruneLocked() {
  if (txns_.empty()) {
    commits_.clear();
    commit_keys_ = 0;
    return;
  }
  const uint64_t oldest = *txns_.begin();
  // A commit at or below the oldest begin seq is in every active transaction's snapshot.
  while (!commits_.empty() && commits_.front().seq <= oldest) {
    commit_keys_ -= commits_.front().keys.size();
    commits_.pop_front();
  }
}

Status TxnManager::CheckConflicts(const TxnConflictSet& txn) const {
  util::MutexLock lock(&mu_);
  if (txn.begin_seq < truncated_through_) {
    return Status::Transaction(
        "transaction " + txn.id + " (begun at seq " + std::to_string(txn.begin_seq) +
        "): conflict history truncated (more than " + std::to_string(max_tracked_keys_) +
        " keys committed since it began); retry it");
  }
  // Newest first: the first records are the most likely to conflict.
  for (auto it = commits_.rbegin(); it != commits_.rend() && it->seq > txn.begin_seq; ++it) {
    std::string key;
    if (SortedIntersect(it->keys, txn.write_keys, &key)) {
      return Status::Transaction("transaction " + txn.id + ": write-write conflict on key '" + key +
                                 "' (written at seq " + std::to_string(it->seq) +
                                 " after the transaction began at seq " +
                                 std::to_string(txn.begin_seq) + ")");
    }
    if (SortedIntersect(it->keys, txn.read_keys, &key)) {
      return Status::Transaction("transaction " + txn.id + ": read-write conflict on key '" + key +
                                 "' (written at seq " + std::to_string(it->seq) +
                                 " after the transaction began at seq " +
                                 std::to_string(txn.begin_seq) + ")");
    }
    for (const ScanRange& range : txn.read_ranges) {
      // The record's keys are sorted: the first key >= start decides.
      auto k = range.start ? std::lower_bound(it->keys.begin(), it->keys.end(), *range.start)
                           : it->keys.begin();
      if (k != it->keys.end() && RangeContains(range, *k)) {
        return Status::Transaction("transaction " + txn.id + ": key '" + *k +
                                   "' was written (seq " + std::to_string(it->seq) +
                                   ") inside a range the transaction scanned, after it began " +
                                   "at seq " + std::to_string(txn.begin_seq));
      }
    }
  }
  return Status::OK();
}

void TxnManager::PublishCommit(uint64_t seq, const std::vector<format::RowView>& rows,
                               const TxnConflictSet* txn, std::atomic<uint64_t>* committed_seq) {
  util::MutexLock lock(&mu_);
  committed_seq->store(seq, std::memory_order_release);
  if (txns_.empty() || *txns_.begin() >= seq) return;
  Commit c;
  c.seq = seq;
  if (txn != nullptr) {
    c.keys = txn->write_keys;
  } else {
    c.keys.reserve(rows.size());
    for (const auto& row : rows) c.keys.emplace_back(row.key);  // rows are sorted, one per key
  }
  if (c.keys.empty()) return;
  commit_keys_ += c.keys.size();
  commits_.push_back(std::move(c));
  while (commit_keys_ > max_tracked_keys_ && commits_.size() > 1) {
    truncated_through_ = std::max(truncated_through_, commits_.front().seq);
    commit_keys_ -= commits_.front().keys.size();
    commits_.pop_front();
  }
}

size_t TxnManager::active_txns() const {
  util::MutexLock lock(&mu_);
  return txns_.size();
}

size_t TxnManager::tracked_commits() const {
  util::MutexLock lock(&mu_);
  return commits_.size();
}

size_t TxnManager::tracked_keys() const {
  util::MutexLock lock(&mu_);
  return commit_keys_;
}

void TxnManager::Attach(TxnSource* db) {
  util::MutexLock lock(&link_mu_);
  db_ = db;
}

void TxnManager::Detach() {
  util::MutexLock lock(&link_mu_);
  while (users_ > 0) idle_.Wait(&link_mu_);
  db_ = nullptr;
}

}  // namespace slatedb::db
