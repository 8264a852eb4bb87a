// Hardening tests through the public API: objects that are not ours are never taken for ours
// (nor deleted), and the database path is normalised and validated before any object-store call.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "compactor/compactor.h"
#include "gc/garbage_collector.h"
#include "slatedb/db.h"
#include "slatedb/object_store.h"
#include "test_settings.h"
#include "test_util.h"

namespace slatedb {
namespace {

Settings BaseSettings() {
  Settings s;
  s.flush_interval = std::chrono::milliseconds(10);
  s.manifest_poll_interval = std::chrono::milliseconds(20);
  s.compactor_options.reset();
  s.garbage_collector_options.reset();
  return s;
}

Result<std::unique_ptr<Db>> OpenDb(std::shared_ptr<ObjectStore> store, const std::string& path,
                                   const Settings& settings = BaseSettings()) {
  Components c;
  c.object_store = std::move(store);
  c.seed = 7;
  return Db::Open(path, std::move(c), settings);
}

using testing::ScanToMap;

std::vector<std::string> Listing(ObjectStore& store) {
  auto list = store.List("");
  EXPECT_OK(list) << list.status().ToString();
  std::vector<std::string> out;
  if (!list.ok()) return out;
  for (const auto& m : *list) out.push_back(m.key + "@" + m.etag);
  return out;
}

// Keys that look almost like ours, in every directory the engine lists. None may be read,
// fenced on or deleted.
const std::vector<std::string>& StrayKeys() {
  static const std::vector<std::string> keys = {
      // manifest/
      "db/manifest/backup/00000000000000000050.manifest",
      "db/manifest/0000000000000000050.manifest",    // 19 digits
      "db/manifest/000000000000000000050.manifest",  // 21 digits
      "db/manifest/00000000000000000050.manifest.tmp",
      "db/manifest/00000000000000000050.manifest/x",  // a "directory" named like a version
      "db/manifest/50.manifest",
      // wal/
      "db/wal/backup/00000000000000000100.sst",
      "db/wal/0000000000000000100.sst",
      "db/wal/000000000000000000100.sst",
      "db/wal/00000000000000000100.sst.tmp",
      "db/wal/00000000000000000100.txt",
      "db/wal/00000000000000000100.sst/x",
      "db/wal/100.sst",
      // compacted/ (an old ULID timestamp, far below any GC watermark)
      "db/compacted/backup/01M8BVF2MX00NHKW27PPS3ZNMD.sst",
      "db/compacted/01m8bvf2mx00nhkw27pps3znmd.sst",  // lower case
      "db/compacted/01M8BVF2MX00NHKW27PPS3ZNMU.sst",  // 'U' is not Crockford
      "db/compacted/01M8BVF2MX00NHKW27PPS3ZNM.sst",   // 25 characters
      "db/compacted/01M8BVF2MX00NHKW27PPS3ZNMD.sst.tmp",
      "db/compacted/01M8BVF2MX00NHKW27PPS3ZNMD.sst/x",
      // compactions/
      "db/compactions/backup/00000000000000000060.compactions",
      "db/compactions/0000000000000000060.compactions",
      "db/compactions/00000000000000000060.compactions.tmp",
      "db/compactions/00000000000000000060.compactions/x",
  };
  return keys;
}

// SlateDB's fences may be zero-byte objects in the WAL id space (format delta 0.17 §5): recovery
// by a writer and a reader steps over one instead of failing to decode it.
TEST(HardeningTest, ZeroByteWalObjectIsAFenceOnRecovery) {
  auto store = NewMemoryObjectStore();
  WriteOptions durable;
  durable.await_durable = true;
  {
    ASSERT_OK_AND_ASSIGN(auto db, OpenDb(store, "db"));
    ASSERT_OK(db->Put("k1", "v1", PutOptions(), durable).status());
    ASSERT_OK(db->Close());
  }
  uint64_t last = 0;
  ASSERT_OK_AND_ASSIGN(auto wal, store->List("db/wal/"));
  for (const auto& meta : wal) {
    const std::string name = meta.key.substr(meta.key.rfind('/') + 1);
    last = std::max<uint64_t>(last, std::stoull(name.substr(0, name.find('.'))));
  }
  ASSERT_GT(last, 0u);
  char key[64];
  std::snprintf(key, sizeof(key), "db/wal/%020llu.sst", static_cast<unsigned long long>(last + 1));
  ASSERT_OK(store->Put(key, "").status());
  {
    ASSERT_OK_AND_ASSIGN(auto db, OpenDb(store, "db"));
    EXPECT_EQ(ScanToMap(*db), (std::map<std::string, std::string>{{"k1", "v1"}}));
    ASSERT_OK(db->Put("k2", "v2", PutOptions(), durable).status());
    ASSERT_OK(db->Close());
  }
  Components c;
  c.object_store = store;
  ASSERT_OK_AND_ASSIGN(auto reader, DbReader::Open("db", std::move(c), DbReaderOptions()));
  EXPECT_EQ(ScanToMap(*reader), (std::map<std::string, std::string>{{"k1", "v1"}, {"k2", "v2"}}));
  ASSERT_OK(reader->Close());
}

TEST(HardeningTest, StrayObjectsAreIgnoredAndKept) {
  auto store = NewMemoryObjectStore();
  for (const auto& key : StrayKeys()) {
    ASSERT_OK(store->Put(key, "not an object of this database")) << key;
  }
  Settings s = BaseSettings();
  s.l0_sst_size_bytes = 1024;
  s.compactor_options = testing::EagerCompactorOptions();
  GarbageCollectorOptions gopts;
  GcDirectoryOptions aggressive;
  aggressive.interval = std::chrono::milliseconds(5);
  aggressive.min_age = std::chrono::milliseconds(0);
  gopts.manifest_options = gopts.wal_options = gopts.compacted_options = gopts.compactions_options =
      aggressive;
  s.garbage_collector_options = gopts;

  std::map<std::string, std::string> model;
  {
    auto db = OpenDb(store, "db", s);
    ASSERT_OK(db) << db.status().ToString();
    auto st = (*db)->GetStatus();
    ASSERT_OK(st);
    EXPECT_EQ(st->writer_epoch, 1u);
    EXPECT_LT(st->next_wal_id, 10u) << "the writer fenced at a stray WAL id";
    for (int i = 0; i < 80; ++i) {
      std::string k = "key" + std::to_string(1000 + i % 50), v = "v" + std::to_string(i);
      ASSERT_OK((*db)->Put(k, v + std::string(40, 'x')));
      model[k] = v + std::string(40, 'x');
      if (i % 10 == 9) {
        ASSERT_OK((*db)->Flush(FlushType::kMemTable));
      }
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      auto now = (*db)->GetStatus();
      ASSERT_OK(now);
      if (now->l0_ssts == 0 && now->sorted_runs >= 1) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    st = (*db)->GetStatus();
    ASSERT_OK(st);
    EXPECT_GE(st->sorted_runs, 1u) << "no compaction ran";
    EXPECT_EQ(ScanToMap(**db), model);
    // The reader sees exactly the data too.
    Components rc;
    rc.object_store = store;
    auto reader = DbReader::Open("db", rc);
    ASSERT_OK(reader) << reader.status().ToString();
    EXPECT_EQ(ScanToMap(**reader), model);
    ASSERT_OK((*reader)->Close());
    // A standalone GC, as aggressive as possible, a few rounds.
    auto collector = gc::GarbageCollector::Open(store, "db", gopts, nullptr);
    ASSERT_OK(collector) << collector.status().ToString();
    for (int round = 0; round < 3; ++round) {
      auto r = (*collector)->RunOnce();
      ASSERT_OK(r) << r.status().ToString();
    }
    ASSERT_OK((*db)->Close());
  }
  auto db = OpenDb(store, "db", s);
  ASSERT_OK(db) << db.status().ToString();
  auto st = (*db)->GetStatus();
  ASSERT_OK(st);
  EXPECT_EQ(st->writer_epoch, 2u);
  EXPECT_EQ(ScanToMap(**db), model);
  ASSERT_OK((*db)->Close());
  for (const auto& key : StrayKeys()) {
    auto got = store->Get(key);
    EXPECT_OK(got) << key << " was deleted: " << got.status().ToString();
    if (got.ok()) {
      EXPECT_EQ(*got, "not an object of this database") << key;
    }
  }
}

TEST(HardeningTest, TrailingAndLeadingSlashesNameTheSameDatabase) {
  auto store = NewMemoryObjectStore();
  {
    auto db = OpenDb(store, "db");
    ASSERT_OK(db) << db.status().ToString();
    ASSERT_OK((*db)->Put("a", "1"));
    ASSERT_OK((*db)->Close());
  }
  for (const char* path : {"db/", "/db", "/db/", "db//"}) {
    SCOPED_TRACE(path);
    auto db = OpenDb(store, path);
    ASSERT_OK(db) << db.status().ToString();
    EXPECT_EQ((*db)->Get("a").value_or(std::nullopt), std::optional<std::string>("1"));
    ASSERT_OK((*db)->Put(std::string("via ") + path, "2"));
    ASSERT_OK((*db)->Close());
    Components rc;
    rc.object_store = store;
    auto reader = DbReader::Open(path, rc);
    ASSERT_OK(reader) << reader.status().ToString();
    EXPECT_EQ((*reader)->Get("a").value_or(std::nullopt), std::optional<std::string>("1"));
  }
  auto list = store->List("");
  ASSERT_OK(list);
  for (const auto& m : *list) {
    EXPECT_EQ(m.key.rfind("db/", 0), 0u) << m.key;
    EXPECT_EQ(m.key.find("//"), std::string::npos) << m.key;
  }
  auto db = OpenDb(store, "db");
  ASSERT_OK(db) << db.status().ToString();
  EXPECT_EQ(ScanToMap(**db).size(), 5u);
}

// A bad path fails with kInvalid naming it before any object-store call: the store is
// unchanged and a live writer of "db" is not fenced.
TEST(HardeningTest, BadPathsAreInvalidAndTouchNothing) {
  auto store = NewMemoryObjectStore();
  auto live = OpenDb(store, "db");
  ASSERT_OK(live) << live.status().ToString();
  ASSERT_OK((*live)->Put("a", "1"));
  ASSERT_OK((*live)->Flush(FlushType::kWal));
  const std::vector<std::string> before = Listing(*store);
  for (const std::string& path :
       {std::string(""), std::string("/"), std::string("//"), std::string("db//x"),
        std::string("a/../db"), std::string("db/."), std::string("./db"), std::string("db\n"),
        std::string("d\x01"
                    "b")}) {
    SCOPED_TRACE(path);
    Settings s = BaseSettings();
    s.compactor_options = CompactorOptions{};
    s.garbage_collector_options = GarbageCollectorOptions{};
    auto db = OpenDb(store, path, s);
    ASSERT_FALSE(db.ok());
    EXPECT_TRUE(db.status().IsInvalid()) << db.status().ToString();
    EXPECT_NE(db.status().message().find("database path '"), std::string::npos)
        << db.status().ToString();
    Components rc;
    rc.object_store = store;
    auto reader = DbReader::Open(path, rc);
    EXPECT_TRUE(reader.status().IsInvalid()) << reader.status().ToString();
    auto c = compactor::Compactor::Open(store, path, CompactorOptions{},
                                        compactor::OutputSettings{}, nullptr, 1);
    EXPECT_TRUE(c.status().IsInvalid()) << c.status().ToString();
    auto g = gc::GarbageCollector::Open(store, path, GarbageCollectorOptions{}, nullptr);
    EXPECT_TRUE(g.status().IsInvalid()) << g.status().ToString();
    EXPECT_EQ(Listing(*store), before) << "the store changed";
  }
  Status put = (*live)->Put("b", "2").status();
  EXPECT_OK(put) << "the live writer was fenced: " << put.ToString();
  EXPECT_OK((*live)->Close());
}

}  // namespace
}  // namespace slatedb
