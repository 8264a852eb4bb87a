// Distributed compaction across processes (RFC-0025, docs/design.md §10, distributed compaction): a
// writer with the compactor off (`load`, compactor_options null), a coordinator (`compactor
// --no-embedded-worker`) and two workers (`run-worker`), one of them SIGKILLed while it runs a
// job, then all SIGTERMed. Every row must be exact, the killed worker's job must still be
// committed (its L0 inputs gone from the manifest), no SST may be listed twice and no job may be
// left unfinished in `.compactions`. Local disk and S3 (moto). Skipped without the CLI binary.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "backend.h"
#include "manifest/manifest_store.h"
#include "subprocess.h"
#include "test_util.h"
#include "util/random.h"

namespace slatedb::gc {
namespace {

constexpr const char* kSettings =
    R"({"compactor_options": {"poll_interval": "20ms", "max_sst_size": 4096,)"
    R"( "heartbeat_interval": "100ms", "worker_heartbeat_timeout": "1s",)"
    R"( "scheduler_options": {"min_compaction_sources": "2", "max_compaction_sources": "4"}}})";

class WorkerProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cli_ = slatedb::testing::OurCli();
    if (!std::filesystem::exists(cli_)) GTEST_SKIP() << "CLI not built: " << cli_;
    auto store = NewLocalObjectStore(dir_.path());
    ASSERT_OK(store);
    store_ = *store;
    url_ = "file://" + dir_.path();
  }

  bool UseS3() {
    auto b = slatedb::testing::MakeTestStore("s3", "", "cli-workers", "p");
    EXPECT_OK(b) << b.status().ToString();
    if (!b.ok() || !b->skip.empty()) return false;
    store_ = b->store;
    url_ = "s3://" + b->s3_bucket + "/p";
    env_ = slatedb::testing::MotoCliEnv();
    return true;
  }

  std::unique_ptr<slatedb::testing::BackgroundProcess> Start(std::vector<std::string> cmd) {
    std::vector<std::string> argv = {cli_, "--url", url_, "--path", "db", "--settings", kSettings};
    argv.insert(argv.end(), cmd.begin(), cmd.end());
    return std::make_unique<slatedb::testing::BackgroundProcess>(argv, env_);
  }

  void Load(util::Random& rng, int round) {
    std::string lines;
    for (int i = 0; i < 300; ++i) {
      std::string key = "w" + std::to_string(rng.Uniform(1500));
      std::string value = "r" + std::to_string(round) + std::string(rng.Uniform(60), 'x');
      lines += key + "\t" + value + "\n";
      model_[key] = value;
    }
    auto load = slatedb::testing::RunProcess(
        {cli_, "--url", url_, "--path", "db", "--settings",
         R"({"compactor_options": null, "l0_sst_size_bytes": 4096})", "load", "--batch", "50"},
        lines, std::chrono::minutes(2), env_);
    ASSERT_EQ(load.exit_code, 0) << load.err;
  }

  std::optional<manifest::VersionedCompactions> Compactions() {
    manifest::CompactionsStore cs(store_, "db");
    auto latest = cs.ReadLatest();
    EXPECT_OK(latest);
    return latest.ok() ? *latest : std::nullopt;
  }

  Result<format::Manifest> Manifest() {
    manifest::ManifestStore ms(store_, "db");
    ASSIGN_OR_RETURN(auto latest, ms.ReadLatest());
    if (!latest) return Status::NotFound("no manifest");
    return latest->manifest;
  }

  void Run();

  std::string cli_;
  std::string url_;
  std::map<std::string, std::string> env_;
  std::map<std::string, std::string> model_;
  slatedb::testing::TempDir dir_;
  std::shared_ptr<ObjectStore> store_;
};

