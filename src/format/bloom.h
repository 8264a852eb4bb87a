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
#include "util/page_memory.h"

namespace slatedb::format {

// SipHash-1-3 with the 128-bit key (k0, k1) (both 0 for SlateDB's filter).
uint64_t SipHash13(std::string_view data, uint64_t k0 = 0, uint64_t k1 = 0);

// floor(bits_per_key * 0.69) computed in 32-bit float, as the peer does.
uint16_t BloomNumProbes(uint32_t bits_per_key);

// Collects one 64-bit hash per key until Build. The first kInlineHashes live in a vector; the
// rest in 1 MiB pages (util::PageMemory), so the hashes of a large SST (8 bytes per row: 16 MiB
// for 2M rows) never go through a doubling std::vector's chain of multi-MiB reallocations, and
// leave the process when the builder is destroyed.
class BloomFilterBuilder {
 public:
  explicit BloomFilterBuilder(uint32_t bits_per_key = 10) : bits_per_key_(bits_per_key) {}
  // Duplicates count (one per row).
  void AddKey(std::string_view key) { AddHash(SipHash13(key)); }
  size_t num_keys() const { return inline_.size() + paged_; }
  // The raw filter bytes (before compression).
  std::string Build() const;

  static constexpr size_t kInlineHashes = 16384;  // 128 KiB
  static constexpr size_t kHashesPerPage = (size_t{1} << 20) / sizeof(uint64_t);

 private:
  void AddHash(uint64_t h) {
    if (inline_.size() < kInlineHashes) {
      inline_.push_back(h);
      return;
    }
    if (paged_ % kHashesPerPage == 0) pages_.emplace_back(kHashesPerPage * sizeof(uint64_t));
    reinterpret_cast<uint64_t*>(pages_.back().data())[paged_ % kHashesPerPage] = h;
    ++paged_;
  }

  uint32_t bits_per_key_;
  std::vector<uint64_t> inline_;
  std::vector<util::PageMemory> pages_;
  size_t paged_ = 0;  // hashes in pages_
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
