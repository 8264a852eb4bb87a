// The CDC and inspection commands of `slatedb` (tools/cli/admin_cmd.h): `wal-dump` equals the
// SlateDB peer's byte for byte in both directions (the peer writes and we dump, we write and the
// peer dumps), `cdc --from-seq` (and --follow until SIGTERM), `sst-dump` (incl. --verify on a
// copy with a flipped block byte) and `verify` (healthy → 0; a deleted SST or WAL → 1 naming it).
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

#include "subprocess.h"

namespace slatedb {
namespace {

namespace fs = std::filesystem;
using testing::BackgroundProcess;
using testing::ProcessResult;
using testing::RunProcess;
using testing::TempDir;

// Our writer in the 0.12.1 peer's format (`.compactions` v1), so the peer can open it.
constexpr const char* kOurSettings = R"({"compatibility": "0.12"})";

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

class AdminCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(testing::OurCli())) GTEST_SKIP() << "our CLI not built: " << testing::OurCli();
    root_ = dir_.path() + "/store";
    url_ = "file://" + root_;
  }

  ProcessResult Ours(std::vector<std::string> args, const std::string& input = "",
                     const std::string& url = "") {
    std::vector<std::string> argv = {testing::OurCli(), "--url", url.empty() ? url_ : url, "--path",
                                     "db"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, input, std::chrono::minutes(2), env_);
  }
  ProcessResult OurWrite(std::vector<std::string> args, const std::string& input = "") {
    std::vector<std::string> all = {"--merge-operator", "string-append", "--settings",
                                    kOurSettings};
    all.insert(all.end(), args.begin(), args.end());
    return Ours(all, input);
  }
  // The peer (node) exits right after printing; its stdout goes to a file so nothing is cut.
  ProcessResult Peer(std::vector<std::string> args, const std::string& input = "") {
    std::vector<std::string> argv = {testing::PeerCli(), "--url",        url_, "--path", "db",
                                     "--merge-operator", "string-append"};
    argv.insert(argv.end(), args.begin(), args.end());
    const std::string out_file = dir_.path() + "/peer-stdout.txt";
    std::string cmd = "exec";
    for (const auto& a : argv) cmd += " '" + a + "'";
    cmd += " > '" + out_file + "'";
    ProcessResult r = RunProcess({"/bin/sh", "-c", cmd}, input, std::chrono::minutes(2), env_);
    r.out = testing::ReadFile(out_file);
    return r;
  }
  bool HavePeer() const { return fs::exists(testing::PeerCli()); }
  // Switches both CLIs to a fresh bucket on moto ($SLATEDB_TEST_S3_ENDPOINT); false if unset.
  bool UseS3() {
    const char* endpoint = std::getenv("SLATEDB_TEST_S3_ENDPOINT");
    if (endpoint == nullptr || *endpoint == '\0') return false;
    std::string bucket = "admin-" + fs::path(dir_.path()).filename().string();
    for (auto& c : bucket) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    ProcessResult r =
        RunProcess({"curl", "-sf", "-X", "PUT", std::string(endpoint) + "/" + bucket});
    EXPECT_EQ(r.exit_code, 0) << "could not create bucket " << bucket << ": " << r.err;
    env_ = {{"AWS_ENDPOINT_URL", endpoint},    {"AWS_ENDPOINT", endpoint},
            {"AWS_ALLOW_HTTP", "true"},        {"AWS_ACCESS_KEY_ID", "test"},
            {"AWS_SECRET_ACCESS_KEY", "test"}, {"AWS_REGION", "us-east-1"}};
    url_ = "s3://" + bucket + "/admin";
    return r.exit_code == 0;
  }

  // The one compacted SST of the database (after `flush --memtable`).
  std::string OnlyCompactedSst(const std::string& root) {
    std::vector<std::string> names;
    if (fs::exists(root + "/db/compacted")) {
      for (const auto& e : fs::directory_iterator(root + "/db/compacted")) {
        names.push_back(e.path().filename().string());
      }
    }
    EXPECT_EQ(names.size(), 1u);
    return names.empty() ? "" : names[0];
  }

  TempDir dir_;
  std::string root_;
  std::string url_;
  std::map<std::string, std::string> env_;
};

