// memtable/arena.cc — see arena.h.
#include "memtable/arena.h"

#include <algorithm>
#include <cassert>
#include <cstdint>

namespace slatedb::memtable {

char* Arena::Allocate(size_t bytes) {
  assert(bytes > 0);
  handed_out_.fetch_add(bytes, std::memory_order_relaxed);
  if (bytes <= alloc_bytes_remaining_) {
    char* result = alloc_ptr_;
    alloc_ptr_ += bytes;
    alloc_bytes_remaining_ -= bytes;
    return result;
  }
  return AllocateFallback(bytes);
}

char* Arena::AllocateAligned(size_t bytes, size_t align) {
  assert(bytes > 0 && align > 0 && (align & (align - 1)) == 0);
  assert(align <= alignof(std::max_align_t));
  size_t current_mod = reinterpret_cast<uintptr_t>(alloc_ptr_) & (align - 1);
  size_t slop = current_mod == 0 ? 0 : align - current_mod;
  size_t needed = bytes + slop;
  if (needed <= alloc_bytes_remaining_) {
    handed_out_.fetch_add(needed, std::memory_order_relaxed);
    char* result = alloc_ptr_ + slop;
    alloc_ptr_ += needed;
    alloc_bytes_remaining_ -= needed;
    return result;
  }
  // New blocks come from operator new[] (aligned for any fundamental type) or are whole pages.
  handed_out_.fetch_add(bytes, std::memory_order_relaxed);
  return AllocateFallback(bytes);
}

char* Arena::AllocateFallback(size_t bytes) {
  // Geometric growth: the next block is as large as the small allocations' blocks so far,
  // within the bounds. Huge objects do not count: one 300 MiB value must not turn the rows
  // after it into 1 MiB blocks in a table that is otherwise tiny.
  const size_t block_size = std::clamp(growth_base_, kMinBlockSize, kMaxBlockSize);
  if (bytes > block_size / 4) {
    // Large objects get their own block so the current block's remainder is not wasted.
    if (bytes <= kMaxBlockSize / 4) growth_base_ += bytes;
    return AllocateNewBlock(bytes);
  }
  growth_base_ += block_size;
  alloc_ptr_ = AllocateNewBlock(block_size);
  alloc_bytes_remaining_ = block_size;
  char* result = alloc_ptr_;
  alloc_ptr_ += bytes;
  alloc_bytes_remaining_ -= bytes;
  return result;
}

char* Arena::AllocateNewBlock(size_t block_bytes) {
  char* block;
  size_t taken;
  if (block_bytes >= util::PageMemory::kMinBytes) {
    mapped_.emplace_back(block_bytes);
    block = mapped_.back().data();
    taken = mapped_.back().size();
  } else {
    blocks_.push_back(std::make_unique_for_overwrite<char[]>(block_bytes));
    block = blocks_.back().get();
    taken = block_bytes;
  }
  memory_usage_.fetch_add(taken + kBlockOverhead, std::memory_order_relaxed);
  num_blocks_.fetch_add(1, std::memory_order_relaxed);
  return block;
}

}  // namespace slatedb::memtable
