// util/page_memory.cc — see page_memory.h.
#include "util/page_memory.h"

#include <sys/mman.h>
#include <unistd.h>

#include <new>
#include <utility>

namespace slatedb::util {

size_t PageMemory::PageSize() {
  static const size_t page = [] {
    const long v = sysconf(_SC_PAGESIZE);
    return v > 0 ? static_cast<size_t>(v) : size_t{4096};
  }();
  return page;
}

PageMemory::PageMemory(size_t bytes) {
  const size_t page = PageSize();
  const size_t rounded = (bytes == 0 ? page : (bytes + page - 1) / page * page);
  void* p = mmap(nullptr, rounded, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  // Out of memory ends as operator new does (every container's allocation failure).
  if (p == MAP_FAILED) throw std::bad_alloc();  // tidy: allow (operator new's contract)
  data_ = static_cast<char*>(p);
  size_ = rounded;
}

PageMemory::~PageMemory() { Release(); }

PageMemory::PageMemory(PageMemory&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

PageMemory& PageMemory::operator=(PageMemory&& other) noexcept {
  if (this != &other) {
    Release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

void PageMemory::Release() noexcept {
  if (data_ != nullptr) munmap(data_, size_);
  data_ = nullptr;
  size_ = 0;
}

}  // namespace slatedb::util
