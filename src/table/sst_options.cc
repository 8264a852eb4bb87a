#include "table/sst_options.h"

#include <utility>

namespace slatedb::table {

SstSettings SstSettings::From(const Settings& settings,
                              std::shared_ptr<const PrefixExtractor> prefix_extractor) {
  SstSettings out;
  out.block_size = settings.block_size;
  out.compression = static_cast<format::CompressionCodec>(settings.compression_codec);
  out.filter_bits_per_key = settings.filter_bits_per_key;
  out.min_filter_keys = settings.min_filter_keys;
  out.prefix_extractor = std::move(prefix_extractor);
  return out;
}

format::SstBuilderOptions SstBuilderOptionsFor(SstKind kind, const SstSettings& settings) {
  format::SstBuilderOptions opts;
  opts.block_size = settings.block_size;
  opts.compression = settings.compression;
  switch (kind) {
    case SstKind::kL0:
    case SstKind::kCompacted:
      opts.min_filter_keys = settings.min_filter_keys;
      opts.filter_bits_per_key = settings.filter_bits_per_key;
      opts.sst_type = format::SstType::kCompacted;
      format::SetPrefixFilter(&opts, settings.prefix_extractor);
      break;
    case SstKind::kWal:
      opts.sst_type = format::SstType::kWal;
      break;
    case SstKind::kWalFence:
      break;
  }
  return opts;
}

format::SstBuilderOptions SstBuilderOptionsFor(
    SstKind kind, const Settings& settings,
    std::shared_ptr<const PrefixExtractor> prefix_extractor) {
  return SstBuilderOptionsFor(kind, SstSettings::From(settings, std::move(prefix_extractor)));
}

}  // namespace slatedb::table
