// format/sst.h — whole-SST encoding (SstBuilder) and per-section decoding (docs/format.md §5).
//
// What: SstBuilder turns rows into the bytes of one SST object (data blocks, bloom filter,
// index, stats, info, footer; every section followed by its CRC32 BE). The decode helpers parse
// one section at a time so the table layer can fetch sections with ranged reads:
//   DecodeFooter(last 10 bytes) → metadata offset + format version
//   DecodeInfo(info section)    → SstInfo
//   DecodeIndex / DecodeFilter / DecodeStats / DecodeBlock(section bytes incl. CRC, codec)
// DecodeSst(whole object) does everything (tests, small objects, WAL replay).
// Thread safety: SstBuilder is single-threaded; the decode functions are pure.
// Ownership: outputs are returned by value / shared_ptr.
// Errors: SstBuilder::Add returns kInvalid for out-of-order rows, empty or oversized keys;
// decoders return kData whose message names the failing section (checksum, decompression,
// FlatBuffers verification, offsets); callers add the object name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "format/block.h"
#include "format/bloom.h"
#include "format/compression.h"
#include "format/row.h"
#include "format/sst_info.h"
#include "slatedb/prefix_extractor.h"
#include "slatedb/status.h"

namespace slatedb::format {

inline constexpr size_t kSstFooterSize = 10;
inline constexpr size_t kSectionCrcSize = 4;

struct SstBuilderOptions {
  size_t block_size = kDefaultBlockSize;
  CompressionCodec compression = CompressionCodec::kNone;
  size_t min_filter_keys = 1000;  // a filter is written iff rows >= this (compacted only)
  uint32_t filter_bits_per_key = 10;
  SstType sst_type = SstType::kCompacted;
  // kLegacy (default): the raw bloom filter SlateDB 0.12 reads. kComposite: the bloom filter
  // named `_bf` in a composite block (SlateDB >= 0.13 only), then — with `prefix_extractor` —
  // the prefix filter `_bf:p=<name>` (whole keys + extracted prefixes), then `extra_filters`
  // (name, bytes) — for tests of readers that must skip filters they do not know.
  FilterFormat filter_format = FilterFormat::kLegacy;
  // Needs kComposite (Finish returns kInvalid with kLegacy, which has room for one filter only).
  std::shared_ptr<const PrefixExtractor> prefix_extractor;
  std::vector<std::pair<std::string, std::string>> extra_filters;
  // Capacity reserved up front for the output buffer (0: grow on demand). A writer that fills
  // SSTs up to a known size sets it to avoid re-copying the buffer as it grows.
  size_t expected_size = 0;
};

// Sets the filter layout of a database's L0 and compacted SSTs: with `extractor`, kComposite
// (`_bf` + `_bf:p=<name>`); without, kLegacy (unchanged from SlateDB 0.12).
void SetPrefixFilter(SstBuilderOptions* options, std::shared_ptr<const PrefixExtractor> extractor);
// kInvalid when `extractor` cannot be used with `compatibility` ("0.12": SlateDB 0.12 cannot read
// the composite filter block a prefix filter lives in) or has an empty name; OK for null.
Status ValidatePrefixExtractor(const PrefixExtractor* extractor, std::string_view compatibility);

struct EncodedSst {
  std::string bytes;  // the whole object; empty when built into an SstSink
  SstInfo info;
  uint64_t num_rows = 0;
  uint64_t size = 0;  // bytes of the object (== bytes.size() without a sink)
};

// Receives an SST's bytes in order while SstBuilder produces them: each data block (compressed,
// with its CRC) as it fills, then the filter, index, stats, info and footer at Finish. An error
// from Append is returned by the SstBuilder call that produced the bytes.
class SstSink {
 public:
  virtual ~SstSink() = default;
  virtual Status Append(std::string_view bytes) = 0;
};

class SstBuilder {
 public:
  // With a `sink` (not owned; must outlive the builder) the builder streams: it holds only the
  // block being filled, the index entries and the filter's key hashes, and Finish returns the
  // info without `bytes`. The bytes are identical either way.
  explicit SstBuilder(SstBuilderOptions options = {}, SstSink* sink = nullptr);

