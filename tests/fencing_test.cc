// Fencing across processes (issue 5 item 3): two writer processes (`slatedb load --ack`) on one
// database, on a local directory and on S3 (moto at $SLATEDB_TEST_S3_ENDPOINT).
//
// Writer A starts and acknowledges some writes; writer B opens the same database (fencing A)
// and acknowledges a write; A must then fail with Closed(fenced) — nonzero exit, "fenced" on
// stderr — no later than its next WAL upload (A polls the manifest only every 60 s, so the WAL
// upload is what must detect it). Afterwards every write acknowledged by B survives, every write
// A acknowledged survives, and no write A was given after B opened appears.
//   - IdleOlderWriter: A is idle while B opens, then gets one more line: exact expectations.
//   - BusyOlderWriter: A writes continuously (tiny memtables, embedded compactor) while B
//     opens: A's acks survive, A's surviving lines are a prefix of what it was fed, A stops.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "reliability.h"
#include "subprocess.h"
#include "util/coding.h"

namespace slatedb {
namespace {

using testing::BackgroundProcess;
using testing::RunProcess;

// A's manifest poll is long on purpose: its next WAL upload has to detect the fence.
constexpr const char* kOlderSettings =
    R"({"flush_interval": "5ms", "manifest_poll_interval": "60s", "compactor_options": null})";
constexpr const char* kNewerSettings =
    R"({"flush_interval": "5ms", "manifest_poll_interval": "100ms", "compactor_options": null})";
// The busy case: tiny memtables and an eager embedded compactor in both writers, so B's open
// also lands during A's L0 flushes, manifest updates and compactions.
constexpr const char* kBusyOlderSettings =
    R"({"flush_interval": "5ms", "manifest_poll_interval": "60s", "l0_sst_size_bytes": 2048, )"
    R"("l0_max_ssts": 16, "compactor_options": {"poll_interval": "20ms", )"
    R"("scheduler_options": {"min_compaction_sources": "2"}}})";
constexpr const char* kBusyNewerSettings =
    R"({"flush_interval": "5ms", "l0_sst_size_bytes": 2048, "l0_max_ssts": 16, )"
    R"("compactor_options": {"poll_interval": "20ms", )"
    R"("scheduler_options": {"min_compaction_sources": "2"}}})";
constexpr auto kWaitLimit = std::chrono::seconds(60);

std::string Line(const std::string& key, const std::string& value) {
  return util::ToHex(key) + "\t" + util::ToHex(value) + "\n";
}
std::string KeyA(int i) { return "a-" + std::to_string(100000 + i); }
std::string KeyB(int i) { return "b-" + std::to_string(100000 + i); }
std::string ValueA(int i) { return "written by A, line " + std::to_string(i); }
std::string ValueB(int i) { return "written by B, line " + std::to_string(i); }

// One `slatedb load --ack --batch N` writer with its stderr captured in a file.
class Writer {
 public:
  Writer(const std::string& url, const std::map<std::string, std::string>& env,
         const std::string& settings, int batch, const std::string& err_file)
      : err_file_(err_file) {
    std::string cmd = "exec '" + testing::CliPath() + "' --url '" + url +
                      "' --path db --hex --settings '" + settings +
                      "' load --await-durable --ack --batch " + std::to_string(batch) + " 2>'" +
                      err_file + "'";
    proc_ =
        std::make_unique<BackgroundProcess>(std::vector<std::string>{"/bin/sh", "-c", cmd}, env);
  }
  ~Writer() { StopWatchdog(); }

  bool Feed(const std::string& lines) { return testing::WriteAllFd(proc_->stdin_fd(), lines); }

