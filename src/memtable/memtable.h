// memtable/memtable.h — the in-memory write buffer: a concurrent skiplist of RowEntry versions.
//
// What: rows (values, tombstones, merge operands) ordered by key ascending, then seq
// descending (format::RowLess), as in SSTs. Several versions of one key coexist. Adding a row
// whose (key, seq) is already present *shadows* the earlier one: Get and iterators see only
// the most recently added row of each (key, seq) — so a write batch that writes one key twice
// under one seq keeps its last write, as SlateDB's batches do.
//
// Thread safety (LevelDB skiplist discipline):
//  * Writer methods — Add, SetLastWalId, Freeze — require external serialization: at most one
//    thread calls them at a time (the engine's write path, under its mutex).
//  * Reader methods — Get, iterators, ApproximateBytes, num_entries, min_seq, max_seq,
//    last_wal_id, frozen — take no lock and may run concurrently with the writer and with
//    each other. A reader sees every row whose Add returned before the read started
//    (publication is by release/acquire on the skiplist links), possibly some added during it,
//    never a partially built row.
//  * Each MemtableIterator is used by one thread at a time.
// Invariants: nodes are never removed or modified after insertion, so a reader holding a node
// pointer is always safe; links only change from an older to a newer node.
// Memory: one arena allocation per row holding its tower of links and its bytes (layout in
// memtable.cc); arena blocks grow from 4 KiB to 1 MiB (arena.h). An ascending insert (each row
// after the previous one) reuses the previous insert position instead of searching.
//
// Ownership: the Memtable owns all row bytes (arena); string_views returned by an iterator
// stay valid as long as the Memtable lives. An iterator made by NewIterator() must not outlive
// its Memtable; NewSharedIterator() keeps the Memtable alive itself.
//
// Errors: Add returns kInvalid for an empty key or a key longer than 65,535 bytes, and
// kInternal after Freeze(). Everything else cannot fail.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string_view>

#include "format/row.h"
#include "memtable/arena.h"
#include "slatedb/status.h"
#include "util/random.h"

namespace slatedb::memtable {

inline constexpr uint64_t kMaxSeq = std::numeric_limits<uint64_t>::max();

class Memtable;
struct SkipNode;  // defined in memtable.cc

// Positioned over one memtable row at a time. Not valid until a Seek* call.
class MemtableIterator {
 public:
  // Non-owning: `table` must outlive the iterator.
  explicit MemtableIterator(const Memtable* table) : table_(table) {}
  // Owning: keeps `table` alive.
  explicit MemtableIterator(std::shared_ptr<const Memtable> table)
      : table_(table.get()), keep_alive_(std::move(table)) {}

  bool Valid() const { return node_ != nullptr; }

  // First row.
  void SeekToFirst();
  // Last row.
  void SeekToLast();
  // First row >= (key, max_seq) in (key asc, seq desc) order: the newest version of `key` with
  // seq <= max_seq, else the first row of the next key. Seek(key) = first row with key >= key.
  void Seek(std::string_view key, uint64_t max_seq = kMaxSeq);
  // Last row with key <= `key` (the oldest version of `key` if present): the start of a
  // reverse scan bounded by `key` inclusive.
  void SeekForPrev(std::string_view key);
  // REQUIRES: Valid().
  void Next();
  // REQUIRES: Valid(). O(log n), like LevelDB: a fresh search for the predecessor.
  void Prev();

  // REQUIRES: Valid(). Views into the memtable arena (valid while the memtable lives).
  std::string_view key() const;
  std::string_view value() const;
  uint64_t seq() const;
  format::RowKind kind() const;
  std::optional<int64_t> create_ts() const;
  std::optional<int64_t> expire_ts() const;
  // REQUIRES: Valid(). A copy of the current row.
  format::RowEntry row() const;

 private:
  const Memtable* table_;
  std::shared_ptr<const Memtable> keep_alive_;
  const SkipNode* node_ = nullptr;
};

class Memtable {
 public:
  // `seed` drives skiplist tower heights only (never visible in results).
  explicit Memtable(uint64_t seed = 0x5eed5eedULL);
  ~Memtable();
  Memtable(const Memtable&) = delete;
  Memtable& operator=(const Memtable&) = delete;

  // --- Writer (externally serialized) ---
  // With `record`, *record is set to the row as stored: a format/row_record.h record in this
  // memtable's arena, valid as long as the memtable lives (the WAL buffer keeps this one pointer
  // per row, holding the memtable, instead of its own copy or view of every row).
  // `row` may be a RowEntry (it converts to a view of itself).
  Status Add(const format::RowView& row, const char** record = nullptr);
  Status Add(std::string_view key, std::string_view value, uint64_t seq,
             format::RowKind kind = format::RowKind::kValue,
             std::optional<int64_t> create_ts = std::nullopt,
             std::optional<int64_t> expire_ts = std::nullopt, const char** record = nullptr);
  // Tags the table with the id of the last WAL SST holding its rows (SlateDB's
  // recent_flushed_wal_id); the engine records it in the manifest after the L0 flush.
  void SetLastWalId(uint64_t wal_id) { last_wal_id_.store(wal_id, std::memory_order_release); }
  // After Freeze, Add fails with kInternal. Idempotent.
  void Freeze() { frozen_.store(true, std::memory_order_release); }

