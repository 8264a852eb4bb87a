// table/sst_reader.cc — SstReader and the per-SST iterator.
#include "table/sst_reader.h"

#include <algorithm>
#include <limits>
#include <string>

#include "util/coding.h"
#include "util/metrics.h"

namespace slatedb::table {

using format::Block;
using format::BlockIterator;
using format::RowEntry;
using format::SstIndex;

std::shared_ptr<const CacheCounters> CacheCounters::Register(
    const std::shared_ptr<MetricsRecorder>& recorder) {
  auto rec = util::MetricsOrNoop(recorder);
  constexpr std::string_view kName = "slatedb.db_cache.access_count";
  constexpr std::string_view kHelp = "Block cache lookups by entry kind and result";
  constexpr std::string_view kKinds[4] = {"data_block", "index", "filter", "stats"};
  auto c = std::make_shared<CacheCounters>();
  for (size_t i = 0; i < 4; ++i) {
    std::string kind(kKinds[i]);
    c->hit[i] = rec->RegisterCounter(kName, kHelp, {{"entry_kind", kind}, {"result", "hit"}});
    c->miss[i] = rec->RegisterCounter(kName, kHelp, {{"entry_kind", kind}, {"result", "miss"}});
  }
  return c;
}

SstReader::SstReader(PrivateTag, std::shared_ptr<ObjectStore> store, std::string key,
                     SstReaderOptions options)
    : store_(std::move(store)), key_(std::move(key)), options_(std::move(options)) {
  if (options_.cache) cache_ = options_.cache->impl();
  scope_ = options_.cache_scope != 0 ? options_.cache_scope : BlockCacheImpl::NewScope();
  if (options_.sst_id) {
    id_high_ = options_.sst_id->high;
    id_low_ = options_.sst_id->low;
  } else {
    // Two independent hashes of the object key (the scope keeps readers apart anyway).
    id_high_ = std::hash<std::string>{}(key_);
    id_low_ = std::hash<std::string>{}(key_ + "\x01") ^ 0x5bd1e9955bd1e995ULL;
  }
}

void SstReader::Count(CacheEntryKind kind, bool hit) const {
  if (!options_.counters) return;
  const auto i = static_cast<size_t>(kind);
  (hit ? options_.counters->hit[i] : options_.counters->miss[i])->Increment(1);
}

SstReader::~SstReader() {
  if (cache_ == nullptr) return;
  util::MutexLock lock(&mu_);
  if (pinned_index_charge_ > 0) {
    cache_->UnpinMeta(KeyOf(info_.index_offset, CacheEntryKind::kIndex), pinned_index_charge_);
  }
  if (pinned_filters_charge_ > 0) {
    cache_->UnpinMeta(KeyOf(info_.filter_offset, CacheEntryKind::kFilter), pinned_filters_charge_);
  }
}

template <typename T, typename Decode>
Result<std::shared_ptr<const T>> SstReader::LoadMeta(CacheEntryKind kind, uint64_t offset,
                                                     uint64_t len, std::shared_ptr<const T>* memo,
                                                     std::shared_ptr<const T>* pinned,
                                                     std::atomic<const T*>* pinned_ptr,
                                                     size_t* pinned_charge, Decode decode) {
  const bool cached = cache_ != nullptr;
  if (pinned_ptr != nullptr && pinned_ptr->load(std::memory_order_acquire) != nullptr) {
    util::MutexLock lock(&mu_);
    return *pinned;
  }
  // Pins `value` (once; under mu_, which is never held across I/O: Pin only takes a shard lock).
  auto pin = [&](const std::shared_ptr<const T>& value) {
    if (pinned_ptr == nullptr || !options_.pin_metadata) return;
    util::MutexLock lock(&mu_);
    if (*pinned) return;
    const size_t charge = AllocatedBytes(*value);
    if (!cache_->PinMeta(KeyOf(offset, kind), charge)) return;  // no room: stay in the cache
    *pinned = value;
    *pinned_charge = charge;
    pinned_ptr->store(value.get(), std::memory_order_release);
  };
  if (cached) {
    if (auto hit = cache_->LookupMeta<T>(KeyOf(offset, kind))) {
      Count(kind, true);
      pin(hit);
      return hit;
    }
    Count(kind, false);
  } else {
    util::MutexLock lock(&mu_);
    if (*memo) return *memo;
  }
  // Read and decode outside any lock; concurrent misses may both read (same result).
  ASSIGN_OR_RETURN(std::string bytes, ReadRange(offset, len));
  auto decoded = decode(bytes);
  if (!decoded.ok()) return WithKey(decoded.status());
  auto value = std::make_shared<const T>(std::move(*decoded));
  if (cached) {
    cache_->InsertMeta<T>(KeyOf(offset, kind), value, AllocatedBytes(*value));
    pin(value);
  } else {
    util::MutexLock lock(&mu_);
    if (!*memo) {
      *memo = value;
      if (pinned_ptr != nullptr) {  // memoised for the reader's life: the fast path may use it
        *pinned = value;
        pinned_ptr->store(value.get(), std::memory_order_release);
      }
    }
    return *memo;
  }
  return value;
}

Result<std::shared_ptr<SstReader>> SstReader::Open(std::shared_ptr<ObjectStore> store,
                                                   std::string object_key,
                                                   SstReaderOptions options) {
  auto r = std::make_shared<SstReader>(PrivateTag{}, std::move(store), std::move(object_key),
                                       std::move(options));
  RETURN_IF_ERROR(r->Init());
  return r;
}

Result<std::shared_ptr<SstReader>> SstReader::OpenWithInfo(std::shared_ptr<ObjectStore> store,
                                                           std::string object_key,
                                                           format::SstInfo info,
                                                           uint16_t format_version,
                                                           SstReaderOptions options) {
  auto r = std::make_shared<SstReader>(PrivateTag{}, std::move(store), std::move(object_key),
                                       std::move(options));
  if (format_version != format::kSstFormatVersion &&
      format_version != format::kSstFormatVersionLegacy) {
    return Status::Data(r->key_ + ": unsupported SST format version " +
                        std::to_string(format_version));
  }
  if (info.index_len < format::kSectionCrcSize ||
      info.index_offset > std::numeric_limits<uint64_t>::max() - info.index_len) {
    return Status::Data(r->key_ + ": SST info has an invalid index section");
  }
  r->info_ = std::move(info);
  r->version_ = format_version;
  return r;
}

Result<ObjectReader*> SstReader::Reader() {
  if (ObjectReader* r = reader_ptr_.load(std::memory_order_acquire)) return r;
  ASSIGN_OR_RETURN(std::unique_ptr<ObjectReader> opened, store_->OpenReader(key_));
  util::MutexLock lock(&mu_);
  if (!reader_) {  // else a concurrent first read won; ours is dropped
    reader_ = std::move(opened);
    reader_ptr_.store(reader_.get(), std::memory_order_release);
  }
  return reader_.get();
}

Status SstReader::Init() {
  uint64_t probe = std::max<uint64_t>(options_.suffix_read_bytes, format::kSstFooterSize);
  ASSIGN_OR_RETURN(ObjectReader * reader, Reader());
  auto suffix = reader->ReadSuffix(probe);
  if (!suffix.ok()) return suffix.status();
  if (suffix->size() < probe) {
    size_ = suffix->size();
    tail_offset_ = 0;
    // The whole object is kept: no read needs the reader (nor its descriptor) again. (Closed
    // after the lock is released.)
    std::unique_ptr<ObjectReader> unused;
    {
      util::MutexLock lock(&mu_);
      reader_ptr_.store(nullptr, std::memory_order_release);
      unused = std::move(reader_);
    }
  } else {
    ASSIGN_OR_RETURN(uint64_t size, reader->Size());
    if (size < suffix->size()) {
      return Status::Data(key_ + ": object changed while being opened");
    }
    size_ = size;
    tail_offset_ = size_ - suffix->size();
  }
  tail_ = std::move(*suffix);
  has_tail_ = true;
  if (size_ <= format::kSstFooterSize) {
    return Status::Data(key_ + ": SST of " + std::to_string(size_) + " bytes is too small");
  }
  auto footer = format::DecodeFooter(
      std::string_view(tail_).substr(tail_.size() - format::kSstFooterSize), size_);
  if (!footer.ok()) return WithKey(footer.status());
  version_ = footer->version;
  uint64_t m = footer->metadata_offset;
  ASSIGN_OR_RETURN(std::string info_bytes, ReadRange(m, size_ - format::kSstFooterSize - m));
  auto info = format::DecodeInfo(info_bytes);
  if (!info.ok()) return WithKey(info.status());
  info_ = std::move(*info);
  Status st = format::ValidateInfoLayout(info_, *footer, size_);
  if (!st.ok()) return WithKey(st);
  return Status::OK();
}

Result<std::string> SstReader::ReadRange(uint64_t offset, uint64_t len) {
  if (has_tail_ && offset >= tail_offset_ && offset <= size_ && len <= size_ - offset) {
    return tail_.substr(offset - tail_offset_, len);
  }
  ASSIGN_OR_RETURN(ObjectReader * reader, Reader());
  // Exactly `len` bytes, or kData naming the object (truncated).
  return reader->ReadAt(offset, len);
}

Result<std::shared_ptr<const SstIndex>> SstReader::Index() {
  return LoadMeta<SstIndex>(CacheEntryKind::kIndex, info_.index_offset, info_.index_len, &index_,
                            &pinned_index_, &pinned_index_ptr_, &pinned_index_charge_,
                            [this](std::string_view bytes) -> Result<SstIndex> {
                              auto index = format::DecodeIndex(bytes, info_.compression);
                              if (!index.ok()) return index.status();
                              for (size_t i = 0; i < index->blocks.size(); ++i) {
                                uint64_t start = 0, end = 0;
                                RETURN_IF_ERROR(format::BlockRange(*index, info_, i, &start, &end));
                              }
                              return index;
                            });
}

Result<std::shared_ptr<const format::SstFilters>> SstReader::Filters() {
  if (info_.filter_len == 0) return std::make_shared<const format::SstFilters>();
  return LoadMeta<format::SstFilters>(
      CacheEntryKind::kFilter, info_.filter_offset, info_.filter_len, &filters_, &pinned_filters_,
      &pinned_filters_ptr_, &pinned_filters_charge_, [this](std::string_view bytes) {
        return format::DecodeFilters(bytes, info_.compression, info_.filter_format);
      });
}

Result<std::optional<format::SstStats>> SstReader::Stats() {
  if (info_.stats_len == 0) return std::optional<format::SstStats>();
  ASSIGN_OR_RETURN(
      auto stats, LoadMeta<format::SstStats>(CacheEntryKind::kStats, info_.stats_offset,
                                             info_.stats_len, &stats_, nullptr, nullptr, nullptr,
                                             [this](std::string_view bytes) {
                                               return format::DecodeStats(bytes, info_.compression);
                                             }));
  return std::optional<format::SstStats>(*stats);
}

Result<size_t> SstReader::NumBlocks() {
  ASSIGN_OR_RETURN(auto index, Index());
  return index->blocks.size();
}

Result<std::shared_ptr<const Block>> SstReader::ReadBlock(size_t i) {
  ASSIGN_OR_RETURN(auto index, Index());
  return ReadBlock(*index, i);
}

Result<std::shared_ptr<const Block>> SstReader::ReadBlock(const SstIndex& index, size_t i) {
  uint64_t start = 0, end = 0;
  Status st = format::BlockRange(index, info_, i, &start, &end);
  if (!st.ok()) return WithKey(st);
  const bool cached = cache_ != nullptr && cache_->data_enabled();
  if (cached) {
    if (auto hit = cache_->LookupBlock(KeyOf(start, CacheEntryKind::kDataBlock))) {
      Count(CacheEntryKind::kDataBlock, true);
      return hit;
    }
    Count(CacheEntryKind::kDataBlock, false);
  }
  ASSIGN_OR_RETURN(std::string bytes, ReadRange(start, end - start));
  auto block = format::DecodeBlock(std::move(bytes), info_.compression, version_);
  if (!block.ok()) {
    return WithKey(block.status().WithContext("block #" + std::to_string(i)));
  }
  if (cached) cache_->InsertBlock(KeyOf(start, CacheEntryKind::kDataBlock), *block);
  return block;
}

size_t SstReader::FindBlockForward(const SstIndex& index, std::string_view key) const {
  // Last block whose first_key is strictly less than key; block 0 if none.
  const size_t n = format::LowerBoundBlock(index, key);
  return n == 0 ? 0 : n - 1;
}

Result<bool> SstReader::MayContain(std::string_view key) {
  if (!is_wal()) {
    if (info_.first_entry && key < std::string_view(*info_.first_entry)) return false;
    if (info_.last_entry && key > std::string_view(*info_.last_entry)) return false;
  }
  if (info_.filter_len == 0) return true;
  const format::SstFilters* filters = pinned_filters_ptr_.load(std::memory_order_acquire);
  std::shared_ptr<const format::SstFilters> held;  // when not pinned
  if (filters == nullptr) {
    ASSIGN_OR_RETURN(held, Filters());
    filters = held.get();
  }
  return !filters->whole_key || filters->whole_key->MayContain(key);
}

Result<std::optional<bool>> SstReader::MayContainPrefix(std::string_view extractor_name,
                                                        std::string_view prefix) {
  if (info_.filter_len == 0) return std::optional<bool>();
  ASSIGN_OR_RETURN(auto filters, Filters());
  const format::BloomFilter* filter = filters->PrefixFilter(extractor_name);
  if (filter == nullptr) return std::optional<bool>();
  return std::optional<bool>(filter->MayContain(prefix));
}

template <typename Take>
Result<bool> SstReader::VisitVersions(std::string_view key, uint64_t max_seq, bool filter_checked,
                                      Take take) {
  if (is_wal()) return Status::Invalid(key_ + ": point lookups are not supported on WAL SSTs");
  if (!filter_checked) {
    ASSIGN_OR_RETURN(bool may, MayContain(key));
    if (!may) return false;
  }
  const SstIndex* index = pinned_index_ptr_.load(std::memory_order_acquire);
  std::shared_ptr<const SstIndex> held;  // when not pinned
  if (index == nullptr) {
    ASSIGN_OR_RETURN(held, Index());
    index = held.get();
  }
  for (size_t b = FindBlockForward(*index, key); b < index->blocks.size(); ++b) {
    ASSIGN_OR_RETURN(auto block, ReadBlock(*index, b));
    BlockIterator it(block);
    Status st = it.Seek(key);
    if (!st.ok()) return WithKey(st);
    for (; it.Valid(); st = it.Next()) {
      if (it.row().key != key) return true;
      if (it.row().seq <= max_seq && !take(it)) return true;
    }
    if (!st.ok()) return WithKey(st);
  }
  return true;
}

Result<std::vector<RowEntry>> SstReader::GetVersions(std::string_view key, uint64_t max_seq,
                                                     bool filter_checked) {
  std::vector<RowEntry> out;
  RETURN_IF_ERROR(VisitVersions(key, max_seq, filter_checked, [&](BlockIterator& it) {
                    out.push_back(it.row());
                    return true;
                  }).status());
  return out;
}

Result<std::optional<RowEntry>> SstReader::Get(std::string_view key, uint64_t max_seq,
                                               bool filter_checked) {
  std::optional<RowEntry> out;
  RETURN_IF_ERROR(VisitVersions(key, max_seq, filter_checked, [&](BlockIterator& it) {
                    out = it.TakeRow();
                    return false;
                  }).status());
  return out;
}

Result<std::vector<RowEntry>> SstReader::ReadAllRows() {
  ASSIGN_OR_RETURN(auto index, Index());
  std::vector<RowEntry> rows;
  for (size_t b = 0; b < index->blocks.size(); ++b) {
    ASSIGN_OR_RETURN(auto block, ReadBlock(*index, b));
    auto decoded = block->DecodeAll();
    if (!decoded.ok()) {
      return WithKey(decoded.status().WithContext("block #" + std::to_string(b)));
    }
    for (auto& r : *decoded) rows.push_back(std::move(r));
  }
  return rows;
}

// ---- SstIterator ----

class SstIterator : public RowIterator {
 public:
  SstIterator(std::shared_ptr<SstReader> reader, Direction dir)
      : reader_(std::move(reader)), dir_(dir) {}

