// Clones end to end (issue 13 item 2; SlateDB RFC-0004): Admin::CreateClone makes a shallow
// clone whose manifest lists the parent's SSTs under external_dbs and pins them with a final
// checkpoint in the parent; Db and DbReader on the clone read the parent's rows (L0, sorted
// runs and the WAL SSTs the source version had not flushed, which are copied) from where they
// are; writes to the clone never change an object of the parent; the clone's compactor rewrites
// parent SSTs into its own and its GC then detaches the parent (entry removed, final checkpoint
// deleted); the parent's GC keeps what the clone reads; an interrupted creation is finished by
// a retry with the same arguments and refused with others; clones of clones read every
// ancestor. On memory, a local directory and S3 (moto at $SLATEDB_TEST_S3_ENDPOINT; skipped
// when unset).
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "db/clone_ops.h"
#include "format/manifest.h"
#include "gc/garbage_collector.h"
#include "gtest/gtest.h"
#include "manifest/manifest_store.h"
#include "manifest/paths.h"
#include "manifest/sst_paths.h"
#include "object_store/object_store_wrapper.h"
#include "object_store/s3_object_store.h"
#include "slatedb/admin.h"
#include "slatedb/db.h"
#include "slatedb/object_store.h"
#include "subprocess.h"
#include "test_settings.h"
#include "test_util.h"
#include "util/clock.h"
#include "util/random.h"

namespace slatedb {
namespace {

using std::chrono::milliseconds;
using testing::ScanToMap;
using Map = std::map<std::string, std::string>;

// Every object under `prefix` with its bytes: what "unchanged" means for a parent.
Map Objects(ObjectStore& store, const std::string& prefix) {
  Map out;
  auto list = store.List(prefix);
  EXPECT_OK(list) << list.status().ToString();
  if (!list.ok()) return out;
  for (const ObjectMeta& m : *list) {
    auto bytes = store.Get(m.key);
    EXPECT_OK(bytes) << m.key << ": " << bytes.status().ToString();
    if (bytes.ok()) out[m.key] = *bytes;
  }
  return out;
}

// Fails every Put under `prefix` (a crash in the middle of a clone's phase 2).
class FailPutsUnder final : public ObjectStoreWrapper {
 public:
  FailPutsUnder(std::shared_ptr<ObjectStore> inner, std::string prefix)
      : ObjectStoreWrapper(std::move(inner)), prefix_(std::move(prefix)) {}
  Result<std::string> Put(std::string_view key, std::string_view data,
                          const ObjectPutOptions& options) override {
    if (key.starts_with(prefix_)) return Status::Unavailable("injected: put " + std::string(key));
    return ObjectStoreWrapper::Put(key, data, options);
  }

