#include "format/manifest_codec.h"

#include <cstring>
#include <map>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "util/coding.h"

namespace slatedb::format {
namespace {

using flatbuffers::FlatBufferBuilder;
using flatbuffers::Offset;

std::string BytesFromFb(const flatbuffers::Vector<uint8_t>* v) {
  return std::string(reinterpret_cast<const char*>(v->data()), v->size());
}

// A segment prefix for messages: as text when printable, else "0x" + hex.
std::string PrefixText(const std::string& prefix) {
  for (unsigned char c : prefix) {
    if (c < 0x20 || c > 0x7e) return "0x" + util::ToHex(prefix);
  }
  return prefix;
}

// ---- encode ----

Offset<fb::BytesBound> EncodeBytesBound(FlatBufferBuilder& fbb, const BytesBound& bound) {
  Offset<flatbuffers::Vector<uint8_t>> key;
  if (bound.key) key = BytesVector(fbb, *bound.key);
  return fb::CreateBytesBound(fbb, key, static_cast<fb::BoundType>(bound.type));
}

Offset<fb::Checkpoint> EncodeCheckpoint(FlatBufferBuilder& fbb, const Checkpoint& cp) {
  // REQUIRES: !cp.unknown_metadata_type (EncodeManifest refuses those first).
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
  RETURN_IF_ERROR(CheckKnownFields(bound, 2, "manifest: BytesBound"));
  BytesBound out;
  const int type = static_cast<int>(bound->bound_type());
  if (type < 0 || type > 3) {
    return Status::Data("manifest: unknown bound_type " + std::to_string(type));
  }
  out.type = static_cast<BoundType>(type);
  if (bound->key() != nullptr) out.key = BytesFromFb(bound->key());
  return out;
}

}  // namespace

Result<BytesRange> BytesRangeFromFb(const fb::BytesRange* range) {
  RETURN_IF_ERROR(CheckKnownFields(range, 2, "manifest: BytesRange"));
  BytesRange out;
  ASSIGN_OR_RETURN(out.start, BytesBoundFromFb(range->start_bound()));
  ASSIGN_OR_RETURN(out.end, BytesBoundFromFb(range->end_bound()));
  return out;
}

Offset<fb::BytesRange> EncodeBytesRange(FlatBufferBuilder& fbb, const BytesRange& range) {
  auto start = EncodeBytesBound(fbb, range.start);
  auto end = EncodeBytesBound(fbb, range.end);
  return fb::CreateBytesRange(fbb, start, end);
}

Offset<flatbuffers::Vector<uint8_t>> BytesVector(FlatBufferBuilder& fbb, const std::string& s) {
  return fbb.CreateVector(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

Offset<flatbuffers::Vector<Offset<fb::CompactedSsTable>>> EncodeSstHandles(
    FlatBufferBuilder& fbb, const std::vector<SstHandle>& ssts) {
  std::vector<Offset<fb::CompactedSsTable>> offsets;
  offsets.reserve(ssts.size());
  for (const SstHandle& sst : ssts) offsets.push_back(EncodeSstHandle(fbb, sst));
  return fbb.CreateVector(offsets);
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

namespace {

Result<Checkpoint> CheckpointFromFb(const fb::Checkpoint* cp) {
  RETURN_IF_ERROR(CheckKnownFields(cp, 7, "manifest: Checkpoint"));
  Checkpoint out;
  out.id = UuidFromFb(cp->id());
  out.manifest_id = cp->manifest_id();
  out.expire_time_s = cp->checkpoint_expire_time_s();
  out.create_time_s = cp->checkpoint_create_time_s();
  switch (cp->metadata_type()) {
    case fb::CheckpointMetadata::NONE:
      break;
    case fb::CheckpointMetadata::WriterCheckpoint:
      if (const fb::WriterCheckpoint* w = cp->metadata_as_WriterCheckpoint()) {
        RETURN_IF_ERROR(CheckKnownFields(w, 1, "manifest: WriterCheckpoint"));
        out.writer_epoch = w->epoch();
      }
      break;
    default:  // a newer variant: tolerated on read (docs/format.md §7.4), refused on rewrite
      out.unknown_metadata_type = static_cast<uint8_t>(cp->metadata_type());
      break;
  }
  if (cp->name() != nullptr) out.name = cp->name()->str();
  return out;
}

template <typename Fb>
Status CommonFieldsFromFb(const Fb* fb_manifest, Manifest* m) {
  if (const auto* dbs = fb_manifest->external_dbs()) {
    for (const fb::ExternalDb* db : *dbs) {
      RETURN_IF_ERROR(CheckKnownFields(db, 4, "manifest: ExternalDb"));
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
    ASSIGN_OR_RETURN(Checkpoint checkpoint, CheckpointFromFb(cp));
    m->checkpoints.push_back(std::move(checkpoint));
  }
  m->last_l0_seq = fb_manifest->last_l0_seq();
  m->recent_snapshot_min_seq = fb_manifest->recent_snapshot_min_seq();
  if (fb_manifest->sequence_tracker() != nullptr) {
    m->sequence_tracker = BytesFromFb(fb_manifest->sequence_tracker());
  } else {
    m->sequence_tracker = EmptySequenceTrackerBytes();
  }
  return Status::OK();
}

Result<Manifest> ManifestFromV1(const fb::ManifestV1* fb_manifest) {
  RETURN_IF_ERROR(CheckKnownFields(fb_manifest, 16, "manifest: ManifestV1"));
  Manifest m;
  RETURN_IF_ERROR(CommonFieldsFromFb(fb_manifest, &m));
  if (fb_manifest->l0_last_compacted() != nullptr) {
    m.l0_last_compacted = UlidFromFb(fb_manifest->l0_last_compacted());
  }
  ASSIGN_OR_RETURN(m.l0, SstHandlesFromFb(fb_manifest->l0()));
  for (const fb::SortedRun* run : *fb_manifest->compacted()) {
    RETURN_IF_ERROR(CheckKnownFields(run, 2, "manifest: SortedRun"));
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
using SstTable = std::unordered_map<Ulid, SstHandle, UlidHash>;

Result<SstHandle> SstHandleFromView(const fb::CompactedSsTableView* view, const SstTable& ssts) {
  RETURN_IF_ERROR(CheckKnownFields(view, 3, "manifest: CompactedSsTableView"));
  const Ulid view_id = UlidFromFb(view->id());
  const Ulid sst_id = UlidFromFb(view->sst_id());
  auto it = ssts.find(sst_id);
  if (it == ssts.end()) {
    return Status::Data("manifest: view " + view_id.ToString() + " references unknown SST " +
                        sst_id.ToString());
  }
  SstHandle handle = it->second;
  if (view_id != sst_id) handle.view_id = view_id;
  if (view->visible_range() != nullptr) {
    ASSIGN_OR_RETURN(handle.visible_range, BytesRangeFromFb(view->visible_range()));
  }
  return handle;
}

using ViewVector = flatbuffers::Vector<Offset<fb::CompactedSsTableView>>;
using RunVector = flatbuffers::Vector<Offset<fb::SortedRunV2>>;

// The LSM tree shape shared by ManifestV2 (the root tree) and each Segment.
Status TreeFromV2(const ViewVector* l0, const RunVector* compacted, const SstTable& ssts,
                  std::vector<SstHandle>* out_l0, std::vector<SortedRun>* out_compacted) {
  for (const fb::CompactedSsTableView* view : *l0) {
    ASSIGN_OR_RETURN(SstHandle handle, SstHandleFromView(view, ssts));
    out_l0->push_back(std::move(handle));
  }
  for (const fb::SortedRunV2* run : *compacted) {
    RETURN_IF_ERROR(CheckKnownFields(run, 2, "manifest: SortedRunV2"));
    SortedRun sr;
    sr.id = run->id();
    for (const fb::CompactedSsTableView* view : *run->ssts()) {
      ASSIGN_OR_RETURN(SstHandle handle, SstHandleFromView(view, ssts));
      sr.ssts.push_back(std::move(handle));
    }
    out_compacted->push_back(std::move(sr));
  }
  return Status::OK();
}

Result<Manifest> ManifestFromV2(const fb::ManifestV2* fb_manifest) {
  RETURN_IF_ERROR(CheckKnownFields(fb_manifest, 18, "manifest: ManifestV2"));
  Manifest m;
  RETURN_IF_ERROR(CommonFieldsFromFb(fb_manifest, &m));
  SstTable ssts;
  for (const fb::CompactedSsTableV2* sst : *fb_manifest->ssts()) {
    RETURN_IF_ERROR(CheckKnownFields(sst, 3, "manifest: CompactedSsTableV2"));
    SstHandle handle;
    handle.id = UlidFromFb(sst->id());
    auto info = SsTableInfoFromFb(sst->info());
    if (!info.ok()) return info.status().WithContext("manifest: SST " + handle.id.ToString());
    RETURN_IF_ERROR(CheckKnownFields(sst->info(), 11, "manifest: SsTableInfo"));
    handle.info = std::move(info).value();
    if (sst->format_version()) handle.format_version = *sst->format_version();
    ssts[handle.id] = std::move(handle);
  }
  if (fb_manifest->last_compacted_l0_sst_view_id() != nullptr) {
    m.l0_last_compacted = UlidFromFb(fb_manifest->last_compacted_l0_sst_view_id());
  }
  RETURN_IF_ERROR(
      TreeFromV2(fb_manifest->l0(), fb_manifest->compacted(), ssts, &m.l0, &m.compacted));
  if (const auto* segments = fb_manifest->segments()) {
    for (const fb::Segment* fb_segment : *segments) {
      RETURN_IF_ERROR(CheckKnownFields(fb_segment, 4, "manifest: Segment"));
      Segment segment;
      segment.prefix = BytesFromFb(fb_segment->prefix());
      if (fb_segment->last_compacted_l0_sst_view_id() != nullptr) {
        segment.last_compacted_l0_view_id = UlidFromFb(fb_segment->last_compacted_l0_sst_view_id());
      }
      Status st = TreeFromV2(fb_segment->l0(), fb_segment->compacted(), ssts, &segment.l0,
                             &segment.compacted);
      if (!st.ok()) return st.WithContext("manifest: segment " + PrefixText(segment.prefix));
      m.segments.push_back(std::move(segment));
    }
  }
  if (fb_manifest->segment_extractor_name() != nullptr) {
    m.segment_extractor_name = fb_manifest->segment_extractor_name()->str();
  }
  return m;
}

// ---- V2 encode (the child order of SlateDB 0.17's builder, so its files re-encode
// byte-identically: docs/format.md §7.4) ----

Offset<fb::CompactedSsTableView> EncodeView(FlatBufferBuilder& fbb, const SstHandle& sst) {
  auto sst_id = EncodeUlid(fbb, sst.id);
  Offset<fb::BytesRange> range;
  if (sst.visible_range) range = EncodeBytesRange(fbb, *sst.visible_range);
  auto view_id = EncodeUlid(fbb, sst.ViewId());
  return fb::CreateCompactedSsTableView(fbb, view_id, sst_id, range);
}

Offset<ViewVector> EncodeViews(FlatBufferBuilder& fbb, const std::vector<SstHandle>& ssts) {
  std::vector<Offset<fb::CompactedSsTableView>> views;
  views.reserve(ssts.size());
  for (const SstHandle& sst : ssts) views.push_back(EncodeView(fbb, sst));
  return fbb.CreateVector(views);
}

struct TreeOffsets {
  Offset<ViewVector> l0;
  Offset<fb::Ulid> last_compacted;
  Offset<RunVector> compacted;
};

TreeOffsets EncodeTreeV2(FlatBufferBuilder& fbb, const std::vector<SstHandle>& l0,
                         const std::optional<Ulid>& last_compacted,
                         const std::vector<SortedRun>& compacted) {
  TreeOffsets out;
  out.l0 = EncodeViews(fbb, l0);
  if (last_compacted) out.last_compacted = EncodeUlid(fbb, *last_compacted);
  std::vector<Offset<fb::SortedRunV2>> runs;
  runs.reserve(compacted.size());
  for (const SortedRun& run : compacted) {
    auto views = EncodeViews(fbb, run.ssts);
    runs.push_back(fb::CreateSortedRunV2(fbb, run.id, views));
  }
  out.compacted = fbb.CreateVector(runs);
  return out;
}

bool HasViewIds(const std::vector<SstHandle>& l0, const std::vector<SortedRun>& compacted) {
  for (const SstHandle& sst : l0) {
    if (sst.view_id) return true;
  }
  for (const SortedRun& run : compacted) {
    for (const SstHandle& sst : run.ssts) {
      if (sst.view_id) return true;
    }
  }
  return false;
}

Offset<flatbuffers::Vector<Offset<fb::Checkpoint>>> EncodeCheckpoints(FlatBufferBuilder& fbb,
                                                                      const Manifest& m) {
  std::vector<Offset<fb::Checkpoint>> cps;
  cps.reserve(m.checkpoints.size());
  for (const Checkpoint& cp : m.checkpoints) cps.push_back(EncodeCheckpoint(fbb, cp));
  return fbb.CreateVector(cps);
}

Offset<flatbuffers::Vector<Offset<fb::ExternalDb>>> EncodeExternalDbs(FlatBufferBuilder& fbb,
                                                                      const Manifest& m) {
  if (m.external_dbs.empty()) return 0;
  std::vector<Offset<fb::ExternalDb>> dbs;
  for (const ExternalDb& db : m.external_dbs) dbs.push_back(EncodeExternalDb(fbb, db));
  return fbb.CreateVector(dbs);
}

std::string EncodeManifestV2(const Manifest& m) {
  FlatBufferBuilder fbb(1024);
  // 1. Every SST referenced by the root tree or a segment, once, ascending by ULID; its info is
  // taken from its first view (root L0, root runs, then segments in order).
  std::map<Ulid, const SstHandle*> unique;
  auto collect = [&](const std::vector<SstHandle>& l0, const std::vector<SortedRun>& runs) {
    for (const SstHandle& sst : l0) unique.emplace(sst.id, &sst);
    for (const SortedRun& run : runs) {
      for (const SstHandle& sst : run.ssts) unique.emplace(sst.id, &sst);
    }
  };
  collect(m.l0, m.compacted);
  for (const Segment& segment : m.segments) collect(segment.l0, segment.compacted);
  std::vector<Offset<fb::CompactedSsTableV2>> sst_offsets;
  sst_offsets.reserve(unique.size());
  for (const auto& [id, sst] : unique) {
    auto fb_id = EncodeUlid(fbb, id);
    auto info = EncodeSsTableInfo(fbb, sst->info);
    flatbuffers::Optional<uint16_t> version = flatbuffers::nullopt;
    if (sst->format_version) version = *sst->format_version;
    sst_offsets.push_back(fb::CreateCompactedSsTableV2(fbb, fb_id, info, version));
  }
  auto ssts = fbb.CreateVector(sst_offsets);
  // 2. The root tree, 3. the segments (the vector is always written), 4. the extractor name.
  TreeOffsets root = EncodeTreeV2(fbb, m.l0, m.l0_last_compacted, m.compacted);
  std::vector<Offset<fb::Segment>> segment_offsets;
  segment_offsets.reserve(m.segments.size());
  for (const Segment& segment : m.segments) {
    auto prefix = BytesVector(fbb, segment.prefix);
    TreeOffsets tree =
        EncodeTreeV2(fbb, segment.l0, segment.last_compacted_l0_view_id, segment.compacted);
    segment_offsets.push_back(
        fb::CreateSegment(fbb, prefix, tree.last_compacted, tree.l0, tree.compacted));
  }
  auto segments = fbb.CreateVector(segment_offsets);
  Offset<flatbuffers::String> extractor;
  if (m.segment_extractor_name) extractor = fbb.CreateString(*m.segment_extractor_name);
  // 5. checkpoints, 6. external DBs, 7. the sequence tracker, then the root table.
  auto checkpoints = EncodeCheckpoints(fbb, m);
  auto external_dbs = EncodeExternalDbs(fbb, m);
  auto tracker = BytesVector(fbb, m.sequence_tracker);
  auto manifest = fb::CreateManifestV2(
      fbb, /*manifest_id=*/0, external_dbs, m.initialized, m.writer_epoch, m.compactor_epoch,
      m.replay_after_wal_id, m.wal_id_last_seen, root.last_compacted, ssts, root.l0, root.compacted,
      m.last_l0_clock_tick, checkpoints, m.last_l0_seq, m.recent_snapshot_min_seq, tracker,
      segments, extractor);
  fbb.Finish(manifest);
  return FrameVersioned(kManifestFormatVersionV2, fbb);
}

std::string EncodeManifestV1(const Manifest& m) {
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
  auto checkpoints = EncodeCheckpoints(fbb, m);
  auto external_dbs = EncodeExternalDbs(fbb, m);
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

// What in `m` format version 1 cannot hold, or "" when nothing.
std::string V2OnlyContent(const Manifest& m) {
  if (!m.segments.empty()) return std::to_string(m.segments.size()) + " named segment(s)";
  if (m.segment_extractor_name) {
    return "segment_extractor_name '" + *m.segment_extractor_name + "'";
  }
  if (HasViewIds(m.l0, m.compacted)) return "SST views whose ids differ from their SST ids";
  return "";
}

}  // namespace

// Fails closed on a field this version does not know: a vtable slot at or past `known_fields`
// that is present means a newer writer stored something a rewrite would drop (SlateDB #779).
Status CheckKnownFieldsOfTable(const uint8_t* table, int known_fields, std::string_view what) {
  if (table == nullptr) return Status::OK();
  // A table starts with a signed offset back to its vtable (already bounds-checked by the
  // verifier): [vtable bytes u16][table bytes u16][slot offset u16]...
  const uint8_t* vtable = table - flatbuffers::ReadScalar<flatbuffers::soffset_t>(table);
  const uint16_t vtable_bytes = flatbuffers::ReadScalar<uint16_t>(vtable);
  const int slots = vtable_bytes < 4 ? 0 : (vtable_bytes - 4) / 2;
  for (int slot = known_fields; slot < slots; ++slot) {
    if (flatbuffers::ReadScalar<uint16_t>(vtable + 4 + 2 * slot) != 0) {
      return Status::Data(std::string(what) + " has field id " + std::to_string(slot) +
                          ", which this version does not know (written by a newer SlateDB?)");
    }
  }
  return Status::OK();
}

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
  RETURN_IF_ERROR(CheckKnownFields(sst, 4, "manifest: CompactedSsTable"));
  SstHandle out;
  out.id = UlidFromFb(sst->id());
  auto info = SsTableInfoFromFb(sst->info());
  if (!info.ok()) return info.status().WithContext("manifest: SST " + out.id.ToString());
  RETURN_IF_ERROR(CheckKnownFields(sst->info(), 11, "manifest: SsTableInfo"));
  out.info = std::move(info).value();
  if (sst->visible_range() != nullptr) {
    ASSIGN_OR_RETURN(out.visible_range, BytesRangeFromFb(sst->visible_range()));
  }
  if (sst->format_version()) out.format_version = *sst->format_version();
  return out;
}

Result<std::string> EncodeManifest(const Manifest& m, uint16_t version) {
  for (const Checkpoint& cp : m.checkpoints) {
    if (cp.unknown_metadata_type) {
      return Status::Invalid("manifest: checkpoint " + cp.id.ToString() +
                             " carries checkpoint metadata variant " +
                             std::to_string(*cp.unknown_metadata_type) +
                             ", which this version cannot re-encode; refusing to rewrite the "
                             "manifest rather than drop it");
    }
  }
  if (version != kManifestFormatVersionV1 && version != kManifestFormatVersionV2) {
    return Status::Invalid("manifest: cannot write format version " + std::to_string(version));
  }
  const std::string v2_only = V2OnlyContent(m);
  if (version == kManifestFormatVersionV1 || m.wal_object_store_uri) {
    if (!v2_only.empty()) {
      return Status::Invalid("manifest: format version 1 cannot hold " + v2_only +
                             (m.wal_object_store_uri
                                  ? std::string(" and version 2 cannot hold wal_object_store_uri")
                                  : std::string(" (compatibility \"0.12\" writes version 1)")) +
                             "; refusing to rewrite the manifest rather than drop it");
    }
    // Version 2 has no wal_object_store_uri: such a manifest stays version 1 (as SlateDB did
    // before it wrote version 2 always).
    return EncodeManifestV1(m);
  }
  return EncodeManifestV2(m);
}

Status CheckManifestSupported(const Manifest& /*m*/, ManifestUse /*use*/) {
  // Segments (RFC-0024) are read, written and compacted (docs/design.md "Segments"); every
  // rewrite keeps them verbatim. Nothing in a decodable manifest is refused today.
  return Status::OK();
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
