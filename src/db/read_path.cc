#include "db/read_path.h"

#include <algorithm>
#include <functional>
#include <thread>
#include <utility>

#include "format/segments.h"
#include "format/sst.h"
#include "manifest/paths.h"
#include "slatedb/db_read.h"
#include "table/merge_resolve.h"
#include "table/sst_options.h"
#include "table/sst_writer.h"
#include "util/metrics.h"

namespace slatedb::db {

namespace {

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

// The SSTs of one sorted run (key-ordered, non-overlapping), opened lazily. With a prefix
// `probe` (ReadPath::PrefixProbe), SSTs whose prefix filter excludes it are passed over, and
// once that search leaves the keys starting with the probe the iterator ends (so a scan never
// walks the filters of the rest of the run).
class SortedRunIterator final : public table::RowIterator {
 public:
  SortedRunIterator(std::shared_ptr<ReadPath> reads, std::vector<format::SstHandle> ssts,
                    table::Direction dir, std::optional<std::string> probe = std::nullopt)
      : reads_(std::move(reads)), ssts_(std::move(ssts)), dir_(dir), probe_(std::move(probe)) {
    if (probe_) probe_end_ = PrefixRange(*probe_).end;
  }

  Status SeekToFirst() override {
    if (ssts_.empty()) return Invalidate();
    return OpenAt(dir_ == table::Direction::kForward ? 0 : ssts_.size() - 1, std::nullopt);
  }
  Status Seek(std::string_view key) override {
    if (ssts_.empty()) return Invalidate();
    // Last SST whose first_entry <= key.
    auto it = std::upper_bound(
        ssts_.begin(), ssts_.end(), key, [](std::string_view k, const format::SstHandle& h) {
          return h.info.first_entry && k < std::string_view(*h.info.first_entry);
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
    cur_.reset();
    while (probe_) {
      const format::SstInfo& info = ssts_[idx].info;
      // Entirely past the probe's keys in the scan direction: nothing more to find in this run.
      const bool past = dir_ == table::Direction::kForward
                            ? probe_end_ && info.first_entry && *info.first_entry >= *probe_end_
                            : info.last_entry && *info.last_entry < *probe_;
      if (past) return Invalidate();
      ASSIGN_OR_RETURN(bool excluded, reads_->PrefixFilterExcludes(ssts_[idx], *probe_));
      if (!excluded) break;
      // No key of the scanned prefix is in this SST: go on with the next one (from its start).
      seek.reset();
      if (dir_ == table::Direction::kForward) {
        if (idx + 1 >= ssts_.size()) return Invalidate();
        ++idx;
      } else {
        if (idx == 0) return Invalidate();
        --idx;
      }
    }
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
  std::optional<std::string> probe_;
  std::optional<std::string> probe_end_;  // PrefixRange(probe_).end
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
        alive_(std::move(alive)),
        resolver_(reads_->merge_operator(), std::nullopt) {}

  Result<std::optional<KeyValue>> Next() override {
    KeyValue kv;
    ASSIGN_OR_RETURN(bool found, NextInto(&kv));
    if (!found) return std::optional<KeyValue>();
    return std::optional<KeyValue>(std::move(kv));
  }

  Result<bool> NextInto(KeyValue* out) override {
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
        if (range_.end && row.key >= *range_.end) return false;
      } else {
        if (range_.start && row.key < *range_.start) return false;
        if (range_.end && row.key >= *range_.end) {
          RETURN_IF_ERROR(Advance());
          continue;
        }
      }
      if ((has_last_ && row.key == last_key_) || row.seq > seq_) {
        RETURN_IF_ERROR(Advance());
        continue;
      }
      // The newest visible version of a new key: resolve it with its older versions (within a
      // key the merged rows come newest first in both directions).
      last_key_ = row.key;
      has_last_ = true;
      // A value or a tombstone decides its key alone (reads apply no expiry): the common case,
      // answered without the resolver's copies.
      if (row.kind == format::RowKind::kValue) {
        out->key = row.key;
        out->value = row.value;
        out->seq = row.seq;
        out->create_ts = row.create_ts;
        out->expire_ts = row.expire_ts;
        RETURN_IF_ERROR(Advance());
        return true;
      }
      if (row.kind == format::RowKind::kTombstone) {
        RETURN_IF_ERROR(Advance());
        continue;
      }
      resolver_.Reset();
      while (true) {
        Status st = resolver_.Add(merged_->row());
        if (!st.ok()) return Fail(st);
        RETURN_IF_ERROR(Advance());
        if (resolver_.done() || !merged_->Valid() || merged_->row().key != last_key_) break;
      }
      Result<bool> resolved = resolver_.FinishInto(out);
      if (!resolved.ok()) return Fail(resolved.status());
      if (*resolved) return true;
    }
    return false;
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
  table::MergeResolver resolver_;  // reads apply no expiry (docs/format.md §11)
  Status status_;
};

bool KeyInSst(const format::SstInfo& info, std::string_view key) {
  if (info.first_entry && key < *info.first_entry) return false;
  if (info.last_entry && key > *info.last_entry) return false;
  return true;
}

}  // namespace

Status ForEachFlushRow(const Memtable& table, uint64_t retention_seq,
                       const MergeOperator* merge_operator,
                       const std::function<Status(const format::RowEntry&)>& fn) {
  std::vector<format::RowEntry> below;  // one key's versions at or below retention_seq
  bool below_done = false;              // met the first value / tombstone at or below
  auto finish_key = [&]() -> Status {
    if (below.empty()) return Status::OK();
    if (merge_operator != nullptr && below.size() > 1) {
      auto collapsed = table::CollapseOperands(*merge_operator, below, /*bottom=*/false);
      // On an operator error the operands stay as they are; a read of the key reports it.
      if (collapsed.ok()) below = std::move(*collapsed);
    }
    for (const auto& r : below) RETURN_IF_ERROR(fn(r));
    below.clear();
    return Status::OK();
  };
  format::RowEntry scratch;  // reused: its buffers keep their capacity from row to row
  auto load = [&](const memtable::MemtableIterator& it, format::RowEntry* r) {
    r->key.assign(it.key());
    r->value.assign(it.value());
    r->seq = it.seq();
    r->kind = it.kind();
    r->create_ts = it.create_ts();
    r->expire_ts = it.expire_ts();
  };
  memtable::MemtableIterator it = table.NewIterator();
  std::string_view prev_key;  // views into the memtable's arena stay valid while it lives
  bool first = true;
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    std::string_view key = it.key();
    if (first || key != prev_key) {
      RETURN_IF_ERROR(finish_key());
      first = false;
      prev_key = key;
      below_done = false;
    }
    if (it.seq() > retention_seq) {
      load(it, &scratch);
      RETURN_IF_ERROR(fn(scratch));
    } else if (!below_done) {
      below.push_back(it.row());
      below_done = it.kind() != format::RowKind::kMerge;
    }
  }
  return finish_key();
}

std::vector<format::RowEntry> CollectFlushRows(const Memtable& table, uint64_t retention_seq,
                                               const MergeOperator* merge_operator) {
  std::vector<format::RowEntry> rows;
  rows.reserve(table.num_entries());
  (void)ForEachFlushRow(table, retention_seq, merge_operator, [&](const format::RowEntry& r) {
    rows.push_back(r);
    return Status::OK();
  });
  return rows;
}

ReadPath::ReadPath(std::shared_ptr<ObjectStore> store, std::string db_path,
                   const Settings& settings, std::shared_ptr<MergeOperator> merge_operator,
                   std::shared_ptr<const PrefixExtractor> prefix_extractor,
                   const std::shared_ptr<MetricsRecorder>& metrics,
                   std::shared_ptr<BlockCache> block_cache)
    : settings_(settings),
      merge_operator_(std::move(merge_operator)),
      prefix_extractor_(std::move(prefix_extractor)),
      tables_(std::move(store), std::move(db_path),
              table::TableStoreOptions{
                  block_cache ? std::move(block_cache) : BlockCache::Create().value(),
                  table::BlockCacheImpl::NewScope(), table::CacheCounters::Register(metrics),
                  /*pin_metadata=*/true}),
      sst_paths_(tables_.db_path()) {
  auto rec = util::MetricsOrNoop(metrics);
  const MetricLabels point = {{"kind", "point"}};
  filter_positives_ = rec->RegisterCounter("slatedb.db.sst_filter_positive_count",
                                           "Bloom filter answers 'may contain' on a Get", point);
  filter_negatives_ = rec->RegisterCounter("slatedb.db.sst_filter_negative_count",
                                           "Bloom filter answers 'absent' on a Get", point);
  filter_false_positives_ =
      rec->RegisterCounter("slatedb.db.sst_filter_false_positive_count",
                           "Bloom filter 'may contain' answers where the key was absent", point);
}

std::optional<std::string> ReadPath::PrefixProbe(const ScanRange& range) const {
  if (!prefix_extractor_ || !range.start || range.start->empty()) return std::nullopt;
  const ScanRange whole = PrefixRange(*range.start);
  if (whole.start != range.start || whole.end != range.end) return std::nullopt;
  const std::string& prefix = *range.start;
  const std::optional<size_t> n = prefix_extractor_->PrefixLen(prefix, PrefixTarget::kPrefix);
  if (!n || *n > prefix.size()) return std::nullopt;  // no safe probe (or a broken extractor)
  return prefix.substr(0, *n);
}

Result<bool> ReadPath::PrefixFilterExcludes(const format::SstHandle& handle,
                                            std::string_view probe) {
  ASSIGN_OR_RETURN(auto reader, OpenSst(handle));
  ASSIGN_OR_RETURN(std::optional<bool> may,
                   reader->MayContainPrefix(prefix_extractor_->Name(), probe));
  if (!may) return false;  // no prefix filter of our extractor's name: nothing is known
  (*may ? prefix_positives_ : prefix_negatives_).fetch_add(1, std::memory_order_relaxed);
  return !*may;
}

Result<std::shared_ptr<table::SstReader>> ReadPath::OpenSst(const format::SstHandle& handle) {
  std::string key;
  {
    util::MutexLock lock(&mu_);
    key = sst_paths_.Path(handle.id);
    auto it = readers_.find(handle.id);
    if (it != readers_.end()) return it->second;
  }
  ASSIGN_OR_RETURN(std::shared_ptr<table::SstReader> reader,
                   tables_.OpenReader(handle, std::move(key)));
  util::MutexLock lock(&mu_);
  auto [it, inserted] = readers_.emplace(handle.id, reader);
  return it->second;
}

void ReadPath::Retain(std::shared_ptr<const format::Manifest> manifest) {
  if (!manifest) return;
  {
    // First: the readers opened below must find a clone's external SSTs where they are.
    util::MutexLock lock(&mu_);
    sst_paths_.Add(*manifest);
  }
  // Resolve every listed SST (OpenWithInfo does no I/O); a bad SstInfo leaves that slot empty,
  // and Get then reports the error through OpenSst.
  auto resolved = std::make_shared<ResolvedReaders>();
  size_t opened = 0;  // listed SSTs with a reader (each is in readers_)
  auto open = [&](const format::SstHandle& h) -> std::shared_ptr<table::SstReader> {
    auto r = OpenSst(h);
    if (!r.ok()) return nullptr;
    ++opened;
    return std::move(r).value();
  };
  const std::vector<format::ConstTreeRef> trees = format::AllTrees(*manifest);
  size_t listed = 0;
  resolved->trees.reserve(trees.size());
  for (const format::ConstTreeRef& tree : trees) {
    TreeReaders& tr = resolved->trees.emplace_back();
    tr.l0.reserve(tree.l0->size());
    for (const auto& sst : *tree.l0) tr.l0.push_back(open(sst));
    listed += tree.l0->size();
    tr.runs.reserve(tree.compacted->size());
    for (const auto& run : *tree.compacted) {
      auto& readers = tr.runs.emplace_back();
      readers.reserve(run.ssts.size());
      for (const auto& sst : run.ssts) readers.push_back(open(sst));
      listed += run.ssts.size();
    }
  }
  resolved->manifest = manifest;
  // Drop the readers of SSTs no longer listed at once (a local reader's descriptor would keep
  // the file's disk space after GC deletes it). They leave the map under the lock and are
  // destroyed after it (closing a descriptor is I/O).
  std::vector<std::shared_ptr<table::SstReader>> dropped;
  resolved_.Store(std::move(resolved));  // (the previous one is released there, unlocked)
  {
    util::MutexLock lock(&mu_);
    // No reader of an unlisted SST in the map: nothing to drop (the common case).
    if (readers_.size() == opened) return;
    std::unordered_set<format::Ulid, UlidHash> keep;
    keep.reserve(listed);
    for (const format::ConstTreeRef& tree : trees) {
      for (const auto& sst : *tree.l0) keep.insert(sst.id);
      for (const auto& run : *tree.compacted) {
        for (const auto& sst : run.ssts) keep.insert(sst.id);
      }
    }
    for (auto it = readers_.begin(); it != readers_.end();) {
      if (keep.contains(it->first)) {
        ++it;
      } else {
        dropped.push_back(std::move(it->second));
        it = readers_.erase(it);
      }
    }
  }
}

Status ReadPath::GetFromSst(const format::SstHandle& handle, table::SstReader* resolved,
                            std::string_view key, uint64_t seq, table::MergeResolver* resolver) {
  if (!KeyInSst(handle.info, key)) return Status::OK();
  std::shared_ptr<table::SstReader> opened;
  if (resolved == nullptr) {
    ASSIGN_OR_RETURN(opened, OpenSst(handle));
  }
  table::SstReader* reader = resolved ? resolved : opened.get();
  ASSIGN_OR_RETURN(bool may, reader->MayContain(key));
  // KeyInSst checked the key range, so with a filter `may` is the filter's answer.
  const bool filtered = handle.info.has_filter();
  if (filtered) (may ? filter_positives_ : filter_negatives_)->Increment(1);
  if (!may) return Status::OK();
  ASSIGN_OR_RETURN(std::optional<format::RowEntry> newest,
                   reader->Get(key, seq, /*filter_checked=*/true));
  if (!newest) {
    if (filtered) filter_false_positives_->Increment(1);
    return Status::OK();
  }
  RETURN_IF_ERROR(resolver->Add(std::move(*newest)));
  if (resolver->done()) return Status::OK();
  // A merge operand: the older versions of the key in this SST matter too.
  ASSIGN_OR_RETURN(std::vector<format::RowEntry> versions,
                   reader->GetVersions(key, seq, /*filter_checked=*/true));
  for (size_t i = 1; i < versions.size() && !resolver->done(); ++i) {
    RETURN_IF_ERROR(resolver->Add(versions[i]));
  }
  return Status::OK();
}

namespace {

// Feeds the versions of `key` in `table` with seq <= `seq` (newest first) to `resolver`.
Status GetFromMemtable(const Memtable& table, std::string_view key, uint64_t seq,
                       table::MergeResolver* resolver) {
  memtable::MemtableIterator it = table.NewIterator();
  for (it.Seek(key, seq); it.Valid() && it.key() == key && !resolver->done(); it.Next()) {
    RETURN_IF_ERROR(resolver->Add(it.row()));
  }
  return Status::OK();
}

}  // namespace

Result<std::optional<KeyValue>> ReadPath::Get(const DbState& state, std::string_view key,
                                              uint64_t seq) {
  // Reads apply no expiry (docs/format.md §11).
  table::MergeResolver resolver(merge_operator_.get(), std::nullopt);
  if (state.memtable) {
    RETURN_IF_ERROR(GetFromMemtable(*state.memtable, key, seq, &resolver));
  }
  for (const auto& imm : state.imms) {
    if (resolver.done()) break;
    RETURN_IF_ERROR(GetFromMemtable(*imm->table, key, seq, &resolver));
  }
  if (resolver.done()) return resolver.Finish();
  const format::Manifest& m = *state.manifest;
  const auto pinned = resolved_.Pin();  // no lock, no shared reference count touched
  const ResolvedReaders* resolved =
      pinned && pinned->manifest == state.manifest ? pinned.get() : nullptr;
  // The one tree that can hold the key (RFC-0024: routing is structural, by the manifest's
  // segment prefixes): the segment whose prefix starts it, else the root tree.
  const std::optional<size_t> seg = format::SegmentForKey(m, key);
  const format::ConstTreeRef tree =
      seg ? format::SegmentTree(m.segments[*seg]) : format::RootTree(m);
  const TreeReaders* readers = resolved ? &resolved->trees[seg ? *seg + 1 : 0] : nullptr;
  const std::vector<format::SstHandle>& l0 = *tree.l0;
  const std::vector<format::SortedRun>& compacted = *tree.compacted;
  for (size_t i = 0; i < l0.size(); ++i) {
    if (resolver.done()) break;
    RETURN_IF_ERROR(
        GetFromSst(l0[i], readers ? readers->l0[i].get() : nullptr, key, seq, &resolver));
  }
  for (size_t r = 0; r < compacted.size(); ++r) {
    const auto& run = compacted[r];
    if (resolver.done()) break;
    if (run.ssts.empty()) continue;
    auto it = std::upper_bound(
        run.ssts.begin(), run.ssts.end(), key, [](std::string_view k, const format::SstHandle& h) {
          return h.info.first_entry && k < std::string_view(*h.info.first_entry);
        });
    if (it == run.ssts.begin()) continue;
    const size_t idx = static_cast<size_t>(it - run.ssts.begin()) - 1;
    RETURN_IF_ERROR(GetFromSst(run.ssts[idx], readers ? readers->runs[r][idx].get() : nullptr, key,
                               seq, &resolver));
  }
  return resolver.Finish();
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
      // A value or a tombstone decides alone (reads apply no expiry).
      table::MergeResolver resolver(merge_operator_.get(), std::nullopt);
      Status st = resolver.Add(*row);
      answers[i] = st.ok() ? resolver.Finish() : Result<std::optional<KeyValue>>(st);
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
  const std::optional<std::string> probe = PrefixProbe(range);
  // The root tree and every segment whose [prefix, prefix++) meets the range (RFC-0024); the
  // trees hold disjoint keys, so merging them all gives each key's versions from its one tree.
  for (const format::ConstTreeRef& tree : format::AllTrees(*state->manifest)) {
    if (!tree.prefix.empty() && !format::SegmentOverlaps(tree.prefix, range.start, range.end)) {
      continue;
    }
    for (const auto& sst : *tree.l0) {
      // Skip SSTs entirely outside the range.
      if (range.end && sst.info.first_entry && *sst.info.first_entry >= *range.end) continue;
      if (range.start && sst.info.last_entry && *sst.info.last_entry < *range.start) continue;
      children.push_back(std::make_unique<SortedRunIterator>(
          self, std::vector<format::SstHandle>{sst}, dir, probe));
    }
    for (const auto& run : *tree.compacted) {
      children.push_back(std::make_unique<SortedRunIterator>(self, run.ssts, dir, probe));
    }
  }
  auto merged = std::make_unique<table::MergeIterator>(std::move(children), dir);
  return std::unique_ptr<DbIterator>(std::make_unique<DbIteratorImpl>(
      std::move(state), std::move(self), std::move(merged), range, reverse, seq, std::move(alive)));
}

}  // namespace slatedb::db
