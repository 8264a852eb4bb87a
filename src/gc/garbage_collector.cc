// gc/garbage_collector.cc — see garbage_collector.h.
#include "gc/garbage_collector.h"

#include <algorithm>
#include <future>
#include <map>
#include <set>
#include <span>
#include <utility>
#include <vector>

#include "format/manifest.h"
#include "format/segments.h"
#include "manifest/manifest_store.h"
#include "manifest/paths.h"
#include "manifest/sst_paths.h"
#include "manifest/stored_manifest.h"
#include "table/sst_reader.h"
#include "util/background_task.h"
#include "util/metrics.h"
#include "util/saturating.h"

namespace slatedb::gc {
namespace {

// Fence objects are empty SSTs of about 114-140 bytes (docs/format.md §6.2); anything this large
// holds rows and is not read to find out.
constexpr uint64_t kMaxFenceSize = 1024;

void AddReferences(const format::Manifest& m, std::set<format::Ulid>* out) {
  // The root tree's and every segment's (RFC-0024).
  const std::vector<format::Ulid> listed = manifest::ListedSstIds(m);
  out->insert(listed.begin(), listed.end());
  for (const auto& ext : m.external_dbs) out->insert(ext.sst_ids.begin(), ext.sst_ids.end());
}

}  // namespace

GcStats& GcStats::operator+=(const GcStats& o) {
  manifests_deleted += o.manifests_deleted;
  wal_deleted += o.wal_deleted;
  compacted_deleted += o.compacted_deleted;
  compactions_deleted += o.compactions_deleted;
  checkpoints_expired += o.checkpoints_expired;
  clones_detached += o.clones_detached;
  runs += o.runs;
  return *this;
}

Result<std::unique_ptr<GarbageCollector>> GarbageCollector::Open(std::shared_ptr<ObjectStore> store,
                                                                 std::string db_path,
                                                                 GarbageCollectorOptions options,
                                                                 std::shared_ptr<util::Clock> clock,
                                                                 GcExtraOptions extra) {
  if (store == nullptr) return Status::Invalid("garbage collector: no object store");
  ASSIGN_OR_RETURN(db_path, manifest::NormalizeDbPath(db_path));
  const std::pair<const char*, const std::optional<GcDirectoryOptions>*> dirs[] = {
      {"manifest_options", &options.manifest_options},
      {"wal_options", &options.wal_options},
      {"compacted_options", &options.compacted_options},
      {"compactions_options", &options.compactions_options}};
  for (const auto& [name, dir] : dirs) {
    if (dir->has_value() && (*dir)->interval.count() <= 0) {
      return Status::Invalid(std::string("garbage collector: ") + name + ".interval must be > 0");
    }
    if (dir->has_value() && (*dir)->min_age.count() < 0) {
      return Status::Invalid(std::string("garbage collector: ") + name + ".min_age must be >= 0");
    }
  }
  if (clock == nullptr) clock = util::SystemClock::Default();
  return std::make_unique<GarbageCollector>(PrivateTag{}, std::move(store), std::move(db_path),
                                            std::move(options), std::move(clock), extra);
}

GarbageCollector::GarbageCollector(PrivateTag, std::shared_ptr<ObjectStore> store,
                                   std::string db_path, GarbageCollectorOptions options,
                                   std::shared_ptr<util::Clock> clock, GcExtraOptions extra)
    : store_(std::move(store)),
      db_path_(std::move(db_path)),
      options_(std::move(options)),
      clock_(std::move(clock)),
      extra_(extra),
      metrics_(*util::MetricsOrNoop(extra_.metrics)) {}

GarbageCollector::Metrics::Metrics(MetricsRecorder& rec) {
  constexpr std::string_view kDeleted = "slatedb.gc.deleted_count";
  constexpr std::string_view kHelp = "Objects deleted by the garbage collector, by resource";
  runs = rec.RegisterCounter("slatedb.gc.count", "Garbage collector runs (sweep passes)", {});
  manifests = rec.RegisterCounter(kDeleted, kHelp, {{"resource", "manifest"}});
  wals = rec.RegisterCounter(kDeleted, kHelp, {{"resource", "wal"}});
  compacted = rec.RegisterCounter(kDeleted, kHelp, {{"resource", "compacted"}});
  compactions = rec.RegisterCounter(kDeleted, kHelp, {{"resource", "compactions"}});
}

GarbageCollector::~GarbageCollector() { (void)Stop(); }

GcStats GarbageCollector::totals() const {
  util::MutexLock lock(&mu_);
  return totals_;
}

Result<GcStats> GarbageCollector::RunOnce() {
  bool all[kSweepCount] = {true, true, true, true};
  return RunSweeps(all);
}

Result<GcStats> GarbageCollector::RunSweeps(const bool (&which)[kSweepCount]) {
  util::MutexLock sweep_lock(&sweep_mu_);
  const int64_t start_ms = clock_->NowMillis();
  GcStats stats;
  stats.runs = 1;
  metrics_.runs->Increment(1);
  manifest::ManifestStore ms(store_, db_path_);
  manifest::CompactionsStore cs(store_, db_path_);
  // Order matters: `.compactions` is read BEFORE the manifest. An output SST missing from the
  // manifest read below belongs either to a compaction listed here (its ULID is newer than that
  // compaction's id, so above the watermark), or to one submitted later (newer still), or to a
  // compaction committed before this read — then the manifest read below lists it or pins it
  // with the compactor's checkpoint. Reading the manifest first would let a compaction commit
  // and leave the list in between, and its live outputs would look like old orphans.
  ASSIGN_OR_RETURN(auto compactions, cs.ReadLatest());
  ASSIGN_OR_RETURN(auto latest_opt, ms.ReadLatest());
  if (!latest_opt) return stats;  // no database (yet)
  SweepView view;
  view.latest_id = latest_opt->id;
  view.latest = std::move(latest_opt->manifest);
  view.now_ms = clock_->NowMillis();
  if (compactions) view.compactions = std::move(compactions->compactions);
  // Every tree's SSTs (the root's and each segment's) are referenced, and the L0 watermark below
  // considers every tree; the check only refuses what a future version might add.
  if (Status st = format::CheckManifestSupported(view.latest, format::ManifestUse::kRead);
      !st.ok()) {
    return st.WithContext("garbage collector " + db_path_ + " (manifest " +
                          std::to_string(view.latest_id) + ")");
  }

  // Expired checkpoints leave the manifest (part of the manifest sweep, as in SlateDB); from
  // then on — and already in this run, below — they pin nothing.
  if (which[kManifest] && options_.manifest_options) ExpireCheckpoints(view, &stats);
  RETURN_IF_ERROR(LoadPinned(ms, &view));
  if (which[kManifest] && options_.manifest_options && !view.latest.external_dbs.empty()) {
    // Not fatal: the next run retries.
    if (Status st = DetachClones(view.latest, view.pinned, &stats); !st.ok()) {
      extra_.log.Warn("slatedb gc: detaching clone {} from its parents: {}", db_path_,
                      st.ToString());
    }
  }
  if (which[kManifest] && options_.manifest_options)
    RETURN_IF_ERROR(SweepManifests(ms, view, &stats));
  if (which[kWal] && options_.wal_options) RETURN_IF_ERROR(SweepWals(view, &stats));
  if (which[kCompacted] && options_.compacted_options) {
    RETURN_IF_ERROR(SweepCompacted(view, &stats));
  }
  if (which[kCompactions] && options_.compactions_options) {
    RETURN_IF_ERROR(SweepCompactions(cs, view, &stats));
  }

  // One line per completed sweep (the deletions; a failed sweep is logged by its caller).
  extra_.log.Info(
      "garbage collector {}: sweep done (latest manifest {}): deleted {} manifests, {} WAL SSTs, "
      "{} compacted SSTs, {} .compactions versions, {:.3f} s",
      db_path_, view.latest_id, stats.manifests_deleted, stats.wal_deleted, stats.compacted_deleted,
      stats.compactions_deleted,
      static_cast<double>(std::max<int64_t>(0, clock_->NowMillis() - start_ms)) / 1000.0);
  util::MutexLock lock(&mu_);
  totals_ += stats;
  return stats;
}

bool GarbageCollector::SweepView::Expired(const format::Checkpoint& cp) const {
  return cp.expire_time_s != 0 && static_cast<int64_t>(cp.expire_time_s) * 1000 <= now_ms;
}

bool GarbageCollector::SweepView::OldEnough(const GcDirectoryOptions& o, int64_t t_ms) const {
  return t_ms < util::SaturatingAdd<int64_t>(now_ms, -o.min_age.count());
}

void GarbageCollector::ExpireCheckpoints(const SweepView& view, GcStats* stats) {
  auto expired = [&view](const format::Checkpoint& cp) { return view.Expired(cp); };
  if (std::none_of(view.latest.checkpoints.begin(), view.latest.checkpoints.end(), expired)) {
    return;
  }
  manifest::ManifestUpdateOptions update_options;
  update_options.clock = clock_;
  uint64_t removed = 0;
  auto stored = manifest::StoredManifest::Load(
      std::make_shared<manifest::ManifestStore>(store_, db_path_), update_options);
  Status st = stored.status();
  if (st.ok()) {
    st = stored->Update([&](format::Manifest& m) -> Status {
      removed = std::erase_if(m.checkpoints, expired);
      return Status::OK();
    });
  }
  // Not fatal: the sweeps treat expired checkpoints as gone either way.
  if (!st.ok()) {
    extra_.log.Warn("slatedb gc: removing expired checkpoints of {}: {}", db_path_, st.ToString());
  } else {
    stats->checkpoints_expired += removed;
  }
}

Status GarbageCollector::LoadPinned(manifest::ManifestStore& ms, SweepView* view) {
  for (const auto& cp : view->latest.checkpoints) {
    if (view->Expired(cp)) continue;
    if (view->pinned.count(cp.manifest_id) > 0) continue;
    if (cp.manifest_id == view->latest_id) {
      view->pinned[cp.manifest_id] = view->latest;
      continue;
    }
    auto m = ms.Read(cp.manifest_id);
    if (!m.ok()) {
      if (m.status().IsNotFound()) {
        return Status::Data("garbage collector: manifest " + std::to_string(cp.manifest_id) +
                            " pinned by checkpoint " + cp.id.ToString() + " is missing");
      }
      return m.status();
    }
    if (Status st = format::CheckManifestSupported(*m, format::ManifestUse::kRead); !st.ok()) {
      return st.WithContext("garbage collector " + db_path_ + " (manifest " +
                            std::to_string(cp.manifest_id) + ")");
    }
    view->pinned[cp.manifest_id] = std::move(*m);
  }
  return Status::OK();
}

Status GarbageCollector::SweepManifests(manifest::ManifestStore& ms, const SweepView& view,
                                        GcStats* stats) {
  ASSIGN_OR_RETURN(auto versions, ms.List());
  std::vector<uint64_t> doomed;
  for (const auto& v : versions) {
    if (v.id >= view.latest_id || view.pinned.count(v.id) > 0) continue;
    if (!view.OldEnough(*options_.manifest_options, v.last_modified_ms)) continue;
    doomed.push_back(v.id);
  }
  // RFC-0026: fence every id up to the highest one deleted before deleting, so a writer that
  // stalled past min_age cannot re-create a deleted id and believe it won.
  if (!doomed.empty() && options_.boundary_files_enabled) {
    RETURN_IF_ERROR(ms.AdvanceBoundary(doomed.back()));
  }
  for (uint64_t id : doomed) {
    RETURN_IF_ERROR(ms.Delete(id));
    ++stats->manifests_deleted;
    metrics_.manifests->Increment(1);
  }
  return Status::OK();
}

Status GarbageCollector::SweepWals(const SweepView& view, GcStats* stats) {
  ASSIGN_OR_RETURN(auto objects, store_->List(manifest::WalDir(db_path_)));
  for (const auto& obj : objects) {
    auto id = manifest::ListedWalId(db_path_, obj.key);  // ours only; others are kept
    if (!id || *id >= view.latest.replay_after_wal_id) continue;
    if (!view.OldEnough(*options_.wal_options, obj.last_modified_ms)) continue;
    bool needed = false;
    for (const auto& [mid, m] : view.pinned) {
      if (*id > m.replay_after_wal_id && *id <= m.wal_id_last_seen) needed = true;
    }
    if (needed) continue;
    // A fence is an empty object or an SST without rows.
    bool fence = false;
    if (obj.size == 0) {
      fence = true;
    } else if ((!extra_.delete_fences || extra_.only_fences) && obj.size <= kMaxFenceSize) {
      auto rows = table::ReadAllRows(store_, obj.key);
      if (!rows.ok()) return rows.status();
      fence = rows->empty();
    }
    if (extra_.only_fences ? !fence : (fence && !extra_.delete_fences)) continue;
    RETURN_IF_ERROR(store_->Delete(obj.key));
    ++stats->wal_deleted;
    metrics_.wals->Increment(1);
  }
  return Status::OK();
}

int64_t GarbageCollector::CompactedWatermark(const SweepView& view) const {
  // Low-watermark (docs/design.md §11); 0 (the epoch) whenever an input is missing.
  int64_t watermark =
      util::SaturatingAdd<int64_t>(view.now_ms, -options_.compacted_options->min_age.count());
  if (!view.compactions || view.compactions->recent_compactions.empty()) return 0;
  for (const auto& c : view.compactions->recent_compactions) {
    watermark = std::min<int64_t>(watermark, static_cast<int64_t>(c.id.TimestampMillis()));
  }
  // The newest published L0 over every tree (RFC-0024 segments share the writer's id stream, so
  // an L0 being uploaded is newer than all of them): listed in some tree's l0, else at or below
  // that tree's l0 watermark.
  std::optional<uint64_t> newest;
  for (const format::ConstTreeRef& tree : format::AllTrees(view.latest)) {
    for (const auto& h : *tree.l0) newest = std::max(newest.value_or(0), h.id.TimestampMillis());
  }
  if (!newest) {
    for (const format::ConstTreeRef& tree : format::AllTrees(view.latest)) {
      if (*tree.last_compacted) {
        newest = std::max(newest.value_or(0), (*tree.last_compacted)->TimestampMillis());
      }
    }
  }
  if (!newest) return 0;
  return std::min<int64_t>(watermark, static_cast<int64_t>(*newest));
}

Status GarbageCollector::SweepCompacted(const SweepView& view, GcStats* stats) {
  const int64_t watermark = CompactedWatermark(view);
  if (watermark <= 0) return Status::OK();
  std::set<format::Ulid> referenced;
  AddReferences(view.latest, &referenced);
  for (const auto& [mid, m] : view.pinned) AddReferences(m, &referenced);
  ASSIGN_OR_RETURN(auto objects, store_->List(manifest::CompactedDir(db_path_)));
  for (const auto& obj : objects) {
    auto id = manifest::ListedCompactedSstId(db_path_, obj.key);  // ours only
    if (!id || referenced.count(*id) > 0) continue;
    if (static_cast<int64_t>(id->TimestampMillis()) >= watermark) continue;
    extra_.log.Debug(
        "garbage collector {}: deleting {} (ULID time {} < watermark {}, latest "
        "manifest {})",
        db_path_, obj.key, id->TimestampMillis(), watermark, view.latest_id);
    RETURN_IF_ERROR(store_->Delete(obj.key));
    ++stats->compacted_deleted;
    metrics_.compacted->Increment(1);
  }
  return Status::OK();
}

Status GarbageCollector::SweepCompactions(manifest::CompactionsStore& cs, const SweepView& view,
                                          GcStats* stats) {
  ASSIGN_OR_RETURN(auto versions, cs.List());
  if (versions.empty()) return Status::OK();
  const uint64_t newest = versions.back().id;
  std::vector<uint64_t> doomed;
  for (const auto& v : versions) {
    if (v.id >= newest) continue;
    if (!view.OldEnough(*options_.compactions_options, v.last_modified_ms)) continue;
    doomed.push_back(v.id);
  }
  if (!doomed.empty() && options_.boundary_files_enabled) {
    RETURN_IF_ERROR(cs.AdvanceBoundary(doomed.back()));
  }
  for (uint64_t id : doomed) {
    RETURN_IF_ERROR(cs.Delete(id));
    ++stats->compactions_deleted;
    metrics_.compactions->Increment(1);
  }
  return Status::OK();
}

Status GarbageCollector::DetachClones(const format::Manifest& latest,
                                      const std::map<uint64_t, format::Manifest>& pinned,
                                      GcStats* stats) {
  // An ancestor is detachable once neither the latest manifest nor any version a live
  // checkpoint pins reads an SST from it (its entry's sst_ids is empty or gone everywhere).
  std::set<format::Uuid> detachable;
  for (const auto& db : latest.external_dbs) {
    if (!db.sst_ids.empty() || !db.final_checkpoint_id) continue;
    bool still_read = false;
    for (const auto& [id, m] : pinned) {
      for (const auto& other : m.external_dbs) {
        if (other.final_checkpoint_id == db.final_checkpoint_id && !other.sst_ids.empty()) {
          still_read = true;
        }
      }
    }
    if (still_read) continue;
    // Parent first (as SlateDB): a crash after this leaves an empty entry whose checkpoint is
    // gone, and the next run only has to drop the entry; the other order could leak the
    // parent's checkpoint forever.
    manifest::ManifestUpdateOptions update_options;
    update_options.clock = clock_;
    auto parent_path = manifest::NormalizeDbPath(db.path);
    auto parent =
        manifest::StoredManifest::Load(std::make_shared<manifest::ManifestStore>(
                                           store_, parent_path.ok() ? *parent_path : db.path),
                                       update_options);
    Status st = parent.status();
    if (st.ok()) {
      st = parent->Update([&](format::Manifest& m) -> Status {
        const size_t removed = std::erase_if(m.checkpoints, [&](const format::Checkpoint& c) {
          return c.id == *db.final_checkpoint_id;
        });
        // Already gone (an earlier run, or our own write whose reply was lost): write nothing.
        return removed > 0 ? Status::OK() : Status::NotFound("");
      });
      if (st.IsNotFound()) st = Status::OK();
    }
    if (st.IsInvalid()) st = Status::OK();  // the parent itself is gone: nothing to unpin
    if (!st.ok()) {
      extra_.log.Warn("slatedb gc: deleting checkpoint {} of {} (clone {}): {}",
                      db.final_checkpoint_id->ToString(), db.path, db_path_, st.ToString());
      continue;
    }
    extra_.log.Info("slatedb gc: clone {} detached from {} (checkpoint {} deleted)", db_path_,
                    db.path, db.final_checkpoint_id->ToString());
    detachable.insert(*db.final_checkpoint_id);
  }
  if (detachable.empty()) return Status::OK();
  manifest::ManifestUpdateOptions update_options;
  update_options.clock = clock_;
  ASSIGN_OR_RETURN(
      manifest::StoredManifest stored,
      manifest::StoredManifest::Load(std::make_shared<manifest::ManifestStore>(store_, db_path_),
                                     update_options));
  uint64_t removed = 0;
  RETURN_IF_ERROR(stored.Update([&](format::Manifest& m) -> Status {
    removed = std::erase_if(m.external_dbs, [&](const format::ExternalDb& db) {
      return db.sst_ids.empty() && db.final_checkpoint_id &&
             detachable.contains(*db.final_checkpoint_id);
    });
    return Status::OK();
  }));
  stats->clones_detached += removed;
  return Status::OK();
}

// The background thread: one ticker per enabled sweep; a message is a WaitIdle round trip.
class GarbageCollector::Task final : public util::BackgroundTask<std::promise<void>> {
 public:
  Task(GarbageCollector* gc, std::vector<std::chrono::milliseconds> intervals,
       std::vector<Sweep> sweeps)
      : BackgroundTask("slatedb-gc", 4, std::move(intervals), gc->clock_),
        gc_(gc),
        sweeps_(std::move(sweeps)) {}
  ~Task() override { Stop(); }

