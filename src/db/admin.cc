// Admin (slatedb/admin.h): checkpoint administration straight on the manifest, and read-only
// views of manifest / `.compactions` versions.
#include "slatedb/admin.h"

#include <utility>

#include "db/checkpoint_ops.h"
#include "db/full_compaction.h"
#include "format/compactions_codec.h"
#include "format/sequence_tracker.h"
#include "format/uuid.h"
#include "manifest/manifest_store.h"
#include "manifest/paths.h"
#include "manifest/stored_manifest.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/mutex.h"
#include "util/random.h"

namespace slatedb {

namespace {

KeyBoundView BoundView(const format::BytesBound& b) {
  KeyBoundView v;
  switch (b.type) {
    case format::BoundType::kIncluded:
      v.kind = KeyBoundView::Kind::kIncluded;
      break;
    case format::BoundType::kExcluded:
      v.kind = KeyBoundView::Kind::kExcluded;
      break;
    default:
      v.kind = KeyBoundView::Kind::kUnbounded;
      break;
  }
  v.key = b.key;
  return v;
}

SstView ToSstView(const format::SstHandle& h) {
  SstView v;
  v.view_id = h.ViewId().ToString();
  v.sst_id = h.id.ToString();
  v.first_key = h.info.first_entry;
  v.last_key = h.info.last_entry;
  v.size_bytes = h.info.index_offset + h.info.index_len;
  if (h.visible_range) {
    v.visible_start = BoundView(h.visible_range->start);
    v.visible_end = BoundView(h.visible_range->end);
  }
  return v;
}

Result<ManifestView> ToManifestView(uint64_t id, const format::Manifest& m) {
  ManifestView v;
  v.id = id;
  v.initialized = m.initialized;
  v.writer_epoch = m.writer_epoch;
  v.compactor_epoch = m.compactor_epoch;
  v.replay_after_wal_id = m.replay_after_wal_id;
  v.next_wal_id = m.wal_id_last_seen + 1;
  v.last_l0_seq = m.last_l0_seq;
  v.last_l0_clock_tick = m.last_l0_clock_tick;
  v.recent_snapshot_min_seq = m.recent_snapshot_min_seq;
  if (m.l0_last_compacted) v.l0_last_compacted = m.l0_last_compacted->ToString();
  for (const auto& h : m.l0) v.l0.push_back(ToSstView(h));
  auto runs = [](const std::vector<format::SortedRun>& in) {
    std::vector<SortedRunView> out;
    for (const auto& run : in) {
      SortedRunView r;
      r.id = run.id;
      for (const auto& h : run.ssts) {
        r.ssts.push_back(ToSstView(h));
        r.size_bytes += r.ssts.back().size_bytes;
      }
      out.push_back(std::move(r));
    }
    return out;
  };
  v.compacted = runs(m.compacted);
  for (const auto& c : m.checkpoints) v.checkpoints.push_back(db::ToCheckpointInfo(c));
  for (const auto& e : m.external_dbs) {
    ExternalDbView x;
    x.path = e.path;
    x.source_checkpoint_id = e.source_checkpoint_id.ToString();
    if (e.final_checkpoint_id) x.final_checkpoint_id = e.final_checkpoint_id->ToString();
    for (const auto& sst : e.sst_ids) x.sst_ids.push_back(sst.ToString());
    v.external_dbs.push_back(std::move(x));
  }
  auto tracker = format::SequenceTracker::Decode(m.sequence_tracker);
  if (!tracker.ok()) return tracker.status().WithContext("manifest " + std::to_string(id));
  for (const auto& s : tracker->samples()) v.sequence_samples.push_back({s.seq, s.unix_seconds});
  v.segments = m.segments.size();
  for (const auto& s : m.segments) {
    SegmentView sv;
    sv.prefix = s.prefix;
    if (s.last_compacted_l0_view_id) sv.l0_last_compacted = s.last_compacted_l0_view_id->ToString();
    for (const auto& h : s.l0) sv.l0.push_back(ToSstView(h));
    sv.compacted = runs(s.compacted);
    v.segment_trees.push_back(std::move(sv));
  }
  v.segment_extractor_name = m.segment_extractor_name;
  return v;
}

CompactionsView ToCompactionsView(uint64_t id, const format::Compactions& c) {
  CompactionsView v;
  v.id = id;
  v.compactor_epoch = c.compactor_epoch;
  for (const auto& r : c.recent_compactions) {
    CompactionView x;
    x.id = r.id.ToString();
    x.status = format::CompactionStatusName(r.status);
    x.source_sorted_runs = r.sorted_runs;
    for (const auto& l0 : r.l0_view_ids) x.source_l0_views.push_back(l0.ToString());
    x.destination = r.destination;
    x.segment = r.segment;
    x.drain_segment = r.kind == format::CompactionKind::kDrainSegment;
    for (const auto& out : r.output_ssts) x.output_sst_ids.push_back(out.id.ToString());
    v.compactions.push_back(std::move(x));
  }
  return v;
}

Status CheckRange(std::optional<uint64_t> start, std::optional<uint64_t> end) {
  if (start && end && *start > *end) {
    return Status::Invalid("empty range: start " + std::to_string(*start) + " > end " +
                           std::to_string(*end));
  }
  return Status::OK();
}

bool InRange(uint64_t id, std::optional<uint64_t> start, std::optional<uint64_t> end) {
  return (!start || id >= *start) && (!end || id < *end);
}

class AdminImpl final : public Admin {
 public:
  AdminImpl(std::string path, Components components)
      : path_(std::move(path)),
        store_(components.object_store),
        clock_(components.clock ? components.clock : util::SystemClock::Default()),
        manifests_(std::make_shared<manifest::ManifestStore>(store_, path_)),
        compactions_(store_, path_),
        log_(components.logger),
        rng_(components.seed != 0 ? components.seed ^ 0xA0761D6478BD642Full : util::EntropySeed()) {
  }

