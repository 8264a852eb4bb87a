// Distributed compaction in one process (worker.h, Compactor::UseExternalWorkers): the
// `.compactions` three-way merge, a coordinator with two workers, resuming a reclaimed job from
// its recorded outputs, re-committing a Compacted job after a restart, graceful release, and the
// rejection of compatibility "0.12".
#include "compactor/worker.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "compactor/compactor.h"
#include "compactor/test_db.h"
#include "format/sst.h"
#include "manifest/manifest_store.h"
#include "manifest/paths.h"
#include "object_store/object_store_wrapper.h"
#include "slatedb/object_store.h"
#include "test_util.h"
#include "util/clock.h"
#include "util/random.h"

namespace slatedb::compactor {
namespace {

using testing::TestDb;

using slatedb::testing::WaitFor;

CompactorOptions Options() {
  CompactorOptions o;
  o.poll_interval = std::chrono::milliseconds(10);
  o.heartbeat_interval = std::chrono::milliseconds(20);
  o.worker_heartbeat_timeout = std::chrono::milliseconds(300);
  o.max_sst_size = 2048;
  o.max_concurrent_compactions = 2;
  o.scheduler_options = {{"min_compaction_sources", "4"}, {"max_compaction_sources", "4"}};
  return o;
}

void AddL0s(TestDb& db, util::Random& rng, int count, int tag) {
  for (int i = 0; i < count; ++i) {
    std::vector<std::pair<std::string, std::optional<std::string>>> kvs;
    for (int j = 0; j < 200; ++j) {
      char key[16];
      std::snprintf(key, sizeof(key), "k%05d", static_cast<int>(rng.Uniform(2000)));
      if (rng.OneIn(7)) {
        kvs.push_back({key, std::nullopt});
      } else {
        kvs.push_back({key, "v" + std::to_string(tag) + std::string(rng.Uniform(40), 'x')});
      }
    }
    ASSERT_OK(db.AddL0(kvs));
  }
}

format::CompactionRecord Rec(int n, format::CompactionStatus status, std::string worker = "") {
  format::CompactionRecord r;
  r.id = format::Ulid{static_cast<uint64_t>(n), 0};
  r.status = status;
  if (!worker.empty()) r.worker = format::WorkerSpec{worker, 1};
  return r;
}

TEST(MergeCompactionsTest, TheirChangesWinOverOursOnTheSameRecordAndOurOthersStay) {
  using S = format::CompactionStatus;
  format::Compactions base;
  base.compactor_epoch = 3;
  base.recent_compactions = {Rec(1, S::kRunning, "w"), Rec(2, S::kCompacted, "w"),
                             Rec(3, S::kCompleted)};
  format::Compactions mine = base;
  mine.recent_compactions[0].status = S::kScheduled;  // we reclaim 1 ...
  mine.recent_compactions[0].worker.reset();
  mine.recent_compactions[1].status = S::kCompleted;                   // ... commit 2 ...
  mine.recent_compactions.erase(mine.recent_compactions.begin() + 2);  // ... drop 3 ...
  mine.recent_compactions.push_back(Rec(5, S::kScheduled));            // ... and queue 5
  format::Compactions theirs = base;
  theirs.recent_compactions[0].worker->last_heartbeat_ms = 99;  // the worker heartbeats 1
  theirs.recent_compactions.push_back(Rec(4, S::kSubmitted));   // an admin submits 4

  format::Compactions merged = MergeCompactions(base, mine, theirs);
  EXPECT_EQ(merged.compactor_epoch, 3u);
  ASSERT_EQ(merged.recent_compactions.size(), 4u);
  EXPECT_EQ(merged.recent_compactions[0], theirs.recent_compactions[0]);  // alive: not reclaimed
  EXPECT_EQ(merged.recent_compactions[1].status, S::kCompleted);
  EXPECT_EQ(merged.recent_compactions[2], Rec(4, S::kSubmitted));
  EXPECT_EQ(merged.recent_compactions[3], Rec(5, S::kScheduled));
}

class WorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = NewMemoryObjectStore();
    db_ = std::make_unique<TestDb>(store_);
    ASSERT_OK(db_->Init());
  }
  std::unique_ptr<Compactor> Coordinator(CompactorOptions o = Options()) {
    auto c = Compactor::Open(store_, "db", o, OutputSettings{}, nullptr, 11);
    EXPECT_OK(c);
    (*c)->UseExternalWorkers();
    return std::move(*c);
  }
  std::unique_ptr<CompactionWorker> Worker(const std::string& id, uint64_t seed,
                                           CompactorOptions o = Options()) {
    auto w = CompactionWorker::Open(store_, "db", o, OutputSettings{}, nullptr, seed, id);
    EXPECT_OK(w);
    return std::move(*w);
  }
  format::Compactions LatestCompactions() {
    manifest::CompactionsStore cs(store_, "db");
    auto latest = cs.ReadLatest();
    EXPECT_OK(latest);
    return latest.ok() && *latest ? (*latest)->compactions : format::Compactions{};
  }
  bool AllDone() {
    auto m = db_->Latest();
    if (!m.ok() || m->l0.size() >= 4) return false;
    for (const auto& r : LatestCompactions().recent_compactions) {
      if (r.status != format::CompactionStatus::kCompleted) return false;
    }
    return true;
  }

