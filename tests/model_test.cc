// Model-based randomized test of the writer engine (issue 5 item 1).
//
// A seeded random sequence of put / delete / batch / get / scan (both directions, random and
// absent bounds, with Seek) / flush (WAL and memtable) / close-and-reopen / takeover by a new
// writer / durable-only reads and a fresh DbReader runs against a std::map model. The store is the
// memory store under the fault injector (latency on, transient kUnavailable errors and lost
// replies) under the retrying wrapper, so every request may fail once or more before it succeeds.
// Memtables are tiny, so L0 flushes are frequent, and (in the Compacting case) the embedded
// compactor merges them into sorted runs while the sequence runs. The Hostile case adds an
// aggressive garbage collector, objects that are not ours in every directory (they must survive
// untouched) and "never expire" TTLs that overflow create_ts + ttl (no row may expire).
//
// Replay: the test prints its seed; SLATEDB_TEST_SEED=<seed> replays the same operation
// sequence (faults and background timing depend on thread interleaving, so a failure caused by
// them may need a few runs). SLATEDB_MODEL_OPS (default 3000) sets the number of operations,
// SLATEDB_MODEL_SECONDS (default 0 = none) a time budget that ends the run early.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "object_store/fault_injecting_object_store.h"
#include "object_store/retrying_object_store.h"
#include "reliability.h"
#include "slatedb/db.h"
#include "slatedb/logger.h"
#include "slatedb/object_store.h"
#include "test_util.h"
#include "util/random.h"

namespace slatedb {
namespace {

using Model = std::map<std::string, std::string>;
using Rows = std::vector<std::pair<std::string, std::string>>;

struct Stores {
  std::shared_ptr<ObjectStore> memory;
  std::shared_ptr<FaultInjectingObjectStore> faults;
  std::shared_ptr<ObjectStore> store;  // what the Db uses: retrying(faults(memory))
};

Stores MakeStores(uint64_t seed) {
  Stores s;
  s.memory = NewMemoryObjectStore();
  FaultOptions fo;
  fo.seed = seed;
  fo.SetAllErrorRates(0.05);
  fo.reply_lost_rate = 0.02;
  fo.latency = std::chrono::microseconds(20);
  fo.latency_jitter = std::chrono::microseconds(200);
  s.faults = NewFaultInjectingObjectStore(s.memory, fo);
  RetryOptions ro;
  ro.max_attempts = 40;
  ro.base_delay = std::chrono::milliseconds(1);
  ro.max_delay = std::chrono::milliseconds(4);
  ro.total_deadline = std::chrono::milliseconds(0);
  ro.seed = seed + 1;
  s.store = NewRetryingObjectStore(s.faults, ro);
  return s;
}

// kHostile: the compactor and an aggressive garbage collector run, every directory holds
// objects that are not ours (testing::StrayObjects), and every row gets a "never expire" TTL
// that overflows create_ts + ttl (default_ttl = 2^64 - 1, ExpireAfter(INT64_MAX ms),
// ExpireAt(INT64_MAX)): nothing may be lost, expired early or deleted that is not ours.
enum class Variant : uint8_t { kPlain, kCompacting, kHostile };

Settings ModelSettings(Variant variant) {
  const bool compacting = variant != Variant::kPlain;
  Settings s;
  s.flush_interval = std::chrono::milliseconds(5);
  s.manifest_poll_interval = std::chrono::milliseconds(50);
  s.l0_sst_size_bytes = 4096;  // L0 flushes every few operations
  s.l0_flush_parallelism = 2;
  s.min_filter_keys = 8;  // small SSTs still get bloom filters
  s.block_size = 1024;    // and several blocks
  s.garbage_collector_options.reset();
  if (compacting) {
    CompactorOptions c;
    c.poll_interval = std::chrono::milliseconds(20);
    c.max_concurrent_compactions = 2;
    c.max_sst_size = 8192;  // compaction output is cut into several SSTs
    c.scheduler_options = {{"min_compaction_sources", "2"}, {"max_compaction_sources", "6"}};
    s.compactor_options = c;
    s.l0_max_ssts = 16;
  } else {
    s.compactor_options.reset();
    s.l0_max_ssts = 100000;
  }
  if (variant == Variant::kHostile) {
    GcDirectoryOptions fast;
    fast.interval = std::chrono::milliseconds(20);
    fast.min_age = std::chrono::milliseconds(200);
    s.garbage_collector_options = GarbageCollectorOptions{fast, fast, fast, fast};
    s.default_ttl = UINT64_MAX;  // "never": create_ts + ttl overflows and must mean no expiry
  }
  return s;
}

// A per-put TTL that never expires, in one of the spellings that overflow or saturate.
PutOptions NeverExpiring(util::Random& rnd) {
  switch (rnd.Uniform(4)) {
    case 0:
      return PutOptions{Ttl::NoExpiry()};
    case 1:
      return PutOptions{Ttl::ExpireAfter(std::chrono::milliseconds(INT64_MAX))};
    case 2:
      return PutOptions{Ttl::ExpireAt(INT64_MAX)};
    default:
      return PutOptions{};  // default_ttl = 2^64 - 1
  }
}

// Keys from a small space (so overwrites and deletes hit), some binary.
std::string RandomKey(util::Random& rnd) {
  uint64_t n = rnd.Uniform(300);
  char buf[16];
  std::snprintf(buf, sizeof(buf), "k%03llu", static_cast<unsigned long long>(n));
  std::string k = buf;
  if (n % 37 == 0) k = std::string("\x00", 1) + k;  // sorts before every ASCII key
  if (n % 41 == 0) k += "\xff\x00";
  return k;
}

std::string RandomValue(util::Random& rnd, uint64_t op) {
  size_t len = rnd.OneIn(50) ? 1500 + rnd.Uniform(1500) : rnd.Uniform(64);
  std::string v = "v" + std::to_string(op) + ":";
  v.reserve(v.size() + len);
  for (size_t i = 0; i < len; ++i) v.push_back(static_cast<char>(rnd.Uniform(256)));
  return v;
}

// The model's rows in [start, end), ascending or descending.
Rows ModelRange(const Model& m, const std::optional<std::string>& start,
                const std::optional<std::string>& end, bool reverse) {
  auto lo = start ? m.lower_bound(*start) : m.begin();
  auto hi = end ? m.lower_bound(*end) : m.end();
  Rows rows;
  if (start && end && *start >= *end) return rows;
  rows.assign(lo, hi);
  if (reverse) std::reverse(rows.begin(), rows.end());
  return rows;
}

std::string Printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

class ModelRunner {
 public:
  ModelRunner(uint64_t seed, Variant variant)
      : seed_(seed), variant_(variant), rnd_(seed), stores_(MakeStores(seed)) {
    if (variant_ == Variant::kHostile) {
      for (const std::string& key : testing::StrayObjects()) {
        Status st = stores_.memory->Put(key, StrayContent(key)).status();
        EXPECT_OK(st) << key << ": " << st.ToString();
      }
    }
  }

