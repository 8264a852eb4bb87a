// Unit tests of the object-store layer that need no server: retrying and fault-injecting
// wrappers (over memory), OpenObjectStore URLs, local-store specifics, S3 configuration and
// failure to reach an endpoint, helpers.
#include "slatedb/object_store.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "object_store/aws_test_support.h"
#include "object_store/fault_injecting_object_store.h"
#include "object_store/key.h"
#include "object_store/memory_object_store.h"
#include "object_store/retrying_object_store.h"
#include "object_store/s3_object_store.h"
#include "subprocess.h"
#include "test_util.h"
#include "util/clock.h"

namespace slatedb {
namespace {

using std::chrono::milliseconds;

// ---------------------------------------------------------------- fault injector

std::vector<StatusCode> RunSequence(uint64_t seed) {
  auto inner = NewMemoryObjectStore();
  FaultOptions fo;
  fo.seed = seed;
  fo.SetAllErrorRates(0.3);
  fo.reply_lost_rate = 0.2;
  auto f = NewFaultInjectingObjectStore(inner, fo);
  std::vector<StatusCode> codes;
  for (int i = 0; i < 200; ++i) {
    std::string key = "k" + std::to_string(i % 17);
    switch (i % 5) {
      case 0:
        codes.push_back(f->Put(key, "v").status().code());
        break;
      case 1:
        codes.push_back(f->PutIfAbsent(key, "v").status().code());
        break;
      case 2:
        codes.push_back(f->Get(key).status().code());
        break;
      case 3:
        codes.push_back(f->Head(key).status().code());
        break;
      case 4:
        codes.push_back(f->Delete(key).code());
        break;
    }
  }
  return codes;
}

TEST(FaultInjectingObjectStore, SameSeedSameFaults) {
  auto a = RunSequence(7);
  auto b = RunSequence(7);
  auto c = RunSequence(8);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  int unavailable = 0;
  for (auto code : a) unavailable += code == StatusCode::kUnavailable;
  EXPECT_GT(unavailable, 20);  // ~0.3 + lost replies of 200
  EXPECT_LT(unavailable, 140);
}

TEST(FaultInjectingObjectStore, CountsRequestsByKind) {
  auto f = NewFaultInjectingObjectStore(NewMemoryObjectStore(), {});
  auto e = f->Put("a", "1");
  ASSERT_OK(e);
  ASSERT_OK(f->Put("b", "2"));
  EXPECT_OK(f->PutIfAbsent("c", "3"));
  EXPECT_OK(f->PutIfMatch("a", "4", *e));
  EXPECT_OK(f->Get("a"));
  EXPECT_OK(f->GetRange("a", 0, 1));
  EXPECT_OK(f->GetSuffix("a", 1));
  EXPECT_OK(f->Head("b"));
  EXPECT_TRUE(f->Head("zz").status().IsNotFound());
  EXPECT_OK(f->List(""));
  EXPECT_OK(f->Delete("b"));
  RequestCounts c = f->counts();
  EXPECT_EQ(c.put, 2u);
  EXPECT_EQ(c.put_if_absent, 1u);
  EXPECT_EQ(c.put_if_match, 1u);
  EXPECT_EQ(c.get, 1u);
  EXPECT_EQ(c.get_range, 2u);
  EXPECT_EQ(c.head, 2u);
  EXPECT_EQ(c.list, 1u);
  EXPECT_EQ(c.delete_, 1u);
  EXPECT_EQ(c.Total(), 11u);
  EXPECT_EQ(c.Of(ObjectStoreOp::kHead), 2u);
  EXPECT_EQ(c.injected_errors, 0u);
  f->ResetCounts();
  EXPECT_EQ(f->counts().Total(), 0u);
  EXPECT_NE(f->Describe().find("memory:///"), std::string::npos);
}

TEST(FaultInjectingObjectStore, OptionsChangeAtRuntime) {
  FaultOptions fo;
  fo.SetErrorRate(ObjectStoreOp::kGet, 1.0);
  auto inner = NewMemoryObjectStore();
  ASSERT_OK(inner->Put("k", "v"));
  auto f = NewFaultInjectingObjectStore(inner, fo);
  auto r = f->Get("k");
  EXPECT_TRUE(r.status().IsUnavailable());
  EXPECT_NE(r.status().message().find("injected fault"), std::string::npos);
  EXPECT_OK(f->Head("k"));  // only gets fail
  fo.SetErrorRate(ObjectStoreOp::kGet, 0.0);
  f->SetOptions(fo);
  EXPECT_EQ(f->Get("k").value_or("?"), "v");
  EXPECT_EQ(f->counts().injected_errors, 1u);
  EXPECT_EQ(f->options().error_rate[static_cast<int>(ObjectStoreOp::kGet)], 0.0);
}

TEST(FaultInjectingObjectStore, LostReplyStillWrites) {
  FaultOptions fo;
  fo.reply_lost_rate = 1.0;
  auto inner = NewMemoryObjectStore();
  auto f = NewFaultInjectingObjectStore(inner, fo);
  EXPECT_TRUE(f->Put("k", "v").status().IsUnavailable());
  EXPECT_EQ(inner->Get("k").value_or("?"), "v");
  EXPECT_TRUE(f->PutIfAbsent("k2", "v2").status().IsUnavailable());
  EXPECT_EQ(inner->Get("k2").value_or("?"), "v2");
  EXPECT_OK(f->Get("k"));  // reads never lose replies
  EXPECT_EQ(f->counts().lost_replies, 2u);
}

TEST(FaultInjectingObjectStore, InjectedLatencyWithinBounds) {
  std::vector<std::chrono::microseconds> sleeps;
  std::mutex mu;
  FaultOptions fo;
  fo.latency = std::chrono::microseconds(100);
  fo.latency_jitter = std::chrono::microseconds(50);
  fo.sleeper = [&](std::chrono::microseconds d) {
    std::lock_guard<std::mutex> l(mu);
    sleeps.push_back(d);
  };
  auto f = NewFaultInjectingObjectStore(NewMemoryObjectStore(), fo);
  for (int i = 0; i < 50; ++i) EXPECT_OK(f->Put("k", "v"));
  ASSERT_EQ(sleeps.size(), 50u);
  bool varied = false;
  for (auto d : sleeps) {
    EXPECT_GE(d.count(), 100);
    EXPECT_LE(d.count(), 150);
    varied |= d != sleeps[0];
  }
  EXPECT_TRUE(varied);
}

TEST(FaultInjectingObjectStore, ConcurrentCallsAreCounted) {
  FaultOptions fo;
  fo.SetAllErrorRates(0.5);
  auto f = NewFaultInjectingObjectStore(NewMemoryObjectStore(), fo);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 250; ++i) {
        if (!f->Put("t" + std::to_string(t), "v").ok()) failures.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  RequestCounts c = f->counts();
  EXPECT_EQ(c.put, 1000u);
  EXPECT_EQ(c.injected_errors, static_cast<uint64_t>(failures.load()));
}

// ---------------------------------------------------------------- retrying wrapper

struct RetryHarness {
  std::shared_ptr<ObjectStore> inner = NewMemoryObjectStore();
  std::shared_ptr<FaultInjectingObjectStore> faults;
  std::shared_ptr<ObjectStore> store;
  std::vector<milliseconds> sleeps;
  std::function<void()> on_sleep;

