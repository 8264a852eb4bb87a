// format/sst.cc — SstBuilder and SST section decoders.
#include "format/sst.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>

#include "flatbuffers/flatbuffers.h"
#include "format/slatedb_schema_generated.h"
#include "util/coding.h"
#include "util/crc32.h"

namespace slatedb::format {

namespace {

void AppendWithCrc(std::string* out, std::string_view section) {
  out->append(section);
  util::PutU32BE(out, util::Crc32(section));
}

std::string_view BuilderBytes(const flatbuffers::FlatBufferBuilder& fbb) {
  return {reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize()};
}

uint16_t SaturatingInc(uint16_t v) {
  return v == std::numeric_limits<uint16_t>::max() ? v : static_cast<uint16_t>(v + 1);
}

// Verifies the trailing CRC of `section` and returns the payload before it.
Result<std::string_view> CheckCrc(std::string_view section, std::string_view what) {
  if (section.size() < kSectionCrcSize) {
    return Status::Data(std::string(what) + " section of " + std::to_string(section.size()) +
                        " bytes is too short for its checksum");
  }
  std::string_view payload = section.substr(0, section.size() - kSectionCrcSize);
  uint32_t stored = util::LoadU32BE(section.data() + payload.size());
  uint32_t actual = util::Crc32(payload);
  if (stored != actual) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), " checksum mismatch (stored %08x, computed %08x)", stored,
                  actual);
    return Status::Data(std::string(what) + buf);
  }
  return payload;
}

// FlatBuffers need their buffer aligned; sections start at arbitrary file offsets.
class AlignedBuffer {
 public:
  explicit AlignedBuffer(std::string_view bytes)
      : words_((bytes.size() + 7) / 8 + 1), size_(bytes.size()) {
    if (!bytes.empty()) std::memcpy(words_.data(), bytes.data(), bytes.size());
  }
  const uint8_t* data() const { return reinterpret_cast<const uint8_t*>(words_.data()); }
  size_t size() const { return size_; }

 private:
  std::vector<uint64_t> words_;
  size_t size_;
};

template <typename T>
Result<const T*> VerifiedRoot(const AlignedBuffer& buf, std::string_view what) {
  flatbuffers::Verifier::Options opts;
  opts.max_depth = 64;
  flatbuffers::Verifier verifier(buf.data(), buf.size(), opts);
  if (buf.size() < sizeof(flatbuffers::uoffset_t) || !verifier.VerifyBuffer<T>(nullptr)) {
    return Status::Data(std::string(what) + " FlatBuffer failed verification (" +
                        std::to_string(buf.size()) + " bytes)");
  }
  return flatbuffers::GetRoot<T>(buf.data());
}

Result<std::string> CheckAndDecompress(std::string_view section, CompressionCodec codec,
                                       std::string_view what) {
  ASSIGN_OR_RETURN(std::string_view payload, CheckCrc(section, what));
  auto out = Decompress(codec, payload);
  if (!out.ok()) return out.status().WithContext(what);
  return out;
}

}  // namespace

std::string IndexSeparator(std::string_view prev_last, std::string_view first) {
  size_t n = std::min(prev_last.size(), first.size());
  for (size_t j = 0; j < n; ++j) {
    if (prev_last[j] != first[j]) return std::string(first.substr(0, j + 1));
  }
  if (prev_last.size() < first.size()) return std::string(first.substr(0, prev_last.size() + 1));
  return std::string(first);
}

std::string EncodeSeqKey(uint64_t seq) {
  std::string out;
  util::PutU64BE(&out, seq);
  return out;
}

SstBuilder::SstBuilder(SstBuilderOptions options, SstSink* sink)
    : options_(options),
      sink_(sink),
      block_(options.block_size),
      bloom_(options.filter_bits_per_key),
      prefix_bloom_(options.filter_bits_per_key) {
  if (options_.expected_size > 0 && sink_ == nullptr) data_.reserve(options_.expected_size);
}

