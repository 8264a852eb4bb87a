// cli/compactor_cmd.cc — see compactor_cmd.h.
#include "cli/compactor_cmd.h"

#include <pthread.h>
#include <signal.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/metrics_cli.h"
#include "cli/progress.h"
#include "compactor/compactor.h"
#include "compactor/worker.h"
#include "gc/garbage_collector.h"
#include "object_store/cached_object_store.h"
#include "object_store/metrics_object_store.h"
#include "slatedb/metrics.h"
#include "util/clock.h"
#include "util/random.h"

namespace slatedb::cli {
namespace {

// Blocks SIGINT and SIGTERM in this thread (and every thread started afterwards).
sigset_t BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

// Waits up to 100 ms for a stop signal; returns it, or 0.
int PollStopSignal(const sigset_t& set) {
  timespec timeout{0, 100 * 1000 * 1000};
  int sig = sigtimedwait(&set, nullptr, &timeout);
  return sig > 0 ? sig : 0;
}

int Fail(const Status& s) {
  std::cerr << "error: " << s.ToString() << "\n";
  return 1;
}

}  // namespace

CompactorCommands::CompactorCommands(CLI::App& app) {
  compactor_ = app.add_subcommand("compactor", "run a standalone compactor until SIGTERM/SIGINT");
  compactor_->alias("run-compactor");  // slatedb-cli's name
  compactor_->add_flag("--no-embedded-worker", no_embedded_worker_,
                       "coordinator only: jobs are run by `run-worker` processes");
  worker_ = app.add_subcommand("run-worker", "run a compaction worker until SIGTERM/SIGINT");
  worker_->alias("worker");
  worker_->add_option("--worker-id", worker_id_, "this worker's id (default: a random one)");
  worker_->add_option("--max-concurrent-jobs", max_concurrent_jobs_,
                      "jobs this worker runs at once (>= 1, default 1)");
  worker_->preparse_callback([](size_t) { BlockStopSignals(); });
  gc_ = app.add_subcommand("gc", "run the garbage collector until SIGTERM/SIGINT");
  auto* once = gc_->add_flag("--once", gc_once_, "one pass over every directory, then exit");
  const char* metrics_help =
      "serve GET /metrics (Prometheus text) on IPV4:PORT, e.g. 127.0.0.1:9090";
  compactor_->add_option("--metrics-addr", metrics_addr_, metrics_help);
  gc_->add_option("--metrics-addr", metrics_addr_, metrics_help)->excludes(once);
  const char* progress_help =
      "progress lines on stderr every second (the default when stderr is a terminal)";
  compactor_->add_flag("--progress", progress_, progress_help);
  gc_->add_flag("--progress", progress_, progress_help);
  // Take SIGTERM / SIGINT synchronously from the moment the subcommand is recognised, so a
  // signal that arrives while settings and the store are being opened still stops us cleanly.
  compactor_->preparse_callback([](size_t) { BlockStopSignals(); });
  gc_->preparse_callback([](size_t) { BlockStopSignals(); });
}

bool CompactorCommands::parsed() const {
  return compactor_->parsed() || gc_->parsed() || worker_->parsed();
}

int CompactorCommands::Run(const std::string& url, const std::string& path,
                           const Settings& settings,
                           std::shared_ptr<MergeOperator> merge_operator) {
  const sigset_t signals = BlockStopSignals();  // before any thread exists
  const auto started = util::SystemClock::Default()->SteadyNow();
  if (!metrics_addr_.empty()) {
    std::string host;
    uint16_t port = 0;
    if (Status st = ParseMetricsAddr(metrics_addr_, &host, &port); !st.ok()) {
      std::cerr << "error: " << st.message() << "\n";
      return 2;
    }
  }
  auto recorder = std::make_shared<DefaultMetricsRecorder>();
  auto opened = OpenObjectStore(url);
  if (!opened.ok()) return Fail(opened.status());
  const char* component = compactor_->parsed() ? "compactor" : worker_->parsed() ? "worker" : "gc";
  // The disk cache of object_store_cache_options (SST reads of compactions; deletes by the
  // collector drop cached parts).
  object_store::DiskCacheEnv cache_env;
  cache_env.recorder = recorder;
  auto cached =
      object_store::MaybeWrapWithDiskCache(*opened, settings.object_store_cache_options, cache_env);
  if (!cached.ok()) return Fail(cached.status());
  auto store = NewMetricsObjectStore(*cached, recorder, component, nullptr);
  std::unique_ptr<MetricsServer> server;
  auto serve = [&]() -> Status {
    if (metrics_addr_.empty()) return Status::OK();
    ASSIGN_OR_RETURN(server, MetricsServer::Start(metrics_addr_, [recorder] {
                       return ToPrometheusText(recorder->Snapshot());
                     }));
    std::cerr << "serving metrics on http://" << metrics_addr_.substr(0, metrics_addr_.rfind(':'))
              << ":" << server->port() << "/metrics\n";
    return Status::OK();
  };
  auto cost = [&] {
    const std::chrono::duration<double> secs = util::SystemClock::Default()->SteadyNow() - started;
    return RequestCostJson(EstimateRequestCost(recorder->Snapshot(), secs.count()));
  };

  if (worker_->parsed()) {
    CompactorOptions options = settings.compactor_options.value_or(CompactorOptions{});
    compactor::OutputSettings output = compactor::OutputSettingsFrom(settings);
    auto w = compactor::CompactionWorker::Open(store, path, options, output, nullptr,
                                               util::EntropySeed(), worker_id_, util::Log(),
                                               std::move(merge_operator), max_concurrent_jobs_);
    if (!w.ok()) return Fail(w.status());
    if (Status st = (*w)->Start(); !st.ok()) return Fail(st);
    std::cerr << "compaction worker " << (*w)->worker_id() << " running on " << store->Describe()
              << " path '" << path << "'; SIGTERM or SIGINT stops it\n";
    while (PollStopSignal(signals) == 0) {
    }
    Status st = (*w)->Stop();
    auto s = (*w)->stats();
    nlohmann::json j = {{"worker_id", (*w)->worker_id()},
                        {"claimed", s.claimed},
                        {"resumed", s.resumed},
                        {"outputs_reused", s.outputs_reused},
                        {"compacted", s.compacted},
                        {"released", s.released},
                        {"lost", s.lost},
                        {"failed", s.failed},
                        {"heartbeats", s.heartbeats},
                        {"request_cost", cost()}};
    std::cout << j.dump() << std::endl;
    return st.ok() ? 0 : Fail(st);
  }

  if (compactor_->parsed()) {
    CompactorOptions options = settings.compactor_options.value_or(CompactorOptions{});
    compactor::OutputSettings output = compactor::OutputSettingsFrom(settings);
    auto c = compactor::Compactor::Open(store, path, options, output, nullptr, util::EntropySeed(),
                                        util::Log(), std::move(merge_operator), recorder);
    if (!c.ok()) return Fail(c.status());
    if (no_embedded_worker_) (*c)->UseExternalWorkers();
    if (Status st = serve(); !st.ok()) return Fail(st);
    if (Status st = (*c)->Start(); !st.ok()) return Fail(st);
    std::cerr << "compactor running on " << store->Describe() << " path '" << path << "' (epoch "
              << (*c)->stats().epoch << "); SIGTERM or SIGINT stops it\n";
    ProgressReporter progress(ProgressWanted(progress_), [&](double secs) {
      auto s = (*c)->stats();
      char buf[256];
      std::snprintf(buf, sizeof(buf),
                    "compactor: %llu compactions done, %llu running, %llu failed; read %s, "
                    "wrote %s; %.1f s",
                    static_cast<unsigned long long>(s.committed),
                    static_cast<unsigned long long>(s.running),
                    static_cast<unsigned long long>(s.failed),
                    FormatBytes(static_cast<double>(s.bytes_read)).c_str(),
                    FormatBytes(static_cast<double>(s.bytes_written)).c_str(), secs);
      return std::string(buf);
    });
    int sig = 0;
    while (sig == 0 && (*c)->running()) sig = PollStopSignal(signals);
    bool fenced = (*c)->fenced();
    Status st = (*c)->Stop();
    progress.Finish();  // after Stop: the totals include what the shutdown drained
    auto s = (*c)->stats();
    nlohmann::json j = {{"epoch", s.epoch},
                        {"submitted", s.submitted},
                        {"committed", s.committed},
                        {"cancelled", s.cancelled},
                        {"failed", s.failed},
                        {"bytes_read", s.bytes_read},
                        {"bytes_written", s.bytes_written},
                        {"fenced", fenced},
                        {"request_cost", cost()}};
    if (server) server->Stop();
    std::cout << j.dump() << std::endl;
    if (!st.ok()) return Fail(st);
    if (fenced) {
      std::cerr << "error: fenced: a newer compactor took over\n";
      return 1;
    }
    return 0;
  }

  GarbageCollectorOptions options =
      settings.garbage_collector_options.value_or(GarbageCollectorOptions{});
  gc::GcExtraOptions extra;
  extra.metrics = recorder;
  auto gc = gc::GarbageCollector::Open(store, path, options, nullptr, extra);
  if (!gc.ok()) return Fail(gc.status());
  auto print = [&](const gc::GcStats& s) {
    nlohmann::json j = {{"manifests_deleted", s.manifests_deleted},
                        {"wal_deleted", s.wal_deleted},
                        {"compacted_deleted", s.compacted_deleted},
                        {"compactions_deleted", s.compactions_deleted},
                        {"runs", s.runs},
                        {"request_cost", cost()}};
    std::cout << j.dump() << std::endl;
  };
  auto gc_line = [&](double secs) {
    auto s = (*gc)->totals();
    char buf[256];
    std::snprintf(buf, sizeof(buf),
                  "gc: %llu sweeps; deleted %llu manifests, %llu WAL SSTs, %llu compacted SSTs, "
                  "%llu .compactions; %.1f s",
                  static_cast<unsigned long long>(s.runs),
                  static_cast<unsigned long long>(s.manifests_deleted),
                  static_cast<unsigned long long>(s.wal_deleted),
                  static_cast<unsigned long long>(s.compacted_deleted),
                  static_cast<unsigned long long>(s.compactions_deleted), secs);
    return std::string(buf);
  };
  ProgressReporter progress(ProgressWanted(progress_), gc_line);
  if (gc_once_) {
    auto r = (*gc)->RunOnce();
    if (!r.ok()) return Fail(r.status());
    progress.Finish();
    print(*r);
    return 0;
  }
  if (Status st = serve(); !st.ok()) return Fail(st);
  if (Status st = (*gc)->Start(); !st.ok()) return Fail(st);
  while (PollStopSignal(signals) == 0) {
  }
  Status st = (*gc)->Stop();
  progress.Finish();
  if (server) server->Stop();
  print((*gc)->totals());
  return st.ok() ? 0 : Fail(st);
}

}  // namespace slatedb::cli
