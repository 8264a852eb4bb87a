#include "db/read_path.h"

#include <algorithm>
#include <thread>
#include <utility>

#include "format/sst.h"
#include "manifest/paths.h"

namespace slatedb::db {

namespace {

constexpr size_t kBlockCacheBytes = 64u << 20;

// A memtable as a table::RowIterator. Reverse order needs each key's versions newest first, but
// the skiplist walks backwards oldest first, so reverse mode buffers one key group at a time.
class MemtableRowIterator final : public table::RowIterator {
 public:
  MemtableRowIterator(std::shared_ptr<const Memtable> table, table::Direction dir)
      : it_(Memtable::NewSharedIterator(std::move(table))), dir_(dir) {}

  Status SeekToFirst() override {
    if (dir_ == table::Direction::kForward) {
      it_.SeekToFirst();
      LoadForward();
    } else {
      it_.SeekToLast();
      LoadGroupBackward();
    }
    return Status::OK();
  }
  Status Seek(std::string_view key) override {
    if (dir_ == table::Direction::kForward) {
      it_.Seek(key);
      LoadForward();
    } else {
      it_.SeekForPrev(key);
      LoadGroupBackward();
    }
    return Status::OK();
  }
  bool Valid() const override { return valid_; }
  Status Next() override {
    if (dir_ == table::Direction::kForward) {
      it_.Next();
      LoadForward();
    } else if (group_pos_ > 0) {
      --group_pos_;
      row_ = std::move(group_[group_pos_]);
    } else {
      LoadGroupBackward();
    }
    return Status::OK();
  }
  const format::RowEntry& row() const override { return row_; }
  table::Direction direction() const override { return dir_; }

 private:
  void LoadForward() {
    valid_ = it_.Valid();
    if (valid_) row_ = it_.row();
  }
  // Collects the versions of the key at it_ (walking backwards: oldest first), then serves
  // them newest first.
  void LoadGroupBackward() {
    group_.clear();
    valid_ = it_.Valid();
    if (!valid_) return;
    std::string key(it_.key());
    while (it_.Valid() && it_.key() == key) {
      group_.push_back(it_.row());
      it_.Prev();
    }
    group_pos_ = group_.size() - 1;
    row_ = std::move(group_[group_pos_]);
  }

  memtable::MemtableIterator it_;
  table::Direction dir_;
  bool valid_ = false;
  format::RowEntry row_;
  std::vector<format::RowEntry> group_;  // reverse: oldest .. newest of one key
  size_t group_pos_ = 0;
};

// The SSTs of one sorted run (key-ordered, non-overlapping), opened lazily.
class SortedRunIterator final : public table::RowIterator {
 public:
  SortedRunIterator(std::shared_ptr<ReadPath> reads, std::vector<format::SstHandle> ssts,
                    table::Direction dir)
      : reads_(std::move(reads)), ssts_(std::move(ssts)), dir_(dir) {}

  Status SeekToFirst() override {
    if (ssts_.empty()) return Invalidate();
    return OpenAt(dir_ == table::Direction::kForward ? 0 : ssts_.size() - 1, std::nullopt);
  }
  Status Seek(std::string_view key) override {
    if (ssts_.empty()) return Invalidate();
    // Last SST whose first_entry <= key.
    auto it = std::upper_bound(ssts_.begin(), ssts_.end(), key,
                               [](std::string_view k, const format::SstHandle& h) {
                                 return k < h.info.first_entry.value_or(std::string());
                               });
    size_t idx = static_cast<size_t>(it - ssts_.begin());
    if (idx == 0) {
      if (dir_ == table::Direction::kReverse) return Invalidate();
      return OpenAt(0, std::nullopt);
    }
    return OpenAt(idx - 1, std::string(key));
  }
  bool Valid() const override { return cur_ && cur_->Valid(); }
  Status Next() override {
    RETURN_IF_ERROR(cur_->Next());
    return SkipEmpty();
  }
  const format::RowEntry& row() const override { return cur_->row(); }
  table::Direction direction() const override { return dir_; }

 private:
  Status Invalidate() {
    cur_.reset();
    return Status::OK();
  }
  Status OpenAt(size_t idx, std::optional<std::string> seek) {
    idx_ = idx;
    ASSIGN_OR_RETURN(auto reader, reads_->OpenSst(ssts_[idx]));
    cur_ = reader->NewIterator(dir_);
    if (seek) {
      RETURN_IF_ERROR(cur_->Seek(*seek));
    } else {
      RETURN_IF_ERROR(cur_->SeekToFirst());
    }
    return SkipEmpty();
  }
  Status SkipEmpty() {
    while (cur_ && !cur_->Valid()) {
      if (dir_ == table::Direction::kForward) {
        if (idx_ + 1 >= ssts_.size()) return Invalidate();
        return OpenAt(idx_ + 1, std::nullopt);
      }
      if (idx_ == 0) return Invalidate();
      return OpenAt(idx_ - 1, std::nullopt);
    }
    return Status::OK();
  }

