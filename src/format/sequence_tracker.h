// format/sequence_tracker.h — the manifest's sequence-number → wall-clock samples (docs/format.md
// §8, SlateDB RFC 0012), and their byte encoding (manifest field 15).
//
// Bytes: [version u8 = 1][count u32 LE][stream A: seqs][stream B: Unix seconds]; each stream is a
// Gorilla delta-of-delta bit stream (MSB-first, zero-padded to a byte boundary): 32-bit value
// count, 64-bit first value, then per value `0` (dod = 0), `10`+7 bits (|dod| ≤ 63), `110`+9 bits
// (|dod| ≤ 255), `1110`+12 bits (|dod| ≤ 2047), else `1111`+32 bits (low 32 bits of dod).
//
// Sampling: `Insert` keeps at most one sample per 60 s (the first write of each window) and, when
// more than 8192 samples are held, drops every second one. `Extend` appends the samples of a
// newer tracker (a flushed memtable's) whose seq is above ours, without the 60-s rule: the peer
// did exactly that (fixtures pywriter_*: samples 11 s apart).
// Thread safety: value type, no internal locking. Ownership: holds its samples by value.
// Errors: `Decode` returns kData ("sequence tracker: ...") for a wrong version, truncated
// streams, mismatched counts or trailing bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "slatedb/status.h"

namespace slatedb::format {

// Rounding of lookups that fall between samples (RFC 0012).
enum class FindOption { kRoundDown, kRoundUp };

struct SeqTimeSample {
  uint64_t seq = 0;
  int64_t unix_seconds = 0;
  bool operator==(const SeqTimeSample&) const = default;
};

class SequenceTracker {
 public:
  static constexpr uint8_t kVersion = 1;
  static constexpr size_t kMaxSamples = 8192;
  static constexpr int64_t kMinSpacingSeconds = 60;

  SequenceTracker() = default;
  explicit SequenceTracker(std::vector<SeqTimeSample> samples) : samples_(std::move(samples)) {}

  // Records (seq, unix_seconds) unless the newest sample is less than 60 s older or has a seq
  // ≥ `seq`. Returns true when the sample was kept.
  bool Insert(uint64_t seq, int64_t unix_seconds);
  // Appends every sample of `newer` whose seq is above our newest seq (no spacing rule), then
  // applies the 8192 cap.
  void Extend(const SequenceTracker& newer);

  // Approximate wall-clock second of `seq`: the time of the newest sample with seq ≤ `seq`
  // (kRoundDown) or of the oldest sample with seq ≥ `seq` (kRoundUp); nullopt if none.
  std::optional<int64_t> FindTimestamp(uint64_t seq, FindOption option) const;
  // Approximate seq at `unix_seconds`, rounded the same way over the sample times.
  std::optional<uint64_t> FindSeq(int64_t unix_seconds, FindOption option) const;

  const std::vector<SeqTimeSample>& samples() const { return samples_; }
  bool empty() const { return samples_.empty(); }
  size_t size() const { return samples_.size(); }

  std::string Encode() const;
  static Result<SequenceTracker> Decode(std::string_view bytes);

  bool operator==(const SequenceTracker&) const = default;

 private:
  void ApplyCap();

  std::vector<SeqTimeSample> samples_;
};

// The 13-byte encoding of an empty tracker: 01 00000000 00000000 00000000.
std::string EmptySequenceTrackerBytes();

}  // namespace slatedb::format
