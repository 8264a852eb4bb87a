#include "db/db_reader.h"

#include <algorithm>
#include <atomic>
#include <limits>
#include <mutex>

#include "config/settings_io.h"
#include "db/checkpoint_ops.h"
#include "db/clone_ops.h"
#include "db/db_metrics.h"
#include "db/db_state.h"
#include "db/read_path.h"
#include "db/segment_flush.h"
#include "db/write_rows.h"
#include "format/sst.h"
#include "format/uuid.h"
#include "manifest/manifest_store.h"
#include "manifest/paths.h"
#include "manifest/stored_manifest.h"
#include "object_store/cached_object_store.h"
#include "object_store/metrics_object_store.h"
#include "util/background_task.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/mutex.h"
#include "util/random.h"
#include "util/read_mostly.h"
#include "util/saturating.h"
#include "wal/wal_prefetcher.h"
#include "wal/wal_store.h"

namespace slatedb::db {

namespace {

class DbReaderImpl final : public DbReader {
 public:
  DbReaderImpl(std::string path, Components components, DbReaderOptions options)
      : path_(std::move(path)),
        recorder_(RecorderOrDefault(components.metrics_recorder)),
        metrics_(*recorder_),
        store_(
            NewMetricsObjectStore(components.object_store, recorder_, "reader", components.clock)),
        options_(options),
        manifests_(store_, path_, manifest::StoreFormat{},
                   components.clock ? components.clock : util::SystemClock::Default()),
        wal_store_(store_, path_),
        reads_(std::make_shared<ReadPath>(store_, path_, Settings(), components.merge_operator,
                                          components.prefix_extractor, recorder_,
                                          components.block_cache)),
        clock_(components.clock ? components.clock : util::SystemClock::Default()),
        seed_(components.seed),
        log_(components.logger),
        segment_extractor_(components.segment_extractor) {}

  ~DbReaderImpl() override { Close().PermitUnchecked(); }

  Status Init() {
    if (options_.checkpoint_id && options_.checkpoint_lifetime) {
      return Status::Invalid(
          "DbReaderOptions: checkpoint_id (frozen view) and checkpoint_lifetime (managed "
          "checkpoint) exclude each other");
    }
    if (options_.checkpoint_lifetime)
      RETURN_IF_ERROR(ValidateLifetime(options_.checkpoint_lifetime));
    ASSIGN_OR_RETURN(auto latest, manifests_.ReadLatest());
    if (!latest) return Status::Invalid("no database at " + path_);
    if (!latest->manifest.initialized) return UnfinishedCloneError(path_);
    RETURN_IF_ERROR(CheckSegmentExtractor(latest->manifest, segment_extractor_.get(), false));
    if (options_.checkpoint_id) return InitFrozen(latest->manifest);
    if (options_.checkpoint_lifetime) {
      Status st = CreateCheckpoint();
      if (st.ok()) {
        // Read exactly the version the checkpoint pins.
        latest = manifest::VersionedManifest{stored_->id(), stored_->manifest()};
      } else {
        log_.Warn("slatedb reader: no checkpoint for {}: {}", path_, st.ToString());
        ASSIGN_OR_RETURN(latest, manifests_.ReadLatest());
        if (!latest) return Status::Invalid("no database at " + path_);
      }
    }
    manifest_id_ = latest->id;
    RETURN_IF_ERROR(Rebuild(std::move(latest->manifest)));
    poller_ = std::make_unique<Poller>(this, options_.manifest_poll_interval);
    poller_->Start();
    return Status::OK();
  }

  Result<std::optional<std::string>> Get(std::string_view key,
                                         const ReadOptions& options) override {
    ASSIGN_OR_RETURN(std::optional<KeyValue> kv, GetKeyValue(key, options));
    if (!kv) return std::optional<std::string>();
    return std::optional<std::string>(std::move(kv->value));
  }

  Result<std::optional<KeyValue>> GetKeyValue(std::string_view key,
                                              const ReadOptions& /*options*/) override {
    metrics_.get_requests->Increment(1);
    RETURN_IF_ERROR(CheckOpen());
    RETURN_IF_ERROR(ValidateKey(key));
    const auto pinned = published_state_.Pin();
    return reads_->Get(*pinned, key, seq_.load());
  }

  Result<std::vector<std::optional<std::string>>> MultiGet(
      const std::vector<std::string>& keys, const ReadOptions& /*options*/) override {
    metrics_.get_requests->Increment(keys.size());
    RETURN_IF_ERROR(CheckOpen());
    for (size_t i = 0; i < keys.size(); ++i) {
      Status st = ValidateKey(keys[i]);
      if (!st.ok()) return st.WithContext("multi-get key " + std::to_string(i));
    }
    const auto pinned = published_state_.Pin();
    ASSIGN_OR_RETURN(auto kvs, reads_->MultiGet(*pinned, keys, seq_.load()));
    return ValuesOf(std::move(kvs));
  }