  // Records `job` (Scheduled) as Running on the dead worker "ghost" (heartbeat now on `clock`),
  // with `outputs` and, when given, a context: what a worker that died mid-job leaves behind.
  Status ClaimAsGhost(const format::Ulid& job, util::Clock& clock,
                      std::vector<format::SstHandle> outputs,
                      std::optional<format::CompactionContext> context = std::nullopt) {
    manifest::CompactionsStore cs(store_, "db");
    return UpdateCompactions(
               cs,
               [&](format::Compactions& c) -> Status {
                 for (auto& r : c.recent_compactions) {
                   if (r.id == job && r.status == format::CompactionStatus::kScheduled) {
                     r.status = format::CompactionStatus::kRunning;
                     r.worker =
                         format::WorkerSpec{"ghost", static_cast<uint64_t>(clock.NowMillis())};
                     r.output_ssts = outputs;
                     if (context) r.ctx = *context;
                     return Status::OK();
                   }
                 }
                 return Status::Internal("job not scheduled");
               })
        .status();
  }

  // Every row of `ssts`, in order.
  std::vector<format::RowEntry> Rows(const std::vector<format::SstHandle>& ssts) {
    std::vector<format::RowEntry> rows;
    for (const auto& h : ssts) {
      auto bytes = store_->Get(manifest::CompactedSstPath("db", h.id));
      EXPECT_OK(bytes);
      if (!bytes.ok()) continue;
      auto decoded = format::DecodeSst(*bytes);
      EXPECT_OK(decoded);
      if (decoded.ok()) rows.insert(rows.end(), decoded->rows.begin(), decoded->rows.end());
    }
    return rows;
  }
  // The first Scheduled record the coordinator writes.
  format::CompactionRecord WaitScheduled() {
    format::CompactionRecord job;
    EXPECT_TRUE(WaitFor([&] {
      for (const auto& r : LatestCompactions().recent_compactions) {
        if (r.status == format::CompactionStatus::kScheduled) {
          job = r;
          return true;
        }
      }
      return false;
    }));
    return job;
  }
  ExecutorContext GhostContext(uint64_t seed) {
    ExecutorContext ctx;
    ctx.store = store_;
    ctx.db_path = "db";
    ctx.output.max_sst_size = Options().max_sst_size;
    ctx.clock = util::SystemClock::Default();
    ctx.ulids = std::make_shared<format::UlidGenerator>(seed);
    return ctx;
  }

  std::shared_ptr<ObjectStore> store_;
  std::unique_ptr<TestDb> db_;
};

std::vector<format::SstHandle> Concat(const std::vector<format::Subcompaction>& subs) {
  std::vector<format::SstHandle> all;
  for (const auto& s : subs) all.insert(all.end(), s.output_ssts.begin(), s.output_ssts.end());
  return all;
}

