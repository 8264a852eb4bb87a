// Checkpoints end to end (issue 13 item 1): Db::CreateCheckpoint scopes (kAll flushes the
// memtable, kDurable pins only what is stored), the Admin API (create / list / refresh / delete,
// sources, errors naming the id or the path, nothing created on a missing database), DbReader's
// frozen view at a checkpoint and its managed checkpoint refreshed at half its lifetime so the
// garbage collector keeps it where an unrefreshed one expires. On memory, a local directory and
// S3 (moto at $SLATEDB_TEST_S3_ENDPOINT; skipped when unset).
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "backend.h"
#include "gc/garbage_collector.h"
#include "gtest/gtest.h"
#include "manifest/manifest_store.h"
#include "object_store/s3_object_store.h"
#include "slatedb/admin.h"
#include "slatedb/db.h"
#include "slatedb/object_store.h"
#include "subprocess.h"
#include "test_util.h"
#include "util/random.h"

namespace slatedb {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using testing::ScanToMap;

constexpr int64_t kStart = 1'700'000'000'000;  // ManualClock start (Unix ms)

class CheckpointTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(auto b, testing::MakeTestStore(GetParam(), dir_.path(), "checkpoints"));
    if (!b.skip.empty()) GTEST_SKIP() << b.skip;
    store_ = b.store;
  }

  Components Comps() {
    Components c;
    c.object_store = store_;
    c.clock = clock_;
    c.seed = 7;
    return c;
  }

  // No timer-driven WAL upload, no embedded compactor or GC: the test decides what is stored.
  std::unique_ptr<Db> OpenDb() {
    Settings s;
    s.flush_interval.reset();
    s.manifest_poll_interval = milliseconds(50);
    s.compactor_options.reset();
    s.garbage_collector_options.reset();
    auto db = Db::Open("db", Comps(), s);
    EXPECT_OK(db) << db.status().ToString();
    return db.ok() ? std::move(*db) : nullptr;
  }

  std::unique_ptr<Admin> OpenAdmin() {
    auto admin = Admin::Open("db", Comps());
    EXPECT_OK(admin) << admin.status().ToString();
    return admin.ok() ? std::move(*admin) : nullptr;
  }

  std::map<std::string, std::string> FrozenRows(const std::string& id) {
    DbReaderOptions o;
    o.checkpoint_id = id;
    auto reader = DbReader::Open("db", Comps(), o);
    EXPECT_OK(reader) << reader.status().ToString();
    if (!reader.ok()) return {};
    auto rows = ScanToMap(**reader);
    EXPECT_OK((*reader)->Close());
    return rows;
  }

  std::optional<CheckpointInfo> Find(Admin& admin, const std::string& id) {
    auto list = admin.ListCheckpoints();
    EXPECT_OK(list) << list.status().ToString();
    if (!list.ok()) return std::nullopt;
    for (const auto& c : *list) {
      if (c.id == id) return c;
    }
    return std::nullopt;
  }

  testing::TempDir dir_;
  std::shared_ptr<ObjectStore> store_;
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(kStart);
};

