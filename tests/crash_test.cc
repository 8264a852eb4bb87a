// SIGKILL crash loop (issue 5 item 2).
//
// Each cycle starts `slatedb load --await-durable --ack --batch N` (our CLI, a separate
// process) fed from a generator, kills it with SIGKILL at a seeded random moment (after a random
// delay, or right after a random number of acks, so kills land during WAL uploads, L0 flushes,
// manifest writes, compactions and garbage collection — some cycles use a tiny
// l0_sst_size_bytes, an eager compactor, and an aggressive `slatedb gc` process beside the
// writer, killed with it), then reopens the database in a new process (`slatedb scan`, as writer or
// as reader) and checks:
//   - every acknowledged key is present with its value;
//   - nothing that was never written appears: every row is (cycle, index) of a fed line, with
//     exactly that line's value;
//   - durability is a prefix: within each cycle the surviving unique lines have no holes, and
//     a cycle's surviving lines never change in later cycles;
//   - overwrites are not lost: each "hot" key (overwritten across lines and cycles) holds the
//     last write that is known durable, or a later one.
// Values encode (cycle, index), so the checker can tell every write apart.
//
// The local loop starts with stray objects (not ours) in every directory and checks at the end
// that none was changed or deleted; a third of the cycles write with the largest default_ttl
// values (overflowing expiry = no expiry).
// Knobs: SLATEDB_TEST_SEED replays a seed; SLATEDB_CRASH_CYCLES (default 50 on a local
// directory) and SLATEDB_CRASH_S3_CYCLES (default 10, on moto at $SLATEDB_TEST_S3_ENDPOINT) set
// the number of cycles.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "reliability.h"
#include "subprocess.h"
#include "util/coding.h"
#include "util/random.h"

namespace slatedb {
namespace {

using testing::BackgroundProcess;
using testing::RunProcess;

constexpr uint64_t kHotKeys = 16;
constexpr uint64_t kMaxLinesPerCycle = 200000;
// Every sweep every 20 ms; objects older than 200 ms may go (WAL SSTs below the replay point,
// unreferenced SSTs below the low-watermark, old manifests and .compactions).
constexpr const char* kAggressiveGc =
    R"({"garbage_collector_options": {)"
    R"("manifest_options": {"interval": "20ms", "min_age": "200ms"}, )"
    R"("wal_options": {"interval": "20ms", "min_age": "200ms"}, )"
    R"("compacted_options": {"interval": "20ms", "min_age": "200ms"}, )"
    R"("compactions_options": {"interval": "20ms", "min_age": "200ms"}}})";

bool IsHot(uint64_t index) { return index % 7 == 3; }

std::string KeyOf(uint64_t cycle, uint64_t index) {
  char buf[48];
  if (IsHot(index)) {
    std::snprintf(buf, sizeof(buf), "hot%02llu",
                  static_cast<unsigned long long>((cycle * 31 + index) % kHotKeys));
  } else {
    std::snprintf(buf, sizeof(buf), "u%05llu-%07llu", static_cast<unsigned long long>(cycle),
                  static_cast<unsigned long long>(index));
  }
  return buf;
}

// "c<cycle>-i<index>-" plus a deterministic filler of 0..120 bytes.
std::string ValueOf(uint64_t cycle, uint64_t index) {
  std::string v = "c" + std::to_string(cycle) + "-i" + std::to_string(index) + "-";
  util::Random r(cycle * 1000003 + index + 1);
  size_t len = r.Uniform(121);
  for (size_t i = 0; i < len; ++i) v.push_back(static_cast<char>('a' + r.Uniform(26)));
  return v;
}

// Parses "c<cycle>-i<index>-..." back.
bool ParseValue(const std::string& v, uint64_t* cycle, uint64_t* index) {
  unsigned long long c = 0, i = 0;
  if (std::sscanf(v.c_str(), "c%llu-i%llu-", &c, &i) != 2) return false;
  *cycle = c;
  *index = i;
  return true;
}

struct Target {
  std::string url;
  std::map<std::string, std::string> env;
};

// A filling disk (SigkillLoopOnFillingDisk): before each cycle `shrink` leaves the writer only a
// little free space; once the writer is gone `grow` frees plenty for the check. The writer may
// then stop by itself, but only saying "No space left on device".
struct DiskHooks {
  std::function<void(util::Random*)> shrink;
  std::function<void()> grow;
};

class CrashLoop {
 public:
  CrashLoop(Target target, uint64_t seed, DiskHooks disk = {})
      : target_(std::move(target)), rnd_(seed), disk_(std::move(disk)) {}