  explicit RetryHarness(FaultOptions fo, int max_attempts = 10) {
    faults = NewFaultInjectingObjectStore(inner, std::move(fo));
    RetryOptions ro;
    ro.max_attempts = max_attempts;
    ro.base_delay = milliseconds(10);
    ro.max_delay = milliseconds(80);
    ro.seed = 3;
    ro.sleeper = [this](milliseconds d) {
      sleeps.push_back(d);
      if (on_sleep) on_sleep();
    };
    store = NewRetryingObjectStore(faults, ro);
  }
};

TEST(RetryingObjectStore, TransientErrorsAreRetriedToSuccess) {
  FaultOptions fo;
  fo.seed = 11;
  fo.SetAllErrorRates(0.5);
  RetryHarness h(fo, 50);
  for (int i = 0; i < 100; ++i) {
    std::string key = "k" + std::to_string(i);
    ASSERT_OK(h.store->Put(key, "v" + std::to_string(i))) << i;
    ASSERT_EQ(h.store->Get(key).value_or("?"), "v" + std::to_string(i));
    ASSERT_OK(h.store->Head(key));
  }
  ASSERT_OK(h.store->List("k"));
  ASSERT_OK(h.store->Delete("k1"));
  EXPECT_GT(h.faults->counts().injected_errors, 50u);
  EXPECT_EQ(h.sleeps.size(), h.faults->counts().injected_errors);
}

TEST(RetryingObjectStore, ReplyLostPutIfAbsentReportedAsSuccess) {
  FaultOptions fo;
  fo.reply_lost_rate = 1.0;
  RetryHarness h(fo);
  // After the first (landed, reply lost) attempt, stop losing replies.
  h.on_sleep = [&] { h.faults->SetOptions(FaultOptions{}); };
  auto r = h.store->PutIfAbsent("manifest/1", "m1");
  ASSERT_OK(r) << r.status().ToString();
  auto head = h.inner->Head("manifest/1");
  ASSERT_OK(head);
  EXPECT_EQ(*r, head->etag);
  EXPECT_EQ(head->metadata.count(kPutIdMetadata), 1u);
  RequestCounts c = h.faults->counts();
  EXPECT_EQ(c.put_if_absent, 2u);  // landed + retried (AlreadyExists)
  EXPECT_EQ(c.head, 1u);           // put-id check
  EXPECT_EQ(c.lost_replies, 1u);
}

TEST(RetryingObjectStore, ReplyLostPutIfMatchReportedAsSuccess) {
  FaultOptions fo;
  RetryHarness h(fo);
  auto e1 = h.store->Put("cas", "v1");
  ASSERT_OK(e1);
  fo.reply_lost_rate = 1.0;
  h.faults->SetOptions(fo);
  h.on_sleep = [&] { h.faults->SetOptions(FaultOptions{}); };
  auto r = h.store->PutIfMatch("cas", "v2", *e1);
  ASSERT_OK(r) << r.status().ToString();
  EXPECT_EQ(h.inner->Get("cas").value_or("?"), "v2");
  EXPECT_EQ(*r, h.inner->Head("cas")->etag);
}

TEST(RetryingObjectStore, ConflictWithSomeoneElsesWriteIsReported) {
  FaultOptions fo;
  fo.SetErrorRate(ObjectStoreOp::kPutIfAbsent, 1.0);  // first attempt fails without landing
  RetryHarness h(fo);
  h.on_sleep = [&] {
    h.faults->SetOptions(FaultOptions{});
    ASSERT_OK(h.inner->Put("manifest/2", "theirs"));  // a competing writer wins
  };
  auto r = h.store->PutIfAbsent("manifest/2", "mine");
  EXPECT_TRUE(r.status().IsAlreadyExists()) << r.status().ToString();
  EXPECT_EQ(h.inner->Get("manifest/2").value_or("?"), "theirs");
}

TEST(RetryingObjectStore, ConflictWithoutEarlierFailureIsNotChecked) {
  RetryHarness h(FaultOptions{});
  ASSERT_OK(h.store->PutIfAbsent("x", "1"));
  EXPECT_TRUE(h.store->PutIfAbsent("x", "2").status().IsAlreadyExists());
  EXPECT_EQ(h.faults->counts().head, 0u);
  EXPECT_TRUE(h.sleeps.empty());
}

TEST(RetryingObjectStore, PermanentErrorsAreNotRetried) {
  FaultOptions fo;
  fo.SetAllErrorRates(1.0);
  fo.injected_code = StatusCode::kPermissionDenied;
  RetryHarness h(fo);
  EXPECT_TRUE(h.store->Get("k").status().IsPermissionDenied());
  EXPECT_TRUE(h.store->Put("k", "v").status().IsPermissionDenied());
  EXPECT_EQ(h.faults->counts().get, 1u);
  EXPECT_EQ(h.faults->counts().put, 1u);
  h.faults->SetOptions(FaultOptions{});
  EXPECT_TRUE(h.store->Get("missing").status().IsNotFound());
  EXPECT_TRUE(h.store->Get("/bad").status().IsInvalid());
  EXPECT_EQ(h.faults->counts().get, 3u);
  EXPECT_TRUE(h.sleeps.empty());
}

TEST(RetryingObjectStore, AttemptsAreBounded) {
  FaultOptions fo;
  fo.SetAllErrorRates(1.0);
  RetryHarness h(fo, 4);
  auto r = h.store->Get("k");
  ASSERT_TRUE(r.status().IsUnavailable());
  EXPECT_NE(r.status().message().find("4 attempt"), std::string::npos) << r.status().ToString();
  EXPECT_NE(r.status().message().find("injected fault"), std::string::npos);
  EXPECT_EQ(h.faults->counts().get, 4u);
  ASSERT_EQ(h.sleeps.size(), 3u);
  // Full jitter under an exponential cap: 10, 20, 40 ms.
  EXPECT_LE(h.sleeps[0].count(), 10);
  EXPECT_LE(h.sleeps[1].count(), 20);
  EXPECT_LE(h.sleeps[2].count(), 40);
  EXPECT_TRUE(h.store->PutIfAbsent("k", "v").status().IsUnavailable());
  EXPECT_EQ(h.faults->counts().put_if_absent, 4u);
}

TEST(RetryingObjectStore, TotalDeadlineBoundsRetries) {
  auto clock = std::make_shared<util::ManualClock>(1000000);
  FaultOptions fo;
  fo.SetAllErrorRates(1.0);
  auto faults = NewFaultInjectingObjectStore(NewMemoryObjectStore(), fo);
  RetryOptions ro;
  ro.max_attempts = 1000000;
  ro.total_deadline = milliseconds(1000);
  ro.base_delay = milliseconds(100);
  ro.max_delay = milliseconds(400);
  ro.clock = clock;
  int64_t slept = 0;
  ro.sleeper = [&](milliseconds d) {
    slept += d.count();
    clock->Advance(d.count() + 1);
  };
  auto store = NewRetryingObjectStore(faults, ro);
  auto r = store->Head("k");
  EXPECT_TRUE(r.status().IsUnavailable());
  EXPECT_LT(slept, 1000);
  EXPECT_GE(faults->counts().head, 2u);
  EXPECT_LT(faults->counts().head, 1000u);
}

// ---------------------------------------------------------------- OpenObjectStore

TEST(OpenObjectStore, MemoryUrl) {
  auto a = OpenObjectStore("memory:///");
  ASSERT_OK(a) << a.status().ToString();
  auto b = OpenObjectStore("memory:///");
  ASSERT_OK(b);
  ASSERT_OK((*a)->Put("k", "v"));
  EXPECT_TRUE((*b)->Get("k").status().IsNotFound());  // a fresh store each call
  EXPECT_EQ((*a)->Describe(), "memory:///");
  EXPECT_TRUE(OpenObjectStore("memory:///x").status().IsInvalid());
}

TEST(OpenObjectStore, FileUrl) {
  auto dir = std::filesystem::temp_directory_path() / ("slatedb-open-" + std::to_string(getpid()));
  auto s = OpenObjectStore("file://" + dir.string());
  ASSERT_OK(s) << s.status().ToString();
  ASSERT_OK((*s)->Put("x/y", "v"));
  EXPECT_TRUE(std::filesystem::exists(dir / "x" / "y"));
  EXPECT_EQ((*s)->Describe(), "file://" + dir.string());
  std::filesystem::remove_all(dir);
  auto rel = OpenObjectStore("file://relative/dir");
  EXPECT_TRUE(rel.status().IsInvalid());
  EXPECT_NE(rel.status().message().find("file://relative/dir"), std::string::npos);
  EXPECT_TRUE(OpenObjectStore("file://").status().IsInvalid());
}

TEST(OpenObjectStore, UnknownSchemeAndMalformedUrls) {
  auto r = OpenObjectStore("foo://x");
  ASSERT_TRUE(r.status().IsInvalid());
  EXPECT_EQ(r.status().message(),
            "unknown object store URL scheme 'foo' in 'foo://x' (expected memory:///, "
            "file:///abs/dir or s3://bucket/prefix)");
  EXPECT_TRUE(OpenObjectStore("").status().IsInvalid());
  EXPECT_TRUE(OpenObjectStore("/abs/path").status().IsInvalid());
  EXPECT_TRUE(OpenObjectStore("://x").status().IsInvalid());
  EXPECT_TRUE(OpenObjectStore("s3://").status().IsInvalid());
  auto bad_bucket = OpenObjectStore("s3://Bad_Bucket/prefix");
  EXPECT_TRUE(bad_bucket.status().IsInvalid());
  EXPECT_NE(bad_bucket.status().message().find("Bad_Bucket"), std::string::npos);
}

// ---------------------------------------------------------------- local store specifics

class LocalStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = std::filesystem::temp_directory_path() /
            ("slatedb-local-" + std::to_string(getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(base_);
    std::filesystem::create_directories(base_);
    root_ = base_ / "root";
    auto s = NewLocalObjectStore(root_.string());
    ASSERT_OK(s) << s.status().ToString();
    store_ = *s;
  }
  void TearDown() override { std::filesystem::remove_all(base_); }

  std::filesystem::path base_, root_;
  std::shared_ptr<ObjectStore> store_;
};

TEST_F(LocalStoreTest, RelativeAndBadRootsAreInvalid) {
  EXPECT_TRUE(NewLocalObjectStore("relative/dir").status().IsInvalid());
  EXPECT_TRUE(NewLocalObjectStore("").status().IsInvalid());
  EXPECT_TRUE(NewLocalObjectStore("/").status().IsInvalid());
  std::ofstream(base_ / "afile") << "x";
  auto f = NewLocalObjectStore((base_ / "afile").string());
  EXPECT_FALSE(f.ok());
}

TEST_F(LocalStoreTest, OpeningAndReadingNeverCreatesTheRoot) {
  // Opening, listing and reading a missing root leave nothing behind; the first write creates it.
  EXPECT_FALSE(std::filesystem::exists(root_));
  auto list = store_->List("db/");
  ASSERT_OK(list) << list.status().ToString();
  EXPECT_TRUE(list->empty());
  EXPECT_TRUE(store_->Get("db/x").status().IsNotFound());
  EXPECT_TRUE(store_->Head("db/x").status().IsNotFound());
  EXPECT_FALSE(std::filesystem::exists(root_));
  ASSERT_OK(store_->PutIfAbsent("db/x", "1"));
  EXPECT_TRUE(std::filesystem::is_directory(root_));
}

TEST_F(LocalStoreTest, ReadOnlyUseLeavesTheDirectoryUntouched) {
  auto dir = base_ / "fixture";
  std::filesystem::create_directories(dir / "db");
  std::ofstream(dir / "db" / "obj") << "data";
  std::filesystem::permissions(
      dir, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
  auto s = NewLocalObjectStore(dir.string());
  ASSERT_OK(s) << s.status().ToString();
  EXPECT_EQ((*s)->Get("db/obj").value_or("?"), "data");
  auto l = (*s)->List("");
  ASSERT_OK(l);
  EXPECT_EQ(l->size(), 1u);
  EXPECT_FALSE(std::filesystem::exists(dir / ".tmp.lock"));
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all);
}

TEST_F(LocalStoreTest, KeysCannotEscapeTheRoot) {
  for (const char* k : {"../escape", "a/../../escape", "/tmp/escape", "a//b", "./x"}) {
    auto r = store_->Put(k, "x");
    EXPECT_TRUE(r.status().IsInvalid()) << k;
    EXPECT_NE(r.status().message().find(k), std::string::npos) << r.status().ToString();
  }
  EXPECT_FALSE(std::filesystem::exists(base_ / "escape"));
  EXPECT_TRUE(store_->List("../").status().IsInvalid());
}

TEST_F(LocalStoreTest, TempFilesAreInvisibleAndCleanedUp) {
  ASSERT_OK(store_->Put("d/a", "1"));
  ASSERT_OK(store_->PutIfAbsent("d/b", "2"));
  EXPECT_TRUE(store_->PutIfAbsent("d/b", "3").status().IsAlreadyExists());
  auto e = store_->Head("d/a");
  ASSERT_OK(e);
  EXPECT_TRUE(store_->PutIfMatch("d/a", "4", "stale").status().IsPreconditionFailed());
  // A leftover temp file (e.g. from a crash) is ignored by List.
  std::ofstream(root_ / "d" / ".tmp.crashed") << "junk";
  auto l = store_->List("");
  ASSERT_OK(l);
  ASSERT_EQ(l->size(), 2u);
  EXPECT_EQ((*l)[0].key, "d/a");
  EXPECT_EQ((*l)[1].key, "d/b");
  int temps = 0;
  for (auto& p : std::filesystem::recursive_directory_iterator(root_)) {
    temps += p.path().filename().string().rfind(".tmp.", 0) == 0;
  }
  EXPECT_EQ(temps, 2);  // the lock file and the simulated crash leftover only
}

TEST_F(LocalStoreTest, DeletePrunesEmptyDirectories) {
  ASSERT_OK(store_->Put("x/y/z", "1"));
  ASSERT_OK(store_->Delete("x/y/z"));
  EXPECT_FALSE(std::filesystem::exists(root_ / "x"));
  EXPECT_TRUE(std::filesystem::exists(root_));
}

TEST_F(LocalStoreTest, PutIfMatchIsAtomicAcrossStoreInstances) {
  // Two instances on one root (as two processes would be): concurrent CAS increments of a
  // counter never lose an update.
  auto other = NewLocalObjectStore(root_.string());
  ASSERT_OK(other);
  ASSERT_OK(store_->Put("counter", "0"));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    std::shared_ptr<ObjectStore> s = (t % 2 == 0) ? store_ : *other;
    threads.emplace_back([s] {
      for (int done = 0; done < 25;) {
        auto h = s->Head("counter");
        auto v = s->Get("counter");
        if (!h.ok() || !v.ok()) continue;
        int n = std::stoi(*v);
        auto r = s->PutIfMatch("counter", std::to_string(n + 1), h->etag);
        if (r.ok()) ++done;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(store_->Get("counter").value_or("?"), "100");
}

TEST_F(LocalStoreTest, ObjectUsedAsDirectoryIsAClearError) {
  ASSERT_OK(store_->Put("file", "1"));
  auto r = store_->Put("file/child", "2");
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("file/child"), std::string::npos) << r.status().ToString();
  EXPECT_TRUE(store_->Get("file/child").status().IsNotFound());
  ASSERT_OK(store_->Put("dir/child", "3"));
  EXPECT_TRUE(store_->PutIfAbsent("dir", "4").status().IsInvalid());
  EXPECT_FALSE(store_->Put("dir", "4").ok());
  EXPECT_TRUE(store_->Get("dir").status().IsNotFound());
  EXPECT_TRUE(store_->Head("dir").status().IsNotFound());
}

// ---------------------------------------------------------------- S3 configuration / network

// Open descriptors of this process whose target is `path` (also once it is deleted).
int OpenFdsOf(const std::filesystem::path& path) {
  int n = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    std::error_code ec2;
    std::string target = std::filesystem::read_symlink(e.path(), ec2).string();
    if (!ec2 && (target == path.string() || target == path.string() + " (deleted)")) ++n;
  }
  return n;
}

TEST_F(LocalStoreTest, ReaderKeepsOneDescriptorForItsLife) {
  ASSERT_OK(store_->Put("sst/a.sst", "0123456789"));
  const auto path = root_ / "sst/a.sst";
  EXPECT_EQ(OpenFdsOf(path), 0);
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<ObjectReader> r, store_->OpenReader("sst/a.sst"));
    EXPECT_EQ(OpenFdsOf(path), 1);
    for (int i = 0; i < 50; ++i)
      ASSERT_EQ(r->ReadAt(i % 10, 1).value_or("?"), std::to_string(i % 10));
    EXPECT_EQ(r->ReadSuffix(2).value_or("?"), "89");
    EXPECT_EQ(OpenFdsOf(path), 1);  // the same descriptor, no reopen per read
    // Replaced underneath (rename): the reader keeps reading the file it opened.
    ASSERT_OK(store_->Put("sst/a.sst", "abcdefghijklmnop"));
    EXPECT_EQ(r->ReadAt(0, 10).value_or("?"), "0123456789");
    EXPECT_EQ(r->Size().value_or(0), 10u);
    EXPECT_EQ(r->ReadAt(5, 6).status().code(), StatusCode::kData);
  }
  EXPECT_EQ(OpenFdsOf(path), 0);                                 // destroying the reader closed it
  EXPECT_TRUE(store_->OpenReader("sst").status().IsNotFound());  // a directory is no object
  EXPECT_TRUE(store_->OpenReader("../escape").status().IsInvalid());
}

TEST_F(LocalStoreTest, ReadersBeyondTheDescriptorCapOpenPerRead) {
  LocalObjectStoreOptions opts;
  opts.max_open_readers = 2;
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<ObjectStore> store,
                       NewLocalObjectStore(root_.string(), opts));
  ASSERT_OK(store->Put("f", "hello world"));
  const auto path = root_ / "f";
  std::vector<std::unique_ptr<ObjectReader>> readers;
  for (int i = 0; i < 4; ++i) {
    ASSERT_OK_AND_ASSIGN(auto r, store->OpenReader("f"));
    readers.push_back(std::move(r));
  }
  EXPECT_EQ(OpenFdsOf(path), 2);  // the cap
  for (auto& r : readers) {
    EXPECT_EQ(r->ReadAt(6, 5).value_or("?"), "world");
    EXPECT_EQ(r->Size().value_or(0), 11u);
  }
  EXPECT_EQ(OpenFdsOf(path), 2);  // the per-read opens were closed again
  ASSERT_OK(store->Delete("f"));
  // The first two hold their (now deleted) file; the others open per read and find it gone.
  EXPECT_EQ(readers[0]->ReadAt(0, 5).value_or("?"), "hello");
  EXPECT_EQ(readers[1]->ReadSuffix(5).value_or("?"), "world");
  for (int i = 2; i < 4; ++i) {
    auto st = readers[i]->ReadAt(0, 5).status();
    EXPECT_TRUE(st.IsNotFound()) << st.ToString();
    EXPECT_NE(st.message().find("'f'"), std::string::npos) << st.ToString();
  }
  // Dropping a descriptor-holding reader frees its slot for the next reader.
  readers.erase(readers.begin());
  EXPECT_EQ(OpenFdsOf(path), 1);
  ASSERT_OK(store->Put("g", "again"));
  ASSERT_OK_AND_ASSIGN(auto g, store->OpenReader("g"));
  EXPECT_EQ(OpenFdsOf(root_ / "g"), 1);
  readers.clear();
  EXPECT_EQ(OpenFdsOf(path), 0);
}

