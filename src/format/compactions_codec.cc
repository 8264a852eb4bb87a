#include "format/compactions_codec.h"

#include <utility>

#include "flatbuffers/flatbuffers.h"
#include "format/manifest_codec.h"
#include "format/slatedb_schema_generated.h"

namespace slatedb::format {
namespace {

using flatbuffers::FlatBufferBuilder;
using flatbuffers::Offset;

constexpr flatbuffers::uoffset_t kMaxDepth = 64;
constexpr flatbuffers::uoffset_t kMaxTables = 1000000000;

Offset<fb::Compaction> EncodeRecord(FlatBufferBuilder& fbb, const CompactionRecord& c) {
  // Child order of the peer: id, spec (L0 ids, then run ids), output SSTs.
  auto id = EncodeUlid(fbb, c.id);
  Offset<flatbuffers::Vector<Offset<fb::Ulid>>> l0_ids;
  if (!c.l0_view_ids.empty()) {
    std::vector<Offset<fb::Ulid>> ids;
    ids.reserve(c.l0_view_ids.size());
    for (const Ulid& u : c.l0_view_ids) ids.push_back(EncodeUlid(fbb, u));
    l0_ids = fbb.CreateVector(ids);
  }
  Offset<flatbuffers::Vector<uint32_t>> runs;
  if (!c.sorted_runs.empty()) runs = fbb.CreateVector(c.sorted_runs);
  auto spec = fb::CreateTieredCompactionSpec(fbb, /*ssts=*/0, runs, l0_ids);
  Offset<flatbuffers::Vector<Offset<fb::CompactedSsTable>>> outputs;
  if (!c.output_ssts.empty()) {
    std::vector<Offset<fb::CompactedSsTable>> ssts;
    ssts.reserve(c.output_ssts.size());
    for (const SstHandle& sst : c.output_ssts) ssts.push_back(EncodeSstHandle(fbb, sst));
    outputs = fbb.CreateVector(ssts);
  }
  return fb::CreateCompaction(fbb, id, fb::CompactionSpec::TieredCompactionSpec, spec.Union(),
                              static_cast<fb::CompactionStatus>(c.status), outputs);
}

Result<CompactionRecord> RecordFromFb(const fb::Compaction* c) {
  CompactionRecord out;
  out.id = UlidFromFb(c->id());
  const fb::TieredCompactionSpec* spec = c->spec_as_TieredCompactionSpec();
  if (spec == nullptr) {
    return Status::Data("compactions: compaction " + out.id.ToString() + " has unknown spec type " +
                        std::to_string(static_cast<int>(c->spec_type())));
  }
  if (spec->sorted_runs() != nullptr) {
    out.sorted_runs.assign(spec->sorted_runs()->begin(), spec->sorted_runs()->end());
  }
  if (spec->l0_view_ids() != nullptr) {
    for (const fb::Ulid* id : *spec->l0_view_ids()) out.l0_view_ids.push_back(UlidFromFb(id));
  }
  const int status = static_cast<int>(c->status());
  if (status < 0 || status > 3) {
    return Status::Data("compactions: compaction " + out.id.ToString() + " has unknown status " +
                        std::to_string(status));
  }
  out.status = static_cast<CompactionStatus>(status);
  if (c->output_ssts() != nullptr) {
    for (const fb::CompactedSsTable* sst : *c->output_ssts()) {
      auto handle = SstHandleFromFb(sst);
      if (!handle.ok()) {
        return handle.status().WithContext("compactions: compaction " + out.id.ToString());
      }
      out.output_ssts.push_back(std::move(handle).value());
    }
  }
  return out;
}

}  // namespace

std::string EncodeCompactions(const Compactions& compactions) {
  FlatBufferBuilder fbb(512);
  std::vector<Offset<fb::Compaction>> records;
  records.reserve(compactions.recent_compactions.size());
  for (const CompactionRecord& c : compactions.recent_compactions) {
    records.push_back(EncodeRecord(fbb, c));
  }
  auto vec = fbb.CreateVector(records);
  fbb.Finish(fb::CreateCompactionsV1(fbb, compactions.compactor_epoch, vec));
  return FrameVersioned(kCompactionsFormatVersion, fbb);
}

Result<Compactions> DecodeCompactions(std::string_view bytes) {
  ASSIGN_OR_RETURN(const uint16_t version, ReadVersionPrefix(bytes, "compactions"));
  if (version != kCompactionsFormatVersion) {
    return Status::Data("compactions: unsupported format version " + std::to_string(version));
  }
  AlignedBuffer buf(bytes.substr(2));
  flatbuffers::Verifier verifier(buf.data(), buf.size(), kMaxDepth, kMaxTables);
  if (!verifier.VerifyBuffer<fb::CompactionsV1>(nullptr)) {
    return Status::Data("compactions: flatbuffer verification failed (" +
                        std::to_string(bytes.size()) + " bytes)");
  }
  const auto* root = flatbuffers::GetRoot<fb::CompactionsV1>(buf.data());
  Compactions out;
  out.compactor_epoch = root->compactor_epoch();
  for (const fb::Compaction* c : *root->recent_compactions()) {
    ASSIGN_OR_RETURN(CompactionRecord record, RecordFromFb(c));
    out.recent_compactions.push_back(std::move(record));
  }
  return out;
}

}  // namespace slatedb::format
