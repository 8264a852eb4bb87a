// slatedb_db_bench (installed in the build tree as bench/db_bench) — a driver that speaks
// RocksDB/LevelDB db_bench's language: the same benchmark names, flags and per-benchmark output
// line, over slatedb-cpp's public API only (issue 14 item 9). bench/compare_db_bench.py runs it
// beside RocksDB's db_bench and the SlateDB peer.
//
// Benchmarks (comma separated in --benchmarks, run in order on one open database):
//   fillseq, fillrandom   fresh database (refused with --use_existing_db); num writes per thread
//                         in key order / uniformly random keys, batch_size rows per write
//   overwrite             like fillrandom, on the existing database
//   readrandom            reads random keys of [0, num) per thread; reports how many were found
//   seekrandom            seeks to a random key and reads seek_nexts more rows
//   readwhilewriting      readrandom on --threads readers plus one writer of random keys that
//                         runs until the readers finish (only the readers are reported)
// Keys are the zero-padded decimal key number, key_size characters wide; values come from
// db_bench's generator (each 100-byte piece is 50 random printable bytes repeated, so they
// compress to about half). Each benchmark prints
//   name         :    X micros/op Y ops/sec Z seconds N operations;   W MB/s [(F of R found)]
// as db_bench does (micros/op: summed thread time per op; ops/sec: ops over wall time), and with
// --histogram the latency percentiles of each operation (a batch counts once).
// --write_buffer_size sets our l0_sst_size_bytes (the memtable size at which it becomes an L0);
// --max_write_buffer_number N (default 2, as db_bench's) our max_unflushed_bytes = N x that:
// writers stall once that much is not yet in L0, as RocksDB's do on N full memtables.
// --trivial_move 1 (ours only) turns on CompactorOptions::enable_trivial_move.
// --subcompactions N and --target_file_size_base B (db_bench's names) set our
// max_subcompactions and max_sst_size when > 0 (default: ours, 4 and 256 MiB).
// --cache_size is our block cache's data budget (BlockCacheOptions::data_capacity_bytes; 0 = no
// data block cache); index, filter and stats blocks go to the metadata budget (its default,
// 128 MiB), as RocksDB's db_bench keeps them outside its block cache by default.
// Flags db_bench has and we do not, unknown benchmark names and settings we cannot honour are
// errors naming them (exit 1).
// Not a test: it prints figures; bench/db_bench_smoke.py (ctest db_bench_smoke) checks its output
// shape.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "slatedb/db.h"
#include "slatedb/object_store.h"
#include "slatedb/options.h"
#include "slatedb/write_batch.h"

namespace {

using Clock = std::chrono::steady_clock;

// Our default --cache_size (RocksDB's db_bench defaults to 8 MiB; we keep the 64 MiB of before).
constexpr int64_t kDefaultCacheBytes = 64LL << 20;

struct Flags {
  std::string benchmarks = "fillseq,fillrandom,overwrite,readrandom,seekrandom,readwhilewriting";
  int64_t num = 1000000;
  int64_t reads = -1;
  int threads = 1;
  int64_t batch_size = 1;
  int key_size = 16;
  int value_size = 100;
  int seek_nexts = 0;
  int64_t cache_size = kDefaultCacheBytes;
  int bloom_bits = 10;
  std::string compression_type = "none";
  std::string db;
  bool use_existing_db = false;
  uint64_t seed = 0;
  int duration = 0;
  bool histogram = false;
  int64_t write_buffer_size = 64LL << 20;
  int64_t max_write_buffer_number = 2;  // db_bench's default
  int64_t trivial_move = 0;             // 1: CompactorOptions::enable_trivial_move (ours only)
  int64_t subcompactions = 0;           // > 0: CompactorOptions::max_subcompactions
  int64_t target_file_size_base = 0;    // > 0: CompactorOptions::max_sst_size
};

// db_bench's RandomGenerator: 1 MiB of data built from 100-byte pieces of which half is random
// printable bytes, the rest a repetition of it (compression ratio 0.5).
class ValueGenerator {
 public:
  explicit ValueGenerator(uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int> printable(' ', '~');
    while (data_.size() < (1u << 20)) {
      std::string raw(50, ' ');
      for (char& c : raw) c = static_cast<char>(printable(rng));
      std::string piece;
      while (piece.size() < 100) piece += raw;
      piece.resize(100);
      data_ += piece;
    }
  }
  std::string_view Next(size_t len) {
    if (pos_ + len > data_.size()) pos_ = 0;
    pos_ += len;
    return std::string_view(data_).substr(pos_ - len, len);
  }