TEST_F(WorkerTest, CoordinatorAndTwoWorkersCompactEverythingAndOnlyTheCoordinatorCommits) {
  util::Random rng(31);
  auto coordinator = Coordinator();
  ASSERT_OK(coordinator->Start());
  auto w1 = Worker("w1", 101);
  auto w2 = Worker("w2", 102);
  ASSERT_OK(w1->Start());
  ASSERT_OK(w2->Start());
  // Three rounds: three runs, so no run merge (4 sources) can be scheduled after the last one.
  for (int round = 0; round < 3; ++round) {
    AddL0s(*db_, rng, 4, round);
    coordinator->Notify();
    ASSERT_TRUE(WaitFor([&] { return AllDone(); })) << "round " << round;
  }
  ASSERT_OK(w1->Stop());
  ASSERT_OK(w2->Stop());
  ASSERT_OK(coordinator->Stop());
  ASSERT_OK(db_->Verify(store_));
  const WorkerStats s1 = w1->stats(), s2 = w2->stats();
  EXPECT_EQ(s1.compacted + s2.compacted, coordinator->stats().committed);
  EXPECT_EQ(coordinator->stats().committed, 3u);
  EXPECT_EQ(coordinator->stats().submitted, coordinator->stats().committed);
  auto m = db_->Latest();
  ASSERT_OK(m);
  EXPECT_EQ(m->compacted.size(), 3u);  // one run per round, each committed once
  EXPECT_LT(m->l0.size(), 4u);
  // The workers ran the jobs as subcompactions and recorded the ranges with their outputs.
  const format::Compactions done = LatestCompactions();
  ASSERT_FALSE(done.recent_compactions.empty());
  for (const auto& r : done.recent_compactions) {
    ASSERT_TRUE(r.ctx.has_value()) << r.id.ToString();
    EXPECT_GT(r.ctx->subcompactions.size(), 1u) << r.id.ToString();
    EXPECT_EQ(Concat(r.ctx->subcompactions), r.output_ssts);
    EXPECT_EQ(r.output_ssts, m->compacted[0].ssts);  // the last one committed: the newest run
  }
}

// A split job whose worker died after recording some outputs of some ranges (the context's
// subcompactions): the next worker keeps every recorded output, continues each range after its
// last one and runs the empty ranges; the committed run has exactly the rows of one merge.
TEST_F(WorkerTest, SplitJobResumedFromAPartialContextWritesTheRowsOfOneMerge) {
  util::Random rng(35);
  AddL0s(*db_, rng, 4, 0);
  auto coordinator = Coordinator();
  ASSERT_OK(coordinator->Start());
  const format::CompactionRecord job = WaitScheduled();
  auto m = db_->Latest();
  ASSERT_OK(m);
  ASSERT_OK_AND_ASSIGN(CompactionJob resolved, ResolveJob(*m, job.id, SpecOf(job), "db"));
  std::atomic<bool> no_cancel{false};
  ExecutorContext ctx = GhostContext(77);
  const CompactionJobResult one = RunCompaction(resolved, ctx, no_cancel);  // the reference
  ASSERT_OK(one.status);
  const std::vector<format::RowEntry> want = Rows(one.outputs);
  ASSERT_GT(want.size(), 100u);
  // "ghost" ran the job in 4 ranges; it recorded one output of range 0, everything of range 1,
  // nothing of the others.
  ctx.max_subcompactions = 4;
  const CompactionJobResult full = RunCompaction(resolved, ctx, no_cancel);
  ASSERT_OK(full.status);
  ASSERT_GE(full.subcompactions.size(), 3u);
  ASSERT_GE(full.subcompactions[0].output_ssts.size(), 2u);
  std::vector<format::Subcompaction> partial = full.subcompactions;
  partial[0].output_ssts.resize(1);
  for (size_t i = 2; i < partial.size(); ++i) partial[i].output_ssts.clear();
  const std::vector<format::SstHandle> recorded = Concat(partial);
  ASSERT_OK(ClaimAsGhost(job.id, *ctx.clock, recorded,
                         format::CompactionContext{partial, resolved.retention_min_seq}));
  // Reclaimed after worker_heartbeat_timeout; a live worker resumes it.
  auto w = Worker("live", 107);
  ASSERT_OK(w->Start());
  ASSERT_TRUE(WaitFor([&] { return AllDone(); }));
  ASSERT_OK(w->Stop());
  ASSERT_OK(coordinator->Stop());
  EXPECT_EQ(w->stats().resumed, 1u);
  EXPECT_EQ(w->stats().outputs_reused, recorded.size());
  ASSERT_OK(db_->Verify(store_));
  auto after = db_->Latest();
  ASSERT_OK(after);
  ASSERT_EQ(after->compacted.size(), 1u);
  const std::vector<format::SstHandle>& run = after->compacted[0].ssts;
  EXPECT_EQ(Rows(run), want);  // exactly one merge's rows
  // The recorded outputs are in the run as they were (not rewritten), each in its range.
  EXPECT_EQ(run[0], partial[0].output_ssts[0]);
  for (const auto& sst : partial[1].output_ssts) {
    EXPECT_NE(std::find(run.begin(), run.end(), sst), run.end()) << sst.id.ToString();
  }
  bool found = false;
  for (const auto& r : LatestCompactions().recent_compactions) {
    if (r.id != job.id) continue;
    found = true;
    EXPECT_EQ(r.status, format::CompactionStatus::kCompleted);
    ASSERT_TRUE(r.ctx.has_value());
    ASSERT_EQ(r.ctx->subcompactions.size(), partial.size());  // the recorded ranges, kept
    for (size_t i = 0; i < partial.size(); ++i) {
      EXPECT_EQ(r.ctx->subcompactions[i].range, partial[i].range);
    }
    EXPECT_EQ(r.ctx->subcompactions[1].output_ssts, partial[1].output_ssts);
    EXPECT_EQ(Concat(r.ctx->subcompactions), run);
  }
  EXPECT_TRUE(found);
}