  std::shared_ptr<ReadPath> reads_;
  std::vector<format::SstHandle> ssts_;
  table::Direction dir_;
  size_t idx_ = 0;
  std::unique_ptr<table::RowIterator> cur_;
};

// Applies visibility over the merged rows: the first version (in iteration order, newest first
// within a key) with seq <= the snapshot decides the key.
class DbIteratorImpl final : public DbIterator {
 public:
  DbIteratorImpl(std::shared_ptr<const DbState> state, std::shared_ptr<ReadPath> reads,
                 std::unique_ptr<table::RowIterator> merged, ScanRange range, bool reverse,
                 uint64_t seq, std::shared_ptr<std::atomic<bool>> alive)
      : state_(std::move(state)),
        reads_(std::move(reads)),
        merged_(std::move(merged)),
        range_(std::move(range)),
        reverse_(reverse),
        seq_(seq),
        alive_(std::move(alive)) {}

  Result<std::optional<KeyValue>> Next() override {
    if (!alive_->load()) return Status::Closed(CloseReason::kClean, "database is closed");
    RETURN_IF_ERROR(status_);
    if (!positioned_) {
      Status st;
      if (!reverse_) {
        st = range_.start ? merged_->Seek(*range_.start) : merged_->SeekToFirst();
      } else {
        st = range_.end ? merged_->Seek(*range_.end) : merged_->SeekToFirst();
      }
      if (!st.ok()) return Fail(st);
      positioned_ = true;
    }
    while (merged_->Valid()) {
      const format::RowEntry& row = merged_->row();
      if (!reverse_) {
        if (range_.end && row.key >= *range_.end) return std::optional<KeyValue>();
      } else {
        if (range_.start && row.key < *range_.start) return std::optional<KeyValue>();
        if (range_.end && row.key >= *range_.end) {
          RETURN_IF_ERROR(Advance());
          continue;
        }
      }
      if ((has_last_ && row.key == last_key_) || row.seq > seq_) {
        RETURN_IF_ERROR(Advance());
        continue;
      }
      last_key_ = row.key;
      has_last_ = true;
      if (row.kind == format::RowKind::kTombstone) {
        RETURN_IF_ERROR(Advance());
        continue;
      }
      auto resolved = ResolveRow(row);
      if (!resolved.ok()) return Fail(resolved.status());
      RETURN_IF_ERROR(Advance());
      return resolved;
    }
    return std::optional<KeyValue>();
  }

  Status Seek(std::string_view key) override {
    if (!alive_->load()) return Status::Closed(CloseReason::kClean, "database is closed");
    RETURN_IF_ERROR(status_);
    if ((range_.start && key < *range_.start) || (range_.end && key >= *range_.end)) {
      return Status::Invalid("seek key '" + std::string(key) + "' is outside the scan range");
    }
    has_last_ = false;
    positioned_ = true;
    Status st = merged_->Seek(key);
    if (!st.ok()) return Fail(st);
    return Status::OK();
  }

 private:
  Status Advance() {
    Status st = merged_->Next();
    if (!st.ok()) status_ = st;
    return st;
  }
  Status Fail(Status st) {
    status_ = st;
    return st;
  }

  std::shared_ptr<const DbState> state_;
  std::shared_ptr<ReadPath> reads_;
  std::unique_ptr<table::RowIterator> merged_;
  ScanRange range_;
  bool reverse_;
  uint64_t seq_;
  std::shared_ptr<std::atomic<bool>> alive_;
  bool positioned_ = false;
  bool has_last_ = false;
  std::string last_key_;
  Status status_;
};

bool KeyInSst(const format::SstInfo& info, std::string_view key) {
  if (info.first_entry && key < *info.first_entry) return false;
  if (info.last_entry && key > *info.last_entry) return false;
  return true;
}

}  // namespace

Result<std::optional<KeyValue>> ResolveRow(const format::RowEntry& row) {
  switch (row.kind) {
    case format::RowKind::kTombstone:
      return std::optional<KeyValue>();
    case format::RowKind::kMerge:
      return Status::Invalid("merge operator not configured: key '" + row.key +
                             "' has merge operands");
    case format::RowKind::kValue:
      break;
  }
  KeyValue kv;
  kv.key = row.key;
  kv.value = row.value;
  kv.seq = row.seq;
  kv.create_ts = row.create_ts;
  kv.expire_ts = row.expire_ts;
  return std::optional<KeyValue>(std::move(kv));
}

std::vector<format::RowEntry> CollectFlushRows(const Memtable& table, uint64_t retention_seq) {
  std::vector<format::RowEntry> rows;
  rows.reserve(table.num_entries());
  memtable::MemtableIterator it = table.NewIterator();
  std::string_view prev_key;
  bool kept_at_or_below = false;
  bool first = true;
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    std::string_view key = it.key();
    if (first || key != prev_key) {
      first = false;
      prev_key = key;
      kept_at_or_below = false;
    }
    if (it.seq() > retention_seq) {
      rows.push_back(it.row());
    } else if (!kept_at_or_below) {
      kept_at_or_below = true;
      rows.push_back(it.row());
    }
  }
  return rows;
}

