// memtable/arena.h — bump allocator backing one memtable's skiplist nodes, keys and values.
//
// Memory is handed out from 4 KiB blocks (large requests get a block of their own) and freed
// all at once when the Arena is destroyed; nothing placed in it is ever destructed, so only
// trivially destructible objects may live there.
// Thread safety: Allocate/AllocateAligned need external serialization (the memtable's single
// writer); MemoryUsage may be read concurrently from any thread.
// Ownership: the Arena owns every block; pointers stay valid until the Arena is destroyed.
// Errors: none (std::bad_alloc on exhaustion, like any allocation).
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <vector>

namespace slatedb::memtable {

class Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // REQUIRES: bytes > 0. Unaligned memory (for key/value bytes).
  char* Allocate(size_t bytes);
  // REQUIRES: bytes > 0; align a power of two <= alignof(std::max_align_t).
  char* AllocateAligned(size_t bytes, size_t align);

  // Bytes of all blocks allocated so far (plus bookkeeping), readable from any thread.
  size_t MemoryUsage() const { return memory_usage_.load(std::memory_order_relaxed); }

 private:
  static constexpr size_t kBlockSize = 4096;

  char* AllocateFallback(size_t bytes);
  char* AllocateNewBlock(size_t block_bytes);

  char* alloc_ptr_ = nullptr;
  size_t alloc_bytes_remaining_ = 0;
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::atomic<size_t> memory_usage_{0};
};

}  // namespace slatedb::memtable
