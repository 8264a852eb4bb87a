// slatedb_workload_bench — SlateDB-style workloads against a store with injected latency
// (issue 14 item 9, second half). Not a timed test: it prints one JSON line per workload and a
// markdown table at the end.
//
// Each run: a fresh database at path "workload_bench" in --url is preloaded with --keys keys of
// --value-size bytes (no injected latency, memtables flushed), then reopened behind a store that
// counts requests and adds --latency-ms to each. Every workload then runs --clients closed-loop
// client threads for --warmup-seconds (not measured) and --seconds (measured), on the same open
// database, in the order given:
//   point-read-uniform   Get of an existing key, uniform
//   point-read-skewed    Get of an existing key, zipfian (theta 0.99, YCSB's constant)
//   point-read-missing   Get of a key that does not exist (filters answer)
//   read-heavy           95% Get (uniform) / 5% Put overwriting an existing key (YCSB B)
//   balanced             50% Get / 50% Put (YCSB A)
//   update-heavy         20% Get / 80% Put
//   range-scan           95% Scan of --scan-length rows from a uniform start key / 5% Put (YCSB E)
//   sustained-ingest     100% Put of new keys
//   idle                 no operations: what the open database costs by itself
// Puts wait for durability (await_durable, SlateDB's default) unless --no-await-durable.
// Reported per workload: ops/s, latency p50/p99/p99.9 of all operations and of durable puts
// alone (µs), object-store requests/s by kind, and USD/month at S3 Standard request prices
// (--get-price 0.0004, --put-price 0.005 USD per 1,000 GET-class / PUT-class requests; LIST is
// PUT-class, DELETE is free).
//
//   slatedb_workload_bench --url file:///tmp/wb [--latency-ms 25] [--keys 100000]
//       [--value-size 100] [--clients 8] [--seconds 10] [--warmup-seconds 2]
//       [--workloads a,b,...] [--scan-length 100] [--block-cache-mib 64] [--seed 1]
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "object_store/fault_injecting_object_store.h"
#include "slatedb/block_cache.h"
#include "slatedb/db.h"
#include "slatedb/object_store.h"

namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr const char* kPath = "workload_bench";

int Fail(const std::string& what, const slatedb::Status& st) {
  std::fprintf(stderr, "workload_bench: %s: %s\n", what.c_str(), st.ToString().c_str());
  return 1;
}

std::string Key(uint64_t i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "key%016" PRIu64, i);
  return buf;
}

// splitmix64: a seeded, per-thread generator (no shared state between clients).
struct Rng {
  uint64_t s;
  uint64_t Next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double Uniform01() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  uint64_t Uniform(uint64_t n) { return Next() % n; }
};

// YCSB's zipfian generator (Gray et al., "Quickly generating billion-record synthetic
// databases"), over [0, n); item 0 is the most popular, scattered by a hash so hot keys are
// spread over the key space.
class Zipfian {
 public:
  Zipfian(uint64_t n, double theta) : n_(n), theta_(theta) {
    for (uint64_t i = 1; i <= n; ++i) zetan_ += 1.0 / std::pow(static_cast<double>(i), theta);
    const double zeta2 = 1.0 + 1.0 / std::pow(2.0, theta);
    alpha_ = 1.0 / (1.0 - theta);
    eta_ = (1.0 - std::pow(2.0 / static_cast<double>(n), 1.0 - theta)) / (1.0 - zeta2 / zetan_);
  }
  uint64_t Next(Rng& rng) const {
    const double u = rng.Uniform01();
    const double uz = u * zetan_;
    uint64_t rank;
    if (uz < 1.0) {
      rank = 0;
    } else if (uz < 1.0 + std::pow(0.5, theta_)) {
      rank = 1;
    } else {
      rank =
          static_cast<uint64_t>(static_cast<double>(n_) * std::pow(eta_ * u - eta_ + 1.0, alpha_));
    }
    rank = std::min(rank, n_ - 1);
    Rng scatter{rank};
    return scatter.Next() % n_;
  }