  Result<std::unique_ptr<DbIterator>> Scan(const ScanRange& range,
                                           const ScanOptions& options) override {
    metrics_.scan_requests->Increment(1);
    RETURN_IF_ERROR(CheckOpen());
    return reads_->Scan(state(), range, options.reverse, seq_.load(), alive_);
  }

  Result<MetricsSnapshot> Metrics() override { return SnapshotOf(recorder_); }

  Status Close() override {
    if (closed_.exchange(true)) return Status::OK();
    if (poller_) poller_->Stop();
    alive_->store(false);
    if (checkpoint_ && stored_) {
      const format::Uuid id = *checkpoint_;
      Status st = stored_->Update([&](format::Manifest& m) -> Status {
        std::erase_if(m.checkpoints, [&](const format::Checkpoint& c) { return c.id == id; });
        return Status::OK();
      });
      if (!st.ok()) {
        log_.Warn("slatedb reader: removing checkpoint {} of {}: {}", id.ToString(), path_,
                  st.ToString());
      }
      checkpoint_.reset();
    }
    return Status::OK();
  }

 private:
  class Poller final : public util::BackgroundTask<int> {
   public:
    Poller(DbReaderImpl* reader, std::chrono::milliseconds interval)
        : BackgroundTask("slatedb-reader", 1, interval, reader->clock_), reader_(reader) {}
    ~Poller() override { Stop(); }

   protected:
    void Handle(int&) override {}
    void OnTick() override {
      Status st = reader_->Poll();
      if (!st.ok())
        reader_->log_.Warn("slatedb reader: poll of {} failed: {}", reader_->path_, st.ToString());
    }

   private:
    DbReaderImpl* reader_;
  };

  // Frozen mode: the manifest checkpoint `options_.checkpoint_id` pins, WAL replay bounded by its
  // wal_id_last_seen; no poller.
  Status InitFrozen(const format::Manifest& latest) {
    ASSIGN_OR_RETURN(format::Uuid id, ParseCheckpointId(*options_.checkpoint_id));
    auto it = std::find_if(latest.checkpoints.begin(), latest.checkpoints.end(),
                           [&](const format::Checkpoint& c) { return c.id == id; });
    if (it == latest.checkpoints.end()) {
      return Status::NotFound("checkpoint " + id.ToString() + " not found in " + path_);
    }
    if (CheckpointExpired(*it, clock_->NowMillis())) {
      log_.Warn("slatedb reader: checkpoint {} of {} has expired; its objects may be collected",
                id.ToString(), path_);
    }
    auto pinned = manifests_.Read(it->manifest_id);
    if (!pinned.ok()) {
      return pinned.status().WithContext("manifest " + std::to_string(it->manifest_id) +
                                         " of checkpoint " + id.ToString());
    }
    wal_limit_ = pinned->wal_id_last_seen;
    manifest_id_ = it->manifest_id;
    return Rebuild(std::move(*pinned));
  }

  // Managed mode: adds this reader's checkpoint, pinning the version the update writes.
  Status CreateCheckpoint() {
    auto store = std::make_shared<manifest::ManifestStore>(store_, path_);
    manifest::ManifestUpdateOptions update_options;
    update_options.clock = clock_;
    ASSIGN_OR_RETURN(manifest::StoredManifest stored,
                     manifest::StoredManifest::Load(store, update_options));
    stored_ = std::make_unique<manifest::StoredManifest>(std::move(stored));
    util::Random rng(seed_ != 0 ? seed_ : util::EntropySeed());
    const format::Uuid id = format::Uuid::NewV4(rng);  // drawn once: retries reuse it
    const int64_t now_ms = clock_->NowMillis();
    CheckpointOptions options;
    options.lifetime = options_.checkpoint_lifetime;
    manifest::StoredManifest* sm = stored_.get();
    format::Checkpoint created;
    RETURN_IF_ERROR(sm->Update([&](format::Manifest& m) -> Status {
      return AddCheckpoint(m, sm->id() + 1, id, options, now_ms, &created);
    }));
    checkpoint_ = id;
    refresh_due_ms_ =
        util::SaturatingAdd<int64_t>(now_ms, options_.checkpoint_lifetime->count() / 2);
    return Status::OK();
  }

