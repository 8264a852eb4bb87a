// slatedb_memory_bound_bench — how far above max_unflushed_bytes a writer's memory goes when
// the object store is slow (issue 10 item 7). Not a timed test: it prints figures.
//
// A local directory behind a fault-injecting store that adds latency to every request (default
// 50 ms, like a slow S3), a writer with max_unflushed_bytes = M writing 1 KiB values as fast as
// backpressure allows for S seconds (batches of 100, not awaiting durability). It samples the
// process's resident set every 10 ms and prints one JSON line: baseline RSS, peak RSS, and
// (peak − baseline) / M. Usage:
//   slatedb_memory_bound_bench [--max-unflushed-mib M=64] [--seconds S=20] [--latency-ms L=50]
//                              [--l0-mib L0=8] [--compactor 1|0] [--dir DIR]
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "object_store/fault_injecting_object_store.h"
#include "slatedb/db.h"

namespace {

uint64_t RssBytes() {
  std::ifstream f("/proc/self/statm");
  uint64_t pages = 0, resident = 0;
  f >> pages >> resident;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

uint64_t Arg(int argc, char** argv, const char* name, uint64_t fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return std::strtoull(argv[i + 1], nullptr, 10);
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace slatedb;  // NOLINT (a program, not a header)
  const uint64_t max_unflushed = Arg(argc, argv, "--max-unflushed-mib", 64) << 20;
  const uint64_t seconds = Arg(argc, argv, "--seconds", 20);
  const uint64_t latency_ms = Arg(argc, argv, "--latency-ms", 50);
  const uint64_t l0 = Arg(argc, argv, "--l0-mib", 8) << 20;
  std::string dir =
      (std::filesystem::temp_directory_path() / ("slatedb-membench-" + std::to_string(getpid())))
          .string();
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--dir") == 0) dir = argv[i + 1];
  }
  auto local = NewLocalObjectStore(dir);
  if (!local.ok()) {
    std::fprintf(stderr, "%s\n", local.status().ToString().c_str());
    return 1;
  }
  FaultOptions faults;
  faults.latency = std::chrono::milliseconds(latency_ms);
  auto store = std::make_shared<FaultInjectingObjectStore>(*local, faults);

  Settings s;
  s.max_unflushed_bytes = max_unflushed;
  s.l0_sst_size_bytes = l0;
  const bool compactor = Arg(argc, argv, "--compactor", 1) != 0;
  if (!compactor) {  // L0 only: what the write path alone holds
    s.compactor_options.reset();
    s.l0_max_ssts = 1000000;
  }
  Components c;
  c.object_store = store;
  auto db = Db::Open("db", c, s);
  if (!db.ok()) {
    std::fprintf(stderr, "%s\n", db.status().ToString().c_str());
    return 1;
  }
  const uint64_t baseline = RssBytes();
  std::atomic<bool> done{false};
  std::atomic<uint64_t> peak{baseline};
  std::thread sampler([&] {
    while (!done.load()) {
      uint64_t r = RssBytes();
      if (r > peak.load()) peak.store(r);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
  const std::string value(1024, 'v');
  WriteOptions wo;
  wo.await_durable = false;
  uint64_t rows = 0;
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  char key[32];
  while (std::chrono::steady_clock::now() < end) {
    WriteBatch batch;
    for (int i = 0; i < 100; ++i, ++rows) {
      std::snprintf(key, sizeof(key), "key%016llu", static_cast<unsigned long long>(rows));
      batch.Put(key, value);
    }
    Status st = (*db)->Write(batch, wo).status();
    if (!st.ok()) {
      std::fprintf(stderr, "%s\n", st.ToString().c_str());
      break;
    }
  }
  Status closed = (*db)->Close();
  done.store(true);
  sampler.join();
  std::filesystem::remove_all(dir);
  const double over = static_cast<double>(peak.load() - baseline) / max_unflushed;
  std::printf(
      "{\"max_unflushed_bytes\": %llu, \"l0_sst_size_bytes\": %llu, \"latency_ms\": %llu, "
      "\"compactor\": %s, \"seconds\": %llu, \"rows\": %llu, \"baseline_rss\": %llu, \"peak_rss\": "
      "%llu, "
      "\"peak_over_baseline_per_max_unflushed\": %.2f, \"close\": \"%s\"}\n",
      static_cast<unsigned long long>(max_unflushed), static_cast<unsigned long long>(l0),
      static_cast<unsigned long long>(latency_ms), compactor ? "true" : "false",
      static_cast<unsigned long long>(seconds), static_cast<unsigned long long>(rows),
      static_cast<unsigned long long>(baseline), static_cast<unsigned long long>(peak.load()), over,
      closed.ToString().c_str());
  return closed.ok() ? 0 : 1;
}