Status SstBuilder::AppendSection(std::string_view raw) {
  constexpr size_t kDirectSectionBytes = 64 << 10;
  if (options_.compression != CompressionCodec::kNone) {
    ASSIGN_OR_RETURN(std::string stored, Compress(options_.compression, raw));
    AppendWithCrc(&data_, stored);
    return Status::OK();
  }
  if (sink_ == nullptr || raw.size() < kDirectSectionBytes) {
    AppendWithCrc(&data_, raw);
    return Status::OK();
  }
  RETURN_IF_ERROR(Emit());
  RETURN_IF_ERROR(sink_->Append(raw));
  emitted_ += raw.size();
  util::PutU32BE(&data_, util::Crc32(raw));
  return Status::OK();
}

Status SstBuilder::Emit() {
  if (sink_ == nullptr || data_.empty()) return Status::OK();
  RETURN_IF_ERROR(sink_->Append(data_));
  emitted_ += data_.size();
  data_.clear();
  return Status::OK();
}

void SetPrefixFilter(SstBuilderOptions* options, std::shared_ptr<const PrefixExtractor> extractor) {
  options->filter_format = extractor ? FilterFormat::kComposite : FilterFormat::kLegacy;
  options->prefix_extractor = std::move(extractor);
}

Status ValidatePrefixExtractor(const PrefixExtractor* extractor, std::string_view compatibility) {
  if (extractor == nullptr) return Status::OK();
  if (extractor->Name().empty()) {
    return Status::Invalid("Components::prefix_extractor: Name() must not be empty");
  }
  if (compatibility == "0.12") {
    return Status::Invalid("Components::prefix_extractor ('" + std::string(extractor->Name()) +
                           "') needs setting 'compatibility' \"0.17\", got \"0.12\": the prefix "
                           "filter lives in the composite filter block, which SlateDB 0.12 "
                           "cannot read");
  }
  return Status::OK();
}

size_t SstBuilder::EstimatedSize() const { return Pos() + block_.EstimatedSize(); }

Status SstBuilder::Add(const RowView& row) {
  if (finished_) return Status::Internal("SstBuilder::Add after Finish");
  if (row.key.empty()) return Status::Invalid("SST row has an empty key");
  if (row.key.size() > kMaxKeySize) {
    return Status::Invalid("SST row key of " + std::to_string(row.key.size()) +
                           " bytes exceeds 65535");
  }
  if (row.value.size() > std::numeric_limits<uint32_t>::max()) {
    return Status::Invalid("SST row value of " + std::to_string(row.value.size()) +
                           " bytes is too large");
  }
  bool wal = options_.sst_type == SstType::kWal;
  if (last_row_) {
    bool ordered =
        wal ? row.seq >= last_row_->seq : RowLess(last_row_->key, last_row_->seq, row.key, row.seq);
    if (!ordered) {
      return Status::Invalid("SST rows out of order: key 0x" + util::ToHex(row.key) + " seq " +
                             std::to_string(row.seq) + " after key 0x" +
                             util::ToHex(last_row_->key) + " seq " +
                             std::to_string(last_row_->seq));
    }
  }
  // The extracted prefix, checked before anything is added so a bad extractor changes nothing.
  std::optional<size_t> prefix_len;
  if (!wal && options_.prefix_extractor) {
    prefix_len = options_.prefix_extractor->PrefixLen(row.key, PrefixTarget::kPoint);
    if (prefix_len && *prefix_len > row.key.size()) {
      return Status::Invalid("prefix extractor '" + std::string(options_.prefix_extractor->Name()) +
                             "' returned a prefix of " + std::to_string(*prefix_len) +
                             " bytes for a key of " + std::to_string(row.key.size()) +
                             " bytes (0x" + util::ToHex(row.key) + ")");
    }
  }
  bool added = false;
  if (!block_.empty()) {
    added = block_.TryAdd(row);
    if (!added) RETURN_IF_ERROR(FinishBlock());
  }
  if (!added) {
    std::string first_key;
    if (wal) {
      first_key = EncodeSeqKey(row.seq);
    } else if (has_prev_block_) {
      first_key = IndexSeparator(prev_block_last_key_, row.key);
    }
    metas_.push_back({Pos(), std::move(first_key)});
    block_.TryAdd(row);
  }
  if (!first_entry_) first_entry_ = wal ? EncodeSeqKey(row.seq) : row.key;
  if (!wal) bloom_.AddKey(row.key);
  if (!wal && options_.prefix_extractor) {
    if (prefix_len) {
      const std::string_view prefix = std::string_view(row.key).substr(0, *prefix_len);
      if (!has_last_prefix_ || prefix != last_prefix_) {
        prefix_bloom_.AddKey(prefix);
        last_prefix_.assign(prefix);
        has_last_prefix_ = true;
      }
    }
    prefix_bloom_.AddKey(row.key);
  }
  switch (row.kind) {
    case RowKind::kValue:
      ++num_puts_;
      cur_counts_.puts = SaturatingInc(cur_counts_.puts);
      break;
    case RowKind::kTombstone:
      ++num_deletes_;
      cur_counts_.deletes = SaturatingInc(cur_counts_.deletes);
      break;
    case RowKind::kMerge:
      ++num_merges_;
      cur_counts_.merges = SaturatingInc(cur_counts_.merges);
      break;
  }
  raw_key_size_ += row.key.size();
  if (row.kind != RowKind::kTombstone) raw_val_size_ += row.value.size();
  if (!last_row_) last_row_.emplace();
  last_row_->key = row.key;
  last_row_->seq = row.seq;
  ++num_rows_;
  return Status::OK();
}

