// format/row_record.h — a row packed into one self-describing run of bytes in memory (not a
// stored format: nothing here is ever written to object storage).
//
// Layout: [key length: varint][key][seq: u64, host order][flags: u8 (row.h's kFlag* bits)]
// [create_ts: i64 if kFlagHasCreateTs][expire_ts: i64 if kFlagHasExpireTs][value length: varint]
// [value]. The memtable stores each row this way right after the node's links (so the WAL
// buffer can refer to a committed row by one pointer instead of an 80-byte RowView), and the
// WAL buffer packs rows that live nowhere else the same way.
//
// Thread safety: pure functions. Ownership: a decoded RowView points into the record (valid while
// the record's memory lives). Errors: none — records are built in memory by EncodeRowRecord, never
// read from outside (decoding assumes a well-formed record).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

#include "format/row.h"
#include "util/coding.h"

namespace slatedb::format {

namespace row_record_internal {

inline char* PutVarint(char* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

inline uint64_t GetVarint(const char** p) {
  uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    const uint64_t byte = static_cast<unsigned char>(*(*p)++);
    v |= (byte & 0x7f) << shift;
    if (byte < 0x80) return v;
  }
}

inline uint64_t LoadU64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

inline uint8_t KindFlags(RowKind kind) {
  switch (kind) {
    case RowKind::kTombstone:
      return kFlagTombstone;
    case RowKind::kMerge:
      return kFlagMergeOperand;
    case RowKind::kValue:
      break;
  }
  return 0;
}

}  // namespace row_record_internal

// The bytes EncodeRowRecord writes for these fields.
inline size_t RowRecordSize(std::string_view key, std::string_view value,
                            std::optional<int64_t> create_ts, std::optional<int64_t> expire_ts) {
  using util::VarintLength;
  return VarintLength(key.size()) + key.size() + 8 + 1 + (create_ts ? 8 : 0) + (expire_ts ? 8 : 0) +
         VarintLength(value.size()) + value.size();
}

// Writes the record at `p` (RowRecordSize bytes); returns the end.
inline char* EncodeRowRecord(char* p, std::string_view key, std::string_view value, uint64_t seq,
                             RowKind kind, std::optional<int64_t> create_ts,
                             std::optional<int64_t> expire_ts) {
  using row_record_internal::PutVarint;
  p = PutVarint(p, key.size());
  if (!key.empty()) std::memcpy(p, key.data(), key.size());
  p += key.size();
  std::memcpy(p, &seq, 8);
  p += 8;
  *p++ = static_cast<char>(row_record_internal::KindFlags(kind) |
                           (create_ts ? kFlagHasCreateTs : 0) | (expire_ts ? kFlagHasExpireTs : 0));
  if (create_ts) {
    std::memcpy(p, &*create_ts, 8);
    p += 8;
  }
  if (expire_ts) {
    std::memcpy(p, &*expire_ts, 8);
    p += 8;
  }
  p = PutVarint(p, value.size());
  if (!value.empty()) std::memcpy(p, value.data(), value.size());
  return p + value.size();
}

// The row a record holds (views into it).
inline RowView DecodeRowRecord(const char* p) {
  using row_record_internal::GetVarint;
  using row_record_internal::LoadU64;
  const auto key_len = static_cast<size_t>(GetVarint(&p));
  const std::string_view key(p, key_len);
  p += key_len;
  const uint64_t seq = LoadU64(p);
  const auto flags = static_cast<uint8_t>(p[8]);
  p += 9;
  std::optional<int64_t> create_ts, expire_ts;
  if ((flags & kFlagHasCreateTs) != 0) {
    create_ts = static_cast<int64_t>(LoadU64(p));
    p += 8;
  }
  if ((flags & kFlagHasExpireTs) != 0) {
    expire_ts = static_cast<int64_t>(LoadU64(p));
    p += 8;
  }
  const auto value_len = static_cast<size_t>(GetVarint(&p));
  const RowKind kind = (flags & kFlagTombstone) != 0      ? RowKind::kTombstone
                       : (flags & kFlagMergeOperand) != 0 ? RowKind::kMerge
                                                          : RowKind::kValue;
  return RowView(key, std::string_view(p, value_len), seq, kind, create_ts, expire_ts);
}

// The record's seq, without decoding the rest.
inline uint64_t RowRecordSeq(const char* p) {
  const auto key_len = static_cast<size_t>(row_record_internal::GetVarint(&p));
  return row_record_internal::LoadU64(p + key_len);
}

}  // namespace slatedb::format
