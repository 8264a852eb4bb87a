// bench/compaction_bench.cc — compaction throughput and write amplification (issue 4).
//
// Measures, on one local directory (the same disk for every figure):
//   1. raw sequential write speed: write + fsync of one file as large as the compaction input;
//   2. compaction throughput: one full merge of `--l0s` L0 SSTs (random keys, so every output
//      SST takes rows from every input) into the bottom run, through the local object store,
//      reported as input MB/s, output MB/s and output MB/s ÷ raw write MB/s;
//   3. write amplification after loading `--keys` keys: L0 SSTs of `--l0-bytes` are written and
//      published like the writer does (with l0_max_ssts back-pressure) while a Compactor with
//      the default scheduler (4..8 sources, threshold 4.0) runs; WA = (L0 bytes + compaction
//      output bytes) / user bytes (keys + values). The WAL is not part of this figure (the
//      writer writes every byte once to the WAL in addition).
// Prints human-readable lines and a final JSON line.
// Usage: slatedb_compaction_bench [--dir DIR] [--keys N] [--value-size B] [--l0-bytes B]
//        [--l0s N] [--max-sst-size B] [--seed S] [--load 0|1] [--max-subcompactions N]
//        [--max-fetch-tasks N] [--trivial-move 0|1] [--disjoint 0|1]
// --max-subcompactions / --trivial-move: CompactorOptions' settings for the merge of phase 2
// (phase 3 uses them too); --disjoint 1 gives every L0 of phase 2 its own key range (L0 i holds
// keys of [i, i + 1) × keys / l0s), the case a trivial move applies to.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "compactor/compactor.h"
#include "compactor/executor.h"
#include "format/sst.h"
#include "manifest/manifest_store.h"
#include "manifest/paths.h"
#include "manifest/stored_manifest.h"
#include "slatedb/object_store.h"
#include "table/table_store.h"
#include "util/clock.h"
#include "util/random.h"

namespace slatedb::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  std::string dir;
  uint64_t keys = 1000000;
  uint64_t value_size = 100;
  uint64_t l0_bytes = 4 << 20;
  uint64_t l0s = 8;
  uint64_t max_sst_size = 64 << 20;
  uint64_t seed = 1;
  bool load = true;  // --load 0 skips the write-amplification phase
  uint64_t max_subcompactions = 4;
  uint64_t max_fetch_tasks = 1;
  bool trivial_move = false;
  bool disjoint = false;
};

double Seconds(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}
double Mb(uint64_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

[[noreturn]] void Die(const std::string& what, const Status& st) {
  std::fprintf(stderr, "error: %s: %s\n", what.c_str(), st.ToString().c_str());
  std::exit(1);
}

// Write + fsync `bytes` to a new file in `dir`, 1 MiB at a time; MB/s.
double RawWriteSpeed(const std::string& dir, uint64_t bytes) {
  std::string path = dir + "/raw-write-test.bin";
  std::string chunk(1 << 20, '\0');
  util::Random rng(7);
  for (size_t i = 0; i + 8 <= chunk.size(); i += 8) {
    uint64_t v = rng.Next64();
    std::memcpy(&chunk[i], &v, 8);
  }
  int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0644);
  if (fd < 0) Die("open " + path, Status::Internal(std::strerror(errno)));
  auto t0 = Clock::now();
  uint64_t written = 0;
  while (written < bytes) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(chunk.size(), bytes - written));
    ssize_t w = ::write(fd, chunk.data(), n);
    if (w <= 0) Die("write " + path, Status::Internal(std::strerror(errno)));
    written += static_cast<uint64_t>(w);
  }
  ::fsync(fd);
  double secs = Seconds(t0);
  ::close(fd);
  std::filesystem::remove(path);
  return Mb(written) / secs;
}

std::string KeyOf(uint64_t i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "key%016llu", static_cast<unsigned long long>(i));
  return buf;
}

std::string ValueOf(util::Random& rng, uint64_t size) {
  std::string v(size, '\0');
  for (auto& c : v) c = static_cast<char>('a' + rng.Uniform(26));
  return v;
}

// Builds L0 SSTs of random keys the way the memtable flusher would.
class L0Writer {
 public:
  L0Writer(std::shared_ptr<ObjectStore> store, std::string path, const Args& args)
      : store_(std::move(store)),
        path_(std::move(path)),
        args_(args),
        rng_(args.seed),
        ulids_(args.seed) {}