ReadPath::ReadPath(std::shared_ptr<ObjectStore> store, std::string db_path,
                   const Settings& settings)
    : store_(std::move(store)),
      db_path_(std::move(db_path)),
      settings_(settings),
      block_cache_(std::make_shared<table::BlockCache>(kBlockCacheBytes)) {}

Result<std::shared_ptr<table::SstReader>> ReadPath::OpenSst(const format::SstHandle& handle) {
  std::string key = manifest::CompactedSstPath(db_path_, handle.id);
  {
    std::lock_guard lock(mu_);
    auto it = readers_.find(key);
    if (it != readers_.end()) return it->second;
  }
  table::SstReaderOptions opts;
  opts.cache = block_cache_;
  ASSIGN_OR_RETURN(std::shared_ptr<table::SstReader> reader,
                   table::SstReader::OpenWithInfo(store_, key, handle.info,
                                                  handle.format_version.value_or(1), opts));
  std::lock_guard lock(mu_);
  auto [it, inserted] = readers_.emplace(key, reader);
  return it->second;
}

void ReadPath::Retain(const format::Manifest& manifest) {
  size_t listed = manifest.l0.size();
  for (const auto& run : manifest.compacted) listed += run.ssts.size();
  std::lock_guard lock(mu_);
  if (readers_.size() <= listed + 64) return;
  std::unordered_set<std::string> keep;
  for (const auto& sst : manifest.l0) keep.insert(manifest::CompactedSstPath(db_path_, sst.id));
  for (const auto& run : manifest.compacted) {
    for (const auto& sst : run.ssts) keep.insert(manifest::CompactedSstPath(db_path_, sst.id));
  }
  std::erase_if(readers_, [&](const auto& entry) { return !keep.contains(entry.first); });
}

Result<std::optional<format::RowEntry>> ReadPath::GetFromSst(const format::SstHandle& handle,
                                                             std::string_view key, uint64_t seq) {
  if (!KeyInSst(handle.info, key)) return std::optional<format::RowEntry>();
  ASSIGN_OR_RETURN(auto reader, OpenSst(handle));
  ASSIGN_OR_RETURN(bool may, reader->MayContain(key));
  if (!may) return std::optional<format::RowEntry>();
  return reader->Get(key, seq);
}

Result<std::optional<KeyValue>> ReadPath::Get(const DbState& state, std::string_view key,
                                              uint64_t seq) {
  if (state.memtable) {
    if (auto row = state.memtable->Get(key, seq)) return ResolveRow(*row);
  }
  for (const auto& imm : state.imms) {
    if (auto row = imm->table->Get(key, seq)) return ResolveRow(*row);
  }
  const format::Manifest& m = *state.manifest;
  for (const auto& sst : m.l0) {
    ASSIGN_OR_RETURN(auto row, GetFromSst(sst, key, seq));
    if (row) return ResolveRow(*row);
  }
  for (const auto& run : m.compacted) {
    if (run.ssts.empty()) continue;
    auto it = std::upper_bound(run.ssts.begin(), run.ssts.end(), key,
                               [](std::string_view k, const format::SstHandle& h) {
                                 return k < h.info.first_entry.value_or(std::string());
                               });
    if (it == run.ssts.begin()) continue;
    ASSIGN_OR_RETURN(auto row, GetFromSst(*(it - 1), key, seq));
    if (row) return ResolveRow(*row);
  }
  return std::optional<KeyValue>();
}

