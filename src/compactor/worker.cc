// compactor/worker.cc — see worker.h.
#include "compactor/worker.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "format/segments.h"
#include "format/uuid.h"
#include "manifest/paths.h"
#include "manifest/sst_paths.h"
#include "table/sst_reader.h"
#include "table/table_store.h"
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
    util::Log log, std::shared_ptr<MergeOperator> merge_operator, uint64_t max_concurrent_jobs) {
  if (store == nullptr) return Status::Invalid("compaction worker: no object store");
  if (max_concurrent_jobs == 0) {
    return Status::Invalid(
        "compaction worker: max_concurrent_jobs must be at least 1 (the jobs one worker runs at "
        "once), got 0");
  }
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
  return std::make_unique<CompactionWorker>(PrivateTag{}, std::move(store), std::move(db_path),
                                            std::move(options), std::move(output), std::move(clock),
                                            seed, std::move(worker_id), std::move(log),
                                            std::move(merge_operator), max_concurrent_jobs);
}

CompactionWorker::CompactionWorker(PrivateTag, std::shared_ptr<ObjectStore> store,
                                   std::string db_path, CompactorOptions options,
                                   OutputSettings output, std::shared_ptr<util::Clock> clock,
                                   uint64_t seed, std::string worker_id, util::Log log,
                                   std::shared_ptr<MergeOperator> merge_operator,
                                   uint64_t max_concurrent_jobs)
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
      merge_notice_logged_(std::make_shared<std::atomic<bool>>(false)),
      max_concurrent_jobs_(max_concurrent_jobs) {}

CompactionWorker::~CompactionWorker() {
  Status st = Stop();
  if (!st.ok()) log_.Error("compaction worker {}: stop: {}", worker_id_, st.ToString());
}

// The polling task: a ticker every poll_interval on the worker's clock, and a message for "poll
// again now" (at Start and after each job that ended well). Jobs run on Runner threads.
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
  void Poll() { worker_->PollOnce(); }
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
  poll_wake_.store(poller_.get());
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
  // No runner starts after the poller stopped; each running job ends at its next key boundary
  // and releases its claim (their "poll again" meets the closed poller: ignored).
  std::list<Runner> runners;
  {
    util::MutexLock l(&mu_);
    runners.swap(runners_);
  }
  runners.clear();  // joins
  {
    util::MutexLock l(&mu_);
    stop_status_ = run_status_;
  }
  log_.Info("compaction worker {}: stopped", worker_id_);
  return stop_status_;
}

WorkerStats CompactionWorker::stats() const {
  util::MutexLock lock(&mu_);
  return stats_;
}

void CompactionWorker::PollOnce() {
  if (stop_requested_.load()) return;
  std::list<Runner> finished;
  {
    util::MutexLock lock(&mu_);
    ++stats_.polls;
    for (auto it = runners_.begin(); it != runners_.end();) {
      auto next = std::next(it);
      if (it->finished.load()) finished.splice(finished.end(), runners_, it);
      it = next;
    }
  }
  finished.clear();  // joins threads that have ended
  for (;;) {
    if (stop_requested_.load()) return;
    {
      util::MutexLock lock(&mu_);
      if (jobs_.size() >= max_concurrent_jobs_) return;
    }
    auto claimed = TryClaim();
    if (!claimed.ok()) {
      log_.Warn("compaction worker {}: poll of {} failed (will retry): {}", worker_id_, db_path_,
                claimed.status().ToString());
      return;
    }
    if (!*claimed) return;
    util::MutexLock lock(&mu_);
    jobs_[(*claimed)->id] = JobState{};  // counted before the runner starts
    runners_.emplace_back();
    Runner* runner = &runners_.back();
    runner->thread = util::NamedThread("slatedb-cwrun", [this, runner, rec = std::move(**claimed)] {
      RunJob(rec);
      runner->finished.store(true);
    });
  }
}

void CompactionWorker::RunJob(const format::CompactionRecord& rec) {
  Status st = RunClaimed(rec);
  {
    util::MutexLock lock(&mu_);
    jobs_.erase(rec.id);
    if (!st.ok() && stop_requested_.load()) run_status_ = st;
  }
  if (!st.ok()) {
    log_.Warn("compaction worker {}: compaction {}: {}", worker_id_, rec.id.ToString(),
              st.ToString());
    return;  // the next tick retries: no tight claim / fail loop
  }
  // A slot is free: look again right away (kFull: a poll is queued; kClosed: stopping).
  if (Poller* p = poll_wake_.load()) p->TrySend(0);
}

