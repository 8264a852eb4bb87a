#include "manifest/manifest_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "format/manifest_codec.h"
#include "format/uuid.h"
#include "manifest/paths.h"
#include "manifest/stored_manifest.h"
#include "object_store/fault_injecting_object_store.h"
#include "object_store/object_store_wrapper.h"
#include "subprocess.h"
#include "test_util.h"
#include "util/random.h"

namespace slatedb::manifest {
namespace {

namespace fs = std::filesystem;
using format::Manifest;

// Forwards to another store; the first Get of `vanish_key` deletes it and reports kNotFound, as
// if the garbage collector removed it between LIST and GET.
class VanishingStore : public ObjectStoreWrapper {
 public:
  VanishingStore(std::shared_ptr<ObjectStore> inner, std::string vanish_key)
      : ObjectStoreWrapper(std::move(inner)), vanish_key_(std::move(vanish_key)) {}

  Result<std::string> Get(std::string_view k) override {
    if (k == vanish_key_ && !vanished_) {
      vanished_ = true;
      RETURN_IF_ERROR(inner_->Delete(k));
      return Status::NotFound(std::string(k));
    }
    return inner_->Get(k);
  }
  std::string Describe() const override { return "vanishing(" + inner_->Describe() + ")"; }

  bool vanished() const { return vanished_; }

 private:
  std::string vanish_key_;
  bool vanished_ = false;
};

// A private copy of the whole fixtures tree, made once per test binary: opening a local store
// writes a lock file at its root, and the shared fixtures must stay read-only.
const std::string& CopiedFixtures() {
  static testing::TempDir dir;  // removed at exit
  static const std::string path = [] {
    const std::string to = dir.path() + "/fixtures";
    if (!testing::CopyTree(testing::FixturesDir(), to)) {
      ADD_FAILURE() << "cannot copy " << testing::FixturesDir();
    }
    return to;
  }();
  return path;
}

Manifest WithSeq(uint64_t seq) {
  Manifest m = Manifest::NewEmpty();
  m.last_l0_seq = seq;
  return m;
}

TEST(ManifestStoreTest, WriteNewIsCreateIfAbsent) {
  ManifestStore store(NewMemoryObjectStore(), "db");
  auto empty = store.ReadLatest();
  ASSERT_OK(empty) << empty.status().ToString();
  EXPECT_FALSE(empty->has_value());

  ASSERT_OK(store.WriteNew(1, WithSeq(1)));
  Status again = store.WriteNew(1, WithSeq(99));
  EXPECT_TRUE(again.IsAlreadyExists()) << again.ToString();
  ASSERT_OK(store.WriteNew(2, WithSeq(2)));

  auto latest = store.ReadLatest();
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->id, 2u);
  EXPECT_EQ((*latest)->manifest.last_l0_seq, 2u);
  auto first = store.Read(1);
  ASSERT_OK(first);
  EXPECT_EQ(first->last_l0_seq, 1u);  // the losing write did not replace it
  auto missing = store.Read(3);
  EXPECT_TRUE(missing.status().IsNotFound()) << missing.status().ToString();