  // Next L0 (rows with random keys of [base, base + key_space)) uploaded; not yet published.
  format::SstHandle Build(uint64_t key_space, uint64_t base = 0) {
    std::map<std::string, format::RowEntry> memtable;
    uint64_t bytes = 0;
    while (bytes < args_.l0_bytes) {
      format::RowEntry r;
      r.key = KeyOf(base + rng_.Uniform(key_space));
      r.value = ValueOf(rng_, args_.value_size);
      r.seq = ++seq_;
      r.create_ts = 1;
      bytes += r.key.size() + r.value.size() + 16;
      user_bytes_ += r.key.size() + r.value.size();
      memtable[r.key] = std::move(r);
    }
    std::vector<format::RowEntry> rows;
    rows.reserve(memtable.size());
    for (auto& [k, r] : memtable) rows.push_back(std::move(r));
    format::SstHandle h;
    h.id = ulids_.Next(util::SystemClock::Default()->NowMillis());
    h.format_version = format::kSstFormatVersion;
    auto sst = table::TableStore(store_, path_).WriteRows(h.id, rows, format::SstBuilderOptions{});
    if (!sst.ok()) Die("write L0", sst.status());
    h.info = sst->info;
    l0_bytes_ += sst->size;
    return h;
  }

  void Publish(manifest::StoredManifest& sm, const format::SstHandle& h) {
    uint64_t last = seq_;
    Status st = sm.Update([&](format::Manifest& m) {
      m.l0.insert(m.l0.begin(), h);
      m.last_l0_seq = last;
      m.recent_snapshot_min_seq = last;
      m.last_l0_clock_tick = 1;
      return Status::OK();
    });
    if (!st.ok()) Die("publish L0", st);
  }

  uint64_t user_bytes() const { return user_bytes_; }
  uint64_t l0_bytes() const { return l0_bytes_; }
  uint64_t seq() const { return seq_; }

 private:
  std::shared_ptr<ObjectStore> store_;
  std::string path_;
  Args args_;
  util::Random rng_;
  format::UlidGenerator ulids_;
  uint64_t seq_ = 0;
  uint64_t user_bytes_ = 0;
  uint64_t l0_bytes_ = 0;
};