Result<std::optional<format::CompactionRecord>> CompactionWorker::TryClaim() {
  std::optional<format::CompactionRecord> claimed;
  std::set<format::Ulid> running;  // a job reclaimed from us while we still run it: not again
  {
    util::MutexLock lock(&mu_);
    for (const auto& [id, state] : jobs_) running.insert(id);
  }
  auto written = UpdateCompactions(compactions_store_, [&](format::Compactions& c) -> Status {
    claimed.reset();
    format::CompactionRecord* pick = nullptr;
    for (auto& r : c.recent_compactions) {
      if (r.status == format::CompactionStatus::kScheduled && running.count(r.id) == 0 &&
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
  ASSIGN_OR_RETURN(auto reader, table::TableStore(store_, db_path_).OpenReader(last_output));
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

namespace {

// The outputs `subs` record, in key order (range by range).
std::vector<format::SstHandle> Concat(const std::vector<format::Subcompaction>& subs) {
  std::vector<format::SstHandle> all;
  for (const auto& sub : subs)
    all.insert(all.end(), sub.output_ssts.begin(), sub.output_ssts.end());
  return all;
}

// Gives a claim back for the coordinator to re-validate and schedule again (only it writes
// Scheduled, docs/slatedb-format-delta-0.17.md §3): Submitted, no worker.
void Release(format::CompactionRecord& r) {
  r.status = format::CompactionStatus::kSubmitted;
  r.worker.reset();
}

}  // namespace

Status CompactionWorker::RunClaimed(const format::CompactionRecord& rec) {
  // A record with subcompactions in its context is resumed range by range; one with outputs
  // but no ranges (written by a worker that did not split) continues after its last output.
  const bool ranged = rec.ctx && !rec.ctx->subcompactions.empty();
  const std::vector<format::SstHandle> prior =
      ranged ? std::vector<format::SstHandle>{} : rec.output_ssts;
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
  auto release_unchanged = [&] {
    Status released = UpdateClaim(rec.id, Release);
    if (!released.ok()) {
      log_.Warn("compaction worker {}: release: {}", worker_id_, released.ToString());
    }
  };
  auto m = manifest_store_->ReadLatest();
  if (!m.ok() || !*m) {
    // Transient: give the claim back for the next worker (or us, next poll).
    release_unchanged();
    return m.ok() ? Status::Invalid("no database at " + db_path_) : m.status();
  }
  auto resolved = ResolveJob((*m)->manifest, rec.id, SpecOf(rec), db_path_);
  if (!resolved.ok()) return fail_job(resolved.status());
  CompactionJob job = std::move(*resolved);
  size_t reused = prior.size();
  if (ranged) {
    job.resume = rec.ctx->subcompactions;
    // The bound the recorded outputs were written with (never above today's: snapshots only
    // release it upwards), so that every key of the job is filtered alike.
    job.retention_min_seq = std::min(job.retention_min_seq, rec.ctx->retention_min_seq);
    reused = Concat(job.resume).size();
  } else if (!prior.empty()) {
    Status st = ResumeAfter(prior.back(), &job);
    if (!st.ok()) {
      if (st.IsNotFound()) return fail_job(st);
      release_unchanged();
      return st;
    }
  }
  if (reused > 0) {
    log_.Info("compaction worker {}: resuming compaction {} after {} recorded outputs", worker_id_,
              rec.id.ToString(), reused);
    util::MutexLock lock(&mu_);
    ++stats_.resumed;
    stats_.outputs_reused += reused;
  }
  log_.Info("compaction worker {}: running compaction {} ({})", worker_id_, rec.id.ToString(),
            SpecToString(job.spec));

  // What the job has recorded so far, range by range: the recorded outputs of a resumed job,
  // then each output as its range finishes it (ranges run at once: under mu_).
  auto with_prior = [&](std::vector<format::Subcompaction> subs) {
    if (!prior.empty() && !subs.empty()) {
      // The prior outputs hold the keys up to the resume point, below every range's keys.
      subs[0].output_ssts.insert(subs[0].output_ssts.begin(), prior.begin(), prior.end());
    }
    return subs;
  };
  // enable_trivial_move applies here too: a worker relinks disjoint inputs as they are.
  ExecutorContext ctx = ExecutorContextFor(store_, db_path_, output_, clock_, ulids_, options_,
                                           merge_operator_, log_);
  ctx.merge_notice_logged = merge_notice_logged_;
  ctx.on_ranges = [&](const format::Ulid&, const std::vector<format::BytesRange>& ranges) {
    std::vector<format::Subcompaction> subs(ranges.size());
    for (size_t i = 0; i < ranges.size(); ++i) {
      subs[i].range = ranges[i];
      if (i < job.resume.size()) subs[i].output_ssts = job.resume[i].output_ssts;
    }
    subs = with_prior(std::move(subs));
    util::MutexLock lock(&mu_);
    jobs_[rec.id].progress = std::move(subs);
  };
  ctx.on_output = [this](const format::Ulid& id, size_t range, const format::SstHandle& sst) {
    util::MutexLock lock(&mu_);
    auto& progress = jobs_[id].progress;
    if (range < progress.size()) progress[range].output_ssts.push_back(sst);
  };
  {
    util::MutexLock lock(&mu_);
    jobs_[rec.id] = JobState{};
  }
  // Records `subs` (outputs and ranges) in `r`; nothing planned yet: what the claim carried.
  auto record = [&](format::CompactionRecord& r, const std::vector<format::Subcompaction>& subs) {
    if (subs.empty()) return;
    r.output_ssts = Concat(subs);
    r.ctx = format::CompactionContext{subs, job.retention_min_seq};
  };
  std::atomic<bool> cancel{false};
  CompactionJobResult result;
  std::jthread job_thread = util::NamedThread("slatedb-cwjob", [&] {
    result = RunCompaction(job, ctx, cancel);
    util::MutexLock lock(&mu_);
    jobs_[rec.id].done = true;
    cv_.NotifyAll();
  });
  bool lost = false;
  // Heartbeats are timed on the injected clock (a ManualClock's Advance wakes this wait).
  util::ClockWait heartbeat_wait(clock_.get(), &mu_, &cv_);
  auto next_heartbeat = util::SaturatingDeadline(clock_->SteadyNow(), options_.heartbeat_interval);
  for (;;) {
    std::vector<format::Subcompaction> snapshot;
    {
      util::MutexLock lock(&mu_);
      while (!jobs_[rec.id].done && (cancel.load() || !stop_requested_.load()) &&
             heartbeat_wait.WaitUntil(&mu_, next_heartbeat)) {
      }
      if (jobs_[rec.id].done) break;
      snapshot = jobs_[rec.id].progress;
    }
    if (stop_requested_.load() && !cancel.load()) {
      cancel.store(true);  // graceful stop: every range ends at its next key boundary
      continue;
    }
    if (clock_->SteadyNow() < next_heartbeat) continue;
    next_heartbeat = util::SaturatingDeadline(clock_->SteadyNow(), options_.heartbeat_interval);
    if (lost) continue;
    Status hb = UpdateClaim(rec.id, [&](format::CompactionRecord& r) {
      r.worker->last_heartbeat_ms = static_cast<uint64_t>(clock_->NowMillis());
      record(r, snapshot);
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
  // The ranges with every output finished (recorded ones first), whatever the job's end.
  const std::vector<format::Subcompaction> subs = with_prior(result.subcompactions);
  std::vector<format::SstHandle> outputs = prior;
  outputs.insert(outputs.end(), result.outputs.begin(), result.outputs.end());
  Status st;
  if (result.status.ok() && !result.cancelled) {
    st = UpdateClaim(rec.id, [&](format::CompactionRecord& r) {
      r.status = format::CompactionStatus::kCompacted;
      r.worker->last_heartbeat_ms = static_cast<uint64_t>(clock_->NowMillis());
      r.output_ssts = outputs;
      if (!subs.empty()) r.ctx = format::CompactionContext{subs, job.retention_min_seq};
    });
    if (st.ok()) {
      log_.Info(
          "compaction worker {}: compaction {} compacted: {} output SSTs ({} reused) in {} "
          "ranges, {} rows",
          worker_id_, rec.id.ToString(), outputs.size(), reused, subs.size(), result.rows_written);
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
      Release(r);
      record(r, subs);
    });
    if (st.ok()) {
      log_.Info("compaction worker {}: released compaction {} ({} outputs recorded)", worker_id_,
                rec.id.ToString(), subs.empty() ? rec.output_ssts.size() : Concat(subs).size());
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
