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
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cli_engines.h"
#include "subprocess.h"
#include "util/coding.h"
#include "util/random.h"

namespace slatedb {
namespace {

using testing::Engine;
using testing::ProcessResult;
using testing::RunProcess;

// Small memtables and an eager compactor so the peer produces L0s and sorted runs.
constexpr const char* kPeerSettings =
    R"({"l0_sst_size_bytes": 262144, "flush_interval": "50ms", "compactor_options": )"
    R"({"poll_interval": "100ms", "scheduler_options": {"min_compaction_sources": "2"}}})";
// compatibility "0.12": our compactor writes `.compactions` version 1, the only one the 0.12.1
// peer's writer accepts (its embedded compactor refuses version 2: "unsupported compactions
// format version"); manifests stay version 2, which 0.12.1 reads.
constexpr const char* kOurSettings =
    R"({"l0_sst_size_bytes": 262144, "flush_interval": "50ms", "compatibility": "0.12"})";
// The merge tests make our writer compact eagerly too (the peer's compactor settings).
constexpr const char* kOurCompactingSettings =
    R"({"l0_sst_size_bytes": 262144, "flush_interval": "50ms", "compatibility": "0.12", )"
    R"("compactor_options": {"poll_interval": "100ms", )"
    R"("scheduler_options": {"min_compaction_sources": "2"}}})";

using Model = std::map<std::string, std::string>;

std::string MergeKey(uint64_t i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "m%05llu", static_cast<unsigned long long>(i));
  return buf;
}

void ModelMerge(Model* model, const std::string& key, const std::string& operand) {
  auto it = model->find(key);
  if (it == model->end()) {
    (*model)[key] = operand;
  } else {
    it->second += "," + operand;  // string-append's delimiter in both engines
  }
}

// Parameter: "local" (a temp directory) or "s3" (moto at $SLATEDB_TEST_S3_ENDPOINT).
class CompatTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    peer_ = testing::PeerEngine();
    ours_ = testing::OurEngine();
    testing::CliBackend backend =
        testing::MakeCliBackend(GetParam(), dir_.path(), "compat", "compat");
    if (!backend.skip.empty()) GTEST_SKIP() << backend.skip;
    ASSERT_TRUE(backend.error.empty()) << backend.error;
    url_ = backend.url;
    env_ = backend.env;
  }

  ProcessResult Run(const Engine& e, std::vector<std::string> args, const std::string& input = "",
                    bool reader = false) {
    std::vector<std::string> argv = {e.cli, "--url", url_, "--path", "db", "--hex"};
    const bool reads = args[0] == "scan" || args[0] == "get";
    if (reader) argv.push_back("--reader");
    if (!merge_operator_.empty()) {
      argv.push_back("--merge-operator");
      argv.push_back(merge_operator_);
    }
    // Our reading commands default to reader mode; reader=false asks for the writer path.
    if (!reader && reads && !e.is_peer) argv.push_back("--writer");
    // Every command of ours that opens a writer gets our settings, reads with --writer too: with
    // the default compatibility its embedded compactor could write `.compactions` version 2
    // (a subcompaction context), which the next "0.12" writer then refuses to rewrite as
    // version 1 and the 0.12.1 peer cannot read (AlternatingWriters/s3 failed so, now and then).
    const bool opens_writer =
        args[0] == "load" || args[0] == "put" || args[0] == "delete" || args[0] == "merge";
    if (!reader && (opens_writer || (reads && !e.is_peer))) {
      argv.push_back("--settings");
      argv.push_back(e.is_peer ? kPeerSettings : our_settings_);
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

  // Replaces `model` by the rows the peer's reader scans, after checking that each of them is
  // the model's (same key, same value): only missing rows are tolerated, and they are reported.
  void AdoptPeersRows(Model* model) {
    auto r = Run(peer_, {"scan"}, "", /*reader=*/true);
    ASSERT_EQ(r.exit_code, 0) << "peer scan failed: " << r.err;
    Model seen;
    size_t pos = 0;
    while (pos < r.out.size()) {
      const size_t tab = r.out.find('\t', pos);
      const size_t nl = r.out.find('\n', pos);
      ASSERT_TRUE(tab != std::string::npos && nl != std::string::npos && tab < nl)
          << "bad peer scan line at byte " << pos;
      std::string key, value;
      ASSERT_TRUE(util::FromHex(std::string_view(r.out).substr(pos, tab - pos), &key));
      ASSERT_TRUE(util::FromHex(std::string_view(r.out).substr(tab + 1, nl - tab - 1), &value));
      auto it = model->find(key);
      ASSERT_TRUE(it != model->end()) << "the peer has a key the model lacks: " << util::ToHex(key);
      ASSERT_EQ(value, it->second) << "the peer's value of " << util::ToHex(key) << " differs";
      seen.emplace(std::move(key), std::move(value));
      pos = nl + 1;
    }
    if (seen.size() != model->size()) {
      std::cerr << "[ NOTE     ] the SlateDB 0.12.1 peer lost " << model->size() - seen.size()
                << " of " << model->size()
                << " rows it wrote (its own reader does not see them); our reads are held to what "
                   "it kept\n";
      RecordProperty("peer_lost_rows", static_cast<int>(model->size() - seen.size()));
      *model = std::move(seen);
    }
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

  // string-append workload through engine `e`: base values for a third of the keys, 60k
  // operands (enough for L0 SSTs and compactions), deletes, an operand on top of a delete, and
  // last operands written by single `merge` commands.
  void WriteMergeWorkload(const Engine& e, uint64_t seed, Model* model) {
    util::Random rng(seed);
    std::string lines;
    for (uint64_t i = 0; i < 3000; i += 3) {
      std::string key = MergeKey(i), value = "base" + std::to_string(i);
      (*model)[key] = value;
      lines += util::ToHex(key) + "\t" + util::ToHex(value) + "\n";
    }
    auto r = Run(e, {"load", "--batch", "1000"}, lines);
    ASSERT_EQ(r.exit_code, 0) << e.name << " load failed: " << r.err;
    lines.clear();
    for (int i = 0; i < 60000; ++i) {
      std::string key = MergeKey(rng.Uniform(3000));
      std::string op = "o" + std::to_string(i) + std::string(rng.Uniform(12), 'y');
      ModelMerge(model, key, op);
      lines += util::ToHex(key) + "\t" + util::ToHex(op) + "\n";
    }
    r = Run(e, {"load", "--merge", "--batch", "1000"}, lines);
    ASSERT_EQ(r.exit_code, 0) << e.name << " load --merge failed: " << r.err;
    EXPECT_EQ(r.out, "60000\n");
    for (uint64_t i : {1, 2, 3}) Delete(e, MergeKey(i), model);
    for (const auto& [key, op] : std::vector<std::pair<std::string, std::string>>{
             {MergeKey(1), "after-delete"}, {MergeKey(4), "last"}, {"zz", "only-operand"}}) {
      r = Run(e, {"merge", util::ToHex(key), util::ToHex(op)});
      ASSERT_EQ(r.exit_code, 0) << e.name << " merge failed: " << r.err;
      ModelMerge(model, key, op);
    }
  }

  // `scan --prefix P` (reader) of both engines equals the model's rows starting with P.
  void ExpectPrefixScansAgree(const Model& model, const std::string& prefix) {
    Model selected;
    for (const auto& [k, v] : model) {
      if (k.compare(0, prefix.size(), prefix) == 0) selected[k] = v;
    }
    ASSERT_FALSE(selected.empty()) << "prefix " << prefix << " selects nothing";
    const std::string expected = ModelScan(selected, false);
    auto ours = Run(ours_, {"scan", "--prefix", util::ToHex(prefix)}, "", true);
    ASSERT_EQ(ours.exit_code, 0) << ours.err;
    auto peer = Run(peer_, {"scan", "--prefix", util::ToHex(prefix)}, "", true);
    ASSERT_EQ(peer.exit_code, 0) << peer.err;
    EXPECT_TRUE(ours.out == expected)
        << "our scan --prefix " << prefix << " differs from the model";
    EXPECT_TRUE(peer.out == ours.out)
        << "the peer's scan --prefix " << prefix << " differs from ours";
    auto ours_rev = Run(ours_, {"scan", "--prefix", util::ToHex(prefix), "--reverse"}, "", true);
    auto peer_rev = Run(peer_, {"scan", "--prefix", util::ToHex(prefix), "--reverse"}, "", true);
    EXPECT_TRUE(ours_rev.out == ModelScan(selected, true)) << "our reverse prefix scan";
    EXPECT_TRUE(peer_rev.out == ours_rev.out) << "the reverse prefix scans differ";
  }

  // Our standalone compactor (`slatedb compactor`, with our compacting settings and the merge
  // operator) until the manifest lists a sorted run, then SIGTERM. The CLI writers of a workload
  // are short-lived: their embedded compactor's jobs are cancelled by Close when the process is
  // faster than the compaction (a busy machine, S3), so a test that needs a run written by our
  // compactor makes sure of it here. Fails the test if no run appears within two minutes.
  void CompactUntilSortedRun() {
    auto m = Manifest();
    if (m && !(*m)["compacted"].empty()) return;
    std::vector<std::string> argv = {ours_.cli, "--url",      url_,         "--path",
                                     "db",      "--settings", our_settings_};
    if (!merge_operator_.empty()) {
      argv.push_back("--merge-operator");
      argv.push_back(merge_operator_);
    }
    argv.push_back("compactor");
    testing::BackgroundProcess compactor(argv, env_);
    ASSERT_TRUE(compactor.started());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
    bool compacted = false;
    while (!compacted && compactor.Running() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      m = Manifest();
      compacted = m && !(*m)["compacted"].empty();
    }
    compactor.Signal(SIGTERM);
    EXPECT_EQ(compactor.Wait(), 0) << "our standalone compactor did not stop cleanly";
    EXPECT_TRUE(compacted) << "our standalone compactor wrote no sorted run within 2 minutes";
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
  std::string merge_operator_;               // --merge-operator for both engines (if set)
  const char* our_settings_ = kOurSettings;  // our writer's --settings
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
  // What the peer wrote is what its own reader sees. SlateDB 0.12.1 can lose a flushed batch
  // across a reopen with compaction (seen once in CI on S3, 2026-12-03: its reader and all of
  // ours agreed, ~800 rows short of the model). Its rows must still be the model's (no row
  // changed, none invented); if some are missing, that is reported and our reads are then held
  // to exactly what the peer wrote.
  ASSERT_NO_FATAL_FAILURE(AdoptPeersRows(&model));
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

// ---- merge operators (string-append and uint64-add) and prefix scans, both directions ----

TEST_P(CompatTest, MergeOperandsPeerWritesWeRead) {
  merge_operator_ = "string-append";
  Model model;
  WriteMergeWorkload(peer_, 21, &model);
  auto m = Manifest();
  ASSERT_TRUE(m.has_value());
  EXPECT_GT((*m)["compacted"].size(), 0u) << "the peer's compactor wrote no sorted run";
  EXPECT_GT((*m)["replay_after_wal_id"].get<uint64_t>(), 0u) << "the peer flushed no L0";
  ExpectScanEquals(peer_, model, /*reader=*/true);
  ExpectScanEquals(ours_, model, /*reader=*/true);
  ExpectScanEquals(ours_, model, /*reader=*/true, /*reverse=*/true);
  ExpectPrefixScansAgree(model, "m000");
  auto r = Run(ours_, {"get", util::ToHex(MergeKey(1))}, "", true);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, util::ToHex(model[MergeKey(1)]) + "\n");
  // Our writer replays the peer's WAL operands (and flushes them to an L0 on close); the peer
  // reads that L0.
  ExpectScanEquals(ours_, model, /*reader=*/false);
  ExpectScanEquals(peer_, model, /*reader=*/true);
}

TEST_P(CompatTest, MergeOperandsWeWritePeerReads) {
  merge_operator_ = "string-append";
  our_settings_ = kOurCompactingSettings;
  Model model;
  WriteMergeWorkload(ours_, 22, &model);
  CompactUntilSortedRun();
  auto m = Manifest();
  ASSERT_TRUE(m.has_value());
  EXPECT_GT((*m)["compacted"].size(), 0u) << "our compactor wrote no sorted run";
  ExpectScanEquals(ours_, model, /*reader=*/true);
  ExpectScanEquals(peer_, model, /*reader=*/true);
  ExpectScanEquals(peer_, model, /*reader=*/true, /*reverse=*/true);
  ExpectPrefixScansAgree(model, "m001");
  ExpectScanEquals(peer_, model, /*reader=*/false);
  ExpectScanEquals(ours_, model, /*reader=*/true);
}

// uint64-add counters: operands are 8 little-endian bytes on both command lines (with --hex);
// each engine adds to what the other wrote, wrapping mod 2^64.
TEST_P(CompatTest, UInt64AddCountersBothWays) {
  merge_operator_ = "uint64-add";
  std::map<std::string, uint64_t> counters;
  auto le = [](uint64_t x) {
    std::string out(8, '\0');
    for (size_t i = 0; i < 8; ++i) out[i] = static_cast<char>((x >> (8 * i)) & 0xff);
    return out;
  };
  auto expect_both_read = [&](const char* after) {
    SCOPED_TRACE(after);
    Model model;
    for (const auto& [k, v] : counters) model[k] = le(v);
    ExpectScanEquals(peer_, model, /*reader=*/true);
    ExpectScanEquals(ours_, model, /*reader=*/true);
    ExpectPrefixScansAgree(model, "c1");
  };
  util::Random rng(5);
  for (int round = 0; round < 2; ++round) {
    const Engine& writer = round == 0 ? peer_ : ours_;
    std::string lines;
    for (int i = 0; i < 3000; ++i) {
      std::string key = "c" + std::to_string(rng.Uniform(40));
      uint64_t x = rng.OneIn(10) ? UINT64_MAX - rng.Uniform(3) : rng.Uniform(1000);
      counters[key] += x;
      lines += util::ToHex(key) + "\t" + util::ToHex(le(x)) + "\n";
    }
    auto r = Run(writer, {"load", "--merge"}, lines);
    ASSERT_EQ(r.exit_code, 0) << writer.name << ": " << r.err;
    r = Run(writer, {"merge", util::ToHex("c7"), util::ToHex(le(3))});
    ASSERT_EQ(r.exit_code, 0) << writer.name << ": " << r.err;
    counters["c7"] += 3;
    expect_both_read(round == 0 ? "the peer wrote" : "we wrote");
  }
}

// A uint64-add operand that is not 8 bytes. The peer's operator (as RocksDB's) reads it as 0,
// and SlateDB runs even a lone operand of a batch through the operator when it writes it, so the
// peer stores 0 (8 bytes) and we read that. We store a lone operand as given and our operator
// refuses it on reads (kInvalid naming the key), where the peer reads 0: a known difference.
TEST_P(CompatTest, UInt64AddOperandOfWrongSize) {
  merge_operator_ = "uint64-add";
  ASSERT_EQ(Run(peer_, {"merge", util::ToHex("p"), "0102"}).exit_code, 0);
  auto r = Run(ours_, {"get", util::ToHex("p")}, "", true);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "0000000000000000\n") << "the peer wrote its operator's output";
  // Ours runs the operand through the operator on write too (as SlateDB does), but our uint64-add
  // refuses an operand that is not 8 bytes (RocksDB's reads it as 0): the write fails, naming the
  // key, and nothing is stored.
  r = Run(ours_, {"merge", util::ToHex("k"), "0102"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("operand of key 'k' has 2 bytes, not 8"), std::string::npos) << r.err;
  r = Run(ours_, {"get", util::ToHex("k")}, "", true);
  EXPECT_EQ(r.exit_code, 3) << "nothing was stored: " << r.out << r.err;
}

INSTANTIATE_TEST_SUITE_P(Backends, CompatTest, ::testing::Values("local", "s3"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace slatedb
