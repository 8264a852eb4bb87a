// bench/memtable_bench.cc — Google Benchmark micro benchmarks of the skiplist memtable (issue 14
// item 2): random and sequential insert of 1M 16-byte keys with 100-byte values, Get of random
// present keys, and a full forward scan; reports ns per operation and arena bytes per row.
//
// Run: build/release/bench/slatedb_memtable_bench [--benchmark_repetitions=3]. Uses only the
// public Memtable API, so the same file builds against older trees for before/after runs.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "memtable/memtable.h"
#include "util/random.h"

namespace {

using slatedb::memtable::Memtable;
using slatedb::memtable::MemtableIterator;

constexpr int kRows = 1'000'000;
constexpr size_t kValueSize = 100;

std::string Key(uint64_t i) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llu", static_cast<unsigned long long>(i));
  return std::string(buf, 16);
}

// Row indices in insert order: ascending, or a seeded shuffle.
std::vector<uint64_t> Order(bool random) {
  std::vector<uint64_t> order(kRows);
  std::iota(order.begin(), order.end(), 0);
  if (random) {
    slatedb::util::Random rnd(42);
    for (size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[rnd.Uniform(i + 1)]);
  }
  return order;
}

std::unique_ptr<Memtable> Fill(const std::vector<std::string>& keys, const std::string& value) {
  auto m = std::make_unique<Memtable>();
  uint64_t seq = 0;
  for (const std::string& k : keys) {
    if (!m->Add(k, value, ++seq).ok()) std::abort();
  }
  return m;
}

std::vector<std::string> Keys(bool random) {
  std::vector<std::string> keys;
  keys.reserve(kRows);
  for (uint64_t i : Order(random)) keys.push_back(Key(i * 7919 % 100'000'000));
  return keys;
}

void Insert(benchmark::State& state, bool random) {
  const std::vector<std::string> keys = Keys(random);
  const std::string value(kValueSize, 'v');
  double bytes_per_row = 0;
  for (auto _ : state) {
    std::unique_ptr<Memtable> m = Fill(keys, value);
    bytes_per_row = static_cast<double>(m->ApproximateBytes()) / kRows;
    state.PauseTiming();
    m.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * kRows);
  state.counters["ns_per_row"] =
      benchmark::Counter(static_cast<double>(state.iterations() * kRows),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["arena_bytes_per_row"] = bytes_per_row;
}

void BM_InsertRandom(benchmark::State& state) { Insert(state, true); }
void BM_InsertSequential(benchmark::State& state) { Insert(state, false); }

void BM_GetRandom(benchmark::State& state) {
  const std::vector<std::string> keys = Keys(true);
  const std::unique_ptr<Memtable> m = Fill(keys, std::string(kValueSize, 'v'));
  slatedb::util::Random rnd(7);
  size_t found = 0;
  for (auto _ : state) {
    found += m->Get(keys[rnd.Uniform(kRows)]).has_value() ? 1 : 0;
  }
  if (found != static_cast<size_t>(state.iterations())) state.SkipWithError("a key was not found");
  state.SetItemsProcessed(state.iterations());
}

void BM_Iterate(benchmark::State& state) {
  const std::unique_ptr<Memtable> m = Fill(Keys(true), std::string(kValueSize, 'v'));
  size_t rows = 0;
  for (auto _ : state) {
    MemtableIterator it = m->NewIterator();
    size_t bytes = 0;
    for (it.SeekToFirst(); it.Valid(); it.Next()) bytes += it.key().size() + it.value().size();
    benchmark::DoNotOptimize(bytes);
    rows += kRows;
  }
  state.SetItemsProcessed(static_cast<int64_t>(rows));
  state.counters["ns_per_row"] = benchmark::Counter(
      static_cast<double>(rows), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

BENCHMARK(BM_InsertRandom)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_InsertSequential)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_GetRandom);
BENCHMARK(BM_Iterate)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
