// table/sst_reader.cc — SstReader and the per-SST iterator.
#include "table/sst_reader.h"

#include <algorithm>
#include <limits>
#include <string>

#include "util/coding.h"

namespace slatedb::table {

using format::Block;
using format::BlockIterator;
using format::RowEntry;
using format::SstIndex;

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

Status SstReader::Init() {
  uint64_t probe = std::max<uint64_t>(options_.suffix_read_bytes, format::kSstFooterSize);
  auto suffix = store_->GetSuffix(key_, probe);
  if (!suffix.ok()) return suffix.status();
  if (suffix->size() < probe) {
    size_ = suffix->size();
    tail_offset_ = 0;
  } else {
    ASSIGN_OR_RETURN(ObjectMeta meta, store_->Head(key_));
    if (meta.size < suffix->size()) {
      return Status::Data(key_ + ": object changed while being opened");
    }
    size_ = meta.size;
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
  ASSIGN_OR_RETURN(std::string bytes, store_->GetRange(key_, offset, len));
  if (bytes.size() != len) {
    return Status::Data(key_ + ": short read of [" + std::to_string(offset) + ", +" +
                        std::to_string(len) + "): got " + std::to_string(bytes.size()) + " bytes");
  }
  return bytes;
}

Result<std::shared_ptr<const SstIndex>> SstReader::Index() {
  util::MutexLock lock(&mu_);
  if (index_) return index_;
  ASSIGN_OR_RETURN(std::string bytes, ReadRange(info_.index_offset, info_.index_len));
  auto index = format::DecodeIndex(bytes, info_.compression);
  if (!index.ok()) return WithKey(index.status());
  for (size_t i = 0; i < index->blocks.size(); ++i) {
    uint64_t start = 0, end = 0;
    Status st = format::BlockRange(*index, info_, i, &start, &end);
    if (!st.ok()) return WithKey(st);
  }
  index_ = std::make_shared<const SstIndex>(std::move(*index));
  return index_;
}

Result<std::shared_ptr<const format::SstFilters>> SstReader::Filters() {
  util::MutexLock lock(&mu_);
  if (filters_) return filters_;
  format::SstFilters filters;
  if (info_.filter_len > 0) {
    ASSIGN_OR_RETURN(std::string bytes, ReadRange(info_.filter_offset, info_.filter_len));
    auto f = format::DecodeFilters(bytes, info_.compression, info_.filter_format);
    if (!f.ok()) return WithKey(f.status());
    filters = std::move(*f);
  }
  filters_ = std::make_shared<const format::SstFilters>(std::move(filters));
  return filters_;
}

Result<std::optional<format::SstStats>> SstReader::Stats() {
  if (info_.stats_len == 0) return std::optional<format::SstStats>();
  ASSIGN_OR_RETURN(std::string bytes, ReadRange(info_.stats_offset, info_.stats_len));
  auto s = format::DecodeStats(bytes, info_.compression);
  if (!s.ok()) return WithKey(s.status());
  return std::optional<format::SstStats>(std::move(*s));
}

Result<size_t> SstReader::NumBlocks() {
  ASSIGN_OR_RETURN(auto index, Index());
  return index->blocks.size();
}

Result<std::shared_ptr<const Block>> SstReader::ReadBlock(size_t i) {
  ASSIGN_OR_RETURN(auto index, Index());
  uint64_t start = 0, end = 0;
  Status st = format::BlockRange(*index, info_, i, &start, &end);
  if (!st.ok()) return WithKey(st);
  if (options_.cache) {
    if (auto hit = options_.cache->Lookup(key_, start)) return hit;
  }
  ASSIGN_OR_RETURN(std::string bytes, ReadRange(start, end - start));
  auto block = format::DecodeBlock(bytes, info_.compression, version_);
  if (!block.ok()) {
    return WithKey(block.status().WithContext("block #" + std::to_string(i)));
  }
  if (options_.cache) options_.cache->Insert(key_, start, *block);
  return block;
}

size_t SstReader::FindBlockForward(const SstIndex& index, std::string_view key) const {
  // Last block whose first_key is strictly less than key; block 0 if none.
  auto it = std::lower_bound(
      index.blocks.begin(), index.blocks.end(), key,
      [](const format::BlockMetaEntry& m, std::string_view k) { return m.first_key < k; });
  size_t n = static_cast<size_t>(it - index.blocks.begin());
  return n == 0 ? 0 : n - 1;
}

Result<bool> SstReader::MayContain(std::string_view key) {
  if (!is_wal()) {
    if (info_.first_entry && key < std::string_view(*info_.first_entry)) return false;
    if (info_.last_entry && key > std::string_view(*info_.last_entry)) return false;
  }
  ASSIGN_OR_RETURN(auto filters, Filters());
  return !filters->whole_key || filters->whole_key->MayContain(key);
}

Result<std::optional<bool>> SstReader::MayContainPrefix(std::string_view extractor_name,
                                                        std::string_view prefix) {
  ASSIGN_OR_RETURN(auto filters, Filters());
  const format::BloomFilter* filter = filters->PrefixFilter(extractor_name);
  if (filter == nullptr) return std::optional<bool>();
  return std::optional<bool>(filter->MayContain(prefix));
}

Result<std::vector<RowEntry>> SstReader::GetVersions(std::string_view key, uint64_t max_seq) {
  if (is_wal()) return Status::Invalid(key_ + ": point lookups are not supported on WAL SSTs");
  std::vector<RowEntry> out;
  ASSIGN_OR_RETURN(bool may, MayContain(key));
  if (!may) return out;
  ASSIGN_OR_RETURN(auto index, Index());
  for (size_t b = FindBlockForward(*index, key); b < index->blocks.size(); ++b) {
    ASSIGN_OR_RETURN(auto block, ReadBlock(b));
    BlockIterator it(block);
    Status st = it.Seek(key);
    if (!st.ok()) return WithKey(st);
    for (; it.Valid(); st = it.Next()) {
      if (it.row().key != key) return out;
      if (it.row().seq <= max_seq) out.push_back(it.row());
    }
    if (!st.ok()) return WithKey(st);
  }
  return out;
}

Result<std::optional<RowEntry>> SstReader::Get(std::string_view key, uint64_t max_seq) {
  if (is_wal()) return Status::Invalid(key_ + ": point lookups are not supported on WAL SSTs");
  ASSIGN_OR_RETURN(bool may, MayContain(key));
  if (!may) return std::optional<RowEntry>();
  ASSIGN_OR_RETURN(auto index, Index());
  for (size_t b = FindBlockForward(*index, key); b < index->blocks.size(); ++b) {
    ASSIGN_OR_RETURN(auto block, ReadBlock(b));
    BlockIterator it(block);
    Status st = it.Seek(key);
    if (!st.ok()) return WithKey(st);
    for (; it.Valid(); st = it.Next()) {
      if (it.row().key != key) return std::optional<RowEntry>();
      if (it.row().seq <= max_seq) return std::optional<RowEntry>(it.row());
    }
    if (!st.ok()) return WithKey(st);
  }
  return std::optional<RowEntry>();
}

Result<std::vector<RowEntry>> SstReader::ReadAllRows() {
  ASSIGN_OR_RETURN(size_t n, NumBlocks());
  std::vector<RowEntry> rows;
  for (size_t b = 0; b < n; ++b) {
    ASSIGN_OR_RETURN(auto block, ReadBlock(b));
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
      ASSIGN_OR_RETURN(auto block, reader_->ReadBlock(b));
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
    ASSIGN_OR_RETURN(auto block, reader_->ReadBlock(b));
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
