// memtable/memtable.cc — see memtable.h. The skiplist follows LevelDB's db/skiplist.h: towers
// of geometric height (branching 4), links published with release stores and read with acquire
// loads, the current maximum height read relaxed (a reader that sees a stale height just
// starts lower; one that sees a new height finds nullptr links at the new levels of head_).
#include "memtable/memtable.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <new>
#include <string>
#include <type_traits>

#include "format/row_record.h"

namespace slatedb::memtable {

using format::RowEntry;
using format::RowKind;

// One row and its tower of links in a single arena allocation (8-byte aligned), laid out so a
// search reads the node's own bytes: the links sit *before* the node address, the row after it.
//
//   [link h-1] ... [link 1] [link 0] [varint32 key length] [key] [seq: 8 bytes, native order]
//                           ^ SkipNode*                    [flags: 1 byte, format::kFlag* bits]
//                                                          [create_ts: 8 bytes, if flagged]
//                                                          [expire_ts: 8 bytes, if flagged]
//                                                          [varint64 value length] [value]
// (everything after link 0 is a format/row_record.h record: Add hands its address out).
//
// A compare touches link 0, the key length and the key — one cache line for keys up to about
// 50 bytes — and the seq only when the keys are equal. The tower height is not stored: only
// the writer needs it, while linking the node. Only trivially destructible objects live here
// (the arena never destructs them).
struct SkipNode {
  std::atomic<SkipNode*> link0;

  // Level `level`'s link, `level` slots before link0 (REQUIRES: level < the node's height).
  std::atomic<SkipNode*>* Link(int level) {
    return std::launder(reinterpret_cast<std::atomic<SkipNode*>*>(
        reinterpret_cast<char*>(this) - sizeof(std::atomic<SkipNode*>) * level));
  }
  const std::atomic<SkipNode*>* Link(int level) const {
    return std::launder(reinterpret_cast<const std::atomic<SkipNode*>*>(
        reinterpret_cast<const char*>(this) - sizeof(std::atomic<SkipNode*>) * level));
  }
  SkipNode* Next(int level) const { return Link(level)->load(std::memory_order_acquire); }
  void SetNext(int level, SkipNode* node) { Link(level)->store(node, std::memory_order_release); }
  SkipNode* NoBarrierNext(int level) const { return Link(level)->load(std::memory_order_relaxed); }
  void NoBarrierSetNext(int level, SkipNode* node) {
    Link(level)->store(node, std::memory_order_relaxed);
  }

  const char* payload() const { return reinterpret_cast<const char*>(this) + sizeof(SkipNode); }
  // The key; *rest is set to the first byte after it (the seq).
  std::string_view key(const char** rest = nullptr) const {
    const char* p = payload();
    uint32_t len = static_cast<unsigned char>(*p++);
    if (len >= 0x80) {  // at most 3 bytes: keys are <= 65,535 bytes
      len &= 0x7f;
      for (int shift = 7;; shift += 7) {
        const uint32_t byte = static_cast<unsigned char>(*p++);
        len |= (byte & 0x7f) << shift;
        if (byte < 0x80) break;
      }
    }
    if (rest != nullptr) *rest = p + len;
    return {p, len};
  }
  uint64_t seq() const {
    const char* p;
    key(&p);
    return LoadU64(p);
  }
  uint8_t flags() const {
    const char* p;
    key(&p);
    return static_cast<uint8_t>(p[8]);
  }
  // REQUIRES: the flag says the timestamp is present.
  int64_t create_ts() const {
    const char* p;
    key(&p);
    return static_cast<int64_t>(LoadU64(p + 9));
  }
  int64_t expire_ts() const {
    const char* p;
    key(&p);
    const uint8_t f = static_cast<uint8_t>(p[8]);
    return static_cast<int64_t>(LoadU64(p + 9 + ((f & format::kFlagHasCreateTs) != 0 ? 8 : 0)));
  }
  std::string_view value() const {
    const char* p;
    key(&p);
    const uint8_t f = static_cast<uint8_t>(p[8]);
    p += 9;
    if ((f & format::kFlagHasCreateTs) != 0) p += 8;
    if ((f & format::kFlagHasExpireTs) != 0) p += 8;
    uint64_t len = 0;
    for (int shift = 0;; shift += 7) {
      const uint64_t byte = static_cast<unsigned char>(*p++);
      len |= (byte & 0x7f) << shift;
      if (byte < 0x80) break;
    }
    return {p, static_cast<size_t>(len)};
  }