TEST_F(LocalStoreTest, ReaderWithoutDescriptorReportsAReplacedObject) {
  LocalObjectStoreOptions opts;
  opts.max_open_readers = 0;
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<ObjectStore> store,
                       NewLocalObjectStore(root_.string(), opts));
  ASSERT_OK(store->Put("x", "version one"));
  ASSERT_OK_AND_ASSIGN(auto r, store->OpenReader("x"));
  EXPECT_EQ(OpenFdsOf(root_ / "x"), 0);
  EXPECT_EQ(r->ReadAt(0, 7).value_or("?"), "version");
  ASSERT_OK(store->Put("x", "version two"));  // a new inode
  auto st = r->ReadAt(0, 7).status();
  EXPECT_TRUE(st.IsNotFound()) << st.ToString();
  EXPECT_NE(st.message().find("replaced"), std::string::npos) << st.ToString();
}

TEST(ObjectReaderDefault, DecoratorsSeeEveryReadAsGetRange) {
  // Fault-injecting store: the base-class reader goes through its GetRange / GetSuffix / Head,
  // so reads are counted and faults injected.
  auto f = NewFaultInjectingObjectStore(NewMemoryObjectStore(), {});
  ASSERT_OK(f->Put("o", "abcdef"));
  f->ResetCounts();
  ASSERT_OK_AND_ASSIGN(auto r, f->OpenReader("o"));
  EXPECT_EQ(f->counts().Total(), 0u);  // opening does no I/O
  EXPECT_EQ(r->ReadAt(1, 2).value_or("?"), "bc");
  EXPECT_EQ(r->ReadSuffix(2).value_or("?"), "ef");
  EXPECT_EQ(r->Size().value_or(0), 6u);
  EXPECT_EQ(r->Size().value_or(0), 6u);
  EXPECT_EQ(f->counts().get_range, 2u);
  EXPECT_EQ(f->counts().head, 1u);  // memoized
  FaultOptions fo;
  fo.error_rate[static_cast<int>(ObjectStoreOp::kGetRange)] = 1.0;
  f->SetOptions(fo);
  EXPECT_TRUE(r->ReadAt(0, 1).status().IsUnavailable());
  // Retrying store over it: the reader's reads are retried (through its GetRange).
  fo.error_rate[static_cast<int>(ObjectStoreOp::kGetRange)] = 0.5;
  fo.seed = 5;
  f->SetOptions(fo);
  RetryOptions ro;
  ro.max_attempts = 50;
  ro.sleeper = [](milliseconds) {};
  auto retrying = NewRetryingObjectStore(f, ro);
  ASSERT_OK_AND_ASSIGN(auto rr, retrying->OpenReader("o"));
  for (int i = 0; i < 20; ++i) ASSERT_EQ(rr->ReadAt(2, 3).value_or("?"), "cde") << i;
  EXPECT_GT(f->counts().injected_errors, 1u);
}

