// slatedb_idle_bench — what an idle or lone writer costs, and how long recovery takes with many
// WAL SSTs (issue 14 items 6 and 7). Not a timed test: it prints one JSON line per mode.
//
// Modes (--mode):
//   lone   N durable puts (await_durable) one after the other, --gap-ms apart (the writer is
//          idle in between): p50 / p99 / max latency of each put in microseconds.
//   idle   opens the database with default settings (embedded compactor and GC on), waits
//          --seconds, and reports the object-store requests made meanwhile by kind, per second.
//   open   writes --wals WAL SSTs (one durable put each, memtable never flushed), closes, then
//          reopens --repeat times with --wal-replay-parallelism P and reports the open time.
// --url: an object-store URL (file:///dir, s3://bucket/prefix?endpoint=…, memory:///); the
// database is at path "idle_bench" in it and is deleted first.
//   slatedb_idle_bench --mode lone|idle|open --url URL [--count N=200] [--gap-ms G=20]
//                      [--seconds S=30] [--wals W=2000] [--wal-replay-parallelism P=16]
//                      [--repeat R=3] [--latency-ms L=0]
// --latency-ms adds L ms to every request (the fault-injecting store), e.g. to model S3 round
// trips on a local or memory store.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "object_store/fault_injecting_object_store.h"
#include "slatedb/db.h"
#include "slatedb/object_store.h"

namespace {

using SteadyClock = std::chrono::steady_clock;

const char* StrArg(int argc, char** argv, const char* name, const char* fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
  }
  return fallback;
}

uint64_t Arg(int argc, char** argv, const char* name, uint64_t fallback) {
  const char* v = StrArg(argc, argv, name, nullptr);
  return v ? std::strtoull(v, nullptr, 10) : fallback;
}

int Fail(const std::string& what, const slatedb::Status& st) {
  std::fprintf(stderr, "idle_bench: %s: %s\n", what.c_str(), st.ToString().c_str());
  return 1;
}

constexpr const char* kPath = "idle_bench";

slatedb::Status Wipe(slatedb::ObjectStore& store) {
  auto listed = store.List(std::string(kPath) + "/");
  if (!listed.ok()) return listed.status();
  for (const auto& meta : *listed) {
    slatedb::Status st = store.Delete(meta.key);
    if (!st.ok()) return st;
  }
  return slatedb::Status::OK();
}

slatedb::Result<std::unique_ptr<slatedb::Db>> Open(std::shared_ptr<slatedb::ObjectStore> store,
                                                   const slatedb::Settings& settings) {
  slatedb::Components c;
  c.object_store = std::move(store);
  c.seed = 42;
  return slatedb::Db::Open(kPath, std::move(c), settings);
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

slatedb::WriteOptions Durable() {
  slatedb::WriteOptions w;
  w.await_durable = true;
  return w;
}

int Lone(std::shared_ptr<slatedb::ObjectStore> store, uint64_t count, uint64_t gap_ms) {
  auto db = Open(store, slatedb::Settings());
  if (!db.ok()) return Fail("open", db.status());
  std::vector<double> us;
  for (uint64_t i = 0; i < count; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(gap_ms));
    const auto start = SteadyClock::now();
    auto put = (*db)->Put("key" + std::to_string(i), std::string(100, 'v'), slatedb::PutOptions(),
                          Durable());
    if (!put.ok()) return Fail("put", put.status());
    us.push_back(std::chrono::duration<double, std::micro>(SteadyClock::now() - start).count());
  }
  slatedb::Status st = (*db)->Close();
  if (!st.ok()) return Fail("close", st);
  std::printf(
      "{\"mode\":\"lone\",\"count\":%llu,\"gap_ms\":%llu,\"p50_us\":%.0f,\"p99_us\":%.0f,"
      "\"max_us\":%.0f}\n",
      static_cast<unsigned long long>(count), static_cast<unsigned long long>(gap_ms),
      Percentile(us, 0.5), Percentile(us, 0.99), Percentile(us, 1.0));
  return 0;
}

