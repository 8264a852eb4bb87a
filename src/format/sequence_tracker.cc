#include "format/sequence_tracker.h"

#include <algorithm>
#include <iterator>

#include "util/coding.h"

namespace slatedb::format {
namespace {

class BitWriter {
 public:
  explicit BitWriter(std::string* out) : out_(out) {}
  // Appends the low `bits` bits of `value`, most significant first.
  void Write(uint64_t value, int bits) {
    for (int i = bits - 1; i >= 0; --i) {
      if (used_ == 0) out_->push_back('\0');
      if ((value >> i) & 1) out_->back() = static_cast<char>(out_->back() | (0x80 >> used_));
      used_ = (used_ + 1) % 8;
    }
  }
  // Zero-pads to a byte boundary (the remaining bits are already 0).
  void Flush() { used_ = 0; }

 private:
  std::string* out_;
  int used_ = 0;  // bits used in the last byte; 0 = start a new byte
};

class BitReader {
 public:
  explicit BitReader(std::string_view in) : in_(in) {}
  bool Read(int bits, uint64_t* value) {
    if (bits > 64 || bit_pos_ + static_cast<size_t>(bits) > in_.size() * 8) return false;
    uint64_t v = 0;
    for (int i = 0; i < bits; ++i) {
      const uint8_t byte = static_cast<uint8_t>(in_[bit_pos_ / 8]);
      v = (v << 1) | ((byte >> (7 - bit_pos_ % 8)) & 1);
      ++bit_pos_;
    }
    *value = v;
    return true;
  }
  // Skips to the next byte boundary.
  void Align() { bit_pos_ = (bit_pos_ + 7) / 8 * 8; }
  size_t byte_pos() const { return bit_pos_ / 8; }