  Status Init() {
    ASSIGN_OR_RETURN(auto latest, manifests_->ReadLatest());
    if (!latest) return Status::Invalid("no database at " + path_);
    return Status::OK();
  }

  Result<CheckpointCreateResult> CreateDetachedCheckpoint(
      const CheckpointOptions& options) override {
    RETURN_IF_ERROR(db::ValidateLifetime(options.lifetime));
    if (options.source) RETURN_IF_ERROR(db::ParseCheckpointId(*options.source).status());
    format::Uuid id;
    {
      util::MutexLock lock(&rng_mu_);
      id = format::Uuid::NewV4(rng_);
    }
    ASSIGN_OR_RETURN(manifest::StoredManifest stored, Load());
    const int64_t now_ms = clock_->NowMillis();
    format::Checkpoint created;
    manifest::StoredManifest* sm = &stored;
    Status st = sm->Update([&](format::Manifest& m) -> Status {
      return db::AddCheckpoint(m, sm->id() + 1, id, options, now_ms, &created);
    });
    if (!st.ok()) return st.WithContext("creating a checkpoint of " + path_);
    log_.Info("slatedb admin: checkpoint {} of {} pins manifest {}", id.ToString(), path_,
              created.manifest_id);
    return CheckpointCreateResult{id.ToString(), created.manifest_id};
  }

  Status RefreshCheckpoint(std::string_view id_text,
                           std::optional<std::chrono::milliseconds> lifetime) override {
    RETURN_IF_ERROR(db::ValidateLifetime(lifetime));
    ASSIGN_OR_RETURN(format::Uuid id, db::ParseCheckpointId(id_text));
    ASSIGN_OR_RETURN(manifest::StoredManifest stored, Load());
    const int64_t now_ms = clock_->NowMillis();
    Status st = stored.Update([&](format::Manifest& m) -> Status {
      return db::RefreshCheckpoint(m, id, lifetime, now_ms);
    });
    if (!st.ok()) return st.WithContext("refreshing a checkpoint of " + path_);
    return Status::OK();
  }

  Status DeleteCheckpoint(std::string_view id_text) override {
    ASSIGN_OR_RETURN(format::Uuid id, db::ParseCheckpointId(id_text));
    ASSIGN_OR_RETURN(manifest::StoredManifest stored, Load());
    // Unknown on the first attempt: kNotFound. Gone on a retry (after a lost race, maybe with
    // our own write): already deleted, done.
    bool first = true;
    bool gone = false;
    Status st = stored.Update([&](format::Manifest& m) -> Status {
      Status removed = db::RemoveCheckpoint(m, id);
      if (removed.IsNotFound() && !first) {
        gone = true;
        return Status::NotFound("");  // aborts the update; mapped to OK below
      }
      first = false;
      return removed;
    });
    if (gone) return Status::OK();
    if (!st.ok()) return st.WithContext("deleting a checkpoint of " + path_);
    return Status::OK();
  }

  Result<std::vector<CheckpointInfo>> ListCheckpoints(
      const std::optional<std::string>& name) override {
    ASSIGN_OR_RETURN(auto latest, manifests_->ReadLatest());
    if (!latest) return Status::Invalid("no database at " + path_);
    std::vector<CheckpointInfo> out;
    for (const auto& c : latest->manifest.checkpoints) {
      if (name && c.name != *name) continue;
      out.push_back(db::ToCheckpointInfo(c));
    }
    return out;
  }

  Result<uint64_t> LatestManifestId() override {
    ASSIGN_OR_RETURN(auto latest, manifests_->ReadLatest());
    if (!latest) return Status::Invalid("no database at " + path_);
    return latest->id;
  }

  Result<ManifestView> ReadManifest(std::optional<uint64_t> id) override {
    if (id) {
      ASSIGN_OR_RETURN(format::Manifest m, manifests_->Read(*id));
      return ToManifestView(*id, m);
    }
    ASSIGN_OR_RETURN(auto latest, manifests_->ReadLatest());
    if (!latest) return Status::NotFound("no manifest in " + path_);
    return ToManifestView(latest->id, latest->manifest);
  }

