// Garbage-collector rules (docs/design.md §11), background mode, and the "a reader never meets a
// missing object" property while the compactor and the GC run.
#include "gc/garbage_collector.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "compactor/compactor.h"
#include "compactor/test_db.h"
#include "format/sst.h"
#include "format/uuid.h"
#include "manifest/manifest_store.h"
#include "manifest/paths.h"
#include "table/sst_writer.h"
#include "test_util.h"
#include "util/random.h"

namespace slatedb::gc {
namespace {

using compactor::testing::TestDb;

constexpr int64_t kHour = 3600 * 1000;

#if defined(__linux__)
// Whether a thread of this process has the name (/proc/self/task/*/comm).
bool ThreadNamed(const std::string& name) {
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string line;
    if (std::getline(comm, line) && line == name) return true;
  }
  return false;
}
#endif

GarbageCollectorOptions AllSweeps(std::chrono::milliseconds min_age,
                                  std::chrono::milliseconds interval = std::chrono::seconds(60)) {
  GcDirectoryOptions d{interval, min_age};
  return GarbageCollectorOptions{d, d, d, d};
}

class GcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = NewMemoryObjectStore();
    ms_ = std::make_shared<manifest::ManifestStore>(store_, "db");
    // The GC's clock runs 10 s ahead of the store's timestamps, so "min_age 0" covers them.
    clock_ = std::make_shared<util::ManualClock>(util::SystemClock::Default()->NowMillis() + 10000);
  }

  std::unique_ptr<GarbageCollector> Gc(std::chrono::milliseconds min_age, GcExtraOptions e = {}) {
    auto gc = GarbageCollector::Open(store_, "db", AllSweeps(min_age), clock_, e);
    EXPECT_OK(gc) << gc.status().ToString();
    return std::move(*gc);
  }

  void WriteManifest(uint64_t id, const format::Manifest& m) { ASSERT_OK(ms_->WriteNew(id, m)); }

  void WriteWal(uint64_t id, bool fence) {
    format::SstBuilderOptions o;
    o.sst_type = format::SstType::kWal;
    format::SstBuilder b(o);
    if (!fence) {
      format::RowEntry r;
      r.key = "k" + std::to_string(id);
      r.value = "v";
      r.seq = id;
      ASSERT_OK(b.Add(r));
    }
    auto sst = b.Finish();
    ASSERT_OK(sst);
    ASSERT_OK(table::UploadSst(*store_, manifest::WalSstPath("db", id), *sst));
  }

  bool Exists(const std::string& key) { return store_->Head(key).ok(); }

  format::Checkpoint Cp(uint64_t manifest_id, int64_t expire_ms) {
    format::Checkpoint cp;
    util::Random rng(manifest_id);
    cp.id = format::Uuid::NewV4(rng);
    cp.manifest_id = manifest_id;
    cp.expire_time_s = static_cast<uint32_t>(expire_ms / 1000);
    return cp;
  }

  // `.compactions` version 1 holding one Completed compaction whose ULID is minted at `ms` (it
  // sets the compacted-SST watermark).
  void WriteCompletedCompaction(int64_t ms) {
    manifest::CompactionsStore cs(store_, "db");
    format::Compactions comp;
    comp.compactor_epoch = 1;
    format::CompactionRecord rec;
    rec.id = ulids_.Next(ms);
    rec.status = format::CompactionStatus::kCompleted;
    comp.recent_compactions.push_back(rec);
    ASSERT_OK(cs.WriteNew(1, comp));
  }

  // An SST object with a ULID minted at `ms` (contents irrelevant to the GC).
  format::Ulid Sst(int64_t ms) {
    format::Ulid id = ulids_.Next(ms);
    EXPECT_OK(store_->Put(manifest::CompactedSstPath("db", id), "x"));
    return id;
  }

  std::shared_ptr<ObjectStore> store_;
  std::shared_ptr<manifest::ManifestStore> ms_;
  std::shared_ptr<util::ManualClock> clock_;
  format::UlidGenerator ulids_{5};
};

