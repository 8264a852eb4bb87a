// Orchestrator tests: the `.compactions` lifecycle and commit protocol, fencing by a second
// compactor, idempotent shutdown, and compatibility with databases written by the SlateDB peer.
#include "compactor/compactor.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "backend.h"
#include "compactor/test_db.h"
#include "manifest/paths.h"
#include "object_store/fault_injecting_object_store.h"
#include "object_store/object_store_wrapper.h"
#include "object_store/s3_object_store.h"
#include "subprocess.h"
#include "test_util.h"
#include "util/clock.h"
#include "util/random.h"

namespace slatedb::compactor {
namespace {

using testing::TestDb;

// Polls `pred` until it holds or 60 s pass; returns whether it held (no timing assertion: the
// deadline only turns a hang into a failure).
using slatedb::testing::WaitFor;

CompactorOptions FastOptions(size_t min_sources = 2) {
  CompactorOptions o;
  o.poll_interval = std::chrono::milliseconds(10);
  o.max_sst_size = 4096;
  o.max_concurrent_compactions = 2;
  o.scheduler_options = {{"min_compaction_sources", std::to_string(min_sources)},
                         {"max_compaction_sources", "4"}};
  return o;
}

std::vector<std::pair<std::string, std::optional<std::string>>> Batch(util::Random& rng, int n,
                                                                      int key_space, int tag) {
  std::vector<std::pair<std::string, std::optional<std::string>>> kvs;
  for (int i = 0; i < n; ++i) {
    char key[16];
    std::snprintf(key, sizeof(key), "k%05d", static_cast<int>(rng.Uniform(key_space)));
    if (rng.OneIn(6)) {
      kvs.push_back({key, std::nullopt});
    } else {
      kvs.push_back({key, "v" + std::to_string(tag) + "-" + std::string(rng.Uniform(60), 'x')});
    }
  }
  return kvs;
}

TEST(CompactorTest, EachCompactionLogsOneInfoLineWithInputsOutputsBytesAndSeconds) {
  auto store = NewMemoryObjectStore();
  TestDb db(store);
  ASSERT_OK(db.Init());
  util::Random rng(12);
  for (int i = 0; i < 4; ++i) ASSERT_OK(db.AddL0(Batch(rng, 50, 100, i)));
  auto logger = std::make_shared<slatedb::testing::CapturingLogger>(LogLevel::kInfo);
  CompactorOptions opts = FastOptions(4);  // exactly one compaction: the 4 L0s into run 0
  opts.max_sst_size = 1024;
  auto c = Compactor::Open(store, "db", opts, OutputSettings{}, nullptr, 5, util::Log(logger));
  ASSERT_OK(c) << c.status().ToString();
  ASSERT_OK((*c)->Start());
  ASSERT_TRUE(WaitFor([&] { return (*c)->stats().committed >= 1; }));
  ASSERT_OK((*c)->Stop());
  const CompactorStats stats = (*c)->stats();
  ASSERT_EQ(stats.committed, 1u);
  auto after = db.Latest();
  ASSERT_OK(after);
  ASSERT_EQ(after->compacted.size(), 1u);

  std::vector<std::string> done;
  for (const auto& [level, text] : logger->entries()) {
    if (text.find(": compaction ") != std::string::npos) {
      EXPECT_EQ(level, LogLevel::kInfo);
      done.push_back(text);
    }
  }
  ASSERT_EQ(done.size(), 1u) << logger->Text(LogLevel::kTrace);
  const std::string want = "done: inputs 4 L0 SSTs + 0 sorted runs, output run 0 (" +
                           std::to_string(after->compacted[0].ssts.size()) + " SSTs, ";
  EXPECT_NE(done[0].find(want), std::string::npos) << done[0];
  EXPECT_NE(done[0].find("bytes read " + std::to_string(stats.bytes_read) + " written " +
                         std::to_string(stats.bytes_written) + ", "),
            std::string::npos)
      << done[0];
  EXPECT_GT(stats.bytes_written, 0u);
  EXPECT_EQ(done[0].substr(done[0].size() - 2), " s");
}

TEST(CompactorTest, CompactsL0IntoRunZeroWithTheSpecLifecycle) {
  auto store = NewMemoryObjectStore();
  TestDb db(store);
  ASSERT_OK(db.Init());
  util::Random rng(11);
  for (int i = 0; i < 4; ++i) ASSERT_OK(db.AddL0(Batch(rng, 50, 100, i)));
  ASSERT_OK(db.Verify(store));
  auto before = db.Latest();
  ASSERT_OK(before);
  std::vector<format::Ulid> l0_ids;
  for (const auto& h : before->l0) l0_ids.push_back(h.id);

  slatedb::testing::ScopedLogCapture logs;  // engine lines of components given no logger
  CompactorOptions opts = FastOptions(4);
  opts.max_sst_size = 1024;
  auto c = Compactor::Open(store, "db", opts, OutputSettings{}, nullptr, 5);
  ASSERT_OK(c) << c.status().ToString();
  ASSERT_OK((*c)->Start());
  ASSERT_TRUE(WaitFor([&] { return (*c)->stats().committed >= 1; }));
  ASSERT_OK((*c)->Stop());
  EXPECT_EQ(logs.WarningsAndErrors(), "");
  EXPECT_EQ((*c)->stats().epoch, 1u);

  auto after = db.Latest();
  ASSERT_OK(after);
  EXPECT_TRUE(after->l0.empty());
  ASSERT_EQ(after->compacted.size(), 1u);
  EXPECT_EQ(after->compacted[0].id, 0u);                // the first run is 0
  EXPECT_GE(after->compacted[0].ssts.size(), 2u);       // 1 KiB outputs
  EXPECT_EQ(after->l0_last_compacted, l0_ids.front());  // the newest source
  EXPECT_EQ(after->compactor_epoch, 1u);
  ASSERT_OK(db.Verify(store)) << db.Verify(store).ToString();

  // A checkpoint pins the version written just before the result, which lists the inputs.
  ASSERT_EQ(after->checkpoints.size(), 1u);
  const auto& cp = after->checkpoints[0];
  EXPECT_EQ(cp.expire_time_s - cp.create_time_s, kCompactionCheckpointLifetimeSeconds);
  manifest::ManifestStore ms(store, "db");
  auto pinned = ms.Read(cp.manifest_id);
  ASSERT_OK(pinned);
  EXPECT_EQ(pinned->l0, before->l0);
  auto list = ms.List();
  ASSERT_OK(list);
  EXPECT_EQ(list->back().id, cp.manifest_id + 1);  // then the result, last

  // `.compactions`: epoch carried; Submitted → Running → Running+outputs → Completed.
  manifest::CompactionsStore cs(store, "db");
  auto versions = cs.List();
  ASSERT_OK(versions);
  std::vector<format::CompactionStatus> statuses;
  std::vector<size_t> outputs;
  for (const auto& v : *versions) {
    auto comp = cs.Read(v.id);
    ASSERT_OK(comp);
    EXPECT_EQ(comp->compactor_epoch, 1u);
    if (comp->recent_compactions.empty()) continue;
    ASSERT_EQ(comp->recent_compactions.size(), 1u);
    const auto& rec = comp->recent_compactions[0];
    EXPECT_EQ(rec.l0_view_ids, l0_ids);
    EXPECT_TRUE(rec.sorted_runs.empty());
    statuses.push_back(rec.status);
    outputs.push_back(rec.output_ssts.size());
  }
  using S = format::CompactionStatus;
  std::vector<S> want = {S::kSubmitted, S::kRunning, S::kRunning, S::kCompleted};
  EXPECT_EQ(statuses, want);
  ASSERT_EQ(outputs.size(), 4u);
  EXPECT_EQ(outputs[0], 0u);
  EXPECT_EQ(outputs[2], after->compacted[0].ssts.size());
}

// enable_trivial_move end to end: L0s of disjoint key ranges become run 0 as they are (same SST
// objects, nothing written), the database reads the same, and the record lists them as outputs.
TEST(CompactorTest, TrivialMoveRelinksDisjointL0sAndTheDatabaseReadsTheSame) {
  auto store = NewMemoryObjectStore();
  TestDb db(store);
  ASSERT_OK(db.Init());
  for (int i = 0; i < 4; ++i) {
    std::vector<std::pair<std::string, std::optional<std::string>>> kvs;
    for (int k = 0; k < 50; ++k) {
      char key[16];
      std::snprintf(key, sizeof(key), "k%05d", i * 100 + k);
      kvs.push_back({key, k % 7 == 0 ? std::nullopt : std::optional<std::string>("v")});
    }
    ASSERT_OK(db.AddL0(kvs));
  }
  auto before = db.Latest();
  ASSERT_OK(before);
  auto rows_before = TestDb::ScanManifest(store, "db", *before);
  ASSERT_OK(rows_before);
  auto objects_before = store->List("db/compacted/");
  ASSERT_OK(objects_before);

  CompactorOptions opts = FastOptions(4);
  opts.enable_trivial_move = true;
  auto c = Compactor::Open(store, "db", opts, OutputSettings{}, nullptr, 5);
  ASSERT_OK(c) << c.status().ToString();
  ASSERT_OK((*c)->Start());
  ASSERT_TRUE(WaitFor([&] { return (*c)->stats().committed >= 1; }));
  ASSERT_OK((*c)->Stop());
  EXPECT_EQ((*c)->stats().bytes_written, 0u);
  EXPECT_EQ((*c)->stats().bytes_read, 0u);

  auto after = db.Latest();
  ASSERT_OK(after);
  EXPECT_TRUE(after->l0.empty());
  ASSERT_EQ(after->compacted.size(), 1u);
  std::vector<format::SstHandle> want(before->l0.rbegin(), before->l0.rend());  // key order
  EXPECT_EQ(after->compacted[0].ssts, want);
  auto objects_after = store->List("db/compacted/");
  ASSERT_OK(objects_after);
  EXPECT_EQ(objects_after->size(), objects_before->size());  // no SST written
  auto rows_after = TestDb::ScanManifest(store, "db", *after);
  ASSERT_OK(rows_after);
  EXPECT_EQ(*rows_after, *rows_before);
  ASSERT_OK(db.Verify(store));
}

// A job split into subcompactions: the committed `.compactions` v2 record carries the ranges and
// their outputs; with compatibility "0.12" (version 1) it carries none and still commits.
TEST(CompactorTest, SubcompactionRangesAreRecordedInCompactionsV2) {
  for (const std::string compat : {"0.17", "0.12"}) {
    SCOPED_TRACE(compat);
    auto store = NewMemoryObjectStore();
    TestDb db(store);
    ASSERT_OK(db.Init());
    util::Random rng(21);
    for (int i = 0; i < 4; ++i) ASSERT_OK(db.AddL0(Batch(rng, 300, 2000, i)));
    CompactorOptions opts = FastOptions(4);
    opts.max_sst_size = 1024;
    opts.max_subcompactions = 4;
    OutputSettings out;
    out.compatibility = compat;
    auto c = Compactor::Open(store, "db", opts, out, nullptr, 5);
    ASSERT_OK(c) << c.status().ToString();
    ASSERT_OK((*c)->Start());
    ASSERT_TRUE(WaitFor([&] { return (*c)->stats().committed >= 1; }));
    ASSERT_OK((*c)->Stop());
    ASSERT_OK(db.Verify(store));
    auto after = db.Latest();
    ASSERT_OK(after);
    ASSERT_EQ(after->compacted.size(), 1u);

    manifest::CompactionsStore cs(store, "db", manifest::StoreFormatFor(compat));
    auto latest = cs.ReadLatest();
    ASSERT_OK(latest);
    ASSERT_TRUE(latest->has_value());
    ASSERT_EQ((*latest)->compactions.recent_compactions.size(), 1u);
    const auto& rec = (*latest)->compactions.recent_compactions[0];
    EXPECT_EQ(rec.status, format::CompactionStatus::kCompleted);
    EXPECT_EQ(rec.output_ssts, after->compacted[0].ssts);
    if (compat == "0.12") {
      EXPECT_FALSE(rec.ctx.has_value());
      continue;
    }
    ASSERT_TRUE(rec.ctx.has_value());
    EXPECT_GT(rec.ctx->subcompactions.size(), 1u);
    EXPECT_LE(rec.ctx->subcompactions.size(), 4u);
    std::vector<format::SstHandle> concatenated;
    for (const auto& sub : rec.ctx->subcompactions) {
      concatenated.insert(concatenated.end(), sub.output_ssts.begin(), sub.output_ssts.end());
    }
    EXPECT_EQ(concatenated, rec.output_ssts);
    EXPECT_EQ(rec.ctx->retention_min_seq, after->recent_snapshot_min_seq);
  }
}

class CountingLogger : public Logger {
 public:
  LogLevel level() const override { return LogLevel::kInfo; }
  void Log(LogLevel, std::string_view message) override {
    std::lock_guard<std::mutex> l(mu_);
    lines_.emplace_back(message);
  }
  size_t Count(const std::string& needle) {
    std::lock_guard<std::mutex> l(mu_);
    size_t n = 0;
    for (const auto& line : lines_) n += line.find(needle) != std::string::npos ? 1 : 0;
    return n;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> lines_;
};

// An input SST deleted out from under the compactor: the compaction fails once, is logged once
// (naming the object) and is not retried, so `.compactions` writes stop.
// Timed polls run on the injected clock: with an hour's poll_interval on a ManualClock, the
// first poll is at Start and each Advance of an hour is one more; none follows Stop.
TEST(CompactorTest, TimedPollsRunOnTheInjectedClock) {
  auto store = NewMemoryObjectStore();
  TestDb db(store);
  ASSERT_OK(db.Init());
  auto clock = std::make_shared<util::ManualClock>(1'000'000);
  CompactorOptions o = FastOptions();
  o.poll_interval = std::chrono::hours(1);
  auto c = Compactor::Open(store, "db", o, OutputSettings{}, clock, 5);
  ASSERT_OK(c) << c.status().ToString();
  ASSERT_OK((*c)->Start());
  ASSERT_TRUE(WaitFor([&] { return (*c)->stats().polls == 1; }));
  clock->Advance(3'600'000);
  ASSERT_TRUE(WaitFor([&] { return (*c)->stats().polls == 2; }));
  clock->Advance(3'600'000);
  ASSERT_TRUE(WaitFor([&] { return (*c)->stats().polls == 3; }));
  EXPECT_OK((*c)->Stop());
  clock->Advance(3'600'000);
  EXPECT_EQ((*c)->stats().polls, 3u);
}

TEST(CompactorTest, MissingInputFailsOnceAndIsNotRetried) {
  auto store = NewMemoryObjectStore();
  TestDb db(store);
  ASSERT_OK(db.Init());
  util::Random rng(17);
  for (int i = 0; i < 2; ++i) ASSERT_OK(db.AddL0(Batch(rng, 50, 100, i)));
  auto before = db.Latest();
  ASSERT_OK(before);
  const std::string missing = "db/compacted/" + before->l0.back().id.ToString() + ".sst";
  ASSERT_OK(store->Delete(missing));

  auto logger = std::make_shared<CountingLogger>();
  auto c =
      Compactor::Open(store, "db", FastOptions(2), OutputSettings{}, nullptr, 5, util::Log(logger));
  ASSERT_OK(c) << c.status().ToString();
  ASSERT_OK((*c)->Start());
  ASSERT_TRUE(WaitFor([&] { return (*c)->stats().failed >= 1; }));
  auto count = [&] {
    auto list = store->List("db/compactions/");
    EXPECT_OK(list);
    return list.ok() ? list->size() : 0;
  };
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // 10 poll intervals
  const size_t writes = count();
  const uint64_t polls = (*c)->stats().polls;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // 30 more
  EXPECT_GT((*c)->stats().polls, polls + 5);
  EXPECT_EQ(count(), writes) << "the failed compaction is being retried";
  EXPECT_EQ((*c)->stats().failed, 1u);
  EXPECT_EQ((*c)->stats().committed, 0u);
  EXPECT_EQ(logger->Count(missing), 1u);
  EXPECT_EQ(logger->Count("is missing"), 1u);
  EXPECT_OK((*c)->Stop());
  // Nothing of the failed compaction stays in `.compactions` (it would pin the GC).
  auto latest = manifest::CompactionsStore(store, "db").ReadLatest();
  ASSERT_TRUE(latest.ok() && latest->has_value());
  for (const auto& rec : (*latest)->compactions.recent_compactions) {
    EXPECT_EQ(rec.status, format::CompactionStatus::kCompleted);
  }
}

// Counts LIST requests per prefix.
class ListCountingStore : public ObjectStoreWrapper {
 public:
  using ObjectStoreWrapper::ObjectStoreWrapper;
  Result<std::vector<ObjectMeta>> List(std::string_view prefix) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++lists_[std::string(prefix)];
    }
    return inner_->List(prefix);
  }
  uint64_t Lists(const std::string& prefix) {
    std::lock_guard<std::mutex> lock(mu_);
    return lists_[prefix];
  }