// A job whose worker died after recording one output: the coordinator reclaims it once the
// heartbeat is stale; the next worker keeps that output and compacts only the keys after it.
TEST_F(WorkerTest, StaleJobIsReclaimedAndResumedReusingItsRecordedOutput) {
  util::Random rng(32);
  AddL0s(*db_, rng, 4, 0);
  CompactorOptions o = Options();
  auto coordinator = Coordinator(o);
  ASSERT_OK(coordinator->Start());
  format::CompactionRecord job;
  ASSERT_TRUE(WaitFor([&] {
    for (const auto& r : LatestCompactions().recent_compactions) {
      if (r.status == format::CompactionStatus::kScheduled) {
        job = r;
        return true;
      }
    }
    return false;
  }));
  // "ghost" claims it, writes one output, and dies.
  auto m = db_->Latest();
  ASSERT_OK(m);
  ASSERT_OK_AND_ASSIGN(CompactionJob resolved, ResolveJob(*m, job.id, SpecOf(job), "db"));
  ExecutorContext ctx;
  ctx.store = store_;
  ctx.db_path = "db";
  ctx.output.max_sst_size = o.max_sst_size;
  ctx.clock = util::SystemClock::Default();
  ctx.ulids = std::make_shared<format::UlidGenerator>(77);
  std::atomic<bool> cancel{false};
  ctx.on_output = [&](const format::Ulid&, size_t, const format::SstHandle&) {
    cancel.store(true);
  };
  CompactionJobResult partial = RunCompaction(resolved, ctx, cancel);
  ASSERT_TRUE(partial.cancelled);
  ASSERT_EQ(partial.outputs.size(), 1u);
  ASSERT_OK(ClaimAsGhost(job.id, *ctx.clock, partial.outputs));
  // The coordinator reschedules it after worker_heartbeat_timeout; a live worker resumes it.
  auto w = Worker("live", 103);
  ASSERT_OK(w->Start());
  ASSERT_TRUE(WaitFor([&] { return AllDone(); }));
  ASSERT_OK(w->Stop());
  ASSERT_OK(coordinator->Stop());
  EXPECT_EQ(w->stats().resumed, 1u);
  EXPECT_EQ(w->stats().outputs_reused, 1u);
  ASSERT_OK(db_->Verify(store_));
  auto after = db_->Latest();
  ASSERT_OK(after);
  ASSERT_EQ(after->compacted.size(), 1u);
  ASSERT_GE(after->compacted[0].ssts.size(), 2u);
  EXPECT_EQ(after->compacted[0].ssts[0].id, partial.outputs[0].id);  // reused, not rewritten
}