TEST_F(GcTest, WalBelowReplayPointUnlessACheckpointNeedsItAndFencesKept) {
  format::Manifest pinned;
  pinned.replay_after_wal_id = 2;
  pinned.wal_id_last_seen = 3;  // needs WAL 3
  WriteManifest(1, pinned);
  format::Manifest latest;
  latest.replay_after_wal_id = 6;
  latest.wal_id_last_seen = 8;
  latest.checkpoints.push_back(Cp(1, 0));  // never expires
  WriteManifest(2, latest);
  for (uint64_t id = 1; id <= 8; ++id) WriteWal(id, /*fence=*/id == 4);

  auto young = Gc(std::chrono::milliseconds(kHour))->RunOnce();
  ASSERT_OK(young);
  EXPECT_EQ(young->wal_deleted, 0u);  // everything is younger than min_age

  auto r = Gc(std::chrono::milliseconds(0))->RunOnce();
  ASSERT_OK(r) << r.status().ToString();
  EXPECT_EQ(r->wal_deleted, 3u);  // 1, 2, 5
  for (uint64_t id = 1; id <= 8; ++id) {
    bool kept = id == 3 || id == 4 || id >= 6;
    EXPECT_EQ(Exists(manifest::WalSstPath("db", id)), kept) << "wal " << id;
  }
  // Fences go only when configured.
  GcExtraOptions delete_fences;
  delete_fences.delete_fences = true;
  auto f = Gc(std::chrono::milliseconds(0), delete_fences)->RunOnce();
  ASSERT_OK(f);
  EXPECT_EQ(f->wal_deleted, 1u);
  EXPECT_FALSE(Exists(manifest::WalSstPath("db", 4)));
  EXPECT_TRUE(Exists(manifest::WalSstPath("db", 3)));
}

TEST_F(GcTest, OldManifestsExceptLatestAndCheckpointed) {
  for (uint64_t id = 1; id <= 5; ++id) WriteManifest(id, format::Manifest());
  format::Manifest latest;
  latest.checkpoints.push_back(Cp(3, clock_->NowMillis() + kHour));
  latest.checkpoints.push_back(Cp(2, clock_->NowMillis() - 1000));  // expired: pins nothing
  WriteManifest(6, latest);
  // The first run removes the expired checkpoint from the manifest (new version 7) whatever
  // min_age is, but deletes no manifest yet.
  auto young = Gc(std::chrono::milliseconds(kHour))->RunOnce();
  ASSERT_OK(young);
  EXPECT_EQ(young->manifests_deleted, 0u);
  EXPECT_EQ(young->checkpoints_expired, 1u);
  auto seven = ms_->Read(7);
  ASSERT_OK(seven);
  ASSERT_EQ(seven->checkpoints.size(), 1u);
  EXPECT_EQ(seven->checkpoints[0], latest.checkpoints[0]);
  auto r = Gc(std::chrono::milliseconds(0))->RunOnce();
  ASSERT_OK(r);
  EXPECT_EQ(r->manifests_deleted, 5u);  // 1, 2, 4, 5, 6
  EXPECT_EQ(r->checkpoints_expired, 0u);
  auto list = ms_->List();
  ASSERT_OK(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, 3u);
  EXPECT_EQ((*list)[1].id, 7u);
}