Status SstBuilder::FinishBlock() {
  if (block_.empty()) return Status::OK();
  prev_block_last_key_ = block_.last_key();
  has_prev_block_ = true;
  block_.FinishInto(&block_buf_);
  if (options_.compression == CompressionCodec::kNone) {
    AppendWithCrc(&data_, block_buf_);  // stored bytes == raw bytes: skip the copy
  } else {
    ASSIGN_OR_RETURN(std::string stored, Compress(options_.compression, block_buf_));
    AppendWithCrc(&data_, stored);
  }
  block_stats_.push_back(cur_counts_);
  cur_counts_ = {};
  return Emit();
}

Result<EncodedSst> SstBuilder::Finish() {
  if (finished_) return Status::Internal("SstBuilder::Finish called twice");
  finished_ = true;
  if (options_.prefix_extractor && options_.filter_format != FilterFormat::kComposite &&
      options_.sst_type != SstType::kWal) {
    return Status::Invalid("SST prefix filter (extractor '" +
                           std::string(options_.prefix_extractor->Name()) +
                           "') needs the composite filter format; the legacy format holds one "
                           "whole-key filter");
  }
  RETURN_IF_ERROR(FinishBlock());
  bool wal = options_.sst_type == SstType::kWal;
  const CompressionCodec codec = options_.compression;
  EncodedSst result;
  std::string& out = data_;
  SstInfo& info = result.info;
  info.compression = codec;
  info.sst_type = options_.sst_type;
  info.filter_offset = Pos();

  // Filter.
  if (!wal && num_rows_ > 0 && num_rows_ >= options_.min_filter_keys) {
    std::string raw = bloom_.Build();
    if (options_.filter_format == FilterFormat::kComposite) {
      std::vector<std::pair<std::string, std::string>> filters = {{"_bf", std::move(raw)}};
      if (options_.prefix_extractor) {
        filters.emplace_back(PrefixFilterName(options_.prefix_extractor->Name()),
                             prefix_bloom_.Build());
      }
      filters.insert(filters.end(), options_.extra_filters.begin(), options_.extra_filters.end());
      raw = EncodeCompositeFilters(filters);
      info.filter_format = FilterFormat::kComposite;
    }
    RETURN_IF_ERROR(AppendSection(raw));
    info.filter_len = Pos() - info.filter_offset;
    RETURN_IF_ERROR(Emit());
  }

  // Index.
  info.index_offset = Pos();
  {
    flatbuffers::FlatBufferBuilder fbb(1024);
    std::vector<flatbuffers::Offset<fb::BlockMeta>> metas;
    metas.reserve(metas_.size());
    for (const auto& m : metas_) {
      auto key = fbb.CreateVector(reinterpret_cast<const uint8_t*>(m.first_key.data()),
                                  m.first_key.size());
      metas.push_back(fb::CreateBlockMeta(fbb, m.offset, key));
    }
    auto vec = fbb.CreateVector(metas);
    fbb.Finish(fb::CreateSsTableIndex(fbb, vec));
    RETURN_IF_ERROR(AppendSection(BuilderBytes(fbb)));
  }
  info.index_len = Pos() - info.index_offset;
  RETURN_IF_ERROR(Emit());

  // Stats (compacted only).
  if (!wal) {
    info.stats_offset = Pos();
    flatbuffers::FlatBufferBuilder fbb(256);
    flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::BlockStats>>> vec;
    if (!block_stats_.empty()) {
      std::vector<flatbuffers::Offset<fb::BlockStats>> tables;
      for (const auto& b : block_stats_) {
        tables.push_back(fb::CreateBlockStats(fbb, b.puts, b.deletes, b.merges));
      }
      vec = fbb.CreateVector(tables);
    }
    fbb.Finish(fb::CreateSstStats(fbb, num_puts_, num_deletes_, num_merges_, raw_key_size_,
                                  raw_val_size_, vec));
    RETURN_IF_ERROR(AppendSection(BuilderBytes(fbb)));
    info.stats_len = Pos() - info.stats_offset;
    RETURN_IF_ERROR(Emit());
  }

  info.first_entry = first_entry_;
  if (!wal && last_row_) info.last_entry = last_row_->key;

  uint64_t metadata_offset = Pos();
  AppendWithCrc(&out, EncodeSsTableInfoBuffer(info));
  util::PutU64BE(&out, metadata_offset);
  util::PutU16BE(&out, kSstFormatVersion);
  result.size = Pos();
  RETURN_IF_ERROR(Emit());
  if (sink_ == nullptr) result.bytes = std::move(data_);
  result.num_rows = num_rows_;
  return result;
}

