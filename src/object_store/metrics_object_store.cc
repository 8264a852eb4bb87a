// object_store/metrics_object_store.cc — see metrics_object_store.h.
#include "object_store/metrics_object_store.h"

#include <atomic>
#include <chrono>
#include <string>
#include <utility>

#include "object_store/object_store_wrapper.h"

namespace slatedb {
namespace {

// The three handles of one (op, api) pair.
struct ApiMetrics {
  std::shared_ptr<CounterHandle> requests;
  std::shared_ptr<CounterHandle> errors;
  std::shared_ptr<HistogramHandle> duration;

  ApiMetrics(MetricsRecorder& rec, std::string_view component, const char* op, const char* api) {
    const MetricLabels labels = {
        {"component", std::string(component)}, {"store_type", "main"}, {"op", op}, {"api", api}};
    requests = rec.RegisterCounter("slatedb.object_store.request_count",
                                   "Object store API calls (success and error)", labels);
    errors = rec.RegisterCounter("slatedb.object_store.error_count",
                                 "Failed object store API calls", labels);
    duration = rec.RegisterHistogram("slatedb.object_store.request_duration_seconds",
                                     "Object store API call latency in seconds", labels,
                                     LatencyBoundariesSeconds());
  }
};

class MetricsObjectStore final : public ObjectStoreWrapper {
 public:
  MetricsObjectStore(std::shared_ptr<ObjectStore> inner, MetricsRecorder& rec,
                     std::string_view component, std::shared_ptr<util::Clock> clock)
      : ObjectStoreWrapper(std::move(inner)),
        clock_(std::move(clock)),
        get_(rec, component, "get", "get"),
        get_range_(rec, component, "get", "get_range"),
        head_(rec, component, "get", "head"),
        list_(rec, component, "get", "list"),
        put_(rec, component, "put", "put"),
        delete_(rec, component, "delete", "delete") {}

  // Defined before its callers: they deduce its return type.
  template <typename Call>
  auto Timed(const ApiMetrics& m, Call call) {
    const auto start = clock_->SteadyNow();
    auto result = call();
    const std::chrono::duration<double> elapsed = clock_->SteadyNow() - start;
    m.requests->Increment(1);
    if (!result.ok()) m.errors->Increment(1);
    m.duration->Record(elapsed.count());
    return result;
  }

  Result<std::string> Put(std::string_view key, std::string_view data,
                          const ObjectPutOptions& options) override {
    return Timed(put_, [&] { return inner_->Put(key, data, options); });
  }
  Result<std::string> PutIfAbsent(std::string_view key, std::string_view data,
                                  const ObjectPutOptions& options) override {
    return Timed(put_, [&] { return inner_->PutIfAbsent(key, data, options); });
  }
  Result<std::string> PutIfMatch(std::string_view key, std::string_view data, std::string_view etag,
                                 const ObjectPutOptions& options) override {
    return Timed(put_, [&] { return inner_->PutIfMatch(key, data, etag, options); });
  }
  // A streamed upload counts as one put (timed over Finish, where the object is published).
  Result<std::unique_ptr<ObjectWriter>> OpenWriter(std::string_view key,
                                                   const ObjectPutOptions& options) override {
    ASSIGN_OR_RETURN(std::unique_ptr<ObjectWriter> inner, inner_->OpenWriter(key, options));
    return std::unique_ptr<ObjectWriter>(std::make_unique<Writer>(this, std::move(inner)));
  }
  Result<std::string> Get(std::string_view key) override {
    return Timed(get_, [&] { return inner_->Get(key); });
  }
  Result<std::string> GetRange(std::string_view key, uint64_t offset,
                               std::optional<uint64_t> length) override {
    return Timed(get_range_, [&] { return inner_->GetRange(key, offset, length); });
  }
  Status GetRangeInto(std::string_view key, uint64_t offset, uint64_t length, char* out) override {
    return Timed(get_range_, [&] { return inner_->GetRangeInto(key, offset, length, out); });
  }
  Result<std::string> GetSuffix(std::string_view key, uint64_t n) override {
    return Timed(get_range_, [&] { return inner_->GetSuffix(key, n); });
  }
  // Forwarded (so the local store's descriptor-holding reader is used); each ReadAt / ReadSuffix
  // counts as a get_range request, the first Size as a head (readers memoize it), as the
  // GetRange / GetSuffix / Head calls they replace. OpenReader itself is not counted.
  Result<std::unique_ptr<ObjectReader>> OpenReader(std::string_view key) override {
    ASSIGN_OR_RETURN(std::unique_ptr<ObjectReader> inner, inner_->OpenReader(key));
    return std::unique_ptr<ObjectReader>(std::make_unique<Reader>(this, std::move(inner)));
  }
  Result<ObjectMeta> Head(std::string_view key) override {
    return Timed(head_, [&] { return inner_->Head(key); });
  }
  Result<std::vector<ObjectMeta>> List(std::string_view prefix) override {
    return Timed(list_, [&] { return inner_->List(prefix); });
  }
  Status Delete(std::string_view key) override {
    return Timed(delete_, [&] { return inner_->Delete(key); });
  }

 private:
  class Reader final : public ObjectReader {
   public:
    Reader(MetricsObjectStore* store, std::unique_ptr<ObjectReader> inner)
        : store_(store), inner_(std::move(inner)) {}
    Result<std::string> ReadAt(uint64_t offset, uint64_t length) override {
      return store_->Timed(store_->get_range_, [&] { return inner_->ReadAt(offset, length); });
    }
    Result<std::string> ReadSuffix(uint64_t n) override {
      return store_->Timed(store_->get_range_, [&] { return inner_->ReadSuffix(n); });
    }
    Result<uint64_t> Size() override {
      if (sized_.load(std::memory_order_acquire)) return inner_->Size();
      auto size = store_->Timed(store_->head_, [&] { return inner_->Size(); });
      if (size.ok()) sized_.store(true, std::memory_order_release);
      return size;
    }

   private:
    MetricsObjectStore* store_;
    std::unique_ptr<ObjectReader> inner_;
    std::atomic<bool> sized_{false};
  };

  class Writer final : public ObjectWriter {
   public:
    Writer(MetricsObjectStore* store, std::unique_ptr<ObjectWriter> inner)
        : store_(store), inner_(std::move(inner)) {}
    Status Append(std::string_view data) override { return inner_->Append(data); }
    Result<std::string> Finish() override {
      return store_->Timed(store_->put_, [&] { return inner_->Finish(); });
    }
    Status Abort() override { return inner_->Abort(); }
    uint64_t size() const override { return inner_->size(); }

   private:
    MetricsObjectStore* store_;
    std::unique_ptr<ObjectWriter> inner_;
  };

  const std::shared_ptr<util::Clock> clock_;
  const ApiMetrics get_, get_range_, head_, list_, put_, delete_;
};

}  // namespace

std::shared_ptr<ObjectStore> NewMetricsObjectStore(std::shared_ptr<ObjectStore> inner,
                                                   const std::shared_ptr<MetricsRecorder>& recorder,
                                                   std::string_view component,
                                                   std::shared_ptr<util::Clock> clock) {
  if (!recorder || !inner) return inner;
  if (!clock) clock = util::SystemClock::Default();
  return std::make_shared<MetricsObjectStore>(std::move(inner), *recorder, component,
                                              std::move(clock));
}

}  // namespace slatedb
