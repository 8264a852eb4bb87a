#include "db/transaction_impl.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "db/write_rows.h"

namespace slatedb::db {

namespace {

using KvResult = Result<std::optional<KeyValue>>;
using IterResult = Result<std::unique_ptr<DbIterator>>;

KeyValue BufferedKeyValue(std::string_view key, std::string value) {
  KeyValue kv;
  kv.key = std::string(key);
  kv.value = std::move(value);
  kv.seq = std::numeric_limits<uint64_t>::max();  // not committed yet
  return kv;
}

// A transaction's scan: its buffered writes inside the range (copied when the scan starts, in
// scan order) merged with the snapshot's iterator. On equal keys the buffer decides, folding
// buffered merges onto the snapshot's value.
class TxnIterator final : public DbIterator {
 public:
  struct Entry {
    std::string key;
    BufferedWrite write;
  };
  TxnIterator(std::unique_ptr<DbIterator> inner, std::vector<Entry> entries, bool reverse,
              std::shared_ptr<MergeOperator> merge_operator)
      : inner_(std::move(inner)),
        entries_(std::move(entries)),
        reverse_(reverse),
        merge_operator_(std::move(merge_operator)) {}

  Result<std::optional<KeyValue>> Next() override {
    while (true) {
      if (!peeked_) {
        ASSIGN_OR_RETURN(peek_, inner_->Next());
        peeked_ = true;
      }
      const bool have_buf = pos_ < entries_.size();
      if (!have_buf) {
        if (!peek_) return std::optional<KeyValue>();
        peeked_ = false;
        return std::move(peek_);
      }
      const Entry& e = entries_[pos_];
      if (peek_ && (reverse_ ? peek_->key > e.key : peek_->key < e.key)) {
        peeked_ = false;
        return std::move(peek_);
      }
      std::optional<std::string> below;
      if (peek_ && peek_->key == e.key) {
        below = std::move(peek_->value);
        peeked_ = false;
      }
      ++pos_;
      ASSIGN_OR_RETURN(std::optional<std::string> v,
                       ResolveBuffered(merge_operator_.get(), e.key, e.write, below));
      if (v) return std::optional<KeyValue>(BufferedKeyValue(e.key, std::move(*v)));
    }
  }

  Status Seek(std::string_view key) override {
    RETURN_IF_ERROR(inner_->Seek(key));  // validates the key against the range
    peeked_ = false;
    peek_.reset();
    auto first_at_or_after = [&](const Entry& e) { return reverse_ ? e.key <= key : e.key >= key; };
    pos_ = static_cast<size_t>(std::find_if(entries_.begin(), entries_.end(), first_at_or_after) -
                               entries_.begin());
    return Status::OK();
  }

