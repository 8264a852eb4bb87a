#include "db/wal_writer.h"

#include <algorithm>
#include <utility>

#include "format/row_record.h"
#include "object_store/retrying_object_store.h"
#include "util/background_task.h"

namespace slatedb::db {

namespace {

constexpr size_t kChannelCapacity = 64;
// A WAL upload that keeps failing is summarised in the log at most this often (clock time).
constexpr std::chrono::minutes kFailureSummaryInterval{1};

Status ClosedStatus() { return Status::Closed(CloseReason::kClean, "database is closed"); }

struct WalMsg {
  std::optional<std::promise<Status>> done;  // absent: a kick, nobody waits
};

}  // namespace

// The "slatedb-wal" thread: every flush_interval of the injected clock and at each message.
class WalWriter::Task final : public util::BackgroundTask<WalMsg> {
 public:
  Task(WalWriter* w, std::optional<std::chrono::milliseconds> interval)
      : BackgroundTask("slatedb-wal", kChannelCapacity, interval, w->clock_), w_(w) {}
  ~Task() override { Stop(); }

 protected:
  void Handle(WalMsg& msg) override {
    Status st = w_->FlushNow();
    if (msg.done) msg.done->set_value(st);
  }
  void OnTick() override { w_->FlushNow().PermitUnchecked(); }

 private:
  WalWriter* const w_;
};

class WalWriter::UploadCharge {
 public:
  UploadCharge(WalWriter* w, uint64_t bytes) : w_(w) {
    w_->upload_bytes_.store(bytes);
    w_->metrics_->wal_upload_bytes->Set(static_cast<int64_t>(bytes));
  }
  ~UploadCharge() {
    w_->upload_bytes_.store(0);
    w_->metrics_->wal_upload_bytes->Set(0);
    w_->host_->OnUploadChargeReleased();  // stalled writers may proceed
  }
  UploadCharge(const UploadCharge&) = delete;
  UploadCharge& operator=(const UploadCharge&) = delete;