  // Runs `cycles` kill-and-verify cycles; stops at the first failure.
  void Run(uint64_t cycles) {
    for (uint64_t c = 0; c < cycles; ++c) {
      RunCycle(c);
      if (::testing::Test::HasFailure()) {
        ADD_FAILURE() << "cycle " << c << " failed (" << survived_ << " cycles survived)";
        return;
      }
      ++survived_;
    }
  }

  uint64_t survived() const { return survived_; }
  uint64_t acks_verified() const { return acks_verified_; }
  uint64_t rows_verified() const { return rows_verified_; }
  uint64_t killed_mid_run() const { return killed_; }
  uint64_t gc_cycles() const { return gc_cycles_; }
  uint64_t gc_deleted() const { return gc_deleted_; }
  uint64_t clean_exits() const { return clean_exits_; }
  uint64_t disk_full_cycles() const { return disk_full_cycles_; }
  uint64_t disk_full_exits() const { return disk_full_exits_; }

 private:
  std::vector<std::string> Cli(const std::vector<std::string>& args, const std::string& settings,
                               bool reader) const {
    std::vector<std::string> argv = {testing::CliPath(), "--url", target_.url,
                                     "--path",           "db",    "--hex"};
    // Reading commands open as readers by default; reader=false takes over as the writer.
    const bool reads = !args.empty() && (args[0] == "scan" || args[0] == "get");
    argv.push_back(reader ? "--reader" : (reads ? "--writer" : ""));
    if (argv.back().empty()) argv.pop_back();
    if (!settings.empty()) {
      argv.push_back("--settings");
      argv.push_back(settings);
    }
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }

  std::string RandomSettings() {
    std::string flush = std::to_string(1 + rnd_.Uniform(20)) + "ms";
    // Tiny memtables in some cycles: kills land during L0 flushes and manifest writes.
    uint64_t l0 = rnd_.OneIn(2) ? 1024 + rnd_.Uniform(16384) : 4 << 20;
    std::string s = R"({"flush_interval": ")" + flush + R"(", "l0_sst_size_bytes": )" +
                    std::to_string(l0) + R"(, "manifest_poll_interval": "100ms")";
    if (rnd_.OneIn(3)) {
      // "Never expire" spelled as the largest TTLs: create_ts + ttl overflows and must mean no
      // expiry (it once wrapped into the past and compaction dropped every row).
      s += rnd_.OneIn(2) ? R"(, "default_ttl": 18446744073709551615)"
                         : R"(, "default_ttl": 9223372036854775807)";
    }
    if (rnd_.OneIn(2)) {
      // An eager embedded compactor: kills land during compactions too.
      s += R"(, "l0_max_ssts": 16, "compactor_options": {"poll_interval": "20ms", )"
           R"("max_sst_size": 16384, "scheduler_options": {"min_compaction_sources": "2"}})";
    } else {
      s += R"(, "l0_max_ssts": 100000, "compactor_options": null)";
    }
    return s + "}";
  }

