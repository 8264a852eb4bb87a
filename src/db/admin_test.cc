// Admin's read-only views (slatedb/admin.h, slatedb/manifest.h): ReadManifest / ListManifests
// show the L0 SSTs with their ids, key ranges and sizes, sorted runs, checkpoints and tracker
// samples; missing versions are kNotFound naming the id; ReadCompactions / ListCompactions;
// TimestampForSequence / SequenceForTimestamp on the writer's samples (ManualClock); no read
// writes anything to the store.
#include "slatedb/admin.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "slatedb/clock.h"
#include "slatedb/db.h"
#include "slatedb/object_store.h"
#include "test_settings.h"
#include "test_util.h"

namespace slatedb {
namespace {

constexpr int64_t kStart = 1'700'000'000'000;  // ManualClock start (Unix ms)

class AdminViewTest : public ::testing::Test {
 protected:
  Components Comps() {
    Components c;
    c.object_store = store_;
    c.clock = clock_;
    c.seed = 11;
    return c;
  }
  std::unique_ptr<Db> OpenDb(bool compactor) {
    Settings s;
    s.flush_interval.reset();
    if (!compactor) s.compactor_options.reset();
    s.garbage_collector_options.reset();
    auto db = Db::Open("db", Comps(), s);
    EXPECT_OK(db) << db.status().ToString();
    return db.ok() ? std::move(*db) : nullptr;
  }
  size_t ObjectCount() {
    auto list = store_->List("");
    EXPECT_OK(list);
    return list.ok() ? list->size() : 0;
  }

  std::shared_ptr<ObjectStore> store_ = NewMemoryObjectStore();
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(kStart);
};

TEST_F(AdminViewTest, ReadAndListManifestsShowTheLsmState) {
  auto db = OpenDb(/*compactor=*/false);
  ASSERT_NE(db, nullptr);
  ASSERT_OK(db->Put("apple", "1").status());
  ASSERT_OK(db->Put("pear", "2").status());
  ASSERT_OK(db->Flush(FlushType::kMemTable));
  ASSERT_OK_AND_ASSIGN(auto cp, db->CreateCheckpoint(CheckpointScope::kDurable,
                                                     CheckpointOptions{std::nullopt, {}, "n"}));
  ASSERT_OK(db->Close());

  ASSERT_OK_AND_ASSIGN(auto admin, Admin::Open("db", Comps()));
  const size_t objects = ObjectCount();
  ASSERT_OK_AND_ASSIGN(ManifestView latest, admin->ReadManifest());
  ASSERT_OK_AND_ASSIGN(uint64_t latest_id, admin->LatestManifestId());
  EXPECT_EQ(latest.id, latest_id);
  EXPECT_TRUE(latest.initialized);
  EXPECT_EQ(latest.writer_epoch, 1u);
  EXPECT_EQ(latest.last_l0_seq, 2u);
  ASSERT_EQ(latest.l0.size(), 1u);
  const SstView& sst = latest.l0[0];
  EXPECT_EQ(sst.sst_id.size(), 26u);
  EXPECT_EQ(sst.view_id, sst.sst_id);
  EXPECT_EQ(sst.first_key, "apple");
  EXPECT_EQ(sst.last_key, "pear");
  EXPECT_GT(sst.size_bytes, 0u);
  EXPECT_FALSE(sst.visible_start.has_value());
  EXPECT_TRUE(latest.compacted.empty());
  ASSERT_EQ(latest.checkpoints.size(), 1u);
  EXPECT_EQ(latest.checkpoints[0].id, cp.id);
  EXPECT_EQ(latest.checkpoints[0].name, "n");
  EXPECT_TRUE(latest.external_dbs.empty());
  ASSERT_EQ(latest.sequence_samples.size(), 1u);
  EXPECT_EQ(latest.sequence_samples[0].seq, 1u);
  EXPECT_EQ(latest.sequence_samples[0].unix_seconds, kStart / 1000);

  ASSERT_OK_AND_ASSIGN(ManifestView first, admin->ReadManifest(1));
  EXPECT_EQ(first.id, 1u);
  EXPECT_TRUE(first.l0.empty());
  auto missing = admin->ReadManifest(999);
  EXPECT_TRUE(missing.status().IsNotFound());
  EXPECT_NE(missing.status().message().find("999"), std::string::npos)
      << missing.status().ToString();

  ASSERT_OK_AND_ASSIGN(auto all, admin->ListManifests());
  ASSERT_EQ(all.size(), latest_id);
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].id, i + 1);
  ASSERT_OK_AND_ASSIGN(auto some, admin->ListManifests(2, 4));
  ASSERT_EQ(some.size(), 2u);
  EXPECT_EQ(some[0].id, 2u);
  EXPECT_EQ(some[1].id, 3u);
  ASSERT_OK_AND_ASSIGN(auto none, admin->ListManifests(latest_id + 1, std::nullopt));
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(admin->ListManifests(5, 2).status().code(), StatusCode::kInvalid);
  EXPECT_EQ(ObjectCount(), objects);  // the reads wrote nothing
}

