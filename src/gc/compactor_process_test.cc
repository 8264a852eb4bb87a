// The standalone compactor process (`slatedb ... compactor`, our CLI binary): SIGTERM while
// compactions are running, 20 times — each exit is 0, within a bounded time, and the database
// stays consistent — then SIGKILL mid-compaction, after which the next compactor recovers.
// Skipped when the CLI binary has not been built ($SLATEDB_CLI or <build>/tools/cli/slatedb).
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <thread>

#include "backend.h"
#include "compactor/test_db.h"
#include "manifest/manifest_store.h"
#include "object_store/s3_object_store.h"
#include "subprocess.h"
#include "test_util.h"
#include "util/random.h"

namespace slatedb::gc {
namespace {

using compactor::testing::TestDb;

constexpr const char* kSettings =
    R"({"compactor_options": {"poll_interval": "5ms", "max_sst_size": 8192,)"
    R"( "scheduler_options": {"min_compaction_sources": "2", "max_compaction_sources": "4"}}})";

class CompactorProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cli_ = slatedb::testing::OurCli();
    if (!std::filesystem::exists(cli_)) GTEST_SKIP() << "CLI not built: " << cli_;
    auto store = NewLocalObjectStore(dir_.path());
    ASSERT_OK(store);
    store_ = *store;
    url_ = "file://" + dir_.path();
    db_ = std::make_unique<TestDb>(store_);
    ASSERT_OK(db_->Init());
  }

  // Switches the database to a fresh bucket on moto; false (test skipped) without moto.
  bool UseS3() {
    auto b = slatedb::testing::MakeTestStore("s3", "", "cli-compactor", "p");
    EXPECT_OK(b) << b.status().ToString();
    if (!b.ok() || !b->skip.empty()) return false;
    store_ = b->store;
    url_ = "s3://" + b->s3_bucket + "/p";
    env_ = slatedb::testing::MotoCliEnv();
    db_ = std::make_unique<TestDb>(store_);
    EXPECT_OK(db_->Init());
    return true;
  }

  std::unique_ptr<slatedb::testing::BackgroundProcess> StartCompactor() {
    return std::make_unique<slatedb::testing::BackgroundProcess>(
        std::vector<std::string>{cli_, "--url", url_, "--path", "db", "--settings", kSettings,
                                 "compactor"},
        env_);
  }

  void AddL0s(util::Random& rng, int count, int tag) {
    for (int i = 0; i < count; ++i) {
      std::vector<std::pair<std::string, std::optional<std::string>>> kvs;
      for (int j = 0; j < 400; ++j) {
        std::string key = "k" + std::to_string(rng.Uniform(3000));
        if (rng.OneIn(8)) {
          kvs.push_back({key, std::nullopt});
        } else {
          kvs.push_back({key, "t" + std::to_string(tag) + std::string(rng.Uniform(100), 'v')});
        }
      }
      ASSERT_OK(db_->AddL0(kvs));
    }
  }