 private:
  std::unique_ptr<DbIterator> inner_;
  std::vector<Entry> entries_;
  bool reverse_;
  std::shared_ptr<MergeOperator> merge_operator_;
  size_t pos_ = 0;
  bool peeked_ = false;
  std::optional<KeyValue> peek_;
};

}  // namespace

Result<std::optional<std::string>> ResolveBuffered(const MergeOperator* merge_operator,
                                                   std::string_view key, const BufferedWrite& write,
                                                   const std::optional<std::string>& below) {
  std::optional<std::string_view> base;
  switch (write.base) {
    case BufferedWrite::Base::kValue:
      if (write.operands.empty()) return std::optional<std::string>(write.value);
      base = write.value;
      break;
    case BufferedWrite::Base::kTombstone:
      if (write.operands.empty()) return std::optional<std::string>();
      break;
    case BufferedWrite::Base::kSnapshot:
      if (below) base = *below;
      if (write.operands.empty()) return below;  // not reached: such an entry is never buffered
      break;
  }
  if (merge_operator == nullptr) {
    return Status::Invalid("merge operator not configured: key '" + std::string(key) +
                           "' has buffered merge operands");
  }
  std::vector<std::string_view> ops(write.operands.begin(), write.operands.end());
  ASSIGN_OR_RETURN(std::string merged, merge_operator->MergeBatch(key, base, ops));
  return std::optional<std::string>(std::move(merged));
}

// ---------------------------------------------------------------------------------------------
// SnapshotImpl

SnapshotImpl::SnapshotImpl(std::shared_ptr<TxnManager> txns, uint64_t seq)
    : txns_(std::move(txns)), seq_(seq) {}

SnapshotImpl::~SnapshotImpl() { txns_->ReleaseSnapshot(seq_); }

Result<std::optional<std::string>> SnapshotImpl::Get(std::string_view key,
                                                     const ReadOptions& options) {
  ASSIGN_OR_RETURN(std::optional<KeyValue> kv, GetKeyValue(key, options));
  if (!kv) return std::optional<std::string>();
  return std::optional<std::string>(std::move(kv->value));
}

Result<std::optional<KeyValue>> SnapshotImpl::GetKeyValue(std::string_view key,
                                                          const ReadOptions& options) {
  return txns_->WithDb<KvResult>([&](TxnSource& db) { return db.GetAt(key, options, seq_); });
}

Result<std::unique_ptr<DbIterator>> SnapshotImpl::Scan(const ScanRange& range,
                                                       const ScanOptions& options) {
  return txns_->WithDb<IterResult>([&](TxnSource& db) { return db.ScanAt(range, options, seq_); });
}

Result<std::vector<std::optional<std::string>>> SnapshotImpl::MultiGet(
    const std::vector<std::string>& keys, const ReadOptions& options) {
  return txns_->WithDb<Result<std::vector<std::optional<std::string>>>>(
      [&](TxnSource& db) { return db.MultiGetAt(keys, options, seq_); });
}

// ---------------------------------------------------------------------------------------------
// TransactionImpl

TransactionImpl::TransactionImpl(std::shared_ptr<TxnManager> txns,
                                 std::shared_ptr<MergeOperator> merge_operator,
                                 IsolationLevel level, uint64_t seq, std::string id)
    : txns_(std::move(txns)),
      merge_operator_(std::move(merge_operator)),
      level_(level),
      seq_(seq),
      id_(std::move(id)) {}

TransactionImpl::~TransactionImpl() { End(); }

void TransactionImpl::End() {
  if (ended_) return;
  ended_ = true;
  txns_->EndTxn(seq_);
}

Status TransactionImpl::CheckActive() const {
  switch (state_) {
    case State::kActive:
      return Status::OK();
    case State::kCommitted:
      return Status::Invalid("transaction " + id_ + " is already committed");
    case State::kCommitFailed:
      return Status::Invalid("transaction " + id_ + " already ended: its commit failed");
    case State::kRolledBack:
      return Status::Invalid("transaction " + id_ + " is already rolled back");
  }
  return Status::Internal("transaction " + id_ + " in an unknown state");
}

Result<std::optional<std::string>> TransactionImpl::Get(std::string_view key,
                                                        const ReadOptions& options) {
  ASSIGN_OR_RETURN(std::optional<KeyValue> kv, GetKeyValue(key, options));
  if (!kv) return std::optional<std::string>();
  return std::optional<std::string>(std::move(kv->value));
}

Result<std::optional<KeyValue>> TransactionImpl::GetKeyValue(std::string_view key,
                                                             const ReadOptions& options) {
  RETURN_IF_ERROR(CheckActive());
  RETURN_IF_ERROR(ValidateKey(key));
  if (level_ == IsolationLevel::kSerializableSnapshot) read_keys_.emplace(key);
  auto it = buffer_.find(key);
  if (it == buffer_.end() || it->second.base == BufferedWrite::Base::kSnapshot) {
    ASSIGN_OR_RETURN(std::optional<KeyValue> below, txns_->WithDb<KvResult>([&](TxnSource& db) {
      return db.GetAt(key, options, seq_);
    }));
    if (it == buffer_.end()) return below;
    std::optional<std::string> below_value;
    if (below) below_value = std::move(below->value);
    ASSIGN_OR_RETURN(std::optional<std::string> v,
                     ResolveBuffered(merge_operator_.get(), key, it->second, below_value));
    if (!v) return std::optional<KeyValue>();
    return std::optional<KeyValue>(BufferedKeyValue(key, std::move(*v)));
  }
  ASSIGN_OR_RETURN(std::optional<std::string> v,
                   ResolveBuffered(merge_operator_.get(), key, it->second, std::nullopt));
  if (!v) return std::optional<KeyValue>();
  return std::optional<KeyValue>(BufferedKeyValue(key, std::move(*v)));
}

Result<std::unique_ptr<DbIterator>> TransactionImpl::Scan(const ScanRange& range,
                                                          const ScanOptions& options) {
  RETURN_IF_ERROR(CheckActive());
  ASSIGN_OR_RETURN(std::unique_ptr<DbIterator> inner, txns_->WithDb<IterResult>([&](TxnSource& db) {
    return db.ScanAt(range, options, seq_);
  }));
  // Under SSI the whole requested range counts as read (SlateDB tracks the requested range too).
  if (level_ == IsolationLevel::kSerializableSnapshot) read_ranges_.push_back(range);
  std::vector<TxnIterator::Entry> entries;
  auto begin = range.start ? buffer_.lower_bound(*range.start) : buffer_.begin();
  auto end = range.end ? buffer_.lower_bound(*range.end) : buffer_.end();
  for (auto it = begin; it != end; ++it) entries.push_back({it->first, it->second});
  if (options.reverse) std::reverse(entries.begin(), entries.end());
  return std::unique_ptr<DbIterator>(std::make_unique<TxnIterator>(
      std::move(inner), std::move(entries), options.reverse, merge_operator_));
}

Status TransactionImpl::Put(std::string_view key, std::string_view value,
                            const PutOptions& options) {
  RETURN_IF_ERROR(CheckActive());
  RETURN_IF_ERROR(ValidateKey(key));
  batch_.Put(key, value, options);
  BufferedWrite& w = buffer_[std::string(key)];
  w.base = BufferedWrite::Base::kValue;
  w.value = std::string(value);
  w.operands.clear();
  return Status::OK();
}

Status TransactionImpl::Merge(std::string_view key, std::string_view operand,
                              const MergeOptions& options) {
  RETURN_IF_ERROR(CheckActive());
  RETURN_IF_ERROR(ValidateKey(key));
  if (!merge_operator_) {
    return Status::Invalid("merge operator not configured: Transaction::Merge of key '" +
                           std::string(key) + "' needs Components::merge_operator");
  }
  batch_.Merge(key, operand, options);
  buffer_[std::string(key)].operands.emplace_back(operand);
  return Status::OK();
}

Status TransactionImpl::Delete(std::string_view key) {
  RETURN_IF_ERROR(CheckActive());
  RETURN_IF_ERROR(ValidateKey(key));
  batch_.Delete(key);
  BufferedWrite& w = buffer_[std::string(key)];
  w.base = BufferedWrite::Base::kTombstone;
  w.value.clear();
  w.operands.clear();
  return Status::OK();
}

Status TransactionImpl::MarkRead(const std::vector<std::string>& keys) {
  RETURN_IF_ERROR(CheckActive());
  for (const auto& key : keys) RETURN_IF_ERROR(ValidateKey(key));
  read_keys_.insert(keys.begin(), keys.end());
  return Status::OK();
}

Status TransactionImpl::UnmarkWrite(const std::vector<std::string>& keys) {
  RETURN_IF_ERROR(CheckActive());
  unmarked_.insert(keys.begin(), keys.end());
  return Status::OK();
}

Result<WriteHandle> TransactionImpl::Commit(const WriteOptions& options) {
  RETURN_IF_ERROR(CheckActive());
  state_ = State::kCommitted;
  auto conflict = std::make_shared<TxnConflictSet>();
  conflict->id = id_;
  conflict->begin_seq = seq_;
  for (const auto& [key, write] : buffer_) {
    if (!unmarked_.contains(key)) conflict->write_keys.push_back(key);
  }
  conflict->read_keys.assign(read_keys_.begin(), read_keys_.end());
  conflict->read_ranges = std::move(read_ranges_);
  Result<WriteHandle> handle = txns_->WithDb<Result<WriteHandle>>(
      [&](TxnSource& db) { return db.CommitTxn(batch_, conflict, options); });
  End();
  if (!handle.ok()) state_ = State::kCommitFailed;
  batch_.Clear();
  buffer_.clear();
  return handle;
}

Status TransactionImpl::Rollback() {
  if (state_ == State::kCommitted || state_ == State::kCommitFailed) return CheckActive();
  state_ = State::kRolledBack;
  End();
  batch_.Clear();
  buffer_.clear();
  return Status::OK();
}

}  // namespace slatedb::db
