// memtable/arena.h — bump allocator backing one memtable's skiplist nodes (links, key, value).
//
// Memory is handed out from blocks that grow geometrically: each new block is as large as all
// the blocks so far (kMinBlockSize = 4 KiB first, at most kMaxBlockSize = 1 MiB), so an empty
// arena costs one small block while a full one wastes at most one block's tail. A request
// larger than a quarter of the block that would hold it gets a block of its own of exactly its
// size, leaving the current block in use; those above kMaxBlockSize / 4 (huge values) do not
// count towards the growth. Blocks of at least util::PageMemory::kMinBytes (the 1 MiB blocks
// that hold nearly all of a full memtable, and huge values) are mapped from the OS directly, so
// a flushed memtable's memory leaves the process when it is destroyed instead of staying in
// malloc's heaps (see page_memory.h); smaller ones come from operator new[]. Everything is freed
// at once when the Arena is destroyed; nothing placed in it is ever destructed, so only trivially
// destructible objects may live there. Thread safety: Allocate/AllocateAligned need external
// serialization (the memtable's single writer); MemoryUsage and BytesHandedOut may be read
// concurrently from any thread. Ownership: the Arena owns every block; pointers stay valid until
// the Arena is destroyed. Errors: none (std::bad_alloc on exhaustion, like any allocation). Memory
// accounting: MemoryUsage counts what was really taken: a mapped block's whole pages.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <vector>

#include "util/page_memory.h"

namespace slatedb::memtable {

class Arena {
 public:
  static constexpr size_t kMinBlockSize = 4096;
  static constexpr size_t kMaxBlockSize = size_t{1} << 20;
  // Charged per block on top of its bytes: the block list entry and the allocator's header.
  static constexpr size_t kBlockOverhead = sizeof(std::unique_ptr<char[]>) + 16;

  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // REQUIRES: bytes > 0. Unaligned memory.
  char* Allocate(size_t bytes);
  // REQUIRES: bytes > 0; align a power of two <= alignof(std::max_align_t).
  char* AllocateAligned(size_t bytes, size_t align);

  // Bytes really allocated: every block (including the unused tail of the current one and the
  // tails left behind) plus kBlockOverhead per block. Only grows. Any thread.
  size_t MemoryUsage() const { return memory_usage_.load(std::memory_order_relaxed); }
  // Bytes returned by Allocate* so far, alignment padding included. Any thread.
  size_t BytesHandedOut() const { return handed_out_.load(std::memory_order_relaxed); }
  size_t num_blocks() const { return num_blocks_.load(std::memory_order_relaxed); }
  // How many of the blocks are mapped pages (the rest came from operator new[]).
  size_t num_mapped_blocks() const { return mapped_.size(); }

 private:
  char* AllocateFallback(size_t bytes);
  char* AllocateNewBlock(size_t block_bytes);

  char* alloc_ptr_ = nullptr;
  size_t alloc_bytes_remaining_ = 0;
  size_t growth_base_ = 0;  // bytes of the blocks that set the next block's size
  std::vector<std::unique_ptr<char[]>> blocks_;  // below PageMemory::kMinBytes
  std::vector<util::PageMemory> mapped_;         // the others
  std::atomic<size_t> memory_usage_{0};
  std::atomic<size_t> handed_out_{0};
  std::atomic<size_t> num_blocks_{0};
};

}  // namespace slatedb::memtable
