// The `slatedb` command line as a user meets it: reading commands never fence a live writer and
// never create anything; writing commands say when they create a database; URLs, flags, errors,
// logging and argument ranges behave as documented in tools/cli/main.cc.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "reliability.h"
#include "slatedb/db.h"
#include "slatedb/prefix_extractor.h"
#include "subprocess.h"
#include "test_util.h"

namespace slatedb {
namespace {

using testing::BackgroundProcess;
using testing::ProcessResult;
using testing::ReadFile;
using testing::RunProcess;
using testing::TempDir;

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    root_ = dir_.path() + "/store";
    url_ = "file://" + root_;
  }

  ProcessResult Cli(std::vector<std::string> args, const std::string& stdin_data = "") {
    std::vector<std::string> argv = {testing::OurCli()};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, stdin_data, std::chrono::seconds(120));
  }
  ProcessResult Db(std::vector<std::string> args, const std::string& stdin_data = "") {
    std::vector<std::string> all = {"--url", url_, "--path", "db"};
    all.insert(all.end(), args.begin(), args.end());
    return Cli(all, stdin_data);
  }
  nlohmann::json Status(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = extra;
    args.push_back("status");
    ProcessResult r = Db(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out, nullptr, false);
  }

  TempDir dir_;
  std::string root_;
  std::string url_;
};

TEST_F(CliTest, ReadingCommandsNeverFenceALiveWriter) {
  ASSERT_EQ(Db({"put", "k0", "v0"}).exit_code, 0);
  const uint64_t epoch_before = Status()["writer_epoch"].get<uint64_t>();

  // A live writer: `load --ack` prints each key once durable; it keeps running on stdin.
  const std::string err_file = dir_.path() + "/load.err";
  std::string cmd = "exec '" + testing::OurCli() + "' --url '" + url_ +
                    "' --path db load --await-durable --ack --batch 1 2>'" + err_file + "'";
  BackgroundProcess writer(std::vector<std::string>{"/bin/sh", "-c", cmd});
  ASSERT_TRUE(writer.started());
  std::string acks;
  auto wait_acks = [&](size_t n) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (static_cast<size_t>(std::count(acks.begin(), acks.end(), '\n')) < n &&
           std::chrono::steady_clock::now() < deadline) {
      writer.DrainStdout(&acks);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return static_cast<size_t>(std::count(acks.begin(), acks.end(), '\n'));
  };
  ASSERT_TRUE(testing::WriteAllFd(writer.stdin_fd(), "a\t1\nb\t2\n"));
  ASSERT_EQ(wait_acks(2), 2u);
  const uint64_t live_epoch = Status()["writer_epoch"].get<uint64_t>();
  EXPECT_EQ(live_epoch, epoch_before + 1);  // the load is the writer now

  // Every reading command, while the writer runs.
  ProcessResult get = Db({"get", "a"});
  EXPECT_EQ(get.exit_code, 0) << get.err;
  EXPECT_EQ(get.out, "1\n");
  ProcessResult scan = Db({"scan"});
  EXPECT_EQ(scan.exit_code, 0) << scan.err;
  EXPECT_EQ(scan.out, "a\t1\nb\t2\nk0\tv0\n");
  ProcessResult rr = Db({"readrandom", "--num", "10", "--reads", "20"});
  EXPECT_EQ(rr.exit_code, 0) << rr.err;
  ProcessResult manifest = Db({"manifest"});
  EXPECT_EQ(manifest.exit_code, 0) << manifest.err;
  nlohmann::json status = Status();
  EXPECT_EQ(status["mode"], "reader");
  EXPECT_EQ(status["writer_epoch"].get<uint64_t>(), live_epoch);

  // The writer was not fenced: it keeps acknowledging durable writes and exits cleanly.
  ASSERT_TRUE(testing::WriteAllFd(writer.stdin_fd(), "c\t3\n"));
  EXPECT_EQ(wait_acks(3), 3u);
  writer.CloseStdin();
  EXPECT_EQ(writer.Wait(), 0) << ReadFile(err_file);
  EXPECT_EQ(Status()["writer_epoch"].get<uint64_t>(), live_epoch);
  EXPECT_EQ(Db({"get", "c"}).out, "3\n");
}

