#include "manifest/stored_manifest.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <thread>
#include <vector>

#include "format/manifest_codec.h"
#include "manifest/paths.h"
#include "subprocess.h"
#include "test_util.h"

namespace slatedb::manifest {
namespace {

namespace fs = std::filesystem;
using format::Manifest;

std::shared_ptr<ManifestStore> MemoryManifestStore() {
  return std::make_shared<ManifestStore>(NewMemoryObjectStore(), "db");
}

format::SstHandle L0(uint64_t n) {
  format::SstHandle h;
  h.id = format::Ulid{n, n};
  h.info.first_entry = "k" + std::to_string(n);
  h.info.last_entry = h.info.first_entry;
  h.format_version = 2;
  return h;
}

TEST(StoredManifestTest, LoadWithoutDatabaseIsInvalid) {
  auto r = StoredManifest::Load(MemoryManifestStore());
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalid()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("no database at 'db'"), std::string::npos);
}

// A manifest with named segments (SlateDB 0.13+, RFC-0024) and an extractor name opens for
// readers, writers and compactors, and every update keeps both verbatim (the extractor check
// against a writer's configuration is the Db's, db/segment_flush.h).
TEST(StoredManifestTest, SegmentedManifestsOpenAndSurviveUpdates) {
  auto store = MemoryManifestStore();
  Manifest m = Manifest::NewEmpty();
  m.segment_extractor_name = "fixed_prefix:4";
  format::Segment segment;
  segment.prefix = "abcd";
  m.segments.push_back(segment);
  ASSERT_OK(store->WriteNew(1, m));
  ASSERT_OK_AND_ASSIGN(auto reader, StoredManifest::Load(store));
  EXPECT_EQ(reader.manifest().segments, m.segments);
  ASSERT_OK_AND_ASSIGN(auto writer, FenceableManifest::OpenWriter(store));
  ASSERT_OK(writer.Update([](Manifest& w) -> Status {
    w.last_l0_seq = 7;
    return Status::OK();
  }));
  ASSERT_OK_AND_ASSIGN(auto compactor, FenceableManifest::OpenCompactor(store));
  ASSERT_OK_AND_ASSIGN(auto latest, StoredManifest::Load(store));
  EXPECT_EQ(latest.manifest().segments, m.segments);
  EXPECT_EQ(latest.manifest().segment_extractor_name, m.segment_extractor_name);
  EXPECT_EQ(latest.manifest().last_l0_seq, 7u);
}

TEST(StoredManifestTest, LoadOrCreateWritesTheInitialManifest) {
  auto store = MemoryManifestStore();
  auto sm = StoredManifest::LoadOrCreate(store);
  ASSERT_OK(sm) << sm.status().ToString();
  EXPECT_EQ(sm->id(), 1u);
  EXPECT_EQ(sm->manifest(), Manifest::NewEmpty());
  auto bytes = store->object_store()->Get(ManifestPath("db", 1));
  ASSERT_OK(bytes);
  // Format version 2 by default (docs/format.md §7.4): the 130-byte empty ManifestV2.
  EXPECT_EQ(bytes->substr(0, 2), std::string("\x00\x02", 2));
  EXPECT_EQ(bytes->size(), 130u);
  // A second opener loads instead of creating.
  auto again = StoredManifest::LoadOrCreate(store);
  ASSERT_OK(again);
  EXPECT_EQ(again->id(), 1u);
  auto loaded = StoredManifest::Load(store);
  ASSERT_OK(loaded);
  EXPECT_EQ(loaded->manifest(), Manifest::NewEmpty());
}

TEST(StoredManifestTest, UpdateReappliesAfterLosingTheRace) {
  auto store = MemoryManifestStore();
  auto a = StoredManifest::LoadOrCreate(store);
  auto b = StoredManifest::Load(store);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_OK(a->Update([](Manifest& m) {
    m.l0.insert(m.l0.begin(), L0(1));
    return Status::OK();
  }));
  EXPECT_EQ(a->id(), 2u);
  int calls = 0;
  ASSERT_OK(b->Update([&](Manifest& m) {
    ++calls;
    m.l0.insert(m.l0.begin(), L0(2));
    return Status::OK();
  }));
  EXPECT_EQ(calls, 2);  // first on version 1 (lost), then on version 2
  EXPECT_EQ(b->id(), 3u);
  ASSERT_EQ(b->manifest().l0.size(), 2u);
  EXPECT_EQ(b->manifest().l0[0], L0(2));
  EXPECT_EQ(b->manifest().l0[1], L0(1));
  ASSERT_OK(a->Refresh());
  EXPECT_EQ(a->id(), 3u);
  EXPECT_EQ(a->manifest(), b->manifest());
}

TEST(StoredManifestTest, MutatorErrorAbortsWithoutWriting) {
  auto store = MemoryManifestStore();
  auto sm = StoredManifest::LoadOrCreate(store);
  ASSERT_OK(sm);
  Status st = sm->Update([](Manifest&) { return Status::Invalid("nope"); });
  EXPECT_TRUE(st.IsInvalid());
  EXPECT_EQ(st.message(), "nope");
  auto list = store->List();
  ASSERT_OK(list);
  EXPECT_EQ(list->size(), 1u);
  EXPECT_EQ(sm->id(), 1u);
}

TEST(StoredManifestTest, UpdateGivesUpAfterTheTimeout) {
  auto store = MemoryManifestStore();
  auto clock = std::make_shared<util::ManualClock>(1000);
  ManifestUpdateOptions options;
  options.timeout = std::chrono::milliseconds(0);
  options.clock = clock;
  auto slow = StoredManifest::LoadOrCreate(store, options);
  auto fast = StoredManifest::Load(store);
  ASSERT_TRUE(slow.ok() && fast.ok());
  ASSERT_TRUE(fast->Update([](Manifest& m) {
                    m.last_l0_seq = 5;
                    return Status::OK();
                  })
                  .ok());
  Status st = slow->Update([](Manifest& m) {
    m.last_l0_seq = 6;
    return Status::OK();
  });
  EXPECT_TRUE(st.IsUnavailable()) << st.ToString();
  EXPECT_NE(st.message().find("timed out"), std::string::npos);
}

// Several parties update one manifest at once: every update lands exactly once and the version
// ids are contiguous.
void RunCasRace(std::shared_ptr<ObjectStore> os, int threads, int updates_per_thread) {
  auto store = std::make_shared<ManifestStore>(os, "db");
  ASSERT_OK(StoredManifest::LoadOrCreate(store));
  std::atomic<int> failures{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      auto sm = StoredManifest::Load(store);
      if (!sm.ok()) {
        ++failures;
        return;
      }
      for (int i = 0; i < updates_per_thread; ++i) {
        const uint64_t tag = static_cast<uint64_t>(t) * 1000 + static_cast<uint64_t>(i);
        Status st = sm->Update([tag](Manifest& m) {
          m.last_l0_seq += 1;
          m.l0.insert(m.l0.begin(), L0(tag));
          return Status::OK();
        });
        if (!st.ok()) ++failures;
      }
    });
  }
  for (auto& w : workers) w.join();
  ASSERT_EQ(failures.load(), 0);

  const uint64_t total = static_cast<uint64_t>(threads) * updates_per_thread;
  auto list = store->List();
  ASSERT_OK(list);
  ASSERT_EQ(list->size(), total + 1);
  for (size_t i = 0; i < list->size(); ++i) EXPECT_EQ((*list)[i].id, i + 1);
  auto latest = store->ReadLatest();
  ASSERT_TRUE(latest.ok() && latest->has_value());
  const Manifest& m = (*latest)->manifest;
  EXPECT_EQ(m.last_l0_seq, total);
  std::set<format::Ulid> ids;
  for (const auto& sst : m.l0) ids.insert(sst.id);
  EXPECT_EQ(ids.size(), total);  // each update applied exactly once
  // Each thread's own updates appear in its order (newest first).
  for (int t = 0; t < threads; ++t) {
    int64_t last_seen = updates_per_thread;
    for (const auto& sst : m.l0) {
      if (sst.id.high / 1000 != static_cast<uint64_t>(t)) continue;
      const int64_t i = static_cast<int64_t>(sst.id.high % 1000);
      EXPECT_LT(i, last_seen);
      last_seen = i;
    }
  }
  // Every version n holds exactly n-1 updates.
  for (uint64_t id = 1; id <= total + 1; id += 7) {
    auto v = store->Read(id);
    ASSERT_OK(v);
    EXPECT_EQ(v->last_l0_seq, id - 1);
  }
}