 private:
  std::string prefix_;
};

class CloneTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "memory") {
      store_ = NewMemoryObjectStore();
    } else if (GetParam() == "local") {
      auto s = NewLocalObjectStore(dir_.path());
      ASSERT_OK(s);
      store_ = *s;
    } else {
      const char* endpoint = std::getenv("SLATEDB_TEST_S3_ENDPOINT");
      if (endpoint == nullptr || *endpoint == '\0') {
        GTEST_SKIP() << "SLATEDB_TEST_S3_ENDPOINT not set (scripts/test.sh starts moto)";
      }
      S3Config c;
      c.bucket = "clones-" + std::to_string(util::EntropySeed() % 1000000007);
      c.endpoint = endpoint;
      c.allow_http = true;
      c.access_key_id = "testing";
      c.secret_access_key = "testing";
      ASSERT_OK(CreateS3Bucket(c));
      auto s = NewS3ObjectStore(c);
      ASSERT_OK(s) << s.status().ToString();
      store_ = *s;
    }
  }

  Components Comps(std::shared_ptr<ObjectStore> store = nullptr) {
    Components c;
    c.object_store = store ? store : store_;
    c.seed = ++seed_;
    return c;
  }

  // No timer-driven WAL upload and no GC; a compactor only when asked.
  std::unique_ptr<Db> OpenDb(const std::string& path, bool compactor = false) {
    Settings s;
    s.flush_interval.reset();
    s.manifest_poll_interval = milliseconds(50);
    s.garbage_collector_options.reset();
    if (compactor) {
      s.compactor_options = testing::EagerCompactorOptions(std::chrono::milliseconds(20), 16);
    } else {
      s.compactor_options.reset();
    }
    auto db = Db::Open(path, Comps(), s);
    EXPECT_OK(db) << db.status().ToString();
    return db.ok() ? std::move(*db) : nullptr;
  }

  // Puts `n` keys "<tag>-<i>" and records them in `model`.
  static void PutRows(Db& db, const std::string& tag, int n, Map* model) {
    for (int i = 0; i < n; ++i) {
      const std::string k = tag + "-" + std::to_string(100 + i);
      const std::string v = "v-" + tag + "-" + std::to_string(i);
      ASSERT_OK(db.Put(k, v));
      (*model)[k] = v;
    }
  }

  Map ReaderRows(const std::string& path) {
    auto reader = DbReader::Open(path, Comps(), DbReaderOptions());
    EXPECT_OK(reader) << reader.status().ToString();
    if (!reader.ok()) return {};
    Map rows = ScanToMap(**reader);
    EXPECT_OK((*reader)->Close());
    return rows;
  }

  Map WriterRows(const std::string& path) {
    auto db = OpenDb(path);
    if (db == nullptr) return {};
    Map rows = ScanToMap(*db);
    EXPECT_OK(db->Close());
    return rows;
  }

  format::Manifest Latest(const std::string& path) {
    manifest::ManifestStore ms(store_, path);
    auto latest = ms.ReadLatest();
    EXPECT_TRUE(latest.ok() && latest->has_value()) << path;
    if (!latest.ok() || !latest->has_value()) return {};
    return (*latest)->manifest;
  }

  bool HasCheckpoint(const std::string& path, const std::string& id) {
    for (const auto& c : Latest(path).checkpoints) {
      if (c.id.ToString() == id) return true;
    }
    return false;
  }

  // A parent with rows in L0 SSTs (`l0s` flushes) and more only in WAL SSTs (not in L0).
  Map MakeParent(const std::string& path, int l0s, bool compactor = false) {
    Map model;
    auto db = OpenDb(path, compactor);
    EXPECT_NE(db, nullptr);
    if (db == nullptr) return model;
    for (int f = 0; f < l0s; ++f) {
      PutRows(*db, "p" + std::to_string(f), 20, &model);
      EXPECT_OK(db->Flush(FlushType::kMemTable));
    }
    PutRows(*db, "pwal", 10, &model);
    EXPECT_OK(db->Flush(FlushType::kWal));
    EXPECT_OK(db->Close());
    return model;
  }

  // Waits (bounded) until the latest manifest of `path` lists none of `ids` (a running
  // compactor rewrote them).
  void AwaitUnlisted(const std::string& path, const std::vector<format::Ulid>& ids) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (true) {
      const std::vector<format::Ulid> listed = manifest::ListedSstIds(Latest(path));
      bool any = false;
      for (const auto& id : ids) any |= std::find(listed.begin(), listed.end(), id) != listed.end();
      if (!any) return;
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the compactor did not run";
      std::this_thread::sleep_for(milliseconds(10));
    }
  }

  // Every SST id the external dbs of `path` list.
  std::vector<format::Ulid> ExternalIds(const std::string& path) {
    std::vector<format::Ulid> out;
    for (const auto& db : Latest(path).external_dbs) {
      out.insert(out.end(), db.sst_ids.begin(), db.sst_ids.end());
    }
    return out;
  }

  // A GC of `path` that deletes anything unreferenced, with a clock an hour ahead (so every
  // compactor checkpoint has expired and min_age is passed).
  gc::GcStats RunGc(const std::string& path) {
    GcDirectoryOptions d;
    d.min_age = milliseconds(0);
    GarbageCollectorOptions o;
    o.manifest_options = d;
    o.wal_options = d;
    o.compacted_options = d;
    o.compactions_options = d;
    auto clock =
        std::make_shared<ManualClock>(util::SystemClock::Default()->NowMillis() + 3'600'000);
    auto gc = gc::GarbageCollector::Open(store_, path, o, clock);
    EXPECT_OK(gc) << gc.status().ToString();
    if (!gc.ok()) return {};
    auto stats = (*gc)->RunOnce();
    EXPECT_OK(stats) << stats.status().ToString();
    return stats.ok() ? *stats : gc::GcStats{};
  }

  testing::TempDir dir_;
  std::shared_ptr<ObjectStore> store_;
  uint64_t seed_ = 100;
};

