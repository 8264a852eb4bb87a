// table/iterator.h — the internal row iterator every read path composes (SSTs, sorted runs,
// memtable snapshots, merges).
//
// Direction is fixed at construction:
//   kForward  rows in internal order: key ascending, then seq descending (newest first);
//             Seek(k) positions at the first row whose key is >= k.
//   kReverse  keys descending, but the versions of one key still newest first (seq
//             descending), so a reader sees each key's versions in the same order both ways;
//             Seek(k) positions at the newest version of the largest key <= k.
// Range bounds are applied by the caller (stop when row().key leaves the range); leaf
// iterators open SSTs / read blocks lazily, so unread ranges cost no I/O.
// Thread safety: an iterator is used by one thread at a time. Ownership: iterators keep what
// they read from alive (shared_ptr), so they may outlive the objects that created them.
// Errors: any method may return a non-OK Status (I/O, kData for corrupt blocks); after an
// error the iterator is invalid.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "format/row.h"
#include "slatedb/status.h"

namespace slatedb::table {

enum class Direction { kForward, kReverse };

class RowIterator {
 public:
  virtual ~RowIterator() = default;
  // Positions at the first row in iteration order.
  virtual Status SeekToFirst() = 0;
  // Forward: first row with key >= `key`. Reverse: newest row of the largest key <= `key`.
  virtual Status Seek(std::string_view key) = 0;
  virtual bool Valid() const = 0;
  // Requires Valid().
  virtual Status Next() = 0;
  // Requires Valid().
  virtual const format::RowEntry& row() const = 0;
  virtual Direction direction() const = 0;
};

// True if `a` comes before `b` in iteration order for `dir` (see above).
inline bool RowBefore(Direction dir, const format::RowEntry& a, const format::RowEntry& b) {
  int c = std::string_view(a.key).compare(b.key);
  if (c != 0) return dir == Direction::kForward ? c < 0 : c > 0;
  return a.seq > b.seq;
}

// Iterates a vector of rows sorted in internal order (key asc, seq desc), e.g. a memtable
// snapshot. The vector is shared, never copied.
class VectorIterator : public RowIterator {
 public:
  VectorIterator(std::shared_ptr<const std::vector<format::RowEntry>> rows, Direction dir);
  VectorIterator(std::vector<format::RowEntry> rows, Direction dir);

  Status SeekToFirst() override;
  Status Seek(std::string_view key) override;
  bool Valid() const override { return pos_ < end_; }
  Status Next() override;
  const format::RowEntry& row() const override { return (*rows_)[pos_]; }
  Direction direction() const override { return dir_; }

 private:
  // Reverse mode: positions on the key group that ends just before index `end` (exclusive).
  void PositionGroupEndingAt(size_t end);

  std::shared_ptr<const std::vector<format::RowEntry>> rows_;
  Direction dir_;
  size_t pos_ = 0;          // current row
  size_t end_ = 0;          // forward: rows_->size(); reverse: end of the current group
  size_t group_start_ = 0;  // reverse: first row of the current group
};

// K-way merge of child iterators in precedence order (child 0 wins ties: memtable, then L0
// newest first, then sorted runs). Output order follows the children's direction; rows with
// the same (key, seq) appear once (from the highest-precedence child). All children must have
// the same direction. Visibility (snapshots, tombstones, merges) is left to the caller.
class MergeIterator : public RowIterator {
 public:
  MergeIterator(std::vector<std::unique_ptr<RowIterator>> children, Direction dir);

  Status SeekToFirst() override;
  Status Seek(std::string_view key) override;
  bool Valid() const override { return !heap_.empty(); }
  Status Next() override;
  const format::RowEntry& row() const override { return children_[heap_.front()]->row(); }
  Direction direction() const override { return dir_; }

 private:
  Status RebuildHeap();
  bool HeapLess(size_t a, size_t b) const;  // max-heap comparator: true if a comes after b
  Status AdvanceTop();

  std::vector<std::unique_ptr<RowIterator>> children_;
  Direction dir_;
  std::vector<size_t> heap_;  // child indexes; front = next row
  std::string last_key_;      // Next(): key of the row just returned (buffer reused)
};

}  // namespace slatedb::table