TEST(StoredManifestTest, CasRaceOnMemoryStore) { RunCasRace(NewMemoryObjectStore(), 4, 25); }

TEST(StoredManifestTest, CasRaceOnLocalStore) {
  testing::TempDir dir;
  auto os = NewLocalObjectStore(dir.path());
  ASSERT_OK(os) << os.status().ToString();
  RunCasRace(*os, 3, 8);
}

TEST(FenceableManifestTest, SecondWriterFencesTheFirst) {
  auto store = MemoryManifestStore();
  auto s1 = StoredManifest::LoadOrCreate(store);
  ASSERT_OK(s1);
  auto w1 = FenceableManifest::Init(std::move(s1).value(), FenceRole::kWriter);
  ASSERT_OK(w1) << w1.status().ToString();
  EXPECT_EQ(w1->epoch(), 1u);
  EXPECT_EQ(w1->id(), 2u);
  ASSERT_OK(w1->Update([](Manifest& m) {
    m.wal_id_last_seen = 1;
    return Status::OK();
  }));

  auto s2 = StoredManifest::LoadOrCreate(store);
  ASSERT_OK(s2);
  auto w2 = FenceableManifest::Init(std::move(s2).value(), FenceRole::kWriter);
  ASSERT_OK(w2);
  EXPECT_EQ(w2->epoch(), 2u);
  EXPECT_EQ(w2->id(), 4u);

  Status st = w1->Update([](Manifest& m) {
    m.wal_id_last_seen = 99;
    return Status::OK();
  });
  EXPECT_TRUE(st.IsFenced()) << st.ToString();
  EXPECT_EQ(st.message(), "detected newer writer (epoch 2 > 1)");
  EXPECT_TRUE(w1->Refresh().IsFenced());
  auto list = store->List();
  ASSERT_OK(list);
  EXPECT_EQ(list->size(), 4u);  // the fenced writer wrote nothing
  auto latest = store->ReadLatest();
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->manifest.wal_id_last_seen, 1u);

  ASSERT_OK(w2->Update([](Manifest& m) {
    m.wal_id_last_seen = 7;
    return Status::OK();
  }));
  EXPECT_OK(w2->Refresh());
}

