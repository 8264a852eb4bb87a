#include "db/write_path.h"

#include <algorithm>
#include <utility>

namespace slatedb::db {

WritePath::WritePath(WritePathHost* host, Options options, util::Clock* clock, TxnManager* txns,
                     wal::WalBuffer* wal_buffer, const DbMetrics* metrics,
                     std::atomic<uint64_t>* committed_seq)
    : host_(host),
      options_(std::move(options)),
      clock_(clock),
      txns_(txns),
      wal_buffer_(wal_buffer),
      metrics_(metrics),
      committed_seq_(committed_seq) {}

Result<WritePath::Ack> WritePath::Write(PendingRows& pending, const TxnConflictSet* txn) {
  Status latch;
  Result<Ack> result = [&] {
    util::MutexLock lock(&mu_);
    return WriteLocked(pending, txn, &latch);
  }();
  if (!latch.ok()) host_->Latch(latch);
  return result;
}

Result<WritePath::Ack> WritePath::WriteLocked(PendingRows& pending, const TxnConflictSet* txn,
                                              Status* latch) {
  if (stopped_) return host_->RefusedStatus();
  // Backpressure: stall while too much is not yet in L0; Close() wakes us (kClosed). When the
  // mutable memtable alone may hold the excess (max_unflushed_bytes < l0_sst_size_bytes) and
  // nothing waits for the flusher, freeze it so the flusher can relieve the pressure instead of
  // us waiting forever.
  bool freeze = false;
  RETURN_IF_ERROR(host_->AwaitUnflushedRoom(memtable_bytes_ > 0, &freeze));
  if (freeze) {
    FreezeMemtable();
    if (options_.wal_enabled) host_->KickWalFlush();
    host_->KickMemtableFlush();
    RETURN_IF_ERROR(host_->AwaitUnflushedRoom(false, &freeze));
  }
  // A transaction's conflict check, atomic with its seq assignment: commits are recorded
  // (PublishCommit below) only under mu_, one batch at a time.
  if (txn != nullptr) RETURN_IF_ERROR(txns_->CheckConflicts(*txn));
  const uint64_t seq = ++last_seq_;
  last_tick_ = std::max(last_tick_, clock_->NowMillis());
  StampRows(pending, seq, last_tick_, options_.default_ttl);
  std::shared_ptr<memtable::Memtable> mem = host_->AddUnflushed(pending.bytes);
  if (memtable_first_seq_ == 0) {
    memtable_first_seq_ = seq;
    memtable_first_ts_ = last_tick_;
  }
  memtable_tracker_.Insert(seq, last_tick_ / 1000);  // at most one sample per 60 s
  // The WAL buffer encodes from the rows as stored in the memtable (one record pointer per row
  // into its arena, keeping the memtable alive until uploaded) rather than holding a second copy
  // or an 80-byte view of each row.
  if (options_.wal_enabled) wal_rows_.resize(pending.rows.size());
  for (size_t i = 0; i < pending.rows.size(); ++i) {
    Status st = mem->Add(pending.rows[i], options_.wal_enabled ? &wal_rows_[i] : nullptr);
    if (!st.ok()) {
      *latch = Status::Internal("memtable insert failed: " + st.ToString());
      return st;
    }
  }
  memtable_bytes_ += pending.bytes;
  // Visible from here on; recorded for the conflict checks of transactions begun before it.
  txns_->PublishCommit(seq, pending.rows, txn, committed_seq_);
  metrics_->write_ops->Increment(pending.rows.size());
  metrics_->write_batch_count->Increment(1);
  if (options_.wal_enabled) {
    wal_buffer_->Append(wal_rows_, seq, pending.bytes, mem);
    metrics_->wal_buffer_estimated_bytes->Set(static_cast<int64_t>(wal_buffer_->bytes()));
  }
  const Ack ack{seq, last_tick_};

  if (memtable_bytes_ >= options_.l0_sst_size_bytes) {
    FreezeMemtable();
    if (options_.wal_enabled) host_->KickWalFlush();
    host_->KickMemtableFlush();
  } else if (options_.wal_enabled && wal_buffer_->bytes() >= options_.wal_flush_bytes) {
    host_->KickWalFlush();
  }
  return ack;
}

Status WritePath::Freeze() {
  util::MutexLock lock(&mu_);
  if (stopped_) return host_->RefusedStatus();
  FreezeMemtable();
  return Status::OK();
}

void WritePath::Stop() {
  util::MutexLock lock(&mu_);
  stopped_ = true;
}

void WritePath::FreezeAfterStop() {
  util::MutexLock lock(&mu_);
  FreezeMemtable();
}

void WritePath::FreezeMemtable() {
  if (memtable_bytes_ == 0) return;
  metrics_->memtable_freeze_count->Increment(1);
  auto imm = std::make_shared<ImmutableMemtable>();
  imm->max_seq = last_seq_;
  imm->max_create_ts = last_tick_;
  imm->first_seq = memtable_first_seq_;
  imm->first_create_ts = memtable_first_ts_;
  imm->tracker = std::move(memtable_tracker_);
  memtable_tracker_ = format::SequenceTracker();
  imm->bytes = memtable_bytes_;
  host_->InstallFrozen(std::move(imm));
  memtable_bytes_ = 0;
  memtable_first_seq_ = 0;
  memtable_first_ts_ = 0;
}

void WritePath::Reset(uint64_t last_seq, int64_t last_tick) {
  util::MutexLock lock(&mu_);
  last_seq_ = last_seq;
  last_tick_ = last_tick;
}

Status WritePath::ReplayRows(const std::vector<format::RowEntry>& rows, uint64_t last_l0_seq,
                             uint64_t* max_seq) {
  util::MutexLock lock(&mu_);
  *max_seq = 0;
  for (const format::RowEntry& row : rows) {
    *max_seq = std::max(*max_seq, row.seq);
    if (row.seq <= last_l0_seq) continue;
    if (memtable_first_seq_ == 0) {
      memtable_first_seq_ = row.seq;
      memtable_first_ts_ = row.create_ts.value_or(0);
    }
    last_seq_ = std::max(last_seq_, row.seq);
    if (row.create_ts) last_tick_ = std::max(last_tick_, *row.create_ts);
    if (row.create_ts) memtable_tracker_.Insert(row.seq, *row.create_ts / 1000);
    size_t bytes = row.EstimatedSize();
    memtable_bytes_ += bytes;
    std::shared_ptr<memtable::Memtable> mem = host_->AddUnflushed(bytes);
    RETURN_IF_ERROR(mem->Add(row));
  }
  committed_seq_->store(last_seq_);
  if (memtable_bytes_ >= options_.l0_sst_size_bytes) FreezeMemtable();
  return Status::OK();
}

uint64_t WritePath::FinishRecovery() {
  util::MutexLock lock(&mu_);
  if (last_tick_ < 0) last_tick_ = 0;
  return last_seq_;
}

}  // namespace slatedb::db
