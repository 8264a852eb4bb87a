// table/iterator.cc — VectorIterator and MergeIterator.
#include "table/iterator.h"

#include <algorithm>
#include <string>

namespace slatedb::table {

using format::RowEntry;

VectorIterator::VectorIterator(std::shared_ptr<const std::vector<RowEntry>> rows, Direction dir)
    : rows_(std::move(rows)), dir_(dir) {
  pos_ = end_ = rows_->size();
}

VectorIterator::VectorIterator(std::vector<RowEntry> rows, Direction dir)
    : VectorIterator(std::make_shared<const std::vector<RowEntry>>(std::move(rows)), dir) {}

void VectorIterator::PositionGroupEndingAt(size_t end) {
  if (end == 0) {
    pos_ = end_ = rows_->size();  // invalid
    return;
  }
  size_t start = end - 1;
  while (start > 0 && (*rows_)[start - 1].key == (*rows_)[end - 1].key) --start;
  group_start_ = start;
  pos_ = start;
  end_ = end;
}

Status VectorIterator::SeekToFirst() {
  if (dir_ == Direction::kForward) {
    pos_ = 0;
    end_ = rows_->size();
  } else {
    PositionGroupEndingAt(rows_->size());
  }
  return Status::OK();
}

Status VectorIterator::Seek(std::string_view key) {
  const auto& v = *rows_;
  if (dir_ == Direction::kForward) {
    auto it = std::lower_bound(v.begin(), v.end(), key, [](const RowEntry& r, std::string_view k) {
      return std::string_view(r.key) < k;
    });
    pos_ = static_cast<size_t>(it - v.begin());
    end_ = v.size();
  } else {
    auto it = std::upper_bound(v.begin(), v.end(), key, [](std::string_view k, const RowEntry& r) {
      return k < std::string_view(r.key);
    });
    PositionGroupEndingAt(static_cast<size_t>(it - v.begin()));
  }
  return Status::OK();
}

Status VectorIterator::Next() {
  if (!Valid()) return Status::OK();
  ++pos_;
  if (dir_ == Direction::kReverse && pos_ == end_) PositionGroupEndingAt(group_start_);
  return Status::OK();
}

// ---- MergeIterator ----

MergeIterator::MergeIterator(std::vector<std::unique_ptr<RowIterator>> children, Direction dir)
    : children_(std::move(children)), dir_(dir) {}

bool MergeIterator::HeapLess(size_t a, size_t b) const {
  // std heap functions keep the "largest" at the front; we want the row that comes first.
  // One key comparison: true if a's row comes after b's in iteration order (see RowBefore).
  const RowEntry& ra = children_[a]->row();
  const RowEntry& rb = children_[b]->row();
  int c = std::string_view(ra.key).compare(rb.key);
  if (c != 0) return dir_ == Direction::kForward ? c > 0 : c < 0;
  if (ra.seq != rb.seq) return ra.seq < rb.seq;
  return a > b;  // equal (key, seq): lower child index (higher precedence) first
}

Status MergeIterator::RebuildHeap() {
  heap_.clear();
  for (size_t i = 0; i < children_.size(); ++i) {
    if (children_[i]->Valid()) heap_.push_back(i);
  }
  auto cmp = [this](size_t a, size_t b) { return HeapLess(a, b); };
  std::make_heap(heap_.begin(), heap_.end(), cmp);
  return Status::OK();
}

Status MergeIterator::SeekToFirst() {
  for (auto& c : children_) {
    Status st = c->SeekToFirst();
    if (!st.ok()) {
      heap_.clear();
      return st;
    }
  }
  return RebuildHeap();
}

Status MergeIterator::Seek(std::string_view key) {
  for (auto& c : children_) {
    Status st = c->Seek(key);
    if (!st.ok()) {
      heap_.clear();
      return st;
    }
  }
  return RebuildHeap();
}

Status MergeIterator::AdvanceTop() {
  auto cmp = [this](size_t a, size_t b) { return HeapLess(a, b); };
  std::pop_heap(heap_.begin(), heap_.end(), cmp);
  size_t child = heap_.back();
  Status st = children_[child]->Next();
  if (!st.ok()) {
    heap_.clear();
    return st;
  }
  if (children_[child]->Valid()) {
    std::push_heap(heap_.begin(), heap_.end(), cmp);
  } else {
    heap_.pop_back();
  }
  return Status::OK();
}

Status MergeIterator::Next() {
  if (heap_.empty()) return Status::OK();
  last_key_.assign(row().key);  // reuses the buffer: no allocation per row
  uint64_t seq = row().seq;
  RETURN_IF_ERROR(AdvanceTop());
  // Drop lower-precedence duplicates of the row just returned.
  while (!heap_.empty() && row().seq == seq && row().key == last_key_) {
    RETURN_IF_ERROR(AdvanceTop());
  }
  return Status::OK();
}

}  // namespace slatedb::table