Result<SstFooter> DecodeFooter(std::string_view tail, uint64_t object_size) {
  if (object_size <= kSstFooterSize) {
    return Status::Data("SST of " + std::to_string(object_size) + " bytes is too small");
  }
  if (tail.size() != kSstFooterSize) {
    return Status::Data("SST footer must be 10 bytes, got " + std::to_string(tail.size()));
  }
  SstFooter footer;
  footer.metadata_offset = util::LoadU64BE(tail.data());
  footer.version = util::LoadU16BE(tail.data() + 8);
  // An object cut short ends in bytes of its data or metadata, which read as a nonsense footer:
  // say "truncated or corrupt" with the size rather than only "unsupported version 18432".
  if (footer.version != kSstFormatVersion && footer.version != kSstFormatVersionLegacy) {
    return Status::Data("SST of " + std::to_string(object_size) +
                        " bytes is truncated or corrupt: its last 10 bytes are no valid footer "
                        "(format version " +
                        std::to_string(footer.version) + " is unsupported; versions " +
                        std::to_string(kSstFormatVersionLegacy) + " and " +
                        std::to_string(kSstFormatVersion) + " are)");
  }
  if (object_size < kSstFooterSize + kSectionCrcSize ||
      footer.metadata_offset > object_size - kSstFooterSize - kSectionCrcSize) {
    return Status::Data("SST of " + std::to_string(object_size) +
                        " bytes is truncated or corrupt: footer metadata offset " +
                        std::to_string(footer.metadata_offset) + " is beyond the object size");
  }
  return footer;
}

Result<SstInfo> DecodeInfo(std::string_view section) {
  ASSIGN_OR_RETURN(std::string_view payload, CheckCrc(section, "SST info"));
  AlignedBuffer buf(payload);
  ASSIGN_OR_RETURN(const fb::SsTableInfo* root, VerifiedRoot<fb::SsTableInfo>(buf, "SST info"));
  return SsTableInfoFromFb(root);
}

Result<SstIndex> DecodeIndex(std::string_view section, CompressionCodec codec) {
  ASSIGN_OR_RETURN(std::string raw, CheckAndDecompress(section, codec, "SST index"));
  AlignedBuffer buf(raw);
  ASSIGN_OR_RETURN(const fb::SsTableIndex* root, VerifiedRoot<fb::SsTableIndex>(buf, "SST index"));
  SstIndex index;
  const auto* metas = root->block_meta();
  index.blocks.reserve(metas->size());
  for (const auto* m : *metas) {
    if (m == nullptr) return Status::Data("SST index has a null block meta");
    const auto* k = m->first_key();
    index.blocks.push_back(
        {m->offset(), std::string(reinterpret_cast<const char*>(k->data()), k->size())});
  }
  FillIndexSearchKeys(&index);
  return index;
}

