#include "format/manifest_codec.h"

#include <cstring>
#include <unordered_map>
#include <utility>
#include <vector>

#include "util/coding.h"

namespace slatedb::format {
namespace {

using flatbuffers::FlatBufferBuilder;
using flatbuffers::Offset;

// The Rust verifier's limits (docs/format.md §2).
constexpr flatbuffers::uoffset_t kMaxDepth = 64;
constexpr flatbuffers::uoffset_t kMaxTables = 1000000000;

Offset<flatbuffers::Vector<uint8_t>> BytesVector(FlatBufferBuilder& fbb, const std::string& s) {
  return fbb.CreateVector(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

std::string BytesFromFb(const flatbuffers::Vector<uint8_t>* v) {
  return std::string(reinterpret_cast<const char*>(v->data()), v->size());
}

// ---- encode ----

Offset<fb::BytesBound> EncodeBytesBound(FlatBufferBuilder& fbb, const BytesBound& bound) {
  Offset<flatbuffers::Vector<uint8_t>> key;
  if (bound.key) key = BytesVector(fbb, *bound.key);
  return fb::CreateBytesBound(fbb, key, static_cast<fb::BoundType>(bound.type));
}

Offset<fb::BytesRange> EncodeBytesRange(FlatBufferBuilder& fbb, const BytesRange& range) {
  auto start = EncodeBytesBound(fbb, range.start);
  auto end = EncodeBytesBound(fbb, range.end);
  return fb::CreateBytesRange(fbb, start, end);
}

Offset<fb::Checkpoint> EncodeCheckpoint(FlatBufferBuilder& fbb, const Checkpoint& cp) {
  auto id = EncodeUuid(fbb, cp.id);
  Offset<void> metadata;
  fb::CheckpointMetadata metadata_type = fb::CheckpointMetadata::NONE;
  if (cp.writer_epoch) {
    metadata = fb::CreateWriterCheckpoint(fbb, *cp.writer_epoch).Union();
    metadata_type = fb::CheckpointMetadata::WriterCheckpoint;
  }
  Offset<flatbuffers::String> name;
  if (cp.name) name = fbb.CreateString(*cp.name);
  return fb::CreateCheckpoint(fbb, id, cp.manifest_id, cp.expire_time_s, cp.create_time_s,
                              metadata_type, metadata, name);
}

Offset<flatbuffers::Vector<Offset<fb::CompactedSsTable>>> EncodeSstHandles(
    FlatBufferBuilder& fbb, const std::vector<SstHandle>& ssts) {
  std::vector<Offset<fb::CompactedSsTable>> offsets;
  offsets.reserve(ssts.size());
  for (const SstHandle& sst : ssts) offsets.push_back(EncodeSstHandle(fbb, sst));
  return fbb.CreateVector(offsets);
}

Offset<fb::ExternalDb> EncodeExternalDb(FlatBufferBuilder& fbb, const ExternalDb& db) {
  auto path = fbb.CreateString(db.path);
  auto source = EncodeUuid(fbb, db.source_checkpoint_id);
  Offset<fb::Uuid> final_id;
  if (db.final_checkpoint_id) final_id = EncodeUuid(fbb, *db.final_checkpoint_id);
  std::vector<Offset<fb::Ulid>> ids;
  ids.reserve(db.sst_ids.size());
  for (const Ulid& id : db.sst_ids) ids.push_back(EncodeUlid(fbb, id));
  auto sst_ids = fbb.CreateVector(ids);
  return fb::CreateExternalDb(fbb, path, source, final_id, sst_ids);
}

// ---- decode ----

Result<BytesBound> BytesBoundFromFb(const fb::BytesBound* bound) {
  BytesBound out;
  const int type = static_cast<int>(bound->bound_type());
  if (type < 0 || type > 3) {
    return Status::Data("manifest: unknown bound_type " + std::to_string(type));
  }
  out.type = static_cast<BoundType>(type);
  if (bound->key() != nullptr) out.key = BytesFromFb(bound->key());
  return out;
}

Result<BytesRange> BytesRangeFromFb(const fb::BytesRange* range) {
  BytesRange out;
  ASSIGN_OR_RETURN(out.start, BytesBoundFromFb(range->start_bound()));
  ASSIGN_OR_RETURN(out.end, BytesBoundFromFb(range->end_bound()));
  return out;
}

Result<std::vector<SstHandle>> SstHandlesFromFb(
    const flatbuffers::Vector<Offset<fb::CompactedSsTable>>* ssts) {
  std::vector<SstHandle> out;
  if (ssts == nullptr) return out;
  out.reserve(ssts->size());
  for (const fb::CompactedSsTable* sst : *ssts) {
    ASSIGN_OR_RETURN(SstHandle handle, SstHandleFromFb(sst));
    out.push_back(std::move(handle));
  }
  return out;
}

Checkpoint CheckpointFromFb(const fb::Checkpoint* cp) {
  Checkpoint out;
  out.id = UuidFromFb(cp->id());
  out.manifest_id = cp->manifest_id();
  out.expire_time_s = cp->checkpoint_expire_time_s();
  out.create_time_s = cp->checkpoint_create_time_s();
  if (const fb::WriterCheckpoint* w = cp->metadata_as_WriterCheckpoint()) {
    out.writer_epoch = w->epoch();
  }
  if (cp->name() != nullptr) out.name = cp->name()->str();
  return out;
}

template <typename Fb>
void CommonFieldsFromFb(const Fb* fb_manifest, Manifest* m) {
  if (const auto* dbs = fb_manifest->external_dbs()) {
    for (const fb::ExternalDb* db : *dbs) {
      ExternalDb e;
      e.path = db->path()->str();
      e.source_checkpoint_id = UuidFromFb(db->source_checkpoint_id());
      if (db->final_checkpoint_id() != nullptr) {
        e.final_checkpoint_id = UuidFromFb(db->final_checkpoint_id());
      }
      for (const fb::Ulid* id : *db->sst_ids()) e.sst_ids.push_back(UlidFromFb(id));
      m->external_dbs.push_back(std::move(e));
    }
  }
  m->initialized = fb_manifest->initialized();
  m->writer_epoch = fb_manifest->writer_epoch();
  m->compactor_epoch = fb_manifest->compactor_epoch();
  m->replay_after_wal_id = fb_manifest->replay_after_wal_id();
  m->wal_id_last_seen = fb_manifest->wal_id_last_seen();
  m->last_l0_clock_tick = fb_manifest->last_l0_clock_tick();
  for (const fb::Checkpoint* cp : *fb_manifest->checkpoints()) {
    m->checkpoints.push_back(CheckpointFromFb(cp));
  }
  m->last_l0_seq = fb_manifest->last_l0_seq();
  m->recent_snapshot_min_seq = fb_manifest->recent_snapshot_min_seq();
  if (fb_manifest->sequence_tracker() != nullptr) {
    m->sequence_tracker = BytesFromFb(fb_manifest->sequence_tracker());
  } else {
    m->sequence_tracker = EmptySequenceTrackerBytes();
  }
}

Result<Manifest> ManifestFromV1(const fb::ManifestV1* fb_manifest) {
  Manifest m;
  CommonFieldsFromFb(fb_manifest, &m);
  if (fb_manifest->l0_last_compacted() != nullptr) {
    m.l0_last_compacted = UlidFromFb(fb_manifest->l0_last_compacted());
  }
  ASSIGN_OR_RETURN(m.l0, SstHandlesFromFb(fb_manifest->l0()));
  for (const fb::SortedRun* run : *fb_manifest->compacted()) {
    SortedRun sr;
    sr.id = run->id();
    ASSIGN_OR_RETURN(sr.ssts, SstHandlesFromFb(run->ssts()));
    m.compacted.push_back(std::move(sr));
  }
  if (fb_manifest->wal_object_store_uri() != nullptr) {
    m.wal_object_store_uri = fb_manifest->wal_object_store_uri()->str();
  }
  return m;
}

struct UlidHash {
  size_t operator()(const Ulid& u) const { return std::hash<uint64_t>()(u.high ^ (u.low * 31)); }
};

Result<SstHandle> SstHandleFromView(const fb::CompactedSsTableView* view,
                                    const std::unordered_map<Ulid, SstHandle, UlidHash>& ssts) {
  const Ulid sst_id = UlidFromFb(view->sst_id());
  auto it = ssts.find(sst_id);
  if (it == ssts.end()) {
    return Status::Data("manifest: view " + UlidFromFb(view->id()).ToString() +
                        " references unknown SST " + sst_id.ToString());
  }
  SstHandle handle = it->second;
  if (view->visible_range() != nullptr) {
    ASSIGN_OR_RETURN(handle.visible_range, BytesRangeFromFb(view->visible_range()));
  }
  return handle;
}

Result<Manifest> ManifestFromV2(const fb::ManifestV2* fb_manifest) {
  Manifest m;
  CommonFieldsFromFb(fb_manifest, &m);
  std::unordered_map<Ulid, SstHandle, UlidHash> ssts;
  for (const fb::CompactedSsTableV2* sst : *fb_manifest->ssts()) {
    SstHandle handle;
    handle.id = UlidFromFb(sst->id());
    ASSIGN_OR_RETURN(handle.info, SsTableInfoFromFb(sst->info()));
    if (sst->format_version()) handle.format_version = *sst->format_version();
    ssts[handle.id] = std::move(handle);
  }
  if (fb_manifest->last_compacted_l0_sst_view_id() != nullptr) {
    m.l0_last_compacted = UlidFromFb(fb_manifest->last_compacted_l0_sst_view_id());
  }
  for (const fb::CompactedSsTableView* view : *fb_manifest->l0()) {
    ASSIGN_OR_RETURN(SstHandle handle, SstHandleFromView(view, ssts));
    m.l0.push_back(std::move(handle));
  }
  for (const fb::SortedRunV2* run : *fb_manifest->compacted()) {
    SortedRun sr;
    sr.id = run->id();
    for (const fb::CompactedSsTableView* view : *run->ssts()) {
      ASSIGN_OR_RETURN(SstHandle handle, SstHandleFromView(view, ssts));
      sr.ssts.push_back(std::move(handle));
    }
    m.compacted.push_back(std::move(sr));
  }
  return m;
}

}  // namespace

AlignedBuffer::AlignedBuffer(std::string_view bytes)
    : words_((bytes.size() + 7) / 8 + 1), size_(bytes.size()) {
  if (!bytes.empty()) std::memcpy(words_.data(), bytes.data(), bytes.size());
}

std::string FrameVersioned(uint16_t version, const FlatBufferBuilder& fbb) {
  std::string out;
  out.reserve(2 + fbb.GetSize());
  util::PutU16BE(&out, version);
  out.append(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
  return out;
}

Result<uint16_t> ReadVersionPrefix(std::string_view bytes, std::string_view what) {
  if (bytes.size() < 2) {
    return Status::Data(std::string(what) + ": " + std::to_string(bytes.size()) +
                        " bytes is too short for the version prefix");
  }
  return util::LoadU16BE(bytes.data());
}

Offset<fb::Ulid> EncodeUlid(FlatBufferBuilder& fbb, const Ulid& id) {
  return fb::CreateUlid(fbb, id.high, id.low);
}

Ulid UlidFromFb(const fb::Ulid* id) {
  if (id == nullptr) return Ulid{};
  return Ulid{id->high(), id->low()};
}

Offset<fb::Uuid> EncodeUuid(FlatBufferBuilder& fbb, const Uuid& id) {
  return fb::CreateUuid(fbb, id.high, id.low);
}

Uuid UuidFromFb(const fb::Uuid* id) {
  if (id == nullptr) return Uuid{};
  return Uuid{id->high(), id->low()};
}

Offset<fb::CompactedSsTable> EncodeSstHandle(FlatBufferBuilder& fbb, const SstHandle& sst) {
  // Child order of the peer: id, info, visible range.
  auto id = EncodeUlid(fbb, sst.id);
  auto info = EncodeSsTableInfo(fbb, sst.info);
  Offset<fb::BytesRange> range;
  if (sst.visible_range) range = EncodeBytesRange(fbb, *sst.visible_range);
  flatbuffers::Optional<uint16_t> version = flatbuffers::nullopt;
  if (sst.format_version) version = *sst.format_version;
  return fb::CreateCompactedSsTable(fbb, id, info, range, version);
}

Result<SstHandle> SstHandleFromFb(const fb::CompactedSsTable* sst) {
  SstHandle out;
  out.id = UlidFromFb(sst->id());
  auto info = SsTableInfoFromFb(sst->info());
  if (!info.ok()) return info.status().WithContext("manifest: SST " + out.id.ToString());
  out.info = std::move(info).value();
  if (sst->visible_range() != nullptr) {
    ASSIGN_OR_RETURN(out.visible_range, BytesRangeFromFb(sst->visible_range()));
  }
  if (sst->format_version()) out.format_version = *sst->format_version();
  return out;
}

std::string EncodeManifest(const Manifest& m) {
  FlatBufferBuilder fbb(1024);
  // Children in the order the peer's builder creates them (so the bytes match its files).
  auto l0 = EncodeSstHandles(fbb, m.l0);
  Offset<fb::Ulid> l0_last_compacted;
  if (m.l0_last_compacted) l0_last_compacted = EncodeUlid(fbb, *m.l0_last_compacted);
  std::vector<Offset<fb::SortedRun>> runs;
  runs.reserve(m.compacted.size());
  for (const SortedRun& run : m.compacted) {
    auto ssts = EncodeSstHandles(fbb, run.ssts);
    runs.push_back(fb::CreateSortedRun(fbb, run.id, ssts));
  }
  auto compacted = fbb.CreateVector(runs);
  std::vector<Offset<fb::Checkpoint>> cps;
  cps.reserve(m.checkpoints.size());
  for (const Checkpoint& cp : m.checkpoints) cps.push_back(EncodeCheckpoint(fbb, cp));
  auto checkpoints = fbb.CreateVector(cps);
  Offset<flatbuffers::Vector<Offset<fb::ExternalDb>>> external_dbs;
  if (!m.external_dbs.empty()) {
    std::vector<Offset<fb::ExternalDb>> dbs;
    for (const ExternalDb& db : m.external_dbs) dbs.push_back(EncodeExternalDb(fbb, db));
    external_dbs = fbb.CreateVector(dbs);
  }
  Offset<flatbuffers::String> wal_uri;
  if (m.wal_object_store_uri) wal_uri = fbb.CreateString(*m.wal_object_store_uri);
  auto tracker = BytesVector(fbb, m.sequence_tracker);
  auto root =
      fb::CreateManifestV1(fbb, /*manifest_id=*/0, external_dbs, m.initialized, m.writer_epoch,
                           m.compactor_epoch, m.replay_after_wal_id, m.wal_id_last_seen,
                           l0_last_compacted, l0, compacted, m.last_l0_clock_tick, checkpoints,
                           m.last_l0_seq, wal_uri, m.recent_snapshot_min_seq, tracker);
  fbb.Finish(root);
  return FrameVersioned(kManifestFormatVersionV1, fbb);
}

Result<Manifest> DecodeManifest(std::string_view bytes) {
  ASSIGN_OR_RETURN(const uint16_t version, ReadVersionPrefix(bytes, "manifest"));
  if (version != kManifestFormatVersionV1 && version != kManifestFormatVersionV2) {
    return Status::Data("manifest: unsupported format version " + std::to_string(version));
  }
  AlignedBuffer buf(bytes.substr(2));
  flatbuffers::Verifier verifier(buf.data(), buf.size(), kMaxDepth, kMaxTables);
  if (version == kManifestFormatVersionV1) {
    if (!verifier.VerifyBuffer<fb::ManifestV1>(nullptr)) {
      return Status::Data("manifest: flatbuffer verification failed (format version 1, " +
                          std::to_string(bytes.size()) + " bytes)");
    }
    return ManifestFromV1(flatbuffers::GetRoot<fb::ManifestV1>(buf.data()));
  }
  if (!verifier.VerifyBuffer<fb::ManifestV2>(nullptr)) {
    return Status::Data("manifest: flatbuffer verification failed (format version 2, " +
                        std::to_string(bytes.size()) + " bytes)");
  }
  return ManifestFromV2(flatbuffers::GetRoot<fb::ManifestV2>(buf.data()));
}

}  // namespace slatedb::format
