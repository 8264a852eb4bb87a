// Golden objects of SlateDB 0.17's formats (no SlateDB >= 0.13 runs here): built by flatc from
// testdata/v017/*.json with an independent schema (testdata/v017/slatedb_017.fbs, written from
// the delta document), see testdata/v017/regen.sh. Checks: every field decodes to the value
// the JSON gives; our re-encode (SlateDB 0.17's builder order) is frozen in *.reencoded.* and
// holds the same values under the independent schema (regen.sh compares them with flatc); a
// decode → re-encode of that file is byte-identical; boundary objects decode and re-encode
// byte for byte. SLATEDB_GOLDEN_REWRITE=1 rewrites the *.reencoded.* files.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "format/boundary.h"
#include "format/compactions_codec.h"
#include "format/manifest_codec.h"
#include "test_util.h"

namespace slatedb::format {
namespace {

// Absolute (set by CMake), so the test runs from any working directory.
std::string Dir() { return SLATEDB_V017_TESTDATA; }

std::string ReadFile(const std::string& name) {
  std::ifstream in(Dir() + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Compares `bytes` with the frozen file `name` (or rewrites it on request).
void ExpectFrozen(const std::string& name, const std::string& bytes) {
  if (std::getenv("SLATEDB_GOLDEN_REWRITE") != nullptr) {
    std::ofstream(Dir() + name, std::ios::binary) << bytes;
  }
  EXPECT_EQ(ReadFile(name), bytes) << name << " differs from our encoding";
}

constexpr Ulid kA{0x01A217B78A9D002Bull, 0x19F047B5B23FD68Dull};
constexpr Ulid kB{0x01A217B78A9D0030ull, 0x1111111111111111ull};
constexpr Ulid kC{0x01A217B78A9D0040ull, 0x2222222222222222ull};

TEST(GoldenV017Test, ManifestV2WithSegmentsAndCheckpointMetadata) {
  const std::string golden = ReadFile("manifest_v2.manifest");
  ASSERT_GT(golden.size(), 100u) << "run " << Dir() << "regen.sh";
  ASSERT_EQ(golden.substr(0, 2), std::string("\x00\x02", 2));
  auto m = DecodeManifest(golden);
  ASSERT_OK(m) << m.status().ToString();

  EXPECT_TRUE(m->initialized);
  EXPECT_EQ(m->writer_epoch, 7u);
  EXPECT_EQ(m->compactor_epoch, 3u);
  EXPECT_EQ(m->replay_after_wal_id, 41u);
  EXPECT_EQ(m->wal_id_last_seen, 44u);
  EXPECT_EQ(m->l0_last_compacted, std::optional<Ulid>(Ulid{0x01A217B78A9D0001ull, 5}));
  EXPECT_EQ(m->last_l0_clock_tick, 1795694234266);
  EXPECT_EQ(m->last_l0_seq, 300u);
  EXPECT_EQ(m->recent_snapshot_min_seq, 280u);
  EXPECT_EQ(m->sequence_tracker, EmptySequenceTrackerBytes());
  EXPECT_FALSE(m->wal_object_store_uri.has_value());  // V2 has no such field
  // Root tree: an identity L0 view, a projected one, and a run whose view has an id of its own.
  ASSERT_EQ(m->l0.size(), 2u);
  EXPECT_EQ(m->l0[0].id, kA);
  EXPECT_FALSE(m->l0[0].view_id.has_value());
  EXPECT_EQ(m->l0[0].format_version, std::optional<uint16_t>(2));
  EXPECT_EQ(m->l0[0].info.compression, CompressionCodec::kZstd);
  EXPECT_EQ(m->l0[0].info.filter_format, FilterFormat::kComposite);
  EXPECT_EQ(m->l0[0].info.filter_len, 40u);
  EXPECT_EQ(m->l0[1].id, kC);
  EXPECT_FALSE(m->l0[1].format_version.has_value());  // absent in the ssts table
  ASSERT_TRUE(m->l0[1].visible_range.has_value());
  EXPECT_EQ(m->l0[1].visible_range->start, (BytesBound{BoundType::kIncluded, "n"}));
  EXPECT_EQ(m->l0[1].visible_range->end.type, BoundType::kUnbounded);
  ASSERT_EQ(m->compacted.size(), 2u);
  EXPECT_EQ(m->compacted[0].id, 1u);
  ASSERT_EQ(m->compacted[0].ssts.size(), 1u);
  EXPECT_EQ(m->compacted[0].ssts[0].id, kA);
  EXPECT_EQ(m->compacted[0].ssts[0].ViewId(), (Ulid{0x01A217B78A9D0050ull, 0x3333333333333333ull}));
  EXPECT_EQ(m->compacted[0].ssts[0].info, m->l0[0].info);  // one shared `ssts` entry
  EXPECT_TRUE(m->compacted[1].ssts.empty());
  // Segments, in stored order, with their own trees pointing into the shared SSTs.
  ASSERT_EQ(m->segments.size(), 2u);
  const Segment& tenant = m->segments[0];
  EXPECT_EQ(tenant.prefix, "tenant-a/");
  EXPECT_EQ(tenant.last_compacted_l0_view_id, std::optional<Ulid>(Ulid{0x01A217B78A9D0002ull, 6}));
  ASSERT_EQ(tenant.l0.size(), 1u);
  EXPECT_EQ(tenant.l0[0].id, kB);
  EXPECT_EQ(tenant.l0[0].info.first_entry, std::optional<std::string>("tenant-a/k1"));
  ASSERT_EQ(tenant.compacted.size(), 1u);
  ASSERT_EQ(tenant.compacted[0].ssts.size(), 1u);
  EXPECT_EQ(tenant.compacted[0].ssts[0].visible_range->end,
            (BytesBound{BoundType::kExcluded, "tenant-a0"}));
  EXPECT_EQ(m->segments[1].prefix, std::string("\x00\xff", 2));
  EXPECT_TRUE(m->segments[1].l0.empty() && m->segments[1].compacted.empty());
  EXPECT_FALSE(m->segments[1].last_compacted_l0_view_id.has_value());
  EXPECT_EQ(m->segment_extractor_name, std::optional<std::string>("fixed_prefix:9"));
  // Checkpoints: WriterCheckpoint metadata and a name; and one without metadata.
  ASSERT_EQ(m->checkpoints.size(), 2u);
  EXPECT_EQ(m->checkpoints[0].writer_epoch, std::optional<uint64_t>(6));
  EXPECT_EQ(m->checkpoints[0].name, std::optional<std::string>("nightly"));
  EXPECT_EQ(m->checkpoints[0].manifest_id, 12u);
  EXPECT_EQ(m->checkpoints[0].expire_time_s, 1795694834u);
  EXPECT_FALSE(m->checkpoints[1].writer_epoch.has_value());
  EXPECT_FALSE(m->checkpoints[1].unknown_metadata_type.has_value());
  ASSERT_EQ(m->external_dbs.size(), 1u);
  EXPECT_EQ(m->external_dbs[0].path, "parent-db");
  EXPECT_EQ(m->external_dbs[0].final_checkpoint_id, std::optional<Uuid>(Uuid{1, 2}));
  EXPECT_EQ(m->external_dbs[0].sst_ids, std::vector<Ulid>{kA});

  // Our re-encode (SlateDB's builder order) is frozen; decoding it gives the same value and a
  // decode → re-encode of it is byte-identical.
  auto ours = EncodeManifest(*m);
  ASSERT_OK(ours) << ours.status().ToString();
  ExpectFrozen("manifest_v2.reencoded.manifest", *ours);
  auto again = DecodeManifest(*ours);
  ASSERT_OK(again) << again.status().ToString();
  EXPECT_EQ(*again, *m);
  auto twice = EncodeManifest(*again);
  ASSERT_OK(twice);
  EXPECT_EQ(*twice, *ours);

  // Such a manifest is supported (read with its segments, written keeping them verbatim).
  EXPECT_OK(CheckManifestSupported(*m, ManifestUse::kRead));
  EXPECT_OK(CheckManifestSupported(*m, ManifestUse::kWrite));
  // Version 1 cannot hold it: refused, not dropped.
  auto v1 = EncodeManifest(*m, kManifestFormatVersionV1);
  EXPECT_TRUE(v1.status().IsInvalid());
  EXPECT_NE(v1.status().message().find("2 named segment(s)"), std::string::npos);
}

TEST(GoldenV017Test, CompactionsV2WithEveryStatusWorkerAndContext) {
  const std::string golden = ReadFile("compactions_v2.compactions");
  ASSERT_GT(golden.size(), 100u) << "run " << Dir() << "regen.sh";
  ASSERT_EQ(golden.substr(0, 2), std::string("\x00\x02", 2));
  auto c = DecodeCompactions(golden);
  ASSERT_OK(c) << c.status().ToString();
  EXPECT_EQ(c->compactor_epoch, 3u);
  ASSERT_EQ(c->recent_compactions.size(), 6u);
  const auto& r = c->recent_compactions;
  EXPECT_EQ(r[0].status, CompactionStatus::kSubmitted);
  EXPECT_EQ(r[0].l0_view_ids, std::vector<Ulid>{kA});
  EXPECT_EQ(r[0].destination, std::optional<uint32_t>(2));
  EXPECT_EQ(r[0].segment, "");
  EXPECT_EQ(r[1].status, CompactionStatus::kScheduled);
  EXPECT_EQ(r[1].sorted_runs, (std::vector<uint32_t>{3, 2}));
  EXPECT_EQ(r[1].segment, "tenant-a/");
  EXPECT_EQ(r[2].status, CompactionStatus::kRunning);
  EXPECT_EQ(r[2].worker, (std::optional<WorkerSpec>(WorkerSpec{"worker-7f3a", 1795694234999})));
  ASSERT_TRUE(r[2].ctx.has_value());
  EXPECT_EQ(r[2].ctx->retention_min_seq, 280u);
  ASSERT_EQ(r[2].ctx->subcompactions.size(), 2u);
  EXPECT_EQ(r[2].ctx->subcompactions[0].range.end, (BytesBound{BoundType::kExcluded, "m"}));
  ASSERT_EQ(r[2].ctx->subcompactions[0].output_ssts.size(), 1u);
  EXPECT_EQ(r[2].ctx->subcompactions[0].output_ssts[0].id, (Ulid{0x01A217B78A9D0060ull, 7}));
  EXPECT_TRUE(r[2].ctx->subcompactions[1].output_ssts.empty());
  EXPECT_EQ(r[3].status, CompactionStatus::kCompacted);
  ASSERT_EQ(r[3].output_ssts.size(), 1u);
  EXPECT_TRUE(r[3].ctx.has_value() && r[3].ctx->subcompactions.empty());
  EXPECT_EQ(r[4].status, CompactionStatus::kCompleted);
  EXPECT_EQ(r[4].destination, std::optional<uint32_t>(0));  // absent = 0 in version 2
  EXPECT_EQ(r[5].status, CompactionStatus::kFailed);
  EXPECT_EQ(r[5].kind, CompactionKind::kDrainSegment);
  EXPECT_EQ(r[5].segment, std::string("\x00\xff", 2));
  EXPECT_EQ(r[5].l0_view_ids, std::vector<Ulid>{kC});
  EXPECT_EQ(r[5].sorted_runs, std::vector<uint32_t>{5});

  auto ours = EncodeCompactions(*c);
  ASSERT_OK(ours) << ours.status().ToString();
  ExpectFrozen("compactions_v2.reencoded.compactions", *ours);
  auto again = DecodeCompactions(*ours);
  ASSERT_OK(again) << again.status().ToString();
  EXPECT_EQ(*again, *c);
  auto twice = EncodeCompactions(*again);
  ASSERT_OK(twice);
  EXPECT_EQ(*twice, *ours);
  // compatibility "0.12" (version 1) cannot hold these jobs: refused, naming the first.
  auto v1 = EncodeCompactions(*c, kCompactionsFormatVersionV1);
  EXPECT_TRUE(v1.status().IsInvalid());
  EXPECT_NE(v1.status().message().find("a segment"), std::string::npos) << v1.status().ToString();
}

TEST(GoldenV017Test, BoundaryObjects) {
  for (const auto& [name, value] :
       {std::pair<std::string, uint64_t>{"manifest.boundary", 40}, {"compactions.boundary", 7}}) {
    const std::string bytes = ReadFile(name);
    auto b = DecodeBoundary(bytes);
    ASSERT_OK(b) << name << ": " << b.status().ToString();
    EXPECT_EQ(*b, value);
    EXPECT_EQ(EncodeBoundary(*b), bytes) << name;  // byte-identical, no newline
  }
  EXPECT_EQ(DecodeBoundary(" 12\n").value(), 12u);  // SlateDB trims whitespace
  EXPECT_EQ(DecodeBoundary("18446744073709551615").value(), UINT64_MAX);
  for (const std::string bad : {"", "\n", "-1", "4x", "18446744073709551616", "0x10"}) {
    auto b = DecodeBoundary(bad);
    EXPECT_TRUE(b.status().IsData()) << "'" << bad << "'";
  }
}

// A newer SlateDB's field in a table we re-encode is refused, naming it, never dropped; an
// unknown checkpoint metadata variant is read but not re-encoded.
TEST(GoldenV017Test, UnknownFieldsAndVariantsFailClosed) {
  // A ManifestV2 whose writer knew a field id 18 (vtable offset 40) that we do not.
  flatbuffers::FlatBufferBuilder fbb;
  auto ssts = fbb.CreateVector(std::vector<flatbuffers::Offset<fb::CompactedSsTableV2>>{});
  auto l0 = fbb.CreateVector(std::vector<flatbuffers::Offset<fb::CompactedSsTableView>>{});
  auto runs = fbb.CreateVector(std::vector<flatbuffers::Offset<fb::SortedRunV2>>{});
  auto cps = fbb.CreateVector(std::vector<flatbuffers::Offset<fb::Checkpoint>>{});
  const auto start = fbb.StartTable();
  fbb.AddOffset(fb::ManifestV2::VT_SSTS, ssts);
  fbb.AddOffset(fb::ManifestV2::VT_L0, l0);
  fbb.AddOffset(fb::ManifestV2::VT_COMPACTED, runs);
  fbb.AddOffset(fb::ManifestV2::VT_CHECKPOINTS, cps);
  fbb.AddElement<uint64_t>(40, 99, 0);
  fbb.Finish(flatbuffers::Offset<fb::ManifestV2>(fbb.EndTable(start)));
  std::string bytes("\x00\x02", 2);
  bytes.append(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
  auto r = DecodeManifest(bytes);
  ASSERT_TRUE(r.status().IsData()) << r.status().ToString();
  EXPECT_EQ(r.status().message(),
            "manifest: ManifestV2 has field id 18, which this version does not know (written by "
            "a newer SlateDB?)");

  // An unknown checkpoint metadata variant is read (the checkpoint still pins its manifest) but
  // a rewrite is refused rather than dropping it.
  auto m = DecodeManifest(ReadFile("manifest_v2.manifest"));
  ASSERT_OK(m);
  Checkpoint odd = m->checkpoints[0];
  odd.writer_epoch.reset();
  odd.unknown_metadata_type = 2;
  m->checkpoints.push_back(odd);
  auto refused = EncodeManifest(*m);
  ASSERT_TRUE(refused.status().IsInvalid());
  EXPECT_NE(refused.status().message().find("checkpoint metadata variant 2"), std::string::npos)
      << refused.status().ToString();
}

}  // namespace
}  // namespace slatedb::format