  Result<std::vector<ManifestView>> ListManifests(std::optional<uint64_t> start,
                                                  std::optional<uint64_t> end) override {
    RETURN_IF_ERROR(CheckRange(start, end));
    ASSIGN_OR_RETURN(auto versions, manifests_->List());
    std::vector<ManifestView> out;
    for (const auto& v : versions) {
      if (!InRange(v.id, start, end)) continue;
      auto m = manifests_->Read(v.id);
      if (m.status().IsNotFound()) continue;  // deleted by a GC since the listing
      if (!m.ok()) return m.status();
      ASSIGN_OR_RETURN(ManifestView view, ToManifestView(v.id, *m));
      out.push_back(std::move(view));
    }
    return out;
  }

  Result<CompactionsView> ReadCompactions(std::optional<uint64_t> id) override {
    if (id) {
      ASSIGN_OR_RETURN(format::Compactions c, compactions_.Read(*id));
      return ToCompactionsView(*id, c);
    }
    ASSIGN_OR_RETURN(auto latest, compactions_.ReadLatest());
    if (!latest) return Status::NotFound("no .compactions in " + path_);
    return ToCompactionsView(latest->id, latest->compactions);
  }

  Result<std::vector<CompactionsView>> ListCompactions(std::optional<uint64_t> start,
                                                       std::optional<uint64_t> end) override {
    RETURN_IF_ERROR(CheckRange(start, end));
    ASSIGN_OR_RETURN(auto versions, compactions_.List());
    std::vector<CompactionsView> out;
    for (const auto& v : versions) {
      if (!InRange(v.id, start, end)) continue;
      auto c = compactions_.Read(v.id);
      if (c.status().IsNotFound()) continue;  // deleted by a GC since the listing
      if (!c.ok()) return c.status();
      out.push_back(ToCompactionsView(v.id, *c));
    }
    return out;
  }

  Result<std::vector<std::string>> SubmitFullCompaction() override {
    ASSIGN_OR_RETURN(auto latest, manifests_->ReadLatest());
    if (!latest) return Status::Invalid("no database at " + path_);
    uint64_t seed = 0;
    {
      util::MutexLock lock(&rng_mu_);
      seed = rng_.Next64();
    }
    auto ids = db::SubmitFullCompaction(compactions_, latest->manifest, seed, clock_->NowMillis());
    if (!ids.ok()) return ids.status().WithContext(path_);
    if (!ids->empty()) {
      log_.Info("slatedb admin: submitted a full compaction of {} ({} tree(s))", path_,
                ids->size());
    }
    return ids;
  }

  Result<std::optional<int64_t>> TimestampForSequence(uint64_t seq, bool round_up) override {
    ASSIGN_OR_RETURN(format::SequenceTracker tracker, LatestTracker());
    return tracker.FindTimestamp(
        seq, round_up ? format::FindOption::kRoundUp : format::FindOption::kRoundDown);
  }

  Result<std::optional<uint64_t>> SequenceForTimestamp(int64_t unix_seconds,
                                                       bool round_up) override {
    ASSIGN_OR_RETURN(format::SequenceTracker tracker, LatestTracker());
    return tracker.FindSeq(
        unix_seconds, round_up ? format::FindOption::kRoundUp : format::FindOption::kRoundDown);
  }

 private:
  Result<format::SequenceTracker> LatestTracker() {
    ASSIGN_OR_RETURN(auto latest, manifests_->ReadLatest());
    if (!latest) return Status::Invalid("no database at " + path_);
    auto tracker = format::SequenceTracker::Decode(latest->manifest.sequence_tracker);
    if (!tracker.ok()) {
      return tracker.status().WithContext("manifest " + std::to_string(latest->id) + " of " +
                                          path_);
    }
    return std::move(*tracker);
  }

  Result<manifest::StoredManifest> Load() {
    manifest::ManifestUpdateOptions options;
    options.clock = clock_;
    return manifest::StoredManifest::Load(manifests_, options);
  }

  const std::string path_;
  std::shared_ptr<ObjectStore> store_;
  std::shared_ptr<util::Clock> clock_;
  std::shared_ptr<manifest::ManifestStore> manifests_;
  manifest::CompactionsStore compactions_;
  util::Log log_;
  util::Mutex rng_mu_;
  util::Random rng_ GUARDED_BY(rng_mu_);
};

}  // namespace

Result<std::unique_ptr<Admin>> Admin::Open(const std::string& path, Components components) {
  if (!components.object_store) return Status::Invalid("Components.object_store is required");
  ASSIGN_OR_RETURN(std::string db_path, manifest::NormalizeDbPath(path));
  auto admin = std::make_unique<AdminImpl>(db_path, std::move(components));
  RETURN_IF_ERROR(admin->Init());
  return std::unique_ptr<Admin>(std::move(admin));
}

Result<std::unique_ptr<Admin>> Admin::Open(const std::string& path,
                                           std::shared_ptr<ObjectStore> store) {
  Components components;
  components.object_store = std::move(store);
  return Open(path, std::move(components));
}

}  // namespace slatedb
