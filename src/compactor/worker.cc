// compactor/worker.cc — see worker.h.
#include "compactor/worker.h"

#include <algorithm>
#include <map>
#include <utility>

#include "format/segments.h"
#include "format/uuid.h"
#include "manifest/paths.h"
#include "manifest/sst_paths.h"
#include "table/sst_reader.h"
#include "util/background_task.h"
#include "util/clock_wait.h"
#include "util/random.h"
#include "util/saturating.h"
#include "util/thread_name.h"

namespace slatedb::compactor {

Result<CompactionJob> ResolveJob(const format::Manifest& m, const format::Ulid& id,
                                 const CompactionSpec& spec, const std::string& db_path) {
  if (!spec.segment.empty()) {
    // A segment's job: resolved against its tree as if it were the root (RFC-0024).
    std::optional<format::Manifest> tree = format::WithTreeAsRoot(m, spec.segment);
    if (!tree) return Status::Internal("scheduled segment " + spec.segment + " missing");
    CompactionSpec root = spec;
    root.segment.clear();
    ASSIGN_OR_RETURN(CompactionJob job, ResolveJob(*tree, id, root, db_path));
    job.spec = spec;
    return job;
  }
  CompactionJob job;
  job.id = id;
  job.spec = spec;
  for (const auto& l0 : spec.l0_ids) {
    auto it = std::find_if(m.l0.begin(), m.l0.end(), [&](const auto& h) { return h.id == l0; });
    if (it == m.l0.end()) return Status::Internal("scheduled L0 " + l0.ToString() + " missing");
    job.l0.push_back(*it);
  }
  for (uint32_t run_id : spec.run_ids) {
    auto it = std::find_if(m.compacted.begin(), m.compacted.end(),
                           [&](const auto& r) { return r.id == run_id; });
    if (it == m.compacted.end()) {
      return Status::Internal("scheduled run " + std::to_string(run_id) + " missing");
    }
    job.runs.push_back(*it);
  }
  uint32_t lowest_source = spec.destination;
  for (uint32_t run : spec.run_ids) lowest_source = std::min(lowest_source, run);
  job.output_is_bottom = std::none_of(m.compacted.begin(), m.compacted.end(),
                                      [&](const auto& r) { return r.id < lowest_source; });
  job.retention_min_seq = m.recent_snapshot_min_seq;
  job.compaction_clock_tick = m.last_l0_clock_tick;
  if (!m.external_dbs.empty()) {
    job.sst_paths = std::make_shared<const manifest::SstPathResolver>(db_path, m);
  }
  return job;
}

CompactionSpec SpecOf(const format::CompactionRecord& rec) {
  CompactionSpec spec;
  spec.l0_ids = rec.l0_view_ids;
  spec.run_ids = rec.sorted_runs;
  spec.destination = rec.destination.value_or(0);
  spec.segment = rec.segment;
  return spec;
}

Result<manifest::VersionedCompactions> UpdateCompactions(
    const manifest::CompactionsStore& store,
    const std::function<Status(format::Compactions&)>& mutate) {
  manifest::CompactionsStore::UpdateOptions update;
  update.max_attempts = 100;
  update.initial = []() -> Result<format::Compactions> {
    return Status::Invalid("no .compactions (no compactor has started here)");
  };
  return store.Update(mutate, update);
}

format::Compactions MergeCompactions(const format::Compactions& base,
                                     const format::Compactions& mine,
                                     const format::Compactions& theirs) {
  auto index = [](const format::Compactions& c) {
    std::map<format::Ulid, const format::CompactionRecord*> out;
    for (const auto& r : c.recent_compactions) out[r.id] = &r;
    return out;
  };
  const auto b = index(base);
  const auto m = index(mine);
  const auto t = index(theirs);
  format::Compactions out;
  out.compactor_epoch = mine.compactor_epoch;
  for (const auto& [id, rec] : t) {
    auto bi = b.find(id);
    auto mi = m.find(id);
    if (bi == b.end() || !(*bi->second == *rec) || mi == m.end()) {
      // Added or changed by another process: theirs. Unchanged by them and removed by us: gone.
      if (bi != b.end() && *bi->second == *rec && mi == m.end()) continue;
      out.recent_compactions.push_back(*rec);
    } else {
      out.recent_compactions.push_back(*mi->second);
    }
  }
  for (const auto& [id, rec] : m) {
    if (t.count(id) == 0 && b.count(id) == 0) out.recent_compactions.push_back(*rec);
  }
  std::sort(out.recent_compactions.begin(), out.recent_compactions.end(),
            [](const auto& x, const auto& y) { return x.id < y.id; });
  return out;
}

Result<std::unique_ptr<CompactionWorker>> CompactionWorker::Open(
    std::shared_ptr<ObjectStore> store, std::string db_path, CompactorOptions options,
    OutputSettings output, std::shared_ptr<util::Clock> clock, uint64_t seed, std::string worker_id,
    util::Log log, std::shared_ptr<MergeOperator> merge_operator) {
  if (store == nullptr) return Status::Invalid("compaction worker: no object store");
  ASSIGN_OR_RETURN(db_path, manifest::NormalizeDbPath(db_path));
  if (manifest::StoreFormatFor(output.compatibility).compactions_version <
      format::kCompactionsFormatVersionV2) {
    return Status::Invalid("compaction worker: compatibility \"" + output.compatibility +
                           "\" writes .compactions version 1, which cannot record workers; "
                           "distributed compaction needs compatibility \"0.17\"");
  }
  if (options.max_sst_size == 0) return Status::Invalid("compactor: max_sst_size must be > 0");
  if (options.poll_interval.count() <= 0) {
    return Status::Invalid("compactor: poll_interval must be > 0");
  }
  if (options.heartbeat_interval.count() <= 0 ||
      options.heartbeat_interval >= options.worker_heartbeat_timeout) {
    return Status::Invalid("compactor: heartbeat_interval (" +
                           std::to_string(options.heartbeat_interval.count()) +
                           " ms) must be > 0 and below worker_heartbeat_timeout (" +
                           std::to_string(options.worker_heartbeat_timeout.count()) + " ms)");
  }
  RETURN_IF_ERROR(
      format::ValidatePrefixExtractor(output.prefix_extractor.get(), output.compatibility));
  output.max_sst_size = options.max_sst_size;
  if (clock == nullptr) clock = util::SystemClock::Default();
  if (seed == 0) seed = util::EntropySeed();
  if (worker_id.empty()) {
    util::Random rng(seed ^ 0x5bd1e995ull);
    worker_id = "slatedb-cpp-worker-" + format::Uuid::NewV4(rng).ToString();
  }
  return std::make_unique<CompactionWorker>(
      PrivateTag{}, std::move(store), std::move(db_path), std::move(options), std::move(output),
      std::move(clock), seed, std::move(worker_id), std::move(log), std::move(merge_operator));
}

CompactionWorker::CompactionWorker(PrivateTag, std::shared_ptr<ObjectStore> store,
                                   std::string db_path, CompactorOptions options,
                                   OutputSettings output, std::shared_ptr<util::Clock> clock,
                                   uint64_t seed, std::string worker_id, util::Log log,
                                   std::shared_ptr<MergeOperator> merge_operator)
    : store_(std::move(store)),
      db_path_(std::move(db_path)),
      options_(std::move(options)),
      output_(std::move(output)),
      clock_(std::move(clock)),
      worker_id_(std::move(worker_id)),
      log_(std::move(log)),
      merge_operator_(std::move(merge_operator)),
      manifest_store_(std::make_shared<manifest::ManifestStore>(
          store_, db_path_, manifest::StoreFormatFor(output_.compatibility), clock_)),
      compactions_store_(store_, db_path_, manifest::StoreFormatFor(output_.compatibility), clock_),
      ulids_(std::make_shared<format::UlidGenerator>(seed)),
      merge_notice_logged_(std::make_shared<std::atomic<bool>>(false)) {}

CompactionWorker::~CompactionWorker() {
  Status st = Stop();
  if (!st.ok()) log_.Error("compaction worker {}: stop: {}", worker_id_, st.ToString());
}

// The polling task: a ticker every poll_interval on the worker's clock, and a message for "poll
// again now" (at Start and after each job it ran).
class CompactionWorker::Poller final : public util::BackgroundTask<int> {
 public:
  explicit Poller(CompactionWorker* worker)
      : BackgroundTask("slatedb-cworker", 1, worker->options_.poll_interval, worker->clock_),
        worker_(worker) {}
  ~Poller() override { Stop(); }