TEST_P(CheckpointTest, AllFlushesTheMemtableDurablePinsWhatIsStored) {
  auto db = OpenDb();
  ASSERT_NE(db, nullptr);
  ASSERT_OK(db->Put("a", "1"));
  ASSERT_OK(db->Flush(FlushType::kWal));  // "a" is in a WAL SST
  ASSERT_OK(db->Put("b", "2"));           // "b" only in the memtable / WAL buffer

  ASSERT_OK_AND_ASSIGN(CheckpointCreateResult durable,
                       db->CreateCheckpoint(CheckpointScope::kDurable));
  ASSERT_OK_AND_ASSIGN(CheckpointCreateResult all, db->CreateCheckpoint(CheckpointScope::kAll));
  EXPECT_NE(durable.id, all.id);
  EXPECT_GT(all.manifest_id, durable.manifest_id);
  ASSERT_OK(db->Put("c", "3"));  // after both
  ASSERT_OK(db->Flush(FlushType::kMemTable));

  using Map = std::map<std::string, std::string>;
  EXPECT_EQ(FrozenRows(durable.id), (Map{{"a", "1"}}));
  EXPECT_EQ(FrozenRows(all.id), (Map{{"a", "1"}, {"b", "2"}}));

  // Both are listed, pinning the versions reported, never expiring.
  auto admin = OpenAdmin();
  ASSERT_NE(admin, nullptr);
  auto d = Find(*admin, durable.id);
  auto a = Find(*admin, all.id);
  ASSERT_TRUE(d && a);
  EXPECT_EQ(d->manifest_id, durable.manifest_id);
  EXPECT_EQ(a->manifest_id, all.manifest_id);
  EXPECT_EQ(a->expire_time_s, std::nullopt);
  EXPECT_EQ(a->create_time_s, kStart / 1000);

  // Options: a name, a lifetime, a source; bad ones are rejected naming the value.
  CheckpointOptions named;
  named.name = "nightly";
  named.lifetime = hours(1);
  named.source = durable.id;
  ASSERT_OK_AND_ASSIGN(CheckpointCreateResult from_source,
                       db->CreateCheckpoint(CheckpointScope::kDurable, named));
  EXPECT_EQ(from_source.manifest_id, durable.manifest_id);
  auto s = Find(*admin, from_source.id);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->name, "nightly");
  EXPECT_EQ(s->expire_time_s, kStart / 1000 + 3600);
  CheckpointOptions bad;
  bad.lifetime = milliseconds(-1);
  EXPECT_EQ(db->CreateCheckpoint(CheckpointScope::kAll, bad).status().code(), StatusCode::kInvalid);
  CheckpointOptions unknown;
  unknown.source = "00000000-0000-4000-8000-000000000001";
  auto r = db->CreateCheckpoint(CheckpointScope::kDurable, unknown);
  EXPECT_TRUE(r.status().IsNotFound()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("00000000-0000-4000-8000-000000000001"), std::string::npos);
  ASSERT_OK(db->Close());
  EXPECT_TRUE(db->CreateCheckpoint(CheckpointScope::kAll).status().IsClosed());
}

TEST_P(CheckpointTest, AdminCreatesRefreshesListsAndDeletes) {
  // No database: a clear error naming the path, and nothing is written.
  auto none = Admin::Open("nothing/here", Comps());
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("nothing/here"), std::string::npos);
  ASSERT_OK_AND_ASSIGN(auto objects, store_->List(""));
  EXPECT_TRUE(objects.empty());

  auto db = OpenDb();
  ASSERT_NE(db, nullptr);
  ASSERT_OK(db->Put("k", "v"));
  // In L0: a detached checkpoint sees what the manifest lists (plus the WAL SSTs up to its
  // wal_id_last_seen, as SlateDB's reader replays), not WAL SSTs the writer has not listed yet.
  ASSERT_OK(db->Flush(FlushType::kMemTable));
  auto admin = OpenAdmin();
  ASSERT_NE(admin, nullptr);

  CheckpointOptions o1;
  o1.name = "one";
  o1.lifetime = hours(1);
  ASSERT_OK_AND_ASSIGN(CheckpointCreateResult c1, admin->CreateDetachedCheckpoint(o1));
  ASSERT_OK_AND_ASSIGN(uint64_t latest, admin->LatestManifestId());
  EXPECT_EQ(c1.manifest_id, latest);  // pins the version it was written in
  CheckpointOptions o2;
  o2.name = "two";
  ASSERT_OK_AND_ASSIGN(CheckpointCreateResult c2, admin->CreateDetachedCheckpoint(o2));

  ASSERT_OK_AND_ASSIGN(auto all, admin->ListCheckpoints());
  ASSERT_EQ(all.size(), 2u);
  ASSERT_OK_AND_ASSIGN(auto only_one, admin->ListCheckpoints("one"));
  ASSERT_EQ(only_one.size(), 1u);
  EXPECT_EQ(only_one[0].id, c1.id);
  EXPECT_EQ(only_one[0].expire_time_s, kStart / 1000 + 3600);
  ASSERT_OK_AND_ASSIGN(auto no_match, admin->ListCheckpoints("three"));
  EXPECT_TRUE(no_match.empty());

  // The writer keeps admin checkpoints when it writes manifests of its own.
  ASSERT_OK(db->Put("k2", "v2"));
  ASSERT_OK(db->Flush(FlushType::kMemTable));
  EXPECT_TRUE(Find(*admin, c1.id) && Find(*admin, c2.id));
  EXPECT_EQ(FrozenRows(c1.id), (std::map<std::string, std::string>{{"k", "v"}}));  // not k2

  // Refresh: a new expiry from now, or none.
  clock_->Advance(30 * 60 * 1000);
  ASSERT_OK(admin->RefreshCheckpoint(c1.id, hours(2)));
  EXPECT_EQ(Find(*admin, c1.id)->expire_time_s, kStart / 1000 + 1800 + 7200);
  ASSERT_OK(admin->RefreshCheckpoint(c1.id, std::nullopt));
  EXPECT_EQ(Find(*admin, c1.id)->expire_time_s, std::nullopt);
  ASSERT_OK(admin->RefreshCheckpoint(c2.id, minutes(1)));
  EXPECT_EQ(Find(*admin, c2.id)->expire_time_s, kStart / 1000 + 1800 + 60);

  // Delete; unknown and malformed ids are errors naming them.
  ASSERT_OK(admin->DeleteCheckpoint(c2.id));
  EXPECT_FALSE(Find(*admin, c2.id));
  Status again = admin->DeleteCheckpoint(c2.id);
  EXPECT_TRUE(again.IsNotFound()) << again.ToString();
  EXPECT_NE(again.message().find(c2.id), std::string::npos);
  Status refresh_gone = admin->RefreshCheckpoint(c2.id, hours(1));
  EXPECT_TRUE(refresh_gone.IsNotFound()) << refresh_gone.ToString();
  Status malformed = admin->DeleteCheckpoint("not-a-uuid");
  EXPECT_EQ(malformed.code(), StatusCode::kInvalid);
  EXPECT_NE(malformed.message().find("not-a-uuid"), std::string::npos);
  EXPECT_EQ(admin->RefreshCheckpoint(c1.id, milliseconds(-5)).code(), StatusCode::kInvalid);

  // Frozen readers: unknown id, conflicting modes.
  DbReaderOptions frozen;
  frozen.checkpoint_id = c2.id;
  auto gone = DbReader::Open("db", Comps(), frozen);
  EXPECT_TRUE(gone.status().IsNotFound()) << gone.status().ToString();
  frozen.checkpoint_lifetime = minutes(1);
  EXPECT_EQ(DbReader::Open("db", Comps(), frozen).status().code(), StatusCode::kInvalid);
  ASSERT_OK(db->Close());
}