 private:
  uint64_t n_;
  double theta_;
  double zetan_ = 0, alpha_ = 0, eta_ = 0;
};

struct Mix {
  int get_pct = 0;
  int put_pct = 0;   // overwrites of existing keys
  int scan_pct = 0;  // the rest of 100 is nothing (idle)
  bool skewed = false;
  bool missing = false;
  bool new_keys = false;  // puts insert new keys (sustained-ingest)
};

const std::map<std::string, Mix>& Workloads() {
  static const auto* w = new std::map<std::string, Mix>{
      {"point-read-uniform", {100, 0, 0, false, false, false}},
      {"point-read-skewed", {100, 0, 0, true, false, false}},
      {"point-read-missing", {100, 0, 0, false, true, false}},
      {"read-heavy", {95, 5, 0, false, false, false}},
      {"balanced", {50, 50, 0, false, false, false}},
      {"update-heavy", {20, 80, 0, false, false, false}},
      {"range-scan", {0, 5, 95, false, false, false}},
      {"sustained-ingest", {0, 100, 0, false, false, true}},
      {"idle", {0, 0, 0, false, false, false}},
  };
  return *w;
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<ptrdiff_t>(i), v.end());
  return v[i];
}

struct Flags {
  std::string url;
  uint64_t latency_ms = 25;
  uint64_t keys = 100000;
  uint64_t value_size = 100;
  unsigned clients = 8;
  double seconds = 10;
  double warmup_seconds = 2;
  std::string workloads =
      "point-read-uniform,point-read-skewed,point-read-missing,read-heavy,balanced,update-heavy,"
      "range-scan,sustained-ingest,idle";
  uint64_t scan_length = 100;
  uint64_t block_cache_mib = 64;
  bool no_await_durable = false;
  uint64_t seed = 1;
  double get_price = 0.0004;  // USD per 1,000 GET-class requests
  double put_price = 0.005;   // USD per 1,000 PUT-class requests (PUT, COPY, POST, LIST)
};

struct Result {
  std::string name;
  double seconds = 0;
  uint64_t ops = 0, gets = 0, found = 0, puts = 0, scans = 0, scanned_rows = 0;
  double p50 = 0, p99 = 0, p999 = 0;              // all operations, µs
  double put_p50 = 0, put_p99 = 0, put_p999 = 0;  // puts (durable unless --no-await-durable), µs
  slatedb::RequestCounts requests;
  double usd_month = 0;
};

class Runner {
 public:
  Runner(Flags flags, std::shared_ptr<slatedb::FaultInjectingObjectStore> store)
      : f_(std::move(flags)), store_(std::move(store)), zipf_(f_.keys, 0.99) {}

  slatedb::Status Open() {
    slatedb::Components c;
    c.object_store = store_;
    c.seed = f_.seed;
    if (f_.block_cache_mib > 0) {
      slatedb::BlockCacheOptions bc;
      bc.data_capacity_bytes = f_.block_cache_mib << 20;
      auto cache = slatedb::BlockCache::Create(bc);
      if (!cache.ok()) return cache.status();
      c.block_cache = std::move(*cache);
    } else {
      c.block_cache = slatedb::BlockCache::Disabled();
    }
    auto db = slatedb::Db::Open(kPath, std::move(c), slatedb::Settings());
    if (!db.ok()) return db.status();
    db_ = std::move(*db);
    return slatedb::Status::OK();
  }
  slatedb::Status Close() { return db_ ? db_->Close() : slatedb::Status::OK(); }

