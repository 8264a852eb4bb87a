// format/row.h — RowEntry, the unit every layer passes around (memtable, WAL, SSTs, iterators).
//
// A row is one version of one key: a value, a tombstone or a merge operand, with its sequence
// number and optional create/expire timestamps (Unix ms). Ordering used everywhere: key
// ascending (unsigned bytes), then seq descending (newest first).
// Thread safety: plain value type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace slatedb::format {

enum class RowKind : uint8_t { kValue = 0, kTombstone = 1, kMerge = 2 };

// Row flag bits (row codec v2, docs/format.md §5.4).
inline constexpr uint8_t kFlagTombstone = 0x01;
inline constexpr uint8_t kFlagHasExpireTs = 0x02;
inline constexpr uint8_t kFlagHasCreateTs = 0x04;
inline constexpr uint8_t kFlagMergeOperand = 0x08;

inline constexpr size_t kMaxKeySize = 65535;

struct RowEntry {
  std::string key;
  std::string value;  // empty for tombstones
  uint64_t seq = 0;
  RowKind kind = RowKind::kValue;
  std::optional<int64_t> create_ts;
  std::optional<int64_t> expire_ts;

  bool is_tombstone() const { return kind == RowKind::kTombstone; }
  // Approximate in-memory footprint, used for memtable / WAL buffer size accounting.
  size_t EstimatedSize() const { return key.size() + value.size() + 32; }
  bool operator==(const RowEntry&) const = default;
};

// A row whose key and value live elsewhere (a memtable's arena, an SST block, a RowEntry): what
// the encoders take, so rows can be encoded without copying their bytes. The viewed bytes must
// outlive the view; a RowEntry converts implicitly.
struct RowView {
  std::string_view key;
  std::string_view value;
  uint64_t seq = 0;
  RowKind kind = RowKind::kValue;
  std::optional<int64_t> create_ts;
  std::optional<int64_t> expire_ts;

  RowView() = default;
  RowView(std::string_view k, std::string_view v, uint64_t s, RowKind kd,
          std::optional<int64_t> cts, std::optional<int64_t> ets)
      : key(k), value(v), seq(s), kind(kd), create_ts(cts), expire_ts(ets) {}
  RowView(const RowEntry& row)  // NOLINT(google-explicit-constructor): a view of it
      : RowView(row.key, row.value, row.seq, row.kind, row.create_ts, row.expire_ts) {}

  bool is_tombstone() const { return kind == RowKind::kTombstone; }
  // Same accounting as RowEntry::EstimatedSize.
  size_t EstimatedSize() const { return key.size() + value.size() + 32; }
};

// Internal ordering: key asc, then seq desc.
inline bool RowLess(std::string_view a_key, uint64_t a_seq, std::string_view b_key,
                    uint64_t b_seq) {
  int c = a_key.compare(b_key);
  if (c != 0) return c < 0;
  return a_seq > b_seq;
}

}  // namespace slatedb::format
