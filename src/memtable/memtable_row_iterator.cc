// memtable/memtable_row_iterator.cc — see memtable_row_iterator.h.
//
// Reverse order is built from the skiplist's backward search: SeekForPrev(k) lands on the
// oldest row of the largest key <= k, and Seek(that key) on its newest row. Leaving a key group
// backwards re-seeks the group's first row and steps once with Prev (three O(log n) searches
// per key, no per-row cost).
#include "memtable/memtable_row_iterator.h"

#include <utility>

namespace slatedb::memtable {

MemtableRowIterator::MemtableRowIterator(std::shared_ptr<const Memtable> table,
                                         table::Direction dir)
    : it_(std::move(table)), dir_(dir) {}

void MemtableRowIterator::Load() {
  if (it_.Valid()) row_ = it_.row();
}

void MemtableRowIterator::PositionNewestOfKeyAtOrBefore(std::string_view key) {
  it_.SeekForPrev(key);
  if (!it_.Valid()) return;
  std::string group(it_.key());
  it_.Seek(group);  // the group exists, so this lands on its newest row
}

void MemtableRowIterator::PositionPreviousGroup() {
  // row_ holds the current group's key (every row of the group shares it).
  it_.Seek(row_.key);
  if (!it_.Valid()) return;  // unreachable: the group exists
  it_.Prev();
  if (!it_.Valid()) return;
  std::string group(it_.key());
  it_.Seek(group);
}

Status MemtableRowIterator::SeekToFirst() {
  if (dir_ == table::Direction::kForward) {
    it_.SeekToFirst();
  } else {
    it_.SeekToLast();
    if (it_.Valid()) {
      std::string group(it_.key());
      it_.Seek(group);
    }
  }
  Load();
  return Status::OK();
}

Status MemtableRowIterator::Seek(std::string_view key) {
  if (dir_ == table::Direction::kForward) {
    it_.Seek(key);
  } else {
    PositionNewestOfKeyAtOrBefore(key);
  }
  Load();
  return Status::OK();
}

Status MemtableRowIterator::Next() {
  if (!it_.Valid()) return Status::OK();
  if (dir_ == table::Direction::kForward) {
    it_.Next();
  } else {
    it_.Next();  // next older version of the same key, if any
    if (!it_.Valid() || it_.key() != row_.key) PositionPreviousGroup();
  }
  Load();
  return Status::OK();
}

}  // namespace slatedb::memtable