  slatedb::Result<Result> Run(const std::string& name) {
    const Mix& mix = Workloads().at(name);
    RunPhase(mix, f_.warmup_seconds, nullptr);
    Result r;
    r.name = name;
    store_->ResetCounts();
    const auto start = SteadyClock::now();
    std::vector<ClientStats> stats(f_.clients);
    RunPhase(mix, f_.seconds, &stats);
    r.seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
    r.requests = store_->counts();
    std::vector<double> all, puts;
    for (ClientStats& s : stats) {
      if (!s.error.ok()) return s.error;
      r.gets += s.gets;
      r.found += s.found;
      r.puts += s.puts;
      r.scans += s.scans;
      r.scanned_rows += s.scanned_rows;
      all.insert(all.end(), s.latencies_us.begin(), s.latencies_us.end());
      puts.insert(puts.end(), s.put_latencies_us.begin(), s.put_latencies_us.end());
    }
    r.ops = r.gets + r.puts + r.scans;
    r.p50 = Percentile(all, 0.5);
    r.p99 = Percentile(all, 0.99);
    r.p999 = Percentile(all, 0.999);
    r.put_p50 = Percentile(puts, 0.5);
    r.put_p99 = Percentile(puts, 0.99);
    r.put_p999 = Percentile(puts, 0.999);
    const auto& q = r.requests;
    const double get_class = static_cast<double>(q.get + q.get_range + q.head);
    const double put_class = static_cast<double>(q.put + q.put_if_absent + q.put_if_match + q.list);
    const double month_s = 30.0 * 24 * 3600;
    r.usd_month =
        (get_class * f_.get_price + put_class * f_.put_price) / 1000.0 / r.seconds * month_s;
    return r;
  }

 private:
  struct ClientStats {
    uint64_t gets = 0, found = 0, puts = 0, scans = 0, scanned_rows = 0;
    std::vector<double> latencies_us, put_latencies_us;
    slatedb::Status error;
  };

  void RunPhase(const Mix& mix, double seconds, std::vector<ClientStats>* stats) {
    const auto deadline = SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>(
                                                   std::chrono::duration<double>(seconds));
    if (mix.get_pct + mix.put_pct + mix.scan_pct == 0) {  // idle
      std::this_thread::sleep_until(deadline);
      return;
    }
    std::vector<std::thread> threads;
    std::vector<ClientStats> scratch(f_.clients);
    std::vector<ClientStats>& out = stats != nullptr ? *stats : scratch;
    for (unsigned t = 0; t < f_.clients; ++t) {
      threads.emplace_back([&, t] { Client(mix, deadline, t, &out[t]); });
    }
    for (auto& th : threads) th.join();
  }

  void Client(const Mix& mix, SteadyClock::time_point deadline, unsigned id, ClientStats* s) {
    Rng rng{f_.seed * 1000003 + id * 7919 + (phase_++) * 104729};
    const std::string value(f_.value_size, 'v');
    slatedb::WriteOptions wo;
    wo.await_durable = !f_.no_await_durable;
    while (SteadyClock::now() < deadline) {
      const int dice = static_cast<int>(rng.Uniform(100));
      const auto start = SteadyClock::now();
      if (dice < mix.get_pct) {
        std::string key;
        if (mix.missing) {
          key = Key(rng.Next() % f_.keys) + "-absent";
        } else if (mix.skewed) {
          key = Key(zipf_.Next(rng));
        } else {
          key = Key(rng.Uniform(f_.keys));
        }
        auto got = db_->Get(key);
        if (!got.ok()) {
          s->error = got.status();
          return;
        }
        ++s->gets;
        if (got->has_value()) ++s->found;
      } else if (dice < mix.get_pct + mix.put_pct) {
        const uint64_t k = mix.new_keys ? next_new_key_.fetch_add(1) : rng.Uniform(f_.keys);
        auto put = db_->Put(Key(k), value, slatedb::PutOptions(), wo);
        if (!put.ok()) {
          s->error = put.status();
          return;
        }
        ++s->puts;
        s->put_latencies_us.push_back(
            std::chrono::duration<double, std::micro>(SteadyClock::now() - start).count());
      } else {
        slatedb::ScanRange range;
        range.start = Key(rng.Uniform(f_.keys));
        auto it = db_->Scan(range, slatedb::ScanOptions());
        if (!it.ok()) {
          s->error = it.status();
          return;
        }
        for (uint64_t n = 0; n < f_.scan_length; ++n) {
          auto row = (*it)->Next();
          if (!row.ok()) {
            s->error = row.status();
            return;
          }
          if (!row->has_value()) break;
          ++s->scanned_rows;
        }
        ++s->scans;
      }
      s->latencies_us.push_back(
          std::chrono::duration<double, std::micro>(SteadyClock::now() - start).count());
    }
  }

