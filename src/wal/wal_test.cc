// Tests of the WAL layer (WalBuffer, WalStore) and of the actor machinery it runs on
// (util::Channel, util::BackgroundTask).
#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "slatedb/object_store.h"
#include "test_util.h"
#include "util/background_task.h"
#include "util/channel.h"
#include "wal/wal_buffer.h"
#include "wal/wal_store.h"

namespace slatedb {
namespace {

format::RowEntry Row(std::string key, std::string value, uint64_t seq,
                     format::RowKind kind = format::RowKind::kValue) {
  format::RowEntry r;
  r.key = std::move(key);
  r.value = std::move(value);
  r.seq = seq;
  r.kind = kind;
  r.create_ts = 1000 + static_cast<int64_t>(seq);
  return r;
}

TEST(ChannelTest, SendReceiveCloseDrain) {
  util::Channel<int> ch(2);
  EXPECT_EQ(ch.Send(1), util::SendResult::kOk);
  EXPECT_EQ(ch.Send(2), util::SendResult::kOk);
  EXPECT_EQ(ch.TrySend(3), util::SendResult::kFull);
  ch.Close();
  std::optional<int> rejected;
  EXPECT_EQ(ch.Send(4, &rejected), util::SendResult::kClosed);
  EXPECT_EQ(rejected, 4);  // handed back, not lost silently
  EXPECT_EQ(ch.Receive(), 1);
  EXPECT_EQ(ch.Receive(), 2);
  EXPECT_EQ(ch.Receive(), std::nullopt);  // closed and drained
}

TEST(ChannelTest, ReceiveUntilTimesOut) {
  util::Channel<int> ch(1);
  auto got = ch.ReceiveUntil(std::chrono::steady_clock::now() + std::chrono::milliseconds(5));
  EXPECT_EQ(got, std::nullopt);
  EXPECT_FALSE(ch.closed());
}

TEST(ChannelTest, BlockedSenderWakesOnClose) {
  util::Channel<int> ch(1);
  ASSERT_EQ(ch.Send(1), util::SendResult::kOk);
  auto sender = std::async(std::launch::async, [&] { return ch.Send(2); });
  ch.Close();
  EXPECT_EQ(sender.get(), util::SendResult::kClosed);
}

class Collector final : public util::BackgroundTask<std::promise<int>> {
 public:
  explicit Collector(std::optional<std::chrono::milliseconds> tick)
      : BackgroundTask("collector", 4, tick) {}
  ~Collector() override { Stop(); }
  std::atomic<int> handled{0};
  std::atomic<int> ticks{0};
  std::atomic<bool> stopped{false};

