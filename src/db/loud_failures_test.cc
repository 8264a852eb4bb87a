// Failures that used to be silent or unbounded are loud and bounded: a WAL upload that keeps
// failing is logged (once, then summarised), shown in GetStatus, latched when it cannot succeed
// (non-transient error, or object_store_max_retries exhausted); Close() with a store that does
// not answer returns within Settings::close_timeout plus the in-flight store calls.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "object_store/object_store_wrapper.h"
#include "object_store/s3_object_store.h"
#include "slatedb/clock.h"
#include "slatedb/db.h"
#include "slatedb/logger.h"
#include "slatedb/object_store.h"
#include "test_util.h"

namespace slatedb {
namespace {

using std::chrono::milliseconds;

using slatedb::testing::CapturingLogger;

// A decorator whose calls can be failed (hook returns non-OK) or held (black-holed) for up to
// `hold` before failing with kUnavailable, as a store call with a timeout would.
class ControlledStore final : public ObjectStoreWrapper {
 public:
  using Hook = std::function<Status(std::string_view op, std::string_view key)>;
  explicit ControlledStore(std::shared_ptr<ObjectStore> inner)
      : ObjectStoreWrapper(std::move(inner)) {}

  void SetHook(Hook hook) {
    std::lock_guard l(mu_);
    hook_ = std::move(hook);
  }
  // Every call from now on waits `hold` (or until Release) and then fails with kUnavailable.
  void BlackHole(milliseconds hold) {
    std::lock_guard l(mu_);
    hold_ = hold;
    released_ = false;
  }
  void Release() {
    std::lock_guard l(mu_);
    released_ = true;
    cv_.notify_all();
  }

  Result<std::string> Put(std::string_view key, std::string_view data,
                          const ObjectPutOptions& options) override {
    RETURN_IF_ERROR(Check("put", key));
    return inner_->Put(key, data, options);
  }
  Result<std::string> PutIfAbsent(std::string_view key, std::string_view data,
                                  const ObjectPutOptions& options) override {
    RETURN_IF_ERROR(Check("put", key));
    return inner_->PutIfAbsent(key, data, options);
  }
  Result<std::string> PutIfMatch(std::string_view key, std::string_view data, std::string_view etag,
                                 const ObjectPutOptions& options) override {
    RETURN_IF_ERROR(Check("put", key));
    return inner_->PutIfMatch(key, data, etag, options);
  }
  Result<std::string> Get(std::string_view key) override {
    RETURN_IF_ERROR(Check("get", key));
    return inner_->Get(key);
  }
  Result<std::string> GetRange(std::string_view key, uint64_t offset,
                               std::optional<uint64_t> length) override {
    RETURN_IF_ERROR(Check("get", key));
    return inner_->GetRange(key, offset, length);
  }
  Result<std::string> GetSuffix(std::string_view key, uint64_t n) override {
    RETURN_IF_ERROR(Check("get", key));
    return inner_->GetSuffix(key, n);
  }
  Result<ObjectMeta> Head(std::string_view key) override {
    RETURN_IF_ERROR(Check("head", key));
    return inner_->Head(key);
  }
  Result<std::vector<ObjectMeta>> List(std::string_view prefix) override {
    RETURN_IF_ERROR(Check("list", prefix));
    return inner_->List(prefix);
  }
  Status Delete(std::string_view key) override {
    RETURN_IF_ERROR(Check("delete", key));
    return inner_->Delete(key);
  }
  std::string Describe() const override { return "controlled(" + inner_->Describe() + ")"; }

 private:
  Status Check(std::string_view op, std::string_view key) {
    std::unique_lock l(mu_);
    if (hold_) {
      cv_.wait_for(l, *hold_, [&] { return released_; });
      return Status::Unavailable("black-holed " + std::string(op) + " " + std::string(key));
    }
    if (hook_) return hook_(op, key);
    return Status::OK();
  }

  std::mutex mu_;
  std::condition_variable cv_;
  Hook hook_;
  std::optional<milliseconds> hold_;
  bool released_ = false;
};

bool IsWalPut(std::string_view op, std::string_view key) {
  return op == "put" && key.find("/wal/") != std::string_view::npos;
}

Settings FastSettings() {
  Settings s;
  s.flush_interval = milliseconds(10);
  s.manifest_poll_interval = milliseconds(20);
  s.compactor_options.reset();
  s.garbage_collector_options.reset();
  return s;
}

struct Fixture {
  std::shared_ptr<ControlledStore> store =
      std::make_shared<ControlledStore>(NewMemoryObjectStore());
  std::shared_ptr<CapturingLogger> logger = std::make_shared<CapturingLogger>(LogLevel::kInfo);
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(1'700'000'000'000);