 private:
  std::mutex mu_;
  std::map<std::string, uint64_t> lists_;
};

// An idle compactor lists `.compactions/` and `manifest/` once (the first read), then finds the
// latest versions by probing the next id (RFC-0032): N idle polls cost no LIST at all. The
// manual clock keeps the probes trusted (kManifestProbeTrust) however slow the machine is, and
// drives the polls (they run on the injected clock): each step advances one poll interval.
TEST(CompactorTest, IdlePollsProbeTheNextVersionInsteadOfListing) {
  auto mem = NewMemoryObjectStore();
  TestDb db(mem);
  ASSERT_OK(db.Init());
  util::Random rng(21);
  ASSERT_OK(db.AddL0(Batch(rng, 20, 100, 0)));  // below min_compaction_sources: stays idle
  auto store = std::make_shared<ListCountingStore>(mem);
  auto clock = std::make_shared<ManualClock>(1'000'000);
  auto c = Compactor::Open(store, "db", FastOptions(2), OutputSettings{}, clock, 5);
  ASSERT_OK(c) << c.status().ToString();
  ASSERT_OK((*c)->Start());
  // Polls due on the manual clock: advance one poll interval (10 ms) whenever the last was done.
  uint64_t stepped_at = 0;
  auto poll_until = [&](uint64_t n) {
    return WaitFor([&] {
      const uint64_t now = (*c)->stats().polls;
      if (now >= n) return true;
      if (now != stepped_at) {
        stepped_at = now;
        clock->Advance(10);
      }
      return false;
    });
  };
  ASSERT_TRUE(poll_until(2));
  const uint64_t compactions_lists = store->Lists("db/compactions/");
  const uint64_t manifest_lists = store->Lists("db/manifest/");
  EXPECT_EQ(compactions_lists, 1u);
  EXPECT_EQ(manifest_lists, 1u);
  constexpr uint64_t kIdlePolls = 20;
  const uint64_t polls = (*c)->stats().polls;
  ASSERT_TRUE(poll_until(polls + kIdlePolls));
  EXPECT_EQ(store->Lists("db/compactions/"), compactions_lists);
  EXPECT_EQ(store->Lists("db/manifest/"), manifest_lists);
  // Still sees another process's `.compactions` version (a probe hit).
  manifest::CompactionsStore other(mem, "db");
  ASSERT_OK_AND_ASSIGN(auto latest, other.ReadLatest());
  ASSERT_TRUE(latest.has_value());
  latest->compactions.compactor_epoch += 1;
  ASSERT_OK(other.WriteNew(latest->id + 1, latest->compactions));
  ASSERT_TRUE(WaitFor([&] {
    if ((*c)->fenced()) return true;
    const uint64_t now = (*c)->stats().polls;
    if (now != stepped_at) {
      stepped_at = now;
      clock->Advance(10);
    }
    return false;
  }));
  EXPECT_EQ(store->Lists("db/compactions/"), compactions_lists);
  EXPECT_OK((*c)->Stop());
}

// The embedded compactor shares its writer's manifest store (ShareManifestStore): when a GC with
// min_age 0 deletes the successor of the version the compactor last saw, the compactor still sees
// the writer's newest version at once. With its own store its probe would miss the deleted id
// and trust the stale version (the manual clock never ends kManifestProbeTrust): no compaction.
TEST(CompactorTest, SharedManifestStoreSeesTheWritersVersionAfterGcDeletedItsPredecessor) {
  auto mem = NewMemoryObjectStore();
  auto clock = std::make_shared<ManualClock>(1'000'000);
  auto shared =
      std::make_shared<manifest::ManifestStore>(mem, "db", manifest::StoreFormat{}, clock);
  TestDb db(mem);
  db.UseManifestStore(shared);
  ASSERT_OK(db.Init());
  util::Random rng(22);
  ASSERT_OK(db.AddL0(Batch(rng, 20, 100, 0)));  // below min_compaction_sources: stays idle
  auto c = Compactor::Open(mem, "db", FastOptions(2), OutputSettings{}, clock, 5);
  ASSERT_OK(c) << c.status().ToString();
  (*c)->DisableTimedPolls();
  (*c)->ShareManifestStore(shared);
  ASSERT_OK((*c)->Start());
  ASSERT_TRUE(WaitFor([&] { return (*c)->stats().polls >= 1; }));
  ASSERT_OK_AND_ASSIGN(auto before, shared->ReadLatest());
  ASSERT_TRUE(before.has_value());
  ASSERT_OK(db.AddL0(Batch(rng, 20, 100, 0)));  // version before->id + 1 ...
  ASSERT_OK(db.AddL0(Batch(rng, 20, 100, 0)));  // ... and + 2
  ASSERT_OK(mem->Delete(manifest::ManifestPath("db", before->id + 1)));  // what a GC may do
  ASSERT_TRUE(WaitFor([&] {
    (*c)->Notify();
    return (*c)->stats().committed >= 1;
  }));
  EXPECT_OK((*c)->Stop());
  ASSERT_OK_AND_ASSIGN(auto after, shared->ReadLatest());
  ASSERT_TRUE(after.has_value());
  EXPECT_TRUE(after->manifest.l0.empty());
  EXPECT_EQ(after->manifest.compacted.size(), 1u);
}

TEST(CompactorTest, MergesRunsAndResumesAfterRestart) {
  auto store = NewMemoryObjectStore();
  TestDb db(store);
  ASSERT_OK(db.Init());
  util::Random rng(12);
  for (int round = 0; round < 4; ++round) {
    for (int i = 0; i < 2; ++i) ASSERT_OK(db.AddL0(Batch(rng, 40, 200, round * 10 + i)));
    auto c = Compactor::Open(store, "db", FastOptions(2), OutputSettings{}, nullptr, round);
    ASSERT_OK(c);
    ASSERT_OK((*c)->Start());
    ASSERT_TRUE(WaitFor([&] {
      auto m = db.Latest();
      return m.ok() && m->l0.empty() && (*c)->stats().running == 0;
    }));
    ASSERT_OK((*c)->Stop());
    EXPECT_EQ((*c)->stats().epoch, static_cast<uint64_t>(round + 1));
    Status v = db.Verify(store);
    ASSERT_OK(v) << v.ToString();
  }
  auto m = db.Latest();
  ASSERT_OK(m);
  // Four L0 compactions made runs; with min 2 sources runs were merged down again.
  EXPECT_LT(m->compacted.size(), 4u);
  EXPECT_EQ(m->compacted.back().id, 0u);
}

TEST(CompactorTest, StopIsIdempotentAndNotifyAfterStopIsSilent) {
  auto store = NewMemoryObjectStore();
  TestDb db(store);
  ASSERT_OK(db.Init());
  slatedb::testing::ScopedLogCapture logs;  // engine lines of components given no logger
  auto never = Compactor::Open(store, "db", FastOptions(), OutputSettings{}, nullptr, 1);
  ASSERT_OK(never);
  EXPECT_OK((*never)->Stop());  // never started
  auto c = Compactor::Open(store, "db", FastOptions(), OutputSettings{}, nullptr, 1);
  ASSERT_OK(c);
  ASSERT_OK((*c)->Start());
  EXPECT_TRUE((*c)->running());
  (*c)->Notify();
  EXPECT_OK((*c)->Stop());
  EXPECT_FALSE((*c)->running());
  EXPECT_OK((*c)->Stop());
  for (int i = 0; i < 100; ++i) (*c)->Notify();
  EXPECT_FALSE((*c)->Start().ok());  // once only
  EXPECT_EQ(logs.WarningsAndErrors(), "");
}

TEST(CompactorTest, OpenRejectsBadOptionsAndStartNeedsADatabase) {
  auto store = NewMemoryObjectStore();
  CompactorOptions o;
  o.scheduler_options = {{"min_compaction_sources", "zero"}};
  auto bad = Compactor::Open(store, "db", o, OutputSettings{}, nullptr, 1);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("min_compaction_sources"), std::string::npos);
  o = CompactorOptions{};
  o.max_concurrent_compactions = 0;
  EXPECT_FALSE(Compactor::Open(store, "db", o, OutputSettings{}, nullptr, 1).ok());
  auto c = Compactor::Open(store, "nodb", CompactorOptions{}, OutputSettings{}, nullptr, 1);
  ASSERT_OK(c);
  Status st = (*c)->Start();
  EXPECT_TRUE(st.IsInvalid()) << st.ToString();
  EXPECT_FALSE((*c)->running());
}