TEST_P(CloneTest, CloneReadsTheParentAndWritesOnlyItsOwnObjects) {
  const Map parent_rows = MakeParent("parent", 2);
  ASSERT_EQ(parent_rows.size(), 50u);

  ASSERT_OK_AND_ASSIGN(CloneResult r,
                       Admin::CreateClone("/clone/", "parent", std::nullopt, Comps()));
  EXPECT_EQ(r.path, "clone");
  EXPECT_EQ(r.parent_path, "parent");
  EXPECT_GE(r.wal_ssts_copied, 1u);  // "pwal-*" were only in a WAL SST
  // The clone's manifest: the parent's SSTs as one external db, pinned by a final checkpoint
  // (never expiring) next to the (expiring) source checkpoint made for the clone.
  const format::Manifest cm = Latest("clone");
  EXPECT_TRUE(cm.initialized);
  EXPECT_TRUE(cm.checkpoints.empty());
  ASSERT_EQ(cm.external_dbs.size(), 1u);
  EXPECT_EQ(cm.external_dbs[0].path, "parent");
  EXPECT_EQ(cm.external_dbs[0].source_checkpoint_id.ToString(), r.source_checkpoint_id);
  ASSERT_TRUE(cm.external_dbs[0].final_checkpoint_id.has_value());
  EXPECT_EQ(cm.external_dbs[0].final_checkpoint_id->ToString(), r.final_checkpoint_id);
  EXPECT_EQ(cm.external_dbs[0].sst_ids.size(), 2u);  // the parent's two L0s
  EXPECT_EQ(manifest::OwnedSstIds(cm).size(), 0u);
  const format::Manifest pm = Latest("parent");
  for (const auto& c : pm.checkpoints) {
    if (c.id.ToString() == r.final_checkpoint_id) {
      EXPECT_EQ(c.expire_time_s, 0u);
      EXPECT_EQ(c.manifest_id, r.source_manifest_id);
    } else {
      EXPECT_EQ(c.id.ToString(), r.source_checkpoint_id);
      EXPECT_NE(c.expire_time_s, 0u);
    }
  }
  EXPECT_EQ(pm.checkpoints.size(), 2u);
  // Nothing of the clone's own lives in its compacted/ yet: the reads below go to the parent.
  ASSERT_OK_AND_ASSIGN(auto clone_ssts, store_->List("clone/compacted/"));
  EXPECT_TRUE(clone_ssts.empty());

  EXPECT_EQ(ReaderRows("clone"), parent_rows);
  const Map parent_before = Objects(*store_, "parent/");

  // Writes to the clone (puts, a delete of a parent key, L0 flushes) leave the parent as it was.
  Map clone_rows = parent_rows;
  {
    auto db = OpenDb("clone");
    ASSERT_NE(db, nullptr);
    EXPECT_EQ(ScanToMap(*db), parent_rows);
    PutRows(*db, "c", 15, &clone_rows);
    ASSERT_OK(db->Delete("p0-100"));
    clone_rows.erase("p0-100");
    ASSERT_OK(db->Put("p1-101", "overwritten in the clone"));
    clone_rows["p1-101"] = "overwritten in the clone";
    ASSERT_OK(db->Flush(FlushType::kMemTable));
    PutRows(*db, "cwal", 5, &clone_rows);
    ASSERT_OK(db->Flush(FlushType::kWal));
    EXPECT_EQ(ScanToMap(*db), clone_rows);
    ASSERT_OK_AND_ASSIGN(auto got, db->Get("p0-101"));
    EXPECT_EQ(got, parent_rows.at("p0-101"));
    ASSERT_OK(db->Close());
  }
  EXPECT_EQ(Objects(*store_, "parent/"), parent_before);
  EXPECT_EQ(ReaderRows("clone"), clone_rows);
  EXPECT_EQ(WriterRows("clone"), clone_rows);
  EXPECT_EQ(ReaderRows("parent"), parent_rows);

  // Same arguments again: the finished clone is described, nothing is written.
  const Map clone_before = Objects(*store_, "clone/");
  const Map parent_before2 = Objects(*store_, "parent/");
  ASSERT_OK_AND_ASSIGN(CloneResult again,
                       Admin::CreateClone("clone", "parent", std::nullopt, Comps()));
  EXPECT_EQ(again.final_checkpoint_id, r.final_checkpoint_id);
  EXPECT_EQ(again.wal_ssts_copied, 0u);
  EXPECT_EQ(Objects(*store_, "clone/"), clone_before);
  EXPECT_EQ(Objects(*store_, "parent/"), parent_before2);
}