 private:
  std::string_view in_;
  size_t bit_pos_ = 0;
};

int64_t SignExtend(uint64_t v, int bits) {
  const uint64_t sign = 1ull << (bits - 1);
  return static_cast<int64_t>((v ^ sign) - sign);
}

void EncodeStream(const std::vector<int64_t>& values, std::string* out) {
  BitWriter w(out);
  w.Write(values.size(), 32);
  if (!values.empty()) {
    w.Write(static_cast<uint64_t>(values[0]), 64);
    int64_t prev = values[0];
    int64_t prev_delta = 0;
    for (size_t i = 1; i < values.size(); ++i) {
      // Wrapping arithmetic, as in the peer (two's complement).
      const int64_t delta =
          static_cast<int64_t>(static_cast<uint64_t>(values[i]) - static_cast<uint64_t>(prev));
      const int64_t dod =
          static_cast<int64_t>(static_cast<uint64_t>(delta) - static_cast<uint64_t>(prev_delta));
      const uint64_t u = static_cast<uint64_t>(dod);
      if (dod == 0) {
        w.Write(0, 1);
      } else if (dod >= -63 && dod <= 63) {
        w.Write(0b10, 2);
        w.Write(u & 0x7F, 7);
      } else if (dod >= -255 && dod <= 255) {
        w.Write(0b110, 3);
        w.Write(u & 0x1FF, 9);
      } else if (dod >= -2047 && dod <= 2047) {
        w.Write(0b1110, 4);
        w.Write(u & 0xFFF, 12);
      } else {
        w.Write(0b1111, 4);
        w.Write(u & 0xFFFFFFFFull, 32);
      }
      prev_delta = delta;
      prev = values[i];
    }
  }
  w.Flush();
}

Status DecodeStream(BitReader* r, const char* name, std::vector<int64_t>* values) {
  auto truncated = [name] {
    return Status::Data(std::string("sequence tracker: stream of ") + name + " is truncated");
  };
  uint64_t n = 0;
  if (!r->Read(32, &n)) return truncated();
  values->clear();
  if (n > 0) {
    uint64_t first = 0;
    if (!r->Read(64, &first)) return truncated();
    values->push_back(static_cast<int64_t>(first));
    int64_t prev = values->back();
    int64_t prev_delta = 0;
    for (uint64_t i = 1; i < n; ++i) {
      int prefix_ones = 0;
      uint64_t bit = 1;
      while (prefix_ones < 4) {
        if (!r->Read(1, &bit)) return truncated();
        if (bit == 0) break;
        ++prefix_ones;
      }
      static constexpr int kPayloadBits[] = {0, 7, 9, 12, 32};
      int64_t dod = 0;
      if (prefix_ones > 0) {
        uint64_t payload = 0;
        if (!r->Read(kPayloadBits[prefix_ones], &payload)) return truncated();
        dod = SignExtend(payload, kPayloadBits[prefix_ones]);
      }
      const int64_t delta =
          static_cast<int64_t>(static_cast<uint64_t>(prev_delta) + static_cast<uint64_t>(dod));
      const int64_t v =
          static_cast<int64_t>(static_cast<uint64_t>(prev) + static_cast<uint64_t>(delta));
      values->push_back(v);
      prev = v;
      prev_delta = delta;
    }
  }
  r->Align();
  return Status::OK();
}

}  // namespace

bool SequenceTracker::Insert(uint64_t seq, int64_t unix_seconds) {
  if (!samples_.empty()) {
    const SeqTimeSample& last = samples_.back();
    if (seq <= last.seq || unix_seconds < last.unix_seconds + kMinSpacingSeconds) return false;
  }
  samples_.push_back({seq, unix_seconds});
  ApplyCap();
  return true;
}

void SequenceTracker::Extend(const SequenceTracker& newer) {
  for (const SeqTimeSample& s : newer.samples_) {
    if (samples_.empty() || s.seq > samples_.back().seq) samples_.push_back(s);
  }
  ApplyCap();
}

void SequenceTracker::ApplyCap() {
  while (samples_.size() > kMaxSamples) {
    std::vector<SeqTimeSample> kept;
    kept.reserve(samples_.size() / 2 + 1);
    for (size_t i = 0; i < samples_.size(); i += 2) kept.push_back(samples_[i]);
    samples_ = std::move(kept);
  }
}

// Samples are ordered by seq and by time, so both lookups are binary searches.
std::optional<int64_t> SequenceTracker::FindTimestamp(uint64_t seq, FindOption option) const {
  auto it = std::lower_bound(samples_.begin(), samples_.end(), seq,
                             [](const SeqTimeSample& s, uint64_t v) { return s.seq < v; });
  if (option == FindOption::kRoundUp) {
    if (it == samples_.end()) return std::nullopt;
    return it->unix_seconds;
  }
  if (it != samples_.end() && it->seq == seq) return it->unix_seconds;
  if (it == samples_.begin()) return std::nullopt;
  return std::prev(it)->unix_seconds;
}

std::optional<uint64_t> SequenceTracker::FindSeq(int64_t unix_seconds, FindOption option) const {
  auto it = std::lower_bound(samples_.begin(), samples_.end(), unix_seconds,
                             [](const SeqTimeSample& s, int64_t v) { return s.unix_seconds < v; });
  if (option == FindOption::kRoundUp) {
    if (it == samples_.end()) return std::nullopt;
    return it->seq;
  }
  if (it != samples_.end() && it->unix_seconds == unix_seconds) {
    // Several samples may share a second (Extend does not space them): take the newest.
    while (std::next(it) != samples_.end() && std::next(it)->unix_seconds == unix_seconds) ++it;
    return it->seq;
  }
  if (it == samples_.begin()) return std::nullopt;
  return std::prev(it)->seq;
}

std::string SequenceTracker::Encode() const {
  std::string out;
  out.push_back(static_cast<char>(kVersion));
  util::PutU32LE(&out, static_cast<uint32_t>(samples_.size()));
  std::vector<int64_t> seqs;
  std::vector<int64_t> times;
  seqs.reserve(samples_.size());
  times.reserve(samples_.size());
  for (const SeqTimeSample& s : samples_) {
    seqs.push_back(static_cast<int64_t>(s.seq));
    times.push_back(s.unix_seconds);
  }
  EncodeStream(seqs, &out);
  EncodeStream(times, &out);
  return out;
}

Result<SequenceTracker> SequenceTracker::Decode(std::string_view bytes) {
  if (bytes.size() < 5) {
    return Status::Data("sequence tracker: " + std::to_string(bytes.size()) +
                        " bytes is too short for the 5-byte header");
  }
  if (static_cast<uint8_t>(bytes[0]) != kVersion) {
    return Status::Data("sequence tracker: unsupported version " +
                        std::to_string(static_cast<uint8_t>(bytes[0])));
  }
  const uint32_t count = util::LoadU32LE(bytes.data() + 1);
  BitReader r(bytes.substr(5));
  std::vector<int64_t> seqs;
  std::vector<int64_t> times;
  RETURN_IF_ERROR(DecodeStream(&r, "seqs", &seqs));
  RETURN_IF_ERROR(DecodeStream(&r, "timestamps", &times));
  if (seqs.size() != count || times.size() != count) {
    return Status::Data("sequence tracker: header count " + std::to_string(count) +
                        " does not match stream lengths " + std::to_string(seqs.size()) + "/" +
                        std::to_string(times.size()));
  }
  if (5 + r.byte_pos() != bytes.size()) {
    return Status::Data("sequence tracker: " + std::to_string(bytes.size() - 5 - r.byte_pos()) +
                        " trailing bytes");
  }
  std::vector<SeqTimeSample> samples;
  samples.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    samples.push_back({static_cast<uint64_t>(seqs[i]), times[i]});
  }
  return SequenceTracker(std::move(samples));
}

std::string EmptySequenceTrackerBytes() { return SequenceTracker().Encode(); }

}  // namespace slatedb::format