TEST(FenceableManifestTest, WriterAndCompactorDoNotFenceEachOther) {
  auto store = MemoryManifestStore();
  ASSERT_OK(StoredManifest::LoadOrCreate(store));
  auto writer = FenceableManifest::Init(*StoredManifest::Load(store), FenceRole::kWriter);
  auto compactor = FenceableManifest::Init(*StoredManifest::Load(store), FenceRole::kCompactor);
  ASSERT_TRUE(writer.ok() && compactor.ok());
  EXPECT_EQ(compactor->epoch(), 1u);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(writer
                    ->Update([i](Manifest& m) {
                      m.l0.insert(m.l0.begin(), L0(static_cast<uint64_t>(i) + 1));
                      return Status::OK();
                    })
                    .ok());
    ASSERT_TRUE(compactor
                    ->Update([](Manifest& m) {
                      m.recent_snapshot_min_seq += 1;
                      return Status::OK();
                    })
                    .ok());
  }
  ASSERT_OK(writer->Refresh());
  EXPECT_EQ(writer->manifest().l0.size(), 5u);
  EXPECT_EQ(writer->manifest().recent_snapshot_min_seq, 5u);
  EXPECT_EQ(writer->manifest().writer_epoch, 1u);
  EXPECT_EQ(writer->manifest().compactor_epoch, 1u);
  // A new compactor fences the old one, but not the writer.
  auto compactor2 = FenceableManifest::Init(*StoredManifest::Load(store), FenceRole::kCompactor);
  ASSERT_OK(compactor2);
  EXPECT_TRUE(compactor->Refresh().IsFenced());
  EXPECT_NE(compactor->Refresh().message().find("detected newer compactor"), std::string::npos);
  EXPECT_OK(writer->Refresh());
}

