// util/read_mostly.h — ReadMostly<T>: a `std::shared_ptr<const T>` read on every call by many
// threads and replaced now and then by one (a database's current state, its resolved SST
// readers).
//
// A plain shared_ptr behind a mutex makes every read lock the mutex and bump the value's shared
// reference count: two reader threads on two cores then bounce those two cache lines on every
// call. Here each reading thread keeps its own reference to the value in a per-thread slot (one
// cache line per thread and instance); Pin() swaps that slot with an "in use" mark (an atomic
// exchange on a line only this thread writes) and compares the cached value's version with the
// current one (one shared load of a line written only by Store). Nothing shared is written while
// the value stays the same. Store() bumps the version and takes every thread's cached reference
// back ("scrapes" the slots, as RocksDB does with its thread-local SuperVersions), so a replaced
// value is freed when its last Pin ends, not when an idle thread next reads.
//
// Use:  util::ReadMostly<State> state_;   state_.Store(make_shared<State>(...));
//       { auto pin = state_.Pin(); if (pin) Use(*pin); }   // or state_.Load() for a copy
// A Pin is valid until it is destroyed; it must stay on the thread that made it, and must not
// outlive the ReadMostly. Pins may nest (an inner Pin of the same instance on the same thread
// takes a private reference: slower, still correct).
//
// Thread safety: Pin, Load and Store may be called from any thread at once. A value stored
// happens-before every Pin or Load that starts after Store returns (such a Pin sees it or a
// newer value). Ownership: the ReadMostly shares ownership of the current value; each Pin shares
// ownership of the value it saw until it ends. Errors: none (allocation failure terminates).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "util/mutex.h"

namespace slatedb::util {

namespace read_mostly_internal {

// A cached reference: the value as of `version`. Owned by whoever took it out of a slot.
struct HolderBase {
  explicit HolderBase(uint64_t v) : version(v) {}
  virtual ~HolderBase() = default;
  const uint64_t version;
};

// One thread's cache for one ReadMostly. Shared by the thread's registry and the instance's list
// (whichever lives longer frees it); the two flags say which side has gone.
struct alignas(64) Slot {
  // nullptr (nothing cached), InUse() (a Pin of the owning thread holds the reference) or a
  // holder. Written by the owning thread (Pin/Unpin) and by scrapes (Store, the destructors).
  std::atomic<HolderBase*> holder{nullptr};
  std::atomic<bool> thread_gone{false};
  std::atomic<bool> owner_gone{false};
};

HolderBase* InUse();

// Frees a holder taken out of a slot (null is fine; InUse() must not be passed).
inline void Drop(HolderBase* h) { std::unique_ptr<HolderBase> owned(h); }

// Takes whatever a slot caches back (nullptr left behind); the caller deletes a real holder.
HolderBase* Scrape(Slot* slot);

// The calling thread's slot for the instance `id`; `made` is true when it was just created (the
// caller registers it).
Slot* ThreadSlot(uint64_t id, std::shared_ptr<Slot>* made);

uint64_t NextInstanceId();

}  // namespace read_mostly_internal

template <class T>
class ReadMostly {
  using Slot = read_mostly_internal::Slot;
  using HolderBase = read_mostly_internal::HolderBase;
  struct Holder final : HolderBase {
    Holder(std::shared_ptr<const T> v, uint64_t ver) : HolderBase(ver), value(std::move(v)) {}
    const std::shared_ptr<const T> value;
  };

 public:
  ReadMostly() = default;
  explicit ReadMostly(std::shared_ptr<const T> value) : value_(std::move(value)) {}
  ReadMostly(const ReadMostly&) = delete;
  ReadMostly& operator=(const ReadMostly&) = delete;
  ~ReadMostly() {
    std::vector<HolderBase*> scraped;
    {
      MutexLock lock(&mu_);
      for (auto& slot : slots_) {
        slot->owner_gone.store(true, std::memory_order_release);
        scraped.push_back(read_mostly_internal::Scrape(slot.get()));
      }
    }
    for (HolderBase* h : scraped) read_mostly_internal::Drop(h);
  }