namespace {

// The 8 bytes of `key` from `skip` on, big-endian, zero-padded past the key's end.
uint64_t SearchKey(std::string_view key, size_t skip) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) {
    const size_t j = skip + i;
    v = v << 8 | (j < key.size() ? static_cast<unsigned char>(key[j]) : 0);
  }
  return v;
}

}  // namespace

void FillIndexSearchKeys(SstIndex* index) {
  index->search_keys.clear();
  index->search_skip = 0;
  const auto& blocks = index->blocks;
  if (blocks.size() < 2) return;
  // Block 0's first key is the empty separator in a compacted SST (docs/format.md §5.5), so the
  // shared prefix is taken over blocks 1.. only (LowerBoundBlock compares block 0's key whole).
  // The first keys are sorted: what blocks 1 and n-1 share, all in between share.
  const std::string& first = blocks[1].first_key;
  const std::string& last = blocks.back().first_key;
  const size_t n = std::min(first.size(), last.size());
  size_t skip = 0;
  while (skip < n && first[skip] == last[skip]) ++skip;
  index->search_skip = skip;
  index->search_keys.reserve(blocks.size());
  index->search_keys.push_back(0);  // block 0: not searched
  for (size_t i = 1; i < blocks.size(); ++i) {
    index->search_keys.push_back(SearchKey(blocks[i].first_key, skip));
  }
}

size_t LowerBoundBlock(const SstIndex& index, std::string_view key) {
  const auto& blocks = index.blocks;
  auto key_less = [](const BlockMetaEntry& m, std::string_view k) { return m.first_key < k; };
  auto plain = [&] {
    return static_cast<size_t>(std::lower_bound(blocks.begin(), blocks.end(), key, key_less) -
                               blocks.begin());
  };
  if (blocks.size() < 2 || index.search_keys.size() != blocks.size()) return plain();
  if (!key_less(blocks[0], key)) return 0;
  const size_t skip = index.search_skip;
  if (!key.starts_with(std::string_view(blocks[1].first_key).substr(0, skip))) return plain();
  // The answer is in [1, n], and `key` and the first keys of blocks 1.. share their first
  // `skip` bytes. A first key whose search key is below `key`'s is below `key` (the first
  // differing byte is among the 8 compared, and a zero pad is never above a real byte), one
  // above is above: only the blocks with an equal search key need the full compare.
  const uint64_t k = SearchKey(key, skip);
  const auto& sk = index.search_keys;
  const auto lo = std::lower_bound(sk.begin() + 1, sk.end(), k);
  const auto hi = std::upper_bound(lo, sk.end(), k);
  const auto first = blocks.begin() + (lo - sk.begin());
  const auto end = blocks.begin() + (hi - sk.begin());
  return static_cast<size_t>(std::lower_bound(first, end, key, key_less) - blocks.begin());
}

Result<std::vector<std::pair<std::string, std::string>>> ParseCompositeFilters(
    std::string_view raw) {
  std::vector<std::pair<std::string, std::string>> out;
  auto bad = [&](const std::string& what) {
    return Status::Data("SST composite filter block of " + std::to_string(raw.size()) +
                        " bytes: " + what);
  };
  size_t pos = 0;
  auto u16 = [&](uint16_t* v) {
    if (raw.size() - pos < 2) return false;
    *v = static_cast<uint16_t>((static_cast<unsigned char>(raw[pos]) << 8) |
                               static_cast<unsigned char>(raw[pos + 1]));
    pos += 2;
    return true;
  };
  uint16_t count = 0;
  if (!u16(&count)) return bad("no filter count");
  for (uint16_t i = 0; i < count; ++i) {
    uint16_t name_len = 0;
    if (!u16(&name_len) || raw.size() - pos < name_len) {
      return bad("filter " + std::to_string(i) + ": truncated name");
    }
    std::string name(raw.substr(pos, name_len));
    pos += name_len;
    if (raw.size() - pos < 8) return bad("filter '" + name + "': truncated length");
    uint64_t len = 0;
    for (int b = 0; b < 8; ++b) len = (len << 8) | static_cast<unsigned char>(raw[pos++]);
    if (raw.size() - pos < len) {
      return bad("filter '" + name + "' of " + std::to_string(len) + " bytes is truncated");
    }
    out.emplace_back(std::move(name), std::string(raw.substr(pos, static_cast<size_t>(len))));
    pos += static_cast<size_t>(len);
  }
  return out;
}