  Status SeekToFirst() override {
    RETURN_IF_ERROR(Prepare());
    if (index_->blocks.empty()) return Status::OK();
    if (dir_ == Direction::kForward) return ForwardFrom(0, std::nullopt);
    RETURN_IF_ERROR(LoadReverseBlock(index_->blocks.size() - 1));
    return BuildGroup();
  }

  Status Seek(std::string_view key) override {
    RETURN_IF_ERROR(Prepare());
    if (index_->blocks.empty()) return Status::OK();
    if (dir_ == Direction::kForward) {
      return ForwardFrom(reader_->FindBlockForward(*index_, key), key);
    }
    // Last block whose separator is <= key (block 0's separator is empty).
    auto it = std::upper_bound(
        index_->blocks.begin(), index_->blocks.end(), key,
        [](std::string_view k, const format::BlockMetaEntry& m) { return k < m.first_key; });
    size_t b =
        it == index_->blocks.begin() ? 0 : static_cast<size_t>(it - index_->blocks.begin()) - 1;
    RETURN_IF_ERROR(LoadReverseBlock(b));
    auto ub = std::upper_bound(rrows_.begin(), rrows_.end(), key,
                               [](std::string_view k, const RowEntry& r) { return k < r.key; });
    rpos_ = static_cast<size_t>(ub - rrows_.begin());
    return BuildGroup();
  }

