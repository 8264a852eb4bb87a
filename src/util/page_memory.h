// util/page_memory.h — PageMemory: a large buffer mapped straight from the OS (anonymous mmap)
// and unmapped when it is destroyed.
//
// Why: glibc's malloc serves a request above its mmap threshold (128 KiB at first) with a
// mapping of its own, but once such a chunk is freed it raises the threshold to that chunk's size
// (up to 32 MiB), and from then on every buffer of that size comes from its per-thread heaps.
// Memory freed inside those heaps goes back to the OS only from a heap's top, so the memtable
// arenas and I/O buffers a database frees again and again (a flushed memtable's megabytes, a
// compaction's read chunks) stay resident beside the small allocations around them: on a 5M-row
// fill the process's RSS was ~100 MiB above its live heap. A PageMemory's bytes leave the process
// the moment it is freed, whatever the allocator does with everything else.
// Use it for buffers of at least kMinBytes that live for a while; smaller ones are cheaper from
// malloc (a mapping is whole pages, and the first write to each page faults it in).
//
// Thread safety: a PageMemory is a value; distinct objects may be used from any threads, one
// object like any container (no concurrent mutation). Ownership: the object owns its mapping;
// moving transfers it. Errors: none returned; a mapping the OS refuses throws std::bad_alloc,
// as operator new does.
#pragma once

#include <cstddef>

namespace slatedb::util {

class PageMemory {
 public:
  // Below this, take memory from malloc instead (see above).
  static constexpr size_t kMinBytes = size_t{128} << 10;

  PageMemory() = default;
  // Maps at least `bytes` (> 0), rounded up to whole pages; the bytes read as zero.
  explicit PageMemory(size_t bytes);
  ~PageMemory();
  PageMemory(PageMemory&& other) noexcept;
  PageMemory& operator=(PageMemory&& other) noexcept;
  PageMemory(const PageMemory&) = delete;
  PageMemory& operator=(const PageMemory&) = delete;

  char* data() const { return data_; }
  // The mapped bytes: the request rounded up to the page size (0 when empty).
  size_t size() const { return size_; }
  bool empty() const { return data_ == nullptr; }

  // The OS page size (cached).
  static size_t PageSize();

 private:
  void Release() noexcept;

  char* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace slatedb::util