  // Managed mode (poller): moves the checkpoint to the version this update writes (on top of the
  // latest) and sets its expiry to now + lifetime; re-adds it if someone removed it.
  Status PinLatest() {
    const format::Uuid id = *checkpoint_;
    const int64_t now_ms = clock_->NowMillis();
    CheckpointOptions options;
    options.lifetime = options_.checkpoint_lifetime;
    manifest::StoredManifest* sm = stored_.get();
    RETURN_IF_ERROR(sm->Update([&](format::Manifest& m) -> Status {
      std::erase_if(m.checkpoints, [&](const format::Checkpoint& c) { return c.id == id; });
      format::Checkpoint added;
      return AddCheckpoint(m, sm->id() + 1, id, options, now_ms, &added);
    }));
    refresh_due_ms_ =
        util::SaturatingAdd<int64_t>(now_ms, options_.checkpoint_lifetime->count() / 2);
    return Status::OK();
  }

  Status CheckOpen() const {
    if (closed_.load()) return Status::Closed(CloseReason::kClean, "database reader is closed");
    return Status::OK();
  }

  std::shared_ptr<const DbState> state() const { return published_state_.Load(); }

  void SetStateLocked(std::shared_ptr<const DbState> s) REQUIRES(mu_) {
    state_ = s;
    published_state_.Store(std::move(s));
  }

  // A fresh memtable replayed from the manifest's replay point.
  Status Rebuild(format::Manifest manifest) {
    auto mem = std::make_shared<Memtable>();
    uint64_t max_seq = manifest.last_l0_seq;
    uint64_t last_wal = manifest.replay_after_wal_id;
    if (!options_.skip_wal_replay) {
      RETURN_IF_ERROR(ReplayInto(*mem, manifest.replay_after_wal_id, manifest.last_l0_seq,
                                 &last_wal, &max_seq));
    }
    auto s = std::make_shared<DbState>();
    s->memtable = std::move(mem);
    s->manifest = std::make_shared<const format::Manifest>(std::move(manifest));
    reads_->Retain(s->manifest);
    metrics_.SetManifestGauges(*s->manifest);
    {
      util::MutexLock lock(&mu_);
      replay_after_ = s->manifest->replay_after_wal_id;
      last_wal_ = last_wal;
      SetStateLocked(std::move(s));
    }
    seq_.store(std::max(seq_.load(), max_seq));
    return Status::OK();
  }

  // Replays WAL ids after `after_id` (contiguous; stops at the first gap) into `mem`.
  Status ReplayInto(Memtable& mem, uint64_t after_id, uint64_t min_seq, uint64_t* last_wal,
                    uint64_t* max_seq) {
    ASSIGN_OR_RETURN(std::vector<uint64_t> listed, wal_store_.ListIds(after_id + 1));
    // The contiguous run after `after_id` (up to the frozen limit), read up to
    // wal_replay_parallelism at a time and applied in id order.
    std::vector<uint64_t> ids;
    for (uint64_t id : listed) {
      if (id != after_id + 1 + ids.size() || id > wal_limit_) break;
      ids.push_back(id);
    }
    wal::WalPrefetcher prefetcher(wal_store_, std::move(ids), options_.wal_replay_parallelism);
    while (std::optional<wal::WalPrefetcher::Item> item = prefetcher.Next()) {
      RETURN_IF_ERROR(item->rows.status());
      for (const auto& row : *item->rows) {
        if (row.seq <= min_seq) continue;
        RETURN_IF_ERROR(mem.Add(row));
        *max_seq = std::max(*max_seq, row.seq);
      }
      *last_wal = item->id;
    }
    return Status::OK();
  }

  Status Poll() {
    ASSIGN_OR_RETURN(auto latest, manifests_.ReadLatest());
    if (!latest) return Status::OK();
    if (checkpoint_ && stored_ &&
        (latest->id != manifest_id_ || clock_->NowMillis() >= refresh_due_ms_)) {
      // Managed checkpoint: pin the newer version (or refresh at half the lifetime) before
      // reading it, then read exactly what it pins.
      RETURN_IF_ERROR(PinLatest());
      latest = manifest::VersionedManifest{stored_->id(), stored_->manifest()};
    }
    uint64_t replay_after;
    {
      util::MutexLock lock(&mu_);
      replay_after = replay_after_;
    }
    if (latest->id != manifest_id_ && latest->manifest.replay_after_wal_id != replay_after) {
      manifest_id_ = latest->id;
      return Rebuild(std::move(latest->manifest));
    }
    bool manifest_changed = latest->id != manifest_id_;
    manifest_id_ = latest->id;
    auto s = state();
    uint64_t last_wal;
    {
      util::MutexLock lock(&mu_);
      last_wal = last_wal_;
    }
    uint64_t max_seq = seq_.load();
    if (!options_.skip_wal_replay) {
      RETURN_IF_ERROR(
          ReplayInto(*s->memtable, last_wal, latest->manifest.last_l0_seq, &last_wal, &max_seq));
    }
    std::shared_ptr<const format::Manifest> published;
    {
      util::MutexLock lock(&mu_);
      last_wal_ = last_wal;
      if (manifest_changed) {
        auto ns = std::make_shared<DbState>(*state_);
        ns->manifest = std::make_shared<const format::Manifest>(std::move(latest->manifest));
        max_seq = std::max(max_seq, ns->manifest->last_l0_seq);
        published = ns->manifest;
        SetStateLocked(std::move(ns));
      }
    }
    if (published) {
      reads_->Retain(published);
      metrics_.SetManifestGauges(*published);
    }
    seq_.store(std::max(seq_.load(), max_seq));
    return Status::OK();
  }

