// disk_cache_bench — point reads through the disk cache (object_store_cache_options) on a store
// with injected latency (issue 14 item 8; not a timed test).
//
// Builds a compacted database of --keys keys (119-byte rows) on a local directory without
// latency, then opens it on that directory behind the fault-injecting store's --latency-ms per
// request with a fresh disk-cache folder and a block cache that is off or small (flags below), and
// times --reads random point reads in three phases:
//   cold     the first reads after the cache folder was emptied;
//   warm     the same number again in the same process;
//   restart  after Close and a new Db::Open on the same folder.
// Prints per phase p50 / p99 / p99.9 / max in microseconds and the inner store's GET/HEAD counts.
//
// Usage: disk_cache_bench --dir /tmp/x [--keys 100000] [--reads 20000] [--latency-ms 25]
//                         [--part-kib 4096] [--seed 1] [--data-cache-kib 0] [--meta-cache-kib 0]
// The block cache budgets default to 0 (BlockCache::Disabled(): every lookup reads the SSTs'
// index, filter and data block through the disk cache); --meta-cache-kib 131072 keeps indexes
// and filters in memory as SlateDB's default does, so only data blocks come from the disk cache.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "object_store/fault_injecting_object_store.h"
#include "slatedb/block_cache.h"
#include "slatedb/db.h"
#include "util/random.h"

namespace {

const char* StrArg(int argc, char** argv, const char* name, const char* def) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
  }
  return def;
}
uint64_t Arg(int argc, char** argv, const char* name, uint64_t def) {
  const char* v = StrArg(argc, argv, name, nullptr);
  return v ? std::strtoull(v, nullptr, 10) : def;
}
int Fail(const std::string& what, const slatedb::Status& st) {
  std::fprintf(stderr, "disk_cache_bench: %s: %s\n", what.c_str(), st.ToString().c_str());
  return 1;
}
std::string Key(uint64_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "key%016llu", static_cast<unsigned long long>(i));
  return buf;
}

struct Phase {
  std::vector<double> us;
  slatedb::RequestCounts counts;
};

double Pct(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1));
  return v[i];
}

}  // namespace

