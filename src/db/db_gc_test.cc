// Tests of the garbage collector embedded in the writer engine (DbImpl, issue 4 item 4): with
// settings.garbage_collector_options set, old WAL SSTs and manifests disappear while every key
// stays readable (also across reopen); Close() with the GC running returns OK, repeatedly; a
// fenced writer stops collecting; without the option nothing is deleted.
#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "db/db_impl.h"
#include "gtest/gtest.h"
#include "manifest/manifest_store.h"
#include "manifest/paths.h"
#include "slatedb/db.h"
#include "slatedb/object_store.h"
#include "test_settings.h"
#include "test_util.h"

namespace slatedb {
namespace {

using std::chrono::milliseconds;

// Fence objects (empty WAL SSTs) are kept by the GC; anything this large holds rows.
constexpr uint64_t kMaxFenceSize = 1024;

GarbageCollectorOptions FastGc() {
  GcDirectoryOptions d;
  d.interval = milliseconds(20);
  d.min_age = milliseconds(0);
  GarbageCollectorOptions g;
  g.manifest_options = d;
  g.wal_options = d;
  g.compacted_options = d;
  g.compactions_options = d;
  return g;
}

Settings GcSettings(bool with_gc = true, bool with_compactor = true) {
  Settings s;
  s.flush_interval = milliseconds(10);
  s.manifest_poll_interval = milliseconds(50);
  s.l0_sst_size_bytes = 2048;
  s.l0_max_ssts = 4;
  if (with_compactor) {
    s.compactor_options = testing::EagerCompactorOptions(std::chrono::milliseconds(20), 8);
  } else {
    s.compactor_options.reset();
  }
  if (with_gc) {
    s.garbage_collector_options = FastGc();
  } else {
    s.garbage_collector_options.reset();
  }
  return s;
}

std::unique_ptr<Db> MustOpen(std::shared_ptr<ObjectStore> store, const std::string& path,
                             const Settings& settings, uint64_t seed = 42) {
  Components c;
  c.object_store = std::move(store);
  c.seed = seed;
  auto db = Db::Open(path, std::move(c), settings);
  EXPECT_OK(db) << db.status().ToString();
  return db.ok() ? std::move(db).value() : nullptr;
}

std::vector<std::pair<std::string, std::string>> ScanAll(Db& db) {
  auto it = db.Scan(ScanRange{}, ScanOptions{});
  return testing::DrainRows(std::move(it));
}

std::vector<std::pair<std::string, std::string>> AsVector(
    const std::map<std::string, std::string>& model) {
  return {model.begin(), model.end()};
}

// Writes `n` puts (keys cycle over `distinct`) without waiting for durability, then flushes the
// memtable so that L0 SSTs and a replay point exist.
void WriteMany(Db& db, std::map<std::string, std::string>* model, int n, int distinct,
               const std::string& tag) {
  WriteOptions no_wait;
  no_wait.await_durable = false;
  for (int i = 0; i < n; ++i) {
    std::string k = "key" + std::to_string(i % distinct);
    std::string v = tag + std::to_string(i) + std::string(40, 'x');
    Status st = db.Put(k, v, no_wait).status();
    ASSERT_OK(st) << st.ToString();
    (*model)[k] = v;
  }
  Status st = db.Flush(FlushType::kMemTable);
  ASSERT_OK(st) << st.ToString();
}

struct WalObject {
  uint64_t id = 0;
  uint64_t size = 0;
};

std::vector<WalObject> ListWal(ObjectStore& store, const std::string& path) {
  std::vector<WalObject> out;
  auto list = store.List(manifest::WalDir(path));
  EXPECT_OK(list) << list.status().ToString();
  if (!list.ok()) return out;
  for (const ObjectMeta& m : *list) {
    const size_t slash = m.key.rfind('/');
    const std::string name = m.key.substr(slash + 1);
    if (name.size() < 5 || name.substr(name.size() - 4) != ".sst") continue;
    out.push_back({std::stoull(name.substr(0, name.size() - 4)), m.size});
  }
  return out;
}

std::vector<uint64_t> ListManifestIds(std::shared_ptr<ObjectStore> store, const std::string& path) {
  std::vector<uint64_t> ids;
  auto list = manifest::ManifestStore(std::move(store), path).List();
  EXPECT_OK(list) << list.status().ToString();
  if (!list.ok()) return ids;
  for (const auto& v : *list) ids.push_back(v.id);
  return ids;
}

// What the GC may still keep: the latest manifest, every checkpointed manifest, and for WAL
// SSTs everything at or above the latest replay point or inside a checkpoint's WAL range.
struct Protected {
  uint64_t latest_manifest = 0;
  uint64_t replay_after = 0;
  std::set<uint64_t> manifests;
  std::vector<std::pair<uint64_t, uint64_t>> wal_ranges;  // (replay_after, wal_id_last_seen]
};

Protected ReadProtected(std::shared_ptr<ObjectStore> store, const std::string& path) {
  Protected p;
  manifest::ManifestStore ms(store, path);
  auto latest = ms.ReadLatest();
  EXPECT_OK(latest) << latest.status().ToString();
  if (!latest.ok() || !latest->has_value()) return p;
  p.latest_manifest = (*latest)->id;
  p.replay_after = (*latest)->manifest.replay_after_wal_id;
  p.manifests.insert(p.latest_manifest);
  for (const auto& cp : (*latest)->manifest.checkpoints) {
    p.manifests.insert(cp.manifest_id);
    auto m = ms.Read(cp.manifest_id);
    if (m.ok()) p.wal_ranges.emplace_back(m->replay_after_wal_id, m->wal_id_last_seen);
  }
  return p;
}

// Garbage by the GC's rules that is still present: manifests below the latest and not
// checkpointed; WAL SSTs with rows below the replay point (docs/design.md §11: strictly below) and
// outside every checkpoint range.
// `seen`, when given, receives the protection the count was made against.
size_t RemainingGarbage(std::shared_ptr<ObjectStore> store, const std::string& path,
                        Protected* seen = nullptr) {
  const Protected p = ReadProtected(store, path);
  if (seen != nullptr) *seen = p;
  size_t garbage = 0;
  for (uint64_t id : ListManifestIds(store, path)) {
    if (id < p.latest_manifest && p.manifests.count(id) == 0) ++garbage;
  }
  for (const WalObject& w : ListWal(*store, path)) {
    if (w.id >= p.replay_after || w.size <= kMaxFenceSize) continue;
    bool pinned = false;
    for (const auto& [after, last] : p.wal_ranges) pinned |= (w.id > after && w.id <= last);
    if (!pinned) ++garbage;
  }
  return garbage;
}

// Waits (bounded: the GC runs every 20 ms; 30 s only guards against a hang) until no garbage
// is left; returns the garbage still present at the end, and in `seen` the protection that count
// was made against.
size_t WaitForNoGarbage(std::shared_ptr<ObjectStore> store, const std::string& path,
                        Protected* seen = nullptr) {
  size_t garbage = 0;
  for (int i = 0; i < 1500; ++i) {
    garbage = RemainingGarbage(store, path, seen);
    if (garbage == 0) break;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return garbage;
}

TEST(DbGcTest, DeletesOldWalAndManifestsKeepsEveryKey) {
  auto store = NewMemoryObjectStore();
  const Settings s = GcSettings();
  std::map<std::string, std::string> model;
  uint64_t wal_written = 0, manifests_written = 0;
  {
    auto db = MustOpen(store, "db", s);
    ASSERT_NE(db, nullptr);
    ASSERT_NO_FATAL_FAILURE(WriteMany(*db, &model, 3000, 700, "a"));
    auto status = db->GetStatus();
    ASSERT_OK(status) << status.status().ToString();
    EXPECT_GE(status->sorted_runs, 1u);  // the compactor ran
    Protected p;
    EXPECT_EQ(WaitForNoGarbage(store, "db", &p), 0u);
    wal_written = p.replay_after;
    manifests_written = p.latest_manifest;
    ASSERT_GT(p.replay_after, 1u);  // L0 flushes moved the replay point
    // Old WAL SSTs really went away (not merely were never written): WAL ids are contiguous, so
    // every id below the replay point that no checkpoint's WAL range pins was written and must
    // now be absent. (Compaction checkpoints pin the WAL range of the version they copy; on a
    // loaded machine, where L0 flushes lag, they can pin every id, so how many are unpinned is
    // not asserted. The protection is the one WaitForNoGarbage counted against: a later one has
    // a later replay point whose newly unpinned WAL SSTs the GC may not have reached yet.)
    std::set<uint64_t> present;  // WAL SSTs with rows (fences are not the GC's to delete)
    for (const WalObject& w : ListWal(*store, "db")) {
      if (w.size > kMaxFenceSize) present.insert(w.id);
    }
    size_t unpinned_below = 0;
    for (uint64_t id = 1; id < p.replay_after; ++id) {
      bool pinned = false;
      for (const auto& [after, last] : p.wal_ranges) pinned |= (id > after && id <= last);
      if (pinned) continue;
      ++unpinned_below;
      EXPECT_EQ(present.count(id), 0u) << "WAL " << id << " is below the replay point "
                                       << p.replay_after << " and pinned by no checkpoint";
    }
    RecordProperty("unpinned_wal_ids_below_replay_point", static_cast<int>(unpinned_below));
    EXPECT_LT(ListManifestIds(store, "db").size(), p.latest_manifest);
    EXPECT_EQ(ScanAll(*db), AsVector(model));
    EXPECT_OK(db->Close());
  }
  {
    auto db = MustOpen(store, "db", s);
    ASSERT_NE(db, nullptr);
    EXPECT_EQ(ScanAll(*db), AsVector(model));
    ASSERT_NO_FATAL_FAILURE(WriteMany(*db, &model, 1500, 900, "b"));
    EXPECT_EQ(WaitForNoGarbage(store, "db"), 0u);
    const Protected p = ReadProtected(store, "db");
    EXPECT_GT(p.replay_after, wal_written);
    EXPECT_GT(p.latest_manifest, manifests_written);
    EXPECT_EQ(ScanAll(*db), AsVector(model));
    auto v = db->Get("key5");
    ASSERT_OK(v) << v.status().ToString();
    EXPECT_EQ(*v, model["key5"]);
    EXPECT_OK(db->Close());
  }
  // Reopen without the GC: what the GC left is a complete database.
  auto db = MustOpen(store, "db", GcSettings(/*with_gc=*/false));
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(ScanAll(*db), AsVector(model));
  EXPECT_OK(db->Close());
}

TEST(DbGcTest, GcWithoutCompactorDeletesOldWalAndAllButLatestManifest) {
  auto store = NewMemoryObjectStore();
  Settings s = GcSettings(/*with_gc=*/true, /*with_compactor=*/false);
  s.l0_max_ssts = 1000;  // no compactor drains L0
  std::map<std::string, std::string> model;
  auto db = MustOpen(store, "db", s);
  ASSERT_NE(db, nullptr);
  ASSERT_NO_FATAL_FAILURE(WriteMany(*db, &model, 1200, 300, "w"));
  EXPECT_EQ(WaitForNoGarbage(store, "db"), 0u);
  // No compactor: no checkpoints, so only the latest manifest may remain (plus any written
  // after the check) and every remaining WAL SST with rows is at or above the replay point.
  const Protected p = ReadProtected(store, "db");
  EXPECT_EQ(p.manifests.size(), 1u);
  for (uint64_t id : ListManifestIds(store, "db")) EXPECT_GE(id, p.latest_manifest);
  for (const WalObject& w : ListWal(*store, "db")) {
    if (w.size > kMaxFenceSize) {
      EXPECT_GE(w.id, p.replay_after) << "WAL SST " << w.id;
    }
  }
  EXPECT_EQ(ScanAll(*db), AsVector(model));
  EXPECT_OK(db->Close());
  auto again = MustOpen(store, "db", s);
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(ScanAll(*again), AsVector(model));
  EXPECT_OK(again->Close());
}

TEST(DbGcTest, CloseWithGcRunningReturnsOkRepeatedly) {
  auto store = NewMemoryObjectStore();
  const Settings s = GcSettings();
  std::map<std::string, std::string> model;
  for (int cycle = 0; cycle < 50; ++cycle) {
    auto db = MustOpen(store, "db", s, /*seed=*/100 + cycle);
    ASSERT_NE(db, nullptr) << "cycle " << cycle;
    for (int i = 0; i < 40; ++i) {
      std::string k = "c" + std::to_string((cycle * 7 + i) % 150);
      std::string v = std::to_string(cycle) + "/" + std::to_string(i) + std::string(60, 'y');
      WriteOptions no_wait;
      no_wait.await_durable = false;
      ASSERT_OK(db->Put(k, v, no_wait)) << "cycle " << cycle;
      model[k] = v;
    }
    Status st = db->Close();
    ASSERT_OK(st) << "cycle " << cycle << ": " << st.ToString();
    st = db->Close();  // idempotent
    ASSERT_OK(st) << "cycle " << cycle << ": " << st.ToString();
    EXPECT_TRUE(db->Put("after", "close").status().IsClosed());
  }
  auto db = MustOpen(store, "db", s);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(ScanAll(*db), AsVector(model));
  EXPECT_OK(db->Close());
}

TEST(DbGcTest, DestructorWithoutCloseStopsGc) {
  auto store = NewMemoryObjectStore();
  const Settings s = GcSettings();
  std::map<std::string, std::string> model;
  {
    auto db = MustOpen(store, "db", s);
    ASSERT_NE(db, nullptr);
    ASSERT_NO_FATAL_FAILURE(WriteMany(*db, &model, 500, 100, "d"));
  }  // destroyed while the GC runs: the destructor closes (and joins every thread)
  auto db = MustOpen(store, "db", s);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(ScanAll(*db), AsVector(model));
  EXPECT_OK(db->Close());
}

TEST(DbGcTest, InvalidGcOptionsFailOpen) {
  auto store = NewMemoryObjectStore();
  Settings s = GcSettings();
  s.garbage_collector_options->wal_options->interval = milliseconds(0);
  Components c;
  c.object_store = store;
  c.seed = 1;
  auto db = Db::Open("db", std::move(c), s);
  ASSERT_FALSE(db.ok());
  EXPECT_TRUE(db.status().IsInvalid()) << db.status().ToString();
  EXPECT_NE(db.status().ToString().find("wal_options.interval"), std::string::npos)
      << db.status().ToString();
}

TEST(DbGcTest, GcDisabledDeletesNothing) {
  auto store = NewMemoryObjectStore();
  const Settings s = GcSettings(/*with_gc=*/false);
  std::map<std::string, std::string> model;
  auto db = MustOpen(store, "db", s);
  ASSERT_NE(db, nullptr);
  ASSERT_NO_FATAL_FAILURE(WriteMany(*db, &model, 3000, 700, "n"));
  auto status = db->GetStatus();
  ASSERT_OK(status);
  EXPECT_GE(status->sorted_runs, 1u);
  // No collector exists (none was started), so none can have run; and nothing is missing.
  EXPECT_EQ(dynamic_cast<db::DbImpl&>(*db).gc_for_test(), nullptr);
  const Protected p = ReadProtected(store, "db");
  ASSERT_GT(p.replay_after, 1u);
  std::set<uint64_t> wal_ids;
  for (const WalObject& w : ListWal(*store, "db")) wal_ids.insert(w.id);
  for (uint64_t id = 1; id <= p.replay_after; ++id) EXPECT_EQ(wal_ids.count(id), 1u) << id;
  const std::vector<uint64_t> manifests = ListManifestIds(store, "db");
  ASSERT_FALSE(manifests.empty());
  EXPECT_EQ(manifests.front(), 1u);
  EXPECT_EQ(manifests.size(), manifests.back());  // ids 1..latest, none deleted
  EXPECT_GT(RemainingGarbage(store, "db"), 0u);
  EXPECT_EQ(ScanAll(*db), AsVector(model));
  EXPECT_OK(db->Close());
}

TEST(DbGcTest, FencedWriterStopsCollecting) {
  auto store = NewMemoryObjectStore();
  std::map<std::string, std::string> model;
  auto a = MustOpen(store, "db", GcSettings(/*with_gc=*/true, /*with_compactor=*/false), 1);
  ASSERT_NE(a, nullptr);
  ASSERT_OK(a->Put("from-a", "x", WriteOptions{true}));
  model["from-a"] = "x";
  Settings bs = GcSettings(/*with_gc=*/false, /*with_compactor=*/false);
  bs.l0_max_ssts = 1000;
  auto b = MustOpen(store, "db", bs, 2);
  ASSERT_NE(b, nullptr);
  // A notices the newer writer (its next WAL upload collides with B's fence) and latches it.
  Status st = a->Put("late", "y", WriteOptions{true}).status();
  EXPECT_TRUE(st.IsFenced()) << st.ToString();
  // A's collector was stopped (its thread joined) when the fence was latched...
  const gc::GarbageCollector* a_gc = dynamic_cast<db::DbImpl&>(*a).gc_for_test();
  ASSERT_NE(a_gc, nullptr);
  ASSERT_TRUE(slatedb::testing::WaitFor([&] { return a_gc->stopped(); }));
  // ... so the garbage B makes by the GC's rules (WAL SSTs below its replay point), which A's
  // collector would delete were it still running every 20 ms with min_age 0, stays.
  ASSERT_NO_FATAL_FAILURE(WriteMany(*b, &model, 1200, 300, "b"));
  EXPECT_GT(RemainingGarbage(store, "db"), 0u);
  EXPECT_TRUE(a->Close().IsFenced());
  EXPECT_EQ(ScanAll(*b), AsVector(model));
  EXPECT_OK(b->Close());
}

}  // namespace
}  // namespace slatedb
