// wal/wal_buffer.h — the in-memory tail of the write-ahead log: committed rows not yet uploaded.
//
// What: rows in commit (seq) order, appended by the write path (one writer at a time, under its
// mutex) and taken by the WAL flusher, which uploads them as WAL SSTs of whole commits
// (docs/format.md §6.1; Batch::WholeCommitsUpTo bounds one SST, the rest is restored). Tracks the
// byte size (for the size-triggered flush and max_unflushed_bytes) and the highest seq buffered.
// Thread safety: every method is thread-safe (internal mutex, held only for O(1) / O(rows) moves,
// never during I/O). Ownership: rows are pointers to format/row_record.h records (8 bytes a
// row); the buffer holds their owners (the memtables they were inserted into, or its own packed
// copy) until Take() hands rows and owners out together. Errors: none.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "format/row.h"
#include "format/row_record.h"
#include "util/mutex.h"

namespace slatedb::wal {

class WalBuffer {
 public:
  // Keeps the bytes that a batch's row records point into alive (a memtable, or a held copy).
  using Owner = std::shared_ptr<const void>;

  struct Batch {
    // Commit order; each a format/row_record.h record (8 bytes a row here, the bytes stay in
    // their owner: a memtable's arena, or the buffer's own packed copy).
    std::vector<const char*> records;
    std::vector<Owner> owners;  // what `records` point into
    size_t bytes = 0;           // the rows' RowView::EstimatedSize sum
    uint64_t max_seq = 0;       // 0 when empty

    size_t size() const { return records.size(); }
    bool empty() const { return records.empty(); }
    format::RowView row(size_t i) const { return format::DecodeRowRecord(records[i]); }
    // Rows [0, n) as views (what the WAL SST encoder takes; n <= size()).
    std::vector<format::RowView> Views(size_t n) const {
      std::vector<format::RowView> out;
      out.reserve(n);
      for (size_t i = 0; i < n; ++i) out.push_back(row(i));
      return out;
    }

    // Splits rows [n, end) off into the returned batch (n <= size()). Both parts keep the
    // owners (both may view the same memtables).
    Batch SplitOff(size_t n) {
      Batch rest;
      rest.records.assign(records.begin() + static_cast<std::ptrdiff_t>(n), records.end());
      rest.owners = owners;
      records.resize(n);
      for (size_t i = 0; i < rest.size(); ++i) rest.bytes += rest.row(i).EstimatedSize();
      bytes -= std::min(bytes, rest.bytes);
      rest.max_seq = rest.empty() ? 0 : format::RowRecordSeq(rest.records.back());  // in order
      max_seq = empty() ? 0 : format::RowRecordSeq(records.back());
      return rest;
    }
    // How many leading rows make up whole commits (the rows of one write share its seq) of at
    // most `max_bytes` — at least the first commit, however large: where a WAL SST may end, since
    // recovery replays each WAL SST whole and a write batch must not span two.
    size_t WholeCommitsUpTo(size_t max_bytes) const {
      size_t total = 0;
      size_t end = 0;  // the last commit boundary within max_bytes
      uint64_t prev_seq = 0;
      for (size_t i = 0; i < size(); ++i) {
        const format::RowView r = row(i);
        if (i > 0 && r.seq != prev_seq) {
          if (total > max_bytes) return end > 0 ? end : i;
          end = i;
        }
        prev_seq = r.seq;
        total += r.EstimatedSize();
      }
      return total > max_bytes && end > 0 ? end : size();
    }
  };

  // Appends one committed batch (all rows share one seq, so order is preserved) as records in
  // `owner`'s memory (the write path: the rows as stored in the memtable's arena, so the buffer
  // holds no copy of keys and values; the memtable lives until the batch is uploaded).
  // `bytes`: the rows' RowView::EstimatedSize sum; `seq`: their seq.
  void Append(const std::vector<const char*>& records, uint64_t seq, size_t bytes, Owner owner) {
    util::MutexLock lock(&mu_);
    current_.bytes += bytes;
    if (seq > current_.max_seq) current_.max_seq = seq;
    current_.records.insert(current_.records.end(), records.begin(), records.end());
    AddOwner(&current_.owners, std::move(owner));
  }
  // Same for rows that live nowhere else: the buffer packs them into records it keeps. Rows are
  // in commit order (a test may append several commits at once).
  void Append(const std::vector<format::RowEntry>& rows) {
    size_t total = 0;
    for (const auto& r : rows)
      total += format::RowRecordSize(r.key, r.value, r.create_ts, r.expire_ts);
    auto held = std::make_shared<std::string>(total, '\0');
    std::vector<const char*> records;
    records.reserve(rows.size());
    char* p = held->data();
    size_t bytes = 0;
    uint64_t max_seq = 0;
    for (const auto& r : rows) {
      records.push_back(p);
      p = format::EncodeRowRecord(p, r.key, r.value, r.seq, r.kind, r.create_ts, r.expire_ts);
      bytes += format::RowView(r).EstimatedSize();
      max_seq = std::max(max_seq, r.seq);
    }
    Append(records, max_seq, bytes, std::move(held));
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
    batch.records.insert(batch.records.end(), current_.records.begin(), current_.records.end());
    for (auto& owner : current_.owners) AddOwner(&batch.owners, std::move(owner));
    current_ = std::move(batch);
  }

  size_t bytes() const {
    util::MutexLock lock(&mu_);
    return current_.bytes;
  }
  bool empty() const {
    util::MutexLock lock(&mu_);
    return current_.records.empty();
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