TEST_P(CheckpointTest, ManagedReaderCheckpointIsRefreshedAndOutlivesAnUnrefreshedOne) {
  auto db = OpenDb();
  ASSERT_NE(db, nullptr);
  ASSERT_OK(db->Put("k", "v"));
  ASSERT_OK(db->Flush(FlushType::kMemTable));
  auto admin = OpenAdmin();
  ASSERT_NE(admin, nullptr);

  DbReaderOptions managed;
  managed.checkpoint_lifetime = minutes(10);
  managed.manifest_poll_interval = milliseconds(5);
  ASSERT_OK_AND_ASSIGN(auto reader, DbReader::Open("db", Comps(), managed));
  CheckpointOptions plain;
  plain.lifetime = minutes(10);
  ASSERT_OK_AND_ASSIGN(CheckpointCreateResult unrefreshed, admin->CreateDetachedCheckpoint(plain));
  ASSERT_OK_AND_ASSIGN(auto listed, admin->ListCheckpoints());
  ASSERT_EQ(listed.size(), 2u);
  const std::string reader_id = listed[0].id == unrefreshed.id ? listed[1].id : listed[0].id;
  const uint32_t first_expiry = *Find(*admin, reader_id)->expire_time_s;
  EXPECT_EQ(first_expiry, kStart / 1000 + 600);

  // Past half the lifetime the reader's poller refreshes its checkpoint (waits for the poll; the
  // bound only keeps a broken build from hanging).
  clock_->Advance(6 * 60 * 1000);
  uint32_t expiry = first_expiry;
  for (int i = 0; i < 2000 && expiry == first_expiry; ++i) {
    auto c = Find(*admin, reader_id);
    ASSERT_TRUE(c && c->expire_time_s);
    expiry = *c->expire_time_s;
    if (expiry == first_expiry) std::this_thread::sleep_for(milliseconds(5));
  }
  EXPECT_EQ(expiry, kStart / 1000 + 360 + 600);

  // 12 minutes in: the unrefreshed checkpoint has expired and the GC removes it; the reader's
  // is live and stays, with the manifest it pins.
  clock_->Advance(6 * 60 * 1000);
  GcDirectoryOptions d{std::chrono::seconds(60), milliseconds(0)};
  ASSERT_OK_AND_ASSIGN(auto gc, gc::GarbageCollector::Open(
                                    store_, "db", GarbageCollectorOptions{d, d, d, d}, clock_));
  ASSERT_OK_AND_ASSIGN(gc::GcStats stats, gc->RunOnce());
  EXPECT_EQ(stats.checkpoints_expired, 1u);
  EXPECT_FALSE(Find(*admin, unrefreshed.id));
  auto kept = Find(*admin, reader_id);
  ASSERT_TRUE(kept);
  manifest::ManifestStore ms(store_, "db");
  EXPECT_OK(ms.Read(kept->manifest_id).status());
  EXPECT_EQ(ScanToMap(*reader), (std::map<std::string, std::string>{{"k", "v"}}));

  // Close removes the reader's checkpoint.
  ASSERT_OK(reader->Close());
  EXPECT_FALSE(Find(*admin, reader_id));
  ASSERT_OK(db->Close());
}

