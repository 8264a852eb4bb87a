// Compatibility tests against the real SlateDB 0.12.1 (the "peer", ../shared/peer/slatedb-peer):
// one engine writes, the other reads, through the two CLIs (same command line), on a local
// directory and — when a moto endpoint is configured — on S3.
//
// Data: deterministic pseudo-random keys with overwrites, deletes and binary keys (0x00 / 0xff
// bytes), enough rows (>= 100k) that the peer writes L0 SSTs and compacts them into sorted runs.
// Every check compares against an in-test model (std::map), and the two engines' scans against
// each other byte for byte.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "subprocess.h"
#include "util/coding.h"
#include "util/random.h"

namespace slatedb {
namespace {

using testing::ProcessResult;
using testing::RunProcess;

// Small memtables and an eager compactor so the peer produces L0s and sorted runs.
constexpr const char* kPeerSettings =
    R"({"l0_sst_size_bytes": 262144, "flush_interval": "50ms", "compactor_options": )"
    R"({"poll_interval": "100ms", "scheduler_options": {"min_compaction_sources": "2"}}})";
constexpr const char* kOurSettings = R"({"l0_sst_size_bytes": 262144, "flush_interval": "50ms"})";

using Model = std::map<std::string, std::string>;

struct Engine {
  std::string name;
  std::string cli;
  bool is_peer;
};

// Parameter: "local" (a temp directory) or "s3" (moto at $SLATEDB_TEST_S3_ENDPOINT).
class CompatTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    peer_ = {"peer", testing::PeerCli(), true};
    ours_ = {"slatedb-cpp", testing::OurCli(), false};
    if (!std::filesystem::exists(ours_.cli)) GTEST_SKIP() << "our CLI not built: " << ours_.cli;
    if (!std::filesystem::exists(peer_.cli)) GTEST_SKIP() << "peer not found: " << peer_.cli;
    if (GetParam() == "local") {
      url_ = "file://" + dir_.path();
      return;
    }
    const char* endpoint = std::getenv("SLATEDB_TEST_S3_ENDPOINT");
    if (endpoint == nullptr || *endpoint == '\0') {
      GTEST_SKIP() << "SLATEDB_TEST_S3_ENDPOINT not set (scripts/test.sh starts moto_server)";
    }
    // A fresh bucket per test; both engines read the standard AWS variables.
    std::string bucket = "compat-" + std::filesystem::path(dir_.path()).filename().string();
    for (auto& c : bucket) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto r = RunProcess({"curl", "-sf", "-X", "PUT", std::string(endpoint) + "/" + bucket});
    ASSERT_EQ(r.exit_code, 0) << "could not create bucket " << bucket << ": " << r.err;
    env_ = {{"AWS_ENDPOINT_URL", endpoint},    {"AWS_ENDPOINT", endpoint},
            {"AWS_ALLOW_HTTP", "true"},        {"AWS_ACCESS_KEY_ID", "test"},
            {"AWS_SECRET_ACCESS_KEY", "test"}, {"AWS_REGION", "us-east-1"}};
    url_ = "s3://" + bucket + "/compat";
  }

  ProcessResult Run(const Engine& e, std::vector<std::string> args, const std::string& input = "",
                    bool reader = false) {
    std::vector<std::string> argv = {e.cli, "--url", url_, "--path", "db", "--hex"};
    const bool reads = args[0] == "scan" || args[0] == "get";
    if (reader) argv.push_back("--reader");
    // Our reading commands default to reader mode; reader=false asks for the writer path.
    if (!reader && reads && !e.is_peer) argv.push_back("--writer");
    if (!reader && (args[0] == "load" || args[0] == "put" || args[0] == "delete")) {
      argv.push_back("--settings");
      argv.push_back(e.is_peer ? kPeerSettings : kOurSettings);
    }
    argv.insert(argv.end(), args.begin(), args.end());
    if (!e.is_peer) return RunProcess(argv, input, std::chrono::minutes(5), env_);
    // The peer (node) calls process.exit() right after writing; output to a pipe can then be
    // cut short (asynchronous pipe writes), output to a file cannot. So: stdout to a file.
    std::string out_file = dir_.path() + "/peer-stdout.txt";
    std::string cmd = "exec";
    for (const auto& a : argv) cmd += " '" + a + "'";
    cmd += " > '" + out_file + "'";
    auto r = RunProcess({"/bin/sh", "-c", cmd}, input, std::chrono::minutes(5), env_);
    std::ifstream f(out_file, std::ios::binary);
    r.out.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    return r;
  }

  // Loads `n` rows from a seeded generator into `model` and through engine `e`.
  void Load(const Engine& e, uint64_t seed, int n, int key_space, Model* model) {
    util::Random rng(seed);
    std::string lines;
    for (int i = 0; i < n; ++i) {
      std::string key;
      if (i % 997 == 0) {
        // Binary keys: NUL and 0xff bytes.
        key = std::string("\x00bin", 4) + std::to_string(rng.Uniform(50)) + "\xff";
      } else {
        char buf[32];
        std::snprintf(buf, sizeof(buf), "k%08llu",
                      static_cast<unsigned long long>(rng.Uniform(key_space)));
        key = buf;
      }
      std::string value = "v" + std::to_string(seed) + "-" + std::to_string(i) + "-" +
                          std::string(rng.Uniform(40), 'x');
      (*model)[key] = value;
      lines += util::ToHex(key) + "\t" + util::ToHex(value) + "\n";
    }
    auto r = Run(e, {"load", "--batch", "1000"}, lines);
    ASSERT_EQ(r.exit_code, 0) << e.name << " load failed: " << r.err;
    EXPECT_EQ(r.out, std::to_string(n) + "\n");
  }