  auto list = store.List();
  ASSERT_OK(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, 1u);
  EXPECT_EQ((*list)[1].id, 2u);
  EXPECT_EQ((*list)[1].key, "db/manifest/00000000000000000002.manifest");
  EXPECT_GT((*list)[1].size, 0u);
}

// RFC-0032 cached probing, counted request by request.
TEST(ManifestStoreTest, ProbesTheNextIdInsteadOfListing) {
  auto mem = NewMemoryObjectStore();
  auto counting = std::make_shared<FaultInjectingObjectStore>(mem, FaultOptions());
  auto clock = std::make_shared<ManualClock>(1'000'000);
  ManifestStore writer(mem, "db");  // another process
  ASSERT_OK(writer.WriteNew(1, WithSeq(1)));
  ManifestStore store(counting, "db", StoreFormat{}, clock);

  // Cold: LIST + GET.
  ASSERT_OK_AND_ASSIGN(auto cold, store.ReadLatest());
  ASSERT_TRUE(cold.has_value());
  EXPECT_EQ(cold->id, 1u);
  EXPECT_EQ(counting->counts().list, 1u);
  EXPECT_EQ(counting->counts().get, 1u);

  // Warm and unchanged: one GET of id 2 that misses; the cached contents are returned.
  counting->ResetCounts();
  ASSERT_OK_AND_ASSIGN(auto warm, store.ReadLatest());
  EXPECT_EQ(warm->id, 1u);
  EXPECT_EQ(warm->manifest.last_l0_seq, 1u);
  EXPECT_EQ(counting->counts().Total(), 1u);
  EXPECT_EQ(counting->counts().get, 1u);

  // Two versions behind: two hits and a miss, no LIST.
  ASSERT_OK(writer.WriteNew(2, WithSeq(2)));
  ASSERT_OK(writer.WriteNew(3, WithSeq(3)));
  counting->ResetCounts();
  ASSERT_OK_AND_ASSIGN(auto behind, store.ReadLatest());
  EXPECT_EQ(behind->id, 3u);
  EXPECT_EQ(behind->manifest.last_l0_seq, 3u);
  EXPECT_EQ(counting->counts().get, 3u);
  EXPECT_EQ(counting->counts().list, 0u);

  // Far behind: four hits, then LIST + GET of the highest.
  for (uint64_t id = 4; id <= 10; ++id) ASSERT_OK(writer.WriteNew(id, WithSeq(id)));
  counting->ResetCounts();
  ASSERT_OK_AND_ASSIGN(auto far, store.ReadLatest());
  EXPECT_EQ(far->id, 10u);
  EXPECT_EQ(far->manifest.last_l0_seq, 10u);
  EXPECT_EQ(counting->counts().get, static_cast<uint64_t>(kMaxManifestProbeHits) + 1);
  EXPECT_EQ(counting->counts().list, 1u);

  // Our own create is cached: the next read is one miss.
  ASSERT_OK(store.WriteNew(11, WithSeq(11)));
  counting->ResetCounts();
  ASSERT_OK_AND_ASSIGN(auto own, store.ReadLatest());
  EXPECT_EQ(own->id, 11u);
  EXPECT_EQ(counting->counts().get, 1u);
  EXPECT_EQ(counting->counts().list, 0u);

  // After kManifestProbeTrust without a confirmation, a LIST confirms (no GET when unchanged)…
  clock->Advance(
      std::chrono::duration_cast<std::chrono::milliseconds>(kManifestProbeTrust).count());
  counting->ResetCounts();
  ASSERT_OK_AND_ASSIGN(auto confirmed, store.ReadLatest());
  EXPECT_EQ(confirmed->id, 11u);
  EXPECT_EQ(counting->counts().list, 1u);
  EXPECT_EQ(counting->counts().Total(), 1u);
  // … and catches a version whose predecessor a GC deleted (a probe of 12 would miss).
  ASSERT_OK(writer.WriteNew(12, WithSeq(12)));
  ASSERT_OK(writer.WriteNew(13, WithSeq(13)));
  ASSERT_OK(writer.Delete(12));
  ASSERT_OK_AND_ASSIGN(auto stale, store.ReadLatest());
  EXPECT_EQ(stale->id, 11u);  // within the trust window: the miss of 12 is believed
  clock->Advance(
      std::chrono::duration_cast<std::chrono::milliseconds>(kManifestProbeTrust).count());
  counting->ResetCounts();
  ASSERT_OK_AND_ASSIGN(auto fresh, store.ReadLatest());
  EXPECT_EQ(fresh->id, 13u);
  EXPECT_EQ(fresh->manifest.last_l0_seq, 13u);
  EXPECT_EQ(counting->counts().list, 1u);
  EXPECT_EQ(counting->counts().get, 1u);

  // Invalidated: cold again.
  store.InvalidateCache();
  counting->ResetCounts();
  ASSERT_OK_AND_ASSIGN(auto again, store.ReadLatest());
  EXPECT_EQ(again->id, 13u);
  EXPECT_EQ(counting->counts().list, 1u);
}

TEST(ManifestStoreTest, AdvanceBoundaryWritesAsciiDecimalAndNeverLowers) {
  auto os = NewMemoryObjectStore();
  ManifestStore store(os, "db");
  EXPECT_EQ(store.Boundary().value(), 0u);  // missing = 0
  ASSERT_OK(store.AdvanceBoundary(40));
  EXPECT_EQ(os->Get("db/gc/manifest.boundary").value(), "40");
  ASSERT_OK(store.AdvanceBoundary(10));  // never lowered
  EXPECT_EQ(store.Boundary().value(), 40u);
  ASSERT_OK(store.AdvanceBoundary(41));
  EXPECT_EQ(os->Get("db/gc/manifest.boundary").value(), "41");
  // Creates at or below it are lost races; above it they win.
  Status fenced = store.WriteNew(41, WithSeq(1));
  EXPECT_TRUE(fenced.IsAlreadyExists()) << fenced.ToString();
  EXPECT_OK(store.WriteNew(42, WithSeq(2)));
  // SlateDB's reader trims whitespace; garbage is kData naming the object.
  ASSERT_OK(os->Put("db/gc/manifest.boundary", "45\n"));
  EXPECT_EQ(store.Boundary().value(), 45u);
  ASSERT_OK(os->Put("db/gc/manifest.boundary", "forty"));
  Status bad = store.WriteNew(43, WithSeq(3));
  EXPECT_TRUE(bad.IsData()) << bad.ToString();
  EXPECT_NE(bad.message().find("db/gc/manifest.boundary"), std::string::npos);
  CompactionsStore cs(os, "db");
  ASSERT_OK(cs.AdvanceBoundary(3));
  EXPECT_EQ(os->Get("db/gc/compactions.boundary").value(), "3");
  EXPECT_TRUE(cs.WriteNew(3, format::Compactions()).IsAlreadyExists());
  EXPECT_OK(cs.WriteNew(4, format::Compactions()));
}

// Two collectors racing to raise one boundary: the conditional writes never lose the higher one.
TEST(ManifestStoreTest, ConcurrentBoundaryAdvancesKeepTheHighest) {
  auto os = NewMemoryObjectStore();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&os, t] {
      ManifestStore store(os, "db");
      for (uint64_t b = 1; b <= 50; ++b) EXPECT_OK(store.AdvanceBoundary(b * 4 + t));
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ManifestStore(os, "db").Boundary().value(), 203u);
}