TEST(CompactorTest, SecondCompactorFencesTheFirstWithoutLossOrDoubleCommit) {
  auto mem = NewMemoryObjectStore();
  FaultOptions fo;
  fo.seed = 21;
  fo.latency_jitter = std::chrono::microseconds(2000);
  auto store = NewFaultInjectingObjectStore(mem, fo);
  TestDb db(mem);
  ASSERT_OK(db.Init());
  util::Random rng(13);
  auto a = Compactor::Open(store, "db", FastOptions(2), OutputSettings{}, nullptr, 1);
  ASSERT_OK(a);
  ASSERT_OK((*a)->Start());
  for (int i = 0; i < 6; ++i) ASSERT_OK(db.AddL0(Batch(rng, 40, 300, i)));
  auto b = Compactor::Open(store, "db", FastOptions(2), OutputSettings{}, nullptr, 2);
  ASSERT_OK(b);
  ASSERT_OK((*b)->Start());
  for (int i = 6; i < 14; ++i) {
    ASSERT_OK(db.AddL0(Batch(rng, 40, 300, i)));
    Status v = db.Verify(mem);  // consistent at every moment
    ASSERT_OK(v) << v.ToString();
  }
  // fenced() is latched before the orchestrator thread winds down and clears running().
  ASSERT_TRUE(WaitFor([&] { return (*a)->fenced() && !(*a)->running(); }));
  EXPECT_OK((*a)->Stop());  // fenced is an expected end, not an error
  ASSERT_TRUE(WaitFor([&] {
    auto m = db.Latest();
    return m.ok() && m->l0.size() < 2 && (*b)->stats().running == 0;
  }));
  EXPECT_FALSE((*b)->fenced());
  EXPECT_OK((*b)->Stop());
  auto m = db.Latest();
  ASSERT_OK(m);
  EXPECT_EQ(m->compactor_epoch, 2u);
  Status v = db.Verify(mem);  // also checks that no SST is listed twice
  ASSERT_OK(v) << v.ToString();
  auto comp = manifest::CompactionsStore(mem, "db").ReadLatest();
  ASSERT_TRUE(comp.ok() && comp->has_value());
  EXPECT_EQ((*comp)->compactions.compactor_epoch, 2u);
}

