// wal/wal_buffer.h — the in-memory tail of the write-ahead log: committed rows not yet uploaded.
//
// What: rows in commit (seq) order, appended by the write path (one writer at a time, under its
// mutex) and taken by the WAL flusher, which uploads them as WAL SSTs of whole commits
// (docs/format.md §6.1; Batch::WholeCommitsUpTo bounds one SST, the rest is restored). Tracks the
// byte size (for the size-triggered flush and max_unflushed_bytes) and the highest seq buffered.
// Thread safety: every method is thread-safe (internal mutex, held only for O(1) / O(rows) moves,
// never during I/O). Ownership: rows are views; the buffer holds their owners (the memtables they
// were inserted into, or its own copy) until Take() hands rows and owners out together. Errors:
// none.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <vector>

#include "format/row.h"
#include "util/mutex.h"

namespace slatedb::wal {

class WalBuffer {
 public:
  // Keeps the bytes that a batch's row views point into alive (a memtable, or a held copy).
  using Owner = std::shared_ptr<const void>;

  struct Batch {
    std::vector<format::RowView> rows;  // commit order
    std::vector<Owner> owners;          // what `rows` point into
    size_t bytes = 0;
    uint64_t max_seq = 0;  // 0 when empty

    // Splits rows [n, end) off into the returned batch (n <= rows.size()). Both parts keep the
    // owners (both may view the same memtables).
    Batch SplitOff(size_t n) {
      Batch rest;
      rest.rows.assign(rows.begin() + static_cast<std::ptrdiff_t>(n), rows.end());
      rest.owners = owners;
      rows.resize(n);
      for (const auto& row : rest.rows) rest.bytes += row.EstimatedSize();
      bytes -= std::min(bytes, rest.bytes);
      rest.max_seq = rest.rows.empty() ? 0 : rest.rows.back().seq;  // commit order
      max_seq = rows.empty() ? 0 : rows.back().seq;
      return rest;
    }
    // How many leading rows make up whole commits (the rows of one write share its seq) of at
    // most `max_bytes` — at least the first commit, however large: where a WAL SST may end, since
    // recovery replays each WAL SST whole and a write batch must not span two.
    size_t WholeCommitsUpTo(size_t max_bytes) const {
      size_t total = 0;
      size_t end = 0;  // the last commit boundary within max_bytes
      for (size_t i = 0; i < rows.size(); ++i) {
        if (i > 0 && rows[i].seq != rows[i - 1].seq) {
          if (total > max_bytes) return end > 0 ? end : i;
          end = i;
        }
        total += rows[i].EstimatedSize();
      }
      return total > max_bytes && end > 0 ? end : rows.size();
    }
  };

  // Appends one committed batch (all rows share one seq, so order is preserved) as views into
  // `owner`'s memory (the write path: the rows as stored in the memtable's arena, so the buffer
  // holds no copy of keys and values; the memtable lives until the batch is uploaded).
  void Append(const std::vector<format::RowView>& rows, Owner owner) {
    util::MutexLock lock(&mu_);
    for (const auto& row : rows) {
      current_.bytes += row.EstimatedSize();
      if (row.seq > current_.max_seq) current_.max_seq = row.seq;
      current_.rows.push_back(row);
    }
    AddOwner(&current_.owners, std::move(owner));
  }
  // Same for rows that live nowhere else: the buffer keeps them.
  void Append(std::vector<format::RowEntry>&& rows) {
    auto held = std::make_shared<const std::vector<format::RowEntry>>(std::move(rows));
    std::vector<format::RowView> views(held->begin(), held->end());
    Append(views, std::move(held));
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
    batch.rows.insert(batch.rows.end(), current_.rows.begin(), current_.rows.end());
    for (auto& owner : current_.owners) AddOwner(&batch.owners, std::move(owner));
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
  // Consecutive rows share their owner (one memtable until it freezes): keep each once.
  static void AddOwner(std::vector<Owner>* owners, Owner owner) {
    if (owner && (owners->empty() || owners->back() != owner)) owners->push_back(std::move(owner));
  }

  mutable util::Mutex mu_;
  Batch current_ GUARDED_BY(mu_);
};

}  // namespace slatedb::wal
