#include "db/l0_flusher.h"

#include <algorithm>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "format/segments.h"
#include "format/sequence_tracker.h"
#include "format/sst.h"
#include "util/background_task.h"
#include "util/channel.h"
#include "util/clock_wait.h"
#include "util/saturating.h"
#include "util/thread_name.h"

namespace slatedb::db {

namespace {

constexpr size_t kChannelCapacity = 64;

Status ClosedStatus() { return Status::Closed(CloseReason::kClean, "database is closed"); }

}  // namespace

// ---------------------------------------------------------------------------------------------
// ManifestPoller

Status ManifestPoller::Poll() {
  const L0FlusherDeps& d = *deps_;
  d.metrics->manifest_refresh_count->Increment(1);
  std::shared_ptr<const format::Manifest> published;
  {
    util::MutexLock mlock(d.manifest_mu);
    uint64_t before = d.manifest->id();
    Status st = d.manifest->Refresh();
    if (!st.ok()) {
      if (st.IsFenced()) d.host->Latch(st);
      return st;
    }
    if (d.manifest->id() == before) return Status::OK();
    published = std::make_shared<const format::Manifest>(d.manifest->manifest());
    d.manifest_id->store(d.manifest->id());
  }
  // The embedded compactor does not poll on its own (DisableTimedPolls): a version written by
  // someone else (an external compactor, a checkpoint by admin, …) is its cue to look again.
  if (d.compactor) d.compactor->Notify();
  d.reads->Retain(published);
  d.metrics->read.SetManifestGauges(*published);
  d.host->PublishManifest(std::move(published), nullptr);
  return Status::OK();
}

// ---------------------------------------------------------------------------------------------
// The task and the upload pool

class L0Flusher::Task final : public util::BackgroundTask<FlushMsg> {
 public:
  Task(L0Flusher* f, std::chrono::milliseconds poll)
      : BackgroundTask("slatedb-l0flush", kChannelCapacity, poll, f->deps_.clock), f_(f) {}
  ~Task() override { Stop(); }

 protected:
  void Handle(FlushMsg& msg) override {
    // During shutdown pending flushes are abandoned: the WAL already holds their rows.
    Status st = msg.final_flush ? f_->FlushImmutables(true)
                : stopping()    ? ClosedStatus()
                                : f_->FlushImmutables(true);
    if (msg.done) msg.done->set_value(st);
  }
  void OnStop() override { f_->FinishUploads(); }
  void OnTick() override {
    Status st = f_->poller_.Poll();
    if (!st.ok() && !st.IsFenced())
      f_->deps_.log.Warn("slatedb: manifest refresh failed: {}", st.ToString());
    // Retry immutables left behind by an earlier failure.
    f_->FlushImmutables(false).PermitUnchecked();
  }

 private:
  L0Flusher* const f_;
};

// The upload threads of the parallel flusher: a fixed pool started with the flusher and joined
// by its OnStop. The flusher never has more than `threads` uploads running, so a submitted
// upload starts at once.
class L0Flusher::UploadPool {
 public:
  UploadPool(L0Flusher* f, size_t threads) : f_(f), queue_(threads) {
    for (size_t i = 0; i < threads; ++i) {
      workers_.push_back(util::NamedThread("slatedb-l0up-" + std::to_string(i), [this] {
        while (auto upload = queue_.Receive()) f_->RunL0Upload(*upload);
      }));
    }
  }
  ~UploadPool() { Stop(); }
  UploadPool(const UploadPool&) = delete;
  UploadPool& operator=(const UploadPool&) = delete;

  // false once stopped (the upload is not run).
  bool Submit(std::shared_ptr<L0Upload> upload) {
    return queue_.Send(std::move(upload)) == util::SendResult::kOk;
  }
  // Runs what is queued, then joins. Idempotent.
  void Stop() {
    queue_.Close();
    for (auto& w : workers_) {
      if (w.joinable()) w.join();
    }
  }

