// Every background thread of a Db carries a name (top -H, gdb, perf), and none outlives Close().
#include <dirent.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <string>

#include "slatedb/db.h"
#include "test_util.h"

namespace slatedb {
namespace {

std::multiset<std::string> ThreadNames() {
  std::multiset<std::string> names;
  DIR* d = ::opendir("/proc/self/task");
  if (d == nullptr) return names;
  while (struct dirent* e = ::readdir(d)) {
    std::string tid = e->d_name;
    if (tid == "." || tid == "..") continue;
    std::ifstream comm("/proc/self/task/" + tid + "/comm");
    std::string name;
    std::getline(comm, name);
    names.insert(name);
  }
  ::closedir(d);
  return names;
}

TEST(DbThreadsTest, BackgroundThreadsAreNamedAndJoinedByClose) {
  if (ThreadNames().empty()) GTEST_SKIP() << "no /proc/self/task on this system";
  Settings s;
  s.l0_flush_parallelism = 2;
  Components c;
  c.object_store = NewMemoryObjectStore();
  std::unique_ptr<Db> db;
  ASSERT_OK_AND_ASSIGN(db, Db::Open("db", c, s));
  ASSERT_OK(db->Put("k", "v"));
  const std::multiset<std::string> running = ThreadNames();
  for (const char* name : {"slatedb-wal", "slatedb-l0flush", "slatedb-l0up-0", "slatedb-l0up-1",
                           "slatedb-compact", "slatedb-cjob-0", "slatedb-gc"}) {
    EXPECT_EQ(running.count(name), 1u) << name;
  }
  ASSERT_OK(db->Close());
  for (const std::string& name : ThreadNames()) {
    EXPECT_EQ(name.rfind("slatedb-", 0), std::string::npos) << name << " still runs after Close";
  }
}

}  // namespace
}  // namespace slatedb