  // Waits until at least `n` acks arrived (or the limit passed); returns the acks so far.
  std::vector<std::string> WaitAcks(size_t n) {
    auto deadline = std::chrono::steady_clock::now() + kWaitLimit;
    while (Acks().size() < n && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return Acks();
  }

  // Complete ack lines so far, decoded.
  std::vector<std::string> Acks() {
    proc_->DrainStdout(&out_);
    std::vector<std::string> acks;
    size_t pos = 0;
    while (true) {
      size_t nl = out_.find('\n', pos);
      if (nl == std::string::npos) break;
      std::string key;
      if (!util::FromHex(std::string_view(out_).substr(pos, nl - pos), &key)) {
        key = "<bad ack line: " + out_.substr(pos, nl - pos) + ">";
      }
      acks.push_back(std::move(key));
      pos = nl + 1;
    }
    return acks;
  }

  // Waits for exit; past the limit the process is killed (exit 137) so a hang fails the test.
  int Wait() {
    {
      std::lock_guard<std::mutex> l(mu_);
      watching_ = true;
    }
    watchdog_ = std::thread([this] {
      std::unique_lock<std::mutex> l(mu_);
      if (!cv_.wait_for(l, kWaitLimit, [this] { return !watching_; })) proc_->Signal(SIGKILL);
    });
    int code = proc_->Wait();
    StopWatchdog();
    proc_->DrainStdout(&out_);
    return code;
  }

  void CloseStdin() { proc_->CloseStdin(); }

  std::string Stderr() const {
    std::ifstream f(err_file_, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  }

 private:
  void StopWatchdog() {
    {
      std::lock_guard<std::mutex> l(mu_);
      watching_ = false;
    }
    cv_.notify_all();
    if (watchdog_.joinable()) watchdog_.join();
  }

  std::string err_file_;
  std::unique_ptr<BackgroundProcess> proc_;
  std::string out_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool watching_ = false;
  std::thread watchdog_;
};

class FencingTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    signal(SIGPIPE, SIG_IGN);
    if (!std::filesystem::exists(testing::CliPath())) {
      GTEST_SKIP() << "our CLI not built: " << testing::CliPath();
    }
    if (GetParam() == "local") {
      url_ = "file://" + dir_.path() + "/store";
      std::filesystem::create_directories(dir_.path() + "/store");
      return;
    }
    std::string why;
    auto s3 = testing::MakeS3Target(
        "fence-" + std::filesystem::path(dir_.path()).filename().string(), &why);
    if (!s3) GTEST_SKIP() << why;
    url_ = s3->url;
    env_ = s3->env;
  }

  std::unique_ptr<Writer> Start(const char* name, const char* settings, int batch) {
    return std::make_unique<Writer>(url_, env_, settings, batch,
                                    dir_.path() + "/" + name + ".stderr");
  }

  std::map<std::string, std::string> ScanAll() {
    auto r =
        RunProcess({testing::CliPath(), "--url", url_, "--path", "db", "--hex", "--reader", "scan"},
                   "", std::chrono::minutes(2), env_);
    EXPECT_EQ(r.exit_code, 0) << "scan failed: " << r.err;
    std::string why;
    auto rows = testing::ParseHexScan(r.out, &why);
    EXPECT_TRUE(rows.has_value()) << why;
    return rows.value_or(std::map<std::string, std::string>{});
  }

