// format/row_codec.cc — row codec v2 and legacy v0.
#include "format/row_codec.h"

#include <algorithm>
#include <string>

#include "util/coding.h"

namespace slatedb::format {

namespace {

constexpr uint8_t kKnownFlags =
    kFlagTombstone | kFlagHasExpireTs | kFlagHasCreateTs | kFlagMergeOperand;

Status Truncated(std::string_view what) {
  return Status::Data("row truncated while reading " + std::string(what));
}

// Reads seq, flags and the timestamps into `out` (kind from the flags).
Status DecodeSeqFlagsTs(std::string_view* in, RowEntry* out, uint8_t* flags_out) {
  uint64_t seq = 0;
  if (!util::GetU64BE(in, &seq)) return Truncated("seq");
  if (in->empty()) return Truncated("flags");
  auto flags = static_cast<uint8_t>(in->front());
  in->remove_prefix(1);
  if ((flags & ~kKnownFlags) != 0) {
    return Status::Data("row has unknown flag bits 0x" + util::ToHex(std::string(1, flags)));
  }
  if ((flags & kFlagTombstone) && (flags & kFlagMergeOperand)) {
    return Status::Data("row flags 0x" + util::ToHex(std::string(1, flags)) +
                        " combine TOMBSTONE and MERGE_OPERAND");
  }
  out->seq = seq;
  out->kind = (flags & kFlagTombstone)      ? RowKind::kTombstone
              : (flags & kFlagMergeOperand) ? RowKind::kMerge
                                            : RowKind::kValue;
  out->expire_ts.reset();
  out->create_ts.reset();
  uint64_t v = 0;
  if (flags & kFlagHasExpireTs) {
    if (!util::GetU64BE(in, &v)) return Truncated("expire_ts");
    out->expire_ts = static_cast<int64_t>(v);
  }
  if (flags & kFlagHasCreateTs) {
    if (!util::GetU64BE(in, &v)) return Truncated("create_ts");
    out->create_ts = static_cast<int64_t>(v);
  }
  *flags_out = flags;
  return Status::OK();
}

}  // namespace

uint8_t RowFlags(const RowView& row) {
  uint8_t flags = 0;
  if (row.kind == RowKind::kTombstone) flags |= kFlagTombstone;
  if (row.kind == RowKind::kMerge) flags |= kFlagMergeOperand;
  if (row.expire_ts) flags |= kFlagHasExpireTs;
  if (row.create_ts) flags |= kFlagHasCreateTs;
  return flags;
}

size_t SharedPrefixLength(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  size_t i = 0;
  while (i < n && a[i] == b[i]) ++i;
  return i;
}

void EncodeRowV2(std::string* dst, std::string_view prev_key, const RowView& row) {
  size_t shared = SharedPrefixLength(prev_key, row.key);
  size_t unshared = row.key.size() - shared;
  bool tomb = row.kind == RowKind::kTombstone;
  size_t value_len = tomb ? 0 : row.value.size();
  util::PutVarint32(dst, static_cast<uint32_t>(shared));
  util::PutVarint32(dst, static_cast<uint32_t>(unshared));
  util::PutVarint32(dst, static_cast<uint32_t>(value_len));
  dst->append(row.key, shared, unshared);
  if (!tomb) dst->append(row.value);
  util::PutU64BE(dst, row.seq);
  dst->push_back(static_cast<char>(RowFlags(row)));
  if (row.expire_ts) util::PutU64BE(dst, static_cast<uint64_t>(*row.expire_ts));
  if (row.create_ts) util::PutU64BE(dst, static_cast<uint64_t>(*row.create_ts));
}

size_t EncodedRowV2Size(std::string_view prev_key, const RowView& row) {
  size_t shared = SharedPrefixLength(prev_key, row.key);
  size_t unshared = row.key.size() - shared;
  size_t value_len = row.kind == RowKind::kTombstone ? 0 : row.value.size();
  return util::VarintLength(shared) + util::VarintLength(unshared) + util::VarintLength(value_len) +
         unshared + value_len + 9 + (row.expire_ts ? 8 : 0) + (row.create_ts ? 8 : 0);
}

namespace {
// The v2 header and key suffix: `*shared` bytes of the previous key (of `prev_key_size` bytes)
// and then `*suffix` (a view of the input) make the key.
Status DecodeV2HeaderView(std::string_view* in, size_t prev_key_size, uint32_t* shared,
                          std::string_view* suffix, uint32_t* value_len) {
  uint32_t unshared = 0;
  if (!util::GetVarint32(in, shared)) return Truncated("shared length");
  if (!util::GetVarint32(in, &unshared)) return Truncated("unshared length");
  if (!util::GetVarint32(in, value_len)) return Truncated("value length");
  if (*shared > prev_key_size) {
    return Status::Data("row shares " + std::to_string(*shared) +
                        " key bytes but the previous key has only " +
                        std::to_string(prev_key_size));
  }
  if (in->size() < unshared) return Truncated("key suffix");
  if (static_cast<size_t>(*shared) + unshared > kMaxKeySize) {
    return Status::Data("row key of " + std::to_string(*shared + unshared) +
                        " bytes exceeds the 65535-byte limit");
  }
  *suffix = in->substr(0, unshared);
  in->remove_prefix(unshared);
  return Status::OK();
}

Status DecodeV2Header(std::string_view* in, std::string_view prev_key, std::string* key,
                      uint32_t* value_len) {
  uint32_t shared = 0;
  std::string_view suffix;
  RETURN_IF_ERROR(DecodeV2HeaderView(in, prev_key.size(), &shared, &suffix, value_len));
  key->assign(prev_key.data(), shared);
  key->append(suffix.data(), suffix.size());
  return Status::OK();
}

}  // namespace

Status DecodeRowV2KeepValue(std::string_view* in, std::string_view prev_key, RowEntry* out,
                            std::string_view* value) {
  uint32_t value_len = 0;
  // Decodes straight into out->key (reusing its capacity); assign() copes with `prev_key`
  // aliasing out->key, and every header check runs before the key is touched.
  RETURN_IF_ERROR(DecodeV2Header(in, prev_key, &out->key, &value_len));
  if (in->size() < value_len) return Truncated("value");
  *value = in->substr(0, value_len);
  return DecodeRowV2Tail(in, value_len, out);
}

Status DecodeRowV2Key(std::string_view* in, std::string* key, uint32_t* value_len) {
  uint32_t shared = 0;
  std::string_view suffix;
  RETURN_IF_ERROR(DecodeV2HeaderView(in, key->size(), &shared, &suffix, value_len));
  if (in->size() < *value_len) return Truncated("value");
  key->resize(shared);
  key->append(suffix.data(), suffix.size());
  return Status::OK();
}

Status DecodeRowV2Tail(std::string_view* in, uint32_t value_len, RowEntry* out) {
  in->remove_prefix(value_len);
  uint8_t flags = 0;
  RETURN_IF_ERROR(DecodeSeqFlagsTs(in, out, &flags));
  if ((flags & kFlagTombstone) && value_len != 0) {
    return Status::Data("tombstone row for seq " + std::to_string(out->seq) + " has a value");
  }
  return Status::OK();
}

Status SkipRowV2Tail(std::string_view* in) {
  if (in->size() < 9) return Truncated(in->size() < 8 ? "seq" : "flags");
  const auto flags = static_cast<uint8_t>((*in)[8]);
  if ((flags & ~kKnownFlags) != 0) {
    return Status::Data("row has unknown flag bits 0x" + util::ToHex(std::string(1, flags)));
  }
  const size_t n = 9 + ((flags & kFlagHasExpireTs) ? 8 : 0) + ((flags & kFlagHasCreateTs) ? 8 : 0);
  if (in->size() < n) return Truncated((flags & kFlagHasCreateTs) ? "create_ts" : "expire_ts");
  in->remove_prefix(n);
  return Status::OK();
}

Status DecodeRowV2(std::string_view* in, std::string_view prev_key, RowEntry* out) {
  std::string_view value;
  RETURN_IF_ERROR(DecodeRowV2KeepValue(in, prev_key, out, &value));
  out->value.assign(value.data(), value.size());
  return Status::OK();
}

Status DecodeRowV2WholeKey(std::string_view* in, std::string_view* key) {
  uint32_t shared = 0, value_len = 0;
  RETURN_IF_ERROR(DecodeV2HeaderView(in, 0, &shared, key, &value_len));
  // Only the key: a binary search reads this at each probe, and the row's seq, flags and
  // timestamps are decoded (and checked) when the row itself is read.
  if (in->size() < value_len) return Truncated("value");
  return Status::OK();
}

Status DecodeRowV1(std::string_view* in, std::string_view first_key, RowEntry* out) {
  uint16_t prefix_len = 0, suffix_len = 0;
  if (!util::GetU16BE(in, &prefix_len)) return Truncated("v1 key prefix length");
  if (!util::GetU16BE(in, &suffix_len)) return Truncated("v1 key suffix length");
  if (prefix_len > first_key.size()) {
    return Status::Data("v1 row shares " + std::to_string(prefix_len) +
                        " key bytes but the block's first key has only " +
                        std::to_string(first_key.size()));
  }
  if (in->size() < suffix_len) return Truncated("v1 key suffix");
  std::string key(first_key.data(), prefix_len);
  key.append(in->data(), suffix_len);
  in->remove_prefix(suffix_len);
  uint8_t flags = 0;
  RETURN_IF_ERROR(DecodeSeqFlagsTs(in, out, &flags));
  out->key = std::move(key);
  out->value.clear();
  if (!(flags & kFlagTombstone)) {
    uint32_t value_len = 0;
    if (!util::GetU32BE(in, &value_len)) return Truncated("v1 value length");
    if (in->size() < value_len) return Truncated("v1 value");
    out->value.assign(in->data(), value_len);
    in->remove_prefix(value_len);
  }
  return Status::OK();
}

}  // namespace slatedb::format