TEST_F(GcTest, ExpiredCheckpointIsRemovedThenWhatItPinnedGoes) {
  format::Manifest pinned;
  pinned.replay_after_wal_id = 1;
  pinned.wal_id_last_seen = 2;  // pins WAL 2
  WriteManifest(1, pinned);
  format::Manifest latest;
  latest.replay_after_wal_id = 3;
  latest.wal_id_last_seen = 3;
  latest.checkpoints.push_back(Cp(1, clock_->NowMillis() + kHour));
  WriteManifest(2, latest);
  for (uint64_t id = 1; id <= 3; ++id) WriteWal(id, /*fence=*/false);

  // Live: manifest 1 and WAL 2 stay; nothing is rewritten.
  auto r = Gc(std::chrono::milliseconds(0))->RunOnce();
  ASSERT_OK(r) << r.status().ToString();
  EXPECT_EQ(r->checkpoints_expired, 0u);
  EXPECT_EQ(r->manifests_deleted, 0u);
  EXPECT_TRUE(Exists(manifest::WalSstPath("db", 2)));
  EXPECT_FALSE(Exists(manifest::WalSstPath("db", 1)));
  ASSERT_EQ(ms_->List()->size(), 2u);

  // Expired: removed from the manifest (version 3), and manifest 1 / WAL 2 are collected.
  clock_->Advance(2 * kHour);
  r = Gc(std::chrono::milliseconds(0))->RunOnce();
  ASSERT_OK(r) << r.status().ToString();
  EXPECT_EQ(r->checkpoints_expired, 1u);
  EXPECT_EQ(r->manifests_deleted, 1u);  // 1 (2 was the latest when the sweep started)
  EXPECT_FALSE(Exists(manifest::WalSstPath("db", 2)));
  EXPECT_TRUE(Exists(manifest::WalSstPath("db", 3)));
  auto newest = ms_->ReadLatest();
  ASSERT_TRUE(newest.ok() && newest->has_value());
  EXPECT_EQ((*newest)->id, 3u);
  EXPECT_TRUE((*newest)->manifest.checkpoints.empty());
  EXPECT_EQ((*newest)->manifest.replay_after_wal_id, 3u);  // nothing else changed
  // A further run has nothing to expire and writes no manifest.
  r = Gc(std::chrono::milliseconds(0))->RunOnce();
  ASSERT_OK(r);
  EXPECT_EQ(r->checkpoints_expired, 0u);
  EXPECT_EQ((*ms_->ReadLatest())->id, 3u);
}

TEST_F(GcTest, EachSweepLogsOneInfoLineWithItsDeletions) {
  for (uint64_t id = 1; id <= 3; ++id) WriteManifest(id, format::Manifest());
  auto logger = std::make_shared<slatedb::testing::CapturingLogger>(LogLevel::kInfo);
  GcExtraOptions e;
  e.log = util::Log(logger);
  auto gc = Gc(std::chrono::milliseconds(0), e);
  auto r = gc->RunOnce();
  ASSERT_OK(r);
  ASSERT_EQ(r->manifests_deleted, 2u);
  ASSERT_OK(gc->RunOnce());  // nothing left to delete: still one line
  auto entries = logger->entries();
  ASSERT_EQ(entries.size(), 2u) << logger->Text(LogLevel::kTrace);
  for (const auto& [level, text] : entries) EXPECT_EQ(level, LogLevel::kInfo) << text;
  EXPECT_NE(entries[0].second.find("garbage collector db: sweep done (latest manifest 3): deleted "
                                   "2 manifests, 0 WAL SSTs, 0 compacted SSTs, 0 .compactions "
                                   "versions, "),
            std::string::npos)
      << entries[0].second;
  EXPECT_NE(entries[1].second.find("deleted 0 manifests"), std::string::npos) << entries[1].second;
  EXPECT_EQ(entries[0].second.substr(entries[0].second.size() - 2), " s");
}

