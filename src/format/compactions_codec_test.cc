#include "format/compactions_codec.h"

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

// EncodeCompactions that must succeed.
std::string Encode(const Compactions& c, uint16_t version = kCompactionsFormatVersion) {
  auto r = EncodeCompactions(c, version);
  EXPECT_OK(r) << r.status().ToString();
  return r.ok() ? *r : std::string();
}

using testing::FixturesDir;  // testing/subprocess.h
using testing::ReadFile;

std::vector<fs::path> CompactionsFiles(const std::string& fixture) {
  std::vector<fs::path> out;
  const fs::path d = fs::path(FixturesDir()) / fixture / "db" / "compactions";
  if (!fs::is_directory(d)) return out;
  for (const auto& f : fs::directory_iterator(d)) {
    if (f.path().extension() == ".compactions") out.push_back(f.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

Compactions DecodeFile(const fs::path& p) {
  auto c = DecodeCompactions(ReadFile(p));
  EXPECT_OK(c) << p << ": " << c.status().ToString();
  return c.ok() ? *c : Compactions{};
}

TEST(CompactionsCodecTest, StatusNamesAreSlateDbs) {
  EXPECT_STREQ(CompactionStatusName(CompactionStatus::kSubmitted), "Submitted");
  EXPECT_STREQ(CompactionStatusName(CompactionStatus::kRunning), "Running");
  EXPECT_STREQ(CompactionStatusName(CompactionStatus::kCompleted), "Completed");
  EXPECT_STREQ(CompactionStatusName(CompactionStatus::kFailed), "Failed");
  EXPECT_STREQ(CompactionStatusName(CompactionStatus::kCompacted), "Compacted");
  EXPECT_STREQ(CompactionStatusName(CompactionStatus::kScheduled), "Scheduled");
  EXPECT_STREQ(CompactionStatusName(static_cast<CompactionStatus>(9)), "Unknown");
}

TEST(CompactionsCodecTest, CompactFixtureGolden) {
  const fs::path dir = fs::path(FixturesDir()) / "compact/db/compactions";
  // #1: created with epoch 0 and no compactions (26 bytes).
  const std::string first = ReadFile(dir / "00000000000000000001.compactions");
  EXPECT_EQ(first.size(), 26u);
  Compactions c1 = DecodeFile(dir / "00000000000000000001.compactions");
  EXPECT_EQ(c1.compactor_epoch, 0u);
  EXPECT_TRUE(c1.recent_compactions.empty());
  EXPECT_EQ(Encode(Compactions{}, kCompactionsFormatVersionV1), first);

  // #4: one submitted L0 compaction (docs/format.md §9).
  Compactions c4 = DecodeFile(dir / "00000000000000000004.compactions");
  EXPECT_EQ(c4.compactor_epoch, 1u);
  ASSERT_EQ(c4.recent_compactions.size(), 1u);
  const CompactionRecord& r = c4.recent_compactions[0];
  EXPECT_EQ(r.id.ToString(), "01M8BVEF4K8DW31Y702RH9XGT0");
  EXPECT_EQ(r.status, CompactionStatus::kSubmitted);
  EXPECT_TRUE(r.sorted_runs.empty());
  EXPECT_TRUE(r.output_ssts.empty());
  ASSERT_EQ(r.l0_view_ids.size(), 4u);
  EXPECT_EQ(r.l0_view_ids[0].ToString(), "01M8BVEF43X0TMN7YQ43EKEXAD");
  EXPECT_EQ(r.l0_view_ids[3].ToString(), "01M8BVEEY2ZYHNC3B41N6BYY1W");
  EXPECT_EQ(r.l0_view_ids[3].high, 117682616014143395ull);
  EXPECT_EQ(r.l0_view_ids[3].low, 6200722270244010044ull);
}

TEST(CompactionsCodecTest, LifecycleReachesCompletedWithOutputs) {
  for (const std::string fixture : {"compact", "srmerge"}) {
    const auto files = CompactionsFiles(fixture);
    ASSERT_GE(files.size(), 5u) << fixture << " under " << FixturesDir();
    bool saw_running_with_outputs = false;
    bool saw_completed = false;
    bool saw_sorted_run_source = false;
    for (const auto& f : files) {
      for (const CompactionRecord& r : DecodeFile(f).recent_compactions) {
        if (r.status == CompactionStatus::kRunning && !r.output_ssts.empty()) {
          saw_running_with_outputs = true;
          for (const SstHandle& sst : r.output_ssts) {
            EXPECT_EQ(sst.format_version, std::optional<uint16_t>(2));
            EXPECT_TRUE(sst.info.first_entry.has_value());
          }
        }
        saw_completed |= r.status == CompactionStatus::kCompleted;
        saw_sorted_run_source |= !r.sorted_runs.empty();
      }
    }
    EXPECT_TRUE(saw_completed) << fixture;
    if (std::string(fixture) == "compact") {
      EXPECT_TRUE(saw_running_with_outputs);  // progress reports (srmerge has none)
    } else {
      EXPECT_TRUE(saw_sorted_run_source);  // sources SR1 + SR0
    }
  }
}

TEST(CompactionsCodecTest, EveryFixtureFileReencodesIdentically) {
  const fs::path root = FixturesDir();
  ASSERT_TRUE(fs::exists(root)) << root;
  int files = 0;
  for (const auto& fixture : fs::directory_iterator(root)) {
    for (const auto& f : CompactionsFiles(fixture.path().filename().string())) {
      const std::string bytes = ReadFile(f);
      auto c = DecodeCompactions(bytes);
      ASSERT_OK(c) << f << ": " << c.status().ToString();
      EXPECT_EQ(util::ToHex(Encode(*c, kCompactionsFormatVersionV1)), util::ToHex(bytes)) << f;
      for (const CompactionRecord& r : c->recent_compactions) {
        EXPECT_EQ(r.destination, std::nullopt) << f;  // version 1 does not store it
      }
      ++files;
    }
  }
  EXPECT_GE(files, 35);
}

TEST(CompactionsCodecTest, RoundTripAllFields) {
  Compactions c;
  c.compactor_epoch = 4;
  CompactionRecord a;
  a.id = Ulid{10, 11};
  a.sorted_runs = {3, 1, 0};
  a.l0_view_ids = {Ulid{5, 5}, Ulid{4, 4}};
  a.status = CompactionStatus::kRunning;
  SstHandle out;
  out.id = Ulid{6, 6};
  out.info.first_entry = "a";
  out.info.last_entry = "b";
  out.format_version = 2;
  a.output_ssts = {out, out};
  CompactionRecord b;
  b.id = Ulid{12, 13};
  b.status = CompactionStatus::kFailed;
  c.recent_compactions = {a, b};
  // Version 1: everything but the destination (not stored).
  auto d1 = DecodeCompactions(Encode(c, kCompactionsFormatVersionV1));
  ASSERT_OK(d1) << d1.status().ToString();
  EXPECT_EQ(*d1, c);
  // Version 2 stores the destination (written as SlateDB infers it when we had none).
  auto d2 = DecodeCompactions(Encode(c));
  ASSERT_OK(d2) << d2.status().ToString();
  c.recent_compactions[0].destination = 0;  // min(3, 1, 0)
  c.recent_compactions[1].destination = 0;
  EXPECT_EQ(*d2, c);
}

TEST(CompactionsCodecTest, Version2RoundTripsEveryNewField) {
  Compactions c;
  c.compactor_epoch = 9;
  CompactionRecord tiered;
  tiered.id = Ulid{20, 1};
  tiered.l0_view_ids = {Ulid{7, 7}};
  tiered.sorted_runs = {2};
  tiered.segment = "tenant-a/";
  tiered.destination = 2;
  tiered.status = CompactionStatus::kCompacted;
  tiered.worker = WorkerSpec{"worker-1", 1795694234269ull};
  CompactionContext ctx;
  ctx.retention_min_seq = 77;
  Subcompaction sub;
  sub.range =
      BytesRange{{BoundType::kUnbounded, std::nullopt}, {BoundType::kExcluded, std::string("m")}};
  SstHandle out;
  out.id = Ulid{30, 3};
  out.info.first_entry = "a";
  out.info.last_entry = "l";
  out.format_version = 2;
  sub.output_ssts = {out};
  Subcompaction empty_sub;
  empty_sub.range =
      BytesRange{{BoundType::kIncluded, std::string("m")}, {BoundType::kUnbounded, std::nullopt}};
  ctx.subcompactions = {sub, empty_sub};
  tiered.ctx = ctx;
  tiered.output_ssts = {out};
  CompactionRecord drain;
  drain.id = Ulid{21, 1};
  drain.kind = CompactionKind::kDrainSegment;
  drain.segment = std::string("\x00\xff", 2);
  drain.l0_view_ids = {Ulid{8, 8}, Ulid{9, 9}};
  drain.status = CompactionStatus::kScheduled;
  CompactionRecord plain;  // no worker, no context: both stay absent
  plain.id = Ulid{22, 1};
  plain.destination = 5;
  c.recent_compactions = {tiered, drain, plain};
  const std::string bytes = Encode(c);
  EXPECT_EQ(bytes.substr(0, 2), std::string("\x00\x02", 2));
  auto d = DecodeCompactions(bytes);
  ASSERT_OK(d) << d.status().ToString();
  EXPECT_EQ(*d, c);
  EXPECT_EQ(Encode(*d), bytes);  // stable

  // Version 1 cannot hold any of it: refused, naming what.
  for (const auto& [record, what] : std::vector<std::pair<CompactionRecord, std::string>>{
           {tiered, "a segment"}, {drain, "a drain-segment spec"}}) {
    auto v1 = EncodeCompactions(Compactions{1, {record}}, kCompactionsFormatVersionV1);
    ASSERT_TRUE(v1.status().IsInvalid());
    EXPECT_NE(v1.status().message().find(what), std::string::npos) << v1.status().ToString();
  }
  CompactionRecord scheduled = plain;
  scheduled.status = CompactionStatus::kScheduled;
  EXPECT_TRUE(EncodeCompactions(Compactions{1, {scheduled}}, kCompactionsFormatVersionV1)
                  .status()
                  .IsInvalid());
  CompactionRecord claimed = plain;
  claimed.worker = WorkerSpec{"w", 1};
  EXPECT_TRUE(EncodeCompactions(Compactions{1, {claimed}}, kCompactionsFormatVersionV1)
                  .status()
                  .IsInvalid());
}

TEST(CompactionsCodecTest, RejectsBadInput) {
  EXPECT_TRUE(DecodeCompactions("").status().IsData());
  std::string bytes = Encode(Compactions{7, {}});
  std::string bad = bytes;
  bad[1] = 3;
  auto r = DecodeCompactions(bad);
  ASSERT_TRUE(r.status().IsData());
  EXPECT_EQ(r.status().message(),
            "compactions: unsupported format version 3 (this version reads 1 and 2)");
  for (size_t n = 2; n < bytes.size(); ++n) {
    EXPECT_TRUE(DecodeCompactions(bytes.substr(0, n)).status().IsData()) << n;
  }
}

}  // namespace
}  // namespace slatedb::format
