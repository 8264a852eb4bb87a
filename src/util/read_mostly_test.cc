// Tests of util::ReadMostly (util/read_mostly.h): what a Pin sees, when replaced values are
// freed (Store's scrape, a Pin ending, a thread exiting, the instance's destruction), nested
// Pins, and many readers against a writer (run under TSan in CI).
#include "util/read_mostly.h"

#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <memory>
#include <thread>
#include <vector>

namespace slatedb::util {
namespace {

TEST(ReadMostlyTest, PinAndLoadSeeTheLatestStore) {
  ReadMostly<int> rm;
  EXPECT_FALSE(rm.Pin());
  EXPECT_EQ(rm.Load(), nullptr);
  rm.Store(std::make_shared<int>(1));
  {
    auto pin = rm.Pin();
    ASSERT_TRUE(pin);
    EXPECT_EQ(*pin, 1);
  }
  rm.Store(std::make_shared<int>(2));
  EXPECT_EQ(*rm.Pin(), 2);  // the cached 1 is stale: the version moved
  EXPECT_EQ(*rm.Load(), 2);
  ReadMostly<int> given(std::make_shared<int>(7));
  EXPECT_EQ(*given.Pin(), 7);
  EXPECT_EQ(given.Pin().shared().get(), given.Load().get());
}

TEST(ReadMostlyTest, StoreReleasesTheValueAnIdleThreadCached) {
  ReadMostly<int> rm;
  auto first = std::make_shared<int>(1);
  std::weak_ptr<int> weak = first;
  rm.Store(std::move(first));
  std::latch pinned(1), stored(1);
  std::thread reader([&] {
    { EXPECT_EQ(*rm.Pin(), 1); }  // the slot now caches a reference to 1
    pinned.count_down();
    stored.wait();
    EXPECT_EQ(*rm.Pin(), 2);
  });
  pinned.wait();
  EXPECT_EQ(weak.use_count(), 2);  // the instance's and the reader's cached one
  rm.Store(std::make_shared<int>(2));
  EXPECT_TRUE(weak.expired());  // taken back from the idle reader's slot by the scrape
  stored.count_down();
  reader.join();
}

TEST(ReadMostlyTest, AValuePinnedDuringStoreLivesUntilThePinEnds) {
  ReadMostly<int> rm(std::make_shared<int>(1));
  std::weak_ptr<const int> weak = rm.Load();
  {
    auto pin = rm.Pin();
    rm.Store(std::make_shared<int>(2));
    EXPECT_FALSE(weak.expired());
    EXPECT_EQ(*pin, 1);
    EXPECT_EQ(*rm.Load(), 2);
  }
  EXPECT_TRUE(weak.expired());  // the scrape found the slot in use: the Pin dropped it
  EXPECT_EQ(*rm.Pin(), 2);
}

TEST(ReadMostlyTest, AThreadsExitReleasesItsCachedReference) {
  auto value = std::make_shared<int>(5);
  ReadMostly<int> rm(value);
  std::thread([&] { EXPECT_EQ(*rm.Pin(), 5); }).join();
  EXPECT_EQ(value.use_count(), 2);  // ours and the instance's: the exited thread's is gone
  // A new thread registers; the exited thread's slot is unlisted then (nothing leaks or breaks).
  std::thread([&] { EXPECT_EQ(*rm.Pin(), 5); }).join();
  EXPECT_EQ(value.use_count(), 2);
}

TEST(ReadMostlyTest, DestroyingTheInstanceReleasesEveryThreadsReference) {
  auto value = std::make_shared<int>(3);
  std::latch pinned(1), destroyed(1);
  auto rm = std::make_unique<ReadMostly<int>>(value);
  std::thread reader([&] {
    { EXPECT_EQ(*rm->Pin(), 3); }
    pinned.count_down();
    destroyed.wait();
    ReadMostly<int> other(std::make_shared<int>(4));  // this thread's registry keeps working
    EXPECT_EQ(*other.Pin(), 4);
  });
  pinned.wait();
  EXPECT_EQ(value.use_count(), 3);
  rm.reset();
  EXPECT_EQ(value.use_count(), 1);
  destroyed.count_down();
  reader.join();
}

TEST(ReadMostlyTest, NestedPinsOnOneThreadEachHoldTheirValue) {
  ReadMostly<int> rm(std::make_shared<int>(1));
  std::weak_ptr<const int> one = rm.Load();
  {
    auto outer = rm.Pin();
    auto inner = rm.Pin();  // the slot is in use: a private reference
    EXPECT_EQ(*outer, 1);
    EXPECT_EQ(*inner, 1);
    rm.Store(std::make_shared<int>(2));
    auto third = rm.Pin();
    EXPECT_EQ(*third, 2);
    EXPECT_EQ(*outer, 1);
  }
  EXPECT_TRUE(one.expired());
  {
    auto a = rm.Pin();
    auto moved = std::move(a);
    EXPECT_EQ(*moved, 2);
  }
  EXPECT_EQ(rm.Load().use_count(), 3);  // the instance, the slot's cache, this copy
}

TEST(ReadMostlyTest, ReadersNeverSeeAnOlderValueThanOneTheyAlreadySaw) {
  ReadMostly<int> rm(std::make_shared<int>(0));
  constexpr int kStores = 20000;
  constexpr int kReaders = 4;
  std::atomic<bool> done{false};
  std::latch started(kReaders);  // every reader pins before the stores begin (and during them)
  std::vector<std::thread> readers;
  for (int t = 0; t < kReaders; ++t) {
    readers.emplace_back([&] {
      int last = 0;
      EXPECT_EQ(*rm.Pin(), 0);
      started.count_down();
      while (!done.load()) {
        auto pin = rm.Pin();
        ASSERT_TRUE(pin);
        EXPECT_GE(*pin, last);
        last = *pin;
      }
      EXPECT_EQ(*rm.Pin(), kStores);  // after the writer finished, the newest value
    });
  }
  started.wait();
  for (int i = 1; i <= kStores; ++i) rm.Store(std::make_shared<int>(i));
  done = true;
  for (auto& r : readers) r.join();
  EXPECT_EQ(rm.Load().use_count(), 2);  // the instance and this copy: every reader exited
}

}  // namespace
}  // namespace slatedb::util
