// memtable/memtable.cc — see memtable.h. The skiplist follows LevelDB's db/skiplist.h: towers
// of geometric height (branching 4), links published with release stores and read with acquire
// loads, the current maximum height read relaxed (a reader that sees a stale height just
// starts lower; one that sees a new height finds nullptr links at the new levels of head_).
#include "memtable/memtable.h"

#include <cassert>
#include <cstring>
#include <new>

namespace slatedb::memtable {

using format::RowEntry;
using format::RowKind;

// One row plus its tower of links. Lives in the arena and is never destructed, hence only
// trivially destructible members. Layout of one allocation:
//   [SkipNode][std::atomic<SkipNode*> x height][key bytes][value bytes]
struct SkipNode {
  const char* key_data;
  const char* value_data;
  size_t key_size;
  size_t value_size;
  uint64_t seq;
  int64_t create_ts;
  int64_t expire_ts;
  RowKind kind;
  bool has_create_ts;
  bool has_expire_ts;
  uint8_t height;
  std::atomic<SkipNode*>* links;

  std::string_view key() const { return {key_data, key_size}; }
  std::string_view value() const { return {value_data, value_size}; }

  SkipNode* Next(int level) const { return links[level].load(std::memory_order_acquire); }
  void SetNext(int level, SkipNode* node) { links[level].store(node, std::memory_order_release); }
  SkipNode* NoBarrierNext(int level) const { return links[level].load(std::memory_order_relaxed); }
  void NoBarrierSetNext(int level, SkipNode* node) {
    links[level].store(node, std::memory_order_relaxed);
  }
};

static_assert(std::is_trivially_destructible_v<SkipNode>);
static_assert(std::is_trivially_destructible_v<std::atomic<SkipNode*>>);

namespace {

bool NodeLess(const SkipNode* node, std::string_view key, uint64_t seq) {
  return format::RowLess(node->key(), node->seq, key, seq);
}

bool SameVersion(const SkipNode* a, const SkipNode* b) {
  return a->seq == b->seq && a->key() == b->key();
}

// Builds a node in arena memory: placement new into memory the arena owns (freed with it).
SkipNode* NewNode(Arena& arena, int height, std::string_view key, std::string_view value,
                  uint64_t seq, RowKind kind, std::optional<int64_t> create_ts,
                  std::optional<int64_t> expire_ts) {
  const size_t links_bytes = sizeof(std::atomic<SkipNode*>) * static_cast<size_t>(height);
  const size_t total = sizeof(SkipNode) + links_bytes + key.size() + value.size();
  char* mem = arena.AllocateAligned(total, alignof(SkipNode));
  auto* links = reinterpret_cast<std::atomic<SkipNode*>*>(mem + sizeof(SkipNode));
  for (int i = 0; i < height; ++i) new (&links[i]) std::atomic<SkipNode*>(nullptr);
  char* key_data = mem + sizeof(SkipNode) + links_bytes;
  char* value_data = key_data + key.size();
  if (!key.empty()) std::memcpy(key_data, key.data(), key.size());
  if (!value.empty()) std::memcpy(value_data, value.data(), value.size());
  return new (mem) SkipNode{key_data,
                            value_data,
                            key.size(),
                            value.size(),
                            seq,
                            create_ts.value_or(0),
                            expire_ts.value_or(0),
                            kind,
                            create_ts.has_value(),
                            expire_ts.has_value(),
                            static_cast<uint8_t>(height),
                            links};
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Memtable

Memtable::Memtable(uint64_t seed)
    : head_(NewNode(arena_, kMaxHeight, {}, {}, 0, RowKind::kValue, std::nullopt, std::nullopt)),
      rnd_(seed) {}

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
  return FindGreaterOrEqual(node->key(), node->seq);
}

const SkipNode* Memtable::NextDistinct(const SkipNode* node) const {
  const SkipNode* x = node->Next(0);
  while (x != nullptr && SameVersion(x, node)) x = x->Next(0);
  return x;
}

Status Memtable::Add(const RowEntry& row) {
  return Add(row.key, row.value, row.seq, row.kind, row.create_ts, row.expire_ts);
}

Status Memtable::Add(std::string_view key, std::string_view value, uint64_t seq, RowKind kind,
                     std::optional<int64_t> create_ts, std::optional<int64_t> expire_ts) {
  if (key.empty()) return Status::Invalid("memtable: key is empty");
  if (key.size() > format::kMaxKeySize) {
    return Status::Invalid("memtable: key of " + std::to_string(key.size()) +
                           " bytes exceeds the limit of " + std::to_string(format::kMaxKeySize));
  }
  if (frozen())
    return Status::Internal("memtable: Add after Freeze (seq " + std::to_string(seq) + ")");

  SkipNode* prev[kMaxHeight];
  // Insert before any node of the same version, so the newest-added one is found first.
  FindLast([&](const SkipNode* n) { return NodeLess(n, key, seq); }, prev);

  const int height = RandomHeight();
  const int max_height = GetMaxHeight();
  if (height > max_height) {
    for (int level = max_height; level < height; ++level) prev[level] = head_;
    // Relaxed is enough: readers seeing the new height before the node is linked just find
    // nullptr at the new levels of head_ and descend.
    max_height_.store(height, std::memory_order_relaxed);
  }

  SkipNode* node = NewNode(arena_, height, key, value, seq, kind, create_ts, expire_ts);
  for (int level = 0; level < height; ++level) {
    // The node is not yet reachable, so its own links need no barrier; the release store in
    // SetNext publishes the node (and its bytes) to readers.
    node->NoBarrierSetNext(level, prev[level]->NoBarrierNext(level));
    prev[level]->SetNext(level, node);
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
  const SkipNode* before = table_->FindLessThan(node_->key(), node_->seq);
  node_ = before == table_->head() ? nullptr : table_->CanonicalOf(before);
}

std::string_view MemtableIterator::key() const { return node_->key(); }
std::string_view MemtableIterator::value() const { return node_->value(); }
uint64_t MemtableIterator::seq() const { return node_->seq; }
RowKind MemtableIterator::kind() const { return node_->kind; }

std::optional<int64_t> MemtableIterator::create_ts() const {
  if (!node_->has_create_ts) return std::nullopt;
  return node_->create_ts;
}

std::optional<int64_t> MemtableIterator::expire_ts() const {
  if (!node_->has_expire_ts) return std::nullopt;
  return node_->expire_ts;
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