// The same compactor on every backend: memory, a local directory and S3 (moto at
// $SLATEDB_TEST_S3_ENDPOINT; skipped when unset). Compacts, is stopped mid-job a few times, and
// leaves a consistent database.
class BackendTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(auto b, slatedb::testing::MakeTestStore(GetParam(), dir_.path(),
                                                                 "compactor", "some/prefix"));
    if (!b.skip.empty()) GTEST_SKIP() << b.skip;
    store_ = b.store;
  }
  slatedb::testing::TempDir dir_;
  std::shared_ptr<ObjectStore> store_;
};

TEST_P(BackendTest, CompactsAndStopsGracefully) {
  TestDb db(store_);
  ASSERT_OK(db.Init());
  util::Random rng(31);
  slatedb::testing::ScopedLogCapture logs;  // engine lines of components given no logger
  CompactorOptions opts = FastOptions(2);
  opts.max_sst_size = 1024;
  uint64_t committed = 0;
  for (int round = 0; round < 6; ++round) {
    for (int i = 0; i < 2; ++i) ASSERT_OK(db.AddL0(Batch(rng, 60, 400, round * 2 + i)));
    auto c = Compactor::Open(store_, "db", opts, OutputSettings{}, nullptr, 0);
    ASSERT_OK(c);
    ASSERT_OK((*c)->Start());
    if (round % 2 == 0) {
      ASSERT_TRUE(WaitFor([&] { return (*c)->stats().submitted > 0; }));  // mid-job stop
    } else {
      ASSERT_TRUE(WaitFor([&] {
        auto m = db.Latest();
        return m.ok() && m->l0.size() < 2 && (*c)->stats().running == 0;
      }));
    }
    ASSERT_OK((*c)->Stop());
    committed += (*c)->stats().committed;
    Status v = db.Verify(store_);
    ASSERT_OK(v) << v.ToString();
  }
  EXPECT_GT(committed, 0u);
  EXPECT_EQ(logs.WarningsAndErrors(), "");
}

