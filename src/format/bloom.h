// format/bloom.h — the SST bloom filter of SlateDB 0.12 (docs/format.md §5.6).
//
// Layout: [num_probes u16 BE][bit array]; bit b is bit (b % 8) (LSB first) of byte b / 8.
// Hash: SipHash-1-3 with a zero key over the raw user key; enhanced double hashing.
// Thread safety: SipHash13 is pure; BloomFilterBuilder is single-threaded; BloomFilter is
// immutable and shareable; BloomFilter owns its bytes. Errors: BloomFilter::Decode returns kData
// for a filter shorter than its 2-byte header. A filter with no bits or zero probes excludes
// nothing (MayContain = true).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "slatedb/status.h"

namespace slatedb::format {

// SipHash-1-3 with the 128-bit key (k0, k1) (both 0 for SlateDB's filter).
uint64_t SipHash13(std::string_view data, uint64_t k0 = 0, uint64_t k1 = 0);

// floor(bits_per_key * 0.69) computed in 32-bit float, as the peer does.
uint16_t BloomNumProbes(uint32_t bits_per_key);

class BloomFilterBuilder {
 public:
  explicit BloomFilterBuilder(uint32_t bits_per_key = 10) : bits_per_key_(bits_per_key) {}
  // Duplicates count (one per row).
  void AddKey(std::string_view key) { hashes_.push_back(SipHash13(key)); }
  size_t num_keys() const { return hashes_.size(); }
  // The raw filter bytes (before compression).
  std::string Build() const;

 private:
  uint32_t bits_per_key_;
  std::vector<uint64_t> hashes_;
};

class BloomFilter {
 public:
  static Result<BloomFilter> Decode(std::string raw);
  // False only if `key` is certainly absent.
  bool MayContain(std::string_view key) const;
  uint16_t num_probes() const { return num_probes_; }
  size_t num_bits() const { return (raw_.size() - 2) * 8; }
  size_t ByteSize() const { return raw_.size(); }
  // Bytes really allocated (the object and its buffer's capacity).
  size_t AllocatedBytes() const { return sizeof(BloomFilter) + raw_.capacity(); }

 private:
  std::string raw_;  // including the 2-byte probe count
  uint16_t num_probes_ = 0;
};

}  // namespace slatedb::format