  const Flags f_;
  std::shared_ptr<slatedb::FaultInjectingObjectStore> store_;
  Zipfian zipf_;
  std::unique_ptr<slatedb::Db> db_;
  std::atomic<uint64_t> next_new_key_{0};
  std::atomic<uint64_t> phase_{0};
};

slatedb::Status Preload(std::shared_ptr<slatedb::ObjectStore> store, const Flags& f) {
  auto listed = store->List(std::string(kPath) + "/");
  if (!listed.ok()) return listed.status();
  for (const auto& meta : *listed) {
    if (auto st = store->Delete(meta.key); !st.ok()) return st;
  }
  slatedb::Components c;
  c.object_store = std::move(store);
  c.seed = f.seed;
  slatedb::Settings s;
  s.garbage_collector_options.reset();
  auto db = slatedb::Db::Open(kPath, std::move(c), s);
  if (!db.ok()) return db.status();
  const std::string value(f.value_size, 'v');
  slatedb::WriteOptions wo;
  wo.await_durable = false;
  for (uint64_t i = 0; i < f.keys;) {
    slatedb::WriteBatch batch;
    for (uint64_t j = 0; j < 1000 && i < f.keys; ++j, ++i) batch.Put(Key(i), value);
    if (auto w = (*db)->Write(batch, wo); !w.ok()) return w.status();
  }
  if (auto st = (*db)->Flush(slatedb::FlushType::kMemTable); !st.ok()) return st;
  return (*db)->Close();
}

}  // namespace