TEST_P(CloneTest, ClonesAtAGivenCheckpointSeeThatVersion) {
  Map at_checkpoint = MakeParent("parent", 1);
  std::string id;
  {
    auto admin = Admin::Open("parent", Comps());
    ASSERT_OK(admin.status());
    ASSERT_OK_AND_ASSIGN(CheckpointCreateResult c, (*admin)->CreateDetachedCheckpoint());
    id = c.id;
  }
  Map later = at_checkpoint;
  {
    auto db = OpenDb("parent");
    ASSERT_NE(db, nullptr);
    PutRows(*db, "late", 5, &later);
    ASSERT_OK(db->Flush(FlushType::kMemTable));
    ASSERT_OK(db->Close());
  }
  ASSERT_OK_AND_ASSIGN(CloneResult r, Admin::CreateClone("clone", "parent", id, Comps()));
  EXPECT_EQ(r.source_checkpoint_id, id);
  EXPECT_EQ(ReaderRows("clone"), at_checkpoint);
  EXPECT_EQ(ReaderRows("parent"), later);
  // The source checkpoint is the user's; the clone adds its own final one beside it.
  EXPECT_TRUE(HasCheckpoint("parent", id));
  EXPECT_TRUE(HasCheckpoint("parent", r.final_checkpoint_id));
}

TEST_P(CloneTest, ErrorsNameThePathOrCheckpoint) {
  MakeParent("parent", 1);
  MakeParent("other", 1);
  auto same = Admin::CreateClone("parent", "/parent", std::nullopt, Comps());
  EXPECT_EQ(same.status().code(), StatusCode::kInvalid);
  EXPECT_NE(same.status().message().find("parent"), std::string::npos);

  auto none = Admin::CreateClone("clone", "missing", std::nullopt, Comps());
  EXPECT_EQ(none.status().code(), StatusCode::kInvalid) << none.status().ToString();
  EXPECT_NE(none.status().message().find("no database at missing"), std::string::npos);

  auto bad_id = Admin::CreateClone("clone", "parent", "not-a-uuid", Comps());
  EXPECT_EQ(bad_id.status().code(), StatusCode::kInvalid);
  EXPECT_NE(bad_id.status().message().find("not-a-uuid"), std::string::npos);

  auto unknown =
      Admin::CreateClone("clone", "parent", "00000000-0000-4000-8000-000000000001", Comps());
  EXPECT_TRUE(unknown.status().IsNotFound()) << unknown.status().ToString();
  EXPECT_NE(unknown.status().message().find("00000000-0000-4000-8000-000000000001"),
            std::string::npos);

  // An existing (initialized) database is never overwritten.
  const Map other_before = Objects(*store_, "other/");
  auto onto = Admin::CreateClone("other", "parent", std::nullopt, Comps());
  EXPECT_EQ(onto.status().code(), StatusCode::kInvalid);
  EXPECT_NE(onto.status().message().find("other"), std::string::npos);
  EXPECT_NE(onto.status().message().find("already holds an initialized database"),
            std::string::npos);
  EXPECT_EQ(Objects(*store_, "other/"), other_before);

  // Nothing was written for the failed attempts.
  ASSERT_OK_AND_ASSIGN(auto clone_objects, store_->List("clone/"));
  EXPECT_TRUE(clone_objects.empty());
  EXPECT_FALSE(Admin::CreateClone("c2", "parent", std::nullopt, Components()).ok());
}