 private:
  L0Flusher* const f_;
  util::Channel<std::shared_ptr<L0Upload>> queue_;
  std::vector<std::jthread> workers_;
};

// ---------------------------------------------------------------------------------------------
// L0Flusher

L0Flusher::L0Flusher(L0FlusherDeps deps, std::unique_ptr<format::UlidGenerator> ulids,
                     format::Ulid last_ulid)
    : deps_(std::move(deps)), poller_(&deps_), ulids_(std::move(ulids)), last_ulid_(last_ulid) {}

L0Flusher::~L0Flusher() { Stop(); }

void L0Flusher::Start() {
  // A segmented flush (one SST per tree) is serial: its ids are minted as each SST starts.
  if (deps_.settings->l0_flush_parallelism > 1 && deps_.segment_extractor == nullptr) {
    upload_pool_ = std::make_unique<UploadPool>(
        this, static_cast<size_t>(deps_.settings->l0_flush_parallelism));
  }
  task_ = std::make_unique<Task>(this, deps_.settings->manifest_poll_interval);
  task_->Start();
}

void L0Flusher::Stop() {
  if (task_) task_->Stop();
}

void L0Flusher::Kick() {
  if (task_) task_->TrySend(FlushMsg{});
}

std::optional<std::future<Status>> L0Flusher::SendFlush(bool final_flush) {
  std::promise<Status> p;
  std::future<Status> f = p.get_future();
  FlushMsg msg;
  msg.done = std::move(p);
  msg.final_flush = final_flush;
  if (!task_ || task_->Send(std::move(msg)) != util::SendResult::kOk) return std::nullopt;
  return f;
}

void L0Flusher::OnFrozen() {
  {
    util::MutexLock lock(&mu_);
    ++upload_events_;  // a parallel flusher waiting for uploads may start this one
  }
  cv_.NotifyAll();
}

void L0Flusher::OnL0Compacted() {
  {
    util::MutexLock lock(&mu_);
    ++l0_compacted_events_;
  }
  cv_.NotifyAll();
}

void L0Flusher::WakeWaiters() {
  { util::MutexLock lock(&mu_); }  // a waiter is either before its check or in Wait
  cv_.NotifyAll();
}

Status L0Flusher::AwaitL0Room() {
  // Wait for the (embedded or external) compactor to drain L0, then re-read the manifest.
  deps_.metrics->l0_stall_count->Increment(1);
  uint64_t seen = 0;
  {
    util::MutexLock lock(&mu_);
    seen = l0_compacted_events_;  // before the Notify: a commit right after it is not missed
  }
  // The caller decided on the state it read before `seen`: a commit between that read and
  // `seen` was counted already and may be the compactor's last (it then idles, and with a
  // stopped clock the wait below would never end). Re-read the manifest first; a newer one means
  // the caller looks again without waiting.
  const std::shared_ptr<const format::Manifest> before = deps_.host->State()->manifest;
  Status polled = poller_.Poll();
  if (!polled.ok() && polled.IsFenced()) return polled;
  if (deps_.host->State()->manifest != before) return Status::OK();
  if (deps_.compactor) deps_.compactor->Notify();
  {
    util::ClockWait wait(deps_.clock.get(), &mu_, &cv_);
    util::MutexLock lock(&mu_);
    const auto deadline =
        util::SaturatingDeadline(deps_.clock->SteadyNow(), deps_.settings->manifest_poll_interval);
    while (!deps_.host->Stopping() && l0_compacted_events_ == seen &&
           wait.WaitUntil(&mu_, deadline)) {
    }
    if (deps_.host->Stopping()) return ClosedStatus();
  }
  Status st = poller_.Poll();
  if (!st.ok() && st.IsFenced()) return st;
  return Status::OK();
}

Status L0Flusher::FlushImmutables(bool wait_for_l0_room) {
  if (upload_pool_) return FlushImmutablesParallel(wait_for_l0_room);
  while (true) {
    if (deps_.host->HasFatal()) return deps_.host->FatalStatus();
    std::shared_ptr<const ImmutableMemtable> imm;
    size_t l0_count = 0;
    {
      std::shared_ptr<const DbState> state = deps_.host->State();
      if (state->imms.empty()) return Status::OK();
      imm = state->imms.back();                        // oldest
      l0_count = format::MaxTreeL0(*state->manifest);  // per tree (RFC-0024)
    }
    if (l0_count >= deps_.settings->l0_max_ssts) {
      if (!wait_for_l0_room) return Status::OK();
      RETURN_IF_ERROR(AwaitL0Room());
      continue;
    }
    RETURN_IF_ERROR(FlushOneImmutable(imm));
  }
}

Status L0Flusher::EnsureWalDurable(uint64_t max_seq) {
  // The WAL first, so L0 never holds rows that are not durable in the WAL (durable_seq stays
  // an upper bound of what L0 contains, and the replay point below is exact).
  if (deps_.settings->wal_enabled && deps_.wal->durable_seq() < max_seq) {
    RETURN_IF_ERROR(deps_.wal->RequestFlush());
    if (deps_.wal->durable_seq() < max_seq) {
      return Status::Internal("WAL flush did not make seq " + std::to_string(max_seq) + " durable");
    }
  }
  return Status::OK();
}

format::Ulid L0Flusher::NextL0Id() {
  format::Ulid id = ulids_->Next(deps_.clock->NowMillis());
  if (id <= last_ulid_) {  // strictly above every SST id we know of (GC relies on ULID order)
    id = last_ulid_;
    if (++id.low == 0) ++id.high;
  }
  last_ulid_ = id;
  return id;
}

Status L0Flusher::FlushOneImmutable(const std::shared_ptr<const ImmutableMemtable>& imm) {
  RETURN_IF_ERROR(EnsureWalDurable(imm->max_seq));
  // Per key: every version a live snapshot can see, plus the newest (the retention bound is the
  // memtable's own max seq while no snapshot is older). A snapshot registered after this reads
  // a committed seq >= imm->max_seq, so it needs nothing older than what is kept.
  const uint64_t retention_seq = deps_.host->FlushRetentionSeq(*imm);
  if (!pending_l0_ || pending_l0_->imm != imm) {
    std::vector<SegmentL0> ssts;
    if (deps_.segment_extractor != nullptr) {
      // One L0 SST per tree the rows belong to (db/segment_flush.h).
      ASSIGN_OR_RETURN(ssts,
                       WriteSegmentedL0(*deps_.sst_writer, *deps_.segment_extractor,
                                        *deps_.host->State()->manifest, *imm->table, retention_seq,
                                        deps_.merge_operator, [this] { return NextL0Id(); }));
    } else {
      format::SstHandle& handle = ssts.emplace_back().handle;
      handle.id = NextL0Id();
      handle.format_version = format::kSstFormatVersion;
      ASSIGN_OR_RETURN(handle.info,
                       deps_.sst_writer->WriteMemtable(handle.id, *imm->table, retention_seq,
                                                       deps_.merge_operator));
    }
    pending_l0_ = PendingL0{imm, std::move(ssts)};
  }
  RETURN_IF_ERROR(PublishL0(imm, pending_l0_->ssts));
  pending_l0_.reset();
  return Status::OK();
}

Status L0Flusher::FlushImmutablesParallel(bool wait_for_l0_room) {
  const size_t parallelism = static_cast<size_t>(deps_.settings->l0_flush_parallelism);
  while (true) {
    if (deps_.host->HasFatal()) return deps_.host->FatalStatus();
    uint64_t events = 0;
    {
      util::MutexLock lock(&mu_);
      events = upload_events_;  // before looking: a later event ends the wait below at once
    }
    RETURN_IF_ERROR(PublishFinishedUploads(/*retry_failed=*/true));
    // Start the oldest memtables not yet started, while fewer than `parallelism` uploads run
    // and L0 (published + started) has room.
    std::vector<std::shared_ptr<const ImmutableMemtable>> start;
    size_t running = 0;
    {
      // The state first: memtables frozen after this read are left for the next round.
      std::shared_ptr<const DbState> state = deps_.host->State();
      util::MutexLock lock(&mu_);
      if (state->imms.empty() && uploads_.empty()) return Status::OK();
      running = static_cast<size_t>(std::count_if(uploads_.begin(), uploads_.end(), [](auto& u) {
        return u->state == L0Upload::State::kRunning;
      }));
      const size_t total = state->imms.size();
      for (size_t next = uploads_.size(); next < total; ++next) {
        if (state->manifest->l0.size() + uploads_.size() + start.size() >=
            deps_.settings->l0_max_ssts)
          break;
        if (running + start.size() >= parallelism) break;
        start.push_back(state->imms[total - 1 - next]);  // imms are newest first
      }
    }
    if (!start.empty()) {
      RETURN_IF_ERROR(EnsureWalDurable(start.back()->max_seq));
      for (const auto& imm : start) {
        auto upload = std::make_shared<L0Upload>();
        upload->imm = imm;
        upload->handle.id = NextL0Id();  // minted in memtable order: L0 ids grow with age
        upload->handle.format_version = format::kSstFormatVersion;
        {
          util::MutexLock lock(&mu_);
          uploads_.push_back(upload);
        }
        if (!upload_pool_->Submit(upload)) return ClosedStatus();  // not reached: pool outlives us
      }
      continue;
    }
    if (running == 0) {
      // Nothing runs and nothing finished is left to publish (uploads_ is empty): the oldest
      // memtable waits for room in L0. Wait for the (embedded or external) compactor to drain
      // it, re-reading the manifest.
      if (!wait_for_l0_room) return Status::OK();
      RETURN_IF_ERROR(AwaitL0Room());
      continue;
    }
    // Wait for an upload to finish (or a new memtable to start).
    {
      util::MutexLock lock(&mu_);
      while (upload_events_ == events && !deps_.host->Stopping() && !deps_.host->HasFatal()) {
        cv_.Wait(&mu_);
      }
    }
    if (deps_.host->HasFatal()) return deps_.host->FatalStatus();
    if (deps_.host->Stopping()) return ClosedStatus();  // OnStop waits for the running uploads
  }
}

Status L0Flusher::PublishFinishedUploads(bool retry_failed) {
  while (true) {
    std::shared_ptr<L0Upload> upload;
    format::SstHandle handle;
    Status failed;
    {
      util::MutexLock lock(&mu_);
      if (uploads_.empty()) return Status::OK();
      upload = uploads_.front();
      if (upload->state == L0Upload::State::kRunning) return Status::OK();
      if (upload->state == L0Upload::State::kFailed) {
        failed = upload->status;
        if (retry_failed) upload->state = L0Upload::State::kRunning;
      } else {
        handle = upload->handle;
      }
    }
    if (!failed.ok()) {
      // Retried with the same id (a PUT overwrites; the SST is rebuilt from the same memtable),
      // so the L0 order stays the memtable order; nothing newer is published meanwhile.
      if (retry_failed && !upload_pool_->Submit(upload)) {
        util::MutexLock lock(&mu_);
        upload->state = L0Upload::State::kFailed;
      }
      return failed;
    }
    RETURN_IF_ERROR(PublishL0(upload->imm, {SegmentL0{"", handle}}));
  }
}

void L0Flusher::RunL0Upload(const std::shared_ptr<L0Upload>& upload) {
  const ImmutableMemtable& imm = *upload->imm;
  format::Ulid id;
  {
    util::MutexLock lock(&mu_);
    id = upload->handle.id;
  }
  // As in FlushOneImmutable: per key the newest version plus what live snapshots can see.
  Result<format::SstInfo> info = deps_.sst_writer->WriteMemtable(
      id, *imm.table, deps_.host->FlushRetentionSeq(imm), deps_.merge_operator);
  {
    util::MutexLock lock(&mu_);
    if (info.ok()) {
      upload->handle.info = std::move(*info);
      upload->state = L0Upload::State::kDone;
    } else {
      upload->status = info.status().WithContext("uploading L0 SST " + id.ToString());
      upload->state = L0Upload::State::kFailed;
    }
    ++upload_events_;
  }
  cv_.NotifyAll();
}

void L0Flusher::FinishUploads() {
  if (!upload_pool_) return;
  {
    util::MutexLock lock(&mu_);
    auto running = [](const std::shared_ptr<L0Upload>& u) {
      return u->state == L0Upload::State::kRunning;
    };
    while (std::any_of(uploads_.begin(), uploads_.end(), running)) cv_.Wait(&mu_);
  }
  if (!deps_.host->HasFatal()) {
    Status st = PublishFinishedUploads(/*retry_failed=*/false);
    if (!st.ok()) {
      deps_.log.Warn("slatedb: L0 flush left unpublished at close (the WAL holds its rows): {}",
                     st.ToString());
    }
  }
  upload_pool_->Stop();
}

Status L0Flusher::PublishL0(const std::shared_ptr<const ImmutableMemtable>& imm,
                            const std::vector<SegmentL0>& ssts) {
  const L0FlusherDeps& d = deps_;
  // Replay point: the last WAL id whose rows are all in this (and older) L0s.
  const uint64_t replay_after = d.wal->ReplayPointFor(imm->max_seq);
  const uint64_t wal_last_seen = d.wal->next_wal_id() - 1;
  std::shared_ptr<const format::Manifest> published;
  {
    util::MutexLock mlock(d.manifest_mu);
    Status st = d.manifest->Update([&](format::Manifest& m) -> Status {
      // Idempotent: an earlier publish of these very SSTs may have landed with its reply lost
      // (then the version we build on lists them, or a compactor already compacted them: L0 ids
      // grow, so a tree's l0_last_compacted >= id means it was published).
      const bool already = !ListFlushedL0s(m, ssts);  // all trees in this one update
      m.last_l0_seq = std::max(m.last_l0_seq, imm->max_seq);
      m.last_l0_clock_tick = std::max(m.last_l0_clock_tick, imm->max_create_ts);
      m.replay_after_wal_id = std::max(m.replay_after_wal_id, replay_after);
      m.wal_id_last_seen = std::max({m.wal_id_last_seen, wal_last_seen, m.replay_after_wal_id});
      // Never above the oldest live snapshot: compactors keep every version it can see.
      m.recent_snapshot_min_seq = d.host->SnapshotMinSeq(m.last_l0_seq);
      auto tracker = format::SequenceTracker::Decode(m.sequence_tracker);
      if (tracker.ok() && !imm->tracker.empty() && !already) {
        tracker->Extend(imm->tracker);  // SlateDB: extend_from(the memtable's tracker)
        m.sequence_tracker = tracker->Encode();
      }
      return Status::OK();
    });
    if (!st.ok()) {
      if (st.IsFenced()) d.host->Latch(st);
      std::string ids;
      for (const SegmentL0& sst : ssts) ids += (ids.empty() ? "" : ", ") + sst.handle.id.ToString();
      return st.WithContext("publishing L0 SST " + ids);
    }
    published = std::make_shared<const format::Manifest>(d.manifest->manifest());
    d.manifest_id->store(d.manifest->id());
  }
  d.reads->Retain(published);
  d.metrics->read.SetManifestGauges(*published);
  d.metrics->immutable_memtable_flushes->Increment(1);
  // Blocks, index, filter and stats (all but the small info block and footer at the end).
  d.metrics->l0_flush_bytes->Increment(FlushedL0Bytes(ssts));
  if (d.compactor) d.compactor->Notify();
  d.wal->DropSpansThrough(replay_after);
  {
    util::MutexLock lock(&mu_);
    if (!uploads_.empty() && uploads_.front()->imm == imm) uploads_.pop_front();
  }
  d.host->PublishManifest(std::move(published), imm);
  if (!d.settings->wal_enabled) d.wal->AdvanceDurable(imm->max_seq);
  return Status::OK();
}

}  // namespace slatedb::db