// A coordinator that died after committing the manifest but before writing Completed leaves a
// Compacted record: the next one marks it Completed without committing it a second time.
TEST_F(WorkerTest, CompactedRecordAlreadyInTheManifestIsNotCommittedTwiceAfterARestart) {
  util::Random rng(33);
  AddL0s(*db_, rng, 4, 0);
  {
    auto coordinator = Coordinator();
    ASSERT_OK(coordinator->Start());
    auto w = Worker("w", 104);
    ASSERT_OK(w->Start());
    ASSERT_TRUE(WaitFor([&] { return AllDone(); }));
    ASSERT_OK(w->Stop());
    ASSERT_OK(coordinator->Stop());
  }
  auto before = db_->Latest();
  ASSERT_OK(before);
  manifest::CompactionsStore cs(store_, "db");
  ASSERT_OK(UpdateCompactions(cs, [](format::Compactions& c) -> Status {
              for (auto& r : c.recent_compactions) {
                if (r.status == format::CompactionStatus::kCompleted) {
                  r.status = format::CompactionStatus::kCompacted;  // the lost Completed write
                }
              }
              return Status::OK();
            }).status());
  auto again = Coordinator();
  ASSERT_OK(again->Start());
  ASSERT_TRUE(WaitFor([&] { return AllDone(); }));
  ASSERT_OK(again->Stop());
  EXPECT_EQ(again->stats().committed, 1u);
  auto after = db_->Latest();
  ASSERT_OK(after);
  EXPECT_EQ(after->compacted, before->compacted);  // the same run, once
  EXPECT_EQ(after->l0, before->l0);
  ASSERT_OK(db_->Verify(store_));
}