TEST_F(AdminCliTest, OurWalDumpOfAPeerWrittenDbEqualsThePeers) {
  if (!HavePeer()) GTEST_SKIP() << "peer not found: " << testing::PeerCli();
  ASSERT_EQ(Peer({"put", "a", "1"}).exit_code, 0);
  ASSERT_EQ(Peer({"put", "b", ""}).exit_code, 0);  // an empty value is "" (not null)
  ASSERT_EQ(Peer({"delete", "a"}).exit_code, 0);
  ASSERT_EQ(Peer({"merge", "c", "x"}).exit_code, 0);
  ASSERT_EQ(Peer({"load"}, "k1\tv1\nk2\tv2\n").exit_code, 0);

  ProcessResult theirs = Peer({"wal-dump"});
  ASSERT_EQ(theirs.exit_code, 0) << theirs.err;
  ProcessResult ours = Ours({"wal-dump"});
  ASSERT_EQ(ours.exit_code, 0) << ours.err;
  ASSERT_EQ(Lines(theirs.out).size(), 6u) << theirs.out;
  EXPECT_EQ(ours.out, theirs.out);
  EXPECT_NE(ours.out.find(R"("kind":"Tombstone","key":"61","value":null})"), std::string::npos);
  EXPECT_NE(ours.out.find(R"("kind":"Merge","key":"63","value":"78"})"), std::string::npos);

  ProcessResult theirs_from = Peer({"wal-dump", "--from", "5"});
  ProcessResult ours_from = Ours({"wal-dump", "--from", "5"});
  ASSERT_EQ(ours_from.exit_code, 0) << ours_from.err;
  EXPECT_FALSE(ours_from.out.empty());
  EXPECT_LT(ours_from.out.size(), ours.out.size());
  EXPECT_EQ(ours_from.out, theirs_from.out);
}

TEST_F(AdminCliTest, PeerWalDumpOfADbWeWroteEqualsOurs) {
  if (!HavePeer()) GTEST_SKIP() << "peer not found: " << testing::PeerCli();
  ASSERT_EQ(OurWrite({"put", "a", "1"}).exit_code, 0);
  ASSERT_EQ(OurWrite({"put", "b", ""}).exit_code, 0);
  ASSERT_EQ(OurWrite({"delete", "a"}).exit_code, 0);
  ProcessResult merge = OurWrite({"merge", "c", "x"});
  ASSERT_EQ(merge.exit_code, 0) << merge.err;
  ASSERT_EQ(OurWrite({"load"}, "k1\tv1\nk2\tv2\n").exit_code, 0);

  ProcessResult ours = Ours({"wal-dump"});
  ASSERT_EQ(ours.exit_code, 0) << ours.err;
  ProcessResult theirs = Peer({"wal-dump"});
  ASSERT_EQ(theirs.exit_code, 0) << theirs.err;
  ASSERT_EQ(Lines(ours.out).size(), 6u) << ours.out;
  EXPECT_EQ(theirs.out, ours.out);
  ProcessResult ours_from = Ours({"wal-dump", "--from", "4"});
  ProcessResult theirs_from = Peer({"wal-dump", "--from", "4"});
  EXPECT_FALSE(ours_from.out.empty());
  EXPECT_EQ(theirs_from.out, ours_from.out);
}

