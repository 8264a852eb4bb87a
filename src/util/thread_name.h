// util/thread_name.h — names threads for top -H, gdb and perf ("slatedb-wal", ...).
// Linux keeps at most 15 characters: longer names are cut. Elsewhere it does nothing.
// NamedThread starts a std::jthread and names it before returning, so the name is visible as soon
// as the starting call (Open, Start, ...) returns; naming from inside the new thread would race
// with anything that looks right after the start.
// Thread safety: SetCurrentThreadName names only the calling thread; NamedThread names the thread
// it created. Errors: none (a failure leaves the name as is).
#pragma once

#include <string>
#include <thread>
#include <utility>

#if defined(__linux__)
#include <pthread.h>
#endif

namespace slatedb::util {

inline void SetCurrentThreadName(const std::string& name) {
#if defined(__linux__)
  pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
#else
  (void)name;
#endif
}

// Starts `fn` on a new std::jthread named `name` (at most 15 characters are kept).
template <typename F>
std::jthread NamedThread(const std::string& name, F&& fn) {
  std::jthread thread(std::forward<F>(fn));
#if defined(__linux__)
  pthread_setname_np(thread.native_handle(), name.substr(0, 15).c_str());
#endif
  return thread;
}

}  // namespace slatedb::util
