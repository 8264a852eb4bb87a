// util/thread_name.h — names the calling thread for top -H, gdb and perf ("slatedb-wal", ...).
// Linux keeps at most 15 characters: longer names are cut. Elsewhere it does nothing.
// Thread safety: names only the calling thread. Errors: none (a failure leaves the name as is).
#pragma once

#include <string>

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

}  // namespace slatedb::util