 protected:
  void Handle(std::promise<int>& p) override { p.set_value(++handled); }
  void OnTick() override { ++ticks; }
  void OnStop() override { stopped = true; }
};

TEST(BackgroundTaskTest, HandlesDrainsAndStops) {
  Collector task(std::nullopt);
  task.Start();
  std::vector<std::future<int>> futures;
  for (int i = 0; i < 20; ++i) {
    std::promise<int> p;
    futures.push_back(p.get_future());
    ASSERT_EQ(task.Send(std::move(p)), util::SendResult::kOk);
  }
  task.Stop();
  for (auto& f : futures) EXPECT_GT(f.get(), 0);  // every accepted message was handled
  EXPECT_EQ(task.handled.load(), 20);
  EXPECT_TRUE(task.stopped.load());
  std::optional<std::promise<int>> rejected;
  EXPECT_EQ(task.Send(std::promise<int>(), &rejected), util::SendResult::kClosed);
  EXPECT_TRUE(rejected.has_value());
  task.Stop();  // idempotent
}

TEST(BackgroundTaskTest, TickerRuns) {
  Collector task(std::chrono::milliseconds(1));
  task.Start();
  for (int i = 0; i < 5000 && task.ticks.load() < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  task.Stop();
  EXPECT_GE(task.ticks.load(), 3);
}

TEST(WalBufferTest, AppendTakeRestore) {
  wal::WalBuffer buf;
  EXPECT_TRUE(buf.empty());
  buf.Append({Row("a", "1", 1), Row("b", "2", 1)});
  buf.Append({Row("a", "3", 2)});
  EXPECT_GT(buf.bytes(), 0u);
  auto batch = buf.Take();
  EXPECT_TRUE(buf.empty());
  EXPECT_EQ(buf.bytes(), 0u);
  ASSERT_EQ(batch.size(), 3u);
  EXPECT_EQ(batch.max_seq, 2u);
  buf.Append({Row("c", "4", 3)});
  buf.Restore(std::move(batch));
  auto again = buf.Take();
  ASSERT_EQ(again.size(), 4u);
  EXPECT_EQ(again.row(0).seq, 1u);
  EXPECT_EQ(again.row(3).key, "c");
  EXPECT_EQ(again.max_seq, 3u);
}

TEST(WalBufferTest, WholeCommitsUpToAndSplitOff) {
  wal::WalBuffer buf;
  // Commits (seq) of 2, 1 and 3 rows; each row 1 + 10 + 32 = 43 estimated bytes.
  const std::string v(10, 'v');
  buf.Append({Row("a", v, 1), Row("b", v, 1)});
  buf.Append({Row("c", v, 2)});
  buf.Append({Row("d", v, 3), Row("e", v, 3), Row("f", v, 3)});
  auto batch = buf.Take();
  ASSERT_EQ(batch.size(), 6u);
  EXPECT_EQ(batch.WholeCommitsUpTo(1000), 6u);  // everything fits
  EXPECT_EQ(batch.WholeCommitsUpTo(6 * 43), 6u);
  EXPECT_EQ(batch.WholeCommitsUpTo(6 * 43 - 1), 3u);  // commit 3 would cross the limit
  EXPECT_EQ(batch.WholeCommitsUpTo(3 * 43), 3u);
  EXPECT_EQ(batch.WholeCommitsUpTo(2 * 43), 2u);
  EXPECT_EQ(batch.WholeCommitsUpTo(1), 2u);  // at least the first commit, whole
  EXPECT_EQ(batch.WholeCommitsUpTo(0), 2u);

  const size_t total = batch.bytes;
  auto rest = batch.SplitOff(3);
  ASSERT_EQ(batch.size(), 3u);
  ASSERT_EQ(rest.size(), 3u);
  EXPECT_EQ(batch.max_seq, 2u);
  EXPECT_EQ(rest.max_seq, 3u);
  EXPECT_EQ(batch.bytes, 3u * 43);
  EXPECT_EQ(batch.bytes + rest.bytes, total);
  EXPECT_EQ(rest.row(0).key, "d");
  EXPECT_EQ(rest.owners, batch.owners);  // both parts view the same memory
  EXPECT_FALSE(rest.owners.empty());
  // The rest goes back in front of newer rows, in order.
  buf.Append({Row("g", v, 4)});
  buf.Restore(std::move(rest));
  auto again = buf.Take();
  ASSERT_EQ(again.size(), 4u);
  EXPECT_EQ(again.row(0).key, "d");
  EXPECT_EQ(again.row(3).key, "g");
  EXPECT_EQ(again.max_seq, 4u);
}

TEST(WalStoreTest, WriteReadListFence) {
  auto store = NewMemoryObjectStore();
  wal::WalStore wal(store, "db");
  EXPECT_EQ(wal.ObjectKey(7), "db/wal/00000000000000000007.sst");
  ASSERT_OK(wal.WriteFence(1));
  std::vector<format::RowEntry> rows = {
      Row("b", "1", 5), Row("a", "", 6, format::RowKind::kTombstone), Row("a", "x", 7)};
  rows[1].create_ts = 9;
  rows[2].expire_ts = 99;
  ASSERT_OK(wal.Write(2, rows));
  EXPECT_TRUE(wal.Write(2, rows).IsAlreadyExists());
  EXPECT_TRUE(wal.WriteFence(2).IsAlreadyExists());
  auto ids = wal.ListIds();
  ASSERT_OK(ids);
  EXPECT_EQ(*ids, (std::vector<uint64_t>{1, 2}));
  auto from2 = wal.ListIds(2);
  ASSERT_OK(from2);
  EXPECT_EQ(*from2, (std::vector<uint64_t>{2}));
  auto fence = wal.Read(1);
  ASSERT_OK(fence) << fence.status().ToString();
  EXPECT_TRUE(fence->empty());
  auto back = wal.Read(2);
  ASSERT_OK(back) << back.status().ToString();
  EXPECT_EQ(*back, rows);  // commit order, every field
  EXPECT_TRUE(wal.Read(3).status().IsNotFound());
  // The fence is the 114-byte empty SST of docs/format.md §6.2.
  auto fence_bytes = store->Get("db/wal/00000000000000000001.sst");
  ASSERT_OK(fence_bytes);
  EXPECT_EQ(fence_bytes->size(), 114u);
}

// A zero-byte object in the WAL id space is a fence (SlateDB writes such objects): no rows, no
// error. A cut-short non-empty SST is still an error (TruncatedWal... below).
TEST(WalStoreTest, ZeroByteObjectReadsAsAFence) {
  auto store = NewMemoryObjectStore();
  wal::WalStore wal(store, "db");
  ASSERT_OK(store->Put("db/wal/00000000000000000003.sst", ""));
  auto ids = wal.ListIds();
  ASSERT_OK(ids) << ids.status().ToString();
  EXPECT_EQ(*ids, (std::vector<uint64_t>{3}));
  auto rows = wal.Read(3);
  ASSERT_OK(rows) << rows.status().ToString();
  EXPECT_TRUE(rows->empty());
  ASSERT_OK(store->Put("db/wal/00000000000000000004.sst", "x"));
  EXPECT_FALSE(wal.Read(4).ok());
}

TEST(WalStoreTest, CompressedWalRoundTrips) {
  auto store = NewMemoryObjectStore();
  for (CompressionCodec codec : {CompressionCodec::kSnappy, CompressionCodec::kZlib,
                                 CompressionCodec::kLz4, CompressionCodec::kZstd}) {
    wal::WalStore wal(store, "c" + std::to_string(static_cast<int>(codec)), codec);
    std::vector<format::RowEntry> rows;
    for (uint64_t i = 1; i <= 300; ++i) rows.push_back(Row("key" + std::to_string(i), "value", i));
    ASSERT_OK(wal.Write(1, rows));
    auto back = wal.Read(1);
    ASSERT_OK(back) << back.status().ToString();
    EXPECT_EQ(*back, rows);
  }
}

TEST(WalStoreTest, CorruptWalNamesObject) {
  auto store = NewMemoryObjectStore();
  wal::WalStore wal(store, "db");
  ASSERT_OK(wal.Write(4, {Row("k", "v", 1)}));
  const std::string key = wal.ObjectKey(4);
  std::string bytes = *store->Get(key);
  for (size_t i = 0; i < bytes.size(); i += 7) {
    std::string corrupt = bytes;
    corrupt[i] ^= 0x5a;
    ASSERT_OK(store->Put(key, corrupt));
    auto got = wal.Read(4);
    if (got.ok()) continue;  // a flip in a non-checksummed spot that still decodes is allowed
    EXPECT_NE(got.status().message().find(key), std::string::npos) << got.status().ToString();
  }
  ASSERT_OK(store->Put(key, "short"));
  auto got = wal.Read(4);
  ASSERT_FALSE(got.ok());
  EXPECT_TRUE(got.status().IsData()) << got.status().ToString();
}

// A WAL SST cut short is reported as truncated, naming the object and its size (not as an
// "unsupported SST format version" read from the bytes that now end the object).
TEST(WalStoreTest, TruncatedWalSaysTruncatedWithObjectAndSize) {
  auto store = NewMemoryObjectStore();
  wal::WalStore wal(store, "db");
  std::vector<format::RowEntry> rows;
  for (uint64_t i = 1; i <= 50; ++i) rows.push_back(Row("key" + std::to_string(i), "value", i));
  ASSERT_OK(wal.Write(4, rows));
  const std::string key = wal.ObjectKey(4);
  const std::string bytes = *store->Get(key);
  for (size_t cut : {size_t{1}, size_t{3}, size_t{7}, size_t{10}, bytes.size() / 2}) {
    const std::string truncated = bytes.substr(0, bytes.size() - cut);
    ASSERT_OK(store->Put(key, truncated));
    auto got = wal.Read(4);
    ASSERT_FALSE(got.ok()) << "cut " << cut;
    EXPECT_TRUE(got.status().IsData()) << got.status().ToString();
    const std::string& msg = got.status().message();
    EXPECT_NE(msg.find(key), std::string::npos) << msg;
    EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;
    EXPECT_NE(msg.find(std::to_string(truncated.size()) + " bytes"), std::string::npos) << msg;
  }
}

TEST(WalStoreTest, ParseWalId) {
  EXPECT_EQ(wal::ParseWalId("db/wal/00000000000000000012.sst"), 12u);
  EXPECT_EQ(wal::ParseWalId("00000000000000000001.sst"), 1u);
  EXPECT_EQ(wal::ParseWalId("db/wal/abc.sst"), std::nullopt);
  EXPECT_EQ(wal::ParseWalId("db/wal/1.tmp"), std::nullopt);
}

}  // namespace
}  // namespace slatedb