TEST(ManifestStoreTest, StoreFormatFollowsCompatibility) {
  EXPECT_EQ(StoreFormatFor("0.17"), (StoreFormat{2, 2}));
  EXPECT_EQ(StoreFormatFor("0.12"), (StoreFormat{2, 1}));  // 0.12.1 reads manifest V2
  auto os = NewMemoryObjectStore();
  CompactionsStore v1(os, "db", StoreFormatFor("0.12"));
  ASSERT_OK(v1.WriteNew(1, format::Compactions{}));
  EXPECT_EQ(os->Get(CompactionsPath("db", 1)).value().substr(0, 2), std::string("\x00\x01", 2));
  CompactionsStore v2(os, "db");
  ASSERT_OK(v2.WriteNew(2, format::Compactions{}));
  EXPECT_EQ(os->Get(CompactionsPath("db", 2)).value().substr(0, 2), std::string("\x00\x02", 2));
  // Version 1 refuses a job it cannot hold, writing nothing.
  format::CompactionRecord scheduled;
  scheduled.status = format::CompactionStatus::kScheduled;
  Status st = v1.WriteNew(3, format::Compactions{1, {scheduled}});
  EXPECT_TRUE(st.IsInvalid()) << st.ToString();
  EXPECT_TRUE(os->Head(CompactionsPath("db", 3)).status().IsNotFound());
  ManifestStore ms(os, "db");
  ASSERT_OK(ms.WriteNew(1, WithSeq(1)));
  EXPECT_EQ(os->Get(ManifestPath("db", 1)).value().substr(0, 2), std::string("\x00\x02", 2));
}

