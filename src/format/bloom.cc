// format/bloom.cc — SipHash-1-3 and the bloom filter.
#include "format/bloom.h"

#include <cstring>
#include <optional>
#include <string>

#include "format/compression.h"
#include "util/coding.h"
#include "util/saturating.h"

namespace slatedb::format {

namespace {

inline uint64_t Rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

struct SipState {
  uint64_t v0, v1, v2, v3;
  void Round() {
    v0 += v1;
    v1 = Rotl(v1, 13);
    v1 ^= v0;
    v0 = Rotl(v0, 32);
    v2 += v3;
    v3 = Rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = Rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = Rotl(v1, 17);
    v1 ^= v2;
    v2 = Rotl(v2, 32);
  }
};

inline uint64_t LoadU64LE(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// Probe positions per docs/format.md §5.6 step 4; calls fn(bit) for each probe.
template <typename Fn>
void ForEachProbe(uint64_t h, uint16_t num_probes, uint64_t nbits, Fn fn) {
  // Same arithmetic as `(d + i) % nbits` and `(x + d) % nbits` with x, d < nbits, without a
  // 64-bit division per probe.
  uint64_t x = (h & 0xFFFFFFFFu) % nbits;
  uint64_t d = (h >> 32) % nbits;
  for (uint32_t i = 0; i < num_probes; ++i) {
    d += i;
    if (d >= nbits) d %= nbits;
    fn(x);
    x += d;
    if (x >= nbits) x -= nbits;
  }
}

}  // namespace

uint64_t SipHash13(std::string_view data, uint64_t k0, uint64_t k1) {
  SipState s{k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL, k0 ^ 0x6c7967656e657261ULL,
             k1 ^ 0x7465646279746573ULL};
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  size_t len = data.size();
  size_t full = len / 8 * 8;
  for (size_t i = 0; i < full; i += 8) {
    uint64_t m = LoadU64LE(p + i);
    s.v3 ^= m;
    s.Round();
    s.v0 ^= m;
  }
  uint64_t b = static_cast<uint64_t>(len & 0xff) << 56;
  for (size_t i = 0; i < len - full; ++i) b |= static_cast<uint64_t>(p[full + i]) << (8 * i);
  s.v3 ^= b;
  s.Round();
  s.v0 ^= b;
  s.v2 ^= 0xff;
  s.Round();
  s.Round();
  s.Round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

uint16_t BloomNumProbes(uint32_t bits_per_key) {
  // Saturates: a float above 65535 converted to uint16_t would be undefined behaviour.
  const float probes = static_cast<float>(bits_per_key) * 0.69f;
  if (probes >= 65535.0f) return UINT16_MAX;
  return static_cast<uint16_t>(probes);
}

std::string BloomFilterBuilder::Build() const {
  // keys × bits_per_key must not wrap, and the filter section must stay within what our own
  // reader accepts (kDefaultMaxDecompressedSize): a larger filter is not built (an empty filter
  // excludes nothing, so reads stay correct and the SST stays readable).
  constexpr uint64_t kMaxBloomBits = (uint64_t{kDefaultMaxDecompressedSize} - 2) * 8;
  std::optional<uint64_t> checked =
      util::CheckedMul(static_cast<uint64_t>(num_keys()), uint64_t{bits_per_key_});
  uint64_t total_bits = checked && *checked <= kMaxBloomBits ? *checked : 0;
  uint64_t nbytes = (total_bits + 7) / 8;
  uint64_t nbits = nbytes * 8;
  uint16_t probes = BloomNumProbes(bits_per_key_);
  std::string out;
  util::PutU16BE(&out, probes);
  out.resize(2 + nbytes, '\0');
  if (nbits == 0) return out;
  auto* bits = reinterpret_cast<unsigned char*>(out.data() + 2);
  auto set = [&](uint64_t h) {
    ForEachProbe(h, probes, nbits, [&](uint64_t bit) {
      bits[bit / 8] |= static_cast<unsigned char>(1u << (bit % 8));
    });
  };
  for (uint64_t h : inline_) set(h);
  for (size_t i = 0; i < paged_; ++i) {
    set(reinterpret_cast<const uint64_t*>(pages_[i / kHashesPerPage].data())[i % kHashesPerPage]);
  }
  return out;
}

Result<BloomFilter> BloomFilter::Decode(std::string raw) {
  if (raw.size() < 2) {
    return Status::Data("bloom filter of " + std::to_string(raw.size()) + " bytes is too short");
  }
  BloomFilter f;
  f.num_probes_ = util::LoadU16BE(raw.data());
  f.raw_ = std::move(raw);
  return f;
}

bool BloomFilter::MayContain(std::string_view key) const {
  uint64_t nbits = num_bits();
  if (nbits == 0 || num_probes_ == 0) return true;  // degenerate filter: cannot exclude
  const auto* bits = reinterpret_cast<const unsigned char*>(raw_.data() + 2);
  bool all = true;
  ForEachProbe(SipHash13(key), num_probes_, nbits, [&](uint64_t bit) {
    if ((bits[bit / 8] & (1u << (bit % 8))) == 0) all = false;
  });
  return all;
}

}  // namespace slatedb::format