std::string EncodeCompositeFilters(
    const std::vector<std::pair<std::string, std::string>>& filters) {
  std::string out;
  auto put16 = [&](size_t v) {
    out.push_back(static_cast<char>((v >> 8) & 0xff));
    out.push_back(static_cast<char>(v & 0xff));
  };
  put16(filters.size());
  for (const auto& [name, data] : filters) {
    put16(name.size());
    out += name;
    for (int b = 7; b >= 0; --b) out.push_back(static_cast<char>((data.size() >> (8 * b)) & 0xff));
    out += data;
  }
  return out;
}

std::string PrefixFilterName(std::string_view extractor_name) {
  return "_bf:p=" + std::string(extractor_name);
}

const BloomFilter* SstFilters::PrefixFilter(std::string_view extractor_name) const {
  const std::string with_keys = PrefixFilterName(extractor_name);
  const std::string prefixes_only = with_keys + ":wh=0";
  for (const auto& [name, filter] : prefix) {
    if (name == with_keys || name == prefixes_only) return &filter;
  }
  return nullptr;
}

Result<SstFilters> DecodeFilters(std::string_view section, CompressionCodec codec,
                                 FilterFormat format) {
  ASSIGN_OR_RETURN(std::string raw, CheckAndDecompress(section, codec, "SST filter"));
  SstFilters out;
  if (format == FilterFormat::kLegacy) {
    auto f = BloomFilter::Decode(std::move(raw));
    if (!f.ok()) return f.status().WithContext("SST filter");
    out.whole_key = std::move(*f);
    return out;
  }
  ASSIGN_OR_RETURN(auto filters, ParseCompositeFilters(raw));
  for (auto& [name, data] : filters) {
    const bool bloom = name == "_bf" || name.starts_with("_bf:");
    if (!bloom) continue;  // a filter policy we do not know (SlateDB skips it too)
    const bool whole_keys = name.find(":wh=0") == std::string::npos;
    const bool prefixes = name.starts_with("_bf:p=");
    if (!prefixes && (!whole_keys || out.whole_key)) continue;
    auto f = BloomFilter::Decode(std::move(data));
    if (!f.ok()) return f.status().WithContext("SST filter '" + name + "'");
    if (whole_keys && !out.whole_key) out.whole_key = *f;
    if (prefixes) out.prefix.emplace_back(name, std::move(*f));
  }
  return out;
}

Result<std::optional<BloomFilter>> DecodeFilter(std::string_view section, CompressionCodec codec,
                                                FilterFormat format) {
  ASSIGN_OR_RETURN(SstFilters filters, DecodeFilters(section, codec, format));
  return std::move(filters.whole_key);
}

Result<SstStats> DecodeStats(std::string_view section, CompressionCodec codec) {
  ASSIGN_OR_RETURN(std::string raw, CheckAndDecompress(section, codec, "SST stats"));
  AlignedBuffer buf(raw);
  ASSIGN_OR_RETURN(const fb::SstStats* root, VerifiedRoot<fb::SstStats>(buf, "SST stats"));
  SstStats stats;
  stats.num_puts = root->num_puts();
  stats.num_deletes = root->num_deletes();
  stats.num_merges = root->num_merges();
  stats.raw_key_size = root->raw_key_size();
  stats.raw_val_size = root->raw_val_size();
  if (const auto* bs = root->block_stats()) {
    for (const auto* b : *bs) {
      if (b == nullptr) return Status::Data("SST stats has a null block stats entry");
      stats.block_stats.push_back({b->num_puts(), b->num_deletes(), b->num_merges()});
    }
  }
  return stats;
}

Result<std::shared_ptr<const Block>> DecodeBlock(std::string_view section, CompressionCodec codec,
                                                 uint16_t version) {
  ASSIGN_OR_RETURN(std::string raw, CheckAndDecompress(section, codec, "SST data block"));
  auto block = Block::Parse(std::move(raw), version);
  if (!block.ok()) return block.status().WithContext("SST data block");
  return block;
}

