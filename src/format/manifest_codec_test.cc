#include "format/manifest_codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "subprocess.h"
#include "test_util.h"
#include "util/coding.h"

namespace slatedb::format {
namespace {

namespace fs = std::filesystem;

// EncodeManifest that must succeed.
std::string Encode(const Manifest& m, uint16_t version = kManifestFormatVersionV2) {
  auto r = EncodeManifest(m, version);
  EXPECT_OK(r) << r.status().ToString();
  return r.ok() ? *r : std::string();
}

using testing::FixturesDir;  // testing/subprocess.h
using testing::ReadFile;

// Every file with extension `ext` under <fixture>/db/<dir>/, sorted.
std::vector<fs::path> FixtureFiles(const std::string& dir, const std::string& ext) {
  std::vector<fs::path> out;
  const fs::path root = FixturesDir();
  if (!fs::exists(root)) return out;
  for (const auto& fixture : fs::directory_iterator(root)) {
    const fs::path d = fixture.path() / "db" / dir;
    if (!fs::is_directory(d)) continue;
    for (const auto& f : fs::directory_iterator(d)) {
      if (f.path().extension() == ext) out.push_back(f.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string Hex(std::string_view s) { return util::ToHex(s); }

TEST(ManifestCodecTest, InitialManifestIsByteIdenticalToSpec) {
  // docs/format.md §7.6, byte for byte (the layout of the peer's Rust builder).
  const std::string golden =
      "0001"      // version 1
      "28000000"  // root -> 42
      "24002000"  // vtable 36, table 32
      "00000000070000000000000000000000"
      "08000c0018001000"
      "0000000000001400"            // 16 slots
      "24000000"                    // soffset
      "000000"                      // padding
      "01"                          // initialized
      "34000000"                    // l0 -> 102
      "2c000000"                    // compacted -> 98
      "24000000"                    // checkpoints -> 94
      "0c000000"                    // tracker -> 74
      "0000000000000080"            // tick = i64::MIN
      "0d000000"                    // tracker length
      "01000000000000000000000000"  // empty tracker
      "000000"                      // padding
      "00000000"                    // checkpoints
      "00000000"                    // compacted
      "00000000";                   // l0
  const std::string encoded = Encode(Manifest::NewEmpty(), kManifestFormatVersionV1);
  EXPECT_EQ(encoded.size(), 106u);
  EXPECT_EQ(Hex(encoded), golden);
  auto decoded = DecodeManifest(encoded);
  ASSERT_OK(decoded) << decoded.status().ToString();
  EXPECT_EQ(*decoded, Manifest::NewEmpty());
}

TEST(ManifestCodecTest, NewEmptyMatchesSpecSemantics) {
  Manifest m = Manifest::NewEmpty();
  EXPECT_TRUE(m.initialized);
  EXPECT_EQ(m.writer_epoch, 0u);
  EXPECT_EQ(m.last_l0_clock_tick, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(m.sequence_tracker.size(), 13u);
  EXPECT_TRUE(m.l0.empty() && m.compacted.empty() && m.checkpoints.empty());
}

TEST(ManifestCodecTest, EveryFixtureManifestDecodesAndReencodesIdentically) {
  const auto files = FixtureFiles("manifest", ".manifest");
  ASSERT_GE(files.size(), 166u) << "fixtures not found under " << FixturesDir();
  int identical = 0;
  int peer_files = 0;
  for (const auto& path : files) {
    const std::string bytes = ReadFile(path);
    auto m = DecodeManifest(bytes);
    ASSERT_OK(m) << path << ": " << m.status().ToString();
    const std::string again = Encode(*m, kManifestFormatVersionV1);
    auto m2 = DecodeManifest(again);
    ASSERT_OK(m2) << path << ": " << m2.status().ToString();
    EXPECT_EQ(*m2, *m) << path;
    // pywriter_* manifest 1 was written top-down by the spec-only writer (docs/format.md §2, rule
    // 5); every other fixture manifest was written by the peer and must re-encode byte for byte.
    const bool peer_written = path.string().find("/pywriter_") == std::string::npos ||
                              path.filename() != "00000000000000000001.manifest";
    if (peer_written) {
      EXPECT_EQ(Hex(again), Hex(bytes)) << path;
      ++peer_files;
      identical += (again == bytes);
    }
  }
  EXPECT_GE(peer_files, 161);
  EXPECT_EQ(identical, peer_files);
}

TEST(ManifestCodecTest, ReaderOpenSpotCheck) {
  const fs::path p =
      fs::path(FixturesDir()) / "reader_open/db/manifest/00000000000000000005.manifest";
  const std::string bytes = ReadFile(p);
  ASSERT_EQ(bytes.size(), 402u) << p;
  auto r = DecodeManifest(bytes);
  ASSERT_OK(r) << r.status().ToString();
  const Manifest& m = *r;
  EXPECT_TRUE(m.initialized);
  EXPECT_EQ(m.writer_epoch, 1u);
  EXPECT_EQ(m.compactor_epoch, 0u);
  EXPECT_EQ(m.replay_after_wal_id, 2u);
  EXPECT_EQ(m.wal_id_last_seen, 3u);
  EXPECT_EQ(m.last_l0_clock_tick, 1795694234266);
  EXPECT_EQ(m.last_l0_seq, 1u);
  EXPECT_EQ(m.recent_snapshot_min_seq, 1u);
  EXPECT_FALSE(m.l0_last_compacted.has_value());
  EXPECT_FALSE(m.wal_object_store_uri.has_value());
  ASSERT_EQ(m.checkpoints.size(), 1u);
  EXPECT_EQ(m.checkpoints[0].id.ToString(), "5fa09694-d03b-449c-9ead-e2a36cab61d3");
  EXPECT_EQ(m.checkpoints[0].manifest_id, 5u);
  EXPECT_EQ(m.checkpoints[0].expire_time_s, 1795694834u);
  EXPECT_EQ(m.checkpoints[0].create_time_s, 1795694234u);
  EXPECT_FALSE(m.checkpoints[0].writer_epoch.has_value());
  ASSERT_EQ(m.l0.size(), 1u);
  const SstHandle& sst = m.l0[0];
  EXPECT_EQ(sst.id.ToString(), "01M8BVF2MX00NHKW27PPS3ZNMD");
  EXPECT_EQ(sst.format_version, std::optional<uint16_t>(2));
  EXPECT_FALSE(sst.visible_range.has_value());
  EXPECT_EQ(sst.info.first_entry, std::optional<std::string>("in-l0"));
  EXPECT_EQ(sst.info.last_entry, std::optional<std::string>("in-l0"));
  EXPECT_EQ(sst.info.index_offset, 34u);
  EXPECT_EQ(sst.info.index_len, 52u);
  EXPECT_EQ(sst.info.filter_offset, 34u);
  EXPECT_EQ(sst.info.filter_len, 0u);
  EXPECT_EQ(sst.info.stats_offset, 86u);
  EXPECT_EQ(sst.info.stats_len, 84u);
  EXPECT_TRUE(m.compacted.empty());
  auto tracker = SequenceTracker::Decode(m.sequence_tracker);
  ASSERT_OK(tracker);
  EXPECT_EQ(tracker->samples(), (std::vector<SeqTimeSample>{{1, 1795694234}}));
}

TEST(ManifestCodecTest, CompactFixtureHasSortedRunsAndL0LastCompacted) {
  const auto files = FixtureFiles("manifest", ".manifest");
  bool saw_compacted = false;
  bool saw_wal_uri = false;
  for (const auto& path : files) {
    auto m = DecodeManifest(ReadFile(path));
    ASSERT_OK(m);
    const bool peer_compactor = path.string().find("/compact/") != std::string::npos ||
                                path.string().find("/srmerge/") != std::string::npos;
    if (!m->compacted.empty() && peer_compactor) {
      saw_compacted = true;
      EXPECT_TRUE(m->l0_last_compacted.has_value()) << path;
      for (size_t i = 1; i < m->compacted.size(); ++i) {
        EXPECT_GT(m->compacted[i - 1].id, m->compacted[i].id) << path;
      }
    }
    if (m->wal_object_store_uri) {
      saw_wal_uri = true;
      EXPECT_EQ(*m->wal_object_store_uri, "") << path;
    }
  }
  EXPECT_TRUE(saw_compacted);
  EXPECT_TRUE(saw_wal_uri);
}

Manifest RichManifest() {
  Manifest m;
  m.writer_epoch = 7;
  m.compactor_epoch = 3;
  m.replay_after_wal_id = 10;
  m.wal_id_last_seen = 12;
  m.l0_last_compacted = Ulid{0x0123, 0x4567};
  SstHandle a;
  a.id = Ulid{1, 2};
  a.info.first_entry = "a";
  a.info.last_entry = "m";
  a.info.index_offset = 100;
  a.info.index_len = 20;
  a.info.filter_offset = 100;
  a.info.compression = CompressionCodec::kZstd;
  a.format_version = 2;
  SstHandle b = a;
  b.id = Ulid{3, 4};
  b.format_version.reset();
  b.visible_range =
      BytesRange{{BoundType::kIncluded, std::string("c")}, {BoundType::kUnbounded, std::nullopt}};
  m.l0 = {a, b};
  m.compacted = {SortedRun{5, {a, b}}, SortedRun{0, {}}};
  m.last_l0_clock_tick = 123456789;
  Checkpoint cp;
  cp.id = Uuid{0xAAAA, 0xBBBB};
  cp.manifest_id = 9;
  cp.expire_time_s = 100;
  cp.create_time_s = 50;
  cp.writer_epoch = 7;
  cp.name = "nightly";
  m.checkpoints = {cp, Checkpoint{}};
  m.last_l0_seq = 99;
  m.wal_object_store_uri = "";
  m.recent_snapshot_min_seq = 98;
  m.sequence_tracker = SequenceTracker({{1, 100}, {50, 200}}).Encode();
  m.external_dbs = {ExternalDb{"parent", Uuid{1, 1}, Uuid{2, 2}, {Ulid{5, 5}}},
                    ExternalDb{"other", Uuid{3, 3}, std::nullopt, {}}};
  return m;
}

TEST(ManifestCodecTest, EveryFieldRoundTrips) {
  const Manifest m = RichManifest();
  auto decoded = DecodeManifest(Encode(m));
  ASSERT_OK(decoded) << decoded.status().ToString();
  EXPECT_EQ(*decoded, m);
}

TEST(ManifestCodecTest, DecodesVersion2WithViews) {
  flatbuffers::FlatBufferBuilder fbb;
  SstInfo info;
  info.first_entry = "k";
  info.last_entry = "z";
  info.index_offset = 10;
  auto id_off = EncodeUlid(fbb, Ulid{9, 9});
  auto info_off = EncodeSsTableInfo(fbb, info);
  auto sst = fb::CreateCompactedSsTableV2(fbb, id_off, info_off, 2);
  auto ssts = fbb.CreateVector(std::vector<flatbuffers::Offset<fb::CompactedSsTableV2>>{sst});
  auto k = fbb.CreateVector(reinterpret_cast<const uint8_t*>("m"), 1);
  auto start = fb::CreateBytesBound(fbb, k, fb::BoundType::Included);
  auto end = fb::CreateBytesBound(fbb, 0, fb::BoundType::Unbounded);
  auto range = fb::CreateBytesRange(fbb, start, end);
  auto view = fb::CreateCompactedSsTableView(fbb, EncodeUlid(fbb, Ulid{8, 8}),
                                             EncodeUlid(fbb, Ulid{9, 9}), range);
  auto l0 = fbb.CreateVector(std::vector<flatbuffers::Offset<fb::CompactedSsTableView>>{view});
  auto view2 =
      fb::CreateCompactedSsTableView(fbb, EncodeUlid(fbb, Ulid{9, 9}), EncodeUlid(fbb, Ulid{9, 9}));
  auto run_ssts =
      fbb.CreateVector(std::vector<flatbuffers::Offset<fb::CompactedSsTableView>>{view2});
  auto run = fb::CreateSortedRunV2(fbb, 4, run_ssts);
  auto compacted = fbb.CreateVector(std::vector<flatbuffers::Offset<fb::SortedRunV2>>{run});
  auto cps = fbb.CreateVector(std::vector<flatbuffers::Offset<fb::Checkpoint>>{});
  auto root = fb::CreateManifestV2(fbb, 0, 0, true, 3, 1, 5, 6, EncodeUlid(fbb, Ulid{7, 7}), ssts,
                                   l0, compacted, 42, cps, 11, 10);
  fbb.Finish(root);
  std::string bytes;
  util::PutU16BE(&bytes, 2);
  bytes.append(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());

  auto r = DecodeManifest(bytes);
  ASSERT_OK(r) << r.status().ToString();
  EXPECT_EQ(r->writer_epoch, 3u);
  EXPECT_EQ(r->compactor_epoch, 1u);
  EXPECT_EQ(r->replay_after_wal_id, 5u);
  EXPECT_EQ(r->wal_id_last_seen, 6u);
  EXPECT_EQ(r->l0_last_compacted, std::optional<Ulid>(Ulid{7, 7}));
  ASSERT_EQ(r->l0.size(), 1u);
  EXPECT_EQ(r->l0[0].id, (Ulid{9, 9}));
  EXPECT_EQ(r->l0[0].view_id, std::optional<Ulid>(Ulid{8, 8}));  // a view id of its own
  EXPECT_EQ(r->l0[0].ViewId(), (Ulid{8, 8}));
  EXPECT_EQ(r->l0[0].info, info);
  EXPECT_EQ(r->l0[0].format_version, std::optional<uint16_t>(2));
  ASSERT_TRUE(r->l0[0].visible_range.has_value());
  EXPECT_EQ(r->l0[0].visible_range->start.key, std::optional<std::string>("m"));
  EXPECT_EQ(r->l0[0].visible_range->end.type, BoundType::kUnbounded);
  ASSERT_EQ(r->compacted.size(), 1u);
  EXPECT_EQ(r->compacted[0].id, 4u);
  ASSERT_EQ(r->compacted[0].ssts.size(), 1u);
  EXPECT_FALSE(r->compacted[0].ssts[0].visible_range.has_value());
  EXPECT_FALSE(r->compacted[0].ssts[0].view_id.has_value());  // identity view
  EXPECT_EQ(r->last_l0_clock_tick, 42);
  EXPECT_EQ(r->last_l0_seq, 11u);
  EXPECT_EQ(r->recent_snapshot_min_seq, 10u);
  EXPECT_EQ(r->sequence_tracker, EmptySequenceTrackerBytes());  // absent → empty tracker
}

TEST(ManifestCodecTest, RejectsUnknownVersion) {
  std::string bytes = Encode(Manifest::NewEmpty());
  bytes[1] = 7;
  auto r = DecodeManifest(bytes);
  ASSERT_TRUE(r.status().IsData());
  EXPECT_EQ(r.status().message(), "manifest: unsupported format version 7");
}

TEST(ManifestCodecTest, RejectsShortAndCorruptBytes) {
  EXPECT_TRUE(DecodeManifest("").status().IsData());
  EXPECT_TRUE(DecodeManifest(std::string("\x00", 1)).status().IsData());
  const std::string good = Encode(RichManifest());
  // Every truncation must fail cleanly (no crash).
  for (size_t n = 2; n < good.size(); ++n) {
    auto r = DecodeManifest(good.substr(0, n));
    EXPECT_FALSE(r.ok()) << n;
    if (!r.ok()) {
      EXPECT_TRUE(r.status().IsData()) << n << ": " << r.status().ToString();
    }
  }
  auto r = DecodeManifest(good.substr(0, 40));
  EXPECT_NE(r.status().message().find("manifest: flatbuffer verification failed"),
            std::string::npos);
  // Single-byte corruptions: must never crash; either decode or fail with kData.
  for (size_t i = 2; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0x5A);
    auto d = DecodeManifest(bad);
    if (!d.ok()) {
      EXPECT_TRUE(d.status().IsData()) << i << ": " << d.status().ToString();
    }
  }
}

TEST(ManifestCodecTest, MissingRequiredVectorFailsVerification) {
  flatbuffers::FlatBufferBuilder fbb;
  auto l0 = fbb.CreateVector(std::vector<flatbuffers::Offset<fb::CompactedSsTable>>{});
  // Built by hand: the generated builder asserts required fields in debug builds.
  const auto start = fbb.StartTable();
  fbb.AddOffset(fb::ManifestV1::VT_L0, l0);  // no compacted, no checkpoints
  fbb.Finish(flatbuffers::Offset<fb::ManifestV1>(fbb.EndTable(start)));
  std::string bytes;
  util::PutU16BE(&bytes, 1);
  bytes.append(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
  EXPECT_TRUE(DecodeManifest(bytes).status().IsData());
}

}  // namespace
}  // namespace slatedb::format
