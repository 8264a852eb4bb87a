// slatedb/metrics.h — metrics: the MetricsRecorder interface the engine reports to, an in-memory
// DefaultMetricsRecorder with snapshots, and the Prometheus text exposition of a snapshot.
//
// What: the model of SlateDB's RFC-0021. Each metric is registered once, by name (dotted, e.g.
// "slatedb.db.write_ops"), description and fixed labels (e.g. {"op", "get"}), and the recorder
// returns a handle the engine updates on its hot paths. Four kinds, as OpenTelemetry:
//   Counter        monotonic, Increment(n)            (request counts, bytes)
//   Gauge          absolute, Set(v)                   (L0 SST count, memory)
//   UpDownCounter  additive, Increment(+/-n)          (running compactions)
//   Histogram      distribution, Record(x), with the bucket boundaries given at registration
// docs/metrics.md lists every name the engine registers, with its labels and meaning.
//
// Thread safety: every method of every class here may be called concurrently from any thread.
// Handles of DefaultMetricsRecorder are lock-free atomics (no lookup per update); registration
// takes a mutex. A custom recorder must make its handles thread-safe and cheap the same way: the
// engine updates them from its write, flush and compaction threads.
// Ownership: recorders and handles are shared (std::shared_ptr). A handle stays usable after the
// recorder is gone; the engine keeps the handles it registered for as long as it runs.
// Errors: none. Registration cannot fail; see DefaultMetricsRecorder for conflicting names.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "slatedb/export.h"

namespace slatedb {

// Fixed labels of one time series, as (name, value) pairs.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

enum class MetricKind { kCounter, kGauge, kUpDownCounter, kHistogram };

// "counter", "gauge", "up_down_counter", "histogram".
SLATEDB_EXPORT std::string_view MetricKindName(MetricKind kind);

class SLATEDB_EXPORT CounterHandle {
 public:
  virtual ~CounterHandle() = default;
  virtual void Increment(uint64_t n = 1) = 0;
};

class SLATEDB_EXPORT GaugeHandle {
 public:
  virtual ~GaugeHandle() = default;
  virtual void Set(int64_t value) = 0;
};

class SLATEDB_EXPORT UpDownCounterHandle {
 public:
  virtual ~UpDownCounterHandle() = default;
  virtual void Increment(int64_t delta) = 0;
};

class SLATEDB_EXPORT HistogramHandle {
 public:
  virtual ~HistogramHandle() = default;
  virtual void Record(double value) = 0;
};

// Bucket upper bounds (inclusive, as Prometheus `le`) SlateDB uses for latencies, in seconds:
// 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10.
SLATEDB_EXPORT const std::vector<double>& LatencyBoundariesSeconds();

// Implemented by the embedding application to forward metrics to its monitoring system (or use
// DefaultMetricsRecorder). Each Register* call is made once per time series, while a component
// is being built; the result must never be null.
class SLATEDB_EXPORT MetricsRecorder {
 public:
  virtual ~MetricsRecorder() = default;
  virtual std::shared_ptr<CounterHandle> RegisterCounter(std::string_view name,
                                                         std::string_view description,
                                                         const MetricLabels& labels) = 0;
  virtual std::shared_ptr<GaugeHandle> RegisterGauge(std::string_view name,
                                                     std::string_view description,
                                                     const MetricLabels& labels) = 0;
  virtual std::shared_ptr<UpDownCounterHandle> RegisterUpDownCounter(
      std::string_view name, std::string_view description, const MetricLabels& labels) = 0;
  // `boundaries`: strictly increasing, finite bucket upper bounds (an implicit +Inf bucket
  // follows).
  virtual std::shared_ptr<HistogramHandle> RegisterHistogram(
      std::string_view name, std::string_view description, const MetricLabels& labels,
      const std::vector<double>& boundaries) = 0;
};

// One histogram's state. bucket_counts[i] counts observations x with
// boundaries[i-1] < x <= boundaries[i] (not cumulative); the last entry counts x > the last
// boundary, so bucket_counts.size() == boundaries.size() + 1. count is the sum of bucket_counts.
struct HistogramValue {
  std::vector<double> boundaries;
  std::vector<uint64_t> bucket_counts;
  double sum = 0;
  uint64_t count = 0;
};

// One time series at snapshot time.
struct Metric {
  std::string name;
  std::string description;
  MetricLabels labels;  // as registered
  MetricKind kind = MetricKind::kCounter;
  uint64_t counter = 0;      // kCounter
  int64_t gauge = 0;         // kGauge and kUpDownCounter
  HistogramValue histogram;  // kHistogram
};

struct SLATEDB_EXPORT MetricsSnapshot {
  // Sorted by name, then labels; one entry per registered time series.
  std::vector<Metric> metrics;

  // The series named `name` whose labels equal `labels` (in any order), or null.
  const Metric* Find(std::string_view name, const MetricLabels& labels = {}) const;
  // Sum of the counter (or gauge) values of every series named `name` whose labels include all
  // of `labels`; 0 when there is none. For a histogram, the sum of its counts.
  int64_t Sum(std::string_view name, const MetricLabels& labels = {}) const;
};

// An in-memory recorder: atomics behind each handle, Snapshot() reads them all.
// Registering the same (name, labels) again returns the same handle, so several components
// sharing one recorder (a Db and a standalone compactor, say) add up in one series. A name
// already registered with another kind (or a histogram with other boundaries) gets a working
// handle that no snapshot shows (Prometheus allows one kind per name); the first registration
// wins.
class SLATEDB_EXPORT DefaultMetricsRecorder final : public MetricsRecorder {
 public:
  DefaultMetricsRecorder();
  ~DefaultMetricsRecorder() override;
  DefaultMetricsRecorder(const DefaultMetricsRecorder&) = delete;
  DefaultMetricsRecorder& operator=(const DefaultMetricsRecorder&) = delete;

  std::shared_ptr<CounterHandle> RegisterCounter(std::string_view name,
                                                 std::string_view description,
                                                 const MetricLabels& labels) override;
  std::shared_ptr<GaugeHandle> RegisterGauge(std::string_view name, std::string_view description,
                                             const MetricLabels& labels) override;
  std::shared_ptr<UpDownCounterHandle> RegisterUpDownCounter(std::string_view name,
                                                             std::string_view description,
                                                             const MetricLabels& labels) override;
  std::shared_ptr<HistogramHandle> RegisterHistogram(
      std::string_view name, std::string_view description, const MetricLabels& labels,
      const std::vector<double>& boundaries) override;

  // Every registered series with its current value. Each value is read atomically; the values
  // of different series (and a histogram's buckets) are not one atomic cut.
  MetricsSnapshot Snapshot() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The Prometheus text exposition format (version 0.0.4) of `snapshot`: per metric name one
// "# HELP" and one "# TYPE" line, then its series. Names have every character outside
// [A-Za-z0-9_:] replaced by '_' (so "slatedb.db.write_ops" is "slatedb_db_write_ops"); label
// names likewise (outside [A-Za-z0-9_]); label values and HELP text are escaped (\\, \n, and
// \" in label values). Up-down counters are exposed as gauges. A histogram has cumulative
// <name>_bucket{le="..."} lines ending with le="+Inf", then <name>_sum and <name>_count.
SLATEDB_EXPORT std::string ToPrometheusText(const MetricsSnapshot& snapshot);

}  // namespace slatedb
