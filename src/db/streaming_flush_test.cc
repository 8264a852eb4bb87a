// The L0 flush streams the immutable memtable into the store block by block (no row vector, no
// whole-SST string): a probe store sees only block-sized Appends and no whole-object Put of the
// L0 SST, and the database reads back every row; a failing part fails the flush with no object.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "object_store/fault_injecting_object_store.h"
#include "object_store/object_store_wrapper.h"
#include "slatedb/db.h"
#include "test_util.h"

namespace slatedb {
namespace {

using testing::ScanToMap;

// Records the Appends of every streamed upload and the whole-object Puts.
class FlushProbe : public ObjectStoreWrapper {
 public:
  explicit FlushProbe(std::shared_ptr<ObjectStore> inner) : ObjectStoreWrapper(std::move(inner)) {}
  Result<std::unique_ptr<ObjectWriter>> OpenWriter(std::string_view key,
                                                   const ObjectPutOptions& options) override {
    ASSIGN_OR_RETURN(auto inner, inner_->OpenWriter(key, options));
    opened.fetch_add(1);
    return std::unique_ptr<ObjectWriter>(std::make_unique<Writer>(this, std::move(inner)));
  }
  Result<std::string> Put(std::string_view k, std::string_view d,
                          const ObjectPutOptions& o) override {
    if (k.find("/compacted/") != std::string_view::npos) compacted_puts.fetch_add(1);
    return inner_->Put(k, d, o);
  }
  std::string Describe() const override { return "flush-probe"; }

  std::atomic<int> opened{0}, finished{0}, compacted_puts{0};
  std::atomic<size_t> max_append{0}, max_object{0};

 private:
  class Writer : public ObjectWriter {
   public:
    Writer(FlushProbe* p, std::unique_ptr<ObjectWriter> inner) : p_(p), inner_(std::move(inner)) {}
    Status Append(std::string_view d) override {
      size_t m = p_->max_append.load();
      while (d.size() > m && !p_->max_append.compare_exchange_weak(m, d.size())) {
      }
      return inner_->Append(d);
    }
    Result<std::string> Finish() override {
      p_->finished.fetch_add(1);
      size_t m = p_->max_object.load();
      while (inner_->size() > m && !p_->max_object.compare_exchange_weak(m, inner_->size())) {
      }
      return inner_->Finish();
    }
    Status Abort() override { return inner_->Abort(); }
    uint64_t size() const override { return inner_->size(); }

   private:
    FlushProbe* p_;
    std::unique_ptr<ObjectWriter> inner_;
  };
};

Settings BigMemtableSettings() {
  Settings s;
  s.compactor_options.reset();
  s.garbage_collector_options.reset();
  s.l0_sst_size_bytes = 64u << 20;  // one memtable holds the whole workload
  s.flush_interval = std::chrono::milliseconds(10);
  return s;
}

std::unique_ptr<Db> MustOpen(std::shared_ptr<ObjectStore> store, const Settings& s) {
  Components c;
  c.object_store = std::move(store);
  c.seed = 7;
  auto db = Db::Open("db", std::move(c), s);
  EXPECT_OK(db) << db.status().ToString();
  return db.ok() ? std::move(db).value() : nullptr;
}

std::map<std::string, std::string> Fill(Db& db, int rows) {
  std::map<std::string, std::string> expect;
  for (int i = 0; i < rows; ++i) {
    char key[24];
    std::snprintf(key, sizeof(key), "key%08d", i * 7919 % rows);
    std::string value(1000, static_cast<char>('a' + i % 26));
    value += std::to_string(i);
    EXPECT_OK(db.Put(key, value));
    expect[key] = value;
  }
  return expect;
}

TEST(StreamingFlushTest, BigMemtableIsFlushedBlockByBlock) {
  auto mem = NewMemoryObjectStore();
  auto probe = std::make_shared<FlushProbe>(mem);
  std::map<std::string, std::string> expect;
  {
    auto db = MustOpen(probe, BigMemtableSettings());
    ASSERT_NE(db, nullptr);
    expect = Fill(*db, 12000);  // ~12 MiB
    ASSERT_OK(db->Flush(FlushType::kMemTable));
    EXPECT_EQ(ScanToMap(*db), expect);
    ASSERT_OK(db->Close());
  }
  EXPECT_GE(probe->opened.load(), 1);
  EXPECT_EQ(probe->finished.load(), probe->opened.load());
  EXPECT_EQ(probe->compacted_puts.load(), 0) << "an L0 SST was Put whole";
  const size_t object = probe->max_object.load();
  EXPECT_GT(object, 10u << 20);
  // Data blocks of 4 KiB (+ a row that overflows one), the metadata sections at Finish (the
  // index of ~3,000 blocks, the filter of 12,000 keys): each a small fraction of the SST.
  EXPECT_LE(probe->max_append.load(), std::max<size_t>(4096 + 1100, object / 50));
  auto reopened = MustOpen(mem, BigMemtableSettings());
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(ScanToMap(*reopened), expect);
  ASSERT_OK(reopened->Close());
}

TEST(StreamingFlushTest, AFailingPartFailsTheFlushAndLeavesNoL0Object) {
  auto mem = NewMemoryObjectStore();
  auto faults = NewFaultInjectingObjectStore(mem, {});
  auto db = MustOpen(faults, BigMemtableSettings());
  ASSERT_NE(db, nullptr);
  auto expect = Fill(*db, 3000);
  FaultOptions f;
  f.append_error_rate = 1.0;  // every streamed part fails; WAL and manifest PUTs still work
  faults->SetOptions(f);
  Status st = db->Flush(FlushType::kMemTable);
  EXPECT_FALSE(st.ok());
  EXPECT_GE(faults->counts().failed_appends, 1u);
  EXPECT_TRUE(mem->List("db/compacted/").value().empty()) << "a partial L0 SST is visible";
  faults->SetOptions({});  // the part uploads recover: the flush is retried and succeeds
  Status ok;
  for (int i = 0; i < 50; ++i) {
    ok = db->Flush(FlushType::kMemTable);
    if (ok.ok()) break;
  }
  ASSERT_OK(ok);
  EXPECT_EQ(mem->List("db/compacted/").value().size(), 1u);
  EXPECT_EQ(ScanToMap(*db), expect);
  ASSERT_OK(db->Close());
}

}  // namespace
}  // namespace slatedb
