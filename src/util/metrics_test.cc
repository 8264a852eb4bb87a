// Tests of DefaultMetricsRecorder, MetricsSnapshot and ToPrometheusText (slatedb/metrics.h).
#include "slatedb/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <thread>
#include <vector>

#include "util/metrics.h"

namespace slatedb {
namespace {

TEST(MetricsTest, ConcurrentIncrementsSumExactly) {
  DefaultMetricsRecorder rec;
  auto counter = rec.RegisterCounter("t.c", "c", {});
  auto up_down = rec.RegisterUpDownCounter("t.u", "u", {});
  auto hist = rec.RegisterHistogram("t.h", "h", {}, {1.0, 2.0});
  constexpr int kThreads = 8;
  constexpr int kPerThread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Each thread registers again: the same series, so every increment lands in one place.
      auto mine = rec.RegisterCounter("t.c", "c", {});
      for (int i = 0; i < kPerThread; ++i) {
        (i % 2 == 0 ? counter : mine)->Increment(1);
        up_down->Increment(t % 2 == 0 ? 2 : -1);
        hist->Record(static_cast<double>(i % 3));  // 0, 1, 2: buckets le=1, le=1, le=2
      }
    });
  }
  for (auto& th : threads) th.join();
  MetricsSnapshot snap = rec.Snapshot();
  ASSERT_EQ(snap.metrics.size(), 3u);
  const Metric* c = snap.Find("t.c");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->counter, uint64_t{kThreads} * kPerThread);
  const Metric* u = snap.Find("t.u");
  ASSERT_NE(u, nullptr);
  EXPECT_EQ(u->kind, MetricKind::kUpDownCounter);
  EXPECT_EQ(u->gauge, int64_t{kThreads / 2} * kPerThread * 2 - int64_t{kThreads / 2} * kPerThread);
  const Metric* h = snap.Find("t.h");
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->histogram.count, uint64_t{kThreads} * kPerThread);
  // i % 3 over 20000 values: 6667 zeros, 6667 ones, 6666 twos per thread.
  EXPECT_EQ(h->histogram.bucket_counts, (std::vector<uint64_t>{8 * 13334, 8 * 6666, 0}));
  EXPECT_DOUBLE_EQ(h->histogram.sum, 8.0 * (6667 * 1 + 6666 * 2));
}

TEST(MetricsTest, HistogramBucketsAreLessOrEqualWithAnOverflowBucket) {
  DefaultMetricsRecorder rec;
  auto h = rec.RegisterHistogram("t.h", "h", {{"k", "v"}}, LatencyBoundariesSeconds());
  for (double x : {0.0, 0.001, 0.0011, 0.005, 9.9, 10.0, 10.5, 1e9}) h->Record(x);
  h->Record(std::nan(""));  // ignored
  const MetricsSnapshot snap = rec.Snapshot();
  const Metric* m = snap.Find("t.h", {{"k", "v"}});
  ASSERT_NE(m, nullptr);
  const HistogramValue& v = m->histogram;
  ASSERT_EQ(v.boundaries, LatencyBoundariesSeconds());
  ASSERT_EQ(v.bucket_counts.size(), 13u);
  EXPECT_EQ(v.bucket_counts[0], 2u);   // 0, 0.001 (<= 0.001)
  EXPECT_EQ(v.bucket_counts[1], 2u);   // 0.0011, 0.005
  EXPECT_EQ(v.bucket_counts[11], 2u);  // 9.9, 10.0 (<= 10)
  EXPECT_EQ(v.bucket_counts[12], 2u);  // 10.5, 1e9 (> 10)
  EXPECT_EQ(v.count, 8u);
}

TEST(MetricsTest, RegistrationIsIdempotentAndConflictsAreHidden) {
  DefaultMetricsRecorder rec;
  auto a = rec.RegisterCounter("n", "first", {{"op", "get"}, {"x", "1"}});
  auto b = rec.RegisterCounter("n", "second", {{"x", "1"}, {"op", "get"}});  // same set
  EXPECT_EQ(a, b);
  auto other = rec.RegisterCounter("n", "first", {{"op", "put"}});
  EXPECT_NE(a, other);
  auto wrong_kind = rec.RegisterGauge("n", "a gauge", {});
  wrong_kind->Set(7);  // works, but is not exported
  auto h1 = rec.RegisterHistogram("h", "h", {}, {1, 2});
  auto h2 = rec.RegisterHistogram("h", "h", {}, {1, 3});
  EXPECT_NE(h1, h2);
  a->Increment(2);
  other->Increment(5);
  MetricsSnapshot snap = rec.Snapshot();
  EXPECT_EQ(snap.metrics.size(), 3u);  // n{op=get,x=1}, n{op=put}, h
  EXPECT_EQ(snap.Sum("n"), 7);
  EXPECT_EQ(snap.Sum("n", {{"op", "get"}}), 2);
  EXPECT_EQ(snap.Sum("n", {{"op", "delete"}}), 0);
  EXPECT_EQ(snap.Find("n", {{"op", "get"}}), nullptr);  // Find needs the exact label set
  ASSERT_NE(snap.Find("n", {{"x", "1"}, {"op", "get"}}), nullptr);
  EXPECT_EQ(snap.Find("n", {{"x", "1"}, {"op", "get"}})->description, "first");
}

