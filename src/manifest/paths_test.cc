#include "manifest/paths.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace slatedb::manifest {
namespace {

TEST(PathsTest, ObjectNames) {
  EXPECT_EQ(ManifestPath("db", 1), "db/manifest/00000000000000000001.manifest");
  EXPECT_EQ(ManifestPath("a/b/", 42), "a/b/manifest/00000000000000000042.manifest");
  EXPECT_EQ(ManifestPath("", 7), "manifest/00000000000000000007.manifest");
  EXPECT_EQ(CompactionsPath("db", 3), "db/compactions/00000000000000000003.compactions");
  EXPECT_EQ(WalSstPath("db", 18446744073709551615ull), "db/wal/18446744073709551615.sst");
  auto ulid = format::Ulid::Parse("01M8BVF2MX00NHKW27PPS3ZNMD");
  ASSERT_OK(ulid);
  EXPECT_EQ(CompactedSstPath("db", *ulid), "db/compacted/01M8BVF2MX00NHKW27PPS3ZNMD.sst");
  EXPECT_EQ(ManifestDir("db"), "db/manifest/");
  EXPECT_EQ(WalDir("db"), "db/wal/");
  EXPECT_EQ(CompactedDir("db"), "db/compacted/");
  EXPECT_EQ(CompactionsDir("db"), "db/compactions/");
}

TEST(PathsTest, ParsesListedNames) {
  EXPECT_EQ(ParseManifestId("db/manifest/00000000000000000005.manifest"), 5u);
  EXPECT_EQ(ParseManifestId("00000000000000000005.manifest"), 5u);
  EXPECT_EQ(ParseManifestId("12.manifest"), std::nullopt);  // exactly 20 digits only
  EXPECT_EQ(ParseCompactionsId("db/compactions/00000000000000000024.compactions"), 24u);
  EXPECT_EQ(ParseWalId("db/wal/00000000000000000003.sst"), 3u);
  auto ulid = ParseCompactedSstId("db/compacted/01M8BVF2MX00NHKW27PPS3ZNMD.sst");
  ASSERT_TRUE(ulid.has_value());
  EXPECT_EQ(ulid->ToString(), "01M8BVF2MX00NHKW27PPS3ZNMD");
}

TEST(PathsTest, IgnoresOtherExtensionsAndBadIds) {
  EXPECT_FALSE(ParseManifestId("db/manifest/00000000000000000005.manifest.tmp"));
  EXPECT_FALSE(ParseManifestId("db/manifest/00000000000000000005.compactions"));
  EXPECT_FALSE(ParseManifestId("db/manifest/abc.manifest"));
  EXPECT_FALSE(ParseManifestId("db/manifest/.manifest"));
  EXPECT_FALSE(ParseManifestId("db/manifest/-1.manifest"));
  EXPECT_FALSE(ParseManifestId("db/manifest/99999999999999999999.manifest"));  // > u64
  EXPECT_FALSE(ParseManifestId("db/manifest/00000000000000000005"));
  EXPECT_FALSE(ParseWalId("db/wal/00000000000000000003.sst.part"));
  EXPECT_FALSE(ParseWalId("db/wal/x.sst"));
  EXPECT_FALSE(ParseCompactedSstId("db/compacted/01M8BVF2MX00NHKW27PPS3ZNMD.tmp"));
  EXPECT_FALSE(ParseCompactedSstId("db/compacted/not-a-ulid.sst"));
}

TEST(PathsTest, NamesRoundTrip) {
  for (uint64_t id : {1ull, 9ull, 10ull, 123456789ull, 18446744073709551615ull}) {
    EXPECT_EQ(ParseManifestId(ManifestPath("db", id)), id);
    EXPECT_EQ(ParseCompactionsId(CompactionsPath("db", id)), id);
    EXPECT_EQ(ParseWalId(WalSstPath("db", id)), id);
  }
}

// Only direct children named exactly like our objects are ours (listing is recursive).
TEST(PathsTest, ListedKeysMustBeExactDirectChildren) {
  EXPECT_EQ(ListedWalId("db", "db/wal/00000000000000000100.sst"), 100u);
  EXPECT_EQ(ListedWalId("db", "db/wal/backup/00000000000000000100.sst"), std::nullopt);
  EXPECT_EQ(ListedWalId("db", "db/wal/0000000000000000100.sst"), std::nullopt);    // 19 digits
  EXPECT_EQ(ListedWalId("db", "db/wal/000000000000000000100.sst"), std::nullopt);  // 21 digits
  EXPECT_EQ(ListedWalId("db", "db/wal/00000000000000000100.sst.tmp"), std::nullopt);
  EXPECT_EQ(ListedWalId("db", "db/wal/00000000000000000100.sst/"), std::nullopt);  // "directory"
  EXPECT_EQ(ListedWalId("db", "db/wal/"), std::nullopt);
  EXPECT_EQ(ListedWalId("db", "other/wal/00000000000000000100.sst"), std::nullopt);
  EXPECT_EQ(ListedManifestId("db", "db/manifest/00000000000000000002.manifest"), 2u);
  EXPECT_EQ(ListedManifestId("db", "db/manifest/old/00000000000000000009.manifest"), std::nullopt);
  EXPECT_EQ(ListedManifestId("db", "db/manifest/00000000000000000009.manifest.bak"), std::nullopt);
  EXPECT_EQ(ListedCompactionsId("db", "db/compactions/00000000000000000003.compactions"), 3u);
  EXPECT_EQ(ListedCompactionsId("db", "db/compactions/x/00000000000000000003.compactions"),
            std::nullopt);
  EXPECT_TRUE(ListedCompactedSstId("db", "db/compacted/01M8BVF2MX00NHKW27PPS3ZNMD.sst"));
  EXPECT_FALSE(ListedCompactedSstId("db", "db/compacted/01m8bvf2mx00nhkw27pps3znmd.sst"));
  EXPECT_FALSE(ListedCompactedSstId("db", "db/compacted/01M8BVF2MX00NHKW27PPS3ZNMDX.sst"));
  EXPECT_FALSE(ListedCompactedSstId("db", "db/compacted/01M8BVF2MX00NHKW27PPS3ZNMU.sst"));
  EXPECT_FALSE(ListedCompactedSstId("db", "db/compacted/81M8BVF2MX00NHKW27PPS3ZNMD.sst"));
  EXPECT_FALSE(ListedCompactedSstId("db", "db/compacted/01M8BVF2MX00NHKW27PPS3ZNMD.sst.tmp"));
  EXPECT_FALSE(ListedCompactedSstId("db", "db/compacted/a/01M8BVF2MX00NHKW27PPS3ZNMD.sst"));
}

TEST(PathsTest, NormalizeDbPath) {
  EXPECT_EQ(NormalizeDbPath("db").value_or("?"), "db");
  EXPECT_EQ(NormalizeDbPath("db/").value_or("?"), "db");
  EXPECT_EQ(NormalizeDbPath("/db").value_or("?"), "db");
  EXPECT_EQ(NormalizeDbPath("a/b/c/").value_or("?"), "a/b/c");
  EXPECT_EQ(NormalizeDbPath("a.b/..c").value_or("?"), "a.b/..c");
  for (const char* bad :
       {"", "/", "//", "db//x", "a/./b", "../db", "db/..", ".", "a\nb", "a\tb", "x\x7f"}) {
    auto r = NormalizeDbPath(bad);
    EXPECT_TRUE(r.status().IsInvalid()) << "'" << bad << "'";
    if (!r.ok()) {
      EXPECT_NE(r.status().message().find("database path '"), std::string::npos)
          << r.status().ToString();
    }
  }
}

}  // namespace
}  // namespace slatedb::manifest