INSTANTIATE_TEST_SUITE_P(Backends, BackendTest, ::testing::Values("memory", "local", "s3"));

// ---- Compatibility with the SlateDB 0.12.1 peer ----

// Runs the peer CLI. The peer (node) calls process.exit() right after writing, which can cut
// output to a pipe short; output to a file is complete, so stdout goes to a file.
slatedb::testing::ProcessResult RunPeer(const std::vector<std::string>& args,
                                        const std::string& input = "") {
  slatedb::testing::TempDir out_dir;
  std::string out_file = out_dir.path() + "/peer-stdout.txt";
  std::string cmd = "exec '" + slatedb::testing::PeerCli() + "'";
  for (const auto& a : args) cmd += " '" + a + "'";
  cmd += " > '" + out_file + "'";
  auto r = slatedb::testing::RunProcess({"/bin/sh", "-c", cmd}, input, std::chrono::minutes(3));
  std::ifstream f(out_file, std::ios::binary);
  r.out.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  return r;
}

std::string PeerOrSkipReason() {
  std::string peer = slatedb::testing::PeerCli();
  if (!std::filesystem::exists(peer)) return "";
  return peer;
}

Result<std::map<std::string, std::string>> ScanLatest(const std::shared_ptr<ObjectStore>& store) {
  manifest::ManifestStore ms(store, "db");
  ASSIGN_OR_RETURN(auto latest, ms.ReadLatest());
  if (!latest) return Status::Data("no manifest");
  return TestDb::ScanManifest(store, "db", latest->manifest);
}