INSTANTIATE_TEST_SUITE_P(Backends, CheckpointTest, ::testing::Values("memory", "local", "s3"));

// SlateDB 0.12.1 (the peer CLI) opens a database holding our checkpoints (compatibility "0.12"),
// reads and writes it, and keeps the checkpoints as we wrote them. Skipped without the peer.
TEST(CheckpointPeerTest, PeerOpensADatabaseWithOurCheckpointsAndKeepsThem) {
  if (!std::filesystem::exists(testing::PeerCli())) {
    GTEST_SKIP() << "peer not found: " << testing::PeerCli();
  }
  testing::TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, NewLocalObjectStore(dir.path()));
  Components c;
  c.object_store = store;
  c.seed = 3;
  Settings s;
  s.compatibility = "0.12";
  s.compactor_options.reset();
  s.garbage_collector_options.reset();
  ASSERT_OK_AND_ASSIGN(auto db, Db::Open("db", c, s));
  ASSERT_OK(db->Put("k", "v"));
  CheckpointOptions named;
  named.name = "ours";
  named.lifetime = hours(1);
  ASSERT_OK_AND_ASSIGN(CheckpointCreateResult cp,
                       db->CreateCheckpoint(CheckpointScope::kAll, named));
  ASSERT_OK(db->Close());
  ASSERT_OK_AND_ASSIGN(auto admin, Admin::Open("db", c));
  ASSERT_OK_AND_ASSIGN(CheckpointCreateResult detached, admin->CreateDetachedCheckpoint());
  ASSERT_OK_AND_ASSIGN(auto before, admin->ListCheckpoints());
  ASSERT_EQ(before.size(), 2u);

  auto peer = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {testing::PeerCli(), "--url", "file://" + dir.path(), "--path",
                                     "db"};
    argv.insert(argv.end(), args.begin(), args.end());
    return testing::RunProcess(argv, "", std::chrono::minutes(2));
  };
  auto get = peer({"get", "k"});
  ASSERT_EQ(get.exit_code, 0) << get.err;
  EXPECT_EQ(get.out, "v\n");
  auto put = peer({"put", "k2", "v2"});
  ASSERT_EQ(put.exit_code, 0) << put.err;

  ASSERT_OK_AND_ASSIGN(auto after, admin->ListCheckpoints());
  ASSERT_EQ(after.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(after[i].id, before[i].id);
    EXPECT_EQ(after[i].manifest_id, before[i].manifest_id);
    EXPECT_EQ(after[i].expire_time_s, before[i].expire_time_s);
    EXPECT_EQ(after[i].create_time_s, before[i].create_time_s);
    EXPECT_EQ(after[i].name, before[i].name);
  }
  DbReaderOptions frozen;
  frozen.checkpoint_id = cp.id;
  ASSERT_OK_AND_ASSIGN(auto reader, DbReader::Open("db", c, frozen));
  EXPECT_EQ(ScanToMap(*reader), (std::map<std::string, std::string>{{"k", "v"}}));
  ASSERT_OK(reader->Close());
  ASSERT_OK(admin->DeleteCheckpoint(detached.id));
}

}  // namespace
}  // namespace slatedb
