// Close during compaction at many seeded random moments (issue 4): a fault-injecting store adds
// 0-3 ms of latency to every request so jobs are really in flight when Stop() is called.
// Every Stop() must return OK with nothing logged at warn or above (no channel errors), the
// manifest must match the model after every stop, compaction must resume after a restart, and
// afterwards the GC must remove every orphaned output.
// SLATEDB_SHUTDOWN_MOMENTS overrides the number of moments (default 200) for longer runs.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <set>
#include <sstream>
#include <thread>

#include "compactor/compactor.h"
#include "compactor/test_db.h"
#include "gc/garbage_collector.h"
#include "manifest/paths.h"
#include "object_store/fault_injecting_object_store.h"
#include "test_util.h"
#include "util/random.h"

namespace slatedb::gc {
namespace {

using compactor::Compactor;
using compactor::testing::TestDb;

int Moments() {
  const char* env = std::getenv("SLATEDB_SHUTDOWN_MOMENTS");
  if (env != nullptr && std::atoi(env) > 0) return std::atoi(env);
  return 200;
}

TEST(CompactorShutdownTest, StopDuringCompactionAtRandomMomentsThenGcRemovesOrphans) {
  const uint64_t seed = 20261126;
  std::printf("seed %llu, %d moments\n", static_cast<unsigned long long>(seed), Moments());
  util::Random rng(seed);
  auto mem = NewMemoryObjectStore();
  FaultOptions fo;
  fo.seed = seed;
  fo.latency_jitter = std::chrono::microseconds(3000);
  auto slow = NewFaultInjectingObjectStore(mem, fo);
  TestDb db(mem);
  ASSERT_OK(db.Init());

  CompactorOptions opts;
  opts.poll_interval = std::chrono::milliseconds(2);
  opts.max_sst_size = 1024;  // many SST boundaries per job
  opts.max_concurrent_compactions = 2;
  opts.scheduler_options = {{"min_compaction_sources", "2"}, {"max_compaction_sources", "4"}};

  slatedb::testing::ScopedLogCapture logs;  // engine lines of components given no logger
  compactor::CompactorStats total;
  for (int moment = 0; moment < Moments(); ++moment) {
    SCOPED_TRACE("moment " + std::to_string(moment));
    int l0s = 1 + static_cast<int>(rng.Uniform(2));
    for (int i = 0; i < l0s; ++i) {
      std::vector<std::pair<std::string, std::optional<std::string>>> kvs;
      int n = 10 + static_cast<int>(rng.Uniform(30));
      for (int j = 0; j < n; ++j) {
        std::string key = "k" + std::to_string(rng.Uniform(400));
        if (rng.OneIn(5)) {
          kvs.push_back({key, std::nullopt});
        } else {
          kvs.push_back({key, "m" + std::to_string(moment) + std::string(rng.Uniform(40), 'v')});
        }
      }
      ASSERT_OK(db.AddL0(kvs));
    }
    auto c = Compactor::Open(slow, "db", opts, compactor::OutputSettings{}, nullptr,
                             seed + static_cast<uint64_t>(moment));
    ASSERT_OK(c);
    ASSERT_OK((*c)->Start());
    // Mostly within 25 ms (jobs in flight); every 10th moment up to 300 ms, so that some jobs
    // finish and are committed before the stop even on a slow (sanitizer) build.
    std::this_thread::sleep_for(
        std::chrono::microseconds(rng.Uniform(moment % 10 == 0 ? 300000 : 25000)));
    Status st = (*c)->Stop();
    ASSERT_OK(st) << st.ToString();
    EXPECT_FALSE((*c)->running());
    auto s = (*c)->stats();
    total.submitted += s.submitted;
    total.committed += s.committed;
    total.cancelled += s.cancelled;
    total.failed += s.failed;
    total.orphaned_ssts += s.orphaned_ssts;
    EXPECT_EQ(s.running, 0u);
    EXPECT_EQ(s.submitted, s.committed + s.cancelled + s.failed);
    Status v = db.Verify(mem);
    ASSERT_OK(v) << v.ToString();
  }
  std::printf("submitted %llu committed %llu cancelled %llu failed %llu orphaned SSTs %llu\n",
              static_cast<unsigned long long>(total.submitted),
              static_cast<unsigned long long>(total.committed),
              static_cast<unsigned long long>(total.cancelled),
              static_cast<unsigned long long>(total.failed),
              static_cast<unsigned long long>(total.orphaned_ssts));
  EXPECT_EQ(logs.WarningsAndErrors(), "");  // no warning or error, about channels or anything else
  EXPECT_EQ(total.failed, 0u);
  EXPECT_GT(total.cancelled, 0u);  // jobs really were in flight at some stops
  EXPECT_GT(total.committed, 0u);  // and some finished and were committed during the drain

  // Restart: compaction resumes and drains L0.
  auto c = Compactor::Open(slow, "db", opts, compactor::OutputSettings{}, nullptr, seed - 1);
  ASSERT_OK(c);
  ASSERT_OK((*c)->Start());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    auto m = db.Latest();
    ASSERT_OK(m);
    if (m->l0.size() < 2 && (*c)->stats().running == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_OK((*c)->Stop());
  EXPECT_GE((*c)->stats().committed, 1u);
  auto m = db.Latest();
  ASSERT_OK(m);
  EXPECT_LT(m->l0.size(), 2u);
  Status v = db.Verify(mem);
  ASSERT_OK(v) << v.ToString();

  // GC: one more L0 moves the low-watermark past every orphan; then every object under
  // compacted/ is referenced by the latest manifest or a live checkpoint's manifest.
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  ASSERT_OK(db.AddL0({{"zz", "last"}}));
  auto gc = GarbageCollector::Open(
      mem, "db",
      GarbageCollectorOptions{
          std::nullopt, std::nullopt,
          GcDirectoryOptions{std::chrono::seconds(1), std::chrono::milliseconds(0)}, std::nullopt},
      nullptr);
  ASSERT_OK(gc);
  auto swept = (*gc)->RunOnce();
  ASSERT_OK(swept) << swept.status().ToString();
  EXPECT_GE(swept->compacted_deleted, total.orphaned_ssts);
  manifest::ManifestStore ms(mem, "db");
  auto latest = ms.ReadLatest();
  ASSERT_TRUE(latest.ok() && latest->has_value());
  std::set<format::Ulid> live = TestDb::Referenced((*latest)->manifest);
  for (const auto& cp : (*latest)->manifest.checkpoints) {
    auto pinned = ms.Read(cp.manifest_id);
    ASSERT_OK(pinned);
    auto refs = TestDb::Referenced(*pinned);
    live.insert(refs.begin(), refs.end());
  }
  auto objects = mem->List(manifest::CompactedDir("db"));
  ASSERT_OK(objects);
  size_t unreferenced = 0;
  for (const auto& obj : *objects) {
    auto id = manifest::ParseCompactedSstId(obj.key);
    ASSERT_TRUE(id.has_value());
    if (live.count(*id) == 0) ++unreferenced;
  }
  EXPECT_EQ(unreferenced, 0u);
  v = db.Verify(mem);
  ASSERT_OK(v) << v.ToString();
}

}  // namespace
}  // namespace slatedb::gc