TEST_P(CloneTest, AnInterruptedCreationIsFinishedByARetry) {
  const Map parent_rows = MakeParent("parent", 1);
  std::string id;
  {
    auto admin = Admin::Open("parent", Comps());
    ASSERT_OK(admin.status());
    ASSERT_OK_AND_ASSIGN(CheckpointCreateResult c, (*admin)->CreateDetachedCheckpoint());
    id = c.id;
  }
  // Phase 2 fails while copying the WAL: manifest 1 (initialized=false) and the final
  // checkpoint exist, the clone is not usable.
  auto failing = std::make_shared<FailPutsUnder>(store_, "clone/wal/");
  auto crashed = Admin::CreateClone("clone", "parent", id, Comps(failing));
  ASSERT_FALSE(crashed.ok());
  EXPECT_NE(crashed.status().ToString().find("injected"), std::string::npos);
  EXPECT_FALSE(Latest("clone").initialized);
  auto open = Db::Open("clone", Comps(), Settings());
  EXPECT_EQ(open.status().code(), StatusCode::kInvalid);
  EXPECT_NE(open.status().message().find("unfinished clone"), std::string::npos);
  auto reader = DbReader::Open("clone", Comps(), DbReaderOptions());
  EXPECT_EQ(reader.status().code(), StatusCode::kInvalid);
  EXPECT_NE(reader.status().message().find("unfinished clone"), std::string::npos);

  // Other arguments against the half-made clone: refused, naming both.
  MakeParent("other", 1);
  auto wrong_parent = Admin::CreateClone("clone", "other", std::nullopt, Comps());
  EXPECT_EQ(wrong_parent.status().code(), StatusCode::kInvalid);
  EXPECT_NE(wrong_parent.status().message().find("parent at checkpoint " + id), std::string::npos)
      << wrong_parent.status().ToString();
  EXPECT_NE(wrong_parent.status().message().find("as a clone of other"), std::string::npos);
  auto wrong_cp =
      Admin::CreateClone("clone", "parent", "00000000-0000-4000-8000-000000000002", Comps());
  EXPECT_EQ(wrong_cp.status().code(), StatusCode::kInvalid);
  EXPECT_NE(wrong_cp.status().message().find("00000000-0000-4000-8000-000000000002"),
            std::string::npos);
  EXPECT_FALSE(Latest("clone").initialized);

  // The same arguments finish it.
  ASSERT_OK_AND_ASSIGN(CloneResult r, Admin::CreateClone("clone", "parent", id, Comps()));
  EXPECT_EQ(r.source_checkpoint_id, id);
  EXPECT_GE(r.wal_ssts_copied, 1u);
  EXPECT_TRUE(Latest("clone").initialized);
  EXPECT_EQ(ReaderRows("clone"), parent_rows);
  EXPECT_EQ(WriterRows("clone"), parent_rows);
}

