// compactor/compactor.cc — see compactor.h.
#include "compactor/compactor.h"

#include <algorithm>
#include <functional>
#include <optional>
#include <set>
#include <utility>

#include "compactor/worker.h"
#include "format/segments.h"
#include "format/sst.h"
#include "format/uuid.h"
#include "manifest/paths.h"
#include "manifest/sst_paths.h"
#include "util/background_task.h"
#include "util/metrics.h"
#include "util/printable.h"
#include "util/saturating.h"
#include "util/thread_name.h"

namespace slatedb::compactor {

OutputSettings OutputSettingsFrom(const Settings& settings,
                                  std::shared_ptr<const PrefixExtractor> prefix_extractor) {
  OutputSettings out;
  static_cast<table::SstSettings&>(out) =
      table::SstSettings::From(settings, std::move(prefix_extractor));
  if (settings.compactor_options) out.max_sst_size = settings.compactor_options->max_sst_size;
  out.compatibility = settings.compatibility;
  return out;
}

Result<std::unique_ptr<Compactor>> Compactor::Open(
    std::shared_ptr<ObjectStore> store, std::string db_path, CompactorOptions options,
    OutputSettings output, std::shared_ptr<util::Clock> clock, uint64_t seed, util::Log log,
    std::shared_ptr<MergeOperator> merge_operator, std::shared_ptr<MetricsRecorder> metrics) {
  if (store == nullptr) return Status::Invalid("compactor: no object store");
  ASSIGN_OR_RETURN(db_path, manifest::NormalizeDbPath(db_path));
  ASSIGN_OR_RETURN(SizeTieredOptions scheduler, ParseSchedulerOptions(options.scheduler_options));
  if (options.max_concurrent_compactions == 0 || options.max_concurrent_compactions > 1024) {
    return Status::Invalid("compactor: max_concurrent_compactions must be in 1..1024, got " +
                           std::to_string(options.max_concurrent_compactions));
  }
  if (options.max_sst_size == 0) return Status::Invalid("compactor: max_sst_size must be > 0");
  RETURN_IF_ERROR(
      format::ValidatePrefixExtractor(output.prefix_extractor.get(), output.compatibility));
  if (options.poll_interval.count() <= 0) {
    return Status::Invalid("compactor: poll_interval must be > 0");
  }
  output.max_sst_size = options.max_sst_size;
  if (clock == nullptr) clock = util::SystemClock::Default();
  // Seed 0 = "not given": two processes must never mint the same output SST ids.
  if (seed == 0) seed = util::EntropySeed();
  return std::make_unique<Compactor>(PrivateTag{}, std::move(store), std::move(db_path),
                                     std::move(options), scheduler, output, std::move(clock), seed,
                                     std::move(log), std::move(merge_operator), metrics);
}

Compactor::Metrics::Metrics(MetricsRecorder& rec) {
  constexpr std::string_view kFinished = "slatedb.compactor.finished_compactions";
  constexpr std::string_view kFinishedHelp = "Compactions finished by this compactor, by result";
  bytes_compacted = rec.RegisterCounter("slatedb.compactor.bytes_compacted",
                                        "Bytes of output SSTs written by compactions", {});
  ssts_written = rec.RegisterCounter("slatedb.compactor.ssts_written",
                                     "Output SSTs of committed compactions", {});
  committed = rec.RegisterCounter(kFinished, kFinishedHelp, {{"result", "committed"}});
  cancelled = rec.RegisterCounter(kFinished, kFinishedHelp, {{"result", "cancelled"}});
  failed = rec.RegisterCounter(kFinished, kFinishedHelp, {{"result", "failed"}});
  running = rec.RegisterUpDownCounter("slatedb.compactor.running_compactions",
                                      "Compactions running now", {});
  epoch = rec.RegisterGauge("slatedb.compactor.epoch", "This compactor's epoch", {});
  last_compaction_timestamp_sec =
      rec.RegisterGauge("slatedb.compactor.last_compaction_timestamp_sec",
                        "When the last compaction was committed (Unix seconds)", {});
}

Compactor::Compactor(PrivateTag, std::shared_ptr<ObjectStore> store, std::string db_path,
                     CompactorOptions options, SizeTieredOptions scheduler, OutputSettings output,
                     std::shared_ptr<util::Clock> clock, uint64_t seed, util::Log log,
                     std::shared_ptr<MergeOperator> merge_operator,
                     const std::shared_ptr<MetricsRecorder>& metrics)
    : store_(std::move(store)),
      db_path_(std::move(db_path)),
      options_(std::move(options)),
      scheduler_(scheduler),
      output_(output),
      clock_(std::move(clock)),
      log_(std::move(log)),
      merge_operator_(std::move(merge_operator)),
      manifest_store_(std::make_shared<manifest::ManifestStore>(
          store_, db_path_, manifest::StoreFormatFor(output_.compatibility), clock_)),
      compactions_store_(store_, db_path_, manifest::StoreFormatFor(output_.compatibility), clock_),
      ulids_(std::make_shared<format::UlidGenerator>(seed)),
      metrics_(*util::MetricsOrNoop(metrics)),
      rng_(seed ^ 0x9e3779b97f4a7c15ull),
      // Capacity: one completion per running job (at most max_concurrent_compactions), so an
      // executor thread never waits for room.
      completions_(options_.max_concurrent_compactions + 8) {}

// The orchestrator loop (issue 9): a util::BackgroundTask whose messages are wake-ups (Notify,
// a completion queued in completions_, the first poll at Start) and whose ticker, every
// poll_interval on the injected clock, runs the timed polls and retries. Its OnStop runs the
// shutdown drain (Compactor::Drain) on the task's thread after the last queued wake-up.
class Compactor::Orchestrator final : public util::BackgroundTask<int> {
 public:
  explicit Orchestrator(Compactor* c)
      : BackgroundTask("slatedb-compactor", 4, c->options_.poll_interval, c->clock_), c_(c) {}
  ~Orchestrator() override { Stop(); }

 protected:
  void Handle(int&) override { c_->OnWake(); }
  void OnTick() override { c_->OnTimer(); }
  void OnStop() override { c_->Drain(); }