  bool Valid() const override { return valid_; }

  Status Next() override {
    if (!valid_) return Status::OK();
    if (dir_ == Direction::kForward) {
      Status st = bit_->Next();
      if (!st.ok()) return Fail(st);
      if (!bit_->Valid()) return ForwardFrom(block_ + 1, std::nullopt);
      return Status::OK();
    }
    if (++group_pos_ < group_.size()) return Status::OK();
    return BuildGroup();
  }

  const RowEntry& row() const override {
    return dir_ == Direction::kForward ? bit_->row() : group_[group_pos_];
  }
  Direction direction() const override { return dir_; }

 private:
  Status Fail(const Status& st) {
    valid_ = false;
    return reader_->WithKey(st);
  }

  Status Prepare() {
    valid_ = false;
    if (reader_->is_wal()) {
      return Status::Invalid(reader_->object_key() +
                             ": WAL SSTs are read whole in commit order (ReadAllRows)");
    }
    if (!index_) {
      ASSIGN_OR_RETURN(index_, reader_->Index());
    }
    return Status::OK();
  }

  // Forward: position in block `b` (at `key` if given, else its first row), moving to later
  // blocks while positioned past the end.
  Status ForwardFrom(size_t b, std::optional<std::string_view> key) {
    valid_ = false;
    for (; b < index_->blocks.size(); ++b) {
      ASSIGN_OR_RETURN(auto block, reader_->ReadBlock(*index_, b));
      bit_ = std::make_unique<BlockIterator>(block);
      Status st = key ? bit_->Seek(*key) : bit_->SeekToFirst();
      if (!st.ok()) return Fail(st);
      if (bit_->Valid()) {
        block_ = b;
        valid_ = true;
        return Status::OK();
      }
      key.reset();
    }
    return Status::OK();
  }