TEST_P(CloneTest, AnInterruptedCreationWithoutCheckpointIsFinishedToo) {
  const Map parent_rows = MakeParent("parent", 1);
  // Fails while copying the WAL, after the ephemeral source checkpoint was made for it.
  auto failing = std::make_shared<FailPutsUnder>(store_, "clone/wal/");
  ASSERT_FALSE(Admin::CreateClone("clone", "parent", std::nullopt, Comps(failing)).ok());
  ASSERT_OK_AND_ASSIGN(CloneResult r, Admin::CreateClone("clone", "parent", std::nullopt, Comps()));
  EXPECT_TRUE(HasCheckpoint("parent", r.final_checkpoint_id));
  EXPECT_EQ(ReaderRows("clone"), parent_rows);
}

TEST_P(CloneTest, ParentGcKeepsWhatTheCloneReads) {
  // The clone reads the parent's L0s; then the parent compacts them away and its GC runs with
  // min_age 0 and every expiring checkpoint expired: the final checkpoint keeps them.
  const Map parent_rows = MakeParent("parent", 3);
  ASSERT_OK_AND_ASSIGN(CloneResult r, Admin::CreateClone("clone", "parent", std::nullopt, Comps()));
  const std::vector<format::Ulid> shared = Latest("clone").external_dbs[0].sst_ids;
  ASSERT_EQ(shared.size(), 3u);
  Map parent_now = parent_rows;
  {
    auto db = OpenDb("parent", /*compactor=*/true);
    ASSERT_NE(db, nullptr);
    AwaitUnlisted("parent", shared);
    PutRows(*db, "after", 10, &parent_now);
    ASSERT_OK(db->Flush(FlushType::kMemTable));
    ASSERT_OK(db->Close());
  }
  const gc::GcStats stats = RunGc("parent");
  EXPECT_GE(stats.checkpoints_expired, 2u);  // the clone's source checkpoint, the compactor's
  EXPECT_GE(stats.manifests_deleted, 1u);    // the GC did collect: only the pins held
  EXPECT_TRUE(HasCheckpoint("parent", r.final_checkpoint_id));
  for (const auto& id : shared) {
    auto head = store_->Head(manifest::CompactedSstPath("parent", id));
    EXPECT_OK(head) << id.ToString() << ": " << head.status().ToString();
  }
  EXPECT_EQ(ReaderRows("clone"), parent_rows);
  EXPECT_EQ(WriterRows("clone"), parent_rows);
  EXPECT_EQ(ReaderRows("parent"), parent_now);
}

TEST_P(CloneTest, CloneCompactsParentSstsAndItsGcDetachesTheParent) {
  const Map parent_rows = MakeParent("parent", 3);
  ASSERT_OK_AND_ASSIGN(CloneResult r, Admin::CreateClone("clone", "parent", std::nullopt, Comps()));
  const Map parent_before = Objects(*store_, "parent/");
  Map clone_rows = parent_rows;
  {
    // The compactor starts at open and compacts the parent's three L0s into a run of its own.
    const std::vector<format::Ulid> external = ExternalIds("clone");
    ASSERT_EQ(external.size(), 3u);
    auto db = OpenDb("clone", /*compactor=*/true);
    ASSERT_NE(db, nullptr);
    AwaitUnlisted("clone", external);
    PutRows(*db, "c", 10, &clone_rows);
    ASSERT_OK(db->Flush(FlushType::kMemTable));
    EXPECT_EQ(ScanToMap(*db), clone_rows);
    ASSERT_OK(db->Close());
  }
  // Compaction outputs are the clone's; the parent is untouched.
  EXPECT_EQ(Objects(*store_, "parent/"), parent_before);
  format::Manifest cm = Latest("clone");
  ASSERT_EQ(cm.external_dbs.size(), 1u);
  EXPECT_TRUE(cm.external_dbs[0].sst_ids.empty());  // pruned when the compaction committed
  EXPECT_FALSE(manifest::OwnedSstIds(cm).empty());
  EXPECT_EQ(ReaderRows("clone"), clone_rows);

  // The clone's GC (compactor checkpoints expired): final checkpoint deleted in the parent,
  // then the entry removed. Parent objects are never deleted by it.
  const Map parent_objects = Objects(*store_, "parent/compacted/");
  const gc::GcStats stats = RunGc("clone");
  EXPECT_EQ(stats.clones_detached, 1u);
  EXPECT_TRUE(Latest("clone").external_dbs.empty());
  EXPECT_FALSE(HasCheckpoint("parent", r.final_checkpoint_id));
  EXPECT_EQ(Objects(*store_, "parent/compacted/"), parent_objects);
  EXPECT_EQ(ReaderRows("clone"), clone_rows);
  EXPECT_EQ(WriterRows("clone"), clone_rows);
  EXPECT_EQ(RunGc("clone").clones_detached, 0u);  // nothing left to detach
}

