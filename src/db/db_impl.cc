#include "db/db_impl.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#if defined(__linux__)
#include <pthread.h>
#endif

#include "config/settings_io.h"
#include "db/checkpoint_ops.h"
#include "db/clone_ops.h"
#include "db/full_compaction.h"
#include "db/transaction_impl.h"
#include "format/sequence_tracker.h"
#include "format/sst.h"
#include "manifest/paths.h"
#include "manifest/sst_paths.h"
#include "object_store/cached_object_store.h"
#include "object_store/metrics_object_store.h"
#include "object_store/retrying_object_store.h"
#include "table/sst_options.h"
#include "util/random.h"
#include "util/saturating.h"
#include "util/thread_name.h"

namespace slatedb::db {

namespace {

// Upload the WAL buffer early once it holds this much (besides the timer); bounded by
// l0_sst_size_bytes as in SlateDB.
constexpr size_t kWalFlushBytesMax = 8u << 20;

Status ClosedStatus() { return Status::Closed(CloseReason::kClean, "database is closed"); }

}  // namespace

// ---------------------------------------------------------------------------------------------
// Open / recovery

// What WriteHandles wait on. It outlives the DbImpl (handles may be kept); ~DbImpl detaches it
// after Close, waiting for in-flight waits (which Close has already released) to return.
class DbImpl::HandleWaiter final : public WriteHandle::Waiter {
 public:
  explicit HandleWaiter(DbImpl* db) : db_(db) {}

  Status AwaitDurable(uint64_t seq) override {
    DbImpl* db;
    {
      util::MutexLock lock(&mu_);
      if (db_ == nullptr) {
        if (seq <= final_durable_seq_) return Status::OK();
        return final_status_.ok() ? Status::Closed(CloseReason::kClean,
                                                   "database closed before the write (seq " +
                                                       std::to_string(seq) + ") became durable")
                                  : final_status_;
      }
      db = db_;
      ++waiting_;
    }
    Status st = db->WaitDurable(seq);
    {
      util::MutexLock lock(&mu_);
      --waiting_;
    }
    idle_.NotifyAll();
    return st;
  }

  void Detach(uint64_t final_durable_seq, Status final_status) {
    util::MutexLock lock(&mu_);
    while (waiting_ > 0) idle_.Wait(&mu_);
    db_ = nullptr;
    final_durable_seq_ = final_durable_seq;
    final_status_ = std::move(final_status);
  }

