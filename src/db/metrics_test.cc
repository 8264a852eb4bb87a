// Db-level metrics: a few writes, reads, flushes, compactions and GC sweeps move SlateDB's named
// metrics (docs/metrics.md) by exactly the expected amounts.
#include "slatedb/metrics.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "gc/garbage_collector.h"
#include "slatedb/db.h"
#include "test_settings.h"
#include "test_util.h"

namespace slatedb {
namespace {

using std::chrono::milliseconds;

// No timer-driven WAL flushes, no background compactor or GC: every count is deterministic.
Settings QuietSettings() {
  Settings s;
  s.flush_interval = std::chrono::hours(1);
  s.manifest_poll_interval = milliseconds(50);
  s.compactor_options.reset();
  s.garbage_collector_options.reset();
  return s;
}

struct Opened {
  std::shared_ptr<DefaultMetricsRecorder> rec = std::make_shared<DefaultMetricsRecorder>();
  std::shared_ptr<ObjectStore> store = NewMemoryObjectStore();
  std::unique_ptr<Db> db;
};

Opened OpenWithRecorder(Settings s = QuietSettings()) {
  Opened o;
  Components c;
  c.object_store = o.store;
  c.seed = 7;
  c.metrics_recorder = o.rec;
  c.merge_operator = StringAppendOperator();
  auto db = Db::Open("db", std::move(c), std::move(s));
  EXPECT_OK(db) << db.status().ToString();
  if (db.ok()) o.db = std::move(db).value();
  return o;
}

using slatedb::testing::WaitFor;

int64_t Requests(const MetricsSnapshot& m, const char* op) {
  return m.Sum("slatedb.db.request_count", {{"op", op}});
}

TEST(DbMetricsTest, WritesReadsAndFlushesMoveTheNamedMetrics) {
  Opened o = OpenWithRecorder();
  ASSERT_NE(o.db, nullptr);
  MetricsSnapshot before = o.rec->Snapshot();
  // Registered at open, before any traffic.
  for (const char* op : {"get", "scan", "put", "delete", "merge", "write", "flush"}) {
    ASSERT_NE(before.Find("slatedb.db.request_count", {{"op", op}}), nullptr) << op;
    EXPECT_EQ(Requests(before, op), 0) << op;
  }
  ASSERT_NE(before.Find("slatedb.db.l0_sst_count"), nullptr);
  EXPECT_EQ(before.Sum("slatedb.db.l0_sst_count"), 0);
  const int64_t db_puts_before =
      before.Sum("slatedb.object_store.request_count", {{"component", "db"}, {"op", "put"}});
  EXPECT_GT(db_puts_before, 0);  // manifest + fence written by Open

  ASSERT_OK(o.db->Put("a", "1"));
  ASSERT_OK(o.db->Put("b", "2"));
  ASSERT_OK(o.db->Put("c", "3"));
  ASSERT_OK(o.db->Delete("c"));
  ASSERT_OK(o.db->Merge("m", "x"));
  WriteBatch batch;
  batch.Put("d", "4");
  batch.Put("e", "5");
  ASSERT_OK(o.db->Write(batch));
  ASSERT_OK_AND_ASSIGN(auto v, o.db->Get("a"));
  EXPECT_EQ(v, "1");
  ASSERT_OK(o.db->Get("zz"));
  EXPECT_EQ(testing::DrainRows(o.db->Scan(ScanRange{})).size(), 5u);  // a b d e m
  ASSERT_OK(o.db->Flush(FlushType::kWal));

  MetricsSnapshot m = o.rec->Snapshot();
  EXPECT_EQ(Requests(m, "put"), 3);
  EXPECT_EQ(Requests(m, "delete"), 1);
  EXPECT_EQ(Requests(m, "merge"), 1);
  EXPECT_EQ(Requests(m, "write"), 1);
  EXPECT_EQ(Requests(m, "get"), 2);
  EXPECT_EQ(Requests(m, "scan"), 1);
  EXPECT_EQ(Requests(m, "flush"), 1);
  EXPECT_EQ(m.Sum("slatedb.db.write_ops"), 7);          // 3 + 1 + 1 + 2 rows
  EXPECT_EQ(m.Sum("slatedb.db.write_batch_count"), 6);  // one per call
  EXPECT_EQ(m.Sum("slatedb.wal.wal_buffer_flushes"), 1);
  EXPECT_EQ(m.Sum("slatedb.wal.wal_buffer_flush_requests"), 1);
  EXPECT_GT(m.Sum("slatedb.wal.wal_flush_bytes"), 0);
  EXPECT_EQ(m.Sum("slatedb.wal.wal_buffer_estimated_bytes"), 0);
  EXPECT_EQ(m.Sum("slatedb.db.backpressure_count"), 0);
  // The WAL SST upload: one more PUT by the db component, and its latency recorded.
  EXPECT_EQ(m.Sum("slatedb.object_store.request_count", {{"component", "db"}, {"op", "put"}}),
            db_puts_before + 1);
  EXPECT_EQ(m.Sum("slatedb.object_store.request_duration_seconds", {{"component", "db"}}),
            m.Sum("slatedb.object_store.request_count", {{"component", "db"}}));

  // Memtable flush: one L0 SST, listed in the manifest.
  ASSERT_OK(o.db->Flush(FlushType::kMemTable));
  m = o.rec->Snapshot();
  EXPECT_EQ(Requests(m, "flush"), 2);
  EXPECT_EQ(m.Sum("slatedb.memtable_flush.flush_request_count"), 1);
  EXPECT_EQ(m.Sum("slatedb.memtable_flush.memtable_freeze_count"), 1);
  EXPECT_EQ(m.Sum("slatedb.db.immutable_memtable_flushes"), 1);
  EXPECT_EQ(m.Sum("slatedb.db.l0_sst_count"), 1);
  EXPECT_EQ(m.Sum("slatedb.db.sorted_run_count"), 0);
  EXPECT_GT(m.Sum("slatedb.db.l0_flush_bytes"), 0);
  EXPECT_EQ(m.Sum("slatedb.db.total_mem_size_bytes"), 0);

  // Reads from the L0 SST go through the block cache: a miss, then a hit for the same block.
  const MetricLabels miss = {{"entry_kind", "data_block"}, {"result", "miss"}};
  const MetricLabels hit = {{"entry_kind", "data_block"}, {"result", "hit"}};
  const int64_t misses = m.Sum("slatedb.db_cache.access_count", miss);
  const int64_t hits = m.Sum("slatedb.db_cache.access_count", hit);
  // Reopen so the memtable is empty and the read must come from the SST.
  ASSERT_OK(o.db->Close());
  Components c;
  c.object_store = o.store;
  c.metrics_recorder = o.rec;  // the same recorder: the series add up
  c.merge_operator = StringAppendOperator();
  ASSERT_OK_AND_ASSIGN(auto db2, Db::Open("db", std::move(c), QuietSettings()));
  ASSERT_OK_AND_ASSIGN(auto got, db2->Get("b"));
  EXPECT_EQ(got, "2");
  m = o.rec->Snapshot();
  EXPECT_EQ(m.Sum("slatedb.db_cache.access_count", miss), misses + 1);
  EXPECT_EQ(m.Sum("slatedb.db_cache.access_count", hit), hits);
  EXPECT_EQ(
      m.Sum("slatedb.db.sst_filter_positive_count") + m.Sum("slatedb.db.sst_filter_negative_count"),
      0);  // 6 keys: below min_filter_keys, so the SST has no filter to ask
  ASSERT_OK(db2->Get("d"));
  m = o.rec->Snapshot();
  EXPECT_EQ(m.Sum("slatedb.db_cache.access_count", hit), hits + 1);
  EXPECT_EQ(Requests(m, "get"), 4);
  // Db::Metrics reads the injected DefaultMetricsRecorder.
  ASSERT_OK_AND_ASSIGN(MetricsSnapshot via_db, db2->Metrics());
  EXPECT_EQ(Requests(via_db, "get"), 4);
  ASSERT_OK(db2->Close());
}

TEST(DbMetricsTest, BloomFilterAnswersAreCounted) {
  Settings s = QuietSettings();
  s.min_filter_keys = 1;  // every SST gets a filter
  Opened o = OpenWithRecorder(s);
  ASSERT_NE(o.db, nullptr);
  ASSERT_OK(o.db->Put("a", "1"));
  ASSERT_OK(o.db->Put("c", "3"));
  ASSERT_OK(o.db->Flush(FlushType::kMemTable));
  ASSERT_OK(o.db->Close());
  Components c;
  c.object_store = o.store;
  c.metrics_recorder = o.rec;
  ASSERT_OK_AND_ASSIGN(auto db, Db::Open("db", std::move(c), s));  // empty memtable
  ASSERT_OK_AND_ASSIGN(auto a, db->Get("a"));                      // present: a positive
  EXPECT_EQ(a, "1");
  ASSERT_OK_AND_ASSIGN(auto b, db->Get("b"));  // in the SST's key range, absent
  EXPECT_EQ(b, std::nullopt);
  ASSERT_OK(db->Get("z"));  // outside the key range: the filter is not asked
  const MetricsSnapshot m = o.rec->Snapshot();
  const MetricLabels point = {{"kind", "point"}};
  const int64_t positives = m.Sum("slatedb.db.sst_filter_positive_count", point);
  const int64_t negatives = m.Sum("slatedb.db.sst_filter_negative_count", point);
  // "b" is either rejected by the filter or a false positive; "a" is a true positive.
  EXPECT_EQ(positives + negatives, 2);
  EXPECT_GE(positives, 1);
  EXPECT_EQ(m.Sum("slatedb.db.sst_filter_false_positive_count", point), positives - 1);
  ASSERT_OK(db->Close());
}

TEST(DbMetricsTest, WithoutARecorderEachDbHasItsOwn) {
  Components c;
  c.object_store = NewMemoryObjectStore();
  ASSERT_OK_AND_ASSIGN(auto db, Db::Open("db", c, QuietSettings()));
  ASSERT_OK_AND_ASSIGN(auto other, Db::Open("other", c, QuietSettings()));
  ASSERT_OK(db->Put("k", "v"));
  ASSERT_OK(db->Get("k"));
  ASSERT_OK_AND_ASSIGN(MetricsSnapshot m, db->Metrics());
  EXPECT_EQ(Requests(m, "put"), 1);
  EXPECT_EQ(Requests(m, "get"), 1);
  ASSERT_OK_AND_ASSIGN(MetricsSnapshot m2, other->Metrics());
  EXPECT_EQ(Requests(m2, "put"), 0);
  ASSERT_OK(db->Close());
  ASSERT_OK(other->Close());
  ASSERT_OK_AND_ASSIGN(MetricsSnapshot after_close, db->Metrics());
  EXPECT_EQ(Requests(after_close, "put"), 1);

  // A reader: component="reader" object-store series and its own request counts.
  ASSERT_OK_AND_ASSIGN(auto reader, DbReader::Open("db", c));
  ASSERT_OK_AND_ASSIGN(auto v, reader->Get("k"));
  EXPECT_EQ(v, "v");
  ASSERT_OK_AND_ASSIGN(MetricsSnapshot rm, reader->Metrics());
  EXPECT_EQ(Requests(rm, "get"), 1);
  EXPECT_GT(rm.Sum("slatedb.object_store.request_count", {{"component", "reader"}}), 0);
  EXPECT_EQ(rm.Sum("slatedb.object_store.request_count", {{"component", "db"}}), 0);
  ASSERT_OK(reader->Close());
}

class CustomRecorder final : public MetricsRecorder {
 public:
  std::shared_ptr<CounterHandle> RegisterCounter(std::string_view name, std::string_view d,
                                                 const MetricLabels& l) override {
    ++registered;
    return inner.RegisterCounter(name, d, l);
  }
  std::shared_ptr<GaugeHandle> RegisterGauge(std::string_view name, std::string_view d,
                                             const MetricLabels& l) override {
    ++registered;
    return inner.RegisterGauge(name, d, l);
  }
  std::shared_ptr<UpDownCounterHandle> RegisterUpDownCounter(std::string_view name,
                                                             std::string_view d,
                                                             const MetricLabels& l) override {
    ++registered;
    return inner.RegisterUpDownCounter(name, d, l);
  }
  std::shared_ptr<HistogramHandle> RegisterHistogram(std::string_view name, std::string_view d,
                                                     const MetricLabels& l,
                                                     const std::vector<double>& b) override {
    ++registered;
    return inner.RegisterHistogram(name, d, l, b);
  }
  std::atomic<int> registered{0};
  DefaultMetricsRecorder inner;
};

TEST(DbMetricsTest, ACustomRecorderGetsEverySeriesAndMetricsSaysWhereToLook) {
  auto rec = std::make_shared<CustomRecorder>();
  Components c;
  c.object_store = NewMemoryObjectStore();
  c.metrics_recorder = rec;
  ASSERT_OK_AND_ASSIGN(auto db, Db::Open("db", c, QuietSettings()));
  ASSERT_OK(db->Put("k", "v"));
  EXPECT_GT(rec->registered.load(), 20);
  EXPECT_EQ(Requests(rec->inner.Snapshot(), "put"), 1);
  auto m = db->Metrics();
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kInvalid);
  EXPECT_NE(m.status().message().find("metrics_recorder"), std::string::npos);
  ASSERT_OK(db->Close());
}

TEST(DbMetricsTest, AStalledWriteCountsBackpressure) {
  Settings s = QuietSettings();
  s.max_unflushed_bytes = 1;  // every write beyond the first stalls until L0 has room
  s.l0_max_ssts = 1;          // and L0 is full after one flush (no compactor to drain it)
  s.l0_sst_size_bytes = 1024;
  Opened o = OpenWithRecorder(s);
  ASSERT_NE(o.db, nullptr);
  ASSERT_OK(o.db->Put("k0", "v"));
  ASSERT_OK(o.db->Flush(FlushType::kMemTable));  // L0 is now full
  // Over l0_sst_size_bytes: frozen, but cannot be flushed; it does not stall (nothing was
  // unflushed before it), the next write does.
  ASSERT_OK(o.db->Put("k1", std::string(2000, 'x')));
  std::thread writer([&] {
    // Stalls until Close() releases it (kClosed) or L0 gets room (it never does here).
    for (int i = 2; i < 4; ++i) {
      if (!o.db->Put("k" + std::to_string(i), std::string(2000, 'x')).ok()) break;
    }
  });
  ASSERT_TRUE(WaitFor([&] { return o.rec->Snapshot().Sum("slatedb.db.backpressure_count") > 0; }))
      << "the write did not stall";
  o.db->Close().PermitUnchecked();
  writer.join();
  MetricsSnapshot m = o.rec->Snapshot();
  EXPECT_EQ(m.Sum("slatedb.db.backpressure_count"), 1);  // one stalled write, counted once
  EXPECT_GE(m.Sum("slatedb.db.l0_stall_count", {{"type", "num_ssts"}}), 1);
  EXPECT_EQ(m.Sum("slatedb.db.l0_sst_count"), 1);
}

TEST(DbMetricsTest, CompactionsAndGcMoveTheirMetrics) {
  Settings s = QuietSettings();
  s.compactor_options = testing::EagerCompactorOptions();
  s.l0_max_ssts = 1000;
  Opened o = OpenWithRecorder(s);
  ASSERT_NE(o.db, nullptr);
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 20; ++i) {
      ASSERT_OK(o.db->Put("key" + std::to_string(i), "v" + std::to_string(round)));
    }
    ASSERT_OK(o.db->Flush(FlushType::kMemTable));
  }
  // Registered by the embedded compactor at open.
  ASSERT_NE(o.rec->Snapshot().Find("slatedb.compactor.running_compactions"), nullptr);
  // With 3 L0s and min_compaction_sources 2 a compaction is certain.
  const MetricLabels committed = {{"result", "committed"}};
  ASSERT_TRUE(WaitFor([&] {
    return o.rec->Snapshot().Sum("slatedb.compactor.finished_compactions", committed) > 0;
  })) << "the compactor did not commit a compaction";
  ASSERT_OK(o.db->Close());
  MetricsSnapshot m = o.rec->Snapshot();
  EXPECT_GE(m.Sum("slatedb.compactor.finished_compactions", committed), 1);
  EXPECT_GT(m.Sum("slatedb.compactor.bytes_compacted"), 0);
  EXPECT_GE(m.Sum("slatedb.compactor.ssts_written"), 1);
  EXPECT_EQ(m.Sum("slatedb.compactor.running_compactions"), 0);  // all finished by Close
  EXPECT_EQ(m.Sum("slatedb.compactor.epoch"), 1);
  EXPECT_GT(m.Sum("slatedb.compactor.last_compaction_timestamp_sec"), 0);
  // The compactor's object-store traffic is its own series: it read the L0s (GET ranges) and
  // wrote the output SSTs and manifest (PUT).
  EXPECT_GT(
      m.Sum("slatedb.object_store.request_count", {{"component", "compactor"}, {"op", "get"}}), 0);
  EXPECT_GT(
      m.Sum("slatedb.object_store.request_count", {{"component", "compactor"}, {"op", "put"}}), 0);

  // A GC pass with min_age 0 deletes the old manifests (and the compacted L0s); deleted_count
  // moves by exactly what the pass reports.
  GarbageCollectorOptions gopts;
  GcDirectoryOptions now{std::chrono::seconds(1), milliseconds(0)};
  gopts.manifest_options = now;
  gopts.wal_options = now;
  gopts.compacted_options = now;
  gopts.compactions_options = now;
  gc::GcExtraOptions extra;
  extra.metrics = o.rec;
  ASSERT_OK_AND_ASSIGN(auto collector,
                       gc::GarbageCollector::Open(o.store, "db", gopts, nullptr, extra));
  ASSERT_OK_AND_ASSIGN(gc::GcStats stats, collector->RunOnce());
  EXPECT_GT(stats.manifests_deleted, 0u);
  m = o.rec->Snapshot();
  EXPECT_EQ(m.Sum("slatedb.gc.count"), 1);
  EXPECT_EQ(m.Sum("slatedb.gc.deleted_count", {{"resource", "manifest"}}),
            static_cast<int64_t>(stats.manifests_deleted));
  EXPECT_EQ(m.Sum("slatedb.gc.deleted_count", {{"resource", "wal"}}),
            static_cast<int64_t>(stats.wal_deleted));
  EXPECT_EQ(m.Sum("slatedb.gc.deleted_count", {{"resource", "compacted"}}),
            static_cast<int64_t>(stats.compacted_deleted));
  EXPECT_EQ(m.Sum("slatedb.gc.deleted_count", {{"resource", "compactions"}}),
            static_cast<int64_t>(stats.compactions_deleted));
}

}  // namespace
}  // namespace slatedb