TEST(FenceableManifestTest, ConcurrentWriterOpensGetDistinctEpochs) {
  auto store = MemoryManifestStore();
  ASSERT_OK(StoredManifest::LoadOrCreate(store));
  constexpr int kWriters = 4;
  std::vector<uint64_t> epochs(kWriters, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < kWriters; ++i) {
    threads.emplace_back([&, i] {
      auto sm = StoredManifest::Load(store);
      if (!sm.ok()) return;
      auto w = FenceableManifest::Init(std::move(sm).value(), FenceRole::kWriter);
      if (w.ok()) epochs[i] = w->epoch();
    });
  }
  for (auto& t : threads) t.join();
  std::set<uint64_t> distinct(epochs.begin(), epochs.end());
  EXPECT_EQ(distinct, (std::set<uint64_t>{1, 2, 3, 4}));
  auto latest = store->ReadLatest();
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->manifest.writer_epoch, 4u);
  EXPECT_EQ((*latest)->id, 5u);
}

TEST(FenceableManifestTest, OpenWriterCreatesOpenCompactorRequiresADatabase) {
  auto store = MemoryManifestStore();
  auto compactor = FenceableManifest::OpenCompactor(store);
  EXPECT_TRUE(compactor.status().IsInvalid()) << compactor.status().ToString();
  auto list = store->List();
  ASSERT_OK(list);
  EXPECT_TRUE(list->empty());  // nothing created for a compactor

  auto writer = FenceableManifest::OpenWriter(store);
  ASSERT_OK(writer) << writer.status().ToString();
  EXPECT_EQ(writer->id(), 2u);
  EXPECT_EQ(writer->epoch(), 1u);
  EXPECT_EQ(writer->role(), FenceRole::kWriter);
  compactor = FenceableManifest::OpenCompactor(store);
  ASSERT_OK(compactor) << compactor.status().ToString();
  EXPECT_EQ(compactor->id(), 3u);
  EXPECT_EQ(compactor->epoch(), 1u);
  EXPECT_EQ(compactor->manifest().writer_epoch, 1u);
}

TEST(FenceableManifestTest, InitAppliesExtraChangeInTheSameVersion) {
  auto store = MemoryManifestStore();
  auto w = FenceableManifest::Init(*StoredManifest::LoadOrCreate(store), FenceRole::kWriter,
                                   [](Manifest& m) {
                                     m.wal_id_last_seen = 3;
                                     return Status::OK();
                                   });
  ASSERT_OK(w);
  EXPECT_EQ(w->id(), 2u);
  EXPECT_EQ(w->manifest().writer_epoch, 1u);
  EXPECT_EQ(w->manifest().wal_id_last_seen, 3u);
}

