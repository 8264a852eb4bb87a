// Opens databases written by the real SlateDB 0.12.1 (frozen peer fixtures, copied to a temp
// dir first) as DbReader and as writer, and checks their logical contents. Expected contents
// come from the fixture generators (shared/peer/kit/gen_*.mjs) and were cross-checked with
// `python3 shared/peer/kit/sldecode.py` on every SST / WAL / manifest of each fixture.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "slatedb/db.h"
#include "slatedb/object_store.h"
#include "subprocess.h"
#include "test_util.h"

namespace slatedb {
namespace {

using Contents = std::map<std::string, std::string>;

struct Fixture {
  std::string name;
  Contents live;                        // every visible key → value
  std::vector<std::string> deleted;     // keys whose newest version is a tombstone
  std::vector<std::string> merge_keys;  // keys whose newest version is a merge operand
  uint64_t max_seq = 0;                 // highest seq in the database
};

Fixture Basic() {
  return {"basic", {{"apple", "green"}, {"empty", ""}}, {"banana", "cherry"}, {"counter"}, 7};
}
Fixture Compact() {
  Fixture f{"compact", {}, {}, {}, 75};
  for (int i = 0; i < 7500; ++i) {
    char key[16];
    std::snprintf(key, sizeof(key), "key%08d", i);
    f.live[key] = "value-" + std::to_string(i) + "-" + std::string(20, 'x');
  }
  return f;
}
Fixture SrMerge() {
  Fixture f{"srmerge", {}, {}, {}, 8};
  for (int i = 0; i < 500; ++i) {
    char key[16];
    std::snprintf(key, sizeof(key), "k%05d", i);
    f.live[key] = "r7-" + std::to_string(i);
  }
  return f;
}
Fixture ReopenP3() {
  Fixture f{"reopen_p3", {}, {}, {}, 10};
  for (const char* k : {"k00", "k01", "k02", "k10", "k11", "k12", "k20", "k21", "k22", "k30"}) {
    f.live[k] = std::string("v") + (k + 1);
  }
  return f;
}
Fixture PyWriter(const std::string& codec) {
  Fixture f{"pywriter_" + codec, {}, {"py011", "py021"}, {}, 308};
  for (int i = 0; i < 300; ++i) {
    char key[16];
    std::snprintf(key, sizeof(key), "py%03d", i);
    f.live[key] = "sr-value-" + std::to_string(i);
  }
  f.live.erase("py011");
  f.live.erase("py021");
  f.live["py010"] = "l0-overwrite";
  f.live["py012"] = "l0-v2";
  f.live["py020"] = "from-wal";
  f.live["py299"] = "rust-overwrite";
  f.live["aa-wal"] = "same-batch-seq";
  f.live["pz-new"] = "fresh";
  return f;
}

std::vector<Fixture> AllFixtures() {
  std::vector<Fixture> out = {Basic(), Compact(), SrMerge(), ReopenP3()};
  for (const char* codec : {"none", "zlib", "lz4", "snappy", "zstd"})
    out.push_back(PyWriter(codec));
  return out;
}

// Copies fixture `name` into a fresh temp dir (fixtures are read-only) and returns a local
// store rooted there; the database path is "db".
std::shared_ptr<ObjectStore> CopyFixture(const std::string& name, testing::TempDir& dir) {
  std::string from = testing::FixturesDir() + "/" + name;
  EXPECT_TRUE(testing::CopyTree(from, dir.path())) << "copying " << from;
  auto store = NewLocalObjectStore(dir.path());
  EXPECT_OK(store) << store.status().ToString();
  return store.ok() ? *store : nullptr;
}

// Checks every key of `f` through `get` and a full forward and reverse scan through `scan`
// (fixtures with merge operands are scanned around those keys).
template <typename DbLike>
void CheckContents(DbLike& db, const Fixture& f, const Contents& extra = {}) {
  Contents expected = f.live;
  for (const auto& [k, v] : extra) expected[k] = v;
  for (const auto& [k, v] : expected) {
    auto got = db.Get(k, ReadOptions());
    ASSERT_OK(got) << f.name << " " << k << ": " << got.status().ToString();
    ASSERT_EQ(*got, std::optional<std::string>(v)) << f.name << " key " << k;
  }
  for (const auto& k : f.deleted) {
    auto got = db.Get(k, ReadOptions());
    ASSERT_OK(got) << got.status().ToString();
    EXPECT_EQ(*got, std::nullopt) << f.name << " deleted key " << k;
  }
  for (const auto& k : f.merge_keys) {
    auto got = db.Get(k, ReadOptions());
    ASSERT_FALSE(got.ok()) << f.name << " merge key " << k;
    EXPECT_TRUE(got.status().IsInvalid());
    EXPECT_NE(got.status().message().find("merge operator"), std::string::npos)
        << got.status().ToString();
  }
  auto absent = db.Get("zzz-not-there", ReadOptions());
  ASSERT_OK(absent);
  EXPECT_EQ(*absent, std::nullopt);
  if (!f.merge_keys.empty()) {
    // A scan that reaches a merge operand reports the same clear error.
    auto it = db.Scan(ScanRange{}, ScanOptions());
    ASSERT_OK(it);
    Status seen;
    while (true) {
      auto kv = (*it)->Next();
      if (!kv.ok()) {
        seen = kv.status();
        break;
      }
      if (!kv->has_value()) break;
    }
    EXPECT_TRUE(seen.IsInvalid()) << seen.ToString();
    return;
  }
  for (bool reverse : {false, true}) {
    ScanOptions opts;
    opts.reverse = reverse;
    auto it = db.Scan(ScanRange{}, opts);
    ASSERT_OK(it) << it.status().ToString();
    std::vector<std::pair<std::string, std::string>> rows;
    while (true) {
      auto kv = (*it)->Next();
      ASSERT_OK(kv) << kv.status().ToString();
      if (!kv->has_value()) break;
      rows.emplace_back((*kv)->key, (*kv)->value);
    }
    std::vector<std::pair<std::string, std::string>> want(expected.begin(), expected.end());
    if (reverse) std::reverse(want.begin(), want.end());
    ASSERT_EQ(rows.size(), want.size()) << f.name << (reverse ? " reverse" : " forward");
    EXPECT_TRUE(rows == want) << f.name << (reverse ? " reverse" : " forward");
  }
}

Components LocalComponents(std::shared_ptr<ObjectStore> store) {
  Components c;
  c.object_store = std::move(store);
  c.seed = 7;
  return c;
}

Settings QuietSettings() {
  Settings s;
  s.compactor_options.reset();
  s.garbage_collector_options.reset();
  s.flush_interval = std::chrono::milliseconds(10);
  return s;
}

class FixtureTest : public ::testing::TestWithParam<Fixture> {};

TEST_P(FixtureTest, ReadsAsDbReader) {
  const Fixture& f = GetParam();
  testing::TempDir dir;
  auto store = CopyFixture(f.name, dir);
  ASSERT_NE(store, nullptr);
  auto reader = DbReader::Open("db", LocalComponents(store));
  ASSERT_OK(reader) << reader.status().ToString();
  CheckContents(**reader, f);
  EXPECT_OK((*reader)->Close());
}

TEST_P(FixtureTest, OpensAsWriterAndContinues) {
  const Fixture& f = GetParam();
  testing::TempDir dir;
  auto store = CopyFixture(f.name, dir);
  ASSERT_NE(store, nullptr);
  auto before = store->List("db/manifest/");
  ASSERT_OK(before);
  size_t sorted_runs = 0;
  {
    auto db = Db::Open("db", LocalComponents(store), QuietSettings());
    ASSERT_OK(db) << db.status().ToString();
    CheckContents(**db, f);
    auto st = (*db)->GetStatus();
    ASSERT_OK(st);
    EXPECT_EQ(st->last_committed_seq, f.max_seq);
    sorted_runs = st->sorted_runs;
    ASSERT_OK((*db)->Put("cpp-new", "written-by-cpp"));
    auto kv = (*db)->GetKeyValue("cpp-new");
    ASSERT_TRUE(kv.ok() && kv->has_value());
    EXPECT_EQ((*kv)->seq, f.max_seq + 1);  // sequence numbers continue
    ASSERT_OK((*db)->Flush(FlushType::kMemTable));
    ASSERT_OK((*db)->Close());
  }
  auto db = Db::Open("db", LocalComponents(store), QuietSettings());
  ASSERT_OK(db) << db.status().ToString();
  CheckContents(**db, f, {{"cpp-new", "written-by-cpp"}});
  auto st = (*db)->GetStatus();
  ASSERT_OK(st);
  EXPECT_EQ(st->sorted_runs, sorted_runs);  // the compactor's runs were preserved
  ASSERT_OK((*db)->Close());
}

INSTANTIATE_TEST_SUITE_P(Peer, FixtureTest, ::testing::ValuesIn(AllFixtures()),
                         [](const ::testing::TestParamInfo<Fixture>& param_info) {
                           return param_info.param.name;
                         });

}  // namespace
}  // namespace slatedb