  // Waits (at most 30 s) until the latest `.compactions` lists a running compaction.
  bool WaitForRunningCompaction() {
    manifest::CompactionsStore cs(store_, "db");
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      auto latest = cs.ReadLatest();
      if (latest.ok() && latest->has_value()) {
        for (const auto& r : (*latest)->compactions.recent_compactions) {
          if (r.status == format::CompactionStatus::kRunning) return true;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return false;
  }

  void WriterWithStandaloneCompactor();

  std::string cli_;
  std::string url_;
  std::map<std::string, std::string> env_;
  slatedb::testing::TempDir dir_;
  std::shared_ptr<ObjectStore> store_;
  std::unique_ptr<TestDb> db_;
};

TEST_F(CompactorProcessTest, SigtermMidCompactionExitsZeroTwentyTimesThenSigkillRecovers) {
  util::Random rng(4242);
  int caught_running = 0;
  std::string all_out;
  for (int round = 0; round < 20; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    AddL0s(rng, 4, round);
    auto p = StartCompactor();
    ASSERT_TRUE(p->started());
    if (WaitForRunningCompaction()) ++caught_running;
    std::this_thread::sleep_for(std::chrono::microseconds(rng.Uniform(10000)));
    auto t0 = std::chrono::steady_clock::now();
    p->Signal(SIGTERM);
    int code = p->Wait();
    auto stop_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    std::string out;
    p->DrainStdout(&out);
    all_out += out;
    EXPECT_EQ(code, 0) << out;
    EXPECT_LT(stop_ms, 30000);  // bounded: a stop waits for at most one output SST per job
    Status v = db_->Verify(store_);
    ASSERT_OK(v) << v.ToString();
  }
  std::printf("caught %d of 20 signals during a running compaction; exit lines:\n%s",
              caught_running, all_out.c_str());
  EXPECT_GE(caught_running, 10);  // most signals arrived while a compaction was running
  EXPECT_NE(all_out.find("\"committed\""), std::string::npos);

  // SIGKILL mid-compaction: nothing is committed half-way; the next compactor takes over.
  AddL0s(rng, 6, 100);
  auto killed = StartCompactor();
  ASSERT_TRUE(WaitForRunningCompaction());
  killed->Signal(SIGKILL);
  EXPECT_EQ(killed->Wait(), 128 + SIGKILL);
  Status v = db_->Verify(store_);
  ASSERT_OK(v) << v.ToString();

  auto next = StartCompactor();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  bool drained = false;
  while (!drained && std::chrono::steady_clock::now() < deadline) {
    auto m = db_->Latest();
    ASSERT_OK(m);
    drained = m->l0.size() < 2;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(drained);
  next->Signal(SIGTERM);
  EXPECT_EQ(next->Wait(), 0);
  v = db_->Verify(store_);
  ASSERT_OK(v) << v.ToString();
}

// A writer with compaction disabled (`compactor_options: null`) next to the standalone
// compactor: the writer's L0s are compacted while it writes, and every row stays readable.
TEST_F(CompactorProcessTest, WriterWithoutCompactorWorksWithTheStandaloneCompactor) {
  WriterWithStandaloneCompactor();
}

TEST_F(CompactorProcessTest, WriterWithoutCompactorWorksWithTheStandaloneCompactorOnS3) {
  if (!UseS3()) GTEST_SKIP() << "SLATEDB_TEST_S3_ENDPOINT not set (scripts/test.sh starts moto)";
  WriterWithStandaloneCompactor();
}

void CompactorProcessTest::WriterWithStandaloneCompactor() {
  auto compactor = StartCompactor();
  ASSERT_TRUE(compactor->started());
  std::map<std::string, std::string> model;
  util::Random rng(555);
  for (int round = 0; round < 6; ++round) {
    std::string lines;
    for (int i = 0; i < 400; ++i) {
      std::string key = "w" + std::to_string(rng.Uniform(1500));
      std::string value = "r" + std::to_string(round) + std::string(rng.Uniform(60), 'x');
      lines += key + "\t" + value + "\n";
      model[key] = value;
    }
    auto load = slatedb::testing::RunProcess(
        {cli_, "--url", url_, "--path", "db", "--settings",
         R"({"compactor_options": null, "l0_sst_size_bytes": 4096})", "load", "--batch", "50"},
        lines, std::chrono::minutes(2), env_);
    ASSERT_EQ(load.exit_code, 0) << load.err;
  }
  // Wait (bounded) until the compactor has produced a sorted run.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  bool compacted = false;
  while (!compacted && std::chrono::steady_clock::now() < deadline) {
    auto m = db_->Latest();
    ASSERT_OK(m);
    compacted = !m->compacted.empty();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(compacted);
  compactor->Signal(SIGTERM);
  EXPECT_EQ(compactor->Wait(), 0);
  auto scan = slatedb::testing::RunProcess(
      {cli_, "--url", url_, "--path", "db", "--reader", "scan"}, "", std::chrono::minutes(2), env_);
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  std::string want;
  for (const auto& [k, v] : model) want += k + "\t" + v + "\n";
  EXPECT_EQ(scan.out, want);
}

TEST_F(CompactorProcessTest, SigtermOnS3ExitsZeroAndStaysConsistent) {
  if (!UseS3()) GTEST_SKIP() << "SLATEDB_TEST_S3_ENDPOINT not set (scripts/test.sh starts moto)";
  util::Random rng(4343);
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    AddL0s(rng, 2, round);
    auto p = StartCompactor();
    ASSERT_TRUE(p->started());
    EXPECT_TRUE(WaitForRunningCompaction());
    p->Signal(SIGTERM);
    std::string out;
    int code = p->Wait();
    p->DrainStdout(&out);
    EXPECT_EQ(code, 0) << out;
    Status v = db_->Verify(store_);
    ASSERT_OK(v) << v.ToString();
  }
}

}  // namespace
}  // namespace slatedb::gc