TEST(MetricsTest, PrometheusTextGolden) {
  DefaultMetricsRecorder rec;
  rec.RegisterCounter("slatedb.db.request_count", "Number of DB requests", {{"op", "get"}})
      ->Increment(3);
  rec.RegisterCounter("slatedb.db.request_count", "Number of DB requests", {{"op", "scan"}})
      ->Increment(1);
  rec.RegisterGauge("slatedb.db.l0_sst_count", "L0 SSTs\nnow \\ here", {})->Set(-4);
  rec.RegisterUpDownCounter("slatedb.compactor.running_compactions", "running", {})->Increment(2);
  auto h = rec.RegisterHistogram("slatedb.object_store.request_duration_seconds", "latency",
                                 {{"api", "get\"x\\y\nz"}, {"bad-label", "v"}}, {0.5, 1, 2.5});
  h->Record(0.25);
  h->Record(1);
  h->Record(3);
  const std::string expected =
      "# HELP slatedb_compactor_running_compactions running\n"
      "# TYPE slatedb_compactor_running_compactions gauge\n"
      "slatedb_compactor_running_compactions 2\n"
      "# HELP slatedb_db_l0_sst_count L0 SSTs\\nnow \\\\ here\n"
      "# TYPE slatedb_db_l0_sst_count gauge\n"
      "slatedb_db_l0_sst_count -4\n"
      "# HELP slatedb_db_request_count Number of DB requests\n"
      "# TYPE slatedb_db_request_count counter\n"
      "slatedb_db_request_count{op=\"get\"} 3\n"
      "slatedb_db_request_count{op=\"scan\"} 1\n"
      "# HELP slatedb_object_store_request_duration_seconds latency\n"
      "# TYPE slatedb_object_store_request_duration_seconds histogram\n"
      "slatedb_object_store_request_duration_seconds_bucket{api=\"get\\\"x\\\\y\\nz\","
      "bad_label=\"v\",le=\"0.5\"} 1\n"
      "slatedb_object_store_request_duration_seconds_bucket{api=\"get\\\"x\\\\y\\nz\","
      "bad_label=\"v\",le=\"1\"} 2\n"
      "slatedb_object_store_request_duration_seconds_bucket{api=\"get\\\"x\\\\y\\nz\","
      "bad_label=\"v\",le=\"2.5\"} 2\n"
      "slatedb_object_store_request_duration_seconds_bucket{api=\"get\\\"x\\\\y\\nz\","
      "bad_label=\"v\",le=\"+Inf\"} 3\n"
      "slatedb_object_store_request_duration_seconds_sum{api=\"get\\\"x\\\\y\\nz\","
      "bad_label=\"v\"} 4.25\n"
      "slatedb_object_store_request_duration_seconds_count{api=\"get\\\"x\\\\y\\nz\","
      "bad_label=\"v\"} 3\n";
  EXPECT_EQ(ToPrometheusText(rec.Snapshot()), expected);
}

TEST(MetricsTest, NoopRecorderHandlesDoNothingAndAreNeverNull) {
  auto rec = util::MetricsOrNoop(nullptr);
  ASSERT_NE(rec, nullptr);
  auto c = rec->RegisterCounter("a", "a", {});
  auto g = rec->RegisterGauge("b", "b", {});
  auto u = rec->RegisterUpDownCounter("c", "c", {});
  auto h = rec->RegisterHistogram("d", "d", {}, {1});
  ASSERT_TRUE(c && g && u && h);
  c->Increment(1);
  g->Set(1);
  u->Increment(1);
  h->Record(1);
  auto mine = std::make_shared<DefaultMetricsRecorder>();
  EXPECT_EQ(util::MetricsOrNoop(mine), mine);
}

}  // namespace
}  // namespace slatedb
