// Differential tests against the official SlateDB 0.12.1 (the peer CLI): manifests we write are
// accepted by the peer, manifests it writes decode and re-encode identically here, and epoch
// fencing works in both directions. Skipped when the peer is not installed.
#include <gtest/gtest.h>

#include <filesystem>

#include "format/manifest_codec.h"
#include "manifest/paths.h"
#include "manifest/stored_manifest.h"
#include "subprocess.h"
#include "test_util.h"

namespace slatedb::manifest {
namespace {

namespace fs = std::filesystem;
using format::Manifest;

class PeerCompatTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(testing::PeerCli())) GTEST_SKIP() << "peer not found: " << testing::PeerCli();
    auto os = NewLocalObjectStore(dir_.path());
    ASSERT_OK(os) << os.status().ToString();
    os_ = *os;
    store_ = std::make_shared<ManifestStore>(os_, "db");
  }

  testing::ProcessResult Peer(std::vector<std::string> args, bool reader = false) {
    std::vector<std::string> argv = {testing::PeerCli(), "--url", "file://" + dir_.path(), "--path",
                                     "db"};
    if (reader) argv.push_back("--reader");
    argv.insert(argv.end(), args.begin(), args.end());
    return testing::RunProcess(argv, "", std::chrono::minutes(2));
  }

  // Every manifest version decodes, and re-encodes (at its own format version) to the exact bytes
  // its writer — the peer or we — stored.
  void ExpectAllManifestsReencodeIdentically() {
    auto list = store_->List();
    ASSERT_OK(list) << list.status().ToString();
    for (size_t i = 0; i < list->size(); ++i) {
      EXPECT_EQ((*list)[i].id, i + 1);
      auto bytes = os_->Get((*list)[i].key);
      ASSERT_OK(bytes);
      auto m = format::DecodeManifest(*bytes);
      ASSERT_OK(m) << (*list)[i].key << ": " << m.status().ToString();
      const uint16_t version = format::ReadVersionPrefix(*bytes, "manifest").value();
      EXPECT_EQ(format::EncodeManifest(*m, version).value(), *bytes) << (*list)[i].key;
    }
  }

  testing::TempDir dir_;
  std::shared_ptr<ObjectStore> os_;
  std::shared_ptr<ManifestStore> store_;
};

TEST_F(PeerCompatTest, PeerOpensADatabaseWeCreated) {
  auto created = StoredManifest::LoadOrCreate(store_);
  ASSERT_OK(created) << created.status().ToString();
  auto put = Peer({"put", "k1", "v1"});
  ASSERT_EQ(put.exit_code, 0) << put.err;
  auto get = Peer({"get", "k1"});
  ASSERT_EQ(get.exit_code, 0) << get.err;
  EXPECT_EQ(get.out, "v1\n");

  auto latest = store_->ReadLatest();
  ASSERT_TRUE(latest.ok() && latest->has_value()) << latest.status().ToString();
  EXPECT_EQ((*latest)->manifest.writer_epoch, 2u);  // two peer opens
  EXPECT_GE((*latest)->manifest.compactor_epoch, 1u);
  ExpectAllManifestsReencodeIdentically();
}

TEST_F(PeerCompatTest, PeerReadsOurUpdatesAndFencesOurWriter) {
  auto put = Peer({"put", "k1", "v1"});
  ASSERT_EQ(put.exit_code, 0) << put.err;

  // We take over as the writer and publish a change the peer must carry forward.
  auto stored = StoredManifest::Load(store_);
  ASSERT_OK(stored) << stored.status().ToString();
  const uint64_t peer_epoch = stored->manifest().writer_epoch;
  auto ours = FenceableManifest::Init(std::move(stored).value(), FenceRole::kWriter);
  ASSERT_OK(ours) << ours.status().ToString();
  EXPECT_EQ(ours->epoch(), peer_epoch + 1);
  format::Checkpoint cp;
  cp.id = format::Uuid{0x5FA09694D03B449Cull, 0x9EADE2A36CAB61D3ull};
  cp.manifest_id = ours->id() + 1;
  cp.create_time_s = 1795694234;
  cp.expire_time_s = 0;  // never expires
  ASSERT_TRUE(ours->Update([&](Manifest& m) {
                    m.checkpoints.push_back(cp);
                    return Status::OK();
                  })
                  .ok());

  // The peer reads our manifest (read-only), then opens as writer, which fences us.
  auto get = Peer({"get", "k1"}, /*reader=*/true);
  ASSERT_EQ(get.exit_code, 0) << get.err;
  EXPECT_EQ(get.out, "v1\n");
  auto put2 = Peer({"put", "k2", "v2"});
  ASSERT_EQ(put2.exit_code, 0) << put2.err;

  Status st = ours->Update([](Manifest& m) {
    m.wal_id_last_seen += 1;
    return Status::OK();
  });
  EXPECT_TRUE(st.IsFenced()) << st.ToString();
  EXPECT_NE(st.message().find("detected newer writer"), std::string::npos);

  auto latest = store_->ReadLatest();
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->manifest.writer_epoch, peer_epoch + 2);
  bool kept = false;
  for (const auto& c : (*latest)->manifest.checkpoints) kept |= c.id == cp.id;
  EXPECT_TRUE(kept) << "the peer dropped our non-expiring checkpoint";
  ExpectAllManifestsReencodeIdentically();
}

// What SlateDB 0.12.1 accepts of the 0.17 formats (docs/format.md §7.4, §9): it reads and writes
// on top of our version-2 manifests, but its writer (with its embedded compactor) refuses a
// `.compactions` version 2 — hence compatibility "0.12", which writes version 1.
TEST_F(PeerCompatTest, PeerReadsManifestV2ButRejectsCompactionsV2) {
  auto created = StoredManifest::LoadOrCreate(store_);
  ASSERT_OK(created) << created.status().ToString();
  auto first = os_->Get(ManifestPath("db", 1));
  ASSERT_OK(first);
  ASSERT_EQ(first->substr(0, 2), std::string("\x00\x02", 2));  // we wrote version 2

  CompactionsStore v2(os_, "db");
  ASSERT_OK(v2.WriteNew(1, format::Compactions{}));
  auto put = Peer({"put", "k1", "v1"});
  EXPECT_NE(put.exit_code, 0);
  EXPECT_NE(put.err.find("unsupported compactions format version"), std::string::npos) << put.err;
  auto read = Peer({"scan"}, /*reader=*/true);  // a reader does not look at `.compactions`
  EXPECT_EQ(read.exit_code, 0) << read.err;

  CompactionsStore v1(os_, "db", StoreFormatFor("0.12"));
  ASSERT_OK(v1.WriteNew(2, format::Compactions{}));
  auto bytes = os_->Get(CompactionsPath("db", 2));
  ASSERT_OK(bytes);
  EXPECT_EQ(bytes->substr(0, 2), std::string("\x00\x01", 2));
  put = Peer({"put", "k1", "v1"});
  ASSERT_EQ(put.exit_code, 0) << put.err;
  auto get = Peer({"get", "k1"}, /*reader=*/true);
  ASSERT_EQ(get.exit_code, 0) << get.err;
  EXPECT_EQ(get.out, "v1\n");
  ExpectAllManifestsReencodeIdentically();  // ours at version 2, the peer's at version 1
}

}  // namespace
}  // namespace slatedb::manifest
