// format/sst_info.cc — SstInfo <-> fb::SsTableInfo.
#include "format/sst_info.h"

#include <string>

namespace slatedb::format {

namespace {
flatbuffers::Offset<flatbuffers::Vector<uint8_t>> BytesVector(flatbuffers::FlatBufferBuilder& fbb,
                                                              const std::string& s) {
  return fbb.CreateVector(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
}  // namespace

flatbuffers::Offset<fb::SsTableInfo> EncodeSsTableInfo(flatbuffers::FlatBufferBuilder& fbb,
                                                       const SstInfo& info) {
  flatbuffers::Offset<flatbuffers::Vector<uint8_t>> first;
  flatbuffers::Offset<flatbuffers::Vector<uint8_t>> last;
  if (info.first_entry) first = BytesVector(fbb, *info.first_entry);
  if (info.last_entry) last = BytesVector(fbb, *info.last_entry);
  return fb::CreateSsTableInfo(
      fbb, first, info.index_offset, info.index_len, info.filter_offset, info.filter_len,
      static_cast<fb::CompressionFormat>(info.compression), static_cast<fb::SstType>(info.sst_type),
      last, info.stats_offset, info.stats_len, static_cast<fb::FilterFormat>(info.filter_format));
}

Result<SstInfo> SsTableInfoFromFb(const fb::SsTableInfo* fb_info) {
  if (fb_info == nullptr) return Status::Data("SsTableInfo is missing");
  SstInfo info;
  if (const auto* v = fb_info->first_entry()) {
    info.first_entry.emplace(reinterpret_cast<const char*>(v->data()), v->size());
  }
  if (const auto* v = fb_info->last_entry()) {
    info.last_entry.emplace(reinterpret_cast<const char*>(v->data()), v->size());
  }
  info.index_offset = fb_info->index_offset();
  info.index_len = fb_info->index_len();
  info.filter_offset = fb_info->filter_offset();
  info.filter_len = fb_info->filter_len();
  info.stats_offset = fb_info->stats_offset();
  info.stats_len = fb_info->stats_len();
  const auto filter_format = static_cast<int>(fb_info->filter_format());
  if (filter_format > static_cast<int>(FilterFormat::kComposite)) {
    return Status::Data("SsTableInfo: unknown filter_format " + std::to_string(filter_format));
  }
  info.filter_format = static_cast<FilterFormat>(filter_format);
  auto codec = CompressionCodecFromId(static_cast<int>(fb_info->compression_format()));
  if (!codec) {
    return Status::Data("SsTableInfo: unknown compression_format " +
                        std::to_string(static_cast<int>(fb_info->compression_format())));
  }
  info.compression = *codec;
  int type = static_cast<int>(fb_info->sst_type());
  if (type != 0 && type != 1) {
    return Status::Data("SsTableInfo: unknown sst_type " + std::to_string(type));
  }
  info.sst_type = static_cast<SstType>(type);
  return info;
}

std::string EncodeSsTableInfoBuffer(const SstInfo& info) {
  flatbuffers::FlatBufferBuilder fbb(256);
  fbb.Finish(EncodeSsTableInfo(fbb, info));
  return std::string(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
}

}  // namespace slatedb::format