// The GetRangeInto default goes through the decorator's own GetRange (counted, faults injected);
// the metrics decorator forwards it to the inner store and counts it as a get_range.
TEST(GetRangeIntoDefault, DecoratorsSeeItAsGetRange) {
  auto f = NewFaultInjectingObjectStore(NewMemoryObjectStore(), {});
  ASSERT_OK(f->Put("o", "abcdef"));
  f->ResetCounts();
  char buf[3] = {};
  ASSERT_OK(f->GetRangeInto("o", 1, 3, buf));
  EXPECT_EQ(std::string(buf, 3), "bcd");
  EXPECT_EQ(f->counts().get_range, 1u);
  FaultOptions fo;
  fo.error_rate[static_cast<int>(ObjectStoreOp::kGetRange)] = 1.0;
  f->SetOptions(fo);
  EXPECT_TRUE(f->GetRangeInto("o", 0, 1, buf).IsUnavailable());
}

TEST(S3Config, BucketNames) {
  for (const char* ok : {"abc", "my-bucket", "my.bucket.name", "a1b2c3", "slatedb-test-0123"}) {
    EXPECT_OK(ValidateS3BucketName(ok)) << ok;
  }
  for (const char* bad : {"ab", "UPPER", "under_score", "-leading", "trailing-", "a..b",
                          "192.168.1.1", "xn--abc", "has space", "a.-b", "bucket-s3alias",
                          "0123456789012345678901234567890123456789012345678901234567890123"}) {
    auto st = ValidateS3BucketName(bad);
    EXPECT_TRUE(st.IsInvalid()) << bad;
    EXPECT_NE(st.message().find(bad), std::string::npos) << st.message();
  }
}