// Holds every data read of an SST until opened (the job is then caught mid-merge).
class GatedReads : public ObjectStoreWrapper {
 public:
  using ObjectStoreWrapper::ObjectStoreWrapper;
  Result<std::string> GetRange(std::string_view key, uint64_t offset,
                               std::optional<uint64_t> length) override {
    if (key.find("/compacted/") != std::string_view::npos) {
      std::unique_lock<std::mutex> lock(mu_);
      ++reads_;
      cv_.wait(lock, [&] { return open_; });
    }
    return inner_->GetRange(key, offset, length);
  }
  int reads() {
    std::lock_guard<std::mutex> lock(mu_);
    return reads_;
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int reads_ = 0;
  bool open_ = false;
};

// A worker stopped mid-job gives the job back as Submitted (only the coordinator writes
// Scheduled), keeping its ranges; the coordinator re-validates and schedules it again, and
// another worker finishes it.
TEST_F(WorkerTest, GracefulStopReleasesTheClaimAsSubmittedAndAnotherWorkerFinishes) {
  util::Random rng(34);
  AddL0s(*db_, rng, 4, 0);
  format::Ulid id;
  {
    // The coordinator schedules the job and stops (a stopped coordinator keeps it Scheduled).
    auto coordinator = Coordinator();
    ASSERT_OK(coordinator->Start());
    id = WaitScheduled().id;
    ASSERT_OK(coordinator->Stop());
  }
  auto gated = std::make_shared<GatedReads>(store_);
  auto w1 = CompactionWorker::Open(gated, "db", Options(), OutputSettings{}, nullptr, 105, "first");
  ASSERT_OK(w1);
  ASSERT_OK((*w1)->Start());
  ASSERT_TRUE(WaitFor([&] { return gated->reads() > 0; }));  // claimed and merging
  std::thread stopper([&] { EXPECT_OK((*w1)->Stop()); });
  // Stop has to wait for the held reads; opening them after a moment lets it cancel the job at
  // the first key boundary (should the job still finish, the record is Compacted instead).
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  gated->Open();
  stopper.join();
  const WorkerStats s1 = (*w1)->stats();
  EXPECT_EQ(s1.claimed, 1u);
  EXPECT_EQ(s1.compacted + s1.released, 1u);
  bool found = false;
  for (const auto& r : LatestCompactions().recent_compactions) {
    if (r.id != id) continue;
    found = true;
    if (s1.released == 1) {
      EXPECT_EQ(r.status, format::CompactionStatus::kSubmitted);
      EXPECT_FALSE(r.worker.has_value());
      ASSERT_TRUE(r.ctx.has_value());  // the ranges it planned, for the next worker
      EXPECT_GT(r.ctx->subcompactions.size(), 1u);
      EXPECT_EQ(Concat(r.ctx->subcompactions), r.output_ssts);
    } else {
      EXPECT_EQ(r.status, format::CompactionStatus::kCompacted);
    }
  }
  EXPECT_TRUE(found);
  // The coordinator schedules it again; a second worker finishes it.
  auto coordinator = Coordinator();
  ASSERT_OK(coordinator->Start());
  auto w2 = Worker("second", 106);
  ASSERT_OK(w2->Start());
  ASSERT_TRUE(WaitFor([&] { return AllDone(); }));
  ASSERT_OK(w2->Stop());
  ASSERT_OK(coordinator->Stop());
  EXPECT_EQ(w2->stats().compacted, s1.released);
  ASSERT_OK(db_->Verify(store_));
}

// max_concurrent_jobs 2: one worker claims two Scheduled jobs and runs them at once (both are
// claimed while every data read of either is held), writing both Compacted; 0 is refused.
TEST_F(WorkerTest, RunsUpToMaxConcurrentJobsAtOnce) {
  {
    auto coordinator = Coordinator();  // writes `.compactions` (nothing to schedule yet)
    ASSERT_OK(coordinator->Start());
    ASSERT_OK(coordinator->Stop());
  }
  util::Random rng(36);
  AddL0s(*db_, rng, 8, 0);
  auto m = db_->Latest();
  ASSERT_OK(m);
  ASSERT_EQ(m->l0.size(), 8u);
  // Two jobs on disjoint L0s (newest first), as a coordinator would schedule them.
  std::vector<format::Ulid> ids;
  manifest::CompactionsStore cs(store_, "db");
  ASSERT_OK(UpdateCompactions(cs, [&](format::Compactions& c) -> Status {
              for (uint32_t j = 0; j < 2; ++j) {
                format::CompactionRecord r;
                r.id = format::Ulid{
                    static_cast<uint64_t>(util::SystemClock::Default()->NowMillis()), j + 1};
                for (size_t i = 4 * j; i < 4 * j + 4; ++i) r.l0_view_ids.push_back(m->l0[i].id);
                r.destination = 1 - j;
                r.status = format::CompactionStatus::kScheduled;
                c.recent_compactions.push_back(r);
                ids.push_back(r.id);
              }
              return Status::OK();
            }).status());
  auto gated = std::make_shared<GatedReads>(store_);
  auto w = CompactionWorker::Open(gated, "db", Options(), OutputSettings{}, nullptr, 108, "pair",
                                  util::Log(), nullptr, 2);
  ASSERT_OK(w);
  ASSERT_OK((*w)->Start());
  ASSERT_TRUE(WaitFor([&] { return (*w)->stats().claimed == 2; }));  // reads still held
  gated->Open();
  ASSERT_TRUE(WaitFor([&] { return (*w)->stats().compacted == 2; }));
  ASSERT_OK((*w)->Stop());
  std::set<format::Ulid> compacted;
  for (const auto& r : LatestCompactions().recent_compactions) {
    if (r.status == format::CompactionStatus::kCompacted && r.worker &&
        r.worker->worker_id == "pair") {
      compacted.insert(r.id);
      EXPECT_FALSE(r.output_ssts.empty());
    }
  }
  EXPECT_EQ(compacted, std::set<format::Ulid>(ids.begin(), ids.end()));
  EXPECT_EQ((*w)->stats().claimed, 2u);

  auto zero = CompactionWorker::Open(store_, "db", Options(), OutputSettings{}, nullptr, 1, "z",
                                     util::Log(), nullptr, 0);
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.status().code(), StatusCode::kInvalid);
  EXPECT_NE(zero.status().message().find("max_concurrent_jobs must be at least 1"),
            std::string::npos)
      << zero.status().ToString();
}

