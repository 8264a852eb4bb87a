// cli/metrics_cli.cc — see metrics_cli.h.
#include "cli/metrics_cli.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace slatedb::cli {

RequestCost EstimateRequestCost(const MetricsSnapshot& snapshot, double seconds) {
  RequestCost c;
  c.seconds = seconds;
  constexpr std::string_view kName = "slatedb.object_store.request_count";
  auto count = [&](const char* api) {
    return static_cast<uint64_t>(snapshot.Sum(kName, {{"api", api}}));
  };
  c.put = count("put");
  c.get = count("get") + count("get_range");
  c.list = count("list");
  c.head = count("head");
  c.del = count("delete");
  if (seconds > 0) {
    const double put_class = static_cast<double>(c.put + c.list) / seconds;
    const double get_class = static_cast<double>(c.get + c.head) / seconds;
    c.usd_per_month = (put_class * kUsdPer1000PutListRequests / 1000.0 +
                       get_class * kUsdPer1000GetHeadRequests / 1000.0) *
                      kSecondsPerMonth;
  }
  return c;
}

nlohmann::json RequestCostJson(const RequestCost& c) {
  auto rate = [&](uint64_t n) { return c.seconds > 0 ? static_cast<double>(n) / c.seconds : 0.0; };
  return {{"seconds", c.seconds},
          {"put_per_sec", rate(c.put)},
          {"get_per_sec", rate(c.get)},
          {"list_per_sec", rate(c.list)},
          {"head_per_sec", rate(c.head)},
          {"delete_per_sec", rate(c.del)},
          {"usd_per_month", c.usd_per_month},
          {"prices",
           "S3 Standard: PUT/COPY/POST/LIST $0.005 per 1000, GET/HEAD $0.0004 per 1000, "
           "DELETE free; 730-hour month"}};
}

Status ParseMetricsAddr(std::string_view text, std::string* host, uint16_t* port) {
  const std::string shown = "--metrics-addr '" + std::string(text) + "'";
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return Status::Invalid(shown + ": expected IPV4:PORT, e.g. 127.0.0.1:9090");
  }
  *host = std::string(text.substr(0, colon));
  in_addr a{};
  if (inet_pton(AF_INET, host->c_str(), &a) != 1) {
    return Status::Invalid(shown + ": '" + *host + "' is not an IPv4 address (e.g. 127.0.0.1)");
  }
  const std::string_view p = text.substr(colon + 1);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
  if (p.empty() || ec != std::errc() || end != p.data() + p.size() || value > 65535) {
    return Status::Invalid(shown + ": port '" + std::string(p) + "' is not a number in 0..65535");
  }
  *port = static_cast<uint16_t>(value);
  return Status::OK();
}

Result<std::unique_ptr<MetricsServer>> MetricsServer::Start(std::string_view addr, Body body) {
  std::string host;
  uint16_t port = 0;
  RETURN_IF_ERROR(ParseMetricsAddr(addr, &host, &port));
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::Unavailable(std::string("--metrics-addr: socket: ") + strerror(errno));
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  inet_pton(AF_INET, host.c_str(), &sa.sin_addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0 || listen(fd, 16) != 0) {
    const std::string why = strerror(errno);
    close(fd);
    return Status::Unavailable("--metrics-addr " + std::string(addr) + ": cannot listen: " + why);
  }
  socklen_t len = sizeof(sa);
  getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  return std::make_unique<MetricsServer>(fd, ntohs(sa.sin_port), std::move(body));
}

MetricsServer::MetricsServer(int fd, uint16_t port, Body body)
    : fd_(fd), port_(port), body_(std::move(body)) {
  thread_ = std::thread([this] { Serve(); });
}

MetricsServer::~MetricsServer() {
  Stop();
  close(fd_);
}

void MetricsServer::Stop() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

void MetricsServer::Serve() {
  while (!stop_.load()) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;  // timeout (check stop_) or EINTR
    const int conn = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) continue;
    Handle(conn);
    close(conn);
  }
}

void MetricsServer::Handle(int conn) {
  // The request head, up to 8 KiB, read within ~2 s (a stalled client cannot hold us long).
  std::string req;
  char buf[1024];
  for (int waits = 0; req.find("\r\n\r\n") == std::string::npos && req.size() < 8192;) {
    pollfd p{conn, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) {
      if (++waits >= 20 || stop_.load()) return;
      continue;
    }
    const ssize_t n = recv(conn, buf, sizeof(buf), 0);
    if (n <= 0) break;
    req.append(buf, static_cast<size_t>(n));
  }
  const std::string line = req.substr(0, req.find("\r\n"));
  std::string status = "200 OK", body;
  std::string type = "text/plain; version=0.0.4; charset=utf-8";
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == std::string::npos ? sp1 : line.find(' ', sp1 + 1);
  const std::string method = line.substr(0, sp1);
  const std::string target =
      sp1 == std::string::npos
          ? ""
          : line.substr(sp1 + 1, sp2 == std::string::npos ? sp2 : sp2 - sp1 - 1);
  const std::string path = target.substr(0, target.find('?'));
  if (method != "GET" && method != "HEAD") {
    status = "405 Method Not Allowed";
    body = "only GET /metrics\n";
    type = "text/plain; charset=utf-8";
  } else if (path != "/metrics") {
    status = "404 Not Found";
    body = "not found: try /metrics\n";
    type = "text/plain; charset=utf-8";
  } else {
    body = body_();
  }
  std::string out = "HTTP/1.1 " + status + "\r\nContent-Type: " + type +
                    "\r\nContent-Length: " + std::to_string(body.size()) +
                    "\r\nConnection: close\r\n\r\n";
  if (method != "HEAD") out += body;
  for (size_t off = 0; off < out.size();) {
    const ssize_t n = send(conn, out.data() + off, out.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

}  // namespace slatedb::cli
