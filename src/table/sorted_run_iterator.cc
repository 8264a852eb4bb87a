// table/sorted_run_iterator.cc
#include "table/sorted_run_iterator.h"

#include <algorithm>

namespace slatedb::table {

SstOpener MakeSstOpener(std::shared_ptr<ObjectStore> store, SstReaderOptions options) {
  return [store = std::move(store), options = std::move(options)](const SstRef& h) {
    return SstReader::OpenWithInfo(store, h.object_key, h.info, h.format_version, options);
  };
}

SortedRunIterator::SortedRunIterator(std::vector<SstRef> ssts, SstOpener opener, Direction dir)
    : ssts_(std::move(ssts)), opener_(std::move(opener)), dir_(dir) {}

Status SortedRunIterator::OpenAt(size_t i) {
  cur_.reset();
  idx_ = i;
  auto reader = opener_(ssts_[i]);
  if (!reader.ok()) return reader.status();
  cur_ = (*reader)->NewIterator(dir_);
  return Status::OK();
}

Status SortedRunIterator::SkipExhausted() {
  while (cur_ && !cur_->Valid()) {
    bool more = dir_ == Direction::kForward ? idx_ + 1 < ssts_.size() : idx_ > 0;
    if (!more) {
      cur_.reset();
      break;
    }
    RETURN_IF_ERROR(OpenAt(dir_ == Direction::kForward ? idx_ + 1 : idx_ - 1));
    Status st = cur_->SeekToFirst();
    if (!st.ok()) {
      cur_.reset();
      return st;
    }
  }
  return Status::OK();
}

Status SortedRunIterator::SeekToFirst() {
  cur_.reset();
  if (ssts_.empty()) return Status::OK();
  RETURN_IF_ERROR(OpenAt(dir_ == Direction::kForward ? 0 : ssts_.size() - 1));
  Status st = cur_->SeekToFirst();
  if (!st.ok()) {
    cur_.reset();
    return st;
  }
  return SkipExhausted();
}

Status SortedRunIterator::Seek(std::string_view key) {
  cur_.reset();
  if (ssts_.empty()) return Status::OK();
  size_t i = 0;
  if (dir_ == Direction::kForward) {
    // First SST whose last entry is >= key (an absent last entry never excludes).
    auto it = std::partition_point(ssts_.begin(), ssts_.end(), [&](const SstRef& h) {
      return h.info.last_entry.has_value() && std::string_view(*h.info.last_entry) < key;
    });
    if (it == ssts_.end()) return Status::OK();
    i = static_cast<size_t>(it - ssts_.begin());
  } else {
    // Last SST whose first entry is <= key.
    auto it = std::partition_point(ssts_.begin(), ssts_.end(), [&](const SstRef& h) {
      return !h.info.first_entry.has_value() || std::string_view(*h.info.first_entry) <= key;
    });
    if (it == ssts_.begin()) return Status::OK();
    i = static_cast<size_t>(it - ssts_.begin()) - 1;
  }
  RETURN_IF_ERROR(OpenAt(i));
  Status st = cur_->Seek(key);
  if (!st.ok()) {
    cur_.reset();
    return st;
  }
  return SkipExhausted();
}

Status SortedRunIterator::Next() {
  if (!Valid()) return Status::OK();
  Status st = cur_->Next();
  if (!st.ok()) {
    cur_.reset();
    return st;
  }
  return SkipExhausted();
}

}  // namespace slatedb::table