  static std::string StrayContent(const std::string& key) { return "not ours: " + key; }

  // Every stray object is still there, unchanged.
  void CheckStrays() {
    if (variant_ != Variant::kHostile) return;
    for (const std::string& key : testing::StrayObjects()) {
      auto got = stores_.memory->Get(key);
      EXPECT_OK(got) << key << " was deleted: " << got.status().ToString();
      if (got.ok()) {
        EXPECT_EQ(*got, StrayContent(key)) << key << " was changed";
      }
    }
  }

  std::unique_ptr<Db> Open() {
    Components c;
    c.object_store = stores_.store;
    c.seed = seed_ + (++opens_);
    auto db = Db::Open("db", std::move(c), ModelSettings(variant_));
    EXPECT_OK(db) << "open #" << opens_ << ": " << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }

  // Reads [start, end) through a scan; optionally re-seeks once at a random model key.
  void CheckScan(uint64_t op) {
    std::optional<std::string> start, end;
    if (!rnd_.OneIn(4)) start = RandomKey(rnd_);
    if (!rnd_.OneIn(4)) end = RandomKey(rnd_);
    if (start && end && *start > *end) std::swap(start, end);
    ScanOptions so;
    so.reverse = rnd_.OneIn(2);
    Rows want = ModelRange(model_, start, end, so.reverse);
    auto it = db_->Scan(ScanRange{start, end}, so);
    ASSERT_OK(it) << "op " << op << " scan: " << it.status().ToString();
    // Sometimes: read a prefix, compare it, then Seek to a key inside the range.
    Rows got;
    if (!want.empty() && rnd_.OneIn(4)) {
      size_t prefix = rnd_.Uniform(want.size() + 1);
      for (size_t i = 0; i < prefix; ++i) {
        auto kv = (*it)->Next();
        ASSERT_OK(kv) << "op " << op << " next: " << kv.status().ToString();
        if (!kv->has_value()) break;
        got.emplace_back((*kv)->key, (*kv)->value);
      }
      Rows head(want.begin(), want.begin() + static_cast<std::ptrdiff_t>(prefix));
      ASSERT_TRUE(got == head) << "op " << op << " scan prefix of " << prefix << " rows differs";
      std::string target = RandomKey(rnd_);
      if ((start && target < *start) || (end && target >= *end)) target = want.front().first;
      Status st = (*it)->Seek(target);
      ASSERT_OK(st) << "op " << op << " seek " << Printable(target) << ": " << st.ToString();
      Rows after;
      for (const auto& row : want) {
        if (so.reverse ? row.first <= target : row.first >= target) after.push_back(row);
      }
      want = std::move(after);
      got.clear();
    }
    while (true) {
      auto kv = (*it)->Next();
      ASSERT_OK(kv) << "op " << op << " next: " << kv.status().ToString();
      if (!kv->has_value()) break;
      got.emplace_back((*kv)->key, (*kv)->value);
      ASSERT_LE(got.size(), want.size() + 1) << "op " << op << " scan returns too many rows";
    }
    if (got != want) {
      std::string diff;
      for (size_t i = 0; i < std::max(got.size(), want.size()); ++i) {
        const auto* g = i < got.size() ? &got[i] : nullptr;
        const auto* w = i < want.size() ? &want[i] : nullptr;
        if (g && w && *g == *w) continue;
        diff += "  row " + std::to_string(i) + ": got " + (g ? Printable(g->first) : "<none>") +
                " want " + (w ? Printable(w->first) : "<none>") + "\n";
        if (diff.size() > 2000) break;
      }
      FAIL() << "op " << op << " scan [" << Printable(start.value_or("-inf")) << ", "
             << Printable(end.value_or("+inf")) << ") reverse=" << so.reverse << " got "
             << got.size() << " rows, want " << want.size() << "\n"
             << diff;
    }
  }