int main(int argc, char** argv) {
  Flags f;
  CLI::App app{"slatedb_workload_bench: SlateDB-style workloads against a slow object store"};
  app.add_option("--url", f.url, "object-store URL (file:///dir, s3://bucket/prefix, memory:///)")
      ->required();
  app.add_option("--latency-ms", f.latency_ms, "added to every object-store request");
  app.add_option("--keys", f.keys, "preloaded keys")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 32));
  app.add_option("--value-size", f.value_size, "bytes per value")
      ->check(CLI::Range(uint64_t{0}, uint64_t{1} << 24));
  app.add_option("--clients", f.clients, "closed-loop client threads")
      ->check(CLI::Range(1u, 1024u));
  app.add_option("--seconds", f.seconds, "measured seconds per workload")
      ->check(CLI::Range(0.1, 86400.0));
  app.add_option("--warmup-seconds", f.warmup_seconds, "unmeasured seconds before each workload")
      ->check(CLI::Range(0.0, 86400.0));
  app.add_option("--workloads", f.workloads, "comma-separated workload names, in order");
  app.add_option("--scan-length", f.scan_length, "rows per range scan")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 20));
  app.add_option("--block-cache-mib", f.block_cache_mib, "data block cache (0 = none)");
  app.add_flag("--no-await-durable", f.no_await_durable, "puts do not wait for durability");
  app.add_option("--seed", f.seed, "seeds the clients' key choices and the database");
  app.add_option("--get-price", f.get_price, "USD per 1,000 GET-class requests");
  app.add_option("--put-price", f.put_price, "USD per 1,000 PUT-class requests (incl. LIST)");
  CLI11_PARSE(app, argc, argv);

  std::vector<std::string> names;
  {
    std::stringstream ss(f.workloads);
    std::string w;
    while (std::getline(ss, w, ',')) {
      if (w.empty()) continue;
      if (Workloads().count(w) == 0) {
        std::string known;
        for (const auto& [k, v] : Workloads()) known += (known.empty() ? "" : ", ") + k;
        std::fprintf(stderr, "workload_bench: unknown workload '%s' in --workloads (known: %s)\n",
                     w.c_str(), known.c_str());
        return 2;
      }
      names.push_back(w);
    }
  }
  if (names.empty()) {
    std::fprintf(stderr, "workload_bench: --workloads names no workload\n");
    return 2;
  }
  auto base = slatedb::OpenObjectStore(f.url);
  if (!base.ok()) return Fail("--url " + f.url, base.status());
  if (auto st = Preload(*base, f); !st.ok()) return Fail("preloading", st);

  slatedb::FaultOptions slow;
  slow.latency = std::chrono::milliseconds(f.latency_ms);
  auto store = std::make_shared<slatedb::FaultInjectingObjectStore>(*base, slow);
  Runner runner(f, store);
  if (auto st = runner.Open(); !st.ok()) return Fail("open", st);
  std::vector<Result> results;
  for (const std::string& name : names) {
    auto r = runner.Run(name);
    if (!r.ok()) {
      (void)runner.Close();
      return Fail(name, r.status());
    }
    const auto& q = r->requests;
    std::printf(
        "{\"workload\":\"%s\",\"seconds\":%.1f,\"ops\":%" PRIu64
        ",\"ops_per_sec\":%.0f,"
        "\"gets\":%" PRIu64 ",\"found\":%" PRIu64 ",\"puts\":%" PRIu64 ",\"scans\":%" PRIu64
        ",\"scanned_rows\":%" PRIu64
        ",\"p50_us\":%.0f,\"p99_us\":%.0f,\"p999_us\":%.0f,"
        "\"put_p50_us\":%.0f,\"put_p99_us\":%.0f,\"put_p999_us\":%.0f,\"requests_per_sec\":%.2f,"
        "\"get\":%" PRIu64 ",\"get_range\":%" PRIu64 ",\"head\":%" PRIu64 ",\"list\":%" PRIu64
        ",\"put\":%" PRIu64 ",\"delete\":%" PRIu64 ",\"usd_per_month\":%.2f}\n",
        r->name.c_str(), r->seconds, r->ops, static_cast<double>(r->ops) / r->seconds, r->gets,
        r->found, r->puts, r->scans, r->scanned_rows, r->p50, r->p99, r->p999, r->put_p50,
        r->put_p99, r->put_p999, static_cast<double>(q.Total()) / r->seconds, q.get, q.get_range,
        q.head, q.list, q.put + q.put_if_absent + q.put_if_match, q.delete_, r->usd_month);
    std::fflush(stdout);
    results.push_back(std::move(*r));
  }
  if (auto st = runner.Close(); !st.ok()) return Fail("close", st);

  std::printf(
      "\n| workload | ops/s | p50 µs | p99 µs | p99.9 µs | durable put p50 / p99 µs | "
      "requests/s | USD/month |\n|---|---|---|---|---|---|---|---|\n");
  for (const Result& r : results) {
    std::string put = r.puts == 0 ? "–"
                                  : std::to_string(static_cast<int64_t>(r.put_p50)) + " / " +
                                        std::to_string(static_cast<int64_t>(r.put_p99));
    std::printf("| %s | %.0f | %.0f | %.0f | %.0f | %s | %.2f | %.2f |\n", r.name.c_str(),
                static_cast<double>(r.ops) / r.seconds, r.p50, r.p99, r.p999, put.c_str(),
                static_cast<double>(r.requests.Total()) / r.seconds, r.usd_month);
  }
  return 0;
}