TEST(S3Config, EndpointAndCredentialValidation) {
  S3Config c;
  c.bucket = "bucket";
  c.endpoint = "http://127.0.0.1:9";
  auto r = NewS3ObjectStore(c);
  EXPECT_TRUE(r.status().IsInvalid());
  EXPECT_NE(r.status().message().find("AWS_ALLOW_HTTP"), std::string::npos);
  c.allow_http = true;
  EXPECT_OK(NewS3ObjectStore(c));
  c.endpoint = "ftp://x";
  EXPECT_TRUE(NewS3ObjectStore(c).status().IsInvalid());
  c.endpoint = "https://example.com";
  c.access_key_id = "AKID";
  auto partial = NewS3ObjectStore(c);
  EXPECT_TRUE(partial.status().IsInvalid());
  c.secret_access_key = "bad secret with spaces";
  auto spaced = NewS3ObjectStore(c);
  EXPECT_TRUE(spaced.status().IsInvalid());
  EXPECT_EQ(spaced.status().message().find("bad secret"), std::string::npos);
  c.secret_access_key = "ok";
  c.prefix = "/a/b/";
  auto p = NewS3ObjectStore(c);
  ASSERT_OK(p);
  EXPECT_EQ((*p)->Describe(), "s3://bucket/a/b");
  c.prefix = "a/../b";
  EXPECT_TRUE(NewS3ObjectStore(c).status().IsInvalid());
}