TEST(ManifestStoreTest, IgnoresForeignObjects) {
  auto os = NewMemoryObjectStore();
  ManifestStore store(os, "db");
  ASSERT_OK(store.WriteNew(3, WithSeq(3)));
  ASSERT_OK(os->Put("db/manifest/00000000000000000009.manifest.tmp", "junk"));
  ASSERT_OK(os->Put("db/manifest/notes.txt", "junk"));
  ASSERT_OK(os->Put("db/manifest/sub/00000000000000000010.manifest", "junk"));
  ASSERT_OK(os->Put("db2/manifest/00000000000000000011.manifest", "junk"));
  auto latest = store.ReadLatest();
  ASSERT_OK(latest) << latest.status().ToString();
  ASSERT_TRUE(latest->has_value());
  EXPECT_EQ((*latest)->id, 3u);
  auto list = store.List();
  ASSERT_OK(list);
  EXPECT_EQ(list->size(), 1u);
}

TEST(ManifestStoreTest, RelistsWhenLatestVanishes) {
  auto mem = NewMemoryObjectStore();
  ManifestStore writer(mem, "db");
  ASSERT_OK(writer.WriteNew(1, WithSeq(1)));
  ASSERT_OK(writer.WriteNew(2, WithSeq(2)));
  auto vanishing = std::make_shared<VanishingStore>(mem, ManifestPath("db", 2));
  ManifestStore reader(vanishing, "db");
  auto latest = reader.ReadLatest();
  ASSERT_OK(latest) << latest.status().ToString();
  EXPECT_TRUE(vanishing->vanished());
  ASSERT_TRUE(latest->has_value());
  EXPECT_EQ((*latest)->id, 1u);
}

TEST(ManifestStoreTest, CorruptOrTruncatedManifestIsDataErrorNamingTheObject) {
  auto os = NewMemoryObjectStore();
  ManifestStore store(os, "db");
  ASSERT_OK(store.WriteNew(1, WithSeq(1)));
  const std::string good = format::EncodeManifest(WithSeq(2)).value();
  const std::string key = ManifestPath("db", 2);
  for (const std::string& bad : {good.substr(0, good.size() / 2), std::string("\x00\x07xyz", 5),
                                 std::string(), std::string("garbage-garbage-garbage")}) {
    ASSERT_OK(os->Put(key, bad));
    auto latest = store.ReadLatest();
    ASSERT_FALSE(latest.ok());
    EXPECT_TRUE(latest.status().IsData()) << latest.status().ToString();
    EXPECT_NE(latest.status().message().find(key), std::string::npos) << latest.status().message();
    auto read = store.Read(2);
    EXPECT_TRUE(read.status().IsData());
  }
}

TEST(ManifestStoreTest, ReadsEveryFixtureDatabaseThroughALocalStore) {
  ASSERT_TRUE(fs::is_directory(testing::FixturesDir())) << testing::FixturesDir();
  const std::string root = CopiedFixtures();
  auto os = NewLocalObjectStore(root);
  ASSERT_OK(os) << os.status().ToString();
  int databases = 0;
  for (const auto& fixture : fs::directory_iterator(root)) {
    const fs::path manifest_dir = fixture.path() / "db" / "manifest";
    if (!fs::is_directory(manifest_dir)) continue;
    size_t files = 0;
    uint64_t max_id = 0;
    for (const auto& f : fs::directory_iterator(manifest_dir)) {
      if (auto id = ParseManifestId(f.path().filename().string())) {
        ++files;
        max_id = std::max(max_id, *id);
      }
    }
    ManifestStore store(*os, fixture.path().filename().string() + "/db");
    auto list = store.List();
    ASSERT_OK(list) << list.status().ToString();
    EXPECT_EQ(list->size(), files) << fixture.path();
    for (size_t i = 1; i < list->size(); ++i) {
      EXPECT_EQ((*list)[i].id, (*list)[i - 1].id + 1) << fixture.path();  // contiguous
    }
    auto latest = store.ReadLatest();
    ASSERT_OK(latest) << fixture.path() << ": " << latest.status().ToString();
    ASSERT_TRUE(latest->has_value());
    EXPECT_EQ((*latest)->id, max_id);
    EXPECT_TRUE((*latest)->manifest.initialized);
    ++databases;
  }
  EXPECT_GE(databases, 20);

  ManifestStore reader_open(*os, "reader_open/db");
  auto m5 = reader_open.Read(5);
  ASSERT_OK(m5) << m5.status().ToString();
  EXPECT_EQ(m5->writer_epoch, 1u);
  ASSERT_EQ(m5->checkpoints.size(), 1u);
  EXPECT_EQ(m5->checkpoints[0].id.ToString(), "5fa09694-d03b-449c-9ead-e2a36cab61d3");
}