  Result<std::unique_ptr<Db>> Open(const Settings& s) {
    Components c;
    c.object_store = store;
    c.logger = logger;
    c.clock = clock;
    c.seed = 11;
    return Db::Open("db", std::move(c), s);
  }
};

template <typename Pred>
bool WaitFor(Pred pred, milliseconds limit = milliseconds(5000)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return pred();
}

// Advances the fixture's manual clock by one flush_interval (10 ms) at each poll until `pred`
// holds: the WAL writer's timer runs on that clock.
template <typename Pred>
bool TickUntil(Fixture& f, Pred pred) {
  return WaitFor([&] {
    f.clock->Advance(10);
    return pred();
  });
}

// A transient WAL failure: one warning when it starts, one summary per minute of clock time
// while it lasts (not one line per attempt), one line when it recovers; GetStatus shows it.
TEST(LoudFailuresTest, PersistentTransientWalFailureIsLoggedBoundedAndVisible) {
  Fixture f;
  auto db = f.Open(FastSettings());
  ASSERT_OK(db) << db.status().ToString();
  auto wal_puts = std::make_shared<std::atomic<int>>(0);
  f.store->SetHook([wal_puts](std::string_view op, std::string_view key) {
    if (!IsWalPut(op, key)) return Status::OK();
    ++*wal_puts;
    return Status::Unavailable("connection reset by peer");
  });
  WriteOptions nowait;
  nowait.await_durable = false;
  ASSERT_OK((*db)->Put("k", "v", nowait));
  ASSERT_TRUE(TickUntil(f, [&] { return f.logger->Count("connection reset by peer") >= 1; }));
  // 30 more failed flushes, one per flush_interval of the manual clock.
  for (int i = 0; i < 30; ++i) {
    const int before = wal_puts->load();
    f.clock->Advance(10);
    ASSERT_TRUE(WaitFor([&] { return wal_puts->load() > before; })) << i;
  }
  EXPECT_EQ(f.logger->Count("connection reset by peer"), 1u);
  auto status = (*db)->GetStatus();
  ASSERT_OK(status) << status.status().ToString();
  EXPECT_FALSE(status->healthy());
  EXPECT_NE(status->background_error.find("connection reset by peer"), std::string::npos)
      << status->background_error;
  EXPECT_NE(status->background_error.find("db/wal/"), std::string::npos)
      << status->background_error;

  f.clock->Advance(61'000);
  ASSERT_TRUE(WaitFor([&] { return f.logger->Count("still failing after") >= 1; }));
  // 20 more failed flushes within the minute: no second summary.
  for (int i = 0; i < 20; ++i) {
    const int before = wal_puts->load();
    f.clock->Advance(10);
    ASSERT_TRUE(WaitFor([&] { return wal_puts->load() > before; })) << i;
  }
  EXPECT_EQ(f.logger->Count("still failing after"), 1u);

  f.store->SetHook(nullptr);
  ASSERT_TRUE(TickUntil(f, [&] { return f.logger->Count("WAL upload recovered") >= 1; }));
  EXPECT_OK((*db)->Flush());
  status = (*db)->GetStatus();
  ASSERT_OK(status);
  EXPECT_TRUE(status->healthy()) << status->background_error;
  EXPECT_EQ(f.logger->Count("WAL upload recovered"), 1u);
  EXPECT_OK((*db)->Close());
}

// A non-transient WAL failure (disk full) is fatal at once: the waiting writer gets it instead
// of hanging, and so does every later call.
TEST(LoudFailuresTest, NonTransientWalFailureIsLatchedAndReleasesWaiters) {
  Fixture f;
  auto db = f.Open(FastSettings());
  ASSERT_OK(db) << db.status().ToString();
  f.store->SetHook([](std::string_view op, std::string_view key) {
    return IsWalPut(op, key) ? Status::Internal("No space left on device") : Status::OK();
  });
  auto put = std::async(std::launch::async,
                        [&] { return (*db)->Put("k", "v", WriteOptions{true}).status(); });
  const bool finished = put.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
  EXPECT_TRUE(finished) << "await_durable writer still hangs after 5 s";
  if (!finished) (*db)->Close().PermitUnchecked();  // releases it (old behaviour)
  Status st = put.get();
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("No space left on device"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("db/wal/"), std::string::npos) << st.ToString();
  Status later = (*db)->Put("k2", "v2", WriteOptions{false}).status();
  EXPECT_NE(later.message().find("No space left on device"), std::string::npos) << later.ToString();
  EXPECT_GE(f.logger->Count("No space left on device"), 1u);
  (*db)->Close().PermitUnchecked();
}

// object_store_max_retries bounds transient retries: the waiting writer fails with
// kUnavailable naming the WAL object.
TEST(LoudFailuresTest, MaxRetriesBoundsTransientWalFailures) {
  Fixture f;
  Settings s = FastSettings();
  s.object_store_max_retries = 3;
  auto db = f.Open(s);
  ASSERT_OK(db) << db.status().ToString();
  f.store->SetHook([](std::string_view op, std::string_view key) {
    return IsWalPut(op, key) ? Status::Unavailable("503 Slow Down") : Status::OK();
  });
  auto put = std::async(std::launch::async,
                        [&] { return (*db)->Put("k", "v", WriteOptions{true}).status(); });
  // The retries run at the WAL writer's flush_interval ticks, on the manual clock.
  const bool finished =
      TickUntil(f, [&] { return put.wait_for(milliseconds(0)) == std::future_status::ready; });
  EXPECT_TRUE(finished) << "await_durable writer still hangs after 5 s";
  if (!finished) (*db)->Close().PermitUnchecked();
  Status st = put.get();
  EXPECT_TRUE(st.IsUnavailable()) << st.ToString();
  EXPECT_NE(st.message().find("db/wal/"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("object_store_max_retries = 3"), std::string::npos) << st.ToString();
  (*db)->Close().PermitUnchecked();
}

// Close() with a store that answers nothing returns within close_timeout plus the store calls
// in flight (each held here for at most 1.5 s, as a store timeout would), with kUnavailable
// naming what did not finish; every thread is joined (the Db is destroyed right after).
TEST(LoudFailuresTest, CloseWithUnreachableStoreIsBounded) {
  Fixture f;
  Settings s = FastSettings();
  s.close_timeout = milliseconds(500);
  s.compactor_options = CompactorOptions{};
  s.compactor_options->poll_interval = milliseconds(20);
  s.garbage_collector_options = GarbageCollectorOptions{};
  s.garbage_collector_options->wal_options->interval = milliseconds(20);
  auto db = f.Open(s);
  ASSERT_OK(db) << db.status().ToString();
  ASSERT_OK((*db)->Put("k", "v", WriteOptions{false}));
  f.store->BlackHole(milliseconds(2000));
  const auto start = std::chrono::steady_clock::now();
  Status st = (*db)->Close();
  db->reset();
  const auto took = std::chrono::steady_clock::now() - start;
  f.store->Release();
  EXPECT_FALSE(st.ok());
  EXPECT_TRUE(st.IsUnavailable()) << st.ToString();
  EXPECT_NE(st.message().find("the final WAL flush"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("close_timeout"), std::string::npos) << st.ToString();
  // 500 ms + the 2 s calls in flight, joined in turn (flushers, GC, compactor); old: ~6+ s.
  EXPECT_LT(took, std::chrono::milliseconds(5000))
      << std::chrono::duration_cast<milliseconds>(took).count() << " ms";
}

// Credentials in an S3 endpoint URL appear in no error and no log line of a Db.
TEST(LoudFailuresTest, EndpointCredentialsAreInNoErrorAndNoLogLine) {
  S3Config c;
  c.bucket = "bucket";
  c.endpoint = "http://user:secret@127.0.0.1:" + std::to_string(testing::ClosedLoopbackPort());
  c.allow_http = true;
  c.connect_timeout_ms = 1000;
  auto s3 = NewS3ObjectStore(c);
  ASSERT_OK(s3) << s3.status().ToString();
  auto logger = std::make_shared<CapturingLogger>(LogLevel::kInfo);
  Components comp;
  comp.object_store = *s3;
  comp.logger = logger;
  auto db = Db::Open("db", std::move(comp), FastSettings());
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().ToString().find("secret"), std::string::npos) << db.status().ToString();
  EXPECT_NE(db.status().ToString().find("***@127.0.0.1"), std::string::npos)
      << db.status().ToString();
  for (const auto& line : logger->lines())
    EXPECT_EQ(line.find("secret"), std::string::npos) << line;
}

}  // namespace
}  // namespace slatedb
