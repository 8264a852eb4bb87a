// wal/wal_buffer.h — the in-memory tail of the write-ahead log: committed rows not yet uploaded.
//
// What: rows in commit (seq) order, appended by the write path (one writer at a time, under its
// mutex) and taken in one piece by the WAL flusher, which uploads them as ONE WAL SST
// (docs/format.md §6.1). Tracks the byte size (for the size-triggered flush and
// max_unflushed_bytes) and the highest seq buffered. Thread safety: every method is thread-safe
// (internal mutex, held only for O(1) / O(rows) moves, never during I/O). Ownership: the buffer
// owns its rows until Take() hands them out. Errors: none.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <vector>

#include "format/row.h"
#include "util/mutex.h"

namespace slatedb::wal {

class WalBuffer {
 public:
  struct Batch {
    std::vector<format::RowEntry> rows;  // commit order
    size_t bytes = 0;
    uint64_t max_seq = 0;  // 0 when empty
  };

  // Appends one committed batch (all rows share one seq, so order is preserved).
  void Append(const std::vector<format::RowEntry>& rows) {
    util::MutexLock lock(&mu_);
    for (const auto& row : rows) {
      current_.bytes += row.EstimatedSize();
      if (row.seq > current_.max_seq) current_.max_seq = row.seq;
      current_.rows.push_back(row);
    }
  }
  // Same, moving the rows in (the write path's variant: no copy of keys and values).
  void Append(std::vector<format::RowEntry>&& rows) {
    util::MutexLock lock(&mu_);
    for (auto& row : rows) {
      current_.bytes += row.EstimatedSize();
      if (row.seq > current_.max_seq) current_.max_seq = row.seq;
      current_.rows.push_back(std::move(row));
    }
  }

  // Takes every buffered row (possibly none), leaving the buffer empty.
  Batch Take() {
    util::MutexLock lock(&mu_);
    Batch out = std::move(current_);
    current_ = Batch{};
    return out;
  }

  // Puts a batch whose upload failed back in front of the rows buffered since, so it is retried
  // in order.
  void Restore(Batch batch) {
    util::MutexLock lock(&mu_);
    batch.bytes += current_.bytes;
    batch.max_seq = std::max(batch.max_seq, current_.max_seq);
    batch.rows.insert(batch.rows.end(), std::make_move_iterator(current_.rows.begin()),
                      std::make_move_iterator(current_.rows.end()));
    current_ = std::move(batch);
  }

  size_t bytes() const {
    util::MutexLock lock(&mu_);
    return current_.bytes;
  }
  bool empty() const {
    util::MutexLock lock(&mu_);
    return current_.rows.empty();
  }

 private:
  mutable util::Mutex mu_;
  Batch current_ GUARDED_BY(mu_);
};

}  // namespace slatedb::wal