  static uint64_t LoadU64(const char* p) {
    uint64_t v;
    std::memcpy(&v, p, sizeof(v));
    return v;
  }
};

static_assert(sizeof(SkipNode) == sizeof(std::atomic<SkipNode*>));
static_assert(alignof(SkipNode) == alignof(std::atomic<SkipNode*>));
static_assert(std::is_trivially_destructible_v<SkipNode>);
static_assert(std::is_trivially_destructible_v<std::atomic<SkipNode*>>);

namespace {

constexpr size_t kLinkBytes = sizeof(std::atomic<SkipNode*>);

// node < (key, seq) in (key asc, seq desc) order, reading only the node's own bytes.
bool NodeLess(const SkipNode* node, std::string_view key, uint64_t seq) {
  const char* rest;
  const std::string_view node_key = node->key(&rest);
  const size_t n = std::min(node_key.size(), key.size());
  int c = n == 0 ? 0 : std::memcmp(node_key.data(), key.data(), n);
  if (c != 0) return c < 0;
  if (node_key.size() != key.size()) return node_key.size() < key.size();
  return SkipNode::LoadU64(rest) > seq;
}

bool SameVersion(const SkipNode* a, const SkipNode* b) {
  const char* a_rest;
  const char* b_rest;
  return a->key(&a_rest) == b->key(&b_rest) &&
         SkipNode::LoadU64(a_rest) == SkipNode::LoadU64(b_rest);
}

// Builds a node in arena memory: placement new of its links into memory the arena owns (freed
// with it), then the row bytes after link 0.
SkipNode* NewNode(Arena& arena, int height, std::string_view key, std::string_view value,
                  uint64_t seq, RowKind kind, std::optional<int64_t> create_ts,
                  std::optional<int64_t> expire_ts) {
  const size_t links_bytes = kLinkBytes * static_cast<size_t>(height);
  const size_t payload_bytes = format::RowRecordSize(key, value, create_ts, expire_ts);
  char* mem = arena.AllocateAligned(links_bytes + payload_bytes, alignof(SkipNode));
  for (int level = height - 1; level >= 1; --level) {
    new (mem + kLinkBytes * static_cast<size_t>(height - 1 - level))
        std::atomic<SkipNode*>(nullptr);
  }
  char* node_mem = mem + links_bytes - kLinkBytes;
  auto* node = new (node_mem) SkipNode{nullptr};
  [[maybe_unused]] char* end = format::EncodeRowRecord(node_mem + sizeof(SkipNode), key, value, seq,
                                                       kind, create_ts, expire_ts);
  assert(end == mem + links_bytes + payload_bytes);
  return node;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Memtable

Memtable::Memtable(uint64_t seed)
    : head_(NewNode(arena_, kMaxHeight, {}, {}, 0, RowKind::kValue, std::nullopt, std::nullopt)),
      rnd_(seed) {
  for (int level = 0; level < kMaxHeight; ++level) {
    splice_prev_[level] = head_;
    splice_next_[level] = nullptr;
  }
}

Memtable::~Memtable() = default;

int Memtable::RandomHeight() {
  int height = 1;
  while (height < kMaxHeight && rnd_.Next64() % 4 == 0) ++height;
  return height;
}

template <typename Before>
SkipNode* Memtable::FindLast(const Before& before, SkipNode** prev, SkipNode** successor) const {
  SkipNode* x = head_;
  int level = GetMaxHeight() - 1;
  while (true) {
    SkipNode* next = x->Next(level);
    if (next != nullptr && before(next)) {
      x = next;
    } else {
      if (prev != nullptr) prev[level] = x;
      if (level == 0) {
        if (successor != nullptr) *successor = next;
        return x;
      }
      --level;
    }
  }
}

SkipNode* Memtable::FindGreaterOrEqual(std::string_view key, uint64_t seq) const {
  // The successor seen during the search, not a re-read of last->Next(0): the writer may have
  // linked a smaller node after `last` since, which would make us skip the answer.
  SkipNode* successor = nullptr;
  FindLast([&](const SkipNode* n) { return NodeLess(n, key, seq); }, nullptr, &successor);
  return successor;
}

SkipNode* Memtable::FindLessThan(std::string_view key, uint64_t seq) const {
  return FindLast([&](const SkipNode* n) { return NodeLess(n, key, seq); }, nullptr);
}

const SkipNode* Memtable::CanonicalOf(const SkipNode* node) const {
  // The first node >= node's version is the newest-added node of that version; it exists
  // (node itself qualifies) and is never after node.
  return FindGreaterOrEqual(node->key(), node->seq());
}

const SkipNode* Memtable::NextDistinct(const SkipNode* node) const {
  const SkipNode* x = node->Next(0);
  while (x != nullptr && SameVersion(x, node)) x = x->Next(0);
  return x;
}

void Memtable::FindSplice(std::string_view key, uint64_t seq) {
  // Only the writer runs this, and only the writer links nodes, so relaxed loads see every
  // link (its own stores).
  SkipNode* x = head_;
  for (int level = GetMaxHeight() - 1; level >= 0; --level) {
    SkipNode* next = x->NoBarrierNext(level);
    while (next != nullptr && NodeLess(next, key, seq)) {
      x = next;
      next = x->NoBarrierNext(level);
    }
    splice_prev_[level] = x;
    splice_next_[level] = next;
  }
}

Status Memtable::Add(const format::RowView& row, const char** record) {
  return Add(row.key, row.value, row.seq, row.kind, row.create_ts, row.expire_ts, record);
}

Status Memtable::Add(std::string_view key, std::string_view value, uint64_t seq, RowKind kind,
                     std::optional<int64_t> create_ts, std::optional<int64_t> expire_ts,
                     const char** record) {
  if (key.empty()) return Status::Invalid("memtable: key is empty");
  if (key.size() > format::kMaxKeySize) {
    return Status::Invalid("memtable: key of " + std::to_string(key.size()) +
                           " bytes exceeds the limit of " + std::to_string(format::kMaxKeySize));
  }
  if (frozen())
    return Status::Internal("memtable: Add after Freeze (seq " + std::to_string(seq) + ")");

  // The splice (splice_prev_/splice_next_) brackets the previous insert at every level and is
  // tight (splice_prev_[l]->Next(l) == splice_next_[l]); splice_prev_ only moves backwards and
  // splice_next_ forwards going up. So if (key, seq) falls between the level-0 pair, every
  // level's pair is its exact insert position and no search is needed — the sequential case.
  // Insert before any node of the same version, so the newest-added one is found first.
  const bool after_prev = splice_prev_[0] == head_ || NodeLess(splice_prev_[0], key, seq);
  const bool before_next = splice_next_[0] == nullptr || !NodeLess(splice_next_[0], key, seq);
  if (after_prev && before_next) {
    splice_hits_.fetch_add(1, std::memory_order_relaxed);
  } else {
    FindSplice(key, seq);
  }

  const int height = RandomHeight();
  const int max_height = GetMaxHeight();
  if (height > max_height) {
    // Levels at and above max_height hold (head_, nullptr) already: nothing is linked there.
    // Relaxed is enough: readers seeing the new height before the node is linked just find
    // nullptr at the new levels of head_ and descend.
    max_height_.store(height, std::memory_order_relaxed);
  }

  SkipNode* node = NewNode(arena_, height, key, value, seq, kind, create_ts, expire_ts);
  if (record != nullptr) *record = node->payload();
  for (int level = 0; level < height; ++level) {
    // The node is not yet reachable, so its own links need no barrier; the release store in
    // SetNext publishes the node (and its bytes) to readers.
    node->NoBarrierSetNext(level, splice_next_[level]);
    splice_prev_[level]->SetNext(level, node);
    splice_prev_[level] = node;  // the splice now brackets the position right after `node`
  }

  row_bytes_.fetch_add(key.size() + value.size() + 32, std::memory_order_relaxed);
  if (seq < min_seq_.load(std::memory_order_relaxed)) {
    min_seq_.store(seq, std::memory_order_relaxed);
  }
  if (seq > max_seq_.load(std::memory_order_relaxed)) {
    max_seq_.store(seq, std::memory_order_relaxed);
  }
  num_entries_.fetch_add(1, std::memory_order_release);
  return Status::OK();
}

std::optional<RowEntry> Memtable::Get(std::string_view key, uint64_t max_seq) const {
  if (key.empty()) return std::nullopt;
  MemtableIterator it(this);
  it.Seek(key, max_seq);
  if (!it.Valid() || it.key() != key) return std::nullopt;
  return it.row();
}

std::optional<uint64_t> Memtable::min_seq() const {
  if (empty()) return std::nullopt;
  return min_seq_.load(std::memory_order_relaxed);
}

std::optional<uint64_t> Memtable::max_seq() const {
  if (empty()) return std::nullopt;
  return max_seq_.load(std::memory_order_relaxed);
}

std::optional<uint64_t> Memtable::last_wal_id() const {
  uint64_t id = last_wal_id_.load(std::memory_order_acquire);
  if (id == 0) return std::nullopt;
  return id;
}

// ---------------------------------------------------------------------------------------------
// MemtableIterator

void MemtableIterator::SeekToFirst() { node_ = table_->head()->Next(0); }

void MemtableIterator::SeekToLast() {
  const SkipNode* last = table_->FindLast([](const SkipNode*) { return true; }, nullptr);
  node_ = last == table_->head() ? nullptr : table_->CanonicalOf(last);
}

void MemtableIterator::Seek(std::string_view key, uint64_t max_seq) {
  node_ = table_->FindGreaterOrEqual(key, max_seq);
}

void MemtableIterator::SeekForPrev(std::string_view key) {
  const SkipNode* last =
      table_->FindLast([&](const SkipNode* n) { return n->key() <= key; }, nullptr);
  node_ = last == table_->head() ? nullptr : table_->CanonicalOf(last);
}

void MemtableIterator::Next() {
  assert(Valid());
  node_ = table_->NextDistinct(node_);
}

void MemtableIterator::Prev() {
  assert(Valid());
  const SkipNode* before = table_->FindLessThan(node_->key(), node_->seq());
  node_ = before == table_->head() ? nullptr : table_->CanonicalOf(before);
}

std::string_view MemtableIterator::key() const { return node_->key(); }
std::string_view MemtableIterator::value() const { return node_->value(); }
uint64_t MemtableIterator::seq() const { return node_->seq(); }

RowKind MemtableIterator::kind() const {
  const uint8_t flags = node_->flags();
  if ((flags & format::kFlagTombstone) != 0) return RowKind::kTombstone;
  if ((flags & format::kFlagMergeOperand) != 0) return RowKind::kMerge;
  return RowKind::kValue;
}

std::optional<int64_t> MemtableIterator::create_ts() const {
  if ((node_->flags() & format::kFlagHasCreateTs) == 0) return std::nullopt;
  return node_->create_ts();
}

std::optional<int64_t> MemtableIterator::expire_ts() const {
  if ((node_->flags() & format::kFlagHasExpireTs) == 0) return std::nullopt;
  return node_->expire_ts();
}

RowEntry MemtableIterator::row() const {
  RowEntry r;
  r.key = std::string(key());
  r.value = std::string(value());
  r.seq = seq();
  r.kind = kind();
  r.create_ts = create_ts();
  r.expire_ts = expire_ts();
  return r;
}

// ---------------------------------------------------------------------------------------------
// ImmutableMemtable

ImmutableMemtable::ImmutableMemtable(std::shared_ptr<Memtable> table,
                                     std::optional<uint64_t> last_wal_id)
    : last_wal_id_(last_wal_id) {
  table->Freeze();
  if (last_wal_id) table->SetLastWalId(*last_wal_id);
  table_ = std::move(table);
}

}  // namespace slatedb::memtable
