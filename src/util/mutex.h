// util/mutex.h — a mutex, a scoped lock and a condition variable that clang's thread-safety
// analysis understands (-Wthread-safety, the `clang-tsa` preset), plus the annotation macros
// (GUARDED_BY, REQUIRES, EXCLUDES, ...; the style of LevelDB's port/thread_annotations.h).
//
// Use: `util::Mutex mu_; int x_ GUARDED_BY(mu_);` then `util::MutexLock lock(&mu_);` in a scope.
// CondVar::Wait*(mu) require `mu` held and hold it again before returning.
// Under other compilers the macros expand to nothing.
// Thread safety: as std::mutex / std::condition_variable. Ownership: none. Errors: none
// (std::system_error from the standard library on resource exhaustion is not caught: that is a
// programming or system failure).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define SLATEDB_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define SLATEDB_THREAD_ANNOTATION(x)
#endif

#define CAPABILITY(x) SLATEDB_THREAD_ANNOTATION(capability(x))
#define SCOPED_CAPABILITY SLATEDB_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(x) SLATEDB_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) SLATEDB_THREAD_ANNOTATION(pt_guarded_by(x))
#define ACQUIRED_AFTER(...) SLATEDB_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))
#define ACQUIRED_BEFORE(...) SLATEDB_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))
#define REQUIRES(...) SLATEDB_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define ACQUIRE(...) SLATEDB_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) SLATEDB_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define EXCLUDES(...) SLATEDB_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define RETURN_CAPABILITY(x) SLATEDB_THREAD_ANNOTATION(lock_returned(x))
#define NO_THREAD_SAFETY_ANALYSIS SLATEDB_THREAD_ANNOTATION(no_thread_safety_analysis)

namespace slatedb::util {

class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }

 private:
  friend class CondVar;
  std::mutex mu_;
};

// Holds `mu` for the enclosing scope.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() RELEASE() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

// A condition variable used with a Mutex passed to each wait (as absl::CondVar), so the analysis
// checks that exactly that mutex is held. Callers loop on their condition (LevelDB style), so
// every guarded read is under the lock:
//   util::MutexLock lock(&mu_);
//   while (!stop_) cv_.Wait(&mu_);
class CondVar {
 public:
  CondVar() = default;
  CondVar(const CondVar&) = delete;
  CondVar& operator=(const CondVar&) = delete;

  // Releases `mu` while waiting; holds it again on return (wake-ups may be spurious).
  void Wait(Mutex* mu) REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();  // still held: the caller's MutexLock releases it
  }
  // As Wait, but returns false once `deadline` (of any clock) has passed.
  template <typename Clock, typename Duration>
  bool WaitUntil(Mutex* mu, std::chrono::time_point<Clock, Duration> deadline) REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    bool timed_out = cv_.wait_until(lock, deadline) == std::cv_status::timeout;
    lock.release();
    return !timed_out;
  }
  void NotifyOne() { cv_.notify_one(); }
  void NotifyAll() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

}  // namespace slatedb::util