TEST_F(AdminCliTest, WalDumpAndCdcOnS3MatchThePeer) {
  if (!HavePeer()) GTEST_SKIP() << "peer not found: " << testing::PeerCli();
  if (!UseS3()) GTEST_SKIP() << "SLATEDB_TEST_S3_ENDPOINT not set (scripts/test.sh starts moto)";
  ASSERT_EQ(Peer({"put", "p", "1"}).exit_code, 0);
  ASSERT_EQ(OurWrite({"put", "o", "2"}).exit_code, 0);
  ASSERT_EQ(OurWrite({"delete", "p"}).exit_code, 0);
  ProcessResult theirs = Peer({"wal-dump"});
  ASSERT_EQ(theirs.exit_code, 0) << theirs.err;
  ProcessResult ours = Ours({"wal-dump"});
  ASSERT_EQ(ours.exit_code, 0) << ours.err;
  ASSERT_EQ(Lines(ours.out).size(), 3u) << ours.out;
  EXPECT_EQ(ours.out, theirs.out);
  ProcessResult cdc = Ours({"cdc", "--from-seq", "2"});
  ASSERT_EQ(cdc.exit_code, 0) << cdc.err;
  ASSERT_EQ(Lines(cdc.out).size(), 2u) << cdc.out;
  EXPECT_EQ(nlohmann::json::parse(Lines(cdc.out)[1])["kind"], "Tombstone");
  ProcessResult verify = Ours({"verify", "--full"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

TEST_F(AdminCliTest, InspectionCommandsCreateNothing) {
  ProcessResult dump = Ours({"wal-dump"});
  EXPECT_EQ(dump.exit_code, 0) << dump.err;
  EXPECT_EQ(dump.out, "");
  ProcessResult cdc = Ours({"cdc", "--from-seq", "1"});
  EXPECT_EQ(cdc.exit_code, 0) << cdc.err;
  EXPECT_EQ(cdc.out, "");
  ProcessResult verify = Ours({"verify"});
  EXPECT_EQ(verify.exit_code, 3);
  EXPECT_NE(verify.err.find("no database at 'db'"), std::string::npos) << verify.err;
  EXPECT_EQ(Ours({"sst-dump", "7"}).exit_code, 3);
  EXPECT_FALSE(fs::exists(root_));  // not even the store's directory
}

TEST_F(AdminCliTest, CdcFromSeqPrintsRowsFromThatSeqOn) {
  ASSERT_EQ(OurWrite({"put", "a", "1"}).exit_code, 0);
  ASSERT_EQ(OurWrite({"put", "b", "2"}).exit_code, 0);
  ASSERT_EQ(OurWrite({"delete", "a"}).exit_code, 0);
  ProcessResult all = Ours({"cdc", "--from-seq", "0"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  ASSERT_EQ(Lines(all.out).size(), 3u) << all.out;
  ProcessResult r = Ours({"cdc", "--from-seq", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  nlohmann::json first = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(first["seq"], 2);
  EXPECT_EQ(first["kind"], "Value");
  EXPECT_EQ(first["key"], "62");
  EXPECT_EQ(first["value"], "32");
  EXPECT_TRUE(first.contains("create_ts"));
  EXPECT_TRUE(first["expire_ts"].is_null());
  nlohmann::json second = nlohmann::json::parse(lines[1]);
  EXPECT_EQ(second["seq"], 3);
  EXPECT_EQ(second["kind"], "Tombstone");
  EXPECT_TRUE(second["value"].is_null());
  // Past the tail: nothing, exit 0.
  ProcessResult none = Ours({"cdc", "--from-seq", "100"});
  EXPECT_EQ(none.exit_code, 0) << none.err;
  EXPECT_EQ(none.out, "");
  // --from-seq is required.
  EXPECT_EQ(Ours({"cdc"}).exit_code, 2);
}

TEST_F(AdminCliTest, CdcFollowSeesLaterWritesAndExitsCleanlyOnSigterm) {
  ASSERT_EQ(OurWrite({"put", "a", "1"}).exit_code, 0);
  BackgroundProcess follower(std::vector<std::string>{testing::OurCli(), "--url", url_, "--path",
                                                      "db", "cdc", "--from-seq", "1", "--follow",
                                                      "--poll-ms", "20"});
  ASSERT_TRUE(follower.started());
  std::string out;
  auto wait_lines = [&](size_t n) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (static_cast<size_t>(std::count(out.begin(), out.end(), '\n')) < n &&
           std::chrono::steady_clock::now() < deadline) {
      follower.DrainStdout(&out);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return static_cast<size_t>(std::count(out.begin(), out.end(), '\n'));
  };
  ASSERT_EQ(wait_lines(1), 1u) << out;
  ASSERT_EQ(OurWrite({"put", "b", "2"}).exit_code, 0);
  ASSERT_EQ(wait_lines(2), 2u) << out;
  std::vector<std::string> lines = Lines(out);
  EXPECT_EQ(nlohmann::json::parse(lines[1])["key"], "62");
  follower.Signal(SIGTERM);
  EXPECT_EQ(follower.Wait(), 0);
}

TEST_F(AdminCliTest, SstDumpShowsTheSstAndVerifyFindsAFlippedBlock) {
  std::string load;
  for (int i = 0; i < 200; ++i)
    load += "key" + std::to_string(1000 + i) + "\tvalue" + std::to_string(i) + "\n";
  ASSERT_EQ(OurWrite({"load"}, load).exit_code, 0);
  ASSERT_EQ(OurWrite({"delete", "key1005"}).exit_code, 0);
  ProcessResult flush = OurWrite({"flush", "--memtable"});
  ASSERT_EQ(flush.exit_code, 0) << flush.err;
  const std::string name = OnlyCompactedSst(root_);
  ASSERT_EQ(name.size(), 30u) << name;  // <ULID>.sst
  const std::string ulid = name.substr(0, 26);

  ProcessResult dump = Ours({"sst-dump", ulid, "--rows", "--stats", "--verify"});
  ASSERT_EQ(dump.exit_code, 0) << dump.err;
  nlohmann::json j = nlohmann::json::parse(dump.out);
  EXPECT_EQ(j["object"], "db/compacted/" + name);
  EXPECT_EQ(j["sst_type"], "Compacted");
  EXPECT_EQ(j["info"]["first_entry"], "6b657931303030");  // "key1000"
  ASSERT_TRUE(j["index"].is_array());
  ASSERT_FALSE(j["index"].empty());
  EXPECT_EQ(j["rows"].size(), 200u);
  EXPECT_EQ(j["stats"]["num_puts"], 199);
  EXPECT_EQ(j["stats"]["num_deletes"], 1);
  EXPECT_EQ(j["verify"]["ok"], true);
  EXPECT_EQ(j["verify"]["blocks_checked"], j["index"].size());
  // The same object by key and by file name, and a WAL by id.
  ProcessResult by_key = Ours({"sst-dump", "db/compacted/" + name});
  EXPECT_EQ(by_key.exit_code, 0) << by_key.err;
  EXPECT_EQ(nlohmann::json::parse(by_key.out)["object"], "db/compacted/" + name);
  ProcessResult by_name = Ours({"sst-dump", name});
  EXPECT_EQ(by_name.exit_code, 0) << by_name.err;
  EXPECT_EQ(nlohmann::json::parse(by_name.out)["object"], "db/compacted/" + name);
  ProcessResult wal = Ours({"sst-dump", "2", "--rows"});
  ASSERT_EQ(wal.exit_code, 0) << wal.err;
  nlohmann::json wj = nlohmann::json::parse(wal.out);
  EXPECT_EQ(wj["object"], "db/wal/00000000000000000002.sst");
  EXPECT_EQ(wj["sst_type"], "Wal");
  EXPECT_EQ(wj["rows"].size(), 200u);  // the load's one batch
  ProcessResult missing = Ours({"sst-dump", "01ARZ3NDEKTSV4RRFFQ69G5FAV"});
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_NE(missing.err.find("01ARZ3NDEKTSV4RRFFQ69G5FAV"), std::string::npos) << missing.err;

  // A copy with one byte of data block #0 flipped.
  const std::string copy = dir_.path() + "/copy";
  ASSERT_TRUE(testing::CopyTree(root_, copy));
  const std::string sst_file = copy + "/db/compacted/" + name;
  std::string bytes = testing::ReadFile(sst_file);
  ASSERT_FALSE(bytes.empty());
  const size_t at = j["index"][0]["offset"].get<size_t>() + 5;
  bytes[at] = static_cast<char>(bytes[at] ^ 0x10);
  std::ofstream(sst_file, std::ios::binary | std::ios::trunc) << bytes;
  const std::string copy_url = "file://" + copy;
  ProcessResult bad = Ours({"sst-dump", ulid, "--verify"}, "", copy_url);
  EXPECT_EQ(bad.exit_code, 1) << bad.out;
  EXPECT_NE(bad.err.find("data block #0"), std::string::npos) << bad.err;
  EXPECT_EQ(nlohmann::json::parse(bad.out)["verify"]["ok"], false);
  // Without --verify only the metadata sections are read: they are intact.
  EXPECT_EQ(Ours({"sst-dump", ulid}, "", copy_url).exit_code, 0);
  // verify --full finds it too; plain verify does not read blocks.
  ProcessResult full = Ours({"verify", "--full"}, "", copy_url);
  EXPECT_EQ(full.exit_code, 1);
  EXPECT_NE(full.err.find(ulid), std::string::npos) << full.err;
  EXPECT_EQ(Ours({"verify"}, "", copy_url).exit_code, 0);
}

TEST_F(AdminCliTest, VerifyPassesOnAHealthyDbAndNamesMissingObjects) {
  std::string load;
  for (int i = 0; i < 50; ++i) load += "k" + std::to_string(i) + "\tv\n";
  ASSERT_EQ(OurWrite({"load"}, load).exit_code, 0);
  ASSERT_EQ(OurWrite({"flush", "--memtable"}).exit_code, 0);
  // WALs after the replay point.
  ASSERT_EQ(OurWrite({"put", "after", "flush"}).exit_code, 0);
  ASSERT_EQ(OurWrite({"put", "later", "still"}).exit_code, 0);

  ProcessResult ok = Ours({"verify", "--full"});
  ASSERT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  nlohmann::json j = nlohmann::json::parse(ok.out);
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["ssts"], 1);
  EXPECT_GE(j["wal_files"].get<int>(), 1);
  EXPECT_GE(j["blocks"].get<int>(), 1);
  EXPECT_TRUE(j["problems"].empty());

  // A deleted SST: non-zero, naming it.
  const std::string name = OnlyCompactedSst(root_);
  ASSERT_FALSE(name.empty());
  const std::string copy = dir_.path() + "/copy";
  ASSERT_TRUE(testing::CopyTree(root_, copy));
  fs::remove(copy + "/db/compacted/" + name);
  ProcessResult bad = Ours({"verify"}, "", "file://" + copy);
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find(name.substr(0, 26)), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("missing"), std::string::npos) << bad.err;
  EXPECT_EQ(nlohmann::json::parse(bad.out)["ok"], false);

  // A deleted WAL after the replay point (a later one exists): non-zero, naming its id.
  ProcessResult wal = Ours({"wal-dump"});
  ASSERT_EQ(wal.exit_code, 0);
  std::vector<std::string> lines = Lines(wal.out);
  ASSERT_GE(lines.size(), 2u);
  const uint64_t last_wal =
      nlohmann::json::parse(lines[lines.size() - 2])["wal_id"].get<uint64_t>();
  char wal_name[32];
  std::snprintf(wal_name, sizeof(wal_name), "%020llu.sst",
                static_cast<unsigned long long>(last_wal));
  const std::string copy2 = dir_.path() + "/copy2";
  ASSERT_TRUE(testing::CopyTree(root_, copy2));
  ASSERT_TRUE(fs::remove(copy2 + "/db/wal/" + wal_name));
  ProcessResult gap = Ours({"verify"}, "", "file://" + copy2);
  EXPECT_EQ(gap.exit_code, 1) << gap.out;
  EXPECT_NE(gap.err.find("WAL " + std::to_string(last_wal) + " "), std::string::npos) << gap.err;

  // No database: exit 3.
  EXPECT_EQ(Ours({"verify"}, "", "file://" + dir_.path() + "/nothing").exit_code, 3);
}

}  // namespace
}  // namespace slatedb