int Main(int argc, char** argv) {
  Args args;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--dir")
      args.dir = v;
    else if (k == "--keys")
      args.keys = std::stoull(v);
    else if (k == "--value-size")
      args.value_size = std::stoull(v);
    else if (k == "--l0-bytes")
      args.l0_bytes = std::stoull(v);
    else if (k == "--l0s")
      args.l0s = std::stoull(v);
    else if (k == "--max-sst-size")
      args.max_sst_size = std::stoull(v);
    else if (k == "--seed")
      args.seed = std::stoull(v);
    else if (k == "--load")
      args.load = v != "0";
    else if (k == "--max-subcompactions")
      args.max_subcompactions = std::stoull(v);
    else if (k == "--max-fetch-tasks")
      args.max_fetch_tasks = std::stoull(v);
    else if (k == "--trivial-move")
      args.trivial_move = v != "0";
    else if (k == "--disjoint")
      args.disjoint = v != "0";
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      return 2;
    }
  }
  bool own_dir = args.dir.empty();
  if (own_dir) {
    args.dir = (std::filesystem::temp_directory_path() / "slatedb-compaction-bench").string();
    std::filesystem::remove_all(args.dir);
  }
  std::filesystem::create_directories(args.dir);
  auto opened = NewLocalObjectStore(args.dir);
  if (!opened.ok()) Die("open store", opened.status());
  std::shared_ptr<ObjectStore> store = *opened;

  // ---- 2. One full compaction of `l0s` L0 SSTs into the bottom run. ----
  compactor::CompactionJob job;
  {
    L0Writer w(store, "tput", args);
    const uint64_t span = args.disjoint ? std::max<uint64_t>(1, args.keys / args.l0s) : args.keys;
    for (uint64_t i = 0; i < args.l0s; ++i) {
      job.l0.insert(job.l0.begin(), w.Build(span, args.disjoint ? i * span : 0));
    }
  }
  job.output_is_bottom = true;
  job.retention_min_seq = UINT64_MAX;
  uint64_t input_bytes = 0;
  for (const auto& h : job.l0) input_bytes += compactor::SstSize(h.info);

  // ---- 1. Raw sequential write speed of the same disk, same size. ----
  double raw_mbps = RawWriteSpeed(args.dir, input_bytes);

  compactor::ExecutorContext ctx;
  ctx.store = store;
  ctx.db_path = "tput";
  ctx.output.max_sst_size = args.max_sst_size;
  ctx.clock = util::SystemClock::Default();
  ctx.ulids = std::make_shared<format::UlidGenerator>(args.seed + 1);
  ctx.max_subcompactions = args.max_subcompactions;
  ctx.max_fetch_tasks = args.max_fetch_tasks;
  ctx.enable_trivial_move = args.trivial_move;
  std::atomic<bool> no_cancel{false};
  auto cpu0 = std::clock();
  auto t0 = Clock::now();
  auto result = compactor::RunCompaction(job, ctx, no_cancel);
  // SLATEDB_BENCH_PROFILE=N repeats the merge N more times (for profilers; not timed).
  for (int r = std::getenv("SLATEDB_BENCH_PROFILE")
                   ? std::atoi(std::getenv("SLATEDB_BENCH_PROFILE"))
                   : 0;
       r > 0; --r) {
    (void)compactor::RunCompaction(job, ctx, no_cancel);
  }
  double secs = Seconds(t0);
  double cpu_secs = static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC;
  if (!result.status.ok()) Die("compaction", result.status);
  double in_mbps = Mb(input_bytes) / secs;
  double out_mbps = Mb(result.bytes_written) / secs;
  std::printf("raw sequential write (write+fsync %.1f MB): %.1f MB/s\n", Mb(input_bytes), raw_mbps);
  std::printf(
      "compaction of %llu L0 SSTs: %.1f MB in, %.1f MB out (%llu SSTs) in %.2f s: "
      "%.1f MB/s in, %.1f MB/s out = %.0f%% of raw write speed (CPU %.2f s; %zu subcompactions "
      "of max %llu%s)\n",
      static_cast<unsigned long long>(args.l0s), Mb(input_bytes), Mb(result.bytes_written),
      static_cast<unsigned long long>(result.outputs.size()), secs, in_mbps, out_mbps,
      100.0 * out_mbps / raw_mbps, cpu_secs, result.subcompactions.size(),
      static_cast<unsigned long long>(args.max_subcompactions),
      result.trivial_move ? "; trivial move: nothing read or written" : "");

  if (!args.load) {
    if (own_dir) std::filesystem::remove_all(args.dir);
    return 0;
  }
  // ---- 3. Write amplification after loading `keys` keys with the compactor running. ----
  auto ms = std::make_shared<manifest::ManifestStore>(store, "wa");
  auto sm = manifest::StoredManifest::LoadOrCreate(ms);
  if (!sm.ok()) Die("create db", sm.status());
  CompactorOptions copts;
  copts.poll_interval = std::chrono::milliseconds(50);
  copts.max_sst_size = args.max_sst_size;
  copts.max_subcompactions = args.max_subcompactions;
  copts.enable_trivial_move = args.trivial_move;
  auto comp = compactor::Compactor::Open(store, "wa", copts, compactor::OutputSettings{}, nullptr,
                                         args.seed + 2);
  if (!comp.ok()) Die("compactor", comp.status());
  if (Status st = (*comp)->Start(); !st.ok()) Die("compactor start", st);
  Args load_args = args;
  L0Writer loader(store, "wa", load_args);
  auto load_t0 = Clock::now();
  // Keys: one write per key of a key space of `keys` (random order, ~37% overwrites as fill).
  uint64_t rows_per_l0 = args.l0_bytes / (26 + args.value_size + 16);
  uint64_t l0_count = (args.keys + rows_per_l0 - 1) / rows_per_l0;
  for (uint64_t i = 0; i < l0_count; ++i) {
    // l0_max_ssts (8) back-pressure, as the writer applies it.
    while (true) {
      if (Status st = sm->Refresh(); !st.ok()) Die("refresh", st);
      if (sm->manifest().l0.size() < 8) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    auto h = loader.Build(args.keys);
    loader.Publish(*sm, h);
    (*comp)->Notify();
  }
  // Let compaction settle: fewer than min_compaction_sources L0s and nothing running.
  while (true) {
    if (Status st = sm->Refresh(); !st.ok()) Die("refresh", st);
    if (sm->manifest().l0.size() < 4 && (*comp)->stats().running == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  double load_secs = Seconds(load_t0);
  if (Status st = (*comp)->Stop(); !st.ok()) Die("compactor stop", st);
  auto cs = (*comp)->stats();
  double wa = static_cast<double>(loader.l0_bytes() + cs.bytes_written) /
              static_cast<double>(loader.user_bytes());
  std::printf(
      "load of %llu writes (%.1f MB user data) in %.1f s: %llu L0 SSTs (%.1f MB), "
      "%llu compactions wrote %.1f MB; write amplification %.2f (L0 + compaction, WAL "
      "excluded); runs at the end: %zu\n",
      static_cast<unsigned long long>(loader.seq()), Mb(loader.user_bytes()), load_secs,
      static_cast<unsigned long long>(l0_count), Mb(loader.l0_bytes()),
      static_cast<unsigned long long>(cs.committed), Mb(cs.bytes_written), wa,
      sm->manifest().compacted.size());
  std::printf(
      "{\"raw_write_mbps\":%.1f,\"compaction_in_mbps\":%.1f,\"compaction_out_mbps\":%.1f,"
      "\"compaction_vs_raw\":%.3f,\"write_amplification\":%.3f,\"writes\":%llu,"
      "\"compactions\":%llu}\n",
      raw_mbps, in_mbps, out_mbps, out_mbps / raw_mbps, wa,
      static_cast<unsigned long long>(loader.seq()), static_cast<unsigned long long>(cs.committed));
  if (own_dir) std::filesystem::remove_all(args.dir);
  return 0;
}

}  // namespace
}  // namespace slatedb::bench

int main(int argc, char** argv) { return slatedb::bench::Main(argc, argv); }