// RFC-0026: before deleting manifest / `.compactions` versions the collector raises the boundary
// objects to the highest id it deletes, so a stalled writer re-creating a deleted id loses.
TEST_F(GcTest, BoundariesAdvanceBeforeDeletingAndFenceStalledWriters) {
  for (uint64_t id = 1; id <= 5; ++id) WriteManifest(id, format::Manifest());
  format::Manifest latest;
  latest.checkpoints.push_back(Cp(3, clock_->NowMillis() + kHour));
  WriteManifest(6, latest);
  manifest::CompactionsStore cs(store_, "db");
  for (uint64_t id = 1; id <= 4; ++id) ASSERT_OK(cs.WriteNew(id, format::Compactions()));
  EXPECT_FALSE(Exists(manifest::ManifestBoundaryPath("db")));  // writers never create it
  EXPECT_FALSE(Exists(manifest::CompactionsBoundaryPath("db")));

  auto r = Gc(std::chrono::milliseconds(0))->RunOnce();
  ASSERT_OK(r) << r.status().ToString();
  EXPECT_EQ(r->manifests_deleted, 4u);  // 1, 2, 4, 5 (3 is checkpointed, 6 the latest)
  EXPECT_EQ(ms_->Boundary().value(), 5u);
  EXPECT_EQ(store_->Get(manifest::ManifestBoundaryPath("db")).value(), "5");
  EXPECT_EQ(cs.Boundary().value(), 3u);
  EXPECT_EQ(store_->Get(manifest::CompactionsBoundaryPath("db")).value(), "3");

  // A writer that stalled since version 4 re-creates it: the create lands but counts as lost.
  Status stalled = ms_->WriteNew(4, format::Manifest());
  EXPECT_TRUE(stalled.IsAlreadyExists()) << stalled.ToString();
  EXPECT_NE(stalled.message().find("at or below the GC boundary 5"), std::string::npos);
  EXPECT_TRUE(cs.WriteNew(2, format::Compactions()).IsAlreadyExists());
  EXPECT_OK(ms_->WriteNew(7, format::Manifest()));
  EXPECT_OK(cs.WriteNew(5, format::Compactions()));

  // A second sweep deletes the fenced leftovers and only ever raises the boundaries.
  r = Gc(std::chrono::milliseconds(0))->RunOnce();
  ASSERT_OK(r) << r.status().ToString();
  EXPECT_EQ(ms_->Boundary().value(), 6u);
  EXPECT_EQ(cs.Boundary().value(), 4u);
}

TEST_F(GcTest, BoundaryFilesDisabledWritesNone) {
  for (uint64_t id = 1; id <= 3; ++id) WriteManifest(id, format::Manifest());
  manifest::CompactionsStore cs(store_, "db");
  for (uint64_t id = 1; id <= 2; ++id) ASSERT_OK(cs.WriteNew(id, format::Compactions()));
  GarbageCollectorOptions options = AllSweeps(std::chrono::milliseconds(0));
  options.boundary_files_enabled = false;
  auto gc = GarbageCollector::Open(store_, "db", options, clock_);
  ASSERT_OK(gc);
  auto r = (*gc)->RunOnce();
  ASSERT_OK(r) << r.status().ToString();
  EXPECT_EQ(r->manifests_deleted, 2u);
  EXPECT_EQ(r->compactions_deleted, 1u);
  EXPECT_FALSE(Exists(manifest::ManifestBoundaryPath("db")));
  EXPECT_FALSE(Exists(manifest::CompactionsBoundaryPath("db")));
}

// Segments (RFC-0024): every segment's L0 and sorted-run SSTs are referenced, and the L0 low
// watermark is the newest L0 of any tree (an upload in flight is newer than all of them).
TEST_F(GcTest, SegmentSstsAreLiveAndTheirL0sBoundTheWatermark) {
  int64_t t0 = clock_->NowMillis() - 100000;
  format::Ulid orphan_old = Sst(t0);
  format::Ulid seg_run = Sst(t0 + 1000);
  format::Ulid seg_l0_old = Sst(t0 + 2000);
  format::Ulid root_l0 = Sst(t0 + 3000);
  format::Ulid orphan_mid = Sst(t0 + 4000);  // below the newest L0 (a segment's): deleted
  format::Ulid seg_l0_new = Sst(t0 + 5000);
  format::Ulid unpublished = Sst(t0 + 6000);  // above every tree's newest L0: kept
  format::Manifest m;
  m.l0.push_back(format::SstHandle{root_l0, {}, {}, 2, {}});
  format::Segment a;
  a.prefix = "tenant-a/";
  a.l0.push_back(format::SstHandle{seg_l0_new, {}, {}, 2, {}});
  a.l0.push_back(format::SstHandle{seg_l0_old, {}, {}, 2, {}});
  format::Segment b;
  b.prefix = "tenant-b/";
  b.compacted.push_back({3, {format::SstHandle{seg_run, {}, {}, 2, {}}}});
  b.last_compacted_l0_view_id = seg_l0_old;
  m.segments = {a, b};
  m.segment_extractor_name = "fixed-9";
  WriteManifest(1, format::Manifest());
  WriteManifest(2, m);
  ASSERT_NO_FATAL_FAILURE(WriteCompletedCompaction(t0 + 8000));

  auto r = Gc(std::chrono::milliseconds(0))->RunOnce();
  ASSERT_OK(r) << r.status().ToString();
  EXPECT_EQ(r->compacted_deleted, 2u);
  EXPECT_FALSE(Exists(manifest::CompactedSstPath("db", orphan_old)));
  EXPECT_FALSE(Exists(manifest::CompactedSstPath("db", orphan_mid)));
  for (const format::Ulid& live : {seg_run, seg_l0_old, root_l0, seg_l0_new, unpublished}) {
    EXPECT_TRUE(Exists(manifest::CompactedSstPath("db", live))) << live.ToString();
  }
  EXPECT_FALSE(Exists(manifest::ManifestPath("db", 1)));
  EXPECT_TRUE(Exists(manifest::ManifestPath("db", 2)));
}