 private:
  util::Mutex mu_;
  util::CondVar idle_;
  DbImpl* db_ GUARDED_BY(mu_);
  int waiting_ GUARDED_BY(mu_) = 0;
  uint64_t final_durable_seq_ GUARDED_BY(mu_) = 0;
  Status final_status_ GUARDED_BY(mu_);
};

DbImpl::DbImpl(std::string path, Components components, Settings settings)
    : path_(std::move(path)),
      components_(std::move(components)),
      settings_(std::move(settings)),
      wal_flush_bytes_(std::clamp<uint64_t>(settings_.l0_sst_size_bytes, 1, kWalFlushBytesMax)),
      recorder_(RecorderOrDefault(components_.metrics_recorder)),
      metrics_(*recorder_),
      store_(NewMetricsObjectStore(components_.object_store, recorder_, "db", components_.clock)),
      clock_(components_.clock ? components_.clock : util::SystemClock::Default()),
      log_(components_.logger),
      wal_store_(store_, path_, table::SstSettings::From(settings_)),
      l0_writer_(store_, path_, settings_, components_.prefix_extractor),
      reads_(std::make_shared<ReadPath>(store_, path_, settings_, components_.merge_operator,
                                        components_.prefix_extractor, recorder_,
                                        components_.block_cache)),
      // Transaction ids: seeded, but distinct from the ULID/compactor streams.
      txns_(std::make_shared<TxnManager>(components_.seed != 0 ? components_.seed ^ 0x5DEECE66Dull
                                                               : util::EntropySeed())),
      handle_waiter_(std::make_shared<HandleWaiter>(this)) {
  txns_->Attach(this);
  WalWriter::Options wal_opts;
  wal_opts.path = path_;
  wal_opts.wal_enabled = settings_.wal_enabled;
  wal_opts.flush_interval = settings_.flush_interval;
  wal_opts.flush_bytes = wal_flush_bytes_;
  wal_opts.max_retries = settings_.object_store_max_retries;
  wal_writer_ = std::make_unique<WalWriter>(static_cast<WalWriterHost*>(this), &wal_store_,
                                            &metrics_, clock_, log_, std::move(wal_opts));
  WritePath::Options wopts;
  wopts.default_ttl = settings_.default_ttl;
  wopts.l0_sst_size_bytes = settings_.l0_sst_size_bytes;
  wopts.wal_enabled = settings_.wal_enabled;
  wopts.wal_flush_bytes = wal_flush_bytes_;
  write_path_ =
      std::make_unique<WritePath>(static_cast<WritePathHost*>(this), std::move(wopts), clock_.get(),
                                  txns_.get(), wal_writer_->buffer(), &metrics_, &committed_seq_);
}

Result<std::unique_ptr<Db>> DbImpl::Open(const std::string& path, Components components,
                                         Settings settings) {
  if (!components.object_store) return Status::Invalid("Components.object_store is required");
  // Before any object-store call: "db/" is "db" (as in SlateDB); "", "/", "a//b", ".." and
  // control characters are kInvalid, so a bad path can never write (and fence) anything.
  ASSIGN_OR_RETURN(std::string db_path, manifest::NormalizeDbPath(path));
  // Every setting within its documented range (include/slatedb/options.h), before any I/O.
  RETURN_IF_ERROR(config::ValidateSettings(settings));
  RETURN_IF_ERROR(
      format::ValidatePrefixExtractor(components.prefix_extractor.get(), settings.compatibility));
  RETURN_IF_ERROR(
      ValidateSegmentExtractor(components.segment_extractor.get(), settings.compatibility));
  // The disk cache (object_store_cache_options) wraps the store once, so the writer, its
  // compactor and garbage collector share it (and its budget). Its metrics go to our recorder.
  components.metrics_recorder = RecorderOrDefault(components.metrics_recorder);
  std::shared_ptr<object_store::CachedObjectStore> disk_cache;
  if (settings.object_store_cache_options.root_folder) {
    object_store::DiskCacheEnv env;
    env.clock = components.clock;
    env.log = util::Log(components.logger);
    env.recorder = components.metrics_recorder;
    ASSIGN_OR_RETURN(disk_cache,
                     object_store::CachedObjectStore::Open(
                         components.object_store, settings.object_store_cache_options, env));
    components.object_store = disk_cache;
  }
  std::unique_ptr<DbImpl> db(new DbImpl(db_path, std::move(components), std::move(settings)));
  Status st = db->Recover();
  if (!st.ok()) {
    util::MutexLock lock(&db->mu_);
    db->SetLifecycleLocked(Lifecycle::kClosed);
    return st;
  }
  if (disk_cache && db->settings_.object_store_cache_options.preload_disk_cache_on_startup) {
    // L0 SSTs (newest first), then for "AllSst" the sorted runs (newest first), in the
    // background; the cache stops at its budget and never evicts for a preload.
    const format::Manifest& m = *db->state()->manifest;
    manifest::SstPathResolver paths(db->path_, m);
    std::vector<std::string> keys;
    for (const format::SstHandle& h : m.l0) keys.push_back(paths.Path(h.id));
    if (*db->settings_.object_store_cache_options.preload_disk_cache_on_startup == "AllSst") {
      for (const format::SortedRun& run : m.compacted) {
        for (const format::SstHandle& h : run.ssts) keys.push_back(paths.Path(h.id));
      }
    }
    disk_cache->StartPreload(std::move(keys), std::numeric_limits<uint64_t>::max());
    db->disk_cache_ = disk_cache;  // Close cancels an unfinished preload
  }
  // Actors, in declaration (start) order; Close() stops them in reverse.
  // 1. The WAL writer (its buffer is empty after recovery: it uploads nothing until written to).
  db->wal_writer_->Start();
  // 2. docs/format.md §12.3 step 5: the embedded compactor (fences older compactors). Started
  // before the actors that notify it, stopped after them.
  if (db->settings_.compactor_options) {
    auto compactor = compactor::Compactor::Open(
        NewMetricsObjectStore(db->components_.object_store, db->recorder_, "compactor", db->clock_),
        db->path_, *db->settings_.compactor_options,
        compactor::OutputSettingsFrom(db->settings_, db->components_.prefix_extractor), db->clock_,
        db->components_.seed != 0
            ? (db->components_.seed + 1) ^ (db->manifest_->epoch() * 0xC2B2AE3D27D4EB4Full)
            : 0,
        db->log_, db->components_.merge_operator, db->recorder_);
    Status cst = compactor.ok() ? Status::OK() : compactor.status();
    if (cst.ok()) {
      db->compactor_ = std::move(compactor).value();
      // One manifest poll for both: the L0 flusher's ManifestPoller tells the compactor of every
      // new version it sees, and PublishL0 of ours; both read through one ManifestStore cache.
      db->compactor_->DisableTimedPolls();
      db->compactor_->ShareManifestStore(db->manifest_->store());
      // A commit that drained L0 ends a flush's wait for L0 room at once (L0Flusher::AwaitL0Room).
      db->compactor_->OnManifestCommitted([raw = db.get()] {
        if (L0Flusher* f = raw->l0_flusher_for_compactor_.load(std::memory_order_acquire)) {
          f->OnL0Compacted();
        }
      });
      cst = db->compactor_->Start();
    }
    if (!cst.ok()) {
      db->Close().PermitUnchecked();
      return cst.WithContext("starting the embedded compactor");
    }
  }
  // 3. The embedded garbage collector (docs/design.md §11), after the compactor; stopped before it.
  // It uses our injected clock for min_age; it draws no randomness, so there is no seed to pass.
  if (db->settings_.garbage_collector_options) {
    gc::GcExtraOptions gc_extra;
    gc_extra.log = db->log_;
    gc_extra.metrics = db->recorder_;
    auto collector = gc::GarbageCollector::Open(
        NewMetricsObjectStore(db->components_.object_store, db->recorder_, "gc", db->clock_),
        db->path_, *db->settings_.garbage_collector_options, db->clock_, gc_extra);
    Status gst = collector.ok() ? Status::OK() : collector.status();
    if (gst.ok()) {
      util::MutexLock glock(&db->gc_mu_);
      db->gc_ = std::move(collector).value();
      gst = db->gc_->Start();
    }
    if (!gst.ok()) {
      db->Close().PermitUnchecked();
      return gst.WithContext("starting the embedded garbage collector");
    }
  }
  // 4. The L0 flusher: its upload pool, then its thread.
  L0FlusherDeps deps;
  deps.host = static_cast<L0FlusherHost*>(db.get());
  deps.settings = &db->settings_;
  deps.wal = db->wal_writer_.get();
  deps.sst_writer = &db->l0_writer_;
  deps.reads = db->reads_.get();
  deps.metrics = &db->metrics_;
  deps.compactor = db->compactor_.get();
  deps.merge_operator = db->components_.merge_operator.get();
  deps.segment_extractor = db->components_.segment_extractor.get();
  if (deps.segment_extractor != nullptr && db->settings_.l0_flush_parallelism > 1) {
    db->log_.Info(
        "slatedb: {}: L0 flushes are serial with a segment extractor (l0_flush_parallelism {} "
        "applies to unsegmented databases)",
        db->path_, db->settings_.l0_flush_parallelism);
  }
  deps.manifest = db->manifest_.get();
  deps.manifest_mu = &db->manifest_mu_;
  deps.manifest_id = &db->manifest_id_;
  deps.clock = db->clock_;
  deps.log = db->log_;
  db->l0_flusher_ =
      std::make_unique<L0Flusher>(std::move(deps), std::move(db->ulids_), db->last_ulid_);
  db->l0_flusher_for_compactor_.store(db->l0_flusher_.get(), std::memory_order_release);
  db->l0_flusher_->Start();
  // Replayed memtables that reached l0_sst_size_bytes are flushed now.
  if (!db->state()->imms.empty()) db->l0_flusher_->Kick();
  return std::unique_ptr<Db>(std::move(db));
}

Status DbImpl::Recover() {
  manifest::ManifestUpdateOptions mopts;
  mopts.timeout = settings_.manifest_update_timeout;
  mopts.clock = clock_;
  auto manifest_store = std::make_shared<manifest::ManifestStore>(
      store_, path_, manifest::StoreFormatFor(settings_.compatibility), clock_);
  ASSIGN_OR_RETURN(manifest::StoredManifest stored,
                   manifest::StoredManifest::LoadOrCreate(manifest_store, mopts));
  if (!stored.manifest().initialized) return UnfinishedCloneError(path_);
  ASSIGN_OR_RETURN(
      manifest::FenceableManifest fenceable,
      manifest::FenceableManifest::Init(std::move(stored), manifest::FenceRole::kWriter));
  manifest_ = std::make_unique<manifest::FenceableManifest>(std::move(fenceable));
  RETURN_IF_ERROR(
      CheckSegmentExtractor(manifest_->manifest(), components_.segment_extractor.get(), true));
  if (components_.segment_extractor && !manifest_->manifest().segment_extractor_name) {
    // The first write of a segmented database persists its extractor's name (RFC-0024).
    const std::string name(components_.segment_extractor->Name());
    Status named = manifest_->Update([&](format::Manifest& m) -> Status {
      Status ok = CheckSegmentExtractor(m, components_.segment_extractor.get(), true);
      if (ok.ok()) m.segment_extractor_name = name;
      return ok;
    });
    RETURN_IF_ERROR(named);
  }
  const format::Manifest m = manifest_->manifest();
  const uint64_t base_seed = components_.seed != 0 ? components_.seed : util::EntropySeed();
  ulids_ =
      std::make_unique<format::UlidGenerator>(base_seed ^ (m.writer_epoch * 0x9E3779B97F4A7C15ull));
  // Every tree's SSTs (the root's and each segment's), sorted: the last is the highest id.
  if (const std::vector<format::Ulid> listed = manifest::ListedSstIds(m); !listed.empty()) {
    last_ulid_ = std::max(last_ulid_, listed.back());
  }
  if (m.wal_object_store_uri.has_value()) {
    return Status::Invalid("database at " + path_ +
                           " uses a separate WAL object store, which is not supported");
  }
  const uint64_t replay_after = m.replay_after_wal_id;
  // docs/format.md §12.3 step 2: next WAL id from a LIST of wal/.
  ASSIGN_OR_RETURN(std::vector<uint64_t> wal_ids, wal_store_.ListIds(replay_after + 1));
  uint64_t fence_id = wal_ids.empty() ? replay_after + 1 : wal_ids.back() + 1;
  // docs/format.md §12.3 step 4: fence with an empty SST; on "exists" check our epoch and try the
  // next id. Without a WAL there is nothing to fence (the epoch bump alone fences older writers);
  // WAL SSTs left by an earlier WAL-enabled writer are still replayed.
  while (settings_.wal_enabled) {
    Status st = wal_store_.WriteFence(fence_id);
    if (st.ok()) break;
    if (!st.IsAlreadyExists()) return st.WithContext("writing WAL fence");
    RETURN_IF_ERROR(manifest_->Refresh());
    ++fence_id;
  }
  // docs/format.md §12.3 step 6: replay replay_after+1 .. fence_id.
  write_path_->Reset(m.last_l0_seq, m.last_l0_clock_tick);
  wal_writer_->AdvanceDurable(m.last_l0_seq);
  auto manifest_view = std::make_shared<const format::Manifest>(manifest_->manifest());
  {
    util::MutexLock lock(&mu_);
    auto s = std::make_shared<DbState>();
    s->memtable = std::make_shared<Memtable>();
    s->manifest = manifest_view;
    SetStateLocked(std::move(s));
  }
  reads_->Retain(manifest_view);
  metrics_.read.SetManifestGauges(*manifest_view);
  manifest_id_.store(manifest_->id());
  RETURN_IF_ERROR(
      ReplayWal(m.last_l0_seq, replay_after + 1, settings_.wal_enabled ? fence_id : fence_id - 1));
  wal_writer_->SetNextWalId(fence_id + 1);
  const uint64_t last_seq = write_path_->FinishRecovery();
  committed_seq_.store(last_seq);
  wal_writer_->AdvanceDurable(last_seq);
  return Status::OK();
}

Status DbImpl::ReplayWal(uint64_t last_l0_seq, uint64_t first_id, uint64_t last_id) {
  std::vector<uint64_t> ids;
  for (uint64_t id = first_id; id <= last_id; ++id) ids.push_back(id);
  // Up to wal_replay_parallelism WAL SSTs are fetched at once; they are applied in id order.
  wal::WalPrefetcher prefetcher(wal_store_, std::move(ids), settings_.wal_replay_parallelism);
  while (std::optional<wal::WalPrefetcher::Item> item = prefetcher.Next()) {
    const uint64_t id = item->id;
    Result<std::vector<format::RowEntry>>& rows = item->rows;
    if (!rows.ok()) {
      if (rows.status().IsNotFound()) {
        return Status::Data("WAL " + wal_store_.ObjectKey(id) + " is missing (WAL ids must be " +
                            "contiguous from " + std::to_string(first_id) + " to " +
                            std::to_string(last_id) + ")");
      }
      return rows.status();
    }
    uint64_t max_seq = 0;
    RETURN_IF_ERROR(write_path_->ReplayRows(*rows, last_l0_seq, &max_seq)
                        .WithContext("replaying " + wal_store_.ObjectKey(id)));
    wal_writer_->AddReplayedSpan(id, max_seq);
    {
      util::MutexLock lock(&mu_);
      ChargeMemtableGrowthLocked();
    }
  }
  return Status::OK();
}

DbImpl::~DbImpl() {
  Status st = Close();
  if (!st.ok() && !st.IsClosed()) log_.Warn("slatedb: close in destructor: {}", st.ToString());
  Status final_status;
  {
    util::MutexLock lock(&mu_);
    final_status = fatal_;
  }
  handle_waiter_->Detach(wal_writer_->durable_seq(), std::move(final_status));
  txns_->Detach();  // snapshots and transactions that outlive us answer kClosed
}

// ---------------------------------------------------------------------------------------------
// Common helpers

std::shared_ptr<const DbState> DbImpl::state() const { return published_state_.Load(); }

void DbImpl::SetStateLocked(std::shared_ptr<const DbState> s) {
  state_ = s;
  published_state_.Store(std::move(s));
}

Status DbImpl::CheckOpen() const {
  if (has_fatal_.load(std::memory_order_acquire)) {
    util::MutexLock lock(&mu_);
    return fatal_;
  }
  if (lifecycle_.load() >= Lifecycle::kClosing) return ClosedStatus();
  return Status::OK();
}

void DbImpl::SetLifecycleLocked(Lifecycle next) {
  if (next > lifecycle_.load()) lifecycle_.store(next);  // only forward
  cv_.NotifyAll();
}

Status DbImpl::FatalStatus() const {
  util::MutexLock lock(&mu_);
  return fatal_;
}

void DbImpl::OnUploadChargeReleased() {
  { util::MutexLock lock(&mu_); }  // a stalled writer is either before its check or in Wait
  cv_.NotifyAll();
}

Status DbImpl::CheckWritable() const { return CheckOpen(); }

void DbImpl::Latch(const Status& status) {
  {
    util::MutexLock lock(&mu_);
    if (fatal_.ok()) {
      fatal_ = status;
      has_fatal_.store(true, std::memory_order_release);
      log_.Error("slatedb: {} is now unusable: {}", path_, status.ToString());
    }
    cv_.NotifyAll();
  }
  wal_writer_->WakeWaiters();  // durable waits return the error
  if (l0_flusher_) l0_flusher_->WakeWaiters();
  // An unusable (e.g. fenced) writer stops collecting garbage; the GC would only delete by the
  // docs/design.md §11 rules anyway, but the database now belongs to a newer writer and its
  // collector.
  StopGc();
}

void DbImpl::StopGc() {
  util::MutexLock glock(&gc_mu_);
  if (gc_) {
    Status st = gc_->Stop();
    if (!st.ok()) log_.Warn("slatedb: garbage collector stopped with: {}", st.ToString());
  }
}

void DbImpl::PublishManifest(std::shared_ptr<const format::Manifest> manifest,
                             const std::shared_ptr<const ImmutableMemtable>& flushed) {
  {
    util::MutexLock lock(&mu_);
    auto s = std::make_shared<DbState>(*state_);
    if (flushed) {
      auto it = std::find(s->imms.begin(), s->imms.end(), flushed);
      if (it != s->imms.end()) s->imms.erase(it);
      unflushed_bytes_ -= std::min<uint64_t>(unflushed_bytes_, flushed->bytes);
      metrics_.total_mem_size_bytes->Set(static_cast<int64_t>(unflushed_bytes_));
    }
    s->manifest = std::move(manifest);
    SetStateLocked(std::move(s));
  }
  cv_.NotifyAll();
}

uint64_t DbImpl::FlushRetentionSeq(const ImmutableMemtable& imm) const {
  const std::optional<uint64_t> oldest = txns_->MinSnapshotSeq();
  return oldest ? std::min(imm.max_seq, *oldest) : imm.max_seq;
}

uint64_t DbImpl::SnapshotMinSeq(uint64_t last_l0_seq) const {
  const std::optional<uint64_t> oldest = txns_->MinSnapshotSeq();
  return oldest ? std::min(last_l0_seq, *oldest) : last_l0_seq;
}

uint64_t DbImpl::ReadSeq(const ReadOptions& options) const {
  if (options.durability_filter == DurabilityLevel::kRemote && !options.dirty) {
    return wal_writer_->durable_seq();
  }
  return committed_seq_.load(std::memory_order_acquire);
}

// ---------------------------------------------------------------------------------------------
// Write path

Result<WriteHandle> DbImpl::Put(std::string_view key, std::string_view value,
                                const WriteOptions& options) {
  return Put(key, value, PutOptions(), options);
}

Result<WriteHandle> DbImpl::Put(std::string_view key, std::string_view value,
                                const PutOptions& put_options, const WriteOptions& options) {
  metrics_.put_requests->Increment(1);
  WriteBatch batch;
  batch.Put(key, value, put_options);
  return WriteBatchNow(batch, options);
}

Result<WriteHandle> DbImpl::Merge(std::string_view key, std::string_view operand,
                                  const MergeOptions& merge_options, const WriteOptions& options) {
  metrics_.merge_requests->Increment(1);
  WriteBatch batch;
  batch.Merge(key, operand, merge_options);
  return WriteBatchNow(batch, options);
}

Result<WriteHandle> DbImpl::Delete(std::string_view key, const WriteOptions& options) {
  metrics_.delete_requests->Increment(1);
  WriteBatch batch;
  batch.Delete(key);
  return WriteBatchNow(batch, options);
}

Result<WriteHandle> DbImpl::Write(const WriteBatch& batch, const WriteOptions& options) {
  metrics_.write_requests->Increment(1);
  return WriteBatchNow(batch, options);
}

Result<WriteHandle> DbImpl::WriteBatchNow(const WriteBatch& batch, const WriteOptions& options) {
  RETURN_IF_ERROR(CheckWritable());
  ASSIGN_OR_RETURN(PendingRows pending, RowsFromBatch(batch, components_.merge_operator.get()));
  if (pending.rows.empty()) {
    return WriteHandle(committed_seq_.load(std::memory_order_acquire), 0, handle_waiter_);
  }
  return Submit(std::move(pending), nullptr, options);
}

Result<WriteHandle> DbImpl::CommitTxn(const WriteBatch& batch,
                                      std::shared_ptr<const TxnConflictSet> txn,
                                      const WriteOptions& options) {
  RETURN_IF_ERROR(CheckWritable());
  ASSIGN_OR_RETURN(PendingRows pending, RowsFromBatch(batch, components_.merge_operator.get()));
  // Read-only: nothing to check (serializable at its snapshot), nothing to write.
  if (pending.rows.empty()) {
    return WriteHandle(committed_seq_.load(std::memory_order_acquire), 0, handle_waiter_);
  }
  return Submit(std::move(pending), txn.get(), options);
}

Result<WriteHandle> DbImpl::Submit(PendingRows pending, const TxnConflictSet* txn,
                                   const WriteOptions& options) {
  ASSIGN_OR_RETURN(WritePath::Ack ack, write_path_->Write(pending, txn));
  WriteHandle handle(ack.seq, ack.create_ts, handle_waiter_);
  if (options.await_durable) RETURN_IF_ERROR(WaitDurable(ack.seq));
  return handle;
}

Status DbImpl::AwaitUnflushedRoom(bool may_freeze, bool* freeze) {
  util::MutexLock lock(&mu_);
  ChargeMemtableGrowthLocked();  // the earlier writes' arena growth
  const uint64_t max = settings_.max_unflushed_bytes;
  if (HeldBytesLocked() <= max) return Status::OK();  // the fast path
  // When the memtables alone hold the excess and nothing is already waiting for the flusher
  // (else it relieves the pressure), freeze the mutable one. An excess that only the WAL upload
  // makes up is relieved by that upload's end, not by a (tiny) L0 flush.
  if (may_freeze && state_->imms.empty() && unflushed_bytes_ > max) {
    *freeze = true;
    return Status::OK();
  }
  // Backpressure: stall while too much is not yet in L0 (or in the WAL SST being uploaded).
  // Close() wakes us (kClosed).
  bool stalled = false;
  while (!has_fatal_.load() && lifecycle_.load() < Lifecycle::kClosing && HeldBytesLocked() > max) {
    if (!stalled) metrics_.backpressure_count->Increment(1);
    stalled = true;
    cv_.Wait(&mu_);
  }
  if (has_fatal_.load()) return fatal_;
  if (HeldBytesLocked() > max) {
    return Status::Closed(CloseReason::kClean,
                          "database closed while the write was stalled (" +
                              std::to_string(unflushed_bytes_) + " unflushed bytes + " +
                              std::to_string(wal_writer_->upload_bytes()) +
                              " bytes of WAL SST in upload > max_unflushed_bytes)");
  }
  return Status::OK();
}

Status DbImpl::RefusedStatus() {
  RETURN_IF_ERROR(CheckOpen());
  return ClosedStatus();
}

std::shared_ptr<Memtable> DbImpl::AddUnflushed(size_t /*row_bytes*/) {
  // unflushed_bytes_ counts real memory, the memtables' arena bytes: the rows about to be added
  // are charged as arena growth (ChargeMemtableGrowthLocked) by the next write's backpressure
  // check, the freeze, the end of a replayed WAL SST or GetStatus — not by their row estimate.
  util::MutexLock lock(&mu_);
  return state_->memtable;
}

void DbImpl::InstallFrozen(std::shared_ptr<ImmutableMemtable> imm) {
  {
    util::MutexLock lock(&mu_);
    ChargeMemtableGrowthLocked();
    imm->bytes = memtable_charged_bytes_;  // its whole arena, released after the L0 flush
    auto s = std::make_shared<DbState>(*state_);
    imm->table = s->memtable;
    imm->table->Freeze();
    s->imms.insert(s->imms.begin(), std::move(imm));
    s->memtable = std::make_shared<Memtable>();
    SetStateLocked(std::move(s));
    memtable_charged_bytes_ = 0;
  }
  cv_.NotifyAll();
  if (l0_flusher_) l0_flusher_->OnFrozen();  // a parallel flusher may start this one
}

void DbImpl::KickWalFlush() { wal_writer_->Kick(); }

void DbImpl::KickMemtableFlush() {
  if (l0_flusher_) l0_flusher_->Kick();
}

uint64_t DbImpl::HeldBytesLocked() const {
  return util::SaturatingAdd(unflushed_bytes_, wal_writer_->upload_bytes());
}

void DbImpl::ChargeMemtableGrowthLocked() {
  const Memtable* mem = state_->memtable.get();
  // An empty memtable (one small arena block) is not counted: it holds nothing to flush, and a
  // max_unflushed_bytes below its size must not stall the first write forever.
  const size_t bytes = mem == nullptr || mem->empty() ? 0 : mem->ApproximateBytes();
  if (bytes == memtable_charged_bytes_) return;
  unflushed_bytes_ += bytes - memtable_charged_bytes_;
  memtable_charged_bytes_ = bytes;
  metrics_.total_mem_size_bytes->Set(static_cast<int64_t>(unflushed_bytes_));
}

// ---------------------------------------------------------------------------------------------
// Flush / Close / status

Result<std::vector<std::string>> DbImpl::SubmitFullCompaction() {
  RETURN_IF_ERROR(CheckWritable());
  RETURN_IF_ERROR(Flush(FlushType::kMemTable));  // what was written so far takes part
  uint64_t seed = 0;
  {
    util::MutexLock mlock(&manifest_mu_);
    seed = AdminRandomLocked().Next64();
  }
  const std::shared_ptr<const format::Manifest> m = state()->manifest;
  const manifest::CompactionsStore compactions(
      store_, path_, manifest::StoreFormatFor(settings_.compatibility), clock_);
  auto ids = db::SubmitFullCompaction(compactions, *m, seed, clock_->NowMillis());
  if (!ids.ok()) return ids.status().WithContext(path_);
  if (!ids->empty()) {
    log_.Info("slatedb: submitted a full compaction of {} ({} tree(s))", path_, ids->size());
    if (compactor_) compactor_->Notify();  // it looks at `.compactions` when told to
  }
  return ids;
}

util::Random& DbImpl::AdminRandomLocked() {
  if (!checkpoint_rng_) {
    const uint64_t seed = components_.seed != 0 ? (components_.seed ^ 0xC3A5C85C97CB3127ull) +
                                                      manifest_->epoch() * 0x9E3779B97F4A7C15ull
                                                : util::EntropySeed();
    checkpoint_rng_.emplace(seed);
  }
  return *checkpoint_rng_;
}

Result<CheckpointCreateResult> DbImpl::CreateCheckpoint(CheckpointScope scope,
                                                        const CheckpointOptions& options) {
  RETURN_IF_ERROR(ValidateLifetime(options.lifetime));
  if (options.source) RETURN_IF_ERROR(ParseCheckpointId(*options.source).status());
  RETURN_IF_ERROR(CheckWritable());
  // kAll: everything committed so far goes into L0 first, so the pinned manifest holds it.
  if (scope == CheckpointScope::kAll) RETURN_IF_ERROR(Flush(FlushType::kMemTable));
  // WAL SSTs uploaded so far: pinned through the checkpoint manifest's wal_id_last_seen.
  const uint64_t wal_last_seen = wal_writer_->next_wal_id() - 1;
  const int64_t now_ms = clock_->NowMillis();
  format::Checkpoint created;
  {
    util::MutexLock mlock(&manifest_mu_);
    const format::Uuid id =
        format::Uuid::NewV4(AdminRandomLocked());  // drawn once: retries reuse it
    Status st = manifest_->Update([&](format::Manifest& m) -> Status {
      m.wal_id_last_seen = std::max(m.wal_id_last_seen, wal_last_seen);
      return AddCheckpoint(m, manifest_->id() + 1, id, options, now_ms, &created);
    });
    if (!st.ok()) {
      if (st.IsFenced()) Latch(st);
      return st.WithContext("creating a checkpoint of " + path_);
    }
    // Only the checkpoint list (and wal_id_last_seen) changed: the read state stays as it is.
    manifest_id_.store(manifest_->id());
  }
  log_.Info("slatedb: checkpoint {} of {} pins manifest {}", created.id.ToString(), path_,
            created.manifest_id);
  return CheckpointCreateResult{created.id.ToString(), created.manifest_id};
}

Status DbImpl::Flush(FlushType type) {
  metrics_.flush_requests->Increment(1);
  RETURN_IF_ERROR(CheckWritable());
  if (type == FlushType::kWal) {
    if (!settings_.wal_enabled) return Status::OK();
    return wal_writer_->RequestFlush();
  }
  // kMemTable: freeze (ordered with writes), WAL, then L0.
  metrics_.memtable_flush_requests->Increment(1);
  RETURN_IF_ERROR(write_path_->Freeze());
  if (settings_.wal_enabled) RETURN_IF_ERROR(wal_writer_->RequestFlush());
  std::optional<std::future<Status>> f = l0_flusher_->SendFlush(/*final_flush=*/false);
  if (!f) return ClosedStatus();
  return f->get();
}

Status DbImpl::Close() {
  util::MutexLock close_lock(&close_mu_);
  {
    util::MutexLock lock(&mu_);
    if (lifecycle_.load() == Lifecycle::kClosed) {
      return close_status_.value_or(fatal_.ok() ? Status::OK() : fatal_);
    }
    SetLifecycleLocked(Lifecycle::kClosing);  // refuse new calls; stalled writers give up
  }
  if (disk_cache_) disk_cache_->CancelPreload();  // a disk-cache preload stops with us
  // Close waits at most settings_.close_timeout for its final object-store work (real time:
  // these are waits for other threads); then it starts no more of it. What did not finish is
  // named in the kUnavailable it returns. See Db::Close() for the whole bound.
  const auto deadline =
      util::SaturatingDeadline(std::chrono::steady_clock::now(),  // tidy: allow (real-time bound)
                               settings_.close_timeout);
  std::vector<std::string> unfinished;
  auto await = [&](std::future<Status>& f, const char* what) -> Status {
    if (f.wait_until(deadline) == std::future_status::ready) return f.get();
    unfinished.emplace_back(what);
    close_deadline_passed_.store(true);  // the flushers give up at their next step
    return Status::OK();
  };
  // kClosing. 1. The write path: the write in progress finishes (a stalled one gives up), later
  //    ones are refused with kClosed.
  write_path_->Stop();
  // 2. Final WAL flush (not for a fenced writer: it must write nothing). Without a WAL the
  //    memtable itself is flushed to L0, as SlateDB does (fixture `nowal`).
  Status result;
  if (settings_.wal_enabled && !has_fatal_.load()) {
    if (std::optional<std::future<Status>> f = wal_writer_->SendFinalFlush()) {
      Status st = await(*f, "the final WAL flush");
      if (!st.ok() && result.ok()) result = st;
    }
  }
  if (l0_flusher_ && !settings_.wal_enabled && !has_fatal_.load()) {
    write_path_->FreezeAfterStop();  // no write runs any more: this is the last freeze
    if (std::optional<std::future<Status>> f = l0_flusher_->SendFlush(/*final_flush=*/true)) {
      Status st = await(*f, "the final memtable flush");
      if (!st.ok() && result.ok()) result = st;
    }
  }
  // kStopping: background waits give up. The actors stop in reverse start order.
  {
    util::MutexLock lock(&mu_);
    SetLifecycleLocked(Lifecycle::kStopping);
  }
  wal_writer_->WakeWaiters();
  if (l0_flusher_) l0_flusher_->WakeWaiters();
  // 3. L0 flusher: pending L0 flushes are abandoned (the WAL holds their rows); a stalled
  //    flusher gives up. Uploads already running (l0_flush_parallelism > 1) are waited for and
  //    the finished ones published, oldest first, before its upload threads are joined.
  if (l0_flusher_) l0_flusher_->Stop();
  // 4. The embedded garbage collector, then the embedded compactor (reverse start order). The
  //    GC stops first: it deletes only by rules that hold whatever runs, but stopping it before
  //    the compactor means no sweep overlaps the compactor's final commits/cancellations and no
  //    GC thread outlives the compactor. GC errors are logged, never returned (background GC
  //    errors are retried; Close is about the data).
  StopGc();
  if (compactor_) {
    Status st = compactor_->Stop();
    if (!st.ok()) {
      log_.Warn("slatedb: compactor stopped with: {}", st.ToString());
      if (result.ok() && !st.IsFenced()) result = st.WithContext("stopping the compactor");
    }
  }
  // 5. WAL writer (started first, stopped last: the flushes above may still have asked it for
  //    uploads).
  wal_writer_->Stop();
  // 6. Final manifest: records the last WAL id we wrote (skipped once close_timeout passed:
  //    the next writer finds the WAL ids by listing anyway).
  if (std::chrono::steady_clock::now() >= deadline) {  // tidy: allow (real-time bound)
    close_deadline_passed_.store(true);
  }
  if (close_deadline_passed_.load() && !has_fatal_.load() && manifest_) {
    unfinished.emplace_back("the final manifest write (not started)");
  } else if (!has_fatal_.load() && manifest_) {
    util::MutexLock mlock(&manifest_mu_);
    const uint64_t last_seen = wal_writer_->next_wal_id() - 1;
    Status st = manifest_->Update([&](format::Manifest& m) -> Status {
      m.wal_id_last_seen = std::max(m.wal_id_last_seen, last_seen);
      m.recent_snapshot_min_seq = SnapshotMinSeq(m.last_l0_seq);
      return Status::OK();
    });
    if (!st.ok()) {
      if (st.IsFenced()) Latch(st);
      if (result.ok()) result = st.WithContext("writing the final manifest");
    }
  }
  alive_->store(false);
  if (!unfinished.empty()) {
    std::string what;
    for (const auto& u : unfinished) what += (what.empty() ? "" : ", ") + u;
    Status timed_out = Status::Unavailable(
        "closing " + path_ + ": " + what + " did not finish within close_timeout (" +
        std::to_string(settings_.close_timeout.count()) + " ms); the object store (" +
        store_->Describe() + ") did not answer in time");
    log_.Error("slatedb: {}", timed_out.ToString());
    if (result.ok() || result.IsUnavailable()) result = timed_out;
  }
  util::MutexLock lock(&mu_);
  if (!fatal_.ok()) result = fatal_;
  close_status_ = result;
  SetLifecycleLocked(Lifecycle::kClosed);
  return result;
}

Result<MetricsSnapshot> DbImpl::Metrics() { return SnapshotOf(recorder_); }

Result<DbStatusInfo> DbImpl::GetStatus() {
  RETURN_IF_ERROR(CheckOpen());
  auto s = state();
  DbStatusInfo info;
  info.manifest_id = manifest_id_.load();
  info.writer_epoch = s->manifest->writer_epoch;
  info.compactor_epoch = s->manifest->compactor_epoch;
  info.last_committed_seq = committed_seq_.load();
  info.durable_seq = wal_writer_->durable_seq();
  info.replay_after_wal_id = s->manifest->replay_after_wal_id;
  info.next_wal_id = wal_writer_->next_wal_id();
  info.l0_ssts = s->manifest->l0.size();
  info.sorted_runs = s->manifest->compacted.size();
  util::MutexLock lock(&mu_);
  ChargeMemtableGrowthLocked();  // include the latest write
  info.memtable_bytes = unflushed_bytes_;
  info.wal_upload_bytes = wal_writer_->upload_bytes();
  info.background_error = wal_writer_->background_error();
  return info;
}

// ---------------------------------------------------------------------------------------------
// Read path

Result<std::optional<std::string>> DbImpl::Get(std::string_view key, const ReadOptions& options) {
  ASSIGN_OR_RETURN(std::optional<KeyValue> kv, GetKeyValue(key, options));
  if (!kv) return std::optional<std::string>();
  return std::optional<std::string>(std::move(kv->value));
}

Result<std::optional<KeyValue>> DbImpl::GetKeyValue(std::string_view key,
                                                    const ReadOptions& options) {
  metrics_.read.get_requests->Increment(1);
  RETURN_IF_ERROR(CheckOpen());
  RETURN_IF_ERROR(ValidateKey(key));
  const uint64_t seq = ReadSeq(options);
  const auto pinned = published_state_.Pin();
  return reads_->Get(*pinned, key, seq);
}

Result<std::vector<std::optional<std::string>>> DbImpl::MultiGet(
    const std::vector<std::string>& keys, const ReadOptions& options) {
  return MultiGetAt(keys, options, std::numeric_limits<uint64_t>::max());
}

Result<std::vector<std::optional<std::string>>> DbImpl::MultiGetAt(
    const std::vector<std::string>& keys, const ReadOptions& options, uint64_t seq_bound) {
  metrics_.read.get_requests->Increment(keys.size());
  RETURN_IF_ERROR(CheckOpen());
  for (size_t i = 0; i < keys.size(); ++i) {
    Status st = ValidateKey(keys[i]);
    if (!st.ok()) return st.WithContext("multi-get key " + std::to_string(i));
  }
  const uint64_t seq = std::min(seq_bound, ReadSeq(options));
  const auto pinned = published_state_.Pin();
  ASSIGN_OR_RETURN(auto kvs, reads_->MultiGet(*pinned, keys, seq));
  return ValuesOf(std::move(kvs));
}

Result<std::unique_ptr<DbIterator>> DbImpl::Scan(const ScanRange& range,
                                                 const ScanOptions& options) {
  metrics_.read.scan_requests->Increment(1);
  RETURN_IF_ERROR(CheckOpen());
  const uint64_t seq = ReadSeq(options.read);
  return reads_->Scan(state(), range, options.reverse, seq, alive_);
}

// ---------------------------------------------------------------------------------------------
// Snapshots and transactions

Result<std::unique_ptr<slatedb::Snapshot>> DbImpl::Snapshot() {
  RETURN_IF_ERROR(CheckOpen());
  const uint64_t seq = txns_->RegisterSnapshot(committed_seq_);
  return std::unique_ptr<slatedb::Snapshot>(std::make_unique<SnapshotImpl>(txns_, seq));
}

Result<std::unique_ptr<Transaction>> DbImpl::Begin(IsolationLevel level) {
  RETURN_IF_ERROR(CheckWritable());
  std::string id;
  const uint64_t seq = txns_->BeginTxn(committed_seq_, &id);
  return std::unique_ptr<Transaction>(std::make_unique<TransactionImpl>(
      txns_, components_.merge_operator, level, seq, std::move(id)));
}

Result<std::optional<KeyValue>> DbImpl::GetAt(std::string_view key, const ReadOptions& options,
                                              uint64_t seq) {
  metrics_.read.get_requests->Increment(1);
  RETURN_IF_ERROR(CheckOpen());
  RETURN_IF_ERROR(ValidateKey(key));
  const auto pinned = published_state_.Pin();
  return reads_->Get(*pinned, key, std::min(seq, ReadSeq(options)));
}

Result<std::unique_ptr<DbIterator>> DbImpl::ScanAt(const ScanRange& range,
                                                   const ScanOptions& options, uint64_t seq) {
  metrics_.read.scan_requests->Increment(1);
  RETURN_IF_ERROR(CheckOpen());
  return reads_->Scan(state(), range, options.reverse, std::min(seq, ReadSeq(options.read)),
                      alive_);
}

}  // namespace slatedb::db