// A segmented database (RFC-0024, written through the library): `manifest` shows its segments,
// the reading commands see every row, and a writing command (which has no segment extractor)
// fails naming the manifest's extractor.
TEST_F(CliTest, SegmentedDatabaseManifestAndReads) {
  {
    auto store = NewLocalObjectStore(root_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    Components c;
    c.object_store = *store;
    auto extractor = NewFixedPrefixExtractor(3);
    ASSERT_TRUE(extractor.ok());
    c.segment_extractor = *extractor;
    Settings s;
    s.compactor_options.reset();
    s.garbage_collector_options.reset();
    auto db = slatedb::Db::Open("db", c, s);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE((*db)->Put("aaa/1", "x").ok());
    ASSERT_TRUE((*db)->Put("bbb/1", "y").ok());
    ASSERT_TRUE((*db)->Put("k", "root").ok());
    ASSERT_TRUE((*db)->Flush(FlushType::kMemTable).ok());
    ASSERT_TRUE((*db)->Close().ok());
  }
  ProcessResult manifest = Db({"manifest"});
  ASSERT_EQ(manifest.exit_code, 0) << manifest.err;
  nlohmann::json m = nlohmann::json::parse(manifest.out, nullptr, false);
  ASSERT_FALSE(m.is_discarded()) << manifest.out;
  EXPECT_EQ(m["segment_extractor_name"], "fixed-3");
  ASSERT_EQ(m["segments"].size(), 2u);
  EXPECT_EQ(m["segments"][0]["prefix"], "616161");
  EXPECT_EQ(m["segments"][0]["l0_count"], 1);
  EXPECT_EQ(m["segments"][0]["sorted_runs"], 0);
  EXPECT_EQ(m["segments"][1]["prefix"], "626262");
  EXPECT_EQ(m["l0"].size(), 1u);
  ProcessResult get = Db({"get", "bbb/1"});
  EXPECT_EQ(get.exit_code, 0) << get.err;
  EXPECT_EQ(get.out, "y\n");
  ProcessResult scan = Db({"scan"});
  EXPECT_EQ(scan.exit_code, 0) << scan.err;
  EXPECT_EQ(scan.out, "aaa/1\tx\nbbb/1\ty\nk\troot\n");
  ProcessResult put = Db({"put", "aaa/2", "z"});
  EXPECT_NE(put.exit_code, 0);
  EXPECT_NE(put.err.find("fixed-3"), std::string::npos) << put.err;
}

TEST_F(CliTest, WriterFlagOptsIntoWriterModeForReads) {
  ASSERT_EQ(Db({"put", "k", "v"}).exit_code, 0);
  const uint64_t epoch = Status()["writer_epoch"].get<uint64_t>();
  ProcessResult get = Db({"--writer", "get", "k"});
  EXPECT_EQ(get.exit_code, 0) << get.err;
  EXPECT_EQ(get.out, "v\n");
  EXPECT_EQ(Status()["writer_epoch"].get<uint64_t>(), epoch + 1);
  nlohmann::json live = Status({"--writer"});
  EXPECT_EQ(live["mode"], "writer");
  EXPECT_EQ(Db({"--reader", "--writer", "get", "k"}).exit_code, 2);
  ProcessResult put = Db({"--reader", "put", "k", "v2"});
  EXPECT_EQ(put.exit_code, 1);
  EXPECT_NE(put.err.find("'put' writes; drop --reader"), std::string::npos) << put.err;
}

TEST_F(CliTest, ReadingCommandsCreateNothing) {
  for (std::vector<std::string> cmd :
       {std::vector<std::string>{"get", "k"},
        {"scan"},
        {"status"},
        {"manifest"},
        {"list-checkpoints"},
        {"create-checkpoint"},
        {"delete-checkpoint", "--id", "00000000-0000-4000-8000-000000000001"},
        {"readrandom", "--num", "5", "--reads", "5"},
        {"--writer", "get", "k"},
        {"--writer", "status"},
        {"--reader", "scan"}}) {
    ProcessResult r = Db(cmd);
    EXPECT_EQ(r.exit_code, 1) << cmd.back() << ": " << r.err;
    EXPECT_NE(r.err.find("no database at 'db' in " + url_), std::string::npos)
        << cmd.back() << ": " << r.err;
    EXPECT_FALSE(std::filesystem::exists(root_)) << cmd.back() << " created the store root";
  }
  // An existing store with another database: still nothing created for "db".
  ASSERT_EQ(Cli({"--url", url_, "--path", "other", "put", "k", "v"}).exit_code, 0);
  ProcessResult r = Db({"get", "k"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_FALSE(std::filesystem::exists(root_ + "/db"));
}

// create/list/refresh/delete-checkpoint with slatedb-cli's flags and output shapes.
TEST_F(CliTest, CheckpointCommandsAsSlatedbCli) {
  ASSERT_EQ(Db({"put", "k", "v"}).exit_code, 0);
  ProcessResult created = Db({"create-checkpoint", "--lifetime", "1h", "--name", "nightly"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  std::smatch m;
  const std::regex shape(
      "CheckpointCreateResult \\{ id: ([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
      "[0-9a-f]{12}), manifest_id: ([0-9]+) \\}\n");
  ASSERT_TRUE(std::regex_match(created.out, m, shape)) << created.out;
  const std::string id = m[1];
  const uint64_t manifest_id = std::stoull(m[2]);
  ProcessResult plain = Db({"create-checkpoint", "-s", id});  // short flags; same manifest
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  ASSERT_TRUE(std::regex_match(plain.out, m, shape)) << plain.out;
  const std::string second = m[1];
  EXPECT_EQ(std::stoull(m[2]), manifest_id);

  ProcessResult listed = Db({"list-checkpoints"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  auto all = nlohmann::ordered_json::parse(listed.out, nullptr, false);
  ASSERT_TRUE(all.is_array()) << listed.out;
  ASSERT_EQ(all.size(), 2u);
  std::vector<std::string> keys;
  for (const auto& [k, v] : all[0].items()) keys.push_back(k);
  EXPECT_EQ(keys,
            (std::vector<std::string>{"id", "manifest_id", "expire_time", "create_time", "name"}));
  EXPECT_EQ(all[0]["id"], id);
  EXPECT_EQ(all[0]["manifest_id"], manifest_id);
  EXPECT_EQ(all[0]["name"], "nightly");
  const std::regex rfc3339("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z");
  const std::string created_at = all[0]["create_time"];
  const std::string expires_at = all[0]["expire_time"];
  EXPECT_TRUE(std::regex_match(created_at, rfc3339)) << created_at;
  EXPECT_TRUE(std::regex_match(expires_at, rfc3339)) << expires_at;
  EXPECT_GT(expires_at, created_at);
  EXPECT_TRUE(all[1]["expire_time"].is_null());
  EXPECT_TRUE(all[1]["name"].is_null());
  ProcessResult named = Db({"list-checkpoints", "--name", "nightly"});
  ASSERT_EQ(named.exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(named.out).size(), 1u);
  EXPECT_EQ(Db({"list-checkpoints", "-n", "nope"}).out, "[]\n");

  ProcessResult refreshed = Db({"refresh-checkpoint", "--id", id});  // no lifetime: never expires
  ASSERT_EQ(refreshed.exit_code, 0) << refreshed.err;
  EXPECT_EQ(refreshed.out, "()\n");
  auto after = nlohmann::json::parse(Db({"list-checkpoints", "-n", "nightly"}).out);
  EXPECT_TRUE(after[0]["expire_time"].is_null());
  ASSERT_EQ(Db({"refresh-checkpoint", "-i", id, "-l", "7days 30min"}).exit_code, 0);
  after = nlohmann::json::parse(Db({"list-checkpoints", "-n", "nightly"}).out);
  EXPECT_FALSE(after[0]["expire_time"].is_null());

  ProcessResult deleted = Db({"delete-checkpoint", "--id", second});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
  EXPECT_EQ(deleted.out, "()\n");
  EXPECT_EQ(nlohmann::json::parse(Db({"list-checkpoints"}).out).size(), 1u);
  // Errors name the id; bad input is rejected.
  ProcessResult again = Db({"delete-checkpoint", "--id", second});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find(second), std::string::npos) << again.err;
  EXPECT_EQ(again.out, "");
  ProcessResult bad_id = Db({"refresh-checkpoint", "--id", "xyz"});
  EXPECT_EQ(bad_id.exit_code, 1);
  EXPECT_NE(bad_id.err.find("xyz"), std::string::npos) << bad_id.err;
  ProcessResult bad_lifetime = Db({"create-checkpoint", "--lifetime", "soon"});
  EXPECT_EQ(bad_lifetime.exit_code, 1);
  EXPECT_NE(bad_lifetime.err.find("--lifetime"), std::string::npos) << bad_lifetime.err;
  EXPECT_NE(Db({"delete-checkpoint"}).exit_code, 0);  // --id is required
  // The database still opens and reads as before.
  EXPECT_EQ(Db({"get", "k"}).out, "v\n");
}

TEST_F(CliTest, WritingCommandsSayWhenTheyCreateADatabase) {
  ProcessResult first = Db({"put", "k", "v"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.err.find("created a new database at 'db' in " + url_), std::string::npos)
      << first.err;
  EXPECT_EQ(first.out, "");
  ProcessResult second = Db({"put", "k", "w"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.err.find("created"), std::string::npos) << second.err;
  EXPECT_EQ(Db({"get", "k"}).out, "w\n");
}

TEST_F(CliTest, FileUrlsAreParsedAsUrls) {
  // Percent-decoding, file://localhost, and a case-insensitive scheme all reach one directory.
  const std::string spaced = dir_.path() + "/a b";
  ASSERT_EQ(
      Cli({"--url", "file://" + dir_.path() + "/a%20b", "--path", "db", "put", "k", "v"}).exit_code,
      0);
  EXPECT_TRUE(std::filesystem::is_directory(spaced + "/db"));
  ProcessResult localhost =
      Cli({"--url", "file://localhost" + dir_.path() + "/a%20b", "--path", "db", "get", "k"});
  EXPECT_EQ(localhost.exit_code, 0) << localhost.err;
  EXPECT_EQ(localhost.out, "v\n");
  ProcessResult upper =
      Cli({"--url", "FILE://" + dir_.path() + "/a%20b", "--path", "db", "get", "k"});
  EXPECT_EQ(upper.exit_code, 0) << upper.err;
  EXPECT_EQ(upper.out, "v\n");
  ProcessResult host = Cli({"--url", "file://elsewhere/tmp/x", "--path", "db", "get", "k"});
  EXPECT_EQ(host.exit_code, 1);
  EXPECT_NE(host.err.find("'file://elsewhere/tmp/x'"), std::string::npos) << host.err;
  EXPECT_NE(host.err.find("only file:///abs/dir or file://localhost/abs/dir"), std::string::npos)
      << host.err;
}

TEST_F(CliTest, UsageErrorsAreClear) {
  ProcessResult unknown = Db({"frobnicate"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("unknown command 'frobnicate'"), std::string::npos) << unknown.err;
  ProcessResult version = Cli({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_TRUE(std::regex_search(version.out, std::regex("^slatedb [0-9]+\\.[0-9]+\\.[0-9]+\n$")))
      << version.out;
  ProcessResult level = Db({"--log-level", "loud", "scan"});
  EXPECT_EQ(level.exit_code, 2);
  EXPECT_NE(level.err.find("unknown log level 'loud'"), std::string::npos) << level.err;
}

TEST_F(CliTest, ArgumentsOutsideTheirRangeAreRejectedWithoutACrash) {
  for (std::vector<std::string> cmd :
       {std::vector<std::string>{"fill", "--num", "1", "--value-size", "18446744073709551615"},
        {"fill", "--num", "1", "--value-size", "268435457"},
        {"fill", "--num", "1", "--batch", "0"},
        {"load", "--batch", "0"},
        {"readrandom", "--num", "0", "--reads", "1"},
        {"fill", "--num", "-1"}}) {
    ProcessResult r = Db(cmd);
    EXPECT_EQ(r.exit_code, 2) << cmd[1] << " " << cmd.back() << ": " << r.err;
    EXPECT_FALSE(r.err.empty());
    EXPECT_FALSE(std::filesystem::exists(root_)) << "a rejected command wrote something";
  }
}

TEST_F(CliTest, EveryOptionHasHelpText) {
  // In CLI11's help, an option line is "  NAME [TYPE] [REQUIRED]   description": a line with no
  // second column has no help text.
  std::vector<std::vector<std::string>> helps = {{"--help"}};
  for (const char* sub : {"put", "get", "delete", "flush", "scan", "load", "fill", "readrandom",
                          "status", "manifest", "compactor", "gc"}) {
    helps.push_back({"--url", "memory:///", "--path", "db", sub, "--help"});
  }
  const std::regex option_line("^  +(-[^ ].*|[a-z_]+ +[A-Z]+.*)$");
  const std::regex with_text("^  +\\S.*\\S   +\\S.*$");
  for (const auto& args : helps) {
    ProcessResult r = Cli(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::istringstream lines(r.out);
    std::string line;
    int options = 0;
    while (std::getline(lines, line)) {
      if (!std::regex_match(line, option_line)) continue;
      ++options;
      EXPECT_TRUE(std::regex_match(line, with_text))
          << "no help text in '" << line << "' of " << args[args.size() - 2];
    }
    EXPECT_GE(options, 1) << args[args.size() - 2];
  }
}

TEST_F(CliTest, LoggingFlagsControlStderrAndStdoutStaysClean) {
  // Default: warnings only, so a clean put logs nothing; -v shows the compactor's info lines.
  ProcessResult quiet = Db({"put", "k", "v"});
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.err.find("[info]"), std::string::npos) << quiet.err;
  ProcessResult verbose = Db({"-v", "put", "k", "v2"});
  ASSERT_EQ(verbose.exit_code, 0) << verbose.err;
  EXPECT_NE(verbose.err.find("[info] compactor"), std::string::npos) << verbose.err;
  EXPECT_EQ(verbose.out, "");
  ProcessResult debug = Db({"--log-level", "debug", "put", "k", "v3"});
  ASSERT_EQ(debug.exit_code, 0);
  EXPECT_NE(debug.err.find("[info]"), std::string::npos) << debug.err;
  ProcessResult q = Db({"-q", "-v", "put", "k", "v4"});  // --log-level > -q > -v
  ASSERT_EQ(q.exit_code, 0);
  EXPECT_EQ(q.err.find("[info]"), std::string::npos) << q.err;
  // SLATEDB_LOG sets the default level when no flag does.
  std::vector<std::string> argv = {
      testing::OurCli(), "--url", url_, "--path", "db", "put", "k", "v5"};
  ProcessResult env = RunProcess(argv, "", std::chrono::seconds(60), {{"SLATEDB_LOG", "info"}});
  ASSERT_EQ(env.exit_code, 0) << env.err;
  EXPECT_NE(env.err.find("[info] compactor"), std::string::npos) << env.err;
  EXPECT_EQ(env.out, "");
}

// --merge-operator, merge, load --merge and scan --prefix (the peer's command line). Operands
// are bytes like values: a uint64-add operand is 8 little-endian bytes, given with --hex.
TEST_F(CliTest, MergeOperatorsAndPrefixScans) {
  auto bad = Db({"--merge-operator", "max", "get", "k"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("unknown merge operator 'max' (valid: string-append, uint64-add)"),
            std::string::npos)
      << bad.err;
  auto no_op = Db({"merge", "k", "x"});
  EXPECT_EQ(no_op.exit_code, 1);
  EXPECT_NE(no_op.err.find("merge operator not configured"), std::string::npos) << no_op.err;

  const std::vector<std::string> sa = {"--merge-operator", "string-append"};
  auto with = [&](std::vector<std::string> pre, std::vector<std::string> args,
                  const std::string& in = "") {
    pre.insert(pre.end(), args.begin(), args.end());
    return Db(pre, in);
  };
  ASSERT_EQ(with(sa, {"put", "list:a", "x"}).exit_code, 0);
  ASSERT_EQ(with(sa, {"merge", "list:a", "y"}).exit_code, 0);
  auto load = with(sa, {"load", "--merge"}, "list:a\tz\nlist:b\tp\nlist:b\tq\nother\tw\n");
  ASSERT_EQ(load.exit_code, 0) << load.err;
  EXPECT_EQ(load.out, "4\n");
  auto get = with(sa, {"get", "list:a"});
  EXPECT_EQ(get.exit_code, 0) << get.err;
  EXPECT_EQ(get.out, "x,y,z\n");
  auto prefix = with(sa, {"scan", "--prefix", "list:"});
  EXPECT_EQ(prefix.exit_code, 0) << prefix.err;
  EXPECT_EQ(prefix.out, "list:a\tx,y,z\nlist:b\tp,q\n");
  prefix = with(sa, {"scan", "--prefix", "list:", "--reverse", "--limit", "1"});
  EXPECT_EQ(prefix.out, "list:b\tp,q\n");
  auto both = with(sa, {"scan", "--prefix", "list:", "--from", "a"});
  EXPECT_EQ(both.exit_code, 2) << "--prefix excludes --from";
  // Read without the operator: the operand's key fails, naming it.
  auto blind = Db({"get", "list:b"});
  EXPECT_EQ(blind.exit_code, 1);
  EXPECT_NE(blind.err.find("merge operator not configured: key 'list:b'"), std::string::npos)
      << blind.err;

  const std::vector<std::string> add = {"--merge-operator", "uint64-add", "--hex"};
  ASSERT_EQ(with(add, {"merge", "6e", "0500000000000000"}).exit_code, 0);  // n += 5
  ASSERT_EQ(with(add, {"merge", "6e", "ffffffffffffffff"}).exit_code, 0);  // n += 2^64 - 1
  get = with(add, {"get", "6e"});
  EXPECT_EQ(get.exit_code, 0) << get.err;
  EXPECT_EQ(get.out, "0400000000000000\n");
  // A 2-byte operand is refused when written (it goes through the operator, as in SlateDB),
  // naming the key; the counter keeps its value.
  auto refused = with(add, {"merge", "6e", "0102"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("has 2 bytes, not 8"), std::string::npos) << refused.err;
  get = with(add, {"get", "6e"});
  EXPECT_EQ(get.exit_code, 0) << get.err;
  EXPECT_EQ(get.out, "0400000000000000\n");
}

// The standalone compactor takes the global --merge-operator: with it the operands are
// collapsed, without it they are kept as they are (and it says so once, at info). Both give the
// same value afterwards.
TEST_F(CliTest, StandaloneCompactorTakesTheMergeOperator) {
  const std::string settings = R"({"compactor_options": {"poll_interval": "20ms", )"
                               R"("scheduler_options": {"min_compaction_sources": "2"}}})";
  for (bool with_operator : {true, false}) {
    SCOPED_TRACE(with_operator ? "with --merge-operator" : "without");
    url_ = "file://" + dir_.path() + (with_operator ? "/with" : "/without");
    for (int i = 0; i < 3; ++i) {
      auto r = Db({"--merge-operator", "string-append", "merge", "k", "v" + std::to_string(i)});
      ASSERT_EQ(r.exit_code, 0) << r.err;
      r = Db({"--merge-operator", "string-append", "flush", "--memtable"});  // one L0 each
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    const std::string err_file = dir_.path() + (with_operator ? "/with.err" : "/without.err");
    std::string cmd = "exec '" + testing::OurCli() + "' --url '" + url_ +
                      "' --path db -v --settings '" + settings + "' " +
                      (with_operator ? "--merge-operator string-append " : "") + "compactor 2>'" +
                      err_file + "'";
    BackgroundProcess compactor(std::vector<std::string>{"/bin/sh", "-c", cmd});
    ASSERT_TRUE(compactor.started());
    bool compacted = false;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!compacted && std::chrono::steady_clock::now() < deadline) {
      auto m = Db({"manifest"});
      ASSERT_EQ(m.exit_code, 0) << m.err;
      auto j = nlohmann::json::parse(m.out, nullptr, false);
      compacted = j["l0"].empty() && !j["compacted"].empty();
      if (!compacted) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    compactor.Signal(SIGTERM);
    EXPECT_EQ(compactor.Wait(), 0);
    ASSERT_TRUE(compacted) << "the standalone compactor did not compact the L0 SSTs";
    const std::string err = ReadFile(err_file);
    const bool kept_notice = err.find("merge operands are kept as they are") != std::string::npos;
    EXPECT_EQ(kept_notice, !with_operator) << err;
    auto get = Db({"--merge-operator", "string-append", "get", "k"});
    EXPECT_EQ(get.exit_code, 0) << get.err;
    EXPECT_EQ(get.out, "v0,v1,v2\n");
  }
  auto bad = Db({"--merge-operator", "nope", "compactor"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("unknown merge operator 'nope'"), std::string::npos) << bad.err;
}

// --progress: progress lines (and the totals) on stderr; stdout carries exactly what it does
// without the flag. Without --progress and with stderr not a terminal there are none.
TEST_F(CliTest, ProgressGoesToStderrAndLeavesStdoutUnchanged) {
  ProcessResult plain = Db({"load"}, "a\t1\nb\t22\n");
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(plain.err.find("load:"), std::string::npos) << plain.err;
  ProcessResult load = Db({"load", "--progress"}, "c\t333\nd\t4444\ne\t5\n");
  ASSERT_EQ(load.exit_code, 0) << load.err;
  EXPECT_EQ(plain.out, "2\n");
  EXPECT_EQ(load.out, "3\n");
  EXPECT_TRUE(std::regex_search(
      load.err,
      std::regex(R"(load: 3 rows \(\d+ rows/s\), 11 B \([^)]+/s\), [0-9.]+ s \(done\)\n)")))
      << load.err;

  ProcessResult fill = Db({"fill", "--num", "2000", "--batch", "100", "--progress"});
  ASSERT_EQ(fill.exit_code, 0) << fill.err;
  // 2000 rows of "key%016llu" (19 bytes) + 100 bytes = 238000 B = 232.4 KiB.
  EXPECT_TRUE(std::regex_search(
      fill.err,
      std::regex(
          R"(fill: 2000 rows \(\d+ rows/s\), 232\.4 KiB \([^)]+/s\), [0-9.]+ s \(done\)\n)")))
      << fill.err;
  // stdout: only the JSON result line, with the same fields as without --progress.
  ProcessResult fill_plain = Db({"fill", "--num", "2000", "--batch", "100"});
  ASSERT_EQ(fill_plain.exit_code, 0) << fill_plain.err;
  EXPECT_EQ(fill_plain.err.find("fill:"), std::string::npos) << fill_plain.err;
  auto keys = [](const std::string& out) {
    EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
    std::vector<std::string> k;
    const nlohmann::json j = nlohmann::json::parse(out, nullptr, false);
    for (const auto& [key, value] : j.items()) k.push_back(key);
    return k;
  };
  EXPECT_EQ(keys(fill.out), keys(fill_plain.out));
  EXPECT_EQ(nlohmann::json::parse(fill.out)["num"], 2000);

  ProcessResult rr = Db({"readrandom", "--num", "2000", "--reads", "50", "--progress"});
  ASSERT_EQ(rr.exit_code, 0) << rr.err;
  EXPECT_NE(rr.err.find("readrandom: 50 reads ("), std::string::npos) << rr.err;
  EXPECT_EQ(nlohmann::json::parse(rr.out)["reads"], 50);

  ProcessResult gc = Db({"gc", "--once", "--progress"});
  ASSERT_EQ(gc.exit_code, 0) << gc.err;
  EXPECT_NE(gc.err.find("gc: 1 sweeps; deleted "), std::string::npos) << gc.err;
  EXPECT_EQ(nlohmann::json::parse(gc.out)["runs"], 1);
}

// A standalone compactor with --progress: a periodic line on stderr while it runs, the totals
// "(done)" after SIGTERM, and stdout only its JSON counters.
TEST_F(CliTest, CompactorProgressLinesUntilStopped) {
  ASSERT_EQ(Db({"put", "k", "v"}).exit_code, 0);
  const std::string err_file = dir_.path() + "/compactor.err";
  std::string cmd = "exec '" + testing::OurCli() + "' --url '" + url_ +
                    "' --path db compactor --progress 2>'" + err_file + "'";
  BackgroundProcess compactor(std::vector<std::string>{"/bin/sh", "-c", cmd});
  ASSERT_TRUE(compactor.started());
  // Waits for the first periodic line (every second); the deadline only turns a hang into a
  // failure.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (ReadFile(err_file).find("compactor: 0 compactions done, 0 running, 0 failed; read 0 B, "
                                 "wrote 0 B; ") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::string out;
  compactor.DrainStdout(&out);
  EXPECT_EQ(out, "");  // nothing on stdout while it runs
  compactor.Signal(SIGTERM);
  EXPECT_EQ(compactor.Wait(), 0) << ReadFile(err_file);
  compactor.DrainStdout(&out);
  const std::string err = ReadFile(err_file);
  EXPECT_TRUE(std::regex_search(
      err, std::regex(R"(compactor: 0 compactions done, 0 running, 0 failed; read 0 B, wrote 0 B; )"
                      R"([0-9.]+ s\n(.|\n)*compactor: 0 compactions done, .* s \(done\)\n)")))
      << err;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  EXPECT_EQ(nlohmann::json::parse(out, nullptr, false)["committed"], 0) << out;
}

// One HTTP GET to 127.0.0.1:`port`; the whole response, or "" if nothing listens (yet).
std::string HttpGet(int port, const std::string& path) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    const std::string req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
      char buf[4096];
      for (ssize_t n; (n = ::recv(fd, buf, sizeof(buf), 0)) > 0;) {
        out.append(buf, static_cast<size_t>(n));
      }
    }
  }
  ::close(fd);
  return out;
}

TEST_F(CliTest, StatusMetricsPrintsThePrometheusTextAndARequestCost) {
  ASSERT_EQ(Db({"put", "k", "v"}).exit_code, 0);
  // Reader mode: the JSON summary line, then the exposition of this process's metrics.
  auto r = Db({"status", "--metrics"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const size_t nl = r.out.find('\n');
  ASSERT_NE(nl, std::string::npos);
  auto j = nlohmann::json::parse(r.out.substr(0, nl), nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.out;
  EXPECT_EQ(j["mode"], "reader");
  ASSERT_TRUE(j.contains("request_cost")) << r.out;
  EXPECT_GT(j["request_cost"]["get_per_sec"].get<double>(), 0);   // manifest reads
  EXPECT_GT(j["request_cost"]["list_per_sec"].get<double>(), 0);  // manifest + WAL listings
  EXPECT_GT(j["request_cost"]["usd_per_month"].get<double>(), 0);
  const std::string text = r.out.substr(nl + 1);
  for (const char* want :
       {"# TYPE slatedb_db_request_count counter\n", "# TYPE slatedb_db_l0_sst_count gauge\n",
        "slatedb_db_request_count{op=\"get\"} 0\n", "slatedb_db_cache_access_count{",
        "slatedb_object_store_request_count{component=\"reader\",store_type=\"main\",op=\"get\","
        "api=\"get\"} ",
        "# TYPE slatedb_object_store_request_duration_seconds histogram\n", "le=\"+Inf\"}"}) {
    EXPECT_NE(text.find(want), std::string::npos) << want << "\n" << text;
  }
  // Without --metrics: the JSON line only (still with the cost).
  r = Db({"status"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  EXPECT_NE(r.out.find("\"request_cost\""), std::string::npos) << r.out;
  // Writer mode: the writer's series too.
  r = Db({"--writer", "status", "--metrics"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* want :
       {"# TYPE slatedb_db_write_ops counter\n", "slatedb_wal_wal_buffer_flushes ",
        "slatedb_db_request_count{op=\"put\"} 0\n",
        "slatedb_object_store_request_count{component=\"db\","}) {
    EXPECT_NE(r.out.find(want), std::string::npos) << want << "\n" << r.out;
  }
}

TEST_F(CliTest, CompactorServesMetricsOnMetricsAddr) {
  ASSERT_EQ(Db({"put", "k", "v"}).exit_code, 0);
  for (const char* bad : {"nope", "127.0.0.1", "localhost:9090", "127.0.0.1:70000", "1.2.3.4:x"}) {
    auto r = Db({"compactor", "--metrics-addr", bad});
    EXPECT_EQ(r.exit_code, 2) << bad;
    EXPECT_NE(r.err.find("--metrics-addr '" + std::string(bad) + "'"), std::string::npos) << r.err;
  }
  {
    // An address someone else listens on: exit 1, naming the flag.
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    ASSERT_EQ(::listen(fd, 1), 0);
    socklen_t len = sizeof(addr);
    ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    const std::string busy = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
    auto r = Db({"compactor", "--metrics-addr", busy});
    ::close(fd);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("--metrics-addr " + busy + ": cannot listen"), std::string::npos) << r.err;
  }
  auto once = Db({"gc", "--once", "--metrics-addr", "127.0.0.1:0"});
  EXPECT_EQ(once.exit_code, 2);
  EXPECT_NE(once.err.find("--metrics-addr"), std::string::npos) << once.err;

  for (const char* cmd : {"compactor", "gc"}) {
    SCOPED_TRACE(cmd);
    const int port = testing::ClosedLoopbackPort();  // bound to port 0, then closed: free
    const std::string addr = "127.0.0.1:" + std::to_string(port);
    BackgroundProcess proc(std::vector<std::string>{testing::OurCli(), "--url", url_, "--path",
                                                    "db", cmd, "--metrics-addr", addr});
    ASSERT_TRUE(proc.started());
    std::string resp;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      resp = HttpGet(port, "/metrics");
      if (!resp.empty()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_EQ(resp.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << resp;
    EXPECT_NE(resp.find("Content-Type: text/plain; version=0.0.4"), std::string::npos) << resp;
    const char* want = std::string(cmd) == "compactor"
                           ? "# TYPE slatedb_compactor_running_compactions gauge\n"
                           : "# TYPE slatedb_gc_deleted_count counter\n";
    EXPECT_NE(resp.find(want), std::string::npos) << resp;
    EXPECT_NE(
        resp.find("slatedb_object_store_request_count{component=\"" + std::string(cmd) + "\""),
        std::string::npos)
        << resp;
    EXPECT_EQ(HttpGet(port, "/other").rfind("HTTP/1.1 404 ", 0), 0u);
    proc.Signal(SIGTERM);
    EXPECT_EQ(proc.Wait(), 0);
    std::string out;
    proc.DrainStdout(&out);
    EXPECT_NE(out.find("\"request_cost\""), std::string::npos) << out;
    EXPECT_EQ(HttpGet(port, "/metrics"), "");  // stopped with the command
  }
}

}  // namespace
}  // namespace slatedb