// Compacts a copy of a peer fixture with our compactor; our scan is unchanged and the peer
// (when available) opens the result and returns the same rows as before.
class PeerFixtureTest : public ::testing::TestWithParam<std::string> {};

TEST_P(PeerFixtureTest, OurCompactionOfAPeerDatabaseKeepsEveryRow) {
  slatedb::testing::TempDir dir;
  std::string src = slatedb::testing::FixturesDir() + "/" + GetParam();
  if (!std::filesystem::exists(src)) GTEST_SKIP() << "fixture missing: " << src;
  ASSERT_TRUE(slatedb::testing::CopyTree(src, dir.path()));
  auto store = NewLocalObjectStore(dir.path());
  ASSERT_OK(store);
  std::string peer = PeerOrSkipReason();
  auto peer_scan = [&]() {
    return RunPeer({"--url", "file://" + dir.path(), "--path", "db", "--reader", "scan"});
  };
  std::string peer_before;
  if (!peer.empty()) {
    auto r = peer_scan();
    ASSERT_EQ(r.exit_code, 0) << r.err;
    peer_before = r.out;
  }
  auto before = ScanLatest(*store);
  ASSERT_OK(before) << before.status().ToString();
  auto m0 = manifest::ManifestStore(*store, "db").ReadLatest();
  ASSERT_OK(m0);
  size_t sources = (*m0)->manifest.l0.size() + (*m0)->manifest.compacted.size();

  auto c = Compactor::Open(*store, "db", FastOptions(2), OutputSettings{}, nullptr, 9);
  ASSERT_OK(c);
  ASSERT_OK((*c)->Start());
  if (sources >= 2) {
    ASSERT_TRUE(WaitFor([&] { return (*c)->stats().committed >= 1; }));
  }
  ASSERT_TRUE(WaitFor([&] { return (*c)->stats().running == 0; }));
  ASSERT_OK((*c)->Stop());

  auto after = ScanLatest(*store);
  ASSERT_OK(after) << after.status().ToString();
  EXPECT_EQ(*after, *before);
  if (!peer.empty()) {
    auto r = peer_scan();
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, peer_before);
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, PeerFixtureTest, ::testing::Values("compact", "srmerge"));

