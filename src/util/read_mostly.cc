// util/read_mostly.cc — the per-thread slot registry behind ReadMostly<T> (util/read_mostly.h).
#include "util/read_mostly.h"

#include <algorithm>

namespace slatedb::util::read_mostly_internal {
namespace {

// The calling thread's slots, one per ReadMostly instance it pinned (usually one or two, so a
// linear scan). At thread exit every cached reference is dropped and each slot marked gone (its
// instance unlists it at its next registration).
struct Registry {
  std::vector<std::pair<uint64_t, std::shared_ptr<Slot>>> entries;
  ~Registry() {
    for (auto& entry : entries) {
      Drop(Scrape(entry.second.get()));
      entry.second->thread_gone.store(true, std::memory_order_release);
    }
  }
};

thread_local Registry registry;

}  // namespace

HolderBase* InUse() {
  static HolderBase mark(0);  // an address no holder has; never deleted
  return &mark;
}

HolderBase* Scrape(Slot* slot) {
  HolderBase* h = slot->holder.exchange(nullptr, std::memory_order_acq_rel);
  return h == InUse() ? nullptr : h;  // a running Pin drops its own reference when it ends
}

Slot* ThreadSlot(uint64_t id, std::shared_ptr<Slot>* made) {
  auto& entries = registry.entries;
  for (auto& entry : entries) {
    if (entry.first == id) return entry.second.get();
  }
  // New for this thread: forget the slots of instances destroyed since (their holders were
  // freed by the instance's destructor).
  std::erase_if(entries, [](const auto& entry) {
    return entry.second->owner_gone.load(std::memory_order_acquire);
  });
  *made = std::make_shared<Slot>();
  entries.emplace_back(id, *made);
  return made->get();
}

uint64_t NextInstanceId() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace slatedb::util::read_mostly_internal