TEST(S3Config, FromEnvironment) {
  testing::TempDir home;  // no ~/.aws of the machine
  testing::ScopedAwsEnv env(home.path());
  setenv("AWS_ENDPOINT_URL", "http://localhost:1234", 1);
  setenv("AWS_ALLOW_HTTP", "true", 1);
  setenv("AWS_REGION", "eu-west-3", 1);
  setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "SECRETENV", 1);
  auto c = S3ConfigFromEnv("bucket", "pre/fix");
  ASSERT_OK(c) << c.status().ToString();
  EXPECT_EQ(c->endpoint, "http://localhost:1234");
  EXPECT_EQ(c->region, "eu-west-3");
  // Credentials come from the default chain, environment first (read at the first request).
  EXPECT_EQ(c->access_key_id, "");
  ASSERT_NE(c->credentials_provider, nullptr);
  auto creds = c->credentials_provider->GetCredentials();
  ASSERT_OK(creds) << creds.status().ToString();
  EXPECT_EQ(creds->access_key_id, "AKIDENV");
  EXPECT_EQ(creds->source, "environment");
  EXPECT_EQ(c->prefix, "pre/fix");
  EXPECT_TRUE(c->allow_http);
  setenv("AWS_ENDPOINT_URL_S3", "http://other:1", 1);
  EXPECT_EQ(S3ConfigFromEnv("bucket", "").value().endpoint, "http://other:1");
  setenv("AWS_ALLOW_HTTP", "false", 1);
  EXPECT_TRUE(S3ConfigFromEnv("bucket", "").status().IsInvalid());
  for (const char* v : {"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ALLOW_HTTP", "AWS_REGION",
                        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}) {
    unsetenv(v);
  }
  auto def = S3ConfigFromEnv("bucket", "");
  ASSERT_OK(def);
  EXPECT_EQ(def->region, "us-east-1");
  EXPECT_EQ(def->endpoint, "https://s3.us-east-1.amazonaws.com");
}