 private:
  std::string data_;
  size_t pos_ = 0;
};

// `n` in decimal, zero-padded to `width` digits (what printf's "%0*lld" gives for n >= 0), into
// `*key` (its capacity reused: RocksDB's db_bench also formats keys into one buffer per thread).
void KeyInto(int64_t n, int width, std::string* key) {
  char digits[24];
  int len = 0;
  auto v = static_cast<uint64_t>(n);
  do {
    digits[len++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  key->assign(static_cast<size_t>(std::max(width - len, 0)), '0');
  while (len > 0) key->push_back(digits[--len]);
}

struct ThreadStats {
  int64_t done = 0;
  int64_t bytes = 0;
  int64_t found = 0;
  double seconds = 0;
  Clock::time_point start, finish;
  std::vector<double> micros;  // per operation, only with --histogram
  std::string error;
};

class Bench {
 public:
  explicit Bench(Flags f) : f_(std::move(f)) {}

  int Run() {
    std::vector<std::string> names;
    std::stringstream ss(f_.benchmarks);
    for (std::string name; std::getline(ss, name, ',');) {
      if (name.empty()) continue;
      if (!IsKnown(name)) return Fail("unknown benchmark '" + name + "' in --benchmarks");
      if (f_.use_existing_db && IsFresh(name)) {
        return Fail("--use_existing_db conflicts with benchmark '" + name +
                    "' (it starts from a fresh database)");
      }
      names.push_back(name);
    }
    if (names.empty()) return Fail("--benchmarks names no benchmark");
    PrintHeader();
    if (!f_.use_existing_db && !IsFresh(names.front())) {
      // db_bench starts from a fresh database unless told otherwise.
      if (int rc = Wipe(); rc != 0) return rc;
    }
    for (const std::string& name : names) {
      if (IsFresh(name)) {
        if (int rc = CloseDb(); rc != 0) return rc;
        if (int rc = Wipe(); rc != 0) return rc;
      }
      if (!db_) {
        if (int rc = OpenDb(); rc != 0) return rc;
      }
      if (int rc = RunOne(name); rc != 0) return rc;
    }
    return CloseDb();
  }

  // Maps --compression_type to our codec; false for a name we do not know.
  bool SetCodec() {
    const std::string& c = f_.compression_type;
    if (c == "none") {
      codec_ = slatedb::CompressionCodec::kNone;
    } else if (c == "snappy") {
      codec_ = slatedb::CompressionCodec::kSnappy;
    } else if (c == "zstd") {
      codec_ = slatedb::CompressionCodec::kZstd;
    } else if (c == "lz4") {
      codec_ = slatedb::CompressionCodec::kLz4;
    } else if (c == "zlib") {
      codec_ = slatedb::CompressionCodec::kZlib;
    } else {
      return false;
    }
    return true;
  }

 private:
  static bool IsKnown(const std::string& n) {
    return n == "fillseq" || n == "fillrandom" || n == "overwrite" || n == "readrandom" ||
           n == "seekrandom" || n == "readwhilewriting" || n == "flush" ||
           n == "waitforcompaction" || n == "compact";
  }

  // flush: the memtable becomes an L0 SST. waitforcompaction: that, then waits until the embedded
  // compactor has left no L0 SST, or until L0 and the sorted runs have not changed for three
  // compactor poll intervals (a run with waitforcompaction sets min_compaction_sources to 2, so
  // at most one L0 SST can be left); says on stderr what is left.
  // compact (RocksDB's name: its CompactRange over every key): Db::SubmitFullCompaction, then
  // waits until no L0 SST and at most one sorted run are left (fails after 10 minutes).
  // None prints a result line (as in db_bench).
  int CompactAll() {
    auto ids = db_->SubmitFullCompaction();
    if (!ids.ok()) return Fail("compact: " + ids.status().ToString());
    const auto give_up = Clock::now() + std::chrono::minutes(10);
    while (true) {
      auto info = db_->GetStatus();
      if (!info.ok()) return Fail("compact: " + info.status().ToString());
      if (info->l0_ssts == 0 && info->sorted_runs <= 1) return 0;
      if (Clock::now() > give_up) {
        return Fail("compact: " + std::to_string(info->l0_ssts) + " L0 SSTs and " +
                    std::to_string(info->sorted_runs) + " sorted runs still left after 10 minutes");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  int FlushAndWait(bool wait) {
    slatedb::Status st = db_->Flush(slatedb::FlushType::kMemTable);
    if (!st.ok()) return Fail("flush: " + st.ToString());
    if (!wait) return 0;
    const auto quiet_for = std::chrono::seconds(16);
    size_t l0 = SIZE_MAX, runs = SIZE_MAX;
    auto since = Clock::now();
    while (true) {
      auto info = db_->GetStatus();
      if (!info.ok()) return Fail("waitforcompaction: " + info.status().ToString());
      if (info->l0_ssts == 0 || Clock::now() - since > quiet_for) {
        std::fprintf(stderr, "waitforcompaction: %zu L0 SSTs and %zu sorted runs left\n",
                     info->l0_ssts, info->sorted_runs);
        return 0;
      }
      if (info->l0_ssts != l0 || info->sorted_runs != runs) {
        l0 = info->l0_ssts;
        runs = info->sorted_runs;
        since = Clock::now();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  static bool IsFresh(const std::string& n) { return n == "fillseq" || n == "fillrandom"; }

  static int Fail(const std::string& msg) {
    std::fprintf(stderr, "db_bench: %s\n", msg.c_str());
    return 1;
  }

  bool IsUrl() const { return f_.db.find("://") != std::string::npos; }

  void PrintHeader() const {
    std::printf("Keys:       %d bytes each\n", f_.key_size);
    std::printf("Values:     %d bytes each (%d bytes after compression)\n", f_.value_size,
                f_.value_size / 2);
    std::printf("Entries:    %" PRId64 "\n", f_.num);
    std::printf("Compression: %s\n", f_.compression_type.c_str());
    std::printf("DB path: [%s]\n", f_.db.c_str());
    std::printf("------------------------------------------------\n");
    std::fflush(stdout);
  }

  slatedb::Result<std::shared_ptr<slatedb::ObjectStore>> Store() const {
    if (IsUrl()) return slatedb::OpenObjectStore(f_.db);
    return slatedb::NewLocalObjectStore(std::filesystem::absolute(f_.db).string());
  }
  std::string DbPath() const { return IsUrl() ? "db_bench" : "db"; }

  int Wipe() {
    if (!IsUrl()) {
      std::error_code ec;
      std::filesystem::remove_all(f_.db, ec);
      if (ec) return Fail("cannot remove --db=" + f_.db + ": " + ec.message());
      return 0;
    }
    auto store = Store();
    if (!store.ok()) return Fail("--db=" + f_.db + ": " + store.status().ToString());
    auto listed = (*store)->List(DbPath() + "/");
    if (!listed.ok()) return Fail("listing --db=" + f_.db + ": " + listed.status().ToString());
    for (const auto& meta : *listed) {
      slatedb::Status s = (*store)->Delete(meta.key);
      if (!s.ok()) return Fail("deleting " + meta.key + ": " + s.ToString());
    }
    return 0;
  }

  int OpenDb() {
    auto store = Store();
    if (!store.ok()) return Fail("--db=" + f_.db + ": " + store.status().ToString());
    slatedb::Components components;
    components.object_store = *store;
    components.seed = f_.seed + 1;
    slatedb::BlockCacheOptions cache;
    cache.data_capacity_bytes = static_cast<uint64_t>(f_.cache_size);
    auto block_cache = slatedb::BlockCache::Create(cache);
    if (!block_cache.ok()) return Fail("--cache_size: " + block_cache.status().ToString());
    components.block_cache = *block_cache;
    slatedb::Settings settings;
    if (f_.bloom_bits <= 0) {
      settings.min_filter_keys = UINT32_MAX;  // no SST gets a filter
    } else {
      settings.filter_bits_per_key = static_cast<uint32_t>(f_.bloom_bits);
    }
    settings.compression_codec = codec_;
    settings.l0_sst_size_bytes = static_cast<uint64_t>(f_.write_buffer_size);
    // RocksDB stalls writers once max_write_buffer_number memtables are full; our bound on the
    // memtables not yet in L0 is max_unflushed_bytes.
    settings.max_unflushed_bytes = static_cast<uint64_t>(f_.write_buffer_size) *
                                   static_cast<uint64_t>(f_.max_write_buffer_number);
    if (f_.trivial_move == 1 && settings.compactor_options) {
      settings.compactor_options->enable_trivial_move = true;
    }
    if ((f_.subcompactions > 0 || f_.target_file_size_base > 0) && !settings.compactor_options) {
      return Fail("--subcompactions / --target_file_size_base need the embedded compactor");
    }
    if (f_.subcompactions > 0) {
      settings.compactor_options->max_subcompactions = static_cast<uint64_t>(f_.subcompactions);
    }
    if (f_.target_file_size_base > 0) {
      settings.compactor_options->max_sst_size = static_cast<uint64_t>(f_.target_file_size_base);
    }
    if (f_.benchmarks.find("waitforcompaction") != std::string::npos &&
        settings.compactor_options) {
      // Compact any two L0 SSTs, so that waiting leaves (almost) no L0.
      settings.compactor_options->scheduler_options["min_compaction_sources"] = "2";
    }
    auto db = slatedb::Db::Open(DbPath(), components, settings);
    if (!db.ok()) return Fail("opening --db=" + f_.db + ": " + db.status().ToString());
    db_ = std::move(*db);
    return 0;
  }

  int CloseDb() {
    if (!db_) return 0;
    slatedb::Status s = db_->Close();
    db_.reset();
    if (!s.ok()) return Fail("closing the database: " + s.ToString());
    return 0;
  }

  // How long one thread's operation loop runs: num ops, or --duration seconds if given.
  struct Budget {
    int64_t max_ops;
    int duration;
    Clock::time_point start = Clock::now();
    bool Done(int64_t done) const {
      if (duration > 0) return Clock::now() - start >= std::chrono::seconds(duration);
      return done >= max_ops;
    }
  };

  void Finished(ThreadStats& st, Clock::time_point op_start, int64_t ops) const {
    st.done += ops;
    if (f_.histogram) {
      st.micros.push_back(
          std::chrono::duration<double, std::micro>(Clock::now() - op_start).count());
    }
  }

  void DoWrite(ThreadStats& st, int tid, bool seq, const std::atomic<bool>* stop) {
    std::mt19937_64 rng(f_.seed + 1000 + static_cast<uint64_t>(tid));
    std::uniform_int_distribution<int64_t> key_dist(0, f_.num - 1);
    ValueGenerator values(f_.seed + 2000 + static_cast<uint64_t>(tid));
    Budget budget{f_.num, stop ? 0 : f_.duration};
    slatedb::WriteBatch batch;
    std::string key;
    int64_t next_seq = 0;
    while (stop ? !stop->load(std::memory_order_relaxed) : !budget.Done(st.done)) {
      auto op_start = Clock::now();
      batch.Clear();
      for (int64_t j = 0; j < f_.batch_size; j++) {
        int64_t k = seq ? next_seq++ % f_.num : key_dist(rng);
        KeyInto(k, f_.key_size, &key);
        batch.Put(key, values.Next(static_cast<size_t>(f_.value_size)));
        st.bytes += f_.key_size + f_.value_size;
      }
      slatedb::Status s = f_.batch_size == 1
                              ? db_->Put(batch.ops()[0].key, batch.ops()[0].value).status()
                              : db_->Write(batch).status();
      if (!s.ok()) {
        st.error = "write: " + s.ToString();
        return;
      }
      Finished(st, op_start, f_.batch_size);
    }
  }

  void DoReadRandom(ThreadStats& st, int tid) {
    std::mt19937_64 rng(f_.seed + 3000 + static_cast<uint64_t>(tid));
    std::uniform_int_distribution<int64_t> key_dist(0, f_.num - 1);
    Budget budget{reads(), f_.duration};
    std::string key;
    while (!budget.Done(st.done)) {
      auto op_start = Clock::now();
      KeyInto(key_dist(rng), f_.key_size, &key);
      auto got = db_->Get(key);
      if (!got.ok()) {
        st.error = "get: " + got.status().ToString();
        return;
      }
      if (got->has_value()) {
        st.found++;
        st.bytes += f_.key_size + static_cast<int64_t>((*got)->size());
      }
      Finished(st, op_start, 1);
    }
  }

  void DoSeekRandom(ThreadStats& st, int tid) {
    std::mt19937_64 rng(f_.seed + 4000 + static_cast<uint64_t>(tid));
    std::uniform_int_distribution<int64_t> key_dist(0, f_.num - 1);
    Budget budget{reads(), f_.duration};
    auto it = db_->Scan(slatedb::ScanRange{});
    if (!it.ok()) {
      st.error = "scan: " + it.status().ToString();
      return;
    }
    slatedb::KeyValue row;
    std::string key;
    while (!budget.Done(st.done)) {
      auto op_start = Clock::now();
      KeyInto(key_dist(rng), f_.key_size, &key);
      slatedb::Status s = (*it)->Seek(key);
      if (!s.ok()) {
        st.error = "seek: " + s.ToString();
        return;
      }
      for (int j = 0; j <= f_.seek_nexts; j++) {
        auto more = (*it)->NextInto(&row);  // reuses row's strings, as db_bench reads Slices
        if (!more.ok()) {
          st.error = "next: " + more.status().ToString();
          return;
        }
        if (!*more) break;
        if (j == 0 && row.key == key) st.found++;
        st.bytes += static_cast<int64_t>(row.key.size() + row.value.size());
      }
      Finished(st, op_start, 1);
    }
  }

  int64_t reads() const { return f_.reads < 0 ? f_.num : f_.reads; }

  int RunOne(const std::string& name) {
    if (name == "compact") return CompactAll();
    if (name == "flush" || name == "waitforcompaction") {
      return FlushAndWait(name == "waitforcompaction");
    }
    std::vector<ThreadStats> stats(static_cast<size_t>(f_.threads));
    std::vector<std::thread> threads;
    std::atomic<bool> stop{false};
    ThreadStats writer_stats;
    std::thread writer;
    if (name == "readwhilewriting") {
      writer = std::thread([&] { DoWrite(writer_stats, f_.threads, false, &stop); });
    }
    for (int t = 0; t < f_.threads; t++) {
      threads.emplace_back([&, t] {
        ThreadStats& st = stats[static_cast<size_t>(t)];
        st.start = Clock::now();
        if (name == "fillseq") {
          DoWrite(st, t, true, nullptr);
        } else if (name == "fillrandom" || name == "overwrite") {
          DoWrite(st, t, false, nullptr);
        } else if (name == "seekrandom") {
          DoSeekRandom(st, t);
        } else {
          DoReadRandom(st, t);  // readrandom, readwhilewriting
        }
        st.finish = Clock::now();
        st.seconds = std::chrono::duration<double>(st.finish - st.start).count();
      });
    }
    for (auto& t : threads) t.join();
    stop = true;
    if (writer.joinable()) writer.join();
    if (!writer_stats.error.empty()) return Fail(name + " writer: " + writer_stats.error);
    ThreadStats total;
    total.start = stats[0].start;
    total.finish = stats[0].finish;
    for (auto& st : stats) {
      if (!st.error.empty()) return Fail(name + ": " + st.error);
      total.done += st.done;
      total.bytes += st.bytes;
      total.found += st.found;
      total.seconds += st.seconds;
      total.start = std::min(total.start, st.start);
      total.finish = std::max(total.finish, st.finish);
      total.micros.insert(total.micros.end(), st.micros.begin(), st.micros.end());
    }
    Report(name, total);
    return 0;
  }

  void Report(const std::string& name, ThreadStats& t) const {
    double elapsed = std::chrono::duration<double>(t.finish - t.start).count();
    int64_t done = std::max<int64_t>(t.done, 1);
    std::string extra;
    char buf[200];
    if (t.bytes > 0) {
      std::snprintf(buf, sizeof(buf), "%6.1f MB/s", (t.bytes / 1048576.0) / elapsed);
      extra = buf;
    }
    bool reading = name == "readrandom" || name == "seekrandom" || name == "readwhilewriting";
    if (reading) {
      std::snprintf(buf, sizeof(buf), "(%" PRId64 " of %" PRId64 " found)", t.found, t.done);
      extra += (extra.empty() ? "" : " ") + std::string(buf);
    }
    std::printf("%-12s : %11.3f micros/op %ld ops/sec %.3f seconds %" PRId64 " operations;%s%s\n",
                name.c_str(), t.seconds * 1e6 / static_cast<double>(done),
                static_cast<long>(static_cast<double>(t.done) / elapsed), elapsed, t.done,
                extra.empty() ? "" : " ", extra.c_str());
    if (f_.histogram && !t.micros.empty()) {
      std::vector<double>& m = t.micros;
      std::sort(m.begin(), m.end());
      double sum = 0, sq = 0;
      for (double v : m) {
        sum += v;
        sq += v * v;
      }
      double n = static_cast<double>(m.size());
      double avg = sum / n;
      auto pct = [&](double p) {
        size_t i = static_cast<size_t>(std::ceil(p / 100.0 * n)) - 1;
        return m[std::min(i, m.size() - 1)];
      };
      std::printf("Microseconds per %s:\n", reading ? "read" : "write");
      std::printf("Count: %zu Average: %.4f  StdDev: %.2f\n", m.size(), avg,
                  std::sqrt(std::max(0.0, sq / n - avg * avg)));
      std::printf("Min: %.0f  Median: %.4f  Max: %.0f\n", m.front(), pct(50), m.back());
      std::printf("Percentiles: P50: %.2f P75: %.2f P99: %.2f P99.9: %.2f P99.99: %.2f\n", pct(50),
                  pct(75), pct(99), pct(99.9), pct(99.99));
      std::printf("------------------------------------------------------\n");
    }
    std::fflush(stdout);
  }

  Flags f_;
  slatedb::CompressionCodec codec_ = slatedb::CompressionCodec::kNone;
  std::unique_ptr<slatedb::Db> db_;
};

}  // namespace

int main(int argc, char** argv) {
  Flags f;
  f.db = "/tmp/slatedb-dbbench";
  CLI::App app{"db_bench-compatible benchmark driver for slatedb-cpp"};
  app.add_option("--benchmarks", f.benchmarks,
                 "comma-separated: fillseq,fillrandom,overwrite,readrandom,seekrandom,"
                 "readwhilewriting");
  app.add_option("--num", f.num, "number of keys (key space [0, num)); writes per thread")
      ->check(CLI::Range(int64_t{1}, int64_t{1000000000000}));
  app.add_option("--reads", f.reads, "reads per thread; < 0 = --num");
  app.add_option("--threads", f.threads, "concurrent threads")->check(CLI::Range(1, 1024));
  app.add_option("--batch_size", f.batch_size, "rows per write")
      ->check(CLI::Range(int64_t{1}, int64_t{1000000}));
  app.add_option("--key_size", f.key_size, "key width in characters")->check(CLI::Range(1, 65535));
  app.add_option("--value_size", f.value_size, "value size in bytes")
      ->check(CLI::Range(0, 1 << 26));
  app.add_option("--seek_nexts", f.seek_nexts, "rows read after each seek (seekrandom)")
      ->check(CLI::Range(0, 1000000));
  app.add_option("--cache_size", f.cache_size,
                 "block cache bytes for data blocks (0 = none; index/filter blocks have their own "
                 "128 MiB budget)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 50));
  app.add_option("--bloom_bits", f.bloom_bits, "bloom filter bits per key; <= 0 = no filter")
      ->check(CLI::Range(-1, 64));
  app.add_option("--compression_type", f.compression_type, "none|snappy|zstd|lz4|zlib");
  app.add_option("--db", f.db, "local directory or object-store URL (memory:///, file://, s3://)");
  app.add_flag("--use_existing_db", f.use_existing_db, "do not start from a fresh database");
  app.add_option("--seed", f.seed, "seed of the key and value generators");
  app.add_option("--duration", f.duration, "seconds each benchmark runs (0 = --num/--reads ops)")
      ->check(CLI::Range(0, 86400 * 365));
  app.add_flag("--histogram", f.histogram, "print latency percentiles per benchmark");
  app.add_option("--write_buffer_size", f.write_buffer_size,
                 "memtable bytes before it is flushed as an L0 SST (our l0_sst_size_bytes)")
      ->check(CLI::Range(int64_t{1024}, int64_t{4294967296}));
  app.add_option("--max_write_buffer_number", f.max_write_buffer_number,
                 "memtables (of --write_buffer_size) not yet in L0 before writers stall (our "
                 "max_unflushed_bytes = N x write_buffer_size)")
      ->check(CLI::Range(int64_t{1}, int64_t{1024}));
  app.add_option("--trivial_move", f.trivial_move,
                 "1: the embedded compactor relinks disjoint L0s without rewriting them "
                 "(CompactorOptions::enable_trivial_move; RocksDB's level compaction does that by "
                 "default); 0 (default): our default, every compaction rewrites")
      ->check(CLI::Range(int64_t{0}, int64_t{1}));
  app.add_option("--subcompactions", f.subcompactions,
                 "ranges one compaction is split into, run in parallel (our max_subcompactions; "
                 "default 0: ours, 4; RocksDB's db_bench default is 1)")
      ->check(CLI::Range(int64_t{0}, int64_t{1024}));
  app.add_option("--target_file_size_base", f.target_file_size_base,
                 "bytes at which compaction outputs are rolled (our max_sst_size; default 0: "
                 "ours, 256 MiB; RocksDB's default is 64 MiB)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (f.num > 1 && std::to_string(f.num - 1).size() > static_cast<size_t>(f.key_size)) {
    std::fprintf(stderr, "db_bench: --key_size=%d is too small for --num=%" PRId64 "\n", f.key_size,
                 f.num);
    return 1;
  }
  Bench bench(f);
  if (!bench.SetCodec()) {
    std::fprintf(stderr, "db_bench: unknown --compression_type=%s (none|snappy|zstd|lz4|zlib)\n",
                 f.compression_type.c_str());
    return 1;
  }
  return bench.Run();
}