TEST(CompactorPeerTest, PeerWrittenDatabaseCompactedByUsScansTheSameInThePeer) {
  std::string peer = PeerOrSkipReason();
  if (peer.empty()) GTEST_SKIP() << "peer not found";
  slatedb::testing::TempDir dir;
  std::string lines;
  util::Random rng(77);
  std::map<std::string, std::string> model;
  for (int i = 0; i < 3000; ++i) {
    char key[16];
    std::snprintf(key, sizeof(key), "key%05d", static_cast<int>(rng.Uniform(2000)));
    std::string value = "v" + std::to_string(i) + std::string(rng.Uniform(80), 'p');
    lines += std::string(key) + "\t" + value + "\n";
    model[key] = value;
  }
  auto load = RunPeer(
      {"--url", "file://" + dir.path(), "--path", "db", "--settings",
       R"({"l0_sst_size_bytes": 16384, "compactor_options": null})", "load", "--batch", "100"},
      lines);
  ASSERT_EQ(load.exit_code, 0) << load.err;
  auto store = NewLocalObjectStore(dir.path());
  ASSERT_OK(store);
  // compatibility "0.12": `.compactions` version 1, which the 0.12.1 writer below requires (its
  // embedded compactor refuses version 2); the manifests stay version 2.
  OutputSettings output;
  output.compatibility = "0.12";
  auto c = Compactor::Open(*store, "db", FastOptions(4), output, nullptr, 3);
  ASSERT_OK(c);
  ASSERT_OK((*c)->Start());
  ASSERT_TRUE(WaitFor([&] { return (*c)->stats().committed >= 1 && (*c)->stats().running == 0; }));
  ASSERT_OK((*c)->Stop());
  auto latest_compactions = manifest::CompactionsStore(*store, "db").List();
  ASSERT_TRUE(latest_compactions.ok() && !latest_compactions->empty());
  auto compactions_bytes = (*store)->Get(latest_compactions->back().key);
  ASSERT_OK(compactions_bytes);
  EXPECT_EQ(compactions_bytes->substr(0, 2), std::string("\x00\x01", 2));
  auto m = manifest::ManifestStore(*store, "db").ReadLatest();
  ASSERT_TRUE(m.ok() && m->has_value());
  EXPECT_FALSE((*m)->manifest.compacted.empty());

  auto scan = RunPeer({"--url", "file://" + dir.path(), "--path", "db", "--reader", "scan"});
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  std::string want;
  for (const auto& [k, v] : model) want += k + "\t" + v + "\n";
  EXPECT_EQ(scan.out, want);

  // The peer's writer (with its own compactor) takes over from ours and still sees every row.
  auto put = RunPeer({"--url", "file://" + dir.path(), "--path", "db", "put", "zzz", "last"});
  ASSERT_EQ(put.exit_code, 0) << put.err;
  scan = RunPeer({"--url", "file://" + dir.path(), "--path", "db", "--reader", "scan"});
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  EXPECT_EQ(scan.out, want + "zzz\tlast\n");
}

}  // namespace
}  // namespace slatedb::compactor