  // Flushes the WAL, then: durable-only reads (kRemote) and a DbReader opened now (through the
  // same faulty store) both see exactly the model.
  void ReaderCheck(uint64_t op) {
    Status st = db_->Flush(FlushType::kWal);
    ASSERT_OK(st) << "op " << op << " flush: " << st.ToString();
    std::string k = RandomKey(rnd_);
    ReadOptions remote;
    remote.durability_filter = DurabilityLevel::kRemote;
    auto got = db_->Get(k, remote);
    ASSERT_OK(got) << "op " << op << " durable get: " << got.status().ToString();
    auto m = model_.find(k);
    ASSERT_EQ(got->has_value(), m != model_.end())
        << "op " << op << " durable get " << Printable(k);
    if (m != model_.end()) {
      ASSERT_TRUE(**got == m->second) << "op " << op << " durable get";
    }
    Components c;
    c.object_store = stores_.store;
    c.seed = seed_ + 5000 + op;
    DbReaderOptions ro;
    ro.manifest_poll_interval = std::chrono::milliseconds(50);
    // With a collector running, the reader pins what it reads with a checkpoint.
    if (variant_ == Variant::kHostile) ro.checkpoint_lifetime = std::chrono::seconds(30);
    auto reader = DbReader::Open("db", std::move(c), ro);
    ASSERT_OK(reader) << "op " << op << " reader open: " << reader.status().ToString();
    auto it = (*reader)->Scan(ScanRange{});
    ASSERT_OK(it) << "op " << op << " reader scan: " << it.status().ToString();
    Rows rows;
    while (true) {
      auto kv = (*it)->Next();
      ASSERT_OK(kv) << "op " << op << " reader next: " << kv.status().ToString();
      if (!kv->has_value()) break;
      rows.emplace_back((*kv)->key, (*kv)->value);
    }
    Rows want(model_.begin(), model_.end());
    ASSERT_TRUE(rows == want) << "op " << op << " reader sees " << rows.size() << " rows, want "
                              << want.size();
    (*it).reset();
    st = (*reader)->Close();
    ASSERT_OK(st) << "op " << op << " reader close: " << st.ToString();
    ++reader_checks_;
  }

  void CheckGet(uint64_t op) {
    std::string k = RandomKey(rnd_);
    auto got = db_->Get(k);
    ASSERT_OK(got) << "op " << op << " get: " << got.status().ToString();
    auto it = model_.find(k);
    std::optional<std::string> want;
    if (it != model_.end()) want = it->second;
    ASSERT_EQ(got->has_value(), want.has_value()) << "op " << op << " key " << Printable(k);
    if (want) {
      ASSERT_TRUE(**got == *want) << "op " << op << " wrong value for " << Printable(k);
    }
  }