Result<std::vector<std::optional<KeyValue>>> ReadPath::MultiGet(
    const DbState& state, const std::vector<std::string>& keys, uint64_t seq) {
  std::vector<Result<std::optional<KeyValue>>> answers(keys.size(), std::optional<KeyValue>());
  std::vector<size_t> from_ssts;  // indexes of keys the memtables do not answer
  for (size_t i = 0; i < keys.size(); ++i) {
    std::optional<format::RowEntry> row;
    if (state.memtable) row = state.memtable->Get(keys[i], seq);
    for (size_t j = 0; !row && j < state.imms.size(); ++j)
      row = state.imms[j]->table->Get(keys[i], seq);
    if (row && row->kind != format::RowKind::kMerge) {
      answers[i] = ResolveRow(*row);
    } else {
      from_ssts.push_back(i);  // (an operand may need older versions: the full Get decides)
    }
  }
  if (from_ssts.size() <= 1) {
    for (size_t i : from_ssts) answers[i] = Get(state, keys[i], seq);
  } else {
    std::atomic<size_t> next{0};
    auto work = [&] {
      for (size_t n; (n = next.fetch_add(1)) < from_ssts.size();) {
        const size_t i = from_ssts[n];
        answers[i] = Get(state, keys[i], seq);
      }
    };
    const size_t threads = std::min(kMultiGetParallelism, from_ssts.size());
    std::vector<std::jthread> pool;
    pool.reserve(threads - 1);
    for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
    work();  // the calling thread is one of them
  }
  std::vector<std::optional<KeyValue>> out;
  out.reserve(keys.size());
  for (auto& a : answers) {
    if (!a.ok()) return a.status();
    out.push_back(std::move(a).value());
  }
  return out;
}

std::vector<std::optional<std::string>> ValuesOf(std::vector<std::optional<KeyValue>> kvs) {
  std::vector<std::optional<std::string>> out;
  out.reserve(kvs.size());
  for (auto& kv : kvs) {
    if (kv) {
      out.emplace_back(std::move(kv->value));
    } else {
      out.emplace_back();
    }
  }
  return out;
}

Result<std::unique_ptr<DbIterator>> ReadPath::Scan(std::shared_ptr<const DbState> state,
                                                   const ScanRange& range, bool reverse,
                                                   uint64_t seq,
                                                   std::shared_ptr<std::atomic<bool>> alive) {
  if (range.start && range.end && *range.start > *range.end) {
    return Status::Invalid("scan range start '" + *range.start + "' is after its end '" +
                           *range.end + "'");
  }
  const table::Direction dir = reverse ? table::Direction::kReverse : table::Direction::kForward;
  std::vector<std::unique_ptr<table::RowIterator>> children;
  if (state->memtable)
    children.push_back(std::make_unique<MemtableRowIterator>(state->memtable, dir));
  for (const auto& imm : state->imms) {
    children.push_back(std::make_unique<MemtableRowIterator>(imm->table, dir));
  }
  auto self = shared_from_this();
  for (const auto& sst : state->manifest->l0) {
    // Skip SSTs entirely outside the range.
    if (range.end && sst.info.first_entry && *sst.info.first_entry >= *range.end) continue;
    if (range.start && sst.info.last_entry && *sst.info.last_entry < *range.start) continue;
    children.push_back(
        std::make_unique<SortedRunIterator>(self, std::vector<format::SstHandle>{sst}, dir));
  }
  for (const auto& run : state->manifest->compacted) {
    children.push_back(std::make_unique<SortedRunIterator>(self, run.ssts, dir));
  }
  auto merged = std::make_unique<table::MergeIterator>(std::move(children), dir);
  return std::unique_ptr<DbIterator>(std::make_unique<DbIteratorImpl>(
      std::move(state), std::move(self), std::move(merged), range, reverse, seq, std::move(alive)));
}

Result<format::SstInfo> ReadPath::WriteCompactedSst(const format::Ulid& id,
                                                    const std::vector<format::RowEntry>& rows) {
  format::SstBuilderOptions opts;
  opts.block_size = settings_.block_size;
  opts.compression = static_cast<format::CompressionCodec>(settings_.compression_codec);
  opts.min_filter_keys = settings_.min_filter_keys;
  opts.filter_bits_per_key = settings_.filter_bits_per_key;
  opts.sst_type = format::SstType::kCompacted;
  format::SstBuilder builder(opts);
  for (const auto& row : rows) RETURN_IF_ERROR(builder.Add(row));
  ASSIGN_OR_RETURN(format::EncodedSst sst, builder.Finish());
  const std::string key = manifest::CompactedSstPath(db_path_, id);
  auto put = store_->Put(key, sst.bytes);
  if (!put.ok()) return put.status().WithContext("uploading " + key);
  return sst.info;
}

}  // namespace slatedb::db