TEST(MergeCompactorStateTest, TakesCompactorFieldsAndTruncatesL0) {
  Manifest local;
  local.writer_epoch = 3;
  local.last_l0_seq = 40;
  local.l0 = {L0(5), L0(4), L0(3), L0(2), L0(1)};  // newest first
  Manifest stored;
  stored.writer_epoch = 3;
  stored.compactor_epoch = 2;
  stored.last_l0_seq = 30;
  stored.l0 = {L0(4)};
  stored.l0_last_compacted = L0(3).id;
  stored.compacted = {format::SortedRun{0, {L0(100)}}};
  stored.checkpoints = {format::Checkpoint{format::Uuid{1, 2}, 7, 0, 0, {}, {}, {}}};

  Manifest merged = MergeCompactorState(local, stored);
  EXPECT_EQ(merged.l0, (std::vector<format::SstHandle>{L0(5), L0(4)}));
  EXPECT_EQ(merged.compacted, stored.compacted);
  EXPECT_EQ(merged.checkpoints, stored.checkpoints);
  EXPECT_EQ(merged.l0_last_compacted, stored.l0_last_compacted);
  EXPECT_EQ(merged.compactor_epoch, 2u);
  EXPECT_EQ(merged.last_l0_seq, 40u);  // writer's own view
  EXPECT_EQ(merged.writer_epoch, 3u);

  // Already truncated (the compacted SST is no longer in the local list): l0 unchanged.
  Manifest again = MergeCompactorState(merged, stored);
  EXPECT_EQ(again.l0, merged.l0);
  // No compaction yet: l0 unchanged.
  stored.l0_last_compacted.reset();
  EXPECT_EQ(MergeCompactorState(local, stored).l0, local.l0);
}

TEST(FixtureDatabaseTest, WriterOpenOnACopyOfAPeerDatabase) {
  testing::TempDir dir;
  const std::string src = testing::FixturesDir() + "/reader_open";
  ASSERT_TRUE(fs::is_directory(src)) << src;
  ASSERT_TRUE(testing::CopyTree(src, dir.path() + "/reader_open"));
  auto os = NewLocalObjectStore(dir.path());
  ASSERT_OK(os) << os.status().ToString();
  auto store = std::make_shared<ManifestStore>(*os, "reader_open/db");
  auto before = store->ReadLatest();
  ASSERT_TRUE(before.ok() && before->has_value());
  const uint64_t old_id = (*before)->id;
  const Manifest old = (*before)->manifest;

  auto w = FenceableManifest::Init(*StoredManifest::LoadOrCreate(store), FenceRole::kWriter);
  ASSERT_OK(w) << w.status().ToString();
  EXPECT_EQ(w->id(), old_id + 1);
  EXPECT_EQ(w->epoch(), old.writer_epoch + 1);
  Manifest expected = old;
  expected.writer_epoch += 1;
  EXPECT_EQ(w->manifest(), expected);
  // The new object decodes back to the same state (peer-compatible encoding).
  auto reread = store->Read(old_id + 1);
  ASSERT_OK(reread);
  EXPECT_EQ(*reread, expected);
}

TEST(FixtureDatabaseTest, CorruptLatestManifestIsDataErrorNamingTheObject) {
  testing::TempDir dir;
  ASSERT_TRUE(testing::CopyTree(testing::FixturesDir() + "/basic", dir.path() + "/basic"));
  auto os = NewLocalObjectStore(dir.path());
  ASSERT_OK(os);
  auto store = std::make_shared<ManifestStore>(*os, "basic/db");
  auto list = store->List();
  ASSERT_TRUE(list.ok() && !list->empty());
  const VersionInfo latest = list->back();
  auto bytes = (*os)->Get(latest.key);
  ASSERT_OK(bytes);
  ASSERT_OK((*os)->Put(latest.key, bytes->substr(0, bytes->size() - 9)));  // truncate
  auto sm = StoredManifest::Load(store);
  ASSERT_FALSE(sm.ok());
  EXPECT_TRUE(sm.status().IsData()) << sm.status().ToString();
  EXPECT_NE(sm.status().message().find(latest.key), std::string::npos) << sm.status().message();
}

}  // namespace
}  // namespace slatedb::manifest
