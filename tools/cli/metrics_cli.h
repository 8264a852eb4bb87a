// cli/metrics_cli.h — metrics for the command line: the request-cost estimate that `status`
// prints, and the small HTTP server behind `--metrics-addr` of `compactor` and `gc`.
//
// EstimateRequestCost: object-store requests of this process (slatedb.object_store.request_count
// by api) per second over `seconds`, priced at S3 Standard request prices (docs/metrics.md):
// PUT/COPY/POST/LIST $0.005 per 1,000, GET/HEAD (and other reads) $0.0004 per 1,000, DELETE free;
// a month is 730 hours.
//
// MetricsServer: a blocking HTTP/1.1 server on one thread that answers `GET /metrics` with the
// Prometheus text of a snapshot (404 for other paths, 405 for other methods, one request per
// connection). Thread safety: Start/Stop from one thread; the body callback runs on the server
// thread. Ownership: owns its socket and thread; the destructor stops it. Errors: Start returns
// kInvalid for a bad address (naming --metrics-addr) and kUnavailable when it cannot bind.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <thread>

#include "slatedb/metrics.h"
#include "slatedb/status.h"

namespace slatedb::cli {

struct RequestCost {
  double seconds = 0;
  uint64_t put = 0, get = 0, list = 0, head = 0, del = 0;  // request counts by class
  double usd_per_month = 0;
};

inline constexpr double kUsdPer1000PutListRequests = 0.005;
inline constexpr double kUsdPer1000GetHeadRequests = 0.0004;
inline constexpr double kSecondsPerMonth = 730.0 * 3600.0;

RequestCost EstimateRequestCost(const MetricsSnapshot& snapshot, double seconds);
// {"seconds", "put_per_sec", "get_per_sec", "list_per_sec", "head_per_sec", "delete_per_sec",
//  "usd_per_month", "prices": "..."}.
nlohmann::json RequestCostJson(const RequestCost& cost);

// Parses "IPV4:PORT" (e.g. "127.0.0.1:9090"; port 0 = any free port).
Status ParseMetricsAddr(std::string_view text, std::string* host, uint16_t* port);

class MetricsServer {
 public:
  using Body = std::function<std::string()>;
  static Result<std::unique_ptr<MetricsServer>> Start(std::string_view addr, Body body);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  uint16_t port() const { return port_; }
  // Stops accepting and joins the thread (within ~100 ms). Idempotent.
  void Stop();

  MetricsServer(int fd, uint16_t port, Body body);

 private:
  void Serve();
  void Handle(int conn);

  const int fd_;
  const uint16_t port_;
  const Body body_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace slatedb::cli