 protected:
  void Handle(std::promise<void>& done) override { done.set_value(); }
  void OnTickers(std::span<const size_t> due) override {
    bool which[kSweepCount] = {false, false, false, false};
    for (size_t i : due) which[sweeps_[i]] = true;
    gc_->RunDue(which);
  }

 private:
  GarbageCollector* const gc_;
  const std::vector<Sweep> sweeps_;  // by ticker index
};

Status GarbageCollector::Start() {
  util::MutexLock lock(&mu_);
  if (started_) return Status::Invalid("garbage collector: Start called twice");
  started_ = true;
  const std::optional<GcDirectoryOptions>* dirs[kSweepCount] = {
      &options_.manifest_options, &options_.wal_options, &options_.compacted_options,
      &options_.compactions_options};
  std::vector<std::chrono::milliseconds> intervals;
  std::vector<Sweep> sweeps;
  for (int i = 0; i < kSweepCount; ++i) {
    if (dirs[i]->has_value()) {
      intervals.push_back((*dirs[i])->interval);
      sweeps.push_back(static_cast<Sweep>(i));
    }
  }
  task_ = std::make_unique<Task>(this, std::move(intervals), std::move(sweeps));
  task_->Start();
  return Status::OK();
}

Status GarbageCollector::Stop() {
  Task* task = nullptr;
  {
    util::MutexLock lock(&mu_);
    task = task_.get();
  }
  if (task != nullptr) task->Stop();  // idempotent; waits for a sweep in progress
  stopped_.store(true, std::memory_order_release);
  return Status::OK();
}

void GarbageCollector::WaitIdle() {
  Task* task = nullptr;
  {
    util::MutexLock lock(&mu_);
    task = task_.get();
  }
  if (task == nullptr) return;
  std::promise<void> done;
  auto f = done.get_future();
  if (task->Send(std::move(done)) == util::SendResult::kOk) f.wait();
}

void GarbageCollector::RunDue(const bool (&which)[kSweepCount]) {
  auto result = RunSweeps(which);
  if (!result.ok()) {
    extra_.log.Warn("garbage collector {}: sweep failed (will retry): {}", db_path_,
                    result.status().ToString());
  }
}

}  // namespace slatedb::gc