  testing::TempDir dir_;
  std::string url_;
  std::map<std::string, std::string> env_;
};

TEST_P(FencingTest, IdleOlderWriter) {
  auto a = Start("a", kOlderSettings, 1);
  constexpr int kBefore = 5;
  for (int i = 0; i < kBefore; ++i) {
    ASSERT_TRUE(a->Feed(Line(KeyA(i), ValueA(i))));
    ASSERT_EQ(a->WaitAcks(i + 1).size(), static_cast<size_t>(i + 1))
        << "A did not acknowledge line " << i << "; stderr: " << a->Stderr();
  }
  // B opens (fencing A) and acknowledges its first write.
  auto b = Start("b", kNewerSettings, 1);
  ASSERT_TRUE(b->Feed(Line(KeyB(0), ValueB(0))));
  ASSERT_EQ(b->WaitAcks(1).size(), 1u) << "B did not acknowledge; stderr: " << b->Stderr();
  // A's next write needs a WAL upload; it must fail with Closed(fenced) and end A.
  a->Feed(Line(KeyA(kBefore), ValueA(kBefore)));
  int a_code = a->Wait();
  EXPECT_NE(a_code, 0) << "A survived being fenced";
  EXPECT_NE(a_code, 137) << "A hung after being fenced (killed by the watchdog)";
  std::string a_err = a->Stderr();
  EXPECT_NE(a_err.find("fenced"), std::string::npos) << "A's stderr: " << a_err;
  std::vector<std::string> a_acks = a->Acks();
  ASSERT_EQ(a_acks.size(), static_cast<size_t>(kBefore)) << "A acknowledged a write after B";
  // B keeps going and closes cleanly.
  constexpr int kB = 10;
  for (int i = 1; i < kB; ++i) ASSERT_TRUE(b->Feed(Line(KeyB(i), ValueB(i))));
  ASSERT_EQ(b->WaitAcks(kB).size(), static_cast<size_t>(kB)) << "B: " << b->Stderr();
  b->CloseStdin();
  EXPECT_EQ(b->Wait(), 0) << "B's stderr: " << b->Stderr();

  std::map<std::string, std::string> want;
  for (int i = 0; i < kBefore; ++i) want[KeyA(i)] = ValueA(i);
  for (int i = 0; i < kB; ++i) want[KeyB(i)] = ValueB(i);
  auto got = ScanAll();
  EXPECT_EQ(got.count(KeyA(kBefore)), 0u) << "A's write after B opened appears";
  EXPECT_TRUE(got == want) << "got " << got.size() << " rows, want " << want.size();
}

TEST_P(FencingTest, BusyOlderWriter) {
  auto a = Start("a", kBusyOlderSettings, 3);
  // A is fed continuously (one line every ~millisecond) until it stops reading.
  std::atomic<int> attempted{0};
  std::atomic<bool> stop{false};
  std::thread feeder([&] {
    for (int i = 0; i < 1000000 && !stop.load(); ++i) {
      attempted.store(i + 1);
      if (!a->Feed(Line(KeyA(i), ValueA(i)))) return;
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
  });
  std::vector<std::string> acked_before_b = a->WaitAcks(60);
  ASSERT_GE(acked_before_b.size(), 60u) << "A made no progress; stderr: " << a->Stderr();
  auto b = Start("b", kBusyNewerSettings, 1);
  ASSERT_TRUE(b->Feed(Line(KeyB(0), ValueB(0))));
  ASSERT_EQ(b->WaitAcks(1).size(), 1u) << "B did not acknowledge; stderr: " << b->Stderr();
  int a_code = a->Wait();
  stop.store(true);
  feeder.join();  // A is gone: its next write fails with EPIPE
  a->CloseStdin();
  EXPECT_NE(a_code, 0) << "A survived being fenced";
  EXPECT_NE(a_code, 137) << "A kept running after being fenced (killed by the watchdog)";
  std::string a_err = a->Stderr();
  EXPECT_NE(a_err.find("fenced"), std::string::npos) << "A's stderr: " << a_err;
  std::vector<std::string> a_acks = a->Acks();
  for (size_t i = 0; i < a_acks.size(); ++i) {
    ASSERT_EQ(a_acks[i], KeyA(static_cast<int>(i))) << "A's acks out of order";
  }
  constexpr int kB = 10;
  for (int i = 1; i < kB; ++i) ASSERT_TRUE(b->Feed(Line(KeyB(i), ValueB(i))));
  ASSERT_EQ(b->WaitAcks(kB).size(), static_cast<size_t>(kB)) << "B: " << b->Stderr();
  b->CloseStdin();
  EXPECT_EQ(b->Wait(), 0) << "B's stderr: " << b->Stderr();

  auto got = ScanAll();
  for (int i = 0; i < kB; ++i) {
    auto it = got.find(KeyB(i));
    ASSERT_TRUE(it != got.end()) << "B's acknowledged " << KeyB(i) << " lost";
    EXPECT_EQ(it->second, ValueB(i));
  }
  // A's surviving lines: a prefix of what it was fed that covers every A ack.
  int a_end = 0;
  while (got.count(KeyA(a_end)) != 0) {
    EXPECT_EQ(got[KeyA(a_end)], ValueA(a_end));
    ++a_end;
  }
  EXPECT_GE(a_end, static_cast<int>(a_acks.size())) << "an acknowledged write of A was lost";
  EXPECT_LE(a_end, attempted.load()) << "A rows that were never fed";
  EXPECT_EQ(got.size(), static_cast<size_t>(kB + a_end)) << "a hole in A's lines or a stray row";
  std::printf(
      "fencing_test %s: A acked %zu (%zu before B opened), %d of A's lines survive, "
      "%d fed; B acked %d\n",
      GetParam().c_str(), a_acks.size(), acked_before_b.size(), a_end, attempted.load(), kB);
}

INSTANTIATE_TEST_SUITE_P(Stores, FencingTest, ::testing::Values("local", "s3"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace slatedb