TEST_P(CloneTest, ACloneOfACloneReadsEveryAncestor) {
  const Map parent_rows = MakeParent("gp", 2);
  ASSERT_OK_AND_ASSIGN(CloneResult c1, Admin::CreateClone("c1", "gp", std::nullopt, Comps()));
  Map c1_rows = parent_rows;
  {
    auto db = OpenDb("c1");
    ASSERT_NE(db, nullptr);
    PutRows(*db, "c1", 10, &c1_rows);
    ASSERT_OK(db->Flush(FlushType::kMemTable));
    PutRows(*db, "c1wal", 3, &c1_rows);
    ASSERT_OK(db->Flush(FlushType::kWal));
    ASSERT_OK(db->Close());
  }
  ASSERT_OK_AND_ASSIGN(CloneResult c2, Admin::CreateClone("c2", "c1", std::nullopt, Comps()));
  const format::Manifest m2 = Latest("c2");
  ASSERT_EQ(m2.external_dbs.size(), 2u);
  EXPECT_EQ(m2.external_dbs[0].path, "gp");
  EXPECT_EQ(m2.external_dbs[0].source_checkpoint_id.ToString(), c1.final_checkpoint_id);
  EXPECT_EQ(m2.external_dbs[0].sst_ids.size(), 2u);
  EXPECT_EQ(m2.external_dbs[1].path, "c1");
  EXPECT_EQ(m2.external_dbs[1].sst_ids.size(), 1u);
  // Both ancestors pin what c2 reads.
  EXPECT_TRUE(HasCheckpoint("gp", m2.external_dbs[0].final_checkpoint_id->ToString()));
  EXPECT_TRUE(HasCheckpoint("c1", c2.final_checkpoint_id));
  manifest::SstPathResolver paths("c2", m2);
  EXPECT_EQ(paths.OwnerPath(m2.external_dbs[0].sst_ids[0]), "gp");
  EXPECT_EQ(paths.OwnerPath(m2.external_dbs[1].sst_ids[0]), "c1");

  EXPECT_EQ(ReaderRows("c2"), c1_rows);
  const Map c1_before = Objects(*store_, "c1/");
  const Map gp_before2 = Objects(*store_, "gp/");
  Map c2_rows = c1_rows;
  {
    const std::vector<format::Ulid> external = ExternalIds("c2");
    ASSERT_EQ(external.size(), 3u);
    auto db = OpenDb("c2", /*compactor=*/true);
    ASSERT_NE(db, nullptr);
    AwaitUnlisted("c2", external);  // all three L0s (two of gp, one of c1) compacted
    PutRows(*db, "c2", 10, &c2_rows);
    ASSERT_OK(db->Flush(FlushType::kMemTable));
    EXPECT_EQ(ScanToMap(*db), c2_rows);
    ASSERT_OK(db->Close());
  }
  EXPECT_EQ(Objects(*store_, "c1/"), c1_before);
  EXPECT_EQ(Objects(*store_, "gp/"), gp_before2);
  EXPECT_EQ(ReaderRows("c2"), c2_rows);
  EXPECT_EQ(ReaderRows("c1"), c1_rows);
  EXPECT_EQ(ReaderRows("gp"), parent_rows);
  // Both ancestors detach once c2 has compacted everything into its own SSTs.
  EXPECT_EQ(RunGc("c2").clones_detached, 2u);
  EXPECT_TRUE(Latest("c2").external_dbs.empty());
  EXPECT_FALSE(HasCheckpoint("c1", c2.final_checkpoint_id));
  EXPECT_TRUE(HasCheckpoint("gp", c1.final_checkpoint_id));  // c1 still reads gp
  EXPECT_EQ(ReaderRows("c2"), c2_rows);
}