 private:
  Compactor* const c_;
};

Compactor::~Compactor() {
  Status st = Stop();
  if (!st.ok()) log_.Error("compactor {}: stop: {}", db_path_, st.ToString());
}

Status Compactor::Start() {
  util::MutexLock lock(&lifecycle_mu_);
  if (started_) return Status::Invalid("compactor: Start called twice");
  started_ = true;
  if (external_workers_) {
    Status bad;
    if (compactions_store_.format().compactions_version < format::kCompactionsFormatVersionV2) {
      bad = Status::Invalid("compactor: compatibility \"" + output_.compatibility +
                            "\" writes .compactions version 1, which cannot record workers; "
                            "a coordinator without an embedded worker needs compatibility "
                            "\"0.17\"");
    } else if (options_.heartbeat_interval >= options_.worker_heartbeat_timeout) {
      bad = Status::Invalid("compactor: heartbeat_interval (" +
                            std::to_string(options_.heartbeat_interval.count()) +
                            " ms) must be below worker_heartbeat_timeout (" +
                            std::to_string(options_.worker_heartbeat_timeout.count()) + " ms)");
    }
    if (!bad.ok()) {
      stopped_ = true;
      stop_status_ = bad;
      return bad;
    }
  }
  manifest::ManifestUpdateOptions mopts;
  mopts.timeout = options_.manifest_update_timeout;
  mopts.clock = clock_;
  auto fm = manifest::FenceableManifest::OpenCompactor(manifest_store_, mopts);
  if (!fm.ok()) {
    stopped_ = true;
    stop_status_ = fm.status();
    return fm.status();
  }
  manifest_.emplace(std::move(*fm));

  // `.compactions`: carry the new epoch; records of earlier compactors that never completed are
  // dead (their outputs are orphans); keep the most recent completed one (the GC low-watermark).
  auto latest = compactions_store_.ReadLatest();
  if (!latest.ok()) {
    stopped_ = true;
    stop_status_ = latest.status();
    return latest.status();
  }
  compactions_id_ = *latest ? (*latest)->id : 0;
  compactions_.compactor_epoch = manifest_->epoch();
  if (*latest) {
    const format::CompactionRecord* last_done = nullptr;
    for (const auto& rec : (*latest)->compactions.recent_compactions) {
      if (rec.status == format::CompactionStatus::kCompleted &&
          (last_done == nullptr || last_done->id < rec.id)) {
        last_done = &rec;
      }
    }
    if (last_done != nullptr) compactions_.recent_compactions.push_back(*last_done);
    // Results a worker (or our embedded executor) finished and no coordinator committed yet are
    // committed at the first poll; with external workers, their queued and running jobs stay.
    for (const auto& rec : (*latest)->compactions.recent_compactions) {
      const bool keep = rec.status == format::CompactionStatus::kCompacted ||
                        (external_workers_ && (rec.status == format::CompactionStatus::kScheduled ||
                                               rec.status == format::CompactionStatus::kRunning));
      if (keep) compactions_.recent_compactions.push_back(rec);
    }
    // Admin submissions not yet picked up stay submitted (validated at the first poll).
    MergeSubmitted((*latest)->compactions);
  }
  Status st = WriteCompactions();
  if (!st.ok()) {
    stopped_ = true;
    stop_status_ = st.IsFenced() ? Status::OK() : st;
    if (st.IsFenced()) fenced_.store(true);
    return st;
  }
  {
    util::MutexLock slock(&stats_mu_);
    stats_.epoch = manifest_->epoch();
  }
  metrics_.epoch->Set(static_cast<int64_t>(manifest_->epoch()));
  running_.store(true);
  if (external_workers_) {
    log_.Info("compactor {}: coordinator started with epoch {} (jobs run by workers)", db_path_,
              manifest_->epoch());
    StartOrchestrator();
    return Status::OK();
  }
  ExecutorContext ctx = ExecutorContextFor(store_, db_path_, output_, clock_, ulids_, options_,
                                           merge_operator_, log_);
  ctx.merge_notice_logged = std::make_shared<std::atomic<bool>>(false);
  // Completions go through completions_ (then a wake-up); see Drain() for why it is still open.
  orchestrator_ = std::make_unique<Orchestrator>(this);
  wake_.store(orchestrator_.get());
  executor_ = std::make_unique<CompactionExecutor>(
      std::move(ctx), options_.max_concurrent_compactions, [this](CompactionJobResult result) {
        completions_.Send(std::move(result));
        // kFull: a wake-up is queued and will see this completion; kClosed: the orchestrator is
        // stopping and its drain receives every completion from completions_.
        wake_.load()->TrySend(0);
      });
  log_.Info("compactor {}: started with epoch {}", db_path_, manifest_->epoch());
  StartOrchestrator();
  return Status::OK();
}

void Compactor::StartOrchestrator() {
  if (orchestrator_ == nullptr) {
    orchestrator_ = std::make_unique<Orchestrator>(this);
    wake_.store(orchestrator_.get());
  }
  poll_requested_.store(true);  // the first poll right away
  orchestrator_->Start();
  orchestrator_->TrySend(0);
}

Status Compactor::Stop() {
  util::MutexLock lock(&lifecycle_mu_);
  if (stopped_) return stop_status_;
  stopped_ = true;
  if (!started_) return Status::OK();
  stop_requested_.store(true);
  // Handles the wake-ups still queued (no more polls), then drains the executor (OnStop).
  if (orchestrator_ != nullptr) orchestrator_->Stop();
  stop_status_ = (fatal_.ok() || fatal_.IsFenced()) ? Status::OK() : fatal_;
  log_.Info("compactor {}: stopped", db_path_);
  return stop_status_;
}

void Compactor::DisableTimedPolls() { timed_polls_.store(false); }

void Compactor::ShareManifestStore(std::shared_ptr<manifest::ManifestStore> store) {
  if (store != nullptr) manifest_store_ = std::move(store);
}

void Compactor::Notify() {
  poll_requested_.store(true);
  // Before Start: the first poll comes anyway. kClosed after shutdown, kFull when busy: fine.
  if (Orchestrator* o = wake_.load()) o->TrySend(0);
}

CompactorStats Compactor::stats() const {
  util::MutexLock lock(&stats_mu_);
  return stats_;
}

void Compactor::Latch(const Status& st) {
  if (!fatal_.ok()) return;
  fatal_ = st;
  if (st.IsFenced()) {
    fenced_.store(true);
    log_.Info("compactor {}: fenced by a newer compactor: {}", db_path_, st.ToString());
  } else {
    log_.Error("compactor {}: stopping after error: {}", db_path_, st.ToString());
  }
}

void Compactor::OnWake() {
  if (drained_) return;  // ended by itself (fenced): nothing runs any more
  bool completion = false;
  while (auto result = completions_.TryReceive()) {
    HandleCompletion(std::move(*result));
    completion = true;
  }
  // Stopping: no more polls (the drain follows in OnStop).
  if (!stop_requested_.load() && fatal_.ok()) {
    // Polled by the owner: a finished job may have made room for the next one, so look again
    // right away instead of waiting for the owner's next notice.
    if (poll_requested_.exchange(false) || (completion && !timed_polls_.load())) {
      PollAndSchedule();
    }
  }
  if (!fatal_.ok()) Drain();
}

void Compactor::OnTimer() {
  if (drained_ || stop_requested_.load()) return;
  // Embedded in a writer (DisableTimedPolls), the timer polls only while a retry is pending: an
  // idle database costs no requests.
  if (timed_polls_.load() || retry_pending_) PollAndSchedule();
  if (!fatal_.ok()) Drain();
}

void Compactor::Drain() {
  if (drained_) return;
  drained_ = true;
  if (executor_ != nullptr) {
    executor_->CloseAndCancel();
    // Every submitted job reports exactly once; keep receiving until all have, committing what
    // finished. completions_ stays open until then, so no executor thread can meet a closed
    // channel (its wake-up may find the orchestrator's channel closed, which is harmless).
    while (outstanding_ > 0) {
      auto result = completions_.Receive();
      if (!result) break;  // unreachable: only this thread closes the channel
      HandleCompletion(std::move(*result));
    }
    executor_->Join();
  }
  completions_.Close();
  running_.store(false);
}

void Compactor::PollAndSchedule() {
  retry_pending_ = false;
  Status st = manifest_->Refresh();
  {
    util::MutexLock lock(&stats_mu_);
    ++stats_.polls;
  }
  if (!st.ok()) {
    if (st.IsFenced() || st.code() == StatusCode::kData) {
      Latch(st);
    } else {
      log_.Warn("compactor {}: manifest poll failed (will retry): {}", db_path_, st.ToString());
      retry_pending_ = true;
    }
    return;
  }
  // A failed spec is forgotten once one of its inputs has left the manifest (repaired, or
  // compacted by someone else); until then its inputs stay busy.
  std::erase_if(failed_specs_, [&](const CompactionSpec& spec) {
    // The spec's own tree (a segment's, RFC-0024); a segment that is gone took its inputs along.
    const std::optional<format::Manifest> tree =
        format::WithTreeAsRoot(manifest_->manifest(), spec.segment);
    if (!tree) return true;
    const format::Manifest& m = *tree;
    const bool l0_gone = std::any_of(spec.l0_ids.begin(), spec.l0_ids.end(), [&](const auto& id) {
      return std::none_of(m.l0.begin(), m.l0.end(), [&](const auto& h) { return h.id == id; });
    });
    const bool run_gone = std::any_of(spec.run_ids.begin(), spec.run_ids.end(), [&](uint32_t id) {
      return std::none_of(m.compacted.begin(), m.compacted.end(),
                          [&](const auto& r) { return r.id == id; });
    });
    return l0_gone || run_gone;
  });
  AdoptSubmitted();
  if (!fatal_.ok()) return;
  std::vector<CompactionSpec> running(failed_specs_);
  for (const auto& [id, spec] : running_specs_) running.push_back(spec);
  const std::vector<CompactionSpec> recorded = RecordedBusy();
  running.insert(running.end(), recorded.begin(), recorded.end());
  size_t active = outstanding_ + recorded.size();
  for (const auto& spec : PickSegmentedCompactions(manifest_->manifest(), running, scheduler_)) {
    if (active >= options_.max_concurrent_compactions) break;
    ++active;
    st = Submit(spec);
    if (!st.ok()) {
      if (st.IsFenced()) {
        Latch(st);
        return;
      }
      log_.Warn("compactor {}: could not submit {}: {}", db_path_, SpecToString(spec),
                st.ToString());
      retry_pending_ = true;
    }
  }
}

namespace {

// Why `rec` (a Submitted record from `.compactions`) cannot run against `m`: the checks our own
// scheduler's specs pass by construction (L0 sources are the oldest tail of L0 in order, sorted
// runs an adjacent block in order, the newest runs when L0 is included; the destination is the
// lowest source run, or above every run when only L0 is compacted). "" = valid.
std::string DrainInvalidReason(const format::CompactionRecord& rec, const format::Manifest& m);

std::string InvalidReason(const format::CompactionRecord& rec, const format::Manifest& m) {
  if (rec.kind == format::CompactionKind::kDrainSegment) return DrainInvalidReason(rec, m);
  if (rec.kind != format::CompactionKind::kTiered) return "only tiered compactions are supported";
  if (!rec.segment.empty()) {
    // A segment's tree is checked as if it were the root; a new run's id must also be unused by
    // every other tree (run ids are unique across trees, RFC-0024).
    const std::optional<format::Manifest> tree = format::WithTreeAsRoot(m, rec.segment);
    if (!tree) return "segment '" + util::PrintableKey(rec.segment) + "' does not exist";
    format::CompactionRecord root = rec;
    root.segment.clear();
    const std::string why = InvalidReason(root, *tree);
    if (!why.empty() || !rec.sorted_runs.empty() || !rec.destination) return why;
    const std::optional<uint32_t> highest = format::HighestRunId(m);
    if (highest && *rec.destination <= *highest) {
      return "destination " + std::to_string(*rec.destination) +
             " must be above every sorted run of every tree (" + std::to_string(*highest) +
             " exists)";
    }
    return "";
  }
  if (rec.l0_view_ids.empty() && rec.sorted_runs.empty()) return "no sources";
  const size_t k = rec.l0_view_ids.size();
  if (k > m.l0.size()) return "more L0 sources than L0 SSTs";
  for (size_t i = 0; i < k; ++i) {
    if (!(m.l0[m.l0.size() - k + i].ViewId() == rec.l0_view_ids[i])) {
      return "L0 source " + rec.l0_view_ids[i].ToString() +
             " is not in the oldest L0 SSTs in order (newest first)";
    }
  }
  if (!rec.sorted_runs.empty()) {
    auto first = std::find_if(m.compacted.begin(), m.compacted.end(),
                              [&](const auto& r) { return r.id == rec.sorted_runs[0]; });
    if (first == m.compacted.end()) {
      return "sorted run " + std::to_string(rec.sorted_runs[0]) + " does not exist";
    }
    const size_t at = static_cast<size_t>(first - m.compacted.begin());
    for (size_t i = 0; i < rec.sorted_runs.size(); ++i) {
      if (at + i >= m.compacted.size() || m.compacted[at + i].id != rec.sorted_runs[i]) {
        return "sorted run " + std::to_string(rec.sorted_runs[i]) +
               " is missing or not adjacent (runs must be listed highest id first)";
      }
    }
    if (k > 0 && at != 0) return "with L0 sources the sorted runs must be the newest ones";
    const uint32_t lowest = *std::min_element(rec.sorted_runs.begin(), rec.sorted_runs.end());
    if (!rec.destination || *rec.destination != lowest) {
      return "destination must be the lowest source run " + std::to_string(lowest);
    }
  } else if (rec.destination) {
    for (const auto& r : m.compacted) {
      if (r.id >= *rec.destination) {
        return "destination " + std::to_string(*rec.destination) +
               " must be above every sorted run (" + std::to_string(r.id) + " exists)";
      }
    }
  } else {
    return "no destination";
  }
  return "";
}

// A DrainSegmentSpec (RFC-0024) is valid when its segment exists, every listed L0 and run is in
// that segment, and every L0 at or below the newest listed one is listed (the watermark moves
// there: an unlisted one would be orphaned below it).
std::string DrainInvalidReason(const format::CompactionRecord& rec, const format::Manifest& m) {
  if (rec.segment.empty()) return "the root tree cannot be drained";
  const std::optional<size_t> at = format::FindSegment(m, rec.segment);
  if (!at) return "segment '" + util::PrintableKey(rec.segment) + "' does not exist";
  const format::Segment& s = m.segments[*at];
  if (rec.l0_view_ids.empty() && rec.sorted_runs.empty()) return "no sources";
  std::set<format::Ulid> listed(rec.l0_view_ids.begin(), rec.l0_view_ids.end());
  for (const format::Ulid& id : listed) {
    if (std::none_of(s.l0.begin(), s.l0.end(), [&](const auto& h) { return h.ViewId() == id; })) {
      return "L0 source " + id.ToString() + " is not in the segment";
    }
  }
  if (!listed.empty()) {
    const format::Ulid newest = *listed.rbegin();
    for (const auto& h : s.l0) {
      if (!(newest < h.ViewId()) && listed.count(h.ViewId()) == 0) {
        return "L0 " + h.ViewId().ToString() + " is at or below the newest drained L0 " +
               newest.ToString() + " but not listed";
      }
    }
  }
  for (uint32_t id : rec.sorted_runs) {
    if (std::none_of(s.compacted.begin(), s.compacted.end(),
                     [&](const auto& r) { return r.id == id; })) {
      return "sorted run " + std::to_string(id) + " is not in the segment";
    }
  }
  return "";
}

bool Overlaps(const format::CompactionRecord& rec, const CompactionSpec& busy) {
  if (rec.segment != busy.segment) return false;  // trees are independent (RFC-0024)
  if (!rec.l0_view_ids.empty() && !busy.l0_ids.empty()) return true;
  for (uint32_t id : rec.sorted_runs) {
    if (std::find(busy.run_ids.begin(), busy.run_ids.end(), id) != busy.run_ids.end()) return true;
  }
  return false;
}

}  // namespace

void Compactor::MergeSubmitted(const format::Compactions& other) {
  for (const auto& rec : other.recent_compactions) {
    if (rec.status == format::CompactionStatus::kSubmitted && FindRecord(rec.id) == nullptr) {
      compactions_.recent_compactions.push_back(rec);
    }
  }
}

void Compactor::AdoptSubmitted() {
  auto latest = compactions_store_.ReadLatest();
  if (!latest.ok()) {
    log_.Warn("compactor {}: reading .compactions failed (will retry): {}", db_path_,
              latest.status().ToString());
    return;
  }
  if (*latest && (*latest)->id > compactions_id_) {
    if (Status fenced = CheckEpoch((*latest)->compactions); !fenced.ok()) {
      Latch(fenced);
      return;
    }
    if (external_workers_) {
      compactions_ = MergeCompactions(base_, compactions_, (*latest)->compactions);
      base_ = (*latest)->compactions;
    } else {
      MergeSubmitted((*latest)->compactions);
    }
    compactions_id_ = (*latest)->id;
  }
  CommitCompacted();
  if (!fatal_.ok()) return;
  if (external_workers_) {
    ReclaimStale();
    if (!fatal_.ok()) return;
  }
  std::vector<format::Ulid> pending;
  for (const auto& rec : compactions_.recent_compactions) {
    if (rec.status == format::CompactionStatus::kSubmitted && running_specs_.count(rec.id) == 0) {
      pending.push_back(rec.id);
    }
  }
  bool failed_any = false;
  for (const format::Ulid& id : pending) {
    format::CompactionRecord* rec = FindRecord(id);
    if (rec == nullptr) continue;
    std::string why = InvalidReason(*rec, manifest_->manifest());
    if (!why.empty()) {
      // A submission may name what our (cached) view of the manifest does not show yet: look
      // at the store itself once before calling it invalid.
      manifest_store_->InvalidateCache();
      Status refreshed = manifest_->Refresh();
      if (refreshed.ok()) why = InvalidReason(*rec, manifest_->manifest());
    }
    if (!why.empty()) {
      log_.Warn("compactor {}: submitted compaction {} failed validation: {}", db_path_,
                id.ToString(), why);
      rec->status = format::CompactionStatus::kFailed;
      failed_any = true;
      continue;
    }
    bool busy = false;
    for (const auto& spec : failed_specs_) busy |= Overlaps(*rec, spec);
    for (const auto& [rid, spec] : running_specs_) busy |= Overlaps(*rec, spec);
    const std::vector<CompactionSpec> recorded = RecordedBusy();
    for (const auto& spec : recorded) busy |= Overlaps(*rec, spec);
    if (busy) continue;
    if (rec->kind == format::CompactionKind::kDrainSegment) {
      // Nothing to merge: the commit is the whole job (done here, by the coordinator).
      Status st = ExecuteDrain(rec);
      if (st.IsFenced()) {
        Latch(st);
        return;
      }
      if (!st.ok()) {
        log_.Warn("compactor {}: drain {} failed (will retry): {}", db_path_, id.ToString(),
                  st.ToString());
      }
      continue;
    }
    if (outstanding_ + recorded.size() >= options_.max_concurrent_compactions) continue;
    CompactionSpec spec;
    spec.l0_ids = rec->l0_view_ids;
    spec.run_ids = rec->sorted_runs;
    spec.destination = rec->destination.value_or(0);
    spec.segment = rec->segment;
    Status st = Submit(spec, id);
    if (!st.ok()) {
      if (st.IsFenced()) {
        Latch(st);
        return;
      }
      log_.Warn("compactor {}: could not start submitted compaction {}: {}", db_path_,
                id.ToString(), st.ToString());
    }
  }
  if (failed_any) {
    // Written once so the submitter sees why; then dropped (a Failed record would pin the GC
    // watermark).
    Status st = WriteCompactions();
    std::erase_if(compactions_.recent_compactions, [](const format::CompactionRecord& r) {
      return r.status == format::CompactionStatus::kFailed;
    });
    if (st.IsFenced()) {
      Latch(st);
    } else if (!st.ok()) {
      log_.Warn("compactor {}: could not record failed submissions: {}", db_path_, st.ToString());
    }
  }
}

Status Compactor::Submit(const CompactionSpec& spec, std::optional<format::Ulid> existing) {
  const format::Ulid job_id = existing ? *existing : ulids_->Next(clock_->NowMillis());
  ASSIGN_OR_RETURN(CompactionJob job, ResolveJob(manifest_->manifest(), job_id, spec, db_path_));
  Status st;
  if (external_workers_) {
    // Validated (ours by construction, an admin's by AdoptSubmitted): queued for a worker.
    if (existing) {
      FindRecord(job.id)->status = format::CompactionStatus::kScheduled;
    } else {
      format::CompactionRecord rec;
      rec.id = job.id;
      rec.sorted_runs = spec.run_ids;
      rec.l0_view_ids = spec.l0_ids;
      rec.destination = spec.destination;
      rec.segment = spec.segment;
      rec.status = format::CompactionStatus::kScheduled;
      compactions_.recent_compactions.push_back(rec);
    }
    st = WriteCompactions();
    if (!st.ok()) {
      if (existing) {
        if (auto* r = FindRecord(job.id)) r->status = format::CompactionStatus::kSubmitted;
      } else {
        RemoveRecord(job.id);
      }
      return st;
    }
    util::MutexLock lock(&stats_mu_);
    ++stats_.submitted;
    log_.Debug("compactor {}: scheduled {} {} for a worker", db_path_, job.id.ToString(),
               SpecToString(spec));
    return Status::OK();
  }
  if (!existing) {
    format::CompactionRecord rec;
    rec.id = job.id;
    rec.sorted_runs = spec.run_ids;
    rec.l0_view_ids = spec.l0_ids;
    rec.destination = spec.destination;  // stored by `.compactions` version 2 only
    rec.segment = spec.segment;
    rec.status = format::CompactionStatus::kSubmitted;
    compactions_.recent_compactions.push_back(rec);
    st = WriteCompactions();
  }
  if (st.ok()) {
    FindRecord(job.id)->status = format::CompactionStatus::kRunning;
    st = WriteCompactions();
  }
  if (!st.ok()) {
    if (existing) {
      FindRecord(job.id)->status = format::CompactionStatus::kSubmitted;  // retried next poll
    } else {
      RemoveRecord(job.id);
    }
    return st;
  }
  format::Ulid id = job.id;
  if (!executor_->Submit(std::move(job))) {
    RemoveRecord(id);  // unreachable: the executor closes only in Drain()
    return Status::Internal("executor closed");
  }
  running_specs_[id] = spec;
  ++outstanding_;
  metrics_.running->Increment(1);
  util::MutexLock lock(&stats_mu_);
  ++stats_.submitted;
  stats_.running = outstanding_;
  log_.Debug("compactor {}: submitted {} {}", db_path_, id.ToString(), SpecToString(spec));
  return Status::OK();
}

void Compactor::HandleCompletion(CompactionJobResult result) {
  --outstanding_;
  metrics_.running->Increment(-1);
  metrics_.bytes_compacted->Increment(result.bytes_written);
  CompactionSpec spec = running_specs_[result.id];
  running_specs_.erase(result.id);
  {
    util::MutexLock lock(&stats_mu_);
    stats_.running = outstanding_;
    stats_.bytes_read += result.bytes_read;
    stats_.bytes_written += result.bytes_written;
  }
  Status st;
  if (!fatal_.ok()) {
    st = fatal_;  // fenced: nothing may be written any more
  } else if (result.cancelled) {
    log_.Debug("compactor {}: compaction {} cancelled at an SST boundary ({} orphaned SSTs)",
               db_path_, result.id.ToString(), result.outputs.size());
    RemoveRecord(result.id);
    Status w = WriteCompactions();
    if (w.IsFenced()) Latch(w);
    metrics_.cancelled->Increment(1);
    util::MutexLock lock(&stats_mu_);
    ++stats_.cancelled;
    stats_.orphaned_ssts += result.outputs.size();
    return;
  } else if (!result.status.ok()) {
    st = result.status;
  } else {
    st = Commit(spec, result);
    if (st.ok()) {
      // One line per compaction; its ULID holds the submit time (on clock_).
      const int64_t elapsed_ms = util::SaturatingAdd<int64_t>(
          clock_->NowMillis(), -static_cast<int64_t>(result.id.TimestampMillis()));
      log_.Info(
          "compactor {}: compaction {} done: inputs {} L0 SSTs + {} sorted runs, output run {} "
          "({} SSTs, {} rows), bytes read {} written {}, {:.3f} s",
          db_path_, result.id.ToString(), spec.l0_ids.size(), spec.run_ids.size(), spec.destination,
          result.outputs.size(), result.rows_written, result.bytes_read, result.bytes_written,
          static_cast<double>(std::max<int64_t>(0, elapsed_ms)) / 1000.0);
      CountCommitted(result.outputs.size());
      return;
    }
  }
  // Failed (or fenced): the outputs are orphans for the GC.
  if (st.IsFenced()) {
    Latch(st);
  } else if (st.IsNotFound()) {
    // An input object is gone: every retry would fail the same way (and write `.compactions`
    // three times). Fail it once, loudly; its inputs stay unscheduled (failed_specs_).
    log_.Error(
        "compactor {}: compaction {} ({}) failed: an input object is missing: {}; not retrying "
        "(these inputs are not compacted again while they are in the manifest)",
        db_path_, result.id.ToString(), SpecToString(spec), st.ToString());
    failed_specs_.push_back(spec);
    RemoveRecord(result.id);
    Status w = WriteCompactions();
    if (w.IsFenced()) Latch(w);
  } else {
    log_.Warn("compactor {}: compaction {} ({}) failed, will retry: {}", db_path_,
              result.id.ToString(), SpecToString(spec), st.ToString());
    retry_pending_ = true;
    RemoveRecord(result.id);
    Status w = WriteCompactions();
    if (w.IsFenced()) Latch(w);
  }
  metrics_.failed->Increment(1);
  util::MutexLock lock(&stats_mu_);
  ++stats_.failed;
  stats_.orphaned_ssts += result.outputs.size();
}

Status Compactor::Commit(const CompactionSpec& spec, const CompactionJobResult& result) {
  format::CompactionRecord* rec = FindRecord(result.id);
  if (rec == nullptr) return Status::Internal("compaction " + result.id.ToString() + " unknown");
  if (rec->status != format::CompactionStatus::kCompacted) {  // a worker's are recorded already
    rec->output_ssts = result.outputs;
    if (!result.subcompactions.empty() &&
        manifest::StoreFormatFor(output_.compatibility).compactions_version >=
            format::kCompactionsFormatVersionV2) {
      // `.compactions` v2 keeps the ranges the job ran as (version 1 has no place for them).
      rec->ctx = format::CompactionContext{result.subcompactions, result.retention_min_seq};
    }
    RETURN_IF_ERROR(WriteCompactions());
  }

  // Checks that every source is still in `m` (only a bug or a foreign compactor could break
  // this; the epoch check makes the latter a Fenced error first).
  auto check_sources = [&](const format::Manifest& m) -> Status {
    for (const auto& id : spec.l0_ids) {
      if (std::none_of(m.l0.begin(), m.l0.end(), [&](const auto& h) { return h.id == id; })) {
        return Status::Internal("compaction " + result.id.ToString() + ": source L0 " +
                                id.ToString() + " is no longer in the manifest");
      }
    }
    for (uint32_t run_id : spec.run_ids) {
      if (std::none_of(m.compacted.begin(), m.compacted.end(),
                       [&](const auto& r) { return r.id == run_id; })) {
        return Status::Internal("compaction " + result.id.ToString() + ": source run " +
                                std::to_string(run_id) + " is no longer in the manifest");
      }
    }
    return Status::OK();
  };

  // Start from the current version: the cached one may be as old as the job, and a version
  // that old may have been deleted by the GC (min_age) — re-creating it would fork history.
  RETURN_IF_ERROR(manifest_->Refresh());

  // A segment's job (RFC-0024) works on that segment's tree in the root tree's place: the
  // checks below see it as `now`, and each update swaps it in and back out (format/segments.h).
  std::optional<format::Manifest> segment_view;
  if (!spec.segment.empty()) {
    segment_view = format::WithTreeAsRoot(manifest_->manifest(), spec.segment);
    if (!segment_view) {
      return Status::Internal("compaction " + result.id.ToString() + ": segment '" +
                              util::PrintableKey(spec.segment) + "' is no longer in the manifest");
    }
  }
  auto in_tree = [&](const std::function<Status(format::Manifest&)>& fn) {
    return [&, fn](format::Manifest& m) -> Status {
      if (!format::SwapTreeIntoRoot(m, spec.segment)) {
        return Status::Internal("compaction " + result.id.ToString() + ": segment '" +
                                util::PrintableKey(spec.segment) + "' is gone");
      }
      Status st = fn(m);
      format::SwapTreeIntoRoot(m, spec.segment);
      return st;
    };
  };

  // Already committed (a coordinator died between the manifest and `.compactions`, and this is
  // the re-commit after its restart): only the Completed mark is missing.
  const format::Manifest& now = segment_view ? *segment_view : manifest_->manifest();
  auto no_source_left = [&] {
    const bool l0_left = std::any_of(spec.l0_ids.begin(), spec.l0_ids.end(), [&](const auto& id) {
      return std::any_of(now.l0.begin(), now.l0.end(), [&](const auto& h) { return h.id == id; });
    });
    const bool run_left = std::any_of(spec.run_ids.begin(), spec.run_ids.end(), [&](uint32_t id) {
      return std::any_of(now.compacted.begin(), now.compacted.end(),
                         [&](const auto& r) { return r.id == id; });
    });
    return !l0_left && !run_left;
  };
  const bool committed =
      result.outputs.empty()
          ? no_source_left()
          : std::any_of(now.compacted.begin(), now.compacted.end(), [&](const auto& r) {
              return r.id == spec.destination && r.ssts.size() == result.outputs.size() &&
                     std::equal(r.ssts.begin(), r.ssts.end(), result.outputs.begin(),
                                [](const auto& a, const auto& b) { return a.id == b.id; });
            });
  if (committed) {
    log_.Info("compactor {}: compaction {} was already in the manifest; marking it completed",
              db_path_, result.id.ToString());
  } else {
    // 1. A checkpoint of the state that still lists the inputs (docs/format.md §10, docs/design.md
    // §10). Its id is drawn once, so a mutation re-applied on a version that already holds it adds
    // nothing.
    const format::Uuid checkpoint_id = format::Uuid::NewV4(rng_);
    Status updated = manifest_->Update(in_tree([&](format::Manifest& m) -> Status {
      RETURN_IF_ERROR(check_sources(m));
      if (std::any_of(m.checkpoints.begin(), m.checkpoints.end(),
                      [&](const format::Checkpoint& c) { return c.id == checkpoint_id; })) {
        return Status::OK();
      }
      int64_t now_s = clock_->NowMillis() / 1000;
      std::erase_if(m.checkpoints, [&](const format::Checkpoint& c) {
        return c.expire_time_s != 0 && static_cast<int64_t>(c.expire_time_s) <= now_s;
      });
      format::Checkpoint cp;
      cp.id = checkpoint_id;
      cp.manifest_id = manifest_->id() + 1;  // the version this mutation is written as
      cp.create_time_s = util::SaturatingCast<uint32_t>(now_s);
      cp.expire_time_s = util::SaturatingCast<uint32_t>(
          util::SaturatingAdd<int64_t>(now_s, kCompactionCheckpointLifetimeSeconds));
      m.checkpoints.push_back(std::move(cp));
      return Status::OK();
    }));
    RETURN_IF_ERROR(updated);

    // 2. The result. Idempotent: a version that already holds it (our earlier write landed
    // although its reply was lost) is left as it is.
    updated = manifest_->Update(in_tree([&](format::Manifest& m) -> Status {
      auto dest = std::find_if(m.compacted.begin(), m.compacted.end(),
                               [&](const auto& r) { return r.id == spec.destination; });
      if (!result.outputs.empty() && dest != m.compacted.end() &&
          dest->ssts.size() == result.outputs.size() &&
          std::equal(dest->ssts.begin(), dest->ssts.end(), result.outputs.begin(),
                     [](const auto& a, const auto& b) { return a.id == b.id; })) {
        return Status::OK();
      }
      RETURN_IF_ERROR(check_sources(m));
      std::set<format::Ulid> l0_ids(spec.l0_ids.begin(), spec.l0_ids.end());
      std::set<uint32_t> run_ids(spec.run_ids.begin(), spec.run_ids.end());
      std::erase_if(m.l0, [&](const format::SstHandle& h) { return l0_ids.count(h.id) > 0; });
      std::erase_if(m.compacted,
                    [&](const format::SortedRun& r) { return run_ids.count(r.id) > 0; });
      if (!result.outputs.empty()) {
        if (std::any_of(m.compacted.begin(), m.compacted.end(),
                        [&](const auto& r) { return r.id == spec.destination; })) {
          return Status::Internal("compaction " + result.id.ToString() + ": destination run " +
                                  std::to_string(spec.destination) + " already exists");
        }
        auto pos = std::find_if(m.compacted.begin(), m.compacted.end(),
                                [&](const auto& r) { return r.id < spec.destination; });
        m.compacted.insert(pos, format::SortedRun{spec.destination, result.outputs});
      }
      if (!spec.l0_ids.empty()) m.l0_last_compacted = spec.l0_ids.front();
      // A clone: ancestors' SSTs rewritten into our own are no longer read from there (the GC
      // detaches an ancestor whose list runs empty).
      manifest::PruneExternalSstIds(m);
      return Status::OK();
    }));
    RETURN_IF_ERROR(updated);
    if (on_manifest_committed_) on_manifest_committed_();
  }

  // 3. Completed; keep only active compactions plus this one.
  MarkCompleted(result.id);
  Status st = WriteCompactions();
  if (!st.ok() && !st.IsFenced()) {
    // The manifest already holds the result; only the bookkeeping object is stale.
    log_.Warn("compactor {}: could not record completion of {}: {}", db_path_, result.id.ToString(),
              st.ToString());
    return Status::OK();
  }
  if (st.IsFenced()) Latch(st);
  return Status::OK();
}

void Compactor::CountCommitted(size_t outputs) {
  metrics_.committed->Increment(1);
  metrics_.ssts_written->Increment(outputs);
  metrics_.last_compaction_timestamp_sec->Set(clock_->NowMillis() / 1000);
  util::MutexLock lock(&stats_mu_);
  ++stats_.committed;
}

Status Compactor::ExecuteDrain(format::CompactionRecord* rec) {
  const format::Ulid id = rec->id;
  const std::string prefix = rec->segment;
  const std::set<format::Ulid> l0s(rec->l0_view_ids.begin(), rec->l0_view_ids.end());
  const std::set<uint32_t> runs(rec->sorted_runs.begin(), rec->sorted_runs.end());
  // RFC-0024: the listed L0s and runs leave the segment, its watermark moves to the newest listed
  // L0; the segment stays as a drain marker until the writer prunes it. Idempotent (a version
  // that no longer lists the sources, or no longer has the segment, is left as it is).
  RETURN_IF_ERROR(manifest_->Update([&](format::Manifest& m) -> Status {
    const std::optional<size_t> at = format::FindSegment(m, prefix);
    if (!at) return Status::OK();
    format::Segment& s = m.segments[*at];
    std::erase_if(s.l0, [&](const format::SstHandle& h) { return l0s.count(h.ViewId()) > 0; });
    std::erase_if(s.compacted, [&](const format::SortedRun& r) { return runs.count(r.id) > 0; });
    if (!l0s.empty() &&
        (!s.last_compacted_l0_view_id || *s.last_compacted_l0_view_id < *l0s.rbegin())) {
      s.last_compacted_l0_view_id = *l0s.rbegin();
    }
    manifest::PruneExternalSstIds(m);
    return Status::OK();
  }));
  if (on_manifest_committed_) on_manifest_committed_();
  if (!MarkCompleted(id)) return Status::OK();
  log_.Info("compactor {}: drained segment '{}' ({} L0 SSTs, {} sorted runs) for {}", db_path_,
            util::PrintableKey(prefix), l0s.size(), runs.size(), id.ToString());
  return WriteCompactions();
}

std::vector<CompactionSpec> Compactor::RecordedBusy() const {
  std::vector<CompactionSpec> out;
  for (const auto& r : compactions_.recent_compactions) {
    const bool held = r.status == format::CompactionStatus::kScheduled ||
                      r.status == format::CompactionStatus::kRunning ||
                      r.status == format::CompactionStatus::kCompacted;
    if (held && running_specs_.count(r.id) == 0) out.push_back(SpecOf(r));
  }
  return out;
}

void Compactor::CommitCompacted() {
  std::vector<format::Ulid> ids;
  for (const auto& r : compactions_.recent_compactions) {
    if (r.status == format::CompactionStatus::kCompacted && running_specs_.count(r.id) == 0) {
      ids.push_back(r.id);
    }
  }
  for (const format::Ulid& id : ids) {
    const format::CompactionRecord* rec = FindRecord(id);
    if (rec == nullptr || rec->status != format::CompactionStatus::kCompacted) continue;
    const CompactionSpec spec = SpecOf(*rec);
    CompactionJobResult result;
    result.id = id;
    result.outputs = rec->output_ssts;
    Status st = Commit(spec, result);
    if (st.ok()) {
      const int64_t elapsed_ms = util::SaturatingAdd<int64_t>(
          clock_->NowMillis(), -static_cast<int64_t>(id.TimestampMillis()));
      log_.Info(
          "compactor {}: compaction {} done by {}: inputs {} L0 SSTs + {} sorted runs, output "
          "run {} ({} SSTs), {:.3f} s",
          db_path_, id.ToString(), rec->worker ? rec->worker->worker_id : std::string("a worker"),
          spec.l0_ids.size(), spec.run_ids.size(), spec.destination, result.outputs.size(),
          static_cast<double>(std::max<int64_t>(0, elapsed_ms)) / 1000.0);
      CountCommitted(result.outputs.size());
      continue;
    }
    if (st.IsFenced()) {
      Latch(st);
      return;
    }
    log_.Warn("compactor {}: committing compacted {} failed (will retry): {}", db_path_,
              id.ToString(), st.ToString());
    retry_pending_ = true;
    metrics_.failed->Increment(1);
    util::MutexLock lock(&stats_mu_);
    ++stats_.failed;
  }
}

void Compactor::ReclaimStale() {
  const uint64_t now_ms = static_cast<uint64_t>(std::max<int64_t>(0, clock_->NowMillis()));
  const auto timeout_ms = static_cast<uint64_t>(options_.worker_heartbeat_timeout.count());
  bool changed = false;
  for (auto& r : compactions_.recent_compactions) {
    if (r.status != format::CompactionStatus::kRunning) continue;
    if (!r.worker) {
      // Left Running by an embedded compactor that died: nobody heartbeats it.
      log_.Warn("compactor {}: compaction {} is Running without a worker: rescheduling it",
                db_path_, r.id.ToString());
    } else if (r.worker->last_heartbeat_ms + timeout_ms < now_ms) {
      log_.Warn(
          "compactor {}: worker {} of compaction {} last heartbeat {} ms ago (timeout {} ms): "
          "rescheduling it ({} recorded outputs kept)",
          db_path_, r.worker->worker_id, r.id.ToString(), now_ms - r.worker->last_heartbeat_ms,
          timeout_ms, r.output_ssts.size());
    } else {
      continue;
    }
    r.status = format::CompactionStatus::kScheduled;
    r.worker.reset();
    changed = true;
  }
  // A worker marks a job Failed when it cannot run (an input is gone): forget it, keep its
  // inputs unscheduled while they are in the manifest (as for our own kNotFound failures).
  std::vector<format::Ulid> failed;
  for (const auto& r : compactions_.recent_compactions) {
    if (r.status == format::CompactionStatus::kFailed && r.worker) {
      failed_specs_.push_back(SpecOf(r));
      failed.push_back(r.id);
    }
  }
  for (const auto& id : failed) RemoveRecord(id);
  changed |= !failed.empty();
  if (!changed) return;
  Status st = WriteCompactions();
  if (st.IsFenced()) {
    Latch(st);
  } else if (!st.ok()) {
    log_.Warn("compactor {}: could not reschedule stale jobs (will retry): {}", db_path_,
              st.ToString());
    retry_pending_ = true;
  }
}

Status Compactor::CheckEpoch(const format::Compactions& stored) const {
  if (stored.compactor_epoch > compactions_.compactor_epoch) {
    return Status::Fenced("detected newer compactor (epoch " +
                          std::to_string(stored.compactor_epoch) + " > " +
                          std::to_string(compactions_.compactor_epoch) + ")");
  }
  return Status::OK();
}

Status Compactor::WriteCompactions() {
  // The first attempt writes our state as it is; after a lost race the newer stored version is
  // folded into it before the next attempt.
  manifest::VersionedCompactions current{compactions_id_, base_};
  bool first = true;
  manifest::CompactionsStore::UpdateOptions update;
  update.max_attempts = 100;
  update.check = [this](const manifest::VersionedCompactions& v) {
    return CheckEpoch(v.compactions);
  };
  Status st = compactions_store_.Update(
      &current,
      [&](format::Compactions& next) -> Status {
        if (!first) {
          if (external_workers_) {
            // Workers claim, heartbeat and finish jobs concurrently: keep their changes.
            compactions_ = MergeCompactions(base_, compactions_, next);
            base_ = std::move(next);
          } else {
            // An admin's submission (same epoch) must not be overwritten: keep it for the next
            // poll.
            MergeSubmitted(next);
          }
        }
        first = false;
        next = compactions_;
        return Status::OK();
      },
      update);
  compactions_id_ = current.id;
  if (st.ok()) base_ = std::move(current.compactions);
  return st;
}

format::CompactionRecord* Compactor::FindRecord(const format::Ulid& id) {
  for (auto& r : compactions_.recent_compactions) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

bool Compactor::MarkCompleted(const format::Ulid& id) {
  format::CompactionRecord* rec = FindRecord(id);
  if (rec == nullptr) return false;
  rec->status = format::CompactionStatus::kCompleted;
  std::erase_if(compactions_.recent_compactions, [&](const format::CompactionRecord& r) {
    return r.status == format::CompactionStatus::kCompleted && r.id != id;
  });
  return true;
}

void Compactor::RemoveRecord(const format::Ulid& id) {
  std::erase_if(compactions_.recent_compactions,
                [&](const format::CompactionRecord& r) { return r.id == id; });
}

}  // namespace slatedb::compactor
