// util/metrics.cc — DefaultMetricsRecorder, the no-op recorder and the Prometheus text format
// (slatedb/metrics.h).
#include "util/metrics.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <cmath>
#include <map>
#include <tuple>

#include "util/mutex.h"

namespace slatedb {
namespace {

// The stripe a thread increments counters in: threads take stripes round-robin at their first
// increment, so concurrent readers and writers counting the same metric touch different cache
// lines instead of bouncing one between cores.
constexpr size_t kCounterStripes = 8;
size_t CounterStripe() {
  static std::atomic<size_t> next{0};
  thread_local const size_t stripe = next.fetch_add(1, std::memory_order_relaxed) % kCounterStripes;
  return stripe;
}

// A counter striped over kCounterStripes cache lines (value() sums them).
class AtomicCounter final : public CounterHandle {
 public:
  void Increment(uint64_t n) override {
    cells_[CounterStripe()].value.fetch_add(n, std::memory_order_relaxed);
  }
  uint64_t value() const {
    uint64_t total = 0;
    for (const Cell& c : cells_) total += c.value.load(std::memory_order_relaxed);
    return total;
  }

 private:
  struct alignas(64) Cell {
    std::atomic<uint64_t> value{0};
  };
  std::array<Cell, kCounterStripes> cells_;
};

class AtomicGauge final : public GaugeHandle {
 public:
  void Set(int64_t v) override { value_.store(v, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

class AtomicUpDownCounter final : public UpDownCounterHandle {
 public:
  void Increment(int64_t delta) override { value_.fetch_add(delta, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

class AtomicHistogram final : public HistogramHandle {
 public:
  explicit AtomicHistogram(std::vector<double> boundaries)
      : boundaries_(std::move(boundaries)),
        buckets_(std::make_unique<std::atomic<uint64_t>[]>(boundaries_.size() + 1)) {}

  void Record(double x) override {
    if (std::isnan(x)) return;  // belongs to no bucket; documented in docs/metrics.md
    // First boundary >= x: Prometheus buckets are "less than or equal".
    size_t i = std::lower_bound(boundaries_.begin(), boundaries_.end(), x) - boundaries_.begin();
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(x, std::memory_order_relaxed);
  }

  const std::vector<double>& boundaries() const { return boundaries_; }
  HistogramValue value() const {
    HistogramValue v;
    v.boundaries = boundaries_;
    v.bucket_counts.resize(boundaries_.size() + 1);
    for (size_t i = 0; i < v.bucket_counts.size(); ++i) {
      v.bucket_counts[i] = buckets_[i].load(std::memory_order_relaxed);
      v.count += v.bucket_counts[i];
    }
    v.sum = sum_.load(std::memory_order_relaxed);
    return v;
  }

 private:
  const std::vector<double> boundaries_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  std::atomic<double> sum_{0};
};

class NoopCounter final : public CounterHandle {
 public:
  void Increment(uint64_t) override {}
};
class NoopGauge final : public GaugeHandle {
 public:
  void Set(int64_t) override {}
};
class NoopUpDownCounter final : public UpDownCounterHandle {
 public:
  void Increment(int64_t) override {}
};
class NoopHistogram final : public HistogramHandle {
 public:
  void Record(double) override {}
};

class NoopRecorder final : public MetricsRecorder {
 public:
  std::shared_ptr<CounterHandle> RegisterCounter(std::string_view, std::string_view,
                                                 const MetricLabels&) override {
    return counter_;
  }
  std::shared_ptr<GaugeHandle> RegisterGauge(std::string_view, std::string_view,
                                             const MetricLabels&) override {
    return gauge_;
  }
  std::shared_ptr<UpDownCounterHandle> RegisterUpDownCounter(std::string_view, std::string_view,
                                                             const MetricLabels&) override {
    return up_down_;
  }
  std::shared_ptr<HistogramHandle> RegisterHistogram(std::string_view, std::string_view,
                                                     const MetricLabels&,
                                                     const std::vector<double>&) override {
    return histogram_;
  }

 private:
  const std::shared_ptr<CounterHandle> counter_ = std::make_shared<NoopCounter>();
  const std::shared_ptr<GaugeHandle> gauge_ = std::make_shared<NoopGauge>();
  const std::shared_ptr<UpDownCounterHandle> up_down_ = std::make_shared<NoopUpDownCounter>();
  const std::shared_ptr<HistogramHandle> histogram_ = std::make_shared<NoopHistogram>();
};

MetricLabels Sorted(MetricLabels labels) {
  std::sort(labels.begin(), labels.end());
  return labels;
}

bool Contains(const MetricLabels& have, const MetricLabels& want) {
  for (const auto& w : want) {
    if (std::find(have.begin(), have.end(), w) == have.end()) return false;
  }
  return true;
}

// Prometheus metric names: [a-zA-Z_:][a-zA-Z0-9_:]*; label names: [a-zA-Z_][a-zA-Z0-9_]*.
std::string SanitizeName(std::string_view name, bool allow_colon) {
  std::string out;
  out.reserve(name.size() + 1);
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || (allow_colon && c == ':');
    out.push_back(ok ? c : '_');
  }
  if (out.empty() || (out[0] >= '0' && out[0] <= '9')) out.insert(out.begin(), '_');
  return out;
}

std::string EscapeHelp(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string EscapeLabelValue(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"') {
      out += "\\\"";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// Shortest round-trip form; Prometheus spells the infinities "+Inf" / "-Inf" and NaN "NaN".
std::string FormatDouble(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  return ec == std::errc() ? std::string(buf, end) : "NaN";
}

// {a="x",b="y"} with an optional extra label appended; "" when there are no labels.
std::string FormatLabels(const MetricLabels& labels, std::string_view extra_name = {},
                         std::string_view extra_value = {}) {
  if (labels.empty() && extra_name.empty()) return "";
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out += ",";
    first = false;
    out += SanitizeName(k, false) + "=\"" + EscapeLabelValue(v) + "\"";
  }
  if (!extra_name.empty()) {
    if (!first) out += ",";
    out += std::string(extra_name) + "=\"" + std::string(extra_value) + "\"";
  }
  return out + "}";
}

}  // namespace

std::string_view MetricKindName(MetricKind kind) {
  switch (kind) {
    case MetricKind::kCounter:
      return "counter";
    case MetricKind::kGauge:
      return "gauge";
    case MetricKind::kUpDownCounter:
      return "up_down_counter";
    case MetricKind::kHistogram:
      return "histogram";
  }
  return "unknown";
}

const std::vector<double>& LatencyBoundariesSeconds() {
  static const std::vector<double> kBoundaries = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                  0.25,  0.5,   1.0,  2.5,   5.0,  10.0};
  return kBoundaries;
}

const Metric* MetricsSnapshot::Find(std::string_view name, const MetricLabels& labels) const {
  const MetricLabels want = Sorted(labels);
  for (const Metric& m : metrics) {
    if (m.name == name && Sorted(m.labels) == want) return &m;
  }
  return nullptr;
}

int64_t MetricsSnapshot::Sum(std::string_view name, const MetricLabels& labels) const {
  int64_t total = 0;
  for (const Metric& m : metrics) {
    if (m.name != name || !Contains(m.labels, labels)) continue;
    switch (m.kind) {
      case MetricKind::kCounter:
        total += static_cast<int64_t>(m.counter);
        break;
      case MetricKind::kGauge:
      case MetricKind::kUpDownCounter:
        total += m.gauge;
        break;
      case MetricKind::kHistogram:
        total += static_cast<int64_t>(m.histogram.count);
        break;
    }
  }
  return total;
}

struct DefaultMetricsRecorder::State {
  struct Series {
    std::string name;
    std::string description;
    MetricLabels labels;
    MetricKind kind;
    std::shared_ptr<AtomicCounter> counter;
    std::shared_ptr<AtomicGauge> gauge;
    std::shared_ptr<AtomicUpDownCounter> up_down;
    std::shared_ptr<AtomicHistogram> histogram;
  };
  using Key = std::pair<std::string, MetricLabels>;  // name, sorted labels

  mutable util::Mutex mu;
  std::map<Key, Series> series GUARDED_BY(mu);
  std::map<std::string, MetricKind, std::less<>> kinds GUARDED_BY(mu);  // first kind per name

  // The series for (name, labels) if it can hold `kind`: existing, or newly created. Null when
  // the name belongs to another kind (or, via `fits`, another histogram layout).
  template <typename Make, typename Fits>
  Series* Get(std::string_view name, std::string_view description, const MetricLabels& labels,
              MetricKind kind, Make make, Fits fits) EXCLUDES(mu) {
    util::MutexLock lock(&mu);
    auto k = kinds.find(name);
    if (k != kinds.end() && k->second != kind) return nullptr;
    Key key{std::string(name), Sorted(labels)};
    auto it = series.find(key);
    if (it != series.end()) return fits(it->second) ? &it->second : nullptr;
    if (k == kinds.end()) kinds.emplace(std::string(name), kind);
    Series s{std::string(name), std::string(description), labels, kind, {}, {}, {}, {}};
    make(s);
    return &series.emplace(std::move(key), std::move(s)).first->second;
  }
};

DefaultMetricsRecorder::DefaultMetricsRecorder() : state_(std::make_unique<State>()) {}
DefaultMetricsRecorder::~DefaultMetricsRecorder() = default;

std::shared_ptr<CounterHandle> DefaultMetricsRecorder::RegisterCounter(std::string_view name,
                                                                       std::string_view description,
                                                                       const MetricLabels& labels) {
  auto* s = state_->Get(
      name, description, labels, MetricKind::kCounter,
      [](State::Series& x) { x.counter = std::make_shared<AtomicCounter>(); },
      [](State::Series&) { return true; });
  if (s == nullptr) return std::make_shared<AtomicCounter>();
  return s->counter;
}

std::shared_ptr<GaugeHandle> DefaultMetricsRecorder::RegisterGauge(std::string_view name,
                                                                   std::string_view description,
                                                                   const MetricLabels& labels) {
  auto* s = state_->Get(
      name, description, labels, MetricKind::kGauge,
      [](State::Series& x) { x.gauge = std::make_shared<AtomicGauge>(); },
      [](State::Series&) { return true; });
  if (s == nullptr) return std::make_shared<AtomicGauge>();
  return s->gauge;
}

std::shared_ptr<UpDownCounterHandle> DefaultMetricsRecorder::RegisterUpDownCounter(
    std::string_view name, std::string_view description, const MetricLabels& labels) {
  auto* s = state_->Get(
      name, description, labels, MetricKind::kUpDownCounter,
      [](State::Series& x) { x.up_down = std::make_shared<AtomicUpDownCounter>(); },
      [](State::Series&) { return true; });
  if (s == nullptr) return std::make_shared<AtomicUpDownCounter>();
  return s->up_down;
}

std::shared_ptr<HistogramHandle> DefaultMetricsRecorder::RegisterHistogram(
    std::string_view name, std::string_view description, const MetricLabels& labels,
    const std::vector<double>& boundaries) {
  // Keep a strictly increasing list of finite bounds (the interface requires one; a bad list
  // must not break the bucket search): out-of-order, repeated and non-finite bounds are dropped.
  std::vector<double> b;
  for (double x : boundaries) {
    if (std::isfinite(x) && (b.empty() || x > b.back())) b.push_back(x);
  }
  auto* s = state_->Get(
      name, description, labels, MetricKind::kHistogram,
      [&](State::Series& x) { x.histogram = std::make_shared<AtomicHistogram>(b); },
      [&](State::Series& x) { return x.histogram->boundaries() == b; });
  if (s == nullptr) return std::make_shared<AtomicHistogram>(b);
  return s->histogram;
}

MetricsSnapshot DefaultMetricsRecorder::Snapshot() const {
  MetricsSnapshot snap;
  util::MutexLock lock(&state_->mu);
  snap.metrics.reserve(state_->series.size());
  for (const auto& [key, s] : state_->series) {
    Metric m;
    m.name = s.name;
    m.description = s.description;
    m.labels = s.labels;
    m.kind = s.kind;
    switch (s.kind) {
      case MetricKind::kCounter:
        m.counter = s.counter->value();
        break;
      case MetricKind::kGauge:
        m.gauge = s.gauge->value();
        break;
      case MetricKind::kUpDownCounter:
        m.gauge = s.up_down->value();
        break;
      case MetricKind::kHistogram:
        m.histogram = s.histogram->value();
        break;
    }
    snap.metrics.push_back(std::move(m));
  }
  return snap;  // std::map order: by name, then sorted labels
}

std::string ToPrometheusText(const MetricsSnapshot& snapshot) {
  // Group by exposed name (two dotted names could map to one; the first kind seen wins and the
  // other's series are skipped, so the output stays valid).
  std::map<std::string, std::vector<const Metric*>> families;
  std::map<std::string, MetricKind> family_kind;
  for (const Metric& m : snapshot.metrics) {
    std::string name = SanitizeName(m.name, true);
    auto [it, inserted] = family_kind.emplace(name, m.kind);
    if (!inserted && it->second != m.kind) continue;
    families[name].push_back(&m);
  }
  std::string out;
  for (const auto& [name, series] : families) {
    const MetricKind kind = family_kind[name];
    const char* type = kind == MetricKind::kCounter     ? "counter"
                       : kind == MetricKind::kHistogram ? "histogram"
                                                        : "gauge";
    out += "# HELP " + name + " " + EscapeHelp(series.front()->description) + "\n";
    out += "# TYPE " + name + " " + type + "\n";
    for (const Metric* m : series) {
      switch (kind) {
        case MetricKind::kCounter:
          out += name + FormatLabels(m->labels) + " " + std::to_string(m->counter) + "\n";
          break;
        case MetricKind::kGauge:
        case MetricKind::kUpDownCounter:
          out += name + FormatLabels(m->labels) + " " + std::to_string(m->gauge) + "\n";
          break;
        case MetricKind::kHistogram: {
          const HistogramValue& h = m->histogram;
          uint64_t cumulative = 0;
          for (size_t i = 0; i < h.bucket_counts.size(); ++i) {
            cumulative += h.bucket_counts[i];
            std::string le = i < h.boundaries.size() ? FormatDouble(h.boundaries[i]) : "+Inf";
            out += name + "_bucket" + FormatLabels(m->labels, "le", le) + " " +
                   std::to_string(cumulative) + "\n";
          }
          out += name + "_sum" + FormatLabels(m->labels) + " " + FormatDouble(h.sum) + "\n";
          out += name + "_count" + FormatLabels(m->labels) + " " + std::to_string(h.count) + "\n";
          break;
        }
      }
    }
  }
  return out;
}

namespace util {

std::shared_ptr<MetricsRecorder> NoopMetricsRecorder() {
  static const std::shared_ptr<MetricsRecorder> kRecorder = std::make_shared<NoopRecorder>();
  return kRecorder;
}

}  // namespace util
}  // namespace slatedb