  // The value current when Pin() was called, held until the Pinned ends (null if none was
  // stored).
  class Pinned {
   public:
    Pinned(Pinned&& other) noexcept
        : slot_(std::exchange(other.slot_, nullptr)),
          holder_(std::exchange(other.holder_, nullptr)) {}
    Pinned(const Pinned&) = delete;
    Pinned& operator=(const Pinned&) = delete;
    Pinned& operator=(Pinned&&) = delete;
    ~Pinned() {
      if (holder_ == nullptr) return;
      HolderBase* expected = read_mostly_internal::InUse();
      // A scrape while we held it left nullptr: the reference is ours to drop.
      if (slot_ == nullptr ||
          !slot_->holder.compare_exchange_strong(expected, holder_, std::memory_order_acq_rel)) {
        read_mostly_internal::Drop(holder_);
      }
    }
    const std::shared_ptr<const T>& shared() const { return holder_->value; }
    const T* get() const { return holder_->value.get(); }
    const T& operator*() const { return *holder_->value; }
    const T* operator->() const { return holder_->value.get(); }
    explicit operator bool() const { return holder_->value != nullptr; }

   private:
    friend class ReadMostly;
    Pinned(Slot* slot, Holder* holder) : slot_(slot), holder_(holder) {}
    Slot* slot_;      // null: a private holder (a nested Pin), deleted when the Pin ends
    Holder* holder_;  // never null until moved from
  };

  Pinned Pin() const {
    std::shared_ptr<Slot> made;
    Slot* slot = read_mostly_internal::ThreadSlot(id_, &made);
    if (made) {
      MutexLock lock(&mu_);
      // Drop the slots of threads that have exited (their holders were freed at their exit).
      std::erase_if(slots_, [](const std::shared_ptr<Slot>& s) {
        return s->thread_gone.load(std::memory_order_acquire);
      });
      slots_.push_back(std::move(made));
    }
    HolderBase* h = slot->holder.exchange(read_mostly_internal::InUse(), std::memory_order_acq_rel);
    if (h == read_mostly_internal::InUse()) {  // nested: the outer Pin holds the slot's reference
      return Pinned(nullptr, Fresh());
    }
    if (h == nullptr || h->version != version_.load(std::memory_order_acquire)) {
      read_mostly_internal::Drop(h);  // (frees the old value if this was its last reference)
      h = Fresh();
    }
    return Pinned(slot, static_cast<Holder*>(h));
  }

  // A copy of the current value (locks; for callers that keep it).
  std::shared_ptr<const T> Load() const {
    MutexLock lock(&mu_);
    return value_;
  }

  // Replaces the value. Threads' cached references to the previous one are dropped here (those of
  // Pins still running are dropped when they end).
  void Store(std::shared_ptr<const T> value) {
    std::vector<HolderBase*> scraped;
    {
      MutexLock lock(&mu_);
      std::swap(value_, value);
      version_.store(version_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
      scraped.reserve(slots_.size());
      for (auto& slot : slots_) scraped.push_back(read_mostly_internal::Scrape(slot.get()));
    }
    for (HolderBase* h : scraped) read_mostly_internal::Drop(h);
    // `value` (the previous one) is released here, outside the lock.
  }

 private:
  Holder* Fresh() const {
    MutexLock lock(&mu_);
    // Owned from here by the slot it is put in, or by the Pinned (released to a raw pointer:
    // slots are atomic pointers).
    return std::make_unique<Holder>(value_, version_.load(std::memory_order_relaxed)).release();
  }

  const uint64_t id_ = read_mostly_internal::NextInstanceId();
  // Written only by Store (under mu_); read by every Pin.
  alignas(64) std::atomic<uint64_t> version_{0};
  alignas(64) mutable Mutex mu_;
  std::shared_ptr<const T> value_ GUARDED_BY(mu_);
  mutable std::vector<std::shared_ptr<Slot>> slots_ GUARDED_BY(mu_);  // threads that pinned
};

}  // namespace slatedb::util