 private:
  WalWriter* const w_;
};

WalWriter::WalWriter(WalWriterHost* host, wal::WalStore* store, const DbMetrics* metrics,
                     std::shared_ptr<util::Clock> clock, util::Log log, Options options)
    : host_(host),
      store_(store),
      metrics_(metrics),
      clock_(std::move(clock)),
      log_(std::move(log)),
      options_(std::move(options)) {}

WalWriter::~WalWriter() { Stop(); }

void WalWriter::Start() {
  task_ =
      std::make_unique<Task>(this, options_.wal_enabled ? options_.flush_interval : std::nullopt);
  task_->Start();
}

void WalWriter::Stop() {
  if (task_) task_->Stop();
}

void WalWriter::AddReplayedSpan(uint64_t id, uint64_t max_seq) {
  util::MutexLock lock(&mu_);
  spans_.push_back(Span{id, max_seq});
}

void WalWriter::Kick() {
  if (task_) task_->TrySend(WalMsg{});
}

Status WalWriter::RequestFlush() {
  metrics_->wal_buffer_flush_requests->Increment(1);
  std::promise<Status> p;
  std::future<Status> f = p.get_future();
  WalMsg msg;
  msg.done = std::move(p);
  if (!task_ || task_->Send(std::move(msg)) != util::SendResult::kOk) {
    if (host_->HasFatal()) return host_->FatalStatus();
    return ClosedStatus();
  }
  return f.get();
}

std::optional<std::future<Status>> WalWriter::SendFinalFlush() {
  std::promise<Status> p;
  std::future<Status> f = p.get_future();
  WalMsg msg;
  msg.done = std::move(p);
  if (!task_ || task_->Send(std::move(msg)) != util::SendResult::kOk) return std::nullopt;
  return f;
}

Status WalWriter::WaitDurable(uint64_t seq) {
  // A durable wait asks for an upload at once instead of waiting for the flush_interval timer:
  // at most one kick is queued at a time, so writes arriving while an upload is in flight batch
  // into the next upload (group commit) instead of one upload each.
  if (options_.wal_enabled && durable_seq_.load() < seq && !kick_pending_.exchange(true)) {
    if (!task_ || task_->TrySend(WalMsg{}) != util::SendResult::kOk) kick_pending_.store(false);
  }
  {
    util::MutexLock lock(&mu_);
    while (durable_seq_.load() < seq && !host_->HasFatal() && !host_->Stopping()) cv_.Wait(&mu_);
  }
  if (durable_seq_.load() >= seq) return Status::OK();
  if (host_->HasFatal()) return host_->FatalStatus();
  return Status::Closed(CloseReason::kClean, "database closed before the write (seq " +
                                                 std::to_string(seq) + ") became durable");
}

void WalWriter::WakeWaiters() {
  { util::MutexLock lock(&mu_); }  // a waiter is either before its check or in Wait
  cv_.NotifyAll();
}

void WalWriter::AdvanceDurable(uint64_t seq) {
  {
    util::MutexLock lock(&mu_);
    if (seq > durable_seq_.load()) durable_seq_.store(seq, std::memory_order_release);
  }
  cv_.NotifyAll();
}

std::string WalWriter::background_error() const {
  util::MutexLock lock(&mu_);
  return background_error_;
}

uint64_t WalWriter::ReplayPointFor(uint64_t max_seq) const {
  util::MutexLock lock(&mu_);
  uint64_t replay_after = 0;
  for (const Span& span : spans_) {
    if (span.max_seq > max_seq) break;
    replay_after = span.id;
  }
  return replay_after;
}

void WalWriter::DropSpansThrough(uint64_t id) {
  util::MutexLock lock(&mu_);
  while (!spans_.empty() && spans_.front().id <= id) spans_.pop_front();
}

// ---------------------------------------------------------------------------------------------
// The task thread

Status WalWriter::FlushNow() {
  // Everything buffered when the flush starts is uploaded before it returns, in WAL SSTs of at
  // most flush_bytes (plus one commit): one huge SST would be a second copy of all those rows
  // in memory at once (the encoded object), beside the memtables they are in.
  uint64_t target_seq = 0;  // the highest seq buffered when the flush started
  while (true) {
    bool more = false;
    RETURN_IF_ERROR(UploadSst(&target_seq, &more));
    if (!more) return Status::OK();
  }
}

namespace {

std::vector<format::RowView> UncertainRows(const std::vector<const char*>& records) {
  std::vector<format::RowView> rows;
  rows.reserve(records.size());
  for (const char* r : records) rows.push_back(format::DecodeRowRecord(r));
  return rows;
}

}  // namespace

Status WalWriter::UploadSst(uint64_t* target_seq, bool* more) {
  if (host_->HasFatal()) return host_->FatalStatus();
  if (host_->CloseDeadlinePassed()) {
    return Status::Unavailable("closing " + options_.path +
                               ": close_timeout passed, WAL not uploaded");
  }
  // Before taking the buffer: a durable wait that starts after this point queues a new kick, so
  // its rows are never left behind in the buffer without an upload to come.
  kick_pending_.store(false);
  wal::WalBuffer::Batch batch = buffer_.Take();
  if (batch.empty()) {
    metrics_->wal_buffer_estimated_bytes->Set(0);
    return Status::OK();
  }
  if (*target_seq == 0) *target_seq = batch.max_seq;
  const uint64_t id = next_wal_id_.load();
  // An earlier upload to `id` failed with kUnavailable and may have landed with its reply
  // lost: retry exactly that upload (same rows, same put-id), so that "already exists" is
  // answered unambiguously by the put-id; rows buffered since go to the next id.
  const bool retrying_uncertain = uncertain_wal_ && uncertain_wal_->id == id;
  const size_t n = retrying_uncertain ? std::min(batch.size(), uncertain_wal_->records.size())
                                      : batch.WholeCommitsUpTo(options_.flush_bytes);
  if (n < batch.size()) buffer_.Restore(batch.SplitOff(n));
  metrics_->wal_buffer_estimated_bytes->Set(static_cast<int64_t>(buffer_.bytes()));
  *more = batch.max_seq < *target_seq;
  const std::string put_id = retrying_uncertain ? uncertain_wal_->put_id : NewPutId();
  // The encoded WAL SST is memory beside the memtables its rows point into: counted by
  // backpressure from before its encoding until its upload ended (however it ended).
  // (The views live only while this one WAL SST is encoded: at most flush_bytes of rows.)
  const std::vector<format::RowView> rows = batch.Views(batch.size());
  UploadCharge charge(this, wal::WalStore::EncodedSizeEstimate(rows));
  Status st = store_->Write(id, rows, put_id);
  if (st.IsUnavailable() && !retrying_uncertain) {
    uncertain_wal_ = UncertainWal{id, put_id, batch.records, batch.max_seq, batch.owners};
  }
  if (st.IsAlreadyExists()) {
    // Either a newer writer took this id (its fence, or its WAL SST), or the earlier attempt of
    // ours landed although its reply was lost (retries exhausted). Ours only if the object
    // carries that attempt's put-id; contents decide only on a backend that keeps no metadata
    // at all (the local store; see WalStore::IsOurs).
    Result<bool> ours = retrying_uncertain ? store_->IsOurs(id, uncertain_wal_->put_id,
                                                            UncertainRows(uncertain_wal_->records))
                                           : Result<bool>(false);
    if (!ours.ok()) {
      buffer_.Restore(std::move(batch));  // cannot tell yet; retry on the next flush
      return OnUploadFailure("checking " + store_->ObjectKey(id), ours.status());
    }
    uncertain_wal_.reset();
    if (!*ours) {
      Status fenced =
          Status::Fenced("detected newer DB client: " + store_->ObjectKey(id) + " already exists");
      host_->Latch(fenced);
      return fenced;
    }
    log_.Info("slatedb: {} landed although its reply was lost ({} rows)", store_->ObjectKey(id),
              batch.size());
    st = Status::OK();
  }
  if (!st.ok()) {
    buffer_.Restore(std::move(batch));
    return OnUploadFailure("uploading " + store_->ObjectKey(id), st);
  }
  uncertain_wal_.reset();
  next_wal_id_.store(id + 1);
  metrics_->wal_buffer_flushes->Increment(1);
  metrics_->wal_flush_bytes->Increment(batch.bytes);
  OnUploadSuccess();
  {
    util::MutexLock lock(&mu_);
    spans_.push_back(Span{id, batch.max_seq});
    if (batch.max_seq > durable_seq_.load()) {
      durable_seq_.store(batch.max_seq, std::memory_order_release);
    }
  }
  cv_.NotifyAll();
  return Status::OK();
}

Status WalWriter::OnUploadFailure(const std::string& what, Status st) {
  if (!st.IsUnavailable()) {
    // Not transient (e.g. "No space left on device", permission denied): retrying cannot help
    // and would hang every writer waiting for durability. Latch it (Latch logs it once).
    Status fatal = st.WithContext(what + " (not retried: the error is not transient)");
    host_->Latch(fatal);
    return fatal;
  }
  const auto now = clock_->SteadyNow();
  if (!failure_) failure_ = UploadFailure{0, now, now};
  UploadFailure& f = *failure_;
  ++f.attempts;
  const Status failed = st.WithContext(what);
  if (f.attempts == 1) {
    log_.Warn("slatedb: {} failed; retrying at every WAL flush: {}", what, st.ToString());
  } else if (now - f.last_logged >= kFailureSummaryInterval) {
    f.last_logged = now;
    log_.Warn("slatedb: WAL upload still failing after {} attempts over {} s: {}", f.attempts,
              std::chrono::duration_cast<std::chrono::seconds>(now - f.since).count(),
              failed.ToString());
  }
  {
    util::MutexLock lock(&mu_);
    background_error_ = failed.ToString();
  }
  if (options_.max_retries && f.attempts > *options_.max_retries) {
    Status fatal = Status::Unavailable(
        what + " failed after " + std::to_string(f.attempts) +
        " attempts (object_store_max_retries = " + std::to_string(*options_.max_retries) +
        "): " + st.message());
    host_->Latch(fatal);
    return fatal;
  }
  return failed;
}

void WalWriter::OnUploadSuccess() {
  if (!failure_) return;
  const auto secs =
      std::chrono::duration_cast<std::chrono::seconds>(clock_->SteadyNow() - failure_->since)
          .count();
  // Warn, like the failure it ends, so that both show at the default log level.
  log_.Warn("slatedb: WAL upload recovered after {} failed attempts over {} s", failure_->attempts,
            secs);
  failure_.reset();
  util::MutexLock lock(&mu_);
  background_error_.clear();
}

}  // namespace slatedb::db