INSTANTIATE_TEST_SUITE_P(Stores, CloneTest, ::testing::Values("memory", "local", "s3"));

TEST(CloneOpsTest, CloneManifestAndPruning) {
  format::Manifest parent;
  format::SstHandle a, b, c;
  a.id = {1, 1};
  b.id = {1, 2};
  c.id = {1, 3};
  parent.l0 = {a};
  parent.compacted = {format::SortedRun{0, {b, c}}};
  format::ExternalDb inherited;
  inherited.path = "gp";
  inherited.source_checkpoint_id = format::Uuid{1, 1};
  inherited.final_checkpoint_id = format::Uuid{1, 2};
  inherited.sst_ids = {c.id};
  parent.external_dbs = {inherited};
  format::Checkpoint cp;
  parent.checkpoints = {cp};
  uint64_t n = 10;
  format::Manifest m = db::CloneManifest(parent, "p", format::Uuid{2, 2}, [&] {
    return format::Uuid{9, ++n};
  });
  EXPECT_FALSE(m.initialized);
  EXPECT_TRUE(m.checkpoints.empty());
  ASSERT_EQ(m.external_dbs.size(), 2u);
  EXPECT_EQ(m.external_dbs[0].path, "gp");
  EXPECT_EQ(m.external_dbs[0].source_checkpoint_id, (format::Uuid{1, 2}));
  EXPECT_EQ(m.external_dbs[0].final_checkpoint_id, (format::Uuid{9, 11}));
  EXPECT_EQ(m.external_dbs[0].sst_ids, std::vector<format::Ulid>{c.id});
  EXPECT_EQ(m.external_dbs[1].path, "p");
  EXPECT_EQ(m.external_dbs[1].source_checkpoint_id, (format::Uuid{2, 2}));
  EXPECT_EQ(m.external_dbs[1].final_checkpoint_id, (format::Uuid{9, 12}));
  EXPECT_EQ(m.external_dbs[1].sst_ids, (std::vector<format::Ulid>{a.id, b.id}));
  EXPECT_EQ(m.l0, parent.l0);

  manifest::SstPathResolver paths("me", m);
  EXPECT_EQ(paths.Path(a.id), "p/compacted/" + a.id.ToString() + ".sst");
  EXPECT_EQ(paths.Path(c.id), "gp/compacted/" + c.id.ToString() + ".sst");
  const format::Ulid own{7, 7};
  EXPECT_EQ(paths.Path(own), "me/compacted/" + own.ToString() + ".sst");

  // A compaction rewrote a and b: their ids leave the list; the emptied entry stays.
  m.l0.clear();
  format::SstHandle out;
  out.id = {5, 5};
  m.compacted = {format::SortedRun{1, {out}}, format::SortedRun{0, {c}}};
  EXPECT_EQ(manifest::PruneExternalSstIds(m), 2u);
  EXPECT_TRUE(m.external_dbs[1].sst_ids.empty());
  EXPECT_EQ(m.external_dbs[0].sst_ids, std::vector<format::Ulid>{c.id});
  EXPECT_EQ(manifest::OwnedSstIds(m), std::vector<format::Ulid>{out.id});
  EXPECT_EQ(manifest::PruneExternalSstIds(m), 0u);
}

}  // namespace
}  // namespace slatedb