TEST_F(GcTest, CompactedSstsFollowReferencesAndTheLowWatermark) {
  int64_t t0 = clock_->NowMillis() - 100000;
  format::Ulid orphan_old = Sst(t0);
  format::Ulid pinned_only = Sst(t0 + 1000);
  format::Ulid in_run = Sst(t0 + 2000);
  format::Ulid l0 = Sst(t0 + 5000);
  format::Ulid unpublished = Sst(t0 + 9000);  // uploaded after the newest published L0

  format::Manifest old_version;
  old_version.compacted.push_back({0, {format::SstHandle{pinned_only, {}, {}, 2, {}}}});
  WriteManifest(1, old_version);
  format::Manifest latest;
  latest.l0.push_back(format::SstHandle{l0, {}, {}, 2, {}});
  latest.compacted.push_back({0, {format::SstHandle{in_run, {}, {}, 2, {}}}});
  latest.checkpoints.push_back(Cp(1, clock_->NowMillis() + kHour));
  WriteManifest(2, latest);

  // No `.compactions` yet: the watermark is the epoch, nothing is deleted.
  auto r = Gc(std::chrono::milliseconds(0))->RunOnce();
  ASSERT_OK(r);
  EXPECT_EQ(r->compacted_deleted, 0u);

  ASSERT_NO_FATAL_FAILURE(WriteCompletedCompaction(t0 + 7000));

  EXPECT_EQ(Gc(std::chrono::milliseconds(kHour))->RunOnce()->compacted_deleted, 0u);
  r = Gc(std::chrono::milliseconds(0))->RunOnce();
  ASSERT_OK(r);
  EXPECT_EQ(r->compacted_deleted, 1u);
  EXPECT_FALSE(Exists(manifest::CompactedSstPath("db", orphan_old)));
  EXPECT_TRUE(Exists(manifest::CompactedSstPath("db", pinned_only)));  // checkpoint
  EXPECT_TRUE(Exists(manifest::CompactedSstPath("db", in_run)));
  EXPECT_TRUE(Exists(manifest::CompactedSstPath("db", l0)));
  EXPECT_TRUE(Exists(manifest::CompactedSstPath("db", unpublished)));  // above the watermark

  // Once the checkpoint expires its SSTs go too.
  clock_->Advance(2 * kHour);
  r = Gc(std::chrono::milliseconds(0))->RunOnce();
  ASSERT_OK(r);
  EXPECT_FALSE(Exists(manifest::CompactedSstPath("db", pinned_only)));
  EXPECT_TRUE(Exists(manifest::CompactedSstPath("db", unpublished)));
}

TEST_F(GcTest, MissingCheckpointedManifestDeletesNothing) {
  format::Manifest latest;
  latest.checkpoints.push_back(Cp(1, 0));
  WriteManifest(2, latest);
  WriteWal(1, false);
  auto r = Gc(std::chrono::milliseconds(0))->RunOnce();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kData);
  EXPECT_NE(r.status().message().find("manifest 1"), std::string::npos);
}