int Idle(std::shared_ptr<slatedb::ObjectStore> store, uint64_t seconds) {
  auto counting =
      std::make_shared<slatedb::FaultInjectingObjectStore>(store, slatedb::FaultOptions());
  auto db = Open(counting, slatedb::Settings());
  if (!db.ok()) return Fail("open", db.status());
  // Let the open settle (the compactor's and GC's first passes), then count.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  counting->ResetCounts();
  const auto start = SteadyClock::now();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  const slatedb::RequestCounts c = counting->counts();
  const double secs = std::chrono::duration<double>(SteadyClock::now() - start).count();
  slatedb::Status st = (*db)->Close();
  if (!st.ok()) return Fail("close", st);
  std::printf(
      "{\"mode\":\"idle\",\"seconds\":%.1f,\"requests\":%llu,\"per_second\":%.3f,\"get\":%llu,"
      "\"list\":%llu,\"head\":%llu,\"puts\":%llu,\"delete\":%llu}\n",
      secs, static_cast<unsigned long long>(c.Total()), static_cast<double>(c.Total()) / secs,
      static_cast<unsigned long long>(c.get + c.get_range), static_cast<unsigned long long>(c.list),
      static_cast<unsigned long long>(c.head),
      static_cast<unsigned long long>(c.put + c.put_if_absent + c.put_if_match),
      static_cast<unsigned long long>(c.delete_));
  return 0;
}

int OpenMany(std::shared_ptr<slatedb::ObjectStore> store, uint64_t wals, uint64_t parallelism,
             uint64_t repeat) {
  slatedb::Settings settings;
  settings.compactor_options.reset();
  settings.garbage_collector_options.reset();
  {
    auto db = Open(store, settings);
    if (!db.ok()) return Fail("open", db.status());
    for (uint64_t i = 0; i < wals; ++i) {
      auto put = (*db)->Put("key" + std::to_string(i), std::string(100, 'v'), slatedb::PutOptions(),
                            Durable());
      if (!put.ok()) return Fail("put", put.status());
    }
    slatedb::Status st = (*db)->Close();
    if (!st.ok()) return Fail("close", st);
  }
  auto listed = store->List(std::string(kPath) + "/wal/");
  if (!listed.ok()) return Fail("list", listed.status());
  settings.wal_replay_parallelism = parallelism;
  std::vector<double> ms;
  for (uint64_t r = 0; r < repeat; ++r) {
    const auto start = SteadyClock::now();
    auto db = Open(store, settings);
    if (!db.ok()) return Fail("reopen", db.status());
    ms.push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count());
    // Close without writing: nothing is flushed to L0, so the next open replays the same WAL
    // (plus one fence per open).
    slatedb::Status st = (*db)->Close();
    if (!st.ok()) return Fail("close", st);
  }
  std::printf(
      "{\"mode\":\"open\",\"wal_objects\":%zu,\"wal_replay_parallelism\":%llu,"
      "\"open_ms_median\":%.0f,\"open_ms_min\":%.0f}\n",
      listed->size(), static_cast<unsigned long long>(parallelism), Percentile(ms, 0.5),
      Percentile(ms, 0.0));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = StrArg(argc, argv, "--mode", "lone");
  const char* url = StrArg(argc, argv, "--url", nullptr);
  if (url == nullptr) {
    std::fprintf(stderr, "idle_bench: --url is required (file:///dir, s3://…, memory:///)\n");
    return 1;
  }
  auto store = slatedb::OpenObjectStore(url);
  if (!store.ok()) return Fail(std::string("--url ") + url, store.status());
  // --latency-ms L: every request of the engine sleeps L ms first (a remote store's round trip).
  if (const uint64_t latency_ms = Arg(argc, argv, "--latency-ms", 0); latency_ms > 0) {
    slatedb::FaultOptions slow;
    slow.latency = std::chrono::milliseconds(latency_ms);
    *store = std::make_shared<slatedb::FaultInjectingObjectStore>(*store, slow);
  }
  slatedb::Status wiped = Wipe(**store);
  if (!wiped.ok()) return Fail("deleting the old database", wiped);
  if (mode == "lone") {
    return Lone(*store, Arg(argc, argv, "--count", 200), Arg(argc, argv, "--gap-ms", 20));
  }
  if (mode == "idle") return Idle(*store, Arg(argc, argv, "--seconds", 30));
  if (mode == "open") {
    return OpenMany(*store, Arg(argc, argv, "--wals", 2000),
                    Arg(argc, argv, "--wal-replay-parallelism", 16),
                    Arg(argc, argv, "--repeat", 3));
  }
  std::fprintf(stderr, "idle_bench: unknown --mode %s (lone|idle|open)\n", mode.c_str());
  return 1;
}
