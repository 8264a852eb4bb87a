// NewMetricsObjectStore: every call counted under its {component, store_type, op, api}, failures
// in error_count, latency (from the injected clock) in request_duration_seconds.
#include "object_store/metrics_object_store.h"

#include <gtest/gtest.h>

#include "object_store/object_store_wrapper.h"
#include "test_util.h"

namespace slatedb {
namespace {

// Each call takes 30 ms of the manual clock.
class SlowStore final : public ObjectStoreWrapper {
 public:
  SlowStore(std::shared_ptr<ObjectStore> inner, std::shared_ptr<ManualClock> clock)
      : ObjectStoreWrapper(std::move(inner)), clock_(std::move(clock)) {}
  Result<std::string> Get(std::string_view key) override {
    clock_->Advance(30);
    return inner_->Get(key);
  }
  Result<std::string> Put(std::string_view key, std::string_view data,
                          const ObjectPutOptions& options) override {
    clock_->Advance(30);
    return inner_->Put(key, data, options);
  }

 private:
  std::shared_ptr<ManualClock> clock_;
};

MetricLabels Labels(const char* op, const char* api) {
  return {{"component", "gc"}, {"store_type", "main"}, {"op", op}, {"api", api}};
}

TEST(MetricsObjectStoreTest, CountsEveryCallByApiWithErrorsAndLatency) {
  auto clock = std::make_shared<ManualClock>(1000);
  auto rec = std::make_shared<DefaultMetricsRecorder>();
  auto store = NewMetricsObjectStore(std::make_shared<SlowStore>(NewMemoryObjectStore(), clock),
                                     rec, "gc", clock);
  ASSERT_OK(store->Put("a", "12345"));
  ASSERT_OK(store->PutIfAbsent("b", "x"));
  EXPECT_TRUE(store->PutIfAbsent("b", "x").status().IsAlreadyExists());
  ASSERT_OK(store->Get("a"));
  EXPECT_TRUE(store->Get("missing").status().IsNotFound());
  ASSERT_OK(store->GetRange("a", 1, 2));
  ASSERT_OK(store->GetSuffix("a", 2));
  ASSERT_OK(store->Head("a"));
  ASSERT_OK(store->List(""));
  ASSERT_OK(store->Delete("b"));
  const MetricsSnapshot m = rec->Snapshot();
  constexpr std::string_view kCount = "slatedb.object_store.request_count";
  constexpr std::string_view kErrors = "slatedb.object_store.error_count";
  constexpr std::string_view kDuration = "slatedb.object_store.request_duration_seconds";
  EXPECT_EQ(m.Sum(kCount, Labels("put", "put")), 3);
  EXPECT_EQ(m.Sum(kErrors, Labels("put", "put")), 1);
  EXPECT_EQ(m.Sum(kCount, Labels("get", "get")), 2);
  EXPECT_EQ(m.Sum(kErrors, Labels("get", "get")), 1);
  EXPECT_EQ(m.Sum(kCount, Labels("get", "get_range")), 2);
  EXPECT_EQ(m.Sum(kCount, Labels("get", "head")), 1);
  EXPECT_EQ(m.Sum(kCount, Labels("get", "list")), 1);
  EXPECT_EQ(m.Sum(kCount, Labels("delete", "delete")), 1);
  EXPECT_EQ(m.Sum(kCount, {{"component", "gc"}}), 10);
  EXPECT_EQ(m.Sum(kErrors, {{"component", "gc"}}), 2);
  // Put and Get took 30 ms each (the le=0.05 bucket); the rest took no time (le=0.001).
  const Metric* get = m.Find(kDuration, Labels("get", "get"));
  ASSERT_NE(get, nullptr);
  EXPECT_EQ(get->histogram.count, 2u);
  EXPECT_EQ(get->histogram.bucket_counts[4], 2u);  // (0.025, 0.05]
  EXPECT_NEAR(get->histogram.sum, 0.06, 1e-9);
  const Metric* head = m.Find(kDuration, Labels("get", "head"));
  ASSERT_NE(head, nullptr);
  EXPECT_EQ(head->histogram.bucket_counts[0], 1u);
  EXPECT_EQ(head->histogram.sum, 0);
}

// Counts OpenReader and GetRangeInto calls and forwards them: the metrics wrapper must forward
// both, not fall back to the base-class reader or copy through GetRange, which would bypass the
// inner store's own reader or direct read.
class ForwardProbe final : public ObjectStoreWrapper {
 public:
  using ObjectStoreWrapper::ObjectStoreWrapper;
  Result<std::unique_ptr<ObjectReader>> OpenReader(std::string_view key) override {
    ++open_readers;
    return inner_->OpenReader(key);
  }
  Status GetRangeInto(std::string_view key, uint64_t offset, uint64_t length, char* out) override {
    ++ranges_into;
    return inner_->GetRangeInto(key, offset, length, out);
  }
  int open_readers = 0;
  int ranges_into = 0;
};

TEST(MetricsObjectStoreTest, ReadersAreForwardedAndTheirReadsCounted) {
  auto rec = std::make_shared<DefaultMetricsRecorder>();
  auto probe = std::make_shared<ForwardProbe>(NewMemoryObjectStore());
  auto store = NewMetricsObjectStore(probe, rec, "gc", std::make_shared<ManualClock>(1000));
  ASSERT_OK(store->Put("a", "0123456789"));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<ObjectReader> r, store->OpenReader("a"));
  EXPECT_EQ(probe->open_readers, 1);
  EXPECT_EQ(r->ReadAt(1, 3).value_or("?"), "123");
  EXPECT_EQ(r->ReadAt(0, 1).value_or("?"), "0");
  EXPECT_EQ(r->ReadSuffix(2).value_or("?"), "89");
  EXPECT_TRUE(r->ReadAt(8, 5).status().IsData());  // truncated: an error
  EXPECT_EQ(r->Size().value_or(0), 10u);
  EXPECT_EQ(r->Size().value_or(0), 10u);
  const MetricsSnapshot m = rec->Snapshot();
  constexpr std::string_view kCount = "slatedb.object_store.request_count";
  constexpr std::string_view kErrors = "slatedb.object_store.error_count";
  EXPECT_EQ(m.Sum(kCount, Labels("get", "get_range")), 4);
  EXPECT_EQ(m.Sum(kErrors, Labels("get", "get_range")), 1);
  EXPECT_EQ(m.Sum(kCount, Labels("get", "head")), 1);  // the size is asked once
  EXPECT_EQ(m.Sum(kCount, {{"component", "gc"}}), 6);  // and the Put
}

TEST(MetricsObjectStoreTest, RangedReadsIntoABufferAreForwardedAndCounted) {
  auto rec = std::make_shared<DefaultMetricsRecorder>();
  auto probe = std::make_shared<ForwardProbe>(NewMemoryObjectStore());
  auto store = NewMetricsObjectStore(probe, rec, "gc", std::make_shared<ManualClock>(1000));
  ASSERT_OK(store->Put("a", "0123456789"));
  char buf[4] = {};
  ASSERT_OK(store->GetRangeInto("a", 3, 4, buf));
  EXPECT_EQ(std::string(buf, 4), "3456");
  EXPECT_TRUE(store->GetRangeInto("a", 8, 4, buf).IsData());
  EXPECT_EQ(probe->ranges_into, 2);
  const MetricsSnapshot m = rec->Snapshot();
  EXPECT_EQ(m.Sum("slatedb.object_store.request_count", Labels("get", "get_range")), 2);
  EXPECT_EQ(m.Sum("slatedb.object_store.error_count", Labels("get", "get_range")), 1);
}

TEST(MetricsObjectStoreTest, WithoutARecorderTheStoreIsUnchanged) {
  auto inner = NewMemoryObjectStore();
  EXPECT_EQ(NewMetricsObjectStore(inner, nullptr, "db", nullptr), inner);
  auto wrapped =
      NewMetricsObjectStore(inner, std::make_shared<DefaultMetricsRecorder>(), "db", nullptr);
  EXPECT_NE(wrapped, inner);
  EXPECT_EQ(wrapped->Describe(), inner->Describe());
}

}  // namespace
}  // namespace slatedb
