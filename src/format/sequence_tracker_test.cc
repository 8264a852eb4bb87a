#include "format/sequence_tracker.h"

#include <gtest/gtest.h>

#include "test_util.h"
#include "util/coding.h"

namespace slatedb::format {
namespace {

std::string Hex(std::string_view bytes) { return util::ToHex(bytes); }

TEST(SequenceTrackerTest, EmptyGolden) {
  EXPECT_EQ(Hex(SequenceTracker().Encode()), "01000000000000000000000000");
  EXPECT_EQ(EmptySequenceTrackerBytes().size(), 13u);
  auto t = SequenceTracker::Decode(EmptySequenceTrackerBytes());
  ASSERT_OK(t);
  EXPECT_TRUE(t->empty());
}

TEST(SequenceTrackerTest, OneSampleGolden) {
  SequenceTracker t;
  ASSERT_TRUE(t.Insert(1, 1795694213));
  EXPECT_EQ(Hex(t.Encode()),
            "0101000000"
            "000000010000000000000001"
            "00000001000000006b081e85");
}

TEST(SequenceTrackerTest, TwoSamplesGolden) {
  // seqs 1, 308 at 1795694227, 1795694238 (the peer extended a pywriter_* manifest).
  SequenceTracker t({{1, 1795694227}, {308, 1795694238}});
  const std::string golden =
      "0102000000"
      "000000020000000000000001e133"
      "00000002000000006b081e938580";
  EXPECT_EQ(Hex(t.Encode()), golden);
  std::string bytes;
  ASSERT_TRUE(util::FromHex(golden, &bytes));
  auto decoded = SequenceTracker::Decode(bytes);
  ASSERT_OK(decoded) << decoded.status().ToString();
  EXPECT_EQ(*decoded, t);
}

TEST(SequenceTrackerTest, ReaderOpenFixtureBytesDecode) {
  std::string bytes;
  ASSERT_TRUE(util::FromHex("010100000000000001000000000000000100000001000000006b081e9a", &bytes));
  auto t = SequenceTracker::Decode(bytes);
  ASSERT_OK(t);
  ASSERT_EQ(t->size(), 1u);
  EXPECT_EQ(t->samples()[0], (SeqTimeSample{1, 1795694234}));
  EXPECT_EQ(t->Encode(), bytes);
}

TEST(SequenceTrackerTest, EveryDodWidthRoundTrips) {
  // Deltas chosen so the delta-of-delta hits each encoding class, both signs.
  std::vector<SeqTimeSample> samples;
  const int64_t dods[] = {0, 5, -63, 63, 64, -200, 255, -256, 2000, -2047, 3000, -100000, 7};
  uint64_t seq = 1000000;
  int64_t time = 1700000000;
  int64_t delta = 10;
  samples.push_back({seq, time});
  for (int64_t dod : dods) {
    delta += dod;
    seq += static_cast<uint64_t>(delta);
    time += 60 + (dod & 7);
    samples.push_back({seq, time});
  }
  SequenceTracker t(samples);
  auto decoded = SequenceTracker::Decode(t.Encode());
  ASSERT_OK(decoded) << decoded.status().ToString();
  EXPECT_EQ(decoded->samples(), samples);
}

TEST(SequenceTrackerTest, InsertKeepsOneSamplePerMinute) {
  SequenceTracker t;
  EXPECT_TRUE(t.Insert(1, 1000));
  EXPECT_FALSE(t.Insert(2, 1059));  // < 60 s later
  EXPECT_TRUE(t.Insert(3, 1060));
  EXPECT_FALSE(t.Insert(3, 2000));  // seq not increasing
  EXPECT_EQ(t.samples(), (std::vector<SeqTimeSample>{{1, 1000}, {3, 1060}}));
}

TEST(SequenceTrackerTest, CapDropsEverySecondSample) {
  SequenceTracker t;
  for (uint64_t i = 0; i < SequenceTracker::kMaxSamples; ++i) {
    ASSERT_TRUE(t.Insert(i + 1, static_cast<int64_t>(i) * 60));
  }
  EXPECT_EQ(t.size(), SequenceTracker::kMaxSamples);
  ASSERT_TRUE(t.Insert(SequenceTracker::kMaxSamples + 1,
                       static_cast<int64_t>(SequenceTracker::kMaxSamples) * 60));
  EXPECT_EQ(t.size(), SequenceTracker::kMaxSamples / 2 + 1);
  EXPECT_EQ(t.samples()[0].seq, 1u);
  EXPECT_EQ(t.samples()[1].seq, 3u);
  auto decoded = SequenceTracker::Decode(t.Encode());
  ASSERT_OK(decoded);
  EXPECT_EQ(*decoded, t);
}

TEST(SequenceTrackerTest, ExtendAppendsNewerSamplesOnly) {
  SequenceTracker base({{1, 100}});
  SequenceTracker memtable({{1, 100}, {308, 111}, {400, 500}});
  base.Extend(memtable);
  EXPECT_EQ(base.samples(), (std::vector<SeqTimeSample>{{1, 100}, {308, 111}, {400, 500}}));
}

TEST(SequenceTrackerTest, LookupsRoundBetweenSamples) {
  SequenceTracker t({{10, 1000}, {20, 1060}, {30, 1120}});
  EXPECT_EQ(t.FindTimestamp(20, FindOption::kRoundDown), 1060);
  EXPECT_EQ(t.FindTimestamp(20, FindOption::kRoundUp), 1060);
  EXPECT_EQ(t.FindTimestamp(25, FindOption::kRoundDown), 1060);
  EXPECT_EQ(t.FindTimestamp(25, FindOption::kRoundUp), 1120);
  EXPECT_EQ(t.FindTimestamp(5, FindOption::kRoundDown), std::nullopt);
  EXPECT_EQ(t.FindTimestamp(5, FindOption::kRoundUp), 1000);
  EXPECT_EQ(t.FindTimestamp(31, FindOption::kRoundUp), std::nullopt);
  EXPECT_EQ(t.FindTimestamp(31, FindOption::kRoundDown), 1120);
  EXPECT_EQ(t.FindSeq(1060, FindOption::kRoundDown), 20u);
  EXPECT_EQ(t.FindSeq(1100, FindOption::kRoundDown), 20u);
  EXPECT_EQ(t.FindSeq(1100, FindOption::kRoundUp), 30u);
  EXPECT_EQ(t.FindSeq(999, FindOption::kRoundDown), std::nullopt);
  EXPECT_EQ(t.FindSeq(2000, FindOption::kRoundUp), std::nullopt);
  EXPECT_EQ(SequenceTracker().FindSeq(1, FindOption::kRoundUp), std::nullopt);
}

TEST(SequenceTrackerTest, DecodeRejectsCorruptBytes) {
  std::string good = SequenceTracker({{1, 100}, {5, 200}}).Encode();
  EXPECT_TRUE(SequenceTracker::Decode("").status().IsData());
  std::string bad_version = good;
  bad_version[0] = 2;
  EXPECT_TRUE(SequenceTracker::Decode(bad_version).status().IsData());
  for (size_t n = 5; n < good.size(); ++n) {
    EXPECT_TRUE(SequenceTracker::Decode(good.substr(0, n)).status().IsData()) << n;
  }
  EXPECT_TRUE(SequenceTracker::Decode(good + "x").status().IsData());
  std::string bad_count = good;
  bad_count[1] = 3;
  EXPECT_TRUE(SequenceTracker::Decode(bad_count).status().IsData());
}

}  // namespace
}  // namespace slatedb::format