  // Compacted: rows strictly increasing by (key asc, seq desc). WAL: seq non-decreasing
  // (commit order). Violations and bad keys → kInvalid (nothing is added).
  Status Add(const RowView& row);
  uint64_t num_rows() const { return num_rows_; }
  // Approximate size of the finished object so far (finished blocks + the current block).
  size_t EstimatedSize() const;
  // Finishes the SST (may be called once). With no rows it produces the empty "fence" SST.
  Result<EncodedSst> Finish();

 private:
  Status FinishBlock();
  // Offset in the object of the next byte.
  uint64_t Pos() const { return emitted_ + data_.size(); }
  // Hands data_ to the sink (no-op without one).
  Status Emit();
  // Appends a filter / index / stats section, compressed with the SST's codec, and its CRC.
  // Uncompressed with a sink, a large section goes to the sink as it is, not copied into data_.
  Status AppendSection(std::string_view raw);

  SstBuilderOptions options_;
  SstSink* sink_;
  BlockBuilder block_;
  std::string block_buf_;  // last finished block (buffer swapped with block_'s)
  std::string data_;       // encoded bytes not yet given to the sink (without one: all of them)
  uint64_t emitted_ = 0;   // bytes given to the sink
  struct PendingMeta {
    uint64_t offset;
    std::string first_key;
  };
  std::vector<PendingMeta> metas_;
  struct BlockCounts {
    uint16_t puts = 0, deletes = 0, merges = 0;
  };
  std::vector<BlockCounts> block_stats_;
  BlockCounts cur_counts_;
  BloomFilterBuilder bloom_;
  BloomFilterBuilder prefix_bloom_;  // with options_.prefix_extractor: whole keys + prefixes
  std::string last_prefix_;          // the previous in-domain key's prefix (dedup, as SlateDB)
  bool has_last_prefix_ = false;
  std::string prev_block_last_key_;
  bool has_prev_block_ = false;
  std::optional<RowEntry> last_row_;  // key and seq of the previous row (value not kept)
  std::optional<std::string> first_entry_;
  uint64_t num_rows_ = 0;
  uint64_t num_puts_ = 0, num_deletes_ = 0, num_merges_ = 0;
  uint64_t raw_key_size_ = 0, raw_val_size_ = 0;
  bool finished_ = false;
};

// The shortest separator of docs/format.md §5.5: a prefix of `first` that is > `prev_last` (or
// `first`).
std::string IndexSeparator(std::string_view prev_last, std::string_view first);
// 8-byte big-endian encoding of a seq (WAL index keys and first_entry).
std::string EncodeSeqKey(uint64_t seq);

struct SstFooter {
  uint64_t metadata_offset = 0;
  uint16_t version = 0;
};

struct BlockMetaEntry {
  uint64_t offset = 0;
  std::string first_key;
};

struct SstIndex {
  std::vector<BlockMetaEntry> blocks;
  // Search aid filled by DecodeIndex (FillIndexSearchKeys), empty otherwise: per block from
  // block 1 on, the 8 bytes of its first_key after the `search_skip` bytes the first keys of
  // blocks 1.. share, big-endian and zero-padded, so LowerBoundBlock compares integers in one
  // array instead of following each key's heap pointer.
  std::vector<uint64_t> search_keys;
  size_t search_skip = 0;
};

// Fills index->search_keys and search_skip from index->blocks.
void FillIndexSearchKeys(SstIndex* index);
// Index of the first block whose first_key is >= `key` (blocks.size() if none): what
// std::lower_bound over the first keys gives, through search_keys when they are filled.
size_t LowerBoundBlock(const SstIndex& index, std::string_view key);

struct SstStats {
  uint64_t num_puts = 0, num_deletes = 0, num_merges = 0;
  uint64_t raw_key_size = 0, raw_val_size = 0;
  struct Block {
    uint16_t num_puts = 0, num_deletes = 0, num_merges = 0;
  };
  std::vector<Block> block_stats;
};

// `tail` = the last 10 bytes of the object; `object_size` = its total size.
Result<SstFooter> DecodeFooter(std::string_view tail, uint64_t object_size);
// `section` = bytes [metadata_offset, size - 10): info FlatBuffer + CRC.
Result<SstInfo> DecodeInfo(std::string_view section);
Result<SstIndex> DecodeIndex(std::string_view section, CompressionCodec codec);
// The whole-key bloom filter of a filter section. kLegacy: the section is one raw bloom filter.
// kComposite (SlateDB >= 0.13): [count u16 BE] then per filter [name_len u16 BE][name]
// [data_len u64 BE][data]; the filter used is `_bf` or `_bf:p=<extractor>` (both hash whole
// keys), never one marked `:wh=0` (no whole keys); filters of other names are skipped, as
// SlateDB does. nullopt: no usable whole-key filter (reads then look into the SST). kData for a
// bad CRC or a composite block that does not parse.
Result<std::optional<BloomFilter>> DecodeFilter(std::string_view section, CompressionCodec codec,
                                                FilterFormat format = FilterFormat::kLegacy);
// The named filters of a decompressed composite filter block (name, raw filter bytes).
Result<std::vector<std::pair<std::string, std::string>>> ParseCompositeFilters(
    std::string_view raw);
// Builds a composite filter block.
std::string EncodeCompositeFilters(const std::vector<std::pair<std::string, std::string>>& filters);

// The name of the prefix filter built with `extractor_name`: "_bf:p=<extractor_name>".
std::string PrefixFilterName(std::string_view extractor_name);

// Every bloom filter of a filter section that a reader can use.
struct SstFilters {
  // The whole-key filter (as DecodeFilter chooses it); nullopt: none.
  std::optional<BloomFilter> whole_key;
  // Prefix filters by extractor name (from `_bf:p=<name>` and `_bf:p=<name>:wh=0`).
  std::vector<std::pair<std::string, BloomFilter>> prefix;
  // The prefix filter of `extractor_name`, or null.
  const BloomFilter* PrefixFilter(std::string_view extractor_name) const;
};
// All usable filters of a filter section (kLegacy: only a whole-key one). Errors as DecodeFilter.
Result<SstFilters> DecodeFilters(std::string_view section, CompressionCodec codec,
                                 FilterFormat format = FilterFormat::kLegacy);
Result<SstStats> DecodeStats(std::string_view section, CompressionCodec codec);
Result<std::shared_ptr<const Block>> DecodeBlock(std::string_view section, CompressionCodec codec,
                                                 uint16_t version);
// Same, taking the section's buffer: an uncompressed block is parsed in place (the CRC trimmed
// off, no copy of the payload).
Result<std::shared_ptr<const Block>> DecodeBlock(std::string&& section, CompressionCodec codec,
                                                 uint16_t version);

// Checks the info's section offsets against `object_size` and each other (kData if they are
// inconsistent), so later range reads cannot go out of bounds.
Status ValidateInfoLayout(const SstInfo& info, const SstFooter& footer, uint64_t object_size);
// [start, end) of data block `i` (end = next block's offset, or filter_offset for the last).
Status BlockRange(const SstIndex& index, const SstInfo& info, size_t i, uint64_t* start,
                  uint64_t* end);

struct DecodedSst {
  SstFooter footer;
  SstInfo info;
  SstIndex index;
  std::optional<SstStats> stats;
  std::optional<BloomFilter> filter;
  std::vector<RowEntry> rows;  // stored order
};
// Decodes a whole SST object, verifying every checksum.
Result<DecodedSst> DecodeSst(std::string_view object);

}  // namespace slatedb::format