TEST_F(GcTest, AllButTheLatestCompactionsVersion) {
  WriteManifest(1, format::Manifest());
  manifest::CompactionsStore cs(store_, "db");
  for (uint64_t id = 1; id <= 4; ++id) ASSERT_OK(cs.WriteNew(id, format::Compactions()));
  auto r = Gc(std::chrono::milliseconds(0))->RunOnce();
  ASSERT_OK(r);
  EXPECT_EQ(r->compactions_deleted, 3u);
  auto list = cs.List();
  ASSERT_OK(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->front().id, 4u);
}

TEST_F(GcTest, OpenRejectsZeroIntervalAndBackgroundModeSweeps) {
  GarbageCollectorOptions bad;
  bad.wal_options->interval = std::chrono::milliseconds(0);
  auto b = GarbageCollector::Open(store_, "db", bad, clock_);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("wal_options.interval"), std::string::npos);

  for (uint64_t id = 1; id <= 3; ++id) WriteManifest(id, format::Manifest());
  auto gc = GarbageCollector::Open(
      store_, "db", AllSweeps(std::chrono::milliseconds(0), std::chrono::milliseconds(5)), clock_);
  ASSERT_OK(gc);
  (*gc)->WaitIdle();  // not started: returns at once
  ASSERT_OK((*gc)->Start());
  EXPECT_FALSE((*gc)->Start().ok());
#if defined(__linux__)
  EXPECT_TRUE(ThreadNamed("slatedb-gc"));
#endif
  // The interval runs on the injected clock: nothing before it has passed, one run at it.
  (*gc)->WaitIdle();
  EXPECT_EQ((*gc)->totals().runs, 0u);
  clock_->Advance(4);
  (*gc)->WaitIdle();
  EXPECT_EQ((*gc)->totals().runs, 0u);
  EXPECT_EQ((*gc)->totals().manifests_deleted, 0u);
  clock_->Advance(1);
  (*gc)->WaitIdle();
  EXPECT_EQ((*gc)->totals().runs, 1u);  // all four sweeps were due together: one run
  EXPECT_EQ((*gc)->totals().manifests_deleted, 2u);
  clock_->Advance(5);
  (*gc)->WaitIdle();
  EXPECT_EQ((*gc)->totals().runs, 2u);
  EXPECT_OK((*gc)->Stop());
  EXPECT_OK((*gc)->Stop());
  clock_->Advance(60'000);
  (*gc)->WaitIdle();  // stopped: returns at once
  EXPECT_EQ((*gc)->totals().manifests_deleted, 2u);
  EXPECT_EQ((*gc)->totals().runs, 2u);  // none after Stop
}

// Each sweep has its own ticker: a WAL sweep every 100 ms runs alone; the manifest sweep joins
// it only when its 250-ms interval has passed too.
TEST_F(GcTest, BackgroundSweepsRunOnTheirOwnIntervals) {
  for (uint64_t id = 1; id <= 3; ++id) WriteManifest(id, format::Manifest());
  format::Manifest latest;
  latest.replay_after_wal_id = 3;
  WriteManifest(4, latest);
  for (uint64_t id = 1; id <= 2; ++id) WriteWal(id, /*fence=*/false);
  GarbageCollectorOptions options;
  options.wal_options = GcDirectoryOptions{std::chrono::milliseconds(100), {}};
  options.manifest_options = GcDirectoryOptions{std::chrono::milliseconds(250), {}};
  options.compacted_options.reset();
  options.compactions_options.reset();
  auto gc = GarbageCollector::Open(store_, "db", options, clock_);
  ASSERT_OK(gc);
  ASSERT_OK((*gc)->Start());
  clock_->Advance(100);
  (*gc)->WaitIdle();
  GcStats t = (*gc)->totals();
  EXPECT_EQ(t.runs, 1u);
  EXPECT_EQ(t.wal_deleted, 2u);
  EXPECT_EQ(t.manifests_deleted, 0u);
  EXPECT_TRUE(Exists(manifest::ManifestPath("db", 1)));
  clock_->Advance(100);  // 200: the WAL sweep again
  (*gc)->WaitIdle();
  EXPECT_EQ((*gc)->totals().runs, 2u);
  EXPECT_EQ((*gc)->totals().manifests_deleted, 0u);
  clock_->Advance(50);  // 250: the manifest sweep (the WAL sweep is next due at 300)
  (*gc)->WaitIdle();
  t = (*gc)->totals();
  EXPECT_EQ(t.runs, 3u);
  EXPECT_EQ(t.manifests_deleted, 3u);
  EXPECT_EQ(t.wal_deleted, 2u);
  EXPECT_FALSE(Exists(manifest::ManifestPath("db", 1)));
  EXPECT_OK((*gc)->Stop());
}

