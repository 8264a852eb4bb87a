// The official slatedb-cli commands of `slatedb` (tools/cli/official_cmd.h): read/list of
// manifests and `.compactions` in slatedb-cli's JSON shapes, delete-db (dry run and --confirm,
// refusing a non-database), scan --prefix/--max-keys/--count/--checkpoint, one
// run-garbage-collection sweep per resource (wal vs wal-fence), seq-to-ts / ts-to-seq, the
// run-compactor alias, and the store from CLOUD_PROVIDER / --env-file — on a local store and on
// S3 (moto at $SLATEDB_TEST_S3_ENDPOINT; those tests are skipped when it is unset).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "format/manifest.h"
#include "format/uuid.h"
#include "manifest/manifest_store.h"
#include "slatedb/object_store.h"
#include "subprocess.h"
#include "test_util.h"

namespace slatedb {
namespace {

namespace fs = std::filesystem;
using testing::ProcessResult;
using testing::RunProcess;
using testing::TempDir;

class OfficialCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(testing::OurCli())) GTEST_SKIP() << "our CLI not built: " << testing::OurCli();
    root_ = dir_.path() + "/store";
    url_ = "file://" + root_;
  }

  ProcessResult Cli(std::vector<std::string> args) {
    std::vector<std::string> argv = {testing::OurCli()};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, "", std::chrono::minutes(2), env_);
  }
  ProcessResult Db(std::vector<std::string> args) {
    std::vector<std::string> all = {"--url", url_, "--path", "db"};
    all.insert(all.end(), args.begin(), args.end());
    return Cli(all);
  }
  nlohmann::json Json(std::vector<std::string> args) {
    ProcessResult r = Db(args);
    EXPECT_EQ(r.exit_code, 0) << args[0] << ": " << r.err;
    try {
      return nlohmann::json::parse(r.out);
    } catch (const std::exception& e) {
      ADD_FAILURE() << args[0] << " printed no JSON: " << r.out;
      return nullptr;
    }
  }
  void Put(const std::string& k, const std::string& v) {
    ProcessResult r = Db({"put", k, v});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  void FlushL0() {
    ProcessResult r = Db({"flush", "--memtable"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  // Switches to a fresh bucket on moto; false if $SLATEDB_TEST_S3_ENDPOINT is unset.
  bool UseS3() {
    const char* endpoint = std::getenv("SLATEDB_TEST_S3_ENDPOINT");
    if (endpoint == nullptr || *endpoint == '\0') return false;
    bucket_ = "official-" + fs::path(dir_.path()).filename().string();
    for (auto& c : bucket_) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    ProcessResult r =
        RunProcess({"curl", "-sf", "-X", "PUT", std::string(endpoint) + "/" + bucket_});
    EXPECT_EQ(r.exit_code, 0) << "could not create bucket " << bucket_ << ": " << r.err;
    env_ = {{"AWS_ENDPOINT_URL", endpoint},
            {"AWS_ALLOW_HTTP", "true"},
            {"AWS_ACCESS_KEY_ID", "test"},
            {"AWS_SECRET_ACCESS_KEY", "test"},
            {"AWS_REGION", "us-east-1"}};
    endpoint_ = endpoint;
    url_ = "s3://" + bucket_;
    return r.exit_code == 0;
  }
  std::vector<std::string> LocalFiles(const std::string& under) {
    std::vector<std::string> out;
    if (!fs::exists(under)) return out;
    for (const auto& e : fs::recursive_directory_iterator(under)) {
      if (e.is_regular_file()) out.push_back(fs::relative(e.path(), root_).string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  TempDir dir_;
  std::string root_;
  std::string url_;
  std::string bucket_;
  std::string endpoint_;
  std::map<std::string, std::string> env_;
};

TEST_F(OfficialCliTest, ReadAndListManifestsInSlatedbCliShape) {
  Put("a", "1");
  FlushL0();
  Put("b", "2");
  nlohmann::json latest = Json({"read-manifest"});
  ASSERT_TRUE(latest.is_object());
  const uint64_t latest_id = latest["id"].get<uint64_t>();
  EXPECT_GE(latest_id, 2u);
  for (const char* field :
       {"external_dbs", "initialized", "l0", "compacted", "next_wal_sst_id", "replay_after_wal_id",
        "last_l0_seq", "sequence_tracker", "checkpoints", "writer_epoch", "compactor_epoch"}) {
    EXPECT_TRUE(latest.contains(field)) << field << " missing: " << latest.dump();
  }
  ASSERT_EQ(latest["l0"].size(), 1u) << latest.dump();
  const auto& view = latest["l0"][0];
  EXPECT_EQ(view["id"], view["sst"]["id"]["Compacted"]);
  EXPECT_EQ(view["sst"]["info"]["first_entry"], nlohmann::json::array({'a'}));
  EXPECT_EQ(view["sst"]["info"]["sst_type"], "Compacted");
  EXPECT_EQ(Json({"read-manifest", "--id", "1"})["id"], 1);
  EXPECT_EQ(Json({"read-manifest", "-i", "1"})["l0"].size(), 0u);

  nlohmann::json all = Json({"list-manifests"});
  ASSERT_TRUE(all.is_array());
  ASSERT_EQ(all.size(), latest_id);
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i]["id"], i + 1);
  nlohmann::json some = Json({"list-manifests", "--start", "1", "--end", "3"});
  ASSERT_EQ(some.size(), 2u);
  EXPECT_EQ(some[0]["id"], 1);
  EXPECT_EQ(some[1]["id"], 2);
  EXPECT_EQ(Json({"list-manifests", "-s", std::to_string(latest_id)}).size(), 1u);

  ProcessResult missing = Db({"read-manifest", "--id", "999"});
  EXPECT_EQ(missing.exit_code, 0);
  EXPECT_EQ(missing.out, "no manifest file found\n");
  EXPECT_NE(missing.err.find("999"), std::string::npos) << missing.err;
}

TEST_F(OfficialCliTest, ReadAndListCompactions) {
  Put("a", "1");  // the writer's embedded compactor writes `.compactions`
  FlushL0();
  nlohmann::json latest = Json({"read-compactions"});
  ASSERT_TRUE(latest.is_object()) << latest;
  EXPECT_GE(latest["compactor_epoch"].get<uint64_t>(), 1u);
  EXPECT_TRUE(latest["recent_compactions"].is_object());
  nlohmann::json all = Json({"list-compactions"});
  ASSERT_GE(all.size(), 1u);
  EXPECT_EQ(all.back()["id"], latest["id"]);
  for (size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1]["id"], all[i]["id"]);
  EXPECT_EQ(Json({"read-compactions", "--id", all[0]["id"].dump()})["id"], all[0]["id"]);
  EXPECT_EQ(Json({"list-compactions", "--end", all[0]["id"].dump()}).size(), 0u);
  ProcessResult missing = Db({"read-compactions", "--id", "99999"});
  EXPECT_EQ(missing.exit_code, 0);
  EXPECT_EQ(missing.out, "no compactions file found\n");

  // A submitted job (no compactor runs) is one record of the latest version: read-compaction.
  const nlohmann::json m = Json({"read-manifest"});
  ASSERT_EQ(m["l0"].size(), 1u);
  const std::string spec =
      nlohmann::json{{"Spec", {{"sources", {{{"SstView", m["l0"][0]["id"]}}}}, {"destination", 0}}}}
          .dump();
  nlohmann::json submitted = Json({"submit-compaction", "--request", spec});
  ASSERT_EQ(submitted.size(), 1u);
  const std::string id = submitted[0]["id"];
  nlohmann::json one = Json({"read-compaction", "--id", id});
  EXPECT_EQ(one["id"], id);
  EXPECT_EQ(one["status"], "Submitted");
  EXPECT_EQ(one["spec"]["Tiered"]["sources"][0]["SstView"], m["l0"][0]["id"]);
  EXPECT_EQ(Json({"read-compactions"})["recent_compactions"][id], one);
  EXPECT_EQ(Db({"read-compaction", "--id", "01ARZ3NDEKTSV4RRFFQ69G5FAV"}).out,
            "no compaction found\n");
  EXPECT_EQ(Db({"read-compaction", "--id", id, "--compactions-id", all[0]["id"].dump()}).out,
            "no compaction found\n");  // not in the oldest version
  EXPECT_EQ(Db({"read-compaction", "--id", "nope"}).exit_code, 1);
}

TEST_F(OfficialCliTest, ReadingCommandsCreateNothing) {
  for (std::vector<std::string> cmd : {std::vector<std::string>{"read-manifest"},
                                       {"list-manifests"},
                                       {"read-compactions"},
                                       {"list-compactions"},
                                       {"delete-db"},
                                       {"seq-to-ts", "1"},
                                       {"ts-to-seq", "1"},
                                       {"scan", "--count"}}) {
    ProcessResult r = Db(cmd);
    EXPECT_LE(r.exit_code, 1) << cmd[0] << ": " << r.err;
    EXPECT_FALSE(fs::exists(root_)) << cmd[0] << " created the store root";
  }
  EXPECT_EQ(Db({"read-manifest"}).out, "no manifest file found\n");
  EXPECT_EQ(Db({"list-manifests"}).out, "[]\n");
  EXPECT_NE(Db({"seq-to-ts", "1"}).err.find("no database at 'db'"), std::string::npos);
}

TEST_F(OfficialCliTest, DeleteDbDryRunListsThenConfirmDeletes) {
  Put("a", "1");
  FlushL0();
  ASSERT_EQ(Cli({"--url", url_, "--path", "dbx", "put", "k", "v"}).exit_code, 0);  // a neighbour
  const std::vector<std::string> before = LocalFiles(root_ + "/db");
  ASSERT_FALSE(before.empty());
  ProcessResult dry = Db({"delete-db"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  std::string expected = "would delete " + std::to_string(before.size()) + " objects:\n";
  for (const auto& f : before) expected += "  " + f + "\n";
  expected += "rerun with --confirm to delete\n";
  EXPECT_EQ(dry.out, expected);
  EXPECT_EQ(LocalFiles(root_ + "/db"), before);  // nothing deleted

  ProcessResult gone = Db({"delete-db", "--confirm"});
  ASSERT_EQ(gone.exit_code, 0) << gone.err;
  EXPECT_EQ(gone.out, "deleted " + std::to_string(before.size() + 1) + " objects\n");  // + marker
  EXPECT_TRUE(LocalFiles(root_ + "/db").empty());
  EXPECT_FALSE(LocalFiles(root_ + "/dbx").empty());  // "dbx" is not under "db/"
  EXPECT_EQ(Cli({"--url", url_, "--path", "dbx", "get", "k"}).out, "v\n");

  // Objects but neither a manifest nor the marker: not a database, refused.
  fs::create_directories(root_ + "/notdb");
  std::ofstream(root_ + "/notdb/precious.txt") << "keep me";
  ProcessResult refused = Cli({"--url", url_, "--path", "notdb", "delete-db", "--confirm"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("not a database"), std::string::npos) << refused.err;
  EXPECT_TRUE(fs::exists(root_ + "/notdb/precious.txt"));
}

// A clone (a manifest with external_dbs) pins a checkpoint in its parent; delete-db --confirm
// removes that checkpoint from the parent first, as SlateDB does, and leaves the parent alone.
TEST_F(OfficialCliTest, DeleteDbOfACloneUnpinsItsParentCheckpoint) {
  Put("p", "1");  // the parent, "db"
  ProcessResult created = Db({"create-checkpoint", "--name", "clone-pin"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const std::string cp = created.out.substr(created.out.find("id: ") + 4, 36);
  ASSERT_EQ(Cli({"--url", url_, "--path", "clone", "put", "c", "2"}).exit_code, 0);
  {
    auto store = NewLocalObjectStore(root_);
    ASSERT_OK(store);
    manifest::ManifestStore clone(*store, "clone");
    auto latest = clone.ReadLatest();
    ASSERT_TRUE(latest.ok() && latest->has_value());
    format::Manifest m = (*latest)->manifest;
    auto id = format::Uuid::Parse(cp);
    ASSERT_OK(id) << cp;
    m.external_dbs.push_back(format::ExternalDb{"db", *id, *id, {}});
    ASSERT_OK(clone.WriteNew((*latest)->id + 1, m));
  }
  EXPECT_EQ(Json({"list-checkpoints", "--name", "clone-pin"}).size(), 1u);
  ProcessResult gone = Cli({"--url", url_, "--path", "clone", "delete-db", "--confirm"});
  ASSERT_EQ(gone.exit_code, 0) << gone.err;
  EXPECT_TRUE(LocalFiles(root_ + "/clone").empty());
  EXPECT_EQ(Json({"list-checkpoints", "--name", "clone-pin"}).size(), 0u);
  EXPECT_EQ(Db({"get", "p"}).out, "1\n");
}

TEST_F(OfficialCliTest, ScanPrefixMaxKeysCountAndCheckpoint) {
  Put("a1", "x");
  Put("a2", "yy");
  Put("b1", "z");
  ProcessResult created = Db({"create-checkpoint"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const size_t at = created.out.find("id: ");
  ASSERT_NE(at, std::string::npos) << created.out;
  const std::string cp = created.out.substr(at + 4, 36);
  Put("a3", "w");
  const uint64_t epoch = Json({"status"})["writer_epoch"].get<uint64_t>();

  EXPECT_EQ(Db({"scan", "--prefix", "a"}).out, "a1\tx\na2\tyy\na3\tw\n");
  EXPECT_EQ(Db({"scan", "--prefix", "a", "--max-keys", "2"}).out, "a1\tx\na2\tyy\n");
  EXPECT_EQ(Db({"scan", "--prefix", "a", "--count"}).out, "3 entries, 10 bytes\n");
  EXPECT_EQ(Db({"scan", "--from", "a2", "--to", "b1", "--count"}).out, "2 entries, 7 bytes\n");
  EXPECT_EQ(Db({"scan", "--count", "--max-keys", "1"}).out, "1 entries, 3 bytes\n");
  ProcessResult frozen = Db({"scan", "--prefix", "a", "--checkpoint", cp});
  EXPECT_EQ(frozen.exit_code, 0) << frozen.err;
  EXPECT_EQ(frozen.out, "a1\tx\na2\tyy\n");  // a3 came after the checkpoint
  ProcessResult unknown = Db({"scan", "--checkpoint", "00000000-0000-4000-8000-000000000001"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("00000000-0000-4000-8000-000000000001"), std::string::npos);
  EXPECT_EQ(Db({"scan", "--prefix", "a", "--from", "a"}).exit_code, 2);
  // Scans are readers: the writer epoch did not move.
  EXPECT_EQ(Json({"status"})["writer_epoch"].get<uint64_t>(), epoch);
}

TEST_F(OfficialCliTest, RunGarbageCollectionSweepsOneResource) {
  for (int i = 0; i < 3; ++i) {
    Put("k" + std::to_string(i), "v");
    FlushL0();
  }
  const size_t manifests = Json({"list-manifests"}).size();
  ASSERT_GE(manifests, 4u);
  nlohmann::json man =
      Json({"run-garbage-collection", "--resource", "manifest", "--min-age", "0s"});
  EXPECT_EQ(man["resource"], "manifest");
  EXPECT_GT(man["manifests_deleted"].get<uint64_t>(), 0u);
  EXPECT_EQ(man["wal_deleted"], 0);  // only that resource
  EXPECT_EQ(Json({"list-manifests"}).size(), manifests - man["manifests_deleted"].get<size_t>());

  // The oldest WAL SST made a fence (an empty object); each writer open also wrote one (an SST
  // without rows). `wal` keeps every fence, `wal-fence` deletes only fences.
  std::vector<std::string> wals = LocalFiles(root_ + "/db/wal");
  ASSERT_GE(wals.size(), 3u);
  const std::string fence = root_ + "/" + wals[0];
  std::ofstream(fence, std::ios::trunc).close();
  nlohmann::json wal = Json({"run-garbage-collection", "-r", "wal", "-m", "0s"});
  EXPECT_GT(wal["wal_deleted"].get<uint64_t>(), 0u);
  EXPECT_TRUE(fs::exists(fence));
  std::vector<std::string> data;  // WAL SSTs with rows (bigger than any fence)
  const std::vector<std::string> left = LocalFiles(root_ + "/db/wal");
  for (const auto& f : left) {
    if (fs::file_size(root_ + "/" + f) > 1024) data.push_back(f);
  }
  nlohmann::json fences = Json({"run-garbage-collection", "-r", "wal-fence", "-m", "0s"});
  EXPECT_GE(fences["wal_deleted"].get<uint64_t>(), 1u);
  EXPECT_FALSE(fs::exists(fence));
  EXPECT_EQ(LocalFiles(root_ + "/db/wal").size(),
            left.size() - fences["wal_deleted"].get<size_t>());
  for (const auto& f : data) EXPECT_TRUE(fs::exists(root_ + "/" + f)) << f << " is not a fence";
  EXPECT_EQ(Db({"get", "k2"}).out, "v\n");

  EXPECT_EQ(Db({"run-garbage-collection", "-r", "everything", "-m", "0s"}).exit_code, 2);
  ProcessResult bad_age = Db({"run-garbage-collection", "-r", "wal", "-m", "soon"});
  EXPECT_EQ(bad_age.exit_code, 1);
  EXPECT_NE(bad_age.err.find("--min-age"), std::string::npos) << bad_age.err;
}

TEST_F(OfficialCliTest, SeqToTsAndTsToSeqUseTheSequenceTracker) {
  const int64_t before = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  Put("a", "1");
  FlushL0();
  nlohmann::json m = Json({"read-manifest"});
  const uint64_t seq = m["last_l0_seq"].get<uint64_t>();
  ASSERT_GE(seq, 1u);
  ProcessResult ts = Db({"seq-to-ts", std::to_string(seq), "--round", "up"});
  ASSERT_EQ(ts.exit_code, 0) << ts.err;
  ASSERT_EQ(ts.out.size(), std::string("2026-12-01T18:00:00+00:00\n").size()) << ts.out;
  EXPECT_EQ(ts.out.substr(19), "+00:00\n");
  EXPECT_EQ(Db({"seq-to-ts", "0"}).out, "not found\n");  // round down: no sample at or below 0

  const std::string later = std::to_string(before + 3600);
  EXPECT_EQ(Db({"ts-to-seq", later}).out, std::to_string(seq) + "\n");
  EXPECT_EQ(Db({"ts-to-seq", later, "--round", "up"}).out, "not found\n");
  EXPECT_EQ(Db({"ts-to-seq", std::to_string(before - 3600)}).out, "not found\n");
  EXPECT_EQ(Db({"ts-to-seq", std::to_string(before - 3600), "--round", "UP"}).out,
            std::to_string(seq) + "\n");
  EXPECT_EQ(Db({"seq-to-ts", "1", "--round", "sideways"}).exit_code, 2);
}

// A standalone compactor whose own scheduler never compacts (min 1000000 sources) runs what
// submit-compaction writes: two Specs (all L0 → a new run, twice), then "Full" (both runs → the
// lowest), until every L0 SST is in one sorted run; an invalid Spec ends Failed.
TEST_F(OfficialCliTest, SubmitCompactionIsRunByTheRunningCompactor) {
  const std::string writer = R"({"compactor_options": null})";
  const std::string compactor =
      R"({"compactor_options": {"poll_interval": "10ms", "scheduler_options":)"
      R"( {"min_compaction_sources": "1000000", "max_compaction_sources": "1000000"}}})";
  auto write_l0s = [&](int round) {
    for (int i = 0; i < 2; ++i) {
      const std::string k = "k" + std::to_string(round) + std::to_string(i);
      ASSERT_EQ(Db({"--settings", writer, "put", k, "v"}).exit_code, 0);
      ASSERT_EQ(Db({"--settings", writer, "flush", "--memtable"}).exit_code, 0);
    }
  };
  // Waits (bounded) until `done(latest manifest)`.
  auto await_manifest = [&](auto done) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      nlohmann::json m = Json({"read-manifest"});
      if (done(m)) return m;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return nlohmann::json();
  };
  auto all_l0_spec = [&](uint32_t destination) {
    nlohmann::json sources = nlohmann::json::array();
    const nlohmann::json m = Json({"read-manifest"});
    for (const auto& v : m["l0"]) sources.push_back({{"SstView", v["id"]}});
    return nlohmann::json{{"Spec", {{"sources", sources}, {"destination", destination}}}}.dump();
  };
  write_l0s(0);
  testing::BackgroundProcess proc(
      {testing::OurCli(), "--url", url_, "--path", "db", "--settings", compactor, "run-compactor"},
      env_);
  ASSERT_TRUE(proc.started());

  nlohmann::json submitted = Json({"submit-compaction", "--request", all_l0_spec(0)});
  ASSERT_EQ(submitted.size(), 1u) << submitted;
  EXPECT_EQ(submitted[0]["status"], "Submitted");
  EXPECT_EQ(submitted[0]["spec"]["Tiered"]["sources"].size(), 2u);
  nlohmann::json m = await_manifest(
      [](const nlohmann::json& j) { return j["l0"].empty() && j["compacted"].size() == 1; });
  ASSERT_TRUE(m.is_object()) << "the compactor did not run the submitted Spec";
  EXPECT_EQ(m["compacted"][0]["id"], 0);

  write_l0s(1);
  Json({"submit-compaction", "--request", all_l0_spec(1)});
  m = await_manifest(
      [](const nlohmann::json& j) { return j["l0"].empty() && j["compacted"].size() == 2; });
  ASSERT_TRUE(m.is_object()) << "the second Spec did not run";

  nlohmann::json full = Json({"submit-compaction", "--request", "\"Full\""});
  ASSERT_EQ(full.size(), 1u);
  EXPECT_EQ(full[0]["spec"]["Tiered"]["destination"], 0);
  m = await_manifest(
      [](const nlohmann::json& j) { return j["l0"].empty() && j["compacted"].size() == 1; });
  ASSERT_TRUE(m.is_object()) << "the Full compaction did not run";
  EXPECT_EQ(m["compacted"][0]["id"], 0);
  EXPECT_EQ(Db({"scan", "--count"}).out, "4 entries, 16 bytes\n");

  // A run that does not exist: the compactor marks it Failed.
  nlohmann::json bad = Json({"submit-compaction", "--request",
                             R"({"Spec":{"sources":[{"SortedRun":42}],"destination":42}})"});
  ASSERT_EQ(bad.size(), 1u);
  const std::string bad_id = bad[0]["id"];
  bool failed = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!failed && std::chrono::steady_clock::now() < deadline) {
    nlohmann::json c = Json({"read-compactions"});
    failed = c["recent_compactions"].contains(bad_id) &&
             c["recent_compactions"][bad_id]["status"] == "Failed";
    if (!failed) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(failed) << "the invalid Spec was not marked Failed";
  proc.Signal(SIGTERM);
  EXPECT_EQ(proc.Wait(), 0);

  // Requests the CLI itself rejects.
  EXPECT_EQ(Db({"submit-compaction", "--request", "nope"}).exit_code, 1);
  EXPECT_EQ(Db({"submit-compaction", "--request", R"({"FullSegment":{"segment":[1]}})"}).exit_code,
            1);
  EXPECT_EQ(Db({"submit-compaction", "--scheduler", "leveled", "--request", "\"Full\""}).exit_code,
            1);
}

TEST_F(OfficialCliTest, RunCompactorIsTheCompactorCommand) {
  ProcessResult help = Db({"run-compactor", "--help"});
  EXPECT_EQ(help.exit_code, 0) << help.err;
  EXPECT_NE(help.out.find("compactor"), std::string::npos) << help.out;
  EXPECT_EQ(Db({"run-kompactor"}).exit_code, 2);
}

TEST_F(OfficialCliTest, StoreFromCloudProviderAndEnvFile) {
  const std::string env_file = dir_.path() + "/db.env";
  std::ofstream(env_file) << "# local store\nCLOUD_PROVIDER=local\nexport LOCAL_PATH=\"" << root_
                          << "\"\n";
  // Variables already set win over the file (dotenv): make sure this process has none.
  unsetenv("CLOUD_PROVIDER");
  unsetenv("LOCAL_PATH");
  ASSERT_EQ(Cli({"--env-file", env_file, "--path", "db", "put", "k", "v"}).exit_code, 0);
  EXPECT_EQ(Db({"get", "k"}).out, "v\n");  // the same database through --url
  EXPECT_EQ(Cli({"-e", env_file, "-p", "db", "read-manifest"}).exit_code, 0);

  env_ = {{"CLOUD_PROVIDER", "local"}, {"LOCAL_PATH", root_}};
  EXPECT_EQ(Cli({"--path", "db", "get", "k"}).out, "v\n");
  env_ = {{"CLOUD_PROVIDER", "LOCAL"}, {"LOCAL_PATH", root_}};  // case-insensitive
  EXPECT_EQ(Cli({"--path", "db", "get", "k"}).out, "v\n");

  env_ = {{"CLOUD_PROVIDER", "azure-blob"}};
  ProcessResult unknown = Cli({"--path", "db", "get", "k"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("CLOUD_PROVIDER value 'azure-blob'"), std::string::npos)
      << unknown.err;
  env_ = {{"CLOUD_PROVIDER", "local"}, {"LOCAL_PATH", ""}};
  ProcessResult no_path = Cli({"--path", "db", "get", "k"});
  EXPECT_EQ(no_path.exit_code, 1);
  EXPECT_NE(no_path.err.find("LOCAL_PATH"), std::string::npos) << no_path.err;
  env_ = {{"CLOUD_PROVIDER", "aws"}, {"AWS_BUCKET", ""}, {"AWS_BUCKET_NAME", ""}};
  ProcessResult no_bucket = Cli({"--path", "db", "get", "k"});
  EXPECT_EQ(no_bucket.exit_code, 1);
  EXPECT_NE(no_bucket.err.find("AWS_BUCKET"), std::string::npos) << no_bucket.err;
  env_ = {{"CLOUD_PROVIDER", ""}};
  ProcessResult none = Cli({"--path", "db", "get", "k"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("CLOUD_PROVIDER is not set"), std::string::npos) << none.err;
  ProcessResult no_file = Cli({"--env-file", dir_.path() + "/absent.env", "--path", "db", "scan"});
  EXPECT_EQ(no_file.exit_code, 1);
  EXPECT_NE(no_file.err.find("absent.env"), std::string::npos) << no_file.err;
  env_ = {{"CLOUD_PROVIDER", "memory"}};
  ProcessResult memory = Cli({"--path", "db", "put", "k", "v"});  // a fresh in-process store
  EXPECT_EQ(memory.exit_code, 0) << memory.err;
  EXPECT_EQ(Cli({"--url", url_, "--env-file", env_file, "--path", "db", "scan"}).exit_code, 2);
}

TEST_F(OfficialCliTest, OnS3FromTheAwsEnvironment) {
  if (!UseS3()) GTEST_SKIP() << "SLATEDB_TEST_S3_ENDPOINT not set (scripts/test.sh starts moto)";
  // As the official CLI: CLOUD_PROVIDER=aws, AWS_BUCKET, AWS_ENDPOINT (object_store's name).
  std::map<std::string, std::string> aws = {
      {"CLOUD_PROVIDER", "aws"},         {"AWS_BUCKET", bucket_},    {"AWS_ENDPOINT", endpoint_},
      {"AWS_ENDPOINT_URL", ""},          {"AWS_ALLOW_HTTP", "true"}, {"AWS_ACCESS_KEY_ID", "test"},
      {"AWS_SECRET_ACCESS_KEY", "test"}, {"AWS_REGION", "us-east-1"}};
  env_ = aws;
  ASSERT_EQ(Cli({"--path", "db", "put", "a1", "x"}).exit_code, 0);
  ASSERT_EQ(Cli({"--path", "db", "flush", "--memtable"}).exit_code, 0);
  ProcessResult read = Cli({"--path", "db", "read-manifest"});
  ASSERT_EQ(read.exit_code, 0) << read.err;
  EXPECT_EQ(nlohmann::json::parse(read.out)["l0"].size(), 1u);
  EXPECT_EQ(Cli({"--path", "db", "scan", "--count"}).out, "1 entries, 3 bytes\n");
  ProcessResult gc = Cli({"--path", "db", "run-garbage-collection", "-r", "manifest", "-m", "0s"});
  EXPECT_EQ(gc.exit_code, 0) << gc.err;
  EXPECT_GT(nlohmann::json::parse(gc.out)["manifests_deleted"].get<uint64_t>(), 0u);
  ProcessResult dry = Cli({"--path", "db", "delete-db"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("  db/manifest/"), std::string::npos) << dry.out;
  ProcessResult gone = Cli({"--path", "db", "delete-db", "--confirm"});
  ASSERT_EQ(gone.exit_code, 0) << gone.err;
  EXPECT_EQ(Cli({"--path", "db", "delete-db"}).out,
            "would delete 0 objects:\nrerun with --confirm to delete\n");
  EXPECT_EQ(Cli({"--path", "db", "read-manifest"}).out, "no manifest file found\n");
}

}  // namespace
}  // namespace slatedb