int main(int argc, char** argv) {
  const char* dir = StrArg(argc, argv, "--dir", nullptr);
  if (dir == nullptr || dir[0] != '/') {
    std::fprintf(stderr, "disk_cache_bench: --dir /absolute/dir is required\n");
    return 1;
  }
  const uint64_t keys = Arg(argc, argv, "--keys", 100000);
  const uint64_t reads = Arg(argc, argv, "--reads", 20000);
  const uint64_t latency_ms = Arg(argc, argv, "--latency-ms", 25);
  const uint64_t part_kib = Arg(argc, argv, "--part-kib", 4096);
  const uint64_t seed = Arg(argc, argv, "--seed", 1);
  if (keys == 0 || reads == 0) {
    std::fprintf(stderr, "disk_cache_bench: --keys and --reads must be positive\n");
    return 1;
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  const std::string bucket = std::string(dir) + "/bucket";
  const std::string cache = std::string(dir) + "/cache";
  auto local = slatedb::NewLocalObjectStore(bucket);
  if (!local.ok()) return Fail("opening the store", local.status());

  // 1. A compacted database (small L0s so that the compactor merges them into sorted runs).
  {
    slatedb::Settings s;
    s.l0_sst_size_bytes = 1 << 20;
    slatedb::Components c;
    c.object_store = *local;
    auto db = slatedb::Db::Open("db", c, s);
    if (!db.ok()) return Fail("opening for the fill", db.status());
    const std::string value(100, 'v');
    for (uint64_t i = 0; i < keys; ++i) {
      auto st = (*db)->Put(Key(i), value);
      if (!st.ok()) return Fail("put", st.status());
    }
    if (auto st = (*db)->Flush(slatedb::FlushType::kMemTable); !st.ok()) return Fail("flush", st);
    // Wait (at most 120 s) for the compactor to leave fewer L0 SSTs than it merges at once.
    for (int i = 0; i < 1200; ++i) {
      auto status = (*db)->GetStatus();
      if (!status.ok()) return Fail("status", status.status());
      if (status->l0_ssts < 4 && status->sorted_runs >= 1) {
        std::printf("database: %llu keys, %zu L0 SSTs, %zu sorted runs\n",
                    static_cast<unsigned long long>(keys), status->l0_ssts, status->sorted_runs);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (auto st = (*db)->Close(); !st.ok()) return Fail("close", st);
  }

  // 2. Reads behind the latency, through the disk cache, block cache off.
  slatedb::FaultOptions slow;
  slow.latency = std::chrono::milliseconds(latency_ms);
  auto faulty = std::make_shared<slatedb::FaultInjectingObjectStore>(*local, slow);
  slatedb::Settings s;
  s.object_store_cache_options.root_folder = cache;
  s.object_store_cache_options.part_size_bytes = part_kib * 1024;
  s.compactor_options.reset();  // nothing left to do; keeps the request counts about reads
  s.garbage_collector_options.reset();
  slatedb::Components c;
  c.object_store = faulty;
  const uint64_t data_kib = Arg(argc, argv, "--data-cache-kib", 0);
  const uint64_t meta_kib = Arg(argc, argv, "--meta-cache-kib", 0);
  if (data_kib == 0 && meta_kib == 0) {
    c.block_cache = slatedb::BlockCache::Disabled();
  } else {
    slatedb::BlockCacheOptions bo;
    bo.data_capacity_bytes = data_kib * 1024;
    bo.meta_capacity_bytes = meta_kib * 1024;
    auto bc = slatedb::BlockCache::Create(bo);
    if (!bc.ok()) return Fail("--data-cache-kib / --meta-cache-kib", bc.status());
    c.block_cache = *bc;
  }
  slatedb::util::Random rng(seed);
  auto run = [&](slatedb::Db& db, Phase* phase) -> slatedb::Status {
    faulty->ResetCounts();
    phase->us.reserve(reads);
    for (uint64_t i = 0; i < reads; ++i) {
      const std::string k = Key(rng.Uniform(keys));
      auto t0 = std::chrono::steady_clock::now();
      auto v = db.Get(k);
      auto t1 = std::chrono::steady_clock::now();
      if (!v.ok()) return v.status();
      if (!v->has_value()) return slatedb::Status::Internal("missing " + k);
      phase->us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
    phase->counts = faulty->counts();
    return slatedb::Status::OK();
  };
  Phase cold, warm, restart;
  {
    auto db = slatedb::Db::Open("db", c, s);
    if (!db.ok()) return Fail("opening with the cache", db.status());
    if (auto st = run(**db, &cold); !st.ok()) return Fail("cold reads", st);
    if (auto st = run(**db, &warm); !st.ok()) return Fail("warm reads", st);
    if (auto st = (*db)->Close(); !st.ok()) return Fail("close", st);
  }
  {
    auto db = slatedb::Db::Open("db", c, s);
    if (!db.ok()) return Fail("reopening with the cache", db.status());
    if (auto st = run(**db, &restart); !st.ok()) return Fail("reads after restart", st);
    if (auto st = (*db)->Close(); !st.ok()) return Fail("close", st);
  }
  std::printf(
      "latency %llu ms per request, part %llu KiB, %llu reads per phase, block cache data %llu "
      "KiB + meta %llu KiB\n",
      static_cast<unsigned long long>(latency_ms), static_cast<unsigned long long>(part_kib),
      static_cast<unsigned long long>(reads), static_cast<unsigned long long>(data_kib),
      static_cast<unsigned long long>(meta_kib));
  std::printf("%-8s %10s %10s %10s %10s %8s %8s %8s\n", "phase", "p50_us", "p99_us", "p99.9_us",
              "max_us", "get", "range", "head");
  for (auto& [name, p] :
       {std::pair<const char*, Phase*>{"cold", &cold}, {"warm", &warm}, {"restart", &restart}}) {
    std::printf("%-8s %10.1f %10.1f %10.1f %10.1f %8llu %8llu %8llu\n", name, Pct(p->us, 0.5),
                Pct(p->us, 0.99), Pct(p->us, 0.999), Pct(p->us, 1.0),
                static_cast<unsigned long long>(p->counts.get),
                static_cast<unsigned long long>(p->counts.get_range),
                static_cast<unsigned long long>(p->counts.head));
  }
  return 0;
}