  const std::string path_;
  const std::shared_ptr<MetricsRecorder> recorder_;  // injected or private; never null
  const ReadMetrics metrics_;
  std::shared_ptr<ObjectStore> store_;  // with component="reader" metrics
  const DbReaderOptions options_;
  manifest::ManifestStore manifests_;
  wal::WalStore wal_store_;
  std::shared_ptr<ReadPath> reads_;
  std::shared_ptr<std::atomic<bool>> alive_ = std::make_shared<std::atomic<bool>>(true);
  std::shared_ptr<util::Clock> clock_;
  uint64_t seed_;
  util::Log log_;
  std::shared_ptr<const PrefixExtractor> segment_extractor_;  // may be null (checked at Init)
  // Managed mode: the checkpoint this reader created, the manifest handle that updates it, and
  // when (Clock ms) it is next refreshed. Init, the poller and Close (after the poller stopped).
  std::unique_ptr<manifest::StoredManifest> stored_;
  std::optional<format::Uuid> checkpoint_;
  int64_t refresh_due_ms_ = 0;
  // Frozen mode: WAL ids above this are not replayed (constant after Init).
  uint64_t wal_limit_ = std::numeric_limits<uint64_t>::max();

  mutable util::Mutex mu_;
  std::shared_ptr<const DbState> state_ GUARDED_BY(mu_);
  util::ReadMostly<DbState> published_state_;  // state_ for Gets (util/read_mostly.h)
  uint64_t replay_after_ GUARDED_BY(mu_) = 0;
  uint64_t last_wal_ GUARDED_BY(mu_) = 0;
  std::atomic<bool> closed_{false};  // (lock-free: every call checks it)
  std::atomic<uint64_t> seq_{0};
  uint64_t manifest_id_ = 0;  // poller only (and Init)
  std::unique_ptr<Poller> poller_;
};

}  // namespace

Result<std::unique_ptr<DbReader>> OpenDbReader(const std::string& path, Components components,
                                               DbReaderOptions options) {
  if (!components.object_store) return Status::Invalid("Components.object_store is required");
  if (options.wal_replay_parallelism > wal::kMaxWalReplayParallelism) {
    return Status::Invalid("DbReaderOptions.wal_replay_parallelism = " +
                           std::to_string(options.wal_replay_parallelism) +
                           " is out of range [0, " + std::to_string(wal::kMaxWalReplayParallelism) +
                           "]");
  }
  // Before any object-store call: "db/" is "db"; bad paths fail here, having touched nothing.
  ASSIGN_OR_RETURN(std::string db_path, manifest::NormalizeDbPath(path));
  // A reader never writes, so any compatibility allows a prefix extractor.
  RETURN_IF_ERROR(format::ValidatePrefixExtractor(components.prefix_extractor.get(), "0.17"));
  if (options.object_store_cache_options.root_folder) {
    Settings check;
    check.object_store_cache_options = options.object_store_cache_options;
    RETURN_IF_ERROR(config::ValidateSettings(check).WithContext("DbReaderOptions"));
    if (options.object_store_cache_options.preload_disk_cache_on_startup) {
      return Status::Invalid(
          "DbReaderOptions.object_store_cache_options.preload_disk_cache_on_startup: a reader "
          "does not preload the disk cache (leave it null)");
    }
    components.metrics_recorder = RecorderOrDefault(components.metrics_recorder);
    object_store::DiskCacheEnv env;
    env.clock = components.clock;
    env.log = util::Log(components.logger);
    env.recorder = components.metrics_recorder;
    ASSIGN_OR_RETURN(components.object_store,
                     object_store::MaybeWrapWithDiskCache(components.object_store,
                                                          options.object_store_cache_options, env));
  }
  auto reader = std::make_unique<DbReaderImpl>(db_path, std::move(components), options);
  RETURN_IF_ERROR(reader->Init());
  return std::unique_ptr<DbReader>(std::move(reader));
}

}  // namespace slatedb::db