  // --- Readers (any thread, lock-free) ---
  // Newest row of `key` with seq <= max_seq (tombstones and merge operands included), if any.
  std::optional<format::RowEntry> Get(std::string_view key, uint64_t max_seq = kMaxSeq) const;
  // See MemtableIterator for lifetimes.
  MemtableIterator NewIterator() const { return MemtableIterator(this); }
  static MemtableIterator NewSharedIterator(std::shared_ptr<const Memtable> table) {
    return MemtableIterator(std::move(table));
  }

  // Bytes really allocated for this table: every arena block, including the unused tail of
  // the current block, plus per-block bookkeeping (Arena::MemoryUsage); grows monotonically.
  // What the engine counts against max_unflushed_bytes.
  size_t ApproximateBytes() const { return arena_.MemoryUsage(); }
  // Bytes of the nodes themselves (links + row bytes + alignment), <= ApproximateBytes.
  size_t NodeBytes() const { return arena_.BytesHandedOut(); }
  // Sum of format::RowEntry::EstimatedSize() of added rows (the WAL/SST size estimate the
  // engine compares with l0_sst_size_bytes).
  size_t EstimatedRowBytes() const { return row_bytes_.load(std::memory_order_relaxed); }
  // Adds that reused the previous insert position instead of searching from the head.
  size_t splice_hits() const { return splice_hits_.load(std::memory_order_relaxed); }
  // Rows added (a shadowed (key, seq) counts each time it was added).
  size_t num_entries() const { return num_entries_.load(std::memory_order_relaxed); }
  bool empty() const { return num_entries() == 0; }
  // Smallest / largest seq added; nullopt while empty.
  std::optional<uint64_t> min_seq() const;
  std::optional<uint64_t> max_seq() const;
  std::optional<uint64_t> last_wal_id() const;
  bool frozen() const { return frozen_.load(std::memory_order_acquire); }

 private:
  friend class MemtableIterator;
  static constexpr int kMaxHeight = 12;

  int RandomHeight();
  int GetMaxHeight() const { return max_height_.load(std::memory_order_relaxed); }
  // Last node for which `before(node)` holds, or head_ — `before` must be true for a prefix of
  // the list. Fills prev[level] with the last such node at each level if prev != nullptr, and
  // *successor with the level-0 node seen after it (nullptr at the end) if successor != nullptr.
  template <typename Before>
  SkipNode* FindLast(const Before& before, SkipNode** prev = nullptr,
                     SkipNode** successor = nullptr) const;
  // Writer only: sets splice_prev_/splice_next_ to the insert position of (key, seq) at every
  // level, searching from the head.
  void FindSplice(std::string_view key, uint64_t seq);
  // First node >= (key, seq), or nullptr.
  SkipNode* FindGreaterOrEqual(std::string_view key, uint64_t seq) const;
  // Last node < (key, seq), or head_.
  SkipNode* FindLessThan(std::string_view key, uint64_t seq) const;
  // First node of the run of nodes equal to `node`'s (key, seq) — the newest added one.
  const SkipNode* CanonicalOf(const SkipNode* node) const;
  // Next node whose (key, seq) differs from `node`'s (skips shadowed duplicates).
  const SkipNode* NextDistinct(const SkipNode* node) const;
  const SkipNode* head() const { return head_; }

  Arena arena_;
  SkipNode* head_;
  util::Random rnd_;  // writer only
  // Writer only: the position after the last insert at every level (levels >= max_height_ hold
  // head_ / nullptr). splice_prev_[l]->Next(l) == splice_next_[l] always holds.
  SkipNode* splice_prev_[kMaxHeight];
  SkipNode* splice_next_[kMaxHeight];
  std::atomic<size_t> splice_hits_{0};
  std::atomic<int> max_height_{1};
  std::atomic<size_t> num_entries_{0};
  std::atomic<size_t> row_bytes_{0};
  std::atomic<uint64_t> min_seq_{kMaxSeq};
  std::atomic<uint64_t> max_seq_{0};
  std::atomic<uint64_t> last_wal_id_{0};  // 0 = unset (WAL ids start at 1)
  std::atomic<bool> frozen_{false};
};

// A frozen memtable waiting for (or being written by) the L0 flush, tagged with the last WAL
// SST id its rows came from. Immutable: every method may be called from any thread.
class ImmutableMemtable {
 public:
  // Freezes `table` (REQUIRES: no Add on it afterwards; the caller is its writer).
  ImmutableMemtable(std::shared_ptr<Memtable> table, std::optional<uint64_t> last_wal_id);

  const Memtable& table() const { return *table_; }
  std::shared_ptr<const Memtable> shared_table() const { return table_; }
  std::optional<uint64_t> last_wal_id() const { return last_wal_id_; }
  MemtableIterator NewIterator() const { return Memtable::NewSharedIterator(table_); }

 private:
  std::shared_ptr<const Memtable> table_;
  std::optional<uint64_t> last_wal_id_;
};

}  // namespace slatedb::memtable