  Status LoadReverseBlock(size_t b) {
    ASSIGN_OR_RETURN(auto block, reader_->ReadBlock(*index_, b));
    auto rows = block->DecodeAll();
    if (!rows.ok()) return Fail(rows.status().WithContext("block #" + std::to_string(b)));
    rrows_ = std::move(*rows);
    rblock_ = b;
    rpos_ = rrows_.size();
    return Status::OK();
  }

  // Makes rows_[rpos_-1] the previous unconsumed row; false when none is left.
  Result<bool> EnsurePrev() {
    while (rpos_ == 0) {
      if (rblock_ == 0) return false;
      RETURN_IF_ERROR(LoadReverseBlock(rblock_ - 1));
    }
    return true;
  }

  // Reverse: collects every version of the key just before the cursor, newest first.
  Status BuildGroup() {
    valid_ = false;
    group_.clear();
    group_pos_ = 0;
    ASSIGN_OR_RETURN(bool has, EnsurePrev());
    if (!has) return Status::OK();
    std::string key = rrows_[rpos_ - 1].key;
    while (true) {
      ASSIGN_OR_RETURN(bool more, EnsurePrev());
      if (!more || rrows_[rpos_ - 1].key != key) break;
      group_.push_back(std::move(rrows_[--rpos_]));
    }
    std::reverse(group_.begin(), group_.end());  // stored order = seq descending
    valid_ = true;
    return Status::OK();
  }

  std::shared_ptr<SstReader> reader_;
  Direction dir_;
  std::shared_ptr<const SstIndex> index_;
  bool valid_ = false;
  // Forward.
  size_t block_ = 0;
  std::unique_ptr<BlockIterator> bit_;
  // Reverse.
  std::vector<RowEntry> rrows_;  // decoded rows of block rblock_; [0, rpos_) unconsumed
  size_t rblock_ = 0;
  size_t rpos_ = 0;
  std::vector<RowEntry> group_;
  size_t group_pos_ = 0;
};

std::unique_ptr<RowIterator> SstReader::NewIterator(Direction dir) {
  return std::make_unique<SstIterator>(shared_from_this(), dir);
}

Result<std::vector<RowEntry>> ReadAllRows(const std::shared_ptr<ObjectStore>& store,
                                          const std::string& object_key) {
  ASSIGN_OR_RETURN(std::string bytes, store->Get(object_key));
  auto decoded = format::DecodeSst(bytes);
  if (!decoded.ok()) return decoded.status().WithContext(object_key);
  return std::move(decoded->rows);
}

}  // namespace slatedb::table
