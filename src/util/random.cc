#include "util/random.h"

#include <atomic>
#include <chrono>
#include <random>

namespace slatedb::util {

uint64_t EntropySeed() {
  static std::atomic<uint64_t> counter{0};
  std::random_device rd;
  uint64_t s = (uint64_t{rd()} << 32) ^ rd();
  s ^= static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  s ^= counter.fetch_add(0x9E3779B97F4A7C15ull);
  return s == 0 ? 1 : s;
}

}  // namespace slatedb::util