void WorkerProcessTest::Run() {
  util::Random rng(2025);
  Load(rng, 0);  // creates the database
  auto coordinator = Start({"compactor", "--no-embedded-worker"});
  std::map<std::string, std::unique_ptr<slatedb::testing::BackgroundProcess>> workers;
  workers["w1"] = Start({"run-worker", "--worker-id", "w1"});
  workers["w2"] = Start({"run-worker", "--worker-id", "w2", "--max-concurrent-jobs", "2"});
  ASSERT_TRUE(coordinator->started());

  // Write until a worker is caught running a job; SIGKILL that worker.
  std::string killed;
  std::vector<format::Ulid> killed_inputs;
  for (int round = 1; round < 40 && killed.empty(); ++round) {
    Load(rng, round);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (killed.empty() && std::chrono::steady_clock::now() < deadline) {
      auto c = Compactions();
      for (const auto& r :
           c ? c->compactions.recent_compactions : std::vector<format::CompactionRecord>{}) {
        if (r.status == format::CompactionStatus::kRunning && r.worker &&
            workers.count(r.worker->worker_id) > 0) {
          killed = r.worker->worker_id;
          killed_inputs = r.l0_view_ids;
          break;
        }
      }
      if (killed.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  ASSERT_FALSE(killed.empty()) << "no worker was ever seen running a job";
  workers[killed]->Signal(SIGKILL);
  EXPECT_EQ(workers[killed]->Wait(), 128 + SIGKILL);
  workers.erase(killed);
  for (int round = 100; round < 103; ++round) Load(rng, round);

  // The survivor (and the coordinator's reclaim) must finish everything.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  bool drained = false;
  while (!drained && std::chrono::steady_clock::now() < deadline) {
    auto m = Manifest();
    ASSERT_OK(m);
    auto c = Compactions();
    drained = m->l0.size() < 2 && c.has_value();
    for (const auto& r :
         c ? c->compactions.recent_compactions : std::vector<format::CompactionRecord>{}) {
      drained &= r.status == format::CompactionStatus::kCompleted;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(drained);
  for (auto& [id, w] : workers) {
    w->Signal(SIGTERM);
    std::string out;
    EXPECT_EQ(w->Wait(), 0) << id;
    w->DrainStdout(&out);
    EXPECT_NE(out.find("\"compacted\""), std::string::npos) << out;
    std::printf("worker %s: %s", id.c_str(), out.c_str());
  }
  coordinator->Signal(SIGTERM);
  EXPECT_EQ(coordinator->Wait(), 0);
  std::string out;
  coordinator->DrainStdout(&out);
  std::printf("coordinator: %s", out.c_str());

  ASSERT_OK_AND_ASSIGN(format::Manifest m, Manifest());
  std::set<format::Ulid> ids;
  size_t listed = 0;
  for (const auto& h : m.l0) ids.insert(h.id), ++listed;
  for (const auto& run : m.compacted) {
    for (const auto& h : run.ssts) ids.insert(h.id), ++listed;
  }
  EXPECT_EQ(ids.size(), listed);  // no output committed twice
  EXPECT_FALSE(m.compacted.empty());
  for (const auto& id : killed_inputs) {
    EXPECT_TRUE(std::none_of(m.l0.begin(), m.l0.end(), [&](const auto& h) { return h.id == id; }))
        << "the killed worker's input " << id.ToString() << " was never compacted";
  }
  auto scan = slatedb::testing::RunProcess(
      {cli_, "--url", url_, "--path", "db", "--reader", "scan"}, "", std::chrono::minutes(2), env_);
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  std::string want;
  for (const auto& [k, v] : model_) want += k + "\t" + v + "\n";
  EXPECT_EQ(scan.out, want);
}

TEST_F(WorkerProcessTest, CoordinatorTwoWorkersOneKilledEveryRowExactNoJobLostOrCommittedTwice) {
  Run();
}

TEST_F(WorkerProcessTest, ZeroConcurrentJobsIsRejectedClearly) {
  auto run = slatedb::testing::RunProcess(
      {cli_, "--url", url_, "--path", "db", "run-worker", "--max-concurrent-jobs", "0"}, "",
      std::chrono::minutes(1), env_);
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find("max_concurrent_jobs must be at least 1"), std::string::npos) << run.err;
}

TEST_F(WorkerProcessTest, CoordinatorTwoWorkersOneKilledOnS3) {
  if (!UseS3()) GTEST_SKIP() << "SLATEDB_TEST_S3_ENDPOINT not set (scripts/test.sh starts moto)";
  Run();
}

}  // namespace
}  // namespace slatedb::gc