 protected:
  void Handle(int&) override { Poll(); }
  void OnTick() override { Poll(); }

 private:
  void Poll() {
    if (worker_->PollOnce()) TrySend(0);  // full: a poll is queued already
  }
  CompactionWorker* const worker_;
};

Status CompactionWorker::Start() {
  util::MutexLock lock(&lifecycle_mu_);
  if (started_) return Status::Invalid("compaction worker: Start called twice");
  started_ = true;
  auto m = manifest_store_->ReadLatest();
  Status st = m.ok() ? Status::OK() : m.status();
  if (st.ok() && !*m) st = Status::Invalid("no database at " + db_path_);
  if (!st.ok()) {
    stopped_ = true;
    stop_status_ = st;
    return st;
  }
  log_.Info("compaction worker {}: started on {}", worker_id_, db_path_);
  poller_ = std::make_unique<Poller>(this);
  poller_->Start();
  poller_->TrySend(0);  // the first poll right away
  return Status::OK();
}

Status CompactionWorker::Stop() {
  util::MutexLock lock(&lifecycle_mu_);
  if (stopped_) return stop_status_;
  stopped_ = true;
  if (!started_) return Status::OK();
  {
    util::MutexLock l(&mu_);
    stop_requested_.store(true);
    cv_.NotifyAll();
  }
  if (poller_ != nullptr) poller_->Stop();  // a queued poll is drained: PollOnce sees the stop
  stop_status_ = run_status_;
  log_.Info("compaction worker {}: stopped", worker_id_);
  return stop_status_;
}

WorkerStats CompactionWorker::stats() const {
  util::MutexLock lock(&mu_);
  return stats_;
}

bool CompactionWorker::PollOnce() {
  if (stop_requested_.load()) return false;
  {
    util::MutexLock lock(&mu_);
    ++stats_.polls;
  }
  auto claimed = TryClaim();
  if (!claimed.ok()) {
    log_.Warn("compaction worker {}: poll of {} failed (will retry): {}", worker_id_, db_path_,
              claimed.status().ToString());
    return false;
  }
  if (!*claimed) return false;
  Status st = RunClaimed(**claimed);
  if (!st.ok()) {
    log_.Warn("compaction worker {}: compaction {}: {}", worker_id_, (*claimed)->id.ToString(),
              st.ToString());
    if (stop_requested_.load()) run_status_ = st;
    return false;  // the next tick retries: no tight claim / fail loop
  }
  return true;
}

Result<std::optional<format::CompactionRecord>> CompactionWorker::TryClaim() {
  std::optional<format::CompactionRecord> claimed;
  auto written = UpdateCompactions(compactions_store_, [&](format::Compactions& c) -> Status {
    claimed.reset();
    format::CompactionRecord* pick = nullptr;
    for (auto& r : c.recent_compactions) {
      if (r.status == format::CompactionStatus::kScheduled &&
          (pick == nullptr || r.id < pick->id)) {
        pick = &r;
      }
    }
    if (pick == nullptr) return Status::NotFound("no scheduled compaction");
    pick->status = format::CompactionStatus::kRunning;
    pick->worker = format::WorkerSpec{worker_id_, static_cast<uint64_t>(clock_->NowMillis())};
    claimed = *pick;
    return Status::OK();
  });
  if (!written.ok()) {
    if (written.status().IsNotFound()) return std::optional<format::CompactionRecord>();
    return written.status();
  }
  util::MutexLock lock(&mu_);
  ++stats_.claimed;
  return claimed;
}

Status CompactionWorker::UpdateClaim(const format::Ulid& id,
                                     const std::function<void(format::CompactionRecord&)>& mutate) {
  auto written = UpdateCompactions(compactions_store_, [&](format::Compactions& c) -> Status {
    for (auto& r : c.recent_compactions) {
      if (r.id == id && r.status == format::CompactionStatus::kRunning && r.worker &&
          r.worker->worker_id == worker_id_) {
        mutate(r);
        return Status::OK();
      }
    }
    return Status::NotFound("compaction " + id.ToString() + " is no longer ours");
  });
  return written.status();
}

Status CompactionWorker::ResumeAfter(const format::SstHandle& last_output, CompactionJob* job) {
  ASSIGN_OR_RETURN(auto reader, table::SstReader::OpenWithInfo(
                                    store_, manifest::CompactedSstPath(db_path_, last_output.id),
                                    last_output.info, last_output.format_version.value_or(1)));
  auto it = reader->NewIterator(table::Direction::kReverse);
  RETURN_IF_ERROR(it->SeekToFirst());
  if (!it->Valid()) {
    return Status::Data("recorded output " + last_output.id.ToString() + " has no rows");
  }
  const std::string last_key(it->row().key);
  auto restrict = [&](format::SstHandle& h) {
    format::BytesRange range;
    if (h.visible_range) range = *h.visible_range;
    const bool keep = range.start.key && (range.start.type == format::BoundType::kIncluded
                                              ? *range.start.key > last_key
                                              : *range.start.key >= last_key);
    if (!keep) range.start = format::BytesBound{format::BoundType::kExcluded, last_key};
    h.visible_range = range;
  };
  for (auto& h : job->l0) restrict(h);
  for (auto& run : job->runs) {
    for (auto& h : run.ssts) restrict(h);
  }
  return Status::OK();
}

Status CompactionWorker::RunClaimed(const format::CompactionRecord& rec) {
  const std::vector<format::SstHandle> prior = rec.output_ssts;
  auto fail_job = [&](const Status& why) {
    log_.Error("compaction worker {}: compaction {} cannot run: {}; marking it Failed", worker_id_,
               rec.id.ToString(), why.ToString());
    {
      util::MutexLock lock(&mu_);
      ++stats_.failed;
    }
    return UpdateClaim(
        rec.id, [](format::CompactionRecord& r) { r.status = format::CompactionStatus::kFailed; });
  };
  auto m = manifest_store_->ReadLatest();
  if (!m.ok() || !*m) {
    // Transient: give the claim back for the next worker (or us, next poll).
    Status released = UpdateClaim(rec.id, [](format::CompactionRecord& r) {
      r.status = format::CompactionStatus::kScheduled;
      r.worker.reset();
    });
    if (!released.ok())
      log_.Warn("compaction worker {}: release: {}", worker_id_, released.ToString());
    return m.ok() ? Status::Invalid("no database at " + db_path_) : m.status();
  }
  auto resolved = ResolveJob((*m)->manifest, rec.id, SpecOf(rec), db_path_);
  if (!resolved.ok()) return fail_job(resolved.status());
  CompactionJob job = std::move(*resolved);
  if (!prior.empty()) {
    Status st = ResumeAfter(prior.back(), &job);
    if (!st.ok()) {
      if (st.IsNotFound()) return fail_job(st);
      Status released = UpdateClaim(rec.id, [](format::CompactionRecord& r) {
        r.status = format::CompactionStatus::kScheduled;
        r.worker.reset();
      });
      if (!released.ok()) {
        log_.Warn("compaction worker {}: release: {}", worker_id_, released.ToString());
      }
      return st;
    }
    log_.Info("compaction worker {}: resuming compaction {} after {} recorded outputs", worker_id_,
              rec.id.ToString(), prior.size());
    util::MutexLock lock(&mu_);
    ++stats_.resumed;
    stats_.outputs_reused += prior.size();
  }
  log_.Info("compaction worker {}: running compaction {} ({})", worker_id_, rec.id.ToString(),
            SpecToString(job.spec));

  ExecutorContext ctx;
  ctx.store = store_;
  ctx.db_path = db_path_;
  ctx.output = output_;
  ctx.clock = clock_;
  ctx.ulids = ulids_;
  ctx.max_fetch_tasks = options_.max_fetch_tasks;
  ctx.merge_operator = merge_operator_;
  ctx.log = log_;
  ctx.merge_notice_logged = merge_notice_logged_;
  ctx.on_output = [this](const format::Ulid&, const format::SstHandle& sst) {
    util::MutexLock lock(&mu_);
    new_outputs_.push_back(sst);
  };
  {
    util::MutexLock lock(&mu_);
    new_outputs_.clear();
    job_done_ = false;
  }
  std::atomic<bool> cancel{false};
  CompactionJobResult result;
  std::jthread job_thread = util::NamedThread("slatedb-cwjob", [&] {
    result = RunCompaction(job, ctx, cancel);
    util::MutexLock lock(&mu_);
    job_done_ = true;
    cv_.NotifyAll();
  });
  auto with_prior = [&](const std::vector<format::SstHandle>& fresh) {
    std::vector<format::SstHandle> all = prior;
    all.insert(all.end(), fresh.begin(), fresh.end());
    return all;
  };
  bool lost = false;
  // Heartbeats are timed on the injected clock (a ManualClock's Advance wakes this wait).
  util::ClockWait heartbeat_wait(clock_.get(), &mu_, &cv_);
  auto next_heartbeat = util::SaturatingDeadline(clock_->SteadyNow(), options_.heartbeat_interval);
  for (;;) {
    std::vector<format::SstHandle> snapshot;
    {
      util::MutexLock lock(&mu_);
      while (!job_done_ && (cancel.load() || !stop_requested_.load()) &&
             heartbeat_wait.WaitUntil(&mu_, next_heartbeat)) {
      }
      if (job_done_) break;
      snapshot = new_outputs_;
    }
    if (stop_requested_.load() && !cancel.load()) {
      cancel.store(true);  // graceful stop: the job ends at its next key boundary
      continue;
    }
    if (clock_->SteadyNow() < next_heartbeat) continue;
    next_heartbeat = util::SaturatingDeadline(clock_->SteadyNow(), options_.heartbeat_interval);
    if (lost) continue;
    Status hb = UpdateClaim(rec.id, [&](format::CompactionRecord& r) {
      r.worker->last_heartbeat_ms = static_cast<uint64_t>(clock_->NowMillis());
      r.output_ssts = with_prior(snapshot);
    });
    if (hb.IsNotFound()) {
      log_.Warn("compaction worker {}: compaction {} was reclaimed; abandoning it", worker_id_,
                rec.id.ToString());
      lost = true;
      cancel.store(true);
    } else if (!hb.ok()) {
      log_.Warn("compaction worker {}: heartbeat for {} failed (will retry): {}", worker_id_,
                rec.id.ToString(), hb.ToString());
    } else {
      util::MutexLock lock(&mu_);
      ++stats_.heartbeats;
    }
  }
  job_thread.join();
  if (lost) {
    util::MutexLock lock(&mu_);
    ++stats_.lost;
    return Status::OK();
  }
  const std::vector<format::SstHandle> outputs = with_prior(result.outputs);
  Status st;
  if (result.status.ok() && !result.cancelled) {
    st = UpdateClaim(rec.id, [&](format::CompactionRecord& r) {
      r.status = format::CompactionStatus::kCompacted;
      r.worker->last_heartbeat_ms = static_cast<uint64_t>(clock_->NowMillis());
      r.output_ssts = outputs;
    });
    if (st.ok()) {
      log_.Info(
          "compaction worker {}: compaction {} compacted: {} output SSTs ({} reused), {} rows",
          worker_id_, rec.id.ToString(), outputs.size(), prior.size(), result.rows_written);
      util::MutexLock lock(&mu_);
      ++stats_.compacted;
      return st;
    }
  } else if (result.status.IsNotFound()) {
    return fail_job(result.status);
  } else {
    if (!result.status.ok()) {
      log_.Warn("compaction worker {}: compaction {} failed, releasing it: {}", worker_id_,
                rec.id.ToString(), result.status.ToString());
    }
    st = UpdateClaim(rec.id, [&](format::CompactionRecord& r) {
      r.status = format::CompactionStatus::kScheduled;
      r.worker.reset();
      r.output_ssts = outputs;
    });
    if (st.ok()) {
      log_.Info("compaction worker {}: released compaction {} ({} outputs recorded)", worker_id_,
                rec.id.ToString(), outputs.size());
      util::MutexLock lock(&mu_);
      ++stats_.released;
      if (!result.status.ok()) ++stats_.failed;
      return st;
    }
  }
  if (st.IsNotFound()) {
    util::MutexLock lock(&mu_);
    ++stats_.lost;
    return Status::OK();
  }
  return st;
}

}  // namespace slatedb::compactor
