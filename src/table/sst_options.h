// table/sst_options.h — the one mapping from a database's settings to SST builder options.
//
// What: `SstSettings` is the part of `slatedb::Settings` that shapes SSTs (block size,
// compression, filter sizing, the prefix extractor); `SstBuilderOptionsFor(kind, ...)` turns it
// into `format::SstBuilderOptions` for each kind of SST a database writes: L0 (memtable
// flushes), compacted (sorted-run outputs), WAL SSTs and WAL fences. Every writer of SSTs builds
// its options here (a grep for SstBuilderOptions outside src/format and src/table finds only
// the holders of the result).
//   * kL0, kCompacted: sst_type Compacted, block size, compression, filter bits / min keys, and
//     with a prefix extractor the composite filter layout (format::SetPrefixFilter).
//   * kWal: sst_type Wal, block size and compression (WAL SSTs carry no filter).
//   * kWalFence: the empty fence SST: block size and compression, sst_type Compacted (as
//     written since the first version; readers do not look at a fence's type).
// Thread safety: pure functions. Ownership: the options share the prefix extractor.
// Errors: none (validation of the extractor against the compatibility is Db::Open's).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "format/sst.h"
#include "slatedb/options.h"
#include "slatedb/prefix_extractor.h"

namespace slatedb::table {

enum class SstKind { kL0, kCompacted, kWal, kWalFence };

// The SST-shaping subset of Settings (defaults = Settings' defaults).
struct SstSettings {
  size_t block_size = 4096;
  format::CompressionCodec compression = format::CompressionCodec::kNone;
  uint32_t filter_bits_per_key = 10;
  size_t min_filter_keys = 1000;
  // Components::prefix_extractor: L0 and compacted SSTs carry its prefix filter.
  std::shared_ptr<const PrefixExtractor> prefix_extractor;

  static SstSettings From(const Settings& settings,
                          std::shared_ptr<const PrefixExtractor> prefix_extractor = nullptr);
};

format::SstBuilderOptions SstBuilderOptionsFor(SstKind kind, const SstSettings& settings);
format::SstBuilderOptions SstBuilderOptionsFor(
    SstKind kind, const Settings& settings,
    std::shared_ptr<const PrefixExtractor> prefix_extractor = nullptr);

}  // namespace slatedb::table