TEST_F(AdminViewTest, CompactionsAreReadAndListed) {
  {
    auto db = OpenDb(/*compactor=*/false);
    ASSERT_NE(db, nullptr);
    ASSERT_OK(db->Close());
  }
  ASSERT_OK_AND_ASSIGN(auto admin, Admin::Open("db", Comps()));
  EXPECT_TRUE(admin->ReadCompactions().status().IsNotFound());  // no compactor ever ran
  ASSERT_OK_AND_ASSIGN(auto empty, admin->ListCompactions());
  EXPECT_TRUE(empty.empty());

  auto db = OpenDb(/*compactor=*/true);
  ASSERT_NE(db, nullptr);
  ASSERT_OK(db->Put("k", "v").status());
  ASSERT_OK(db->Flush(FlushType::kMemTable));
  ASSERT_OK(db->Close());
  ASSERT_OK_AND_ASSIGN(CompactionsView latest, admin->ReadCompactions());
  EXPECT_GE(latest.compactor_epoch, 1u);
  ASSERT_OK_AND_ASSIGN(auto all, admin->ListCompactions());
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all.back().id, latest.id);
  ASSERT_OK_AND_ASSIGN(CompactionsView first, admin->ReadCompactions(all.front().id));
  EXPECT_EQ(first.id, all.front().id);
  auto missing = admin->ReadCompactions(latest.id + 100);
  EXPECT_TRUE(missing.status().IsNotFound());
  EXPECT_NE(missing.status().message().find(std::to_string(latest.id + 100)), std::string::npos)
      << missing.status().ToString();
}

