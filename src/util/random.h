// util/random.h — seeded pseudo-random numbers (xorshift64*), the only randomness in src/.
//
// The generator is the one peer.mjs uses for fill/readrandom, so both engines do identical work
// for the same seed. Thread safety: none; one Random per thread/owner.
#pragma once

#include <cstdint>

namespace slatedb::util {

class Random {
 public:
  explicit Random(uint64_t seed) : x_(seed != 0 ? seed : 88172645463325252ull) {}

  // Next raw 64-bit output of xorshift64*.
  uint64_t Next64() {
    x_ ^= x_ >> 12;
    x_ ^= x_ << 25;
    x_ ^= x_ >> 27;
    return x_ * 2685821657736338717ull;
  }
  // Uniform double in [0, 1): identical to peer.mjs's rng() (top 53 bits / 2^53).
  double NextDouble() { return static_cast<double>(Next64() >> 11) / 9007199254740992.0; }
  // Uniform integer in [0, n) (n > 0), as peer.mjs: floor(NextDouble() * n).
  uint64_t Uniform(uint64_t n) {
    return static_cast<uint64_t>(NextDouble() * static_cast<double>(n));
  }
  bool OneIn(uint64_t n) { return n <= 1 || Uniform(n) == 0; }

 private:
  uint64_t x_;
};

// A process-wide source of seeds for components that were not given one (e.g. ULID randomness
// in production). Mixes time and address entropy once; tests should inject seeds instead.
uint64_t EntropySeed();

}  // namespace slatedb::util