// A reader scanning the latest manifest over and over while a writer publishes L0s, the
// compactor compacts and the GC sweeps every few ms with min_age 0: no read may fail.
TEST(GcReaderSafetyTest, ReaderNeverMeetsAMissingObject) {
  auto store = NewMemoryObjectStore();
  TestDb db(store);
  ASSERT_OK(db.Init());
  CompactorOptions copts;
  copts.poll_interval = std::chrono::milliseconds(5);
  copts.max_sst_size = 2048;
  copts.scheduler_options = {{"min_compaction_sources", "2"}, {"max_compaction_sources", "4"}};
  auto compactor =
      compactor::Compactor::Open(store, "db", copts, compactor::OutputSettings{}, nullptr, 4);
  ASSERT_OK(compactor);
  ASSERT_OK((*compactor)->Start());
  // min_age 0 everywhere except manifests: a manifest version must outlive the longest gap
  // between a party's read of the latest version and its create-if-absent of the next one, or a
  // deleted version could be created again (SlateDB's default is 300 s; 20 ms is plenty here).
  GarbageCollectorOptions gc_opts =
      AllSweeps(std::chrono::milliseconds(0), std::chrono::milliseconds(3));
  gc_opts.manifest_options->min_age = std::chrono::milliseconds(20);
  auto gc = GarbageCollector::Open(store, "db", gc_opts, nullptr);
  ASSERT_OK(gc);
  ASSERT_OK((*gc)->Start());

  std::atomic<bool> done{false};
  std::atomic<uint64_t> scans{0};
  std::atomic<bool> failed{false};
  std::string first_error;  // written by the reader before `failed`, read after join
  std::thread reader([&] {
    manifest::ManifestStore ms(store, "db");
    while (!done.load()) {
      auto latest = ms.ReadLatest();
      Status st = latest.status();
      if (st.ok() && *latest) {
        auto rows = TestDb::ScanManifest(store, "db", (*latest)->manifest);
        st = rows.status();
      }
      if (!st.ok()) {
        first_error = st.ToString();
        if (latest.ok() && *latest) {
          first_error += " (reading manifest " + std::to_string((*latest)->id) + ")";
        }
        failed.store(true);
        return;
      }
      scans.fetch_add(1);
    }
  });
  util::Random rng(99);
  for (int i = 0; i < 40 && !failed.load(); ++i) {
    std::vector<std::pair<std::string, std::optional<std::string>>> kvs;
    for (int j = 0; j < 30; ++j) {
      kvs.push_back({"k" + std::to_string(rng.Uniform(300)), "v" + std::to_string(i)});
    }
    ASSERT_OK(db.AddL0(kvs));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // Let the reader overlap a few more compactions and sweeps.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  uint64_t target = scans.load() + 20;
  while (scans.load() < target && !failed.load() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  done.store(true);
  reader.join();
  EXPECT_OK((*compactor)->Stop());
  EXPECT_OK((*gc)->Stop());
  EXPECT_EQ(first_error, "");
  EXPECT_GE(scans.load(), 20u);
  EXPECT_GE((*compactor)->stats().committed, 3u);
  EXPECT_GT((*gc)->totals().manifests_deleted, 0u);
  Status v = db.Verify(store);
  EXPECT_OK(v) << v.ToString();
}

}  // namespace
}  // namespace slatedb::gc