TEST_F(AdminViewTest, SequenceAndTimestampFromTheTracker) {
  auto db = OpenDb(/*compactor=*/false);
  ASSERT_NE(db, nullptr);
  ASSERT_OK(db->Put("a", "1").status());  // seq 1 at kStart
  ASSERT_OK(db->Flush(FlushType::kMemTable));
  clock_->Advance(120'000);
  ASSERT_OK(db->Put("b", "2").status());  // seq 2 at kStart + 120 s
  ASSERT_OK(db->Flush(FlushType::kMemTable));
  ASSERT_OK(db->Close());
  ASSERT_OK_AND_ASSIGN(auto admin, Admin::Open("db", Comps()));
  const int64_t t0 = kStart / 1000;
  ASSERT_OK_AND_ASSIGN(auto ts1, admin->TimestampForSequence(1, false));
  EXPECT_EQ(ts1, t0);
  ASSERT_OK_AND_ASSIGN(auto ts2, admin->TimestampForSequence(2, true));
  EXPECT_EQ(ts2, t0 + 120);
  ASSERT_OK_AND_ASSIGN(auto ts3, admin->TimestampForSequence(3, true));
  EXPECT_EQ(ts3, std::nullopt);
  ASSERT_OK_AND_ASSIGN(auto seq_down, admin->SequenceForTimestamp(t0 + 60, false));
  EXPECT_EQ(seq_down, 1u);
  ASSERT_OK_AND_ASSIGN(auto seq_up, admin->SequenceForTimestamp(t0 + 60, true));
  EXPECT_EQ(seq_up, 2u);
  ASSERT_OK_AND_ASSIGN(auto before, admin->SequenceForTimestamp(t0 - 1, false));
  EXPECT_EQ(before, std::nullopt);
}

// As SlateDB's memtable: each write is a sample unless the memtable's last one is < 60 s older;
// one L0 flush publishes all of them (before: only the memtable's first write was recorded).
TEST_F(AdminViewTest, TheWriterRecordsOneSamplePerMinuteOfWrites) {
  auto db = OpenDb(/*compactor=*/false);
  ASSERT_NE(db, nullptr);
  ASSERT_OK(db->Put("a", "1").status());  // seq 1, t0: kept
  clock_->Advance(30'000);
  ASSERT_OK(db->Put("b", "2").status());  // seq 2, t0 + 30: within 60 s, dropped
  clock_->Advance(40'000);
  ASSERT_OK(db->Put("c", "3").status());  // seq 3, t0 + 70: kept
  clock_->Advance(90'000);
  ASSERT_OK(db->Put("d", "4").status());  // seq 4, t0 + 160: kept
  ASSERT_OK(db->Flush(FlushType::kMemTable));
  ASSERT_OK(db->Close());
  ASSERT_OK_AND_ASSIGN(auto admin, Admin::Open("db", Comps()));
  ASSERT_OK_AND_ASSIGN(ManifestView m, admin->ReadManifest());
  const int64_t t0 = kStart / 1000;
  ASSERT_EQ(m.sequence_samples.size(), 3u);
  EXPECT_EQ(m.sequence_samples[0].seq, 1u);
  EXPECT_EQ(m.sequence_samples[0].unix_seconds, t0);
  EXPECT_EQ(m.sequence_samples[1].seq, 3u);
  EXPECT_EQ(m.sequence_samples[1].unix_seconds, t0 + 70);
  EXPECT_EQ(m.sequence_samples[2].seq, 4u);
  EXPECT_EQ(m.sequence_samples[2].unix_seconds, t0 + 160);
  ASSERT_OK_AND_ASSIGN(auto seq, admin->SequenceForTimestamp(t0 + 100, false));
  EXPECT_EQ(seq, 3u);
}

// SubmitFullCompaction, with a compactor whose scheduler never compacts on its own:
// Db::SubmitFullCompaction turns three L0 SSTs into one sorted run (it wakes its embedded
// compactor; every key still reads right; the record is in .compactions with its three L0
// sources); Admin::SubmitFullCompaction from outside turns two more L0s and that run into one
// run, run by the embedded compactor when its writer next flushes (the L0 of that flush is left
// to the scheduler); once the database is one run nothing is submitted.
TEST(AdminCompactionTest, SubmitFullCompactionLeavesOneSortedRun) {
  auto store = NewMemoryObjectStore();
  Components c;
  c.object_store = store;
  c.seed = 5;
  Settings s;
  s.flush_interval.reset();
  s.garbage_collector_options.reset();
  s.compactor_options = testing::EagerCompactorOptions(std::chrono::milliseconds(10), 1000);
  s.compactor_options->scheduler_options["min_compaction_sources"] = "1000";  // never by itself
  ASSERT_OK_AND_ASSIGN(auto db, Db::Open("db", c, s));
  ASSERT_OK_AND_ASSIGN(auto admin, Admin::Open("db", c));
  auto fill = [&](int round) {
    for (int i = 0; i < 30; ++i) {
      ASSERT_OK(db->Put("key" + std::to_string(i * 10 + round), "v" + std::to_string(round)));
    }
    ASSERT_OK(db->Flush(FlushType::kMemTable));
  };
  auto shape = [&]() -> std::pair<size_t, size_t> {
    auto st = db->GetStatus();
    EXPECT_OK(st);
    return st.ok() ? std::make_pair(st->l0_ssts, st->sorted_runs) : std::make_pair(~0ul, ~0ul);
  };
  auto check = [&](int rounds) {
    for (int round = 0; round < rounds; ++round) {
      for (int i = 0; i < 30; ++i) {
        auto v = db->Get("key" + std::to_string(i * 10 + round));
        ASSERT_OK(v);
        EXPECT_EQ(*v, "v" + std::to_string(round));
      }
    }
  };
  using Shape = std::pair<size_t, size_t>;
  for (int round = 0; round < 3; ++round) fill(round);
  ASSERT_EQ(shape(), Shape(3, 0));
  ASSERT_OK_AND_ASSIGN(auto ids, db->SubmitFullCompaction());
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_TRUE(testing::WaitFor([&] { return shape() == Shape(0, 1); }))
      << shape().first << " L0, " << shape().second << " runs";
  check(3);
  ASSERT_OK_AND_ASSIGN(CompactionsView view, admin->ReadCompactions());
  const CompactionView* submitted = nullptr;
  for (const auto& rec : view.compactions) {
    if (rec.id == ids[0]) submitted = &rec;
  }
  ASSERT_NE(submitted, nullptr) << "the submitted compaction is in .compactions";
  EXPECT_EQ(submitted->source_l0_views.size(), 3u);
  EXPECT_TRUE(submitted->source_sorted_runs.empty());

  fill(3);
  fill(4);
  ASSERT_EQ(shape(), Shape(2, 1));
  ASSERT_OK_AND_ASSIGN(auto again, admin->SubmitFullCompaction());
  ASSERT_EQ(again.size(), 1u);
  EXPECT_NE(again[0], ids[0]);
  fill(5);  // the flush wakes the embedded compactor, which finds the submission
  EXPECT_TRUE(testing::WaitFor([&] { return shape() == Shape(1, 1); }))
      << shape().first << " L0, " << shape().second << " runs";
  check(6);
  ASSERT_OK_AND_ASSIGN(auto last, db->SubmitFullCompaction());
  EXPECT_EQ(last.size(), 1u);
  EXPECT_TRUE(testing::WaitFor([&] { return shape() == Shape(0, 1); }))
      << shape().first << " L0, " << shape().second << " runs";
  check(6);
  ASSERT_OK_AND_ASSIGN(auto none, db->SubmitFullCompaction());
  EXPECT_TRUE(none.empty()) << "one sorted run: nothing to compact";
  ASSERT_OK_AND_ASSIGN(auto none_either, admin->SubmitFullCompaction());
  EXPECT_TRUE(none_either.empty());
  ASSERT_OK(db->Close());
}

}  // namespace
}  // namespace slatedb
