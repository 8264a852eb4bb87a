// Distributed compaction in one process (worker.h, Compactor::UseExternalWorkers): the
// `.compactions` three-way merge, a coordinator with two workers, resuming a reclaimed job from
// its recorded outputs, re-committing a Compacted job after a restart, graceful release, and the
// rejection of compatibility "0.12".
#include "compactor/worker.h"

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>

#include "compactor/compactor.h"
#include "compactor/test_db.h"
#include "manifest/manifest_store.h"
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
  std::unique_ptr<CompactionWorker> Worker(const std::string& id, uint64_t seed) {
    auto w = CompactionWorker::Open(store_, "db", Options(), OutputSettings{}, nullptr, seed, id);
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

  std::shared_ptr<ObjectStore> store_;
  std::unique_ptr<TestDb> db_;
};

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
}

// A job whose worker died after recording one output: the coordinator reclaims it once the
// heartbeat is stale; the next worker keeps that output and compacts only the keys after it.
TEST_F(WorkerTest, StaleJobIsReclaimedAndResumedReusingItsRecordedOutput) {
  util::Random rng(32);
  AddL0s(*db_, rng, 4, 0);
  CompactorOptions o = Options();
  auto coordinator = Coordinator(o);
  ASSERT_OK(coordinator->Start());
  manifest::CompactionsStore cs(store_, "db");
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
  ctx.on_output = [&](const format::Ulid&, const format::SstHandle&) { cancel.store(true); };
  CompactionJobResult partial = RunCompaction(resolved, ctx, cancel);
  ASSERT_TRUE(partial.cancelled);
  ASSERT_EQ(partial.outputs.size(), 1u);
  ASSERT_OK(
      UpdateCompactions(cs, [&](format::Compactions& c) -> Status {
        for (auto& r : c.recent_compactions) {
          if (r.id == job.id && r.status == format::CompactionStatus::kScheduled) {
            r.status = format::CompactionStatus::kRunning;
            r.worker = format::WorkerSpec{"ghost", static_cast<uint64_t>(ctx.clock->NowMillis())};
            r.output_ssts = partial.outputs;
            return Status::OK();
          }
        }
        return Status::Internal("job not scheduled");
      }).status());
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

TEST_F(WorkerTest, GracefulStopReleasesTheClaimAndAnotherWorkerFinishes) {
  util::Random rng(34);
  AddL0s(*db_, rng, 4, 0);
  auto coordinator = Coordinator();
  ASSERT_OK(coordinator->Start());
  auto w1 = Worker("first", 105);
  ASSERT_OK(w1->Start());
  ASSERT_TRUE(WaitFor([&] { return w1->stats().claimed > 0; }));
  ASSERT_OK(w1->Stop());
  // Either it finished before the stop (Compacted) or it gave the job back (Scheduled, no
  // worker): never left Running under its name.
  for (const auto& r : LatestCompactions().recent_compactions) {
    EXPECT_FALSE(r.status == format::CompactionStatus::kRunning) << r.id.ToString();
  }
  EXPECT_EQ(w1->stats().compacted + w1->stats().released, 1u);
  auto w2 = Worker("second", 106);
  ASSERT_OK(w2->Start());
  ASSERT_TRUE(WaitFor([&] { return AllDone(); }));
  ASSERT_OK(w2->Stop());
  ASSERT_OK(coordinator->Stop());
  ASSERT_OK(db_->Verify(store_));
}

// The poll ticker runs on the injected clock: with an hour's poll_interval on a ManualClock,
// each Advance of an hour is one more poll (on the system clock this would take hours), and
// none follows Stop. The first poll is at Start.
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