// The poll ticker runs on the injected clock: with an hour's poll_interval on a ManualClock,
// each Advance of an hour is one more poll (on the system clock this would take hours), and
// none follows Stop. The first poll is at Start.
// enable_trivial_move is a worker's option too: a job of disjoint L0s is relinked as it is (the
// same SST objects in the new run, nothing written), recorded by the worker, committed by the
// coordinator.
TEST_F(WorkerTest, TrivialMoveRelinksDisjointL0sOnAWorker) {
  for (int i = 0; i < 4; ++i) {
    std::vector<std::pair<std::string, std::optional<std::string>>> kvs;
    for (int k = 0; k < 50; ++k) {
      char key[16];
      std::snprintf(key, sizeof(key), "k%05d", i * 100 + k);
      kvs.push_back({key, std::optional<std::string>("v" + std::to_string(i))});
    }
    ASSERT_OK(db_->AddL0(kvs));
  }
  ASSERT_OK_AND_ASSIGN(format::Manifest before, db_->Latest());
  ASSERT_OK_AND_ASSIGN(auto objects_before, store_->List("db/compacted/"));
  auto coordinator = Coordinator();
  ASSERT_OK(coordinator->Start());
  CompactorOptions o = Options();
  o.enable_trivial_move = true;
  auto worker = Worker("w1", 101, o);
  ASSERT_OK(worker->Start());
  coordinator->Notify();
  ASSERT_TRUE(WaitFor([&] { return coordinator->stats().committed >= 1; }));
  ASSERT_OK(worker->Stop());
  ASSERT_OK(coordinator->Stop());
  EXPECT_EQ(worker->stats().compacted, 1u);
  ASSERT_OK_AND_ASSIGN(format::Manifest after, db_->Latest());
  EXPECT_TRUE(after.l0.empty());
  ASSERT_EQ(after.compacted.size(), 1u);
  std::vector<format::SstHandle> want(before.l0.rbegin(), before.l0.rend());  // key order
  EXPECT_EQ(after.compacted[0].ssts, want);
  ASSERT_OK_AND_ASSIGN(auto objects_after, store_->List("db/compacted/"));
  EXPECT_EQ(objects_after.size(), objects_before.size());  // no SST written
  ASSERT_OK(db_->Verify(store_));
}

TEST_F(WorkerTest, PollsOnTheInjectedClock) {
  auto clock = std::make_shared<util::ManualClock>(1'000'000);
  CompactorOptions o = Options();
  o.poll_interval = std::chrono::hours(1);
  auto w = CompactionWorker::Open(store_, "db", o, OutputSettings{}, clock, 7, "clocked");
  ASSERT_OK(w);
  ASSERT_OK((*w)->Start());
  ASSERT_TRUE(WaitFor([&] { return (*w)->stats().polls == 1; }));
  clock->Advance(3'600'000);
  ASSERT_TRUE(WaitFor([&] { return (*w)->stats().polls == 2; }));
  clock->Advance(3'600'000);
  ASSERT_TRUE(WaitFor([&] { return (*w)->stats().polls == 3; }));
  ASSERT_OK((*w)->Stop());
  clock->Advance(3'600'000);
  EXPECT_EQ((*w)->stats().polls, 3u);
  EXPECT_EQ((*w)->stats().claimed, 0u);  // nothing was scheduled
}

TEST_F(WorkerTest, DistributedModeRejectsCompactionsVersionOne) {
  OutputSettings old;
  old.compatibility = "0.12";
  auto w = CompactionWorker::Open(store_, "db", Options(), old, nullptr, 1, "w");
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), StatusCode::kInvalid);
  EXPECT_NE(w.status().message().find("0.12"), std::string::npos) << w.status().ToString();
  auto c = Compactor::Open(store_, "db", Options(), old, nullptr, 1);
  ASSERT_OK(c);
  (*c)->UseExternalWorkers();
  Status st = (*c)->Start();
  EXPECT_EQ(st.code(), StatusCode::kInvalid) << st.ToString();
  EXPECT_NE(st.message().find("version 1"), std::string::npos) << st.ToString();
  CompactorOptions bad = Options();
  bad.heartbeat_interval = bad.worker_heartbeat_timeout;
  auto w2 = CompactionWorker::Open(store_, "db", bad, OutputSettings{}, nullptr, 1, "w");
  EXPECT_EQ(w2.status().code(), StatusCode::kInvalid);
  EXPECT_NE(w2.status().message().find("heartbeat_interval"), std::string::npos);
}

}  // namespace
}  // namespace slatedb::compactor
