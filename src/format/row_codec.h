// format/row_codec.h — encode/decode one row of an SST data block.
//
// What: row codec v2 (SST format version 2, docs/format.md §5.4): varint shared / unshared /
// value_len, key suffix, value, seq u64 BE, flags u8, [expire_ts i64 BE], [create_ts i64 BE];
// prefix compression against the previous row's key in the block. Legacy row codec v0 (SST format
// version 1, docs/format.md §5.10) is decode-only: prefix against the block's FIRST key, u16 BE
// lengths, value_len u32 BE after the timestamps.
// Thread safety: pure functions. Ownership: decoded rows own their bytes (copied out of the
// input).
// Errors: decoders return kData (naming the problem) for truncated input, unknown flag bits,
// TOMBSTONE together with MERGE_OPERAND, or a shared prefix longer than the previous key.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "format/row.h"
#include "slatedb/status.h"

namespace slatedb::format {

// Flags byte of `row` (timestamps and kind).
uint8_t RowFlags(const RowView& row);

// Number of leading bytes `a` and `b` have in common.
size_t SharedPrefixLength(std::string_view a, std::string_view b);

// Appends `row` encoded against `prev_key` (pass "" at a restart point).
void EncodeRowV2(std::string* dst, std::string_view prev_key, const RowView& row);
// Size EncodeRowV2 would append.
size_t EncodedRowV2Size(std::string_view prev_key, const RowView& row);

// Decodes one v2 row from `*in` (advanced past it); the key is rebuilt from `prev_key`.
Status DecodeRowV2(std::string_view* in, std::string_view prev_key, RowEntry* out);
// Same checks and errors as DecodeRowV2, but the value is not copied: `*value` views it in the
// input and out->value is left as it was (a seek decodes the rows it passes over this way).
Status DecodeRowV2KeepValue(std::string_view* in, std::string_view prev_key, RowEntry* out,
                            std::string_view* value);
// Decodes only the key of a v2 row stored whole (shared length 0, as at a restart point; for
// seeking): `*key` views it in the input. Only the header and that the value fits are checked
// (the seq, flags and timestamps are not read: the row is decoded in full when it is read);
// `*in` is left at the value.
Status DecodeRowV2WholeKey(std::string_view* in, std::string_view* key);

// A v2 row in three steps, for a seek that passes over rows: DecodeRowV2Key rebuilds the key in
// `*key` (which holds the previous row's key on entry; "" at a restart point) from the header and
// leaves `*in` at the value (of `*value_len` bytes, checked to fit); then either
// DecodeRowV2Tail reads and checks the seq, flags and timestamps after the value into `*out`
// (not its key or value), as DecodeRowV2 does, or SkipRowV2Tail steps over them (checking only
// that the flags are known and the timestamps they announce are there).
Status DecodeRowV2Key(std::string_view* in, std::string* key, uint32_t* value_len);
Status DecodeRowV2Tail(std::string_view* in, uint32_t value_len, RowEntry* out);
Status SkipRowV2Tail(std::string_view* in);

// Decodes one legacy v0 row (format version 1); the key prefix comes from `first_key` (the
// block's first key; pass "" for the first row of a block).
Status DecodeRowV1(std::string_view* in, std::string_view first_key, RowEntry* out);

}  // namespace slatedb::format