Result<std::shared_ptr<const Block>> DecodeBlock(std::string&& section, CompressionCodec codec,
                                                 uint16_t version) {
  if (codec != CompressionCodec::kNone)
    return DecodeBlock(std::string_view(section), codec, version);
  ASSIGN_OR_RETURN(std::string_view payload, CheckCrc(section, "SST data block"));
  section.resize(payload.size());
  auto block = Block::Parse(std::move(section), version);
  if (!block.ok()) return block.status().WithContext("SST data block");
  return block;
}

namespace {
bool SectionInside(uint64_t offset, uint64_t len, uint64_t limit) {
  return offset <= limit && len <= limit - offset;
}
}  // namespace

Status ValidateInfoLayout(const SstInfo& info, const SstFooter& footer, uint64_t object_size) {
  uint64_t limit = footer.metadata_offset;
  if (limit > object_size) return Status::Data("SST metadata offset beyond the object");
  auto bad = [&](std::string_view what, uint64_t off, uint64_t len) {
    return Status::Data("SST " + std::string(what) + " section [" + std::to_string(off) + ", +" +
                        std::to_string(len) + ") is outside the data area of " +
                        std::to_string(limit) + " bytes or shorter than its checksum");
  };
  if (!SectionInside(info.index_offset, info.index_len, limit) ||
      info.index_len < kSectionCrcSize) {
    return bad("index", info.index_offset, info.index_len);
  }
  if (!SectionInside(info.filter_offset, info.filter_len, limit) ||
      (info.filter_len != 0 && info.filter_len < kSectionCrcSize)) {
    return bad("filter", info.filter_offset, info.filter_len);
  }
  if (!SectionInside(info.stats_offset, info.stats_len, limit) ||
      (info.stats_len != 0 && info.stats_len < kSectionCrcSize)) {
    return bad("stats", info.stats_offset, info.stats_len);
  }
  return Status::OK();
}

Status BlockRange(const SstIndex& index, const SstInfo& info, size_t i, uint64_t* start,
                  uint64_t* end) {
  if (i >= index.blocks.size()) {
    return Status::Internal("block #" + std::to_string(i) + " out of range");
  }
  *start = index.blocks[i].offset;
  *end = i + 1 < index.blocks.size() ? index.blocks[i + 1].offset : info.filter_offset;
  if (*start >= *end || *end > info.filter_offset || *end - *start < kSectionCrcSize) {
    return Status::Data("SST index: block #" + std::to_string(i) + " has invalid range [" +
                        std::to_string(*start) + ", " + std::to_string(*end) + ") (data ends at " +
                        std::to_string(info.filter_offset) + ")");
  }
  return Status::OK();
}

Result<DecodedSst> DecodeSst(std::string_view object) {
  DecodedSst out;
  uint64_t size = object.size();
  if (size <= kSstFooterSize) {
    return Status::Data("SST of " + std::to_string(size) + " bytes is too small");
  }
  ASSIGN_OR_RETURN(out.footer, DecodeFooter(object.substr(size - kSstFooterSize), size));
  const uint64_t m = out.footer.metadata_offset;
  ASSIGN_OR_RETURN(out.info, DecodeInfo(object.substr(m, size - kSstFooterSize - m)));
  RETURN_IF_ERROR(ValidateInfoLayout(out.info, out.footer, size));
  const SstInfo& info = out.info;
  ASSIGN_OR_RETURN(out.index,
                   DecodeIndex(object.substr(info.index_offset, info.index_len), info.compression));
  if (info.filter_len > 0) {
    ASSIGN_OR_RETURN(out.filter, DecodeFilter(object.substr(info.filter_offset, info.filter_len),
                                              info.compression, info.filter_format));
  }
  if (info.stats_len > 0) {
    ASSIGN_OR_RETURN(
        auto s, DecodeStats(object.substr(info.stats_offset, info.stats_len), info.compression));
    out.stats = std::move(s);
  }
  for (size_t i = 0; i < out.index.blocks.size(); ++i) {
    uint64_t start = 0, end = 0;
    RETURN_IF_ERROR(BlockRange(out.index, info, i, &start, &end));
    ASSIGN_OR_RETURN(auto block, DecodeBlock(object.substr(start, end - start), info.compression,
                                             out.footer.version));
    auto rows = block->DecodeAll();
    if (!rows.ok()) return rows.status().WithContext("SST data block #" + std::to_string(i));
    for (auto& r : *rows) out.rows.push_back(std::move(r));
  }
  return out;
}

}  // namespace slatedb::format