TEST(S3Network, UnreachableEndpointFailsFastAsUnavailable) {
  S3Config c;
  c.bucket = "bucket";
  c.endpoint = "http://127.0.0.1:" + std::to_string(testing::ClosedLoopbackPort());
  c.allow_http = true;
  c.access_key_id = "AKIDUNREACH";
  c.secret_access_key = "SUPERSECRETUNREACHABLE";
  c.session_token = "SESSIONTOKENUNREACHABLE";
  c.connect_timeout_ms = 1000;
  auto s3 = NewS3ObjectStore(c);
  ASSERT_OK(s3);
  RetryOptions ro;
  ro.max_attempts = 3;
  ro.base_delay = milliseconds(10);
  ro.max_delay = milliseconds(50);
  auto store = NewRetryingObjectStore(*s3, ro);
  auto start = std::chrono::steady_clock::now();
  auto r = store->Get("some/key");
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(r.status().IsUnavailable()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("3 attempt"), std::string::npos) << r.status().ToString();
  EXPECT_NE(r.status().message().find("127.0.0.1"), std::string::npos);
  EXPECT_EQ(r.status().message().find("SUPERSECRET"), std::string::npos);
  EXPECT_EQ(r.status().message().find("SESSIONTOKEN"), std::string::npos);
  // Not a timing assertion on speed, only a guard against hanging (connection refused).
  EXPECT_LT(elapsed, std::chrono::seconds(30));
  for (auto st : {store->Put("k", "v").status(), store->List("").status(), store->Delete("k")}) {
    EXPECT_TRUE(st.IsUnavailable()) << st.ToString();
  }
}

