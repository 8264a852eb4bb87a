#include "format/compactions_codec.h"

#include <algorithm>
#include <utility>

#include "flatbuffers/flatbuffers.h"
#include "format/manifest_codec.h"
#include "format/slatedb_schema_generated.h"

namespace slatedb::format {
namespace {

using flatbuffers::FlatBufferBuilder;
using flatbuffers::Offset;

Offset<flatbuffers::Vector<Offset<fb::Ulid>>> EncodeUlids(FlatBufferBuilder& fbb,
                                                          const std::vector<Ulid>& ulids) {
  std::vector<Offset<fb::Ulid>> ids;
  ids.reserve(ulids.size());
  for (const Ulid& u : ulids) ids.push_back(EncodeUlid(fbb, u));
  return fbb.CreateVector(ids);
}

// Version 1: the 0.12 peer's child order (id, L0 ids, run ids, outputs), empty lists omitted.
Offset<fb::Compaction> EncodeRecordV1(FlatBufferBuilder& fbb, const CompactionRecord& c) {
  auto id = EncodeUlid(fbb, c.id);
  Offset<flatbuffers::Vector<Offset<fb::Ulid>>> l0_ids;
  if (!c.l0_view_ids.empty()) l0_ids = EncodeUlids(fbb, c.l0_view_ids);
  Offset<flatbuffers::Vector<uint32_t>> runs;
  if (!c.sorted_runs.empty()) runs = fbb.CreateVector(c.sorted_runs);
  auto spec = fb::CreateTieredCompactionSpec(fbb, /*ssts=*/0, runs, l0_ids);
  Offset<flatbuffers::Vector<Offset<fb::CompactedSsTable>>> outputs;
  if (!c.output_ssts.empty()) outputs = EncodeSstHandles(fbb, c.output_ssts);
  return fb::CreateCompaction(fbb, id, fb::CompactionSpec::TieredCompactionSpec, spec.Union(),
                              static_cast<fb::CompactionStatus>(c.status), outputs);
}

// Version 2: SlateDB 0.17's child order — id; spec (L0 ids and run ids when non-empty, the
// segment always); worker; context (subcompactions: range, outputs when non-empty); the output
// list always.
Offset<fb::Compaction> EncodeRecordV2(FlatBufferBuilder& fbb, const CompactionRecord& c) {
  auto id = EncodeUlid(fbb, c.id);
  Offset<flatbuffers::Vector<Offset<fb::Ulid>>> l0_ids;
  if (!c.l0_view_ids.empty()) l0_ids = EncodeUlids(fbb, c.l0_view_ids);
  Offset<flatbuffers::Vector<uint32_t>> runs;
  if (!c.sorted_runs.empty()) runs = fbb.CreateVector(c.sorted_runs);
  auto segment = BytesVector(fbb, c.segment);
  Offset<void> spec;
  fb::CompactionSpec spec_type = fb::CompactionSpec::TieredCompactionSpec;
  if (c.kind == CompactionKind::kDrainSegment) {
    spec = fb::CreateDrainSegmentSpec(fbb, segment, l0_ids, runs).Union();
    spec_type = fb::CompactionSpec::DrainSegmentSpec;
  } else {
    uint32_t destination = 0;
    if (c.destination) {
      destination = *c.destination;
    } else if (!c.sorted_runs.empty()) {  // SlateDB's inference for version-1 records
      destination = *std::min_element(c.sorted_runs.begin(), c.sorted_runs.end());
    }
    spec =
        fb::CreateTieredCompactionSpec(fbb, /*ssts=*/0, runs, l0_ids, segment, destination).Union();
  }
  Offset<fb::WorkerSpec> worker;
  if (c.worker) {
    auto worker_id = fbb.CreateString(c.worker->worker_id);
    worker = fb::CreateWorkerSpec(fbb, worker_id, c.worker->last_heartbeat_ms);
  }
  Offset<void> ctx;
  fb::CompactionContext ctx_type = fb::CompactionContext::NONE;
  if (c.ctx) {
    Offset<flatbuffers::Vector<Offset<fb::Subcompaction>>> subs;
    if (!c.ctx->subcompactions.empty()) {
      std::vector<Offset<fb::Subcompaction>> offsets;
      offsets.reserve(c.ctx->subcompactions.size());
      for (const Subcompaction& sub : c.ctx->subcompactions) {
        auto range = EncodeBytesRange(fbb, sub.range);
        Offset<flatbuffers::Vector<Offset<fb::CompactedSsTable>>> outputs;
        if (!sub.output_ssts.empty()) outputs = EncodeSstHandles(fbb, sub.output_ssts);
        offsets.push_back(fb::CreateSubcompaction(fbb, range, outputs));
      }
      subs = fbb.CreateVector(offsets);
    }
    ctx = fb::CreateTieredCompactionContext(fbb, subs, c.ctx->retention_min_seq).Union();
    ctx_type = fb::CompactionContext::TieredCompactionContext;
  }
  auto outputs = EncodeSstHandles(fbb, c.output_ssts);
  return fb::CreateCompaction(fbb, id, spec_type, spec, static_cast<fb::CompactionStatus>(c.status),
                              outputs, worker, ctx_type, ctx);
}

// What version 1 cannot hold in `c`, or "" when nothing.
std::string V2OnlyContent(const CompactionRecord& c) {
  if (c.kind == CompactionKind::kDrainSegment) return "a drain-segment spec";
  if (!c.segment.empty()) return "a segment";
  if (c.status == CompactionStatus::kCompacted) return "status Compacted";
  if (c.status == CompactionStatus::kScheduled) return "status Scheduled";
  if (c.worker) return "a worker";
  if (c.ctx) return "a compaction context";
  return "";
}

Result<std::vector<SstHandle>> OutputsFromFb(
    const flatbuffers::Vector<Offset<fb::CompactedSsTable>>* ssts, const std::string& what) {
  auto out = SstHandlesFromFb(ssts);
  if (!out.ok()) return out.status().WithContext(what);
  return out;
}

std::vector<Ulid> UlidsFromFb(const flatbuffers::Vector<Offset<fb::Ulid>>* ids) {
  std::vector<Ulid> out;
  if (ids == nullptr) return out;
  for (const fb::Ulid* id : *ids) out.push_back(UlidFromFb(id));
  return out;
}

Result<CompactionRecord> RecordFromFb(const fb::Compaction* c, uint16_t version) {
  CompactionRecord out;
  out.id = UlidFromFb(c->id());
  const std::string what = "compactions: compaction " + out.id.ToString();
  RETURN_IF_ERROR(CheckKnownFields(c, 8, what));
  if (const fb::TieredCompactionSpec* spec = c->spec_as_TieredCompactionSpec()) {
    RETURN_IF_ERROR(CheckKnownFields(spec, 5, what + ": TieredCompactionSpec"));
    out.kind = CompactionKind::kTiered;
    if (spec->sorted_runs() != nullptr) {
      out.sorted_runs.assign(spec->sorted_runs()->begin(), spec->sorted_runs()->end());
    }
    // Pre-view specs listed SST ids in the deprecated `ssts` field (as SlateDB reads them).
    out.l0_view_ids =
        UlidsFromFb(spec->l0_view_ids() != nullptr ? spec->l0_view_ids() : spec->ssts());
    if (spec->segment() != nullptr) {
      out.segment.assign(reinterpret_cast<const char*>(spec->segment()->data()),
                         spec->segment()->size());
    }
    if (version >= kCompactionsFormatVersionV2) out.destination = spec->destination();
  } else if (const fb::DrainSegmentSpec* drain = c->spec_as_DrainSegmentSpec()) {
    RETURN_IF_ERROR(CheckKnownFields(drain, 3, what + ": DrainSegmentSpec"));
    out.kind = CompactionKind::kDrainSegment;
    if (drain->sorted_runs() != nullptr) {
      out.sorted_runs.assign(drain->sorted_runs()->begin(), drain->sorted_runs()->end());
    }
    out.l0_view_ids = UlidsFromFb(drain->l0_view_ids());
    out.segment.assign(reinterpret_cast<const char*>(drain->segment()->data()),
                       drain->segment()->size());
  } else {
    return Status::Data(what + " has unknown spec type " +
                        std::to_string(static_cast<int>(c->spec_type())));
  }
  const int status = static_cast<int>(c->status());
  if (status < 0 || status > 5) {
    return Status::Data(what + " has unknown status " + std::to_string(status));
  }
  out.status = static_cast<CompactionStatus>(status);
  ASSIGN_OR_RETURN(out.output_ssts, OutputsFromFb(c->output_ssts(), what));
  if (const fb::WorkerSpec* worker = c->worker()) {
    RETURN_IF_ERROR(CheckKnownFields(worker, 2, what + ": WorkerSpec"));
    // As SlateDB: the worker id tells claimed from unclaimed; a table without one is unclaimed.
    if (worker->worker_id() != nullptr) {
      out.worker = WorkerSpec{worker->worker_id()->str(), worker->last_heartbeat_ms()};
    }
  }
  switch (c->ctx_type()) {
    case fb::CompactionContext::NONE:
      break;
    case fb::CompactionContext::TieredCompactionContext: {
      const fb::TieredCompactionContext* ctx = c->ctx_as_TieredCompactionContext();
      if (ctx == nullptr) return Status::Data(what + " has an empty compaction context");
      RETURN_IF_ERROR(CheckKnownFields(ctx, 2, what + ": TieredCompactionContext"));
      CompactionContext context;
      context.retention_min_seq = ctx->retention_min_seq();
      if (ctx->subcompactions() != nullptr) {
        for (const fb::Subcompaction* sub : *ctx->subcompactions()) {
          RETURN_IF_ERROR(CheckKnownFields(sub, 2, what + ": Subcompaction"));
          Subcompaction s;
          auto range = BytesRangeFromFb(sub->range());
          if (!range.ok()) return range.status().WithContext(what);
          s.range = std::move(range).value();
          ASSIGN_OR_RETURN(s.output_ssts, OutputsFromFb(sub->output_ssts(), what));
          context.subcompactions.push_back(std::move(s));
        }
      }
      out.ctx = std::move(context);
      break;
    }
    default:
      return Status::Data(what + " has unknown compaction context type " +
                          std::to_string(static_cast<int>(c->ctx_type())));
  }
  return out;
}

}  // namespace

Result<std::string> EncodeCompactions(const Compactions& compactions, uint16_t version) {
  if (version != kCompactionsFormatVersionV1 && version != kCompactionsFormatVersionV2) {
    return Status::Invalid("compactions: cannot write format version " + std::to_string(version));
  }
  FlatBufferBuilder fbb(512);
  std::vector<Offset<fb::Compaction>> records;
  records.reserve(compactions.recent_compactions.size());
  for (const CompactionRecord& c : compactions.recent_compactions) {
    if (version == kCompactionsFormatVersionV1) {
      const std::string v2_only = V2OnlyContent(c);
      if (!v2_only.empty()) {
        return Status::Invalid("compactions: compaction " + c.id.ToString() + " has " + v2_only +
                               ", which format version 1 (compatibility \"0.12\") cannot hold");
      }
      records.push_back(EncodeRecordV1(fbb, c));
    } else {
      records.push_back(EncodeRecordV2(fbb, c));
    }
  }
  auto vec = fbb.CreateVector(records);
  fbb.Finish(fb::CreateCompactionsV1(fbb, compactions.compactor_epoch, vec));
  return FrameVersioned(version, fbb);
}

Result<Compactions> DecodeCompactions(std::string_view bytes) {
  ASSIGN_OR_RETURN(const uint16_t version, ReadVersionPrefix(bytes, "compactions"));
  if (version != kCompactionsFormatVersionV1 && version != kCompactionsFormatVersionV2) {
    return Status::Data("compactions: unsupported format version " + std::to_string(version) +
                        " (this version reads 1 and 2)");
  }
  AlignedBuffer buf(bytes.substr(2));
  flatbuffers::Verifier verifier(buf.data(), buf.size(), kMaxDepth, kMaxTables);
  if (!verifier.VerifyBuffer<fb::CompactionsV1>(nullptr)) {
    return Status::Data("compactions: flatbuffer verification failed (format version " +
                        std::to_string(version) + ", " + std::to_string(bytes.size()) + " bytes)");
  }
  const auto* root = flatbuffers::GetRoot<fb::CompactionsV1>(buf.data());
  RETURN_IF_ERROR(CheckKnownFields(root, 2, "compactions: CompactionsV1"));
  Compactions out;
  out.compactor_epoch = root->compactor_epoch();
  for (const fb::Compaction* c : *root->recent_compactions()) {
    ASSIGN_OR_RETURN(CompactionRecord record, RecordFromFb(c, version));
    out.recent_compactions.push_back(std::move(record));
  }
  return out;
}

const char* CompactionStatusName(CompactionStatus s) {
  switch (s) {
    case CompactionStatus::kSubmitted:
      return "Submitted";
    case CompactionStatus::kRunning:
      return "Running";
    case CompactionStatus::kCompleted:
      return "Completed";
    case CompactionStatus::kFailed:
      return "Failed";
    case CompactionStatus::kCompacted:
      return "Compacted";
    case CompactionStatus::kScheduled:
      return "Scheduled";
  }
  return "Unknown";
}

}  // namespace slatedb::format
