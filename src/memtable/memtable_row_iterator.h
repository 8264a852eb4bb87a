// memtable/memtable_row_iterator.h — a memtable as a table::RowIterator, so memtables merge
// with SSTs in table::MergeIterator.
//
// Order (table/iterator.h): forward = key ascending, seq descending; reverse = keys
// descending, each key's versions still newest first. Every version is yielded (tombstones and
// merge operands included); visibility is the caller's job. Works on the active memtable while
// it is being written: rows added during the scan may or may not be seen; the order holds.
// Thread safety: one thread at a time per iterator (any number of iterators per memtable).
// Ownership: the iterator holds a shared_ptr to the memtable. row() is a copy owned by the
// iterator, valid until the next positioning call.
// Errors: none (every method returns OK); the Status return is the RowIterator interface's.
#pragma once

#include <memory>
#include <string>

#include "memtable/memtable.h"
#include "table/iterator.h"

namespace slatedb::memtable {

class MemtableRowIterator final : public table::RowIterator {
 public:
  MemtableRowIterator(std::shared_ptr<const Memtable> table, table::Direction dir);

  Status SeekToFirst() override;
  Status Seek(std::string_view key) override;
  bool Valid() const override { return it_.Valid(); }
  Status Next() override;
  const format::RowEntry& row() const override { return row_; }
  table::Direction direction() const override { return dir_; }

 private:
  // Reverse: moves to the newest row of the largest key <= `key`.
  void PositionNewestOfKeyAtOrBefore(std::string_view key);
  // Reverse: moves to the newest row of the largest key < the current group's key.
  void PositionPreviousGroup();
  void Load();

  MemtableIterator it_;
  table::Direction dir_;
  format::RowEntry row_;
};

inline std::unique_ptr<table::RowIterator> NewMemtableRowIterator(
    std::shared_ptr<const Memtable> table, table::Direction dir) {
  return std::make_unique<MemtableRowIterator>(std::move(table), dir);
}

inline std::unique_ptr<table::RowIterator> NewMemtableRowIterator(const ImmutableMemtable& imm,
                                                                  table::Direction dir) {
  return NewMemtableRowIterator(imm.shared_table(), dir);
}

}  // namespace slatedb::memtable