  // Runs up to `ops` operations (stopping early past `deadline`); returns how many ran.
  uint64_t Run(uint64_t ops, std::chrono::steady_clock::time_point deadline) {
    db_ = Open();
    if (db_ == nullptr) return 0;
    uint64_t op = 0;
    for (; op < ops; ++op) {
      if ((op & 63) == 0 && std::chrono::steady_clock::now() > deadline) break;
      WriteOptions wo;
      wo.await_durable = rnd_.OneIn(20);  // most writes do not wait for their WAL upload
      uint64_t dice = rnd_.Uniform(1000);
      if (dice < 400) {
        std::string k = RandomKey(rnd_), v = RandomValue(rnd_, op);
        PutOptions po = variant_ == Variant::kHostile ? NeverExpiring(rnd_) : PutOptions{};
        Status st = db_->Put(k, v, po, wo).status();
        EXPECT_OK(st) << "op " << op << " put: " << st.ToString();
        if (!st.ok()) break;
        model_[k] = v;
      } else if (dice < 520) {
        std::string k = RandomKey(rnd_);
        Status st = db_->Delete(k, wo).status();
        EXPECT_OK(st) << "op " << op << " delete: " << st.ToString();
        if (!st.ok()) break;
        model_.erase(k);
      } else if (dice < 620) {
        WriteBatch b;
        Model after = model_;
        size_t n = 1 + rnd_.Uniform(12);
        for (size_t i = 0; i < n; ++i) {
          std::string k = RandomKey(rnd_);
          if (rnd_.OneIn(3)) {
            b.Delete(k);
            after.erase(k);
          } else {
            std::string v = RandomValue(rnd_, op);
            b.Put(k, v, variant_ == Variant::kHostile ? NeverExpiring(rnd_) : PutOptions{});
            after[k] = v;
          }
        }
        Status st = db_->Write(b, wo).status();
        EXPECT_OK(st) << "op " << op << " batch: " << st.ToString();
        if (!st.ok()) break;
        model_ = std::move(after);
      } else if (dice < 820) {
        CheckGet(op);
      } else if (dice < 960) {
        CheckScan(op);
      } else if (dice < 985) {
        bool memtable = rnd_.OneIn(2);
        Status st = db_->Flush(memtable ? FlushType::kMemTable : FlushType::kWal);
        EXPECT_OK(st) << "op " << op << " flush: " << st.ToString();
        if (!st.ok()) break;
      } else if (dice < 990) {
        ReaderCheck(op);
      } else if (dice < 995) {
        Status st = db_->Close();
        EXPECT_OK(st) << "op " << op << " close: " << st.ToString();
        if (!st.ok()) break;
        db_ = Open();
        ++reopens_;
        if (db_ == nullptr) break;
      } else {
        // Takeover: make everything durable, then a new writer opens while the old one is
        // still open. The old one must be fenced; the new one sees every write.
        Status st = db_->Flush(FlushType::kWal);
        EXPECT_OK(st) << "op " << op << " flush before takeover: " << st.ToString();
        if (!st.ok()) break;
        auto next = Open();
        if (next == nullptr) break;
        Status late = db_->Put("late-write-of-fenced-writer", "x", WriteOptions{true}).status();
        EXPECT_TRUE(late.IsFenced()) << "op " << op << " old writer: " << late.ToString();
        Status close = db_->Close();
        EXPECT_TRUE(close.ok() || close.IsFenced()) << "op " << op << ": " << close.ToString();
        db_ = std::move(next);
        ++takeovers_;
      }
      if (::testing::Test::HasFatalFailure()) break;
    }
    if (db_ != nullptr && !::testing::Test::HasFailure()) {
      // Final check: a full scan both ways, then close and verify with faults off.
      for (bool reverse : {false, true}) {
        ScanOptions so;
        so.reverse = reverse;
        Rows want = ModelRange(model_, std::nullopt, std::nullopt, reverse);
        auto it = db_->Scan(ScanRange{}, so);
        EXPECT_OK(it) << it.status().ToString();
        if (!it.ok()) break;
        Rows got;
        while (true) {
          auto kv = (*it)->Next();
          EXPECT_OK(kv) << kv.status().ToString();
          if (!kv.ok() || !kv->has_value()) break;
          got.emplace_back((*kv)->key, (*kv)->value);
        }
        EXPECT_TRUE(got == want) << "final scan (reverse=" << reverse << ") got " << got.size()
                                 << " rows, want " << want.size();
      }
      auto status = db_->GetStatus();
      if (status.ok()) {
        l0_ssts_ = status->l0_ssts;
        sorted_runs_ = status->sorted_runs;
      }
      Status st = db_->Close();
      EXPECT_OK(st) << "final close: " << st.ToString();
      db_.reset();
      VerifyWithoutFaults();
      CheckStrays();
    }
    db_.reset();
    return op;
  }