TEST(CompactionsStoreTest, ReadsFixtureAndWritesCreateIfAbsent) {
  auto os = NewLocalObjectStore(CopiedFixtures());
  ASSERT_OK(os);
  CompactionsStore fixture(*os, "compact/db");
  auto latest = fixture.ReadLatest();
  ASSERT_OK(latest) << latest.status().ToString();
  ASSERT_TRUE(latest->has_value());
  EXPECT_EQ((*latest)->id, 11u);
  EXPECT_EQ((*latest)->compactions.compactor_epoch, 1u);

  CompactionsStore mem(NewMemoryObjectStore(), "db");
  auto none = mem.ReadLatest();
  ASSERT_OK(none);
  EXPECT_FALSE(none->has_value());
  format::Compactions c{5, {}};
  ASSERT_OK(mem.WriteNew(1, c));
  EXPECT_TRUE(mem.WriteNew(1, c).IsAlreadyExists());
  auto back = mem.Read(1);
  ASSERT_OK(back);
  EXPECT_EQ(*back, c);
}

// "Write landed, reply lost": the create-if-absent is recognised as ours by its put-id (so a
// CAS loop never re-applies its change on top of a version that already holds it); the same
// bytes written again — another put-id — are somebody else's.
TEST(ManifestStoreTest, LostReplyIsRecognisedByPutId) {
  auto memory = NewMemoryObjectStore();
  FaultOptions lose;
  lose.reply_lost_rate = 1.0;
  auto faults = NewFaultInjectingObjectStore(memory, lose);
  ManifestStore ms(faults, "db");
  CompactionsStore cs(faults, "db");
  Manifest m = Manifest::NewEmpty();
  Status st = ms.WriteNew(1, m);
  EXPECT_OK(st) << st.ToString();
  EXPECT_TRUE(ms.WriteNew(1, m).IsAlreadyExists());
  format::Compactions c;
  c.compactor_epoch = 3;
  st = cs.WriteNew(1, c);
  EXPECT_OK(st) << st.ToString();
  EXPECT_TRUE(cs.WriteNew(1, c).IsAlreadyExists());
  EXPECT_GT(faults->counts().lost_replies, 0u);

  // A non-idempotent mutation (appends a checkpoint) through lost replies: applied once.
  auto sm = StoredManifest::Load(std::make_shared<ManifestStore>(faults, "db"));
  ASSERT_OK(sm) << sm.status().ToString();
  util::Random rng(5);
  for (int i = 0; i < 3; ++i) {
    st = sm->Update([&](Manifest& next) -> Status {
      format::Checkpoint cp;
      cp.id = format::Uuid::NewV4(rng);
      next.checkpoints.push_back(cp);
      return Status::OK();
    });
    ASSERT_OK(st) << st.ToString();
  }
  EXPECT_EQ(sm->id(), 4u);
  auto latest = ms.ReadLatest();
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->id, 4u);
  EXPECT_EQ((*latest)->manifest.checkpoints.size(), 3u);
}

}  // namespace
}  // namespace slatedb::manifest