// Credentials in an endpoint URL (http://user:secret@host, e.g. from AWS_ENDPOINT_URL) are
// never echoed: every message shows http://***@host.
TEST(S3Network, CredentialsInEndpointUrlAreRedacted) {
  const std::string host_port = "127.0.0.1:" + std::to_string(testing::ClosedLoopbackPort());
  S3Config c;
  c.bucket = "bucket";
  c.endpoint = "http://user:secret@" + host_port;
  c.connect_timeout_ms = 1000;
  c.skip_signature = true;  // unsigned: the request reaches the (closed) endpoint
  // Refused (plain http): the message names the endpoint, redacted.
  auto refused = NewS3ObjectStore(c);
  ASSERT_TRUE(refused.status().IsInvalid());
  EXPECT_EQ(refused.status().message().find("secret"), std::string::npos)
      << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("http://***@" + host_port), std::string::npos)
      << refused.status().ToString();
  c.allow_http = true;
  auto s3 = NewS3ObjectStore(c);
  ASSERT_OK(s3) << s3.status().ToString();
  EXPECT_EQ((*s3)->Describe().find("secret"), std::string::npos) << (*s3)->Describe();
  for (auto st : {(*s3)->Get("some/key").status(), (*s3)->Put("k", "v").status(),
                  (*s3)->List("").status(), (*s3)->Delete("k")}) {
    EXPECT_TRUE(st.IsUnavailable()) << st.ToString();
    EXPECT_EQ(st.ToString().find("secret"), std::string::npos) << st.ToString();
    EXPECT_NE(st.ToString().find("http://***@" + host_port), std::string::npos) << st.ToString();
  }
  // Through OpenObjectStore and the environment.
  setenv("AWS_ENDPOINT_URL", ("http://user:secret@" + host_port).c_str(), 1);
  unsetenv("AWS_ALLOW_HTTP");
  auto from_env = OpenObjectStore("s3://bucket/p");
  unsetenv("AWS_ENDPOINT_URL");
  ASSERT_FALSE(from_env.ok());
  EXPECT_EQ(from_env.status().message().find("secret"), std::string::npos)
      << from_env.status().ToString();
  // Userinfo in the URL given to OpenObjectStore itself.
  for (const char* url : {"file://user:secret@host/dir", "s3://user:secret@/x",
                          "file://user:secret@localhost/dir?q", "bogus://user:secret@h/x"}) {
    auto r = OpenObjectStore(url);
    ASSERT_FALSE(r.ok()) << url;
    EXPECT_EQ(r.status().message().find("secret"), std::string::npos) << r.status().ToString();
  }
}

// ---------------------------------------------------------------- helpers

TEST(S3Helpers, UriEncode) {
  using s3_internal::UriEncode;
  EXPECT_EQ(UriEncode("a/b c+d=e&f~g_h-i.j", true), "a/b%20c%2Bd%3De%26f~g_h-i.j");
  EXPECT_EQ(UriEncode("a/b", false), "a%2Fb");
  EXPECT_EQ(UriEncode("\xc3\xa9", true), "%C3%A9");
}

TEST(S3Helpers, Sha256AndDates) {
  EXPECT_EQ(s3_internal::Sha256Hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(s3_internal::Sha256Hex("hello"),
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
  int64_t ms = 0;
  ASSERT_TRUE(s3_internal::ParseIso8601Millis("2026-11-26T12:28:17.123Z", &ms));
  EXPECT_EQ(ms, 1795696097123);
  ASSERT_TRUE(s3_internal::ParseIso8601Millis("1970-01-01T00:00:01Z", &ms));
  EXPECT_EQ(ms, 1000);
  EXPECT_FALSE(s3_internal::ParseIso8601Millis("yesterday", &ms));
}

TEST(KeyValidation, Messages) {
  auto st = object_store::ValidateKey(std::string("a\0b", 3));
  EXPECT_TRUE(st.IsInvalid());
  EXPECT_NE(st.message().find("a\\x00b"), std::string::npos) << st.message();
  EXPECT_OK(object_store::ValidateKey("a/b/c"));
  EXPECT_OK(object_store::ValidateListPrefix(""));
  EXPECT_OK(object_store::ValidateListPrefix("a/b"));
  EXPECT_OK(object_store::ValidateListPrefix("a/."));  // partial segment ".": harmless
  EXPECT_TRUE(object_store::ValidateListPrefix("../x").IsInvalid());
  EXPECT_TRUE(object_store::ValidateMetadata({{"Bad Name", "v"}}).IsInvalid());
  EXPECT_TRUE(object_store::ValidateMetadata({{"ok", "line\nbreak"}}).IsInvalid());
  EXPECT_OK(object_store::ValidateMetadata({{"slatedbputid", "abc"}}));
}

}  // namespace
}  // namespace slatedb