  // Reopens directly on the memory store (no faults, no retries) and compares everything.
  void VerifyWithoutFaults() {
    Components c;
    c.object_store = stores_.memory;
    c.seed = seed_ + 999;
    Settings s = ModelSettings(Variant::kPlain);
    auto db = Db::Open("db", std::move(c), s);
    ASSERT_OK(db) << "reopen without faults: " << db.status().ToString();
    auto it = (*db)->Scan(ScanRange{});
    ASSERT_OK(it) << it.status().ToString();
    Rows got;
    while (true) {
      auto kv = (*it)->Next();
      ASSERT_OK(kv) << kv.status().ToString();
      if (!kv->has_value()) break;
      got.emplace_back((*kv)->key, (*kv)->value);
    }
    Rows want(model_.begin(), model_.end());
    EXPECT_TRUE(got == want) << "after reopen without faults: got " << got.size() << " rows, want "
                             << want.size();
    (*it).reset();
    EXPECT_OK((*db)->Close());
  }

  std::string Summary() const {
    RequestCounts rc = stores_.faults->counts();
    return "reopens=" + std::to_string(reopens_) + " takeovers=" + std::to_string(takeovers_) +
           " reader_checks=" + std::to_string(reader_checks_) +
           " requests=" + std::to_string(rc.Total()) +
           " injected_errors=" + std::to_string(rc.injected_errors) +
           " lost_replies=" + std::to_string(rc.lost_replies) +
           " final_l0=" + std::to_string(l0_ssts_) +
           " final_sorted_runs=" + std::to_string(sorted_runs_) +
           " deletes=" + std::to_string(rc.delete_) + " keys=" + std::to_string(model_.size());
  }
  RequestCounts counts() const { return stores_.faults->counts(); }
  int reopens() const { return reopens_; }

 private:
  const uint64_t seed_;
  const Variant variant_;
  util::Random rnd_;
  Stores stores_;
  Model model_;
  std::unique_ptr<Db> db_;
  uint64_t opens_ = 0;
  int reopens_ = 0;
  int takeovers_ = 0;
  int reader_checks_ = 0;
  size_t l0_ssts_ = 0, sorted_runs_ = 0;
};

void RunModel(Variant variant) {
  SetDefaultLogLevel(LogLevel::kWarn);  // engine open/close chatter would drown the output
  const uint64_t seed = testing::TestSeed();
  const uint64_t ops = testing::EnvU64("SLATEDB_MODEL_OPS", 3000);
  const uint64_t seconds = testing::EnvU64("SLATEDB_MODEL_SECONDS", 0);
  auto deadline = seconds == 0 ? std::chrono::steady_clock::time_point::max()
                               : std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  std::printf("model_test: seed %llu (replay with SLATEDB_TEST_SEED=%llu), ops %llu%s\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed),
              static_cast<unsigned long long>(ops),
              variant == Variant::kHostile      ? ", compactor + GC on, strays, huge TTLs"
              : variant == Variant::kCompacting ? ", compactor on"
                                                : "");
  std::fflush(stdout);
  SCOPED_TRACE("seed " + std::to_string(seed) + " (SLATEDB_TEST_SEED replays)");
  ModelRunner runner(seed, variant);
  auto start = std::chrono::steady_clock::now();
  uint64_t ran = runner.Run(ops, deadline);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count();
  std::printf("model_test: seed %llu: %llu ops run in %lld ms; %s\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(ran),
              static_cast<long long>(ms), runner.Summary().c_str());
  ::testing::Test::RecordProperty("ops_run", std::to_string(ran));
  ::testing::Test::RecordProperty("seed", std::to_string(seed));
  EXPECT_GT(ran, 0u);
  if (seconds == 0) {
    EXPECT_EQ(ran, ops) << "the run stopped early (see the failure above)";
  }
  // The faults were real: requests failed and were retried.
  if (ran >= 1000) {
    EXPECT_GT(runner.counts().injected_errors, 0u);
    // The collector really collected (the strays it must not touch survived: CheckStrays).
    if (variant == Variant::kHostile) {
      EXPECT_GT(runner.counts().delete_, 0u);
    }
  }
}

TEST(ModelTest, RandomOpsWithFaults) { RunModel(Variant::kPlain); }

TEST(ModelTest, RandomOpsWithFaultsAndCompactor) { RunModel(Variant::kCompacting); }

TEST(ModelTest, RandomOpsWithFaultsCompactorGcStrayObjectsAndHugeTtls) {
  RunModel(Variant::kHostile);
}

}  // namespace
}  // namespace slatedb