  void RunCycle(uint64_t cycle) {
    const bool disk = disk_.shrink != nullptr;
    if (disk) disk_.shrink(&rnd_);
    const uint64_t batch = 1 + rnd_.Uniform(rnd_.OneIn(3) ? 4 : 60);
    const std::string settings = RandomSettings();
    // Short input: the writer reaches the end of stdin and closes (final WAL flush, compactor
    // drain, last manifest) while the kill timer runs, so kills also land during Close.
    const bool short_input = rnd_.OneIn(4);
    const uint64_t input_lines = short_input ? 16 * (1 + rnd_.Uniform(60)) : kMaxLinesPerCycle;
    const bool kill_on_acks = !short_input && rnd_.OneIn(2);
    const uint64_t kill_after_ms = disk ? 200 + rnd_.Uniform(800) : rnd_.Uniform(350);
    const uint64_t kill_after_acks = 1 + rnd_.Uniform(300);
    SCOPED_TRACE("cycle " + std::to_string(cycle) + " batch " + std::to_string(batch) +
                 (short_input ? " input " + std::to_string(input_lines) + " lines" : "") +
                 " settings " + settings);

    BackgroundProcess p(Cli({"load", "--await-durable", "--ack", "--batch", std::to_string(batch)},
                            settings, false),
                        target_.env, /*capture_stderr=*/disk);
    ASSERT_TRUE(p.started());
    std::string err;  // the writer's stderr (disk mode only)
    // In some cycles an aggressive garbage collector runs beside the writer (and is killed too).
    std::unique_ptr<BackgroundProcess> gc;
    if (!disk && rnd_.OneIn(3) && cycle > 0) {  // (the database exists from cycle 0 on)
      gc = std::make_unique<BackgroundProcess>(Cli({"gc"}, kAggressiveGc, false), target_.env);
      ASSERT_TRUE(gc->started());
      ++gc_cycles_;
    }
    // The feeder writes lines until the pipe breaks; `attempted` bounds what the child read.
    std::atomic<uint64_t> attempted{0};
    std::atomic<bool> stop{false}, fed_all{false};
    std::thread feeder([&] {
      constexpr uint64_t kChunk = 16;
      for (uint64_t i = 0; i < input_lines && !stop.load(); i += kChunk) {
        std::string chunk;
        for (uint64_t j = i; j < i + kChunk; ++j) {
          chunk += util::ToHex(KeyOf(cycle, j)) + "\t" + util::ToHex(ValueOf(cycle, j)) + "\n";
        }
        attempted.store(i + kChunk);
        if (!testing::WriteAllFd(p.stdin_fd(), chunk)) break;
      }
      fed_all.store(true);  // (or the child is gone)
    });

    std::string out;
    if (short_input) {
      // Feed everything (reading acks meanwhile), then close stdin: the writer ends its input.
      while (!fed_all.load()) {
        p.DrainStdout(&out);
        p.DrainStderr(&err);
        std::this_thread::sleep_for(std::chrono::microseconds(500));
      }
      feeder.join();
      p.CloseStdin();
    }
    auto start = std::chrono::steady_clock::now();
    auto give_up = start + std::chrono::seconds(60);
    while (true) {
      p.DrainStdout(&out);
      if (disk) {
        p.DrainStderr(&err);
        if (!p.Running()) break;  // it stopped by itself (checked below)
      }
      auto now = std::chrono::steady_clock::now();
      if (kill_on_acks) {
        if (static_cast<uint64_t>(std::count(out.begin(), out.end(), '\n')) >= kill_after_acks ||
            now > give_up) {
          break;
        }
      } else if (now - start >= std::chrono::milliseconds(kill_after_ms)) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    if (gc != nullptr) {
      // SIGKILL, or SIGTERM: a graceful stop that prints what it deleted.
      bool graceful = rnd_.OneIn(2);
      gc->Signal(graceful ? SIGTERM : SIGKILL);
      int gc_code = gc->Wait();
      if (graceful) {
        // 143: SIGTERM came before the collector began handling it (right after exec).
        ASSERT_TRUE(gc_code == 0 || gc_code == 143) << "gc exited with " << gc_code;
        graceful = gc_code == 0;
      } else {
        ASSERT_EQ(gc_code, 137) << "the garbage collector exited by itself";
      }
      if (graceful) {
        std::string gc_out;
        gc->DrainStdout(&gc_out);
        unsigned long long wal = 0, compacted = 0, manifests = 0;
        const char* w = std::strstr(gc_out.c_str(), "\"wal_deleted\":");
        const char* c = std::strstr(gc_out.c_str(), "\"compacted_deleted\":");
        const char* m = std::strstr(gc_out.c_str(), "\"manifests_deleted\":");
        ASSERT_TRUE(w != nullptr && c != nullptr && m != nullptr) << "gc printed: " << gc_out;
        std::sscanf(w, "\"wal_deleted\":%llu", &wal);
        std::sscanf(c, "\"compacted_deleted\":%llu", &compacted);
        std::sscanf(m, "\"manifests_deleted\":%llu", &manifests);
        gc_deleted_ += wal + compacted + manifests;
      }
    }
    p.Signal(SIGKILL);
    int code = p.Wait();
    stop.store(true);
    p.DrainStdout(&out);
    p.DrainStderr(&err);
    if (disk) {
      disk_.grow();
      if (err.find("No space left on device") != std::string::npos) ++disk_full_cycles_;
    }
    if (feeder.joinable()) feeder.join();  // the child is gone: its write fails with EPIPE
    p.CloseStdin();
    const uint64_t fed_bound = attempted.load();
    if (short_input && code == 0) {
      // It finished before the kill: then every line was acknowledged.
      ++clean_exits_;
      ASSERT_EQ(static_cast<uint64_t>(std::count(out.begin(), out.end(), '\n')), input_lines)
          << "the writer exited 0 without acknowledging all its input";
    } else if (disk && code != 137) {
      // Out of space: a clear failure naming the cause, never a crash (134/139) or a silent exit.
      ASSERT_TRUE(code != 0 && err.find("No space left on device") != std::string::npos)
          << "the writer exited with " << code << " on a filling disk; stderr: " << err;
      ++disk_full_exits_;
    } else {
      // 137 = killed by us. The writer never exits on its own while lines keep coming.
      ASSERT_EQ(code, 137) << "the writer exited by itself";
      ++killed_;
    }

    // Acks: complete lines only (a kill can cut the last one).
    std::vector<std::string> acked;
    size_t pos = 0;
    while (true) {
      size_t nl = out.find('\n', pos);
      if (nl == std::string::npos) break;
      std::string key;
      ASSERT_TRUE(util::FromHex(std::string_view(out).substr(pos, nl - pos), &key))
          << "bad ack line: " << out.substr(pos, nl - pos);
      acked.push_back(std::move(key));
      pos = nl + 1;
    }
    fed_[cycle] = fed_bound;
    // The acks are the fed lines in order: ack #n is line n.
    for (size_t n = 0; n < acked.size(); ++n) {
      ASSERT_EQ(acked[n], KeyOf(cycle, n)) << "ack #" << n << " is not line " << n;
    }
    acked_[cycle] = acked.size();

    Verify(cycle, /*reader=*/rnd_.OneIn(3));
  }

  // Reopens in a new process and checks every invariant over all cycles so far.
  void Verify(uint64_t cycle, bool reader) {
    auto r = RunProcess(Cli({"scan"}, "", reader), "", std::chrono::minutes(3), target_.env);
    uint64_t acked_so_far = 0;
    for (const auto& [c, n] : acked_) acked_so_far += n;
    if (r.exit_code == 1 && r.err.find("no database at 'db'") != std::string::npos &&
        acked_so_far == 0) {
      return;  // killed before the first manifest existed; nothing was acknowledged
    }
    ASSERT_EQ(r.exit_code, 0) << "scan after the kill failed (" << (reader ? "reader" : "writer")
                              << "): " << r.err;
    std::string why;
    auto rows = testing::ParseHexScan(r.out, &why);
    ASSERT_TRUE(rows.has_value()) << why;

    // Unique lines present per cycle; values must be exactly what was written.
    std::map<uint64_t, std::set<uint64_t>> present;
    for (const auto& [key, value] : *rows) {
      uint64_t c = 0, i = 0;
      ASSERT_TRUE(ParseValue(value, &c, &i))
          << "never-written value under " << key << ": " << value;
      ASSERT_LE(c, cycle) << "row from a future cycle: " << key;
      ASSERT_LT(i, fed_[c]) << "row of a line never fed: " << key << " = " << value;
      ASSERT_EQ(key, KeyOf(c, i)) << "value " << value << " under the wrong key";
      ASSERT_EQ(value, ValueOf(c, i)) << "wrong value under " << key;
      if (!IsHot(i)) present[c].insert(i);
    }
    // Per cycle: the surviving unique lines are a prefix (no holes), at least every ack,
    // and unchanged since the cycle was first verified.
    std::map<uint64_t, uint64_t> durable_end;  // lines [0, end) are known durable
    for (uint64_t c = 0; c <= cycle; ++c) {
      const auto& s = present[c];
      uint64_t end = s.empty() ? 0 : *s.rbegin() + 1;
      uint64_t expect_count = 0;
      for (uint64_t i = 0; i < end; ++i) expect_count += IsHot(i) ? 0 : 1;
      ASSERT_EQ(s.size(), expect_count) << "cycle " << c << ": a hole among surviving lines "
                                        << "(last surviving line " << end - 1 << ")";
      uint64_t acked_unique_end = 0;
      for (uint64_t i = acked_[c]; i > 0; --i) {
        if (!IsHot(i - 1)) {
          acked_unique_end = i;
          break;
        }
      }
      ASSERT_GE(end, acked_unique_end)
          << "cycle " << c << ": acknowledged line " << acked_unique_end - 1 << " lost";
      durable_end[c] = std::max(end, acked_[c]);
      if (c < cycle) {
        ASSERT_EQ(end, survived_end_[c]) << "cycle " << c << "'s surviving lines changed";
      } else {
        survived_end_[c] = end;
      }
    }
    // Hot keys: each holds the latest write known durable, or a later one that was fed.
    for (uint64_t h = 0; h < kHotKeys; ++h) {
      char name[16];
      std::snprintf(name, sizeof(name), "hot%02llu", static_cast<unsigned long long>(h));
      std::optional<std::pair<uint64_t, uint64_t>> latest;  // (cycle, index) known durable
      for (uint64_t c = 0; c <= cycle; ++c) {
        for (uint64_t i = 0; i < durable_end[c]; ++i) {
          if (IsHot(i) && KeyOf(c, i) == name) latest = {c, i};
        }
      }
      auto it = rows->find(name);
      if (!latest) continue;
      ASSERT_TRUE(it != rows->end())
          << name << " lost; last durable write c" << latest->first << "-i" << latest->second;
      uint64_t c = 0, i = 0;
      ASSERT_TRUE(ParseValue(it->second, &c, &i));
      ASSERT_GE(std::make_pair(c, i), *latest)
          << name << " holds c" << c << "-i" << i << ", older than the durable write c"
          << latest->first << "-i" << latest->second;
      // Line i-1 (never hot) precedes it, so it must have survived too (prefix).
      ASSERT_LE(i, survived_end_[c]) << name << " holds c" << c << "-i" << i << " but line "
                                     << i - 1 << " of that cycle is missing";
    }
    acks_verified_ += acked_[cycle];
    rows_verified_ += rows->size();
  }

  Target target_;
  util::Random rnd_;
  std::map<uint64_t, uint64_t> fed_, acked_, survived_end_;
  uint64_t survived_ = 0, acks_verified_ = 0, rows_verified_ = 0, killed_ = 0, gc_cycles_ = 0;
  uint64_t gc_deleted_ = 0;
  DiskHooks disk_;
  uint64_t disk_full_cycles_ = 0, disk_full_exits_ = 0;
  uint64_t clean_exits_ = 0;  // short-input cycles that closed before the kill came  // objects the
                              // stopped-gracefully collectors reported deleting
};

void RunLoop(const Target& target, uint64_t cycles, const char* where, DiskHooks disk = {}) {
  const uint64_t seed = testing::TestSeed();
  std::printf("crash_test %s: seed %llu (replay with SLATEDB_TEST_SEED=%llu), %llu cycles\n", where,
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed),
              static_cast<unsigned long long>(cycles));
  std::fflush(stdout);
  SCOPED_TRACE(std::string(where) + " seed " + std::to_string(seed));
  const bool disk_mode = disk.shrink != nullptr;
  CrashLoop loop(target, seed, std::move(disk));
  auto start = std::chrono::steady_clock::now();
  loop.Run(cycles);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count();
  std::printf(
      "crash_test %s: seed %llu: %llu/%llu cycles survived (SIGKILLed: %llu, closed before the "
      "kill: %llu; %llu with a garbage collector running, which deleted >= %llu objects), %llu "
      "acked keys verified, %llu rows checked, %lld ms\n",
      where, static_cast<unsigned long long>(seed),
      static_cast<unsigned long long>(loop.survived()), static_cast<unsigned long long>(cycles),
      static_cast<unsigned long long>(loop.killed_mid_run()),
      static_cast<unsigned long long>(loop.clean_exits()),
      static_cast<unsigned long long>(loop.gc_cycles()),
      static_cast<unsigned long long>(loop.gc_deleted()),
      static_cast<unsigned long long>(loop.acks_verified()),
      static_cast<unsigned long long>(loop.rows_verified()), static_cast<long long>(ms));
  if (disk_mode) {
    std::printf("crash_test %s: %llu cycles ran out of space, %llu writers stopped by themselves\n",
                where, static_cast<unsigned long long>(loop.disk_full_cycles()),
                static_cast<unsigned long long>(loop.disk_full_exits()));
    EXPECT_GT(loop.disk_full_cycles(), 0u) << "the disk never filled: the variant tested nothing";
  }
  ::testing::Test::RecordProperty("cycles_survived", std::to_string(loop.survived()));
  ::testing::Test::RecordProperty("acks_verified", std::to_string(loop.acks_verified()));
  EXPECT_EQ(loop.survived(), cycles);
  EXPECT_GT(loop.acks_verified(), 0u) << "no write was ever acknowledged";
}

class CrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    signal(SIGPIPE, SIG_IGN);
    if (!std::filesystem::exists(testing::CliPath())) {
      GTEST_SKIP() << "our CLI not built: " << testing::CliPath();
    }
  }
  testing::TempDir dir_;
};