  void Delete(const Engine& e, const std::string& key, Model* model) {
    model->erase(key);
    auto r = Run(e, {"delete", util::ToHex(key)});
    ASSERT_EQ(r.exit_code, 0) << e.name << " delete failed: " << r.err;
  }

  static std::string ModelScan(const Model& m, bool reverse) {
    std::vector<std::string> rows;
    for (const auto& [k, v] : m) rows.push_back(util::ToHex(k) + "\t" + util::ToHex(v) + "\n");
    std::string out;
    if (reverse) {
      for (auto it = rows.rbegin(); it != rows.rend(); ++it) out += *it;
    } else {
      for (const auto& r : rows) out += r;
    }
    return out;
  }

  // Scans with engine `e` (as reader or writer) and compares with the model.
  void ExpectScanEquals(const Engine& e, const Model& model, bool reader, bool reverse = false) {
    std::vector<std::string> args = {"scan"};
    if (reverse) args.push_back("--reverse");
    auto r = Run(e, args, "", reader);
    ASSERT_EQ(r.exit_code, 0) << e.name << " scan failed: " << r.err;
    std::string expected = ModelScan(model, reverse);
    ASSERT_EQ(r.out.size(), expected.size())
        << e.name << (reader ? " reader" : " writer") << (reverse ? " reverse" : "")
        << " scan differs in size from the model";
    EXPECT_TRUE(r.out == expected) << e.name << " scan differs from the model";
  }

  std::optional<nlohmann::json> Manifest() {
    auto r = RunProcess({ours_.cli, "--url", url_, "--path", "db", "manifest"}, "",
                        std::chrono::minutes(1), env_);
    if (r.exit_code != 0) {
      ADD_FAILURE() << "manifest failed: " << r.err;
      return std::nullopt;
    }
    return nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  }

  testing::TempDir dir_;
  std::string url_;
  std::map<std::string, std::string> env_;
  Engine peer_, ours_;
};

TEST_P(CompatTest, PeerWritesWeRead) {
  Model model;
  Load(peer_, 7, 100000, 60000, &model);
  Delete(peer_, "k00000001", &model);
  Delete(peer_, model.begin()->first, &model);  // a binary key
  Delete(peer_, "no-such-key", &model);
  auto m = Manifest();
  ASSERT_TRUE(m.has_value());
  EXPECT_GT((*m)["compacted"].size(), 0u) << "the peer's compactor wrote no sorted run";
  EXPECT_GT((*m)["replay_after_wal_id"].get<uint64_t>(), 0u) << "the peer flushed no L0";
  ExpectScanEquals(peer_, model, /*reader=*/true);
  ExpectScanEquals(ours_, model, /*reader=*/true);
  ExpectScanEquals(ours_, model, /*reader=*/true, /*reverse=*/true);
  ExpectScanEquals(ours_, model, /*reader=*/false);
  // Point reads, present and absent.
  auto r = Run(ours_, {"get", util::ToHex(model.rbegin()->first)}, "", true);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, util::ToHex(model.rbegin()->second) + "\n");
  r = Run(ours_, {"get", util::ToHex("k00000001")}, "", true);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "not found\n");
}

TEST_P(CompatTest, WeWritePeerReads) {
  Model model;
  Load(ours_, 11, 100000, 60000, &model);
  Delete(ours_, "k00000002", &model);
  Delete(ours_, model.begin()->first, &model);
  auto m = Manifest();
  ASSERT_TRUE(m.has_value());
  EXPECT_GT((*m)["l0"].size() + (*m)["compacted"].size(), 1u) << "we wrote no L0 SSTs";
  ExpectScanEquals(ours_, model, /*reader=*/true);
  ExpectScanEquals(peer_, model, /*reader=*/true);
  ExpectScanEquals(peer_, model, /*reader=*/true, /*reverse=*/true);
  ExpectScanEquals(peer_, model, /*reader=*/false);
}

TEST_P(CompatTest, AlternatingWriters) {
  Model model;
  uint64_t last_epoch = 0;
  for (int round = 0; round < 4; ++round) {
    const Engine& writer = round % 2 == 0 ? peer_ : ours_;
    const Engine& other = round % 2 == 0 ? ours_ : peer_;
    SCOPED_TRACE("round " + std::to_string(round) + " writer " + writer.name);
    Load(writer, 100 + round, 20000, 15000, &model);
    Delete(writer, "k0000000" + std::to_string(round), &model);
    auto m = Manifest();
    ASSERT_TRUE(m.has_value());
    uint64_t epoch = (*m)["writer_epoch"].get<uint64_t>();
    EXPECT_GT(epoch, last_epoch) << "writer epoch must grow with every writer open";
    last_epoch = epoch;
    ExpectScanEquals(other, model, /*reader=*/true);
    ExpectScanEquals(other, model, /*reader=*/false);
    ExpectScanEquals(writer, model, /*reader=*/true);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, CompatTest, ::testing::Values("local", "s3"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace slatedb