TEST_F(CrashTest, SigkillLoopLocal) {
  for (const std::string& key : testing::StrayObjects()) {
    std::filesystem::path file = std::filesystem::path(dir_.path()) / key;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << "not an object of this database: " << key;
  }
  RunLoop({"file://" + dir_.path(), {}}, testing::EnvU64("SLATEDB_CRASH_CYCLES", 50), "local");
  for (const std::string& key : testing::StrayObjects()) {
    EXPECT_EQ(testing::ReadFile(dir_.path() + "/" + key), "not an object of this database: " + key)
        << key << " was changed or deleted";
  }
}

// The crash loop on a disk that fills: a small tmpfs (needs root, as CI runs; skipped elsewhere)
// resized before each cycle to leave the writer 16-528 KiB, so WAL uploads, L0 flushes, manifest
// writes and compactions meet ENOSPC at random moments; before each check the disk is grown
// again. Nothing acknowledged may be lost, nothing half-written may be read, and a writer that
// stops does so naming the full disk. Knob: SLATEDB_CRASH_DISK_CYCLES (default 40).
TEST_F(CrashTest, SigkillLoopOnFillingDisk) {
  const std::string mnt = dir_.path() + "/tmpfs";
  std::filesystem::create_directories(mnt);
  auto mounted = RunProcess({"mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", mnt});
  if (mounted.exit_code != 0) {
    GTEST_SKIP() << "cannot mount a tmpfs here (needs root): " << mounted.err;
  }
  struct Unmount {
    std::string dir;
    ~Unmount() { RunProcess({"umount", "-l", dir}); }
  } unmount{mnt};
  auto used_bytes = [&mnt] {
    struct statvfs v {};
    if (statvfs(mnt.c_str(), &v) != 0) return uint64_t{0};
    return static_cast<uint64_t>(v.f_blocks - v.f_bfree) * v.f_frsize;
  };
  auto resize = [&mnt](uint64_t bytes) {
    auto r = RunProcess(
        {"mount", "-o", "remount,size=" + std::to_string(bytes / 1024 + 1) + "k", "tmpfs", mnt});
    ASSERT_EQ(r.exit_code, 0) << "remount " << mnt << ": " << r.err;
  };
  DiskHooks disk;
  disk.shrink = [&](util::Random* rnd) {
    resize(used_bytes() + (16 << 10) + rnd->Uniform(512 << 10));
  };
  disk.grow = [&] { resize(used_bytes() + (256 << 20)); };
  RunLoop({"file://" + mnt, {}}, testing::EnvU64("SLATEDB_CRASH_DISK_CYCLES", 40), "disk",
          std::move(disk));
}

TEST_F(CrashTest, SigkillLoopS3) {
  std::string why;
  auto s3 = testing::MakeS3Target("crash-" + std::filesystem::path(dir_.path()).filename().string(),
                                  &why);
  if (!s3) GTEST_SKIP() << why;
  RunLoop({s3->url, s3->env}, testing::EnvU64("SLATEDB_CRASH_S3_CYCLES", 10), "s3");
}

}  // namespace
}  // namespace slatedb
