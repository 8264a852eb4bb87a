// VersionedStore's one CAS loop (`Update`), exercised through CompactionsStore: initial version,
// re-applying after a lost race, the check (fencing) hook, the attempt bound, lost replies, and
// the cached probing that `.compactions` now shares with manifests.
#include "manifest/versioned_store.h"

#include <gtest/gtest.h>

#include "format/ulid.h"
#include "manifest/manifest_store.h"
#include "object_store/fault_injecting_object_store.h"
#include "test_util.h"

namespace slatedb::manifest {
namespace {

format::CompactionRecord Record(uint64_t n) {
  format::CompactionRecord r;
  r.id = format::Ulid{n, n};
  return r;
}

std::vector<format::Ulid> Ids(const format::Compactions& c) {
  std::vector<format::Ulid> out;
  for (const auto& r : c.recent_compactions) out.push_back(r.id);
  return out;
}

Status Append(format::Compactions& c, uint64_t n) {
  c.recent_compactions.push_back(Record(n));
  return Status::OK();
}

TEST(VersionedStoreTest, UpdateStartsFromTheInitialValueOrNeedsAVersion) {
  CompactionsStore cs(NewMemoryObjectStore(), "db");
  auto none = cs.Update([](format::Compactions& c) { return Append(c, 1); });
  EXPECT_EQ(none.status().code(), StatusCode::kInvalid) << none.status().ToString();
  ASSERT_OK_AND_ASSIGN(auto latest, cs.ReadLatest());
  EXPECT_FALSE(latest.has_value());

  CompactionsStore::UpdateOptions options;
  options.initial = []() -> Result<format::Compactions> { return format::Compactions{7, {}}; };
  ASSERT_OK_AND_ASSIGN(auto first,
                       cs.Update([](format::Compactions& c) { return Append(c, 1); }, options));
  EXPECT_EQ(first.id, 1u);
  EXPECT_EQ(first.compactions.compactor_epoch, 7u);
  ASSERT_OK_AND_ASSIGN(auto second,
                       cs.Update([](format::Compactions& c) { return Append(c, 2); }, options));
  EXPECT_EQ(second.id, 2u);
  EXPECT_EQ(second.compactions.compactor_epoch, 7u);
  ASSERT_EQ(second.compactions.recent_compactions.size(), 2u);
  ASSERT_OK_AND_ASSIGN(format::Compactions stored, cs.Read(2));
  EXPECT_EQ(Ids(stored), (std::vector<format::Ulid>{Record(1).id, Record(2).id}));
  EXPECT_EQ(stored.compactor_epoch, 7u);
}

TEST(VersionedStoreTest, UpdateReappliesOnTopOfTheRaceWinner) {
  auto mem = NewMemoryObjectStore();
  CompactionsStore cs(mem, "db");
  CompactionsStore other(mem, "db");  // another process
  ASSERT_OK(cs.WriteNew(1, format::Compactions{1, {}}));
  VersionedCompactions current{1, format::Compactions{1, {}}};
  int calls = 0;
  ASSERT_OK(cs.Update(&current,
                      [&](format::Compactions& c) -> Status {
                        if (++calls == 1) {  // the other process wins version 2 meanwhile
                          format::Compactions theirs{1, {Record(100)}};
                          RETURN_IF_ERROR(other.WriteNew(2, theirs));
                        }
                        return Append(c, 1);
                      },
                      {}));
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(current.id, 3u);
  ASSERT_OK_AND_ASSIGN(format::Compactions stored, cs.Read(3));
  ASSERT_EQ(stored.recent_compactions.size(), 2u);
  EXPECT_EQ(stored.recent_compactions[0].id, Record(100).id);
  EXPECT_EQ(stored.recent_compactions[1].id, Record(1).id);
  EXPECT_EQ(Ids(stored), Ids(current.compactions));
}

TEST(VersionedStoreTest, CheckHookFencesBeforeTheMutatorAndWritesNothing) {
  auto mem = NewMemoryObjectStore();
  CompactionsStore cs(mem, "db");
  CompactionsStore other(mem, "db");
  ASSERT_OK(cs.WriteNew(1, format::Compactions{1, {}}));
  CompactionsStore::UpdateOptions options;
  std::vector<uint64_t> checked;
  options.check = [&](const VersionedCompactions& v) -> Status {
    checked.push_back(v.id);
    if (v.compactions.compactor_epoch > 1) return Status::Fenced("detected newer compactor");
    return Status::OK();
  };
  int calls = 0;
  VersionedCompactions current{1, format::Compactions{1, {}}};
  Status st = cs.Update(
      &current,
      [&](format::Compactions& c) -> Status {
        ++calls;
        RETURN_IF_ERROR(other.WriteNew(2, format::Compactions{2, {}}));  // a newer compactor
        return Append(c, 1);
      },
      options);
  EXPECT_TRUE(st.IsFenced()) << st.ToString();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(checked, (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(current.id, 2u);  // the newer version was adopted, then refused
  ASSERT_OK_AND_ASSIGN(auto versions, cs.List());
  EXPECT_EQ(versions.size(), 2u);
}

TEST(VersionedStoreTest, UpdateGivesUpAfterMaxAttempts) {
  auto mem = NewMemoryObjectStore();
  CompactionsStore cs(mem, "db");
  CompactionsStore other(mem, "db");
  ASSERT_OK(cs.WriteNew(1, format::Compactions{1, {}}));
  CompactionsStore::UpdateOptions options;
  options.max_attempts = 3;
  int calls = 0;
  auto st = cs.Update(
      [&](format::Compactions& c) -> Status {
        ++calls;
        ASSIGN_OR_RETURN(std::optional<VersionedCompactions> latest, other.ReadLatest());
        if (!latest) return Status::Internal("no version");
        RETURN_IF_ERROR(other.WriteNew(latest->id + 1, latest->compactions));  // always wins
        return Append(c, 1);
      },
      options);
  EXPECT_TRUE(st.status().IsUnavailable()) << st.status().ToString();
  EXPECT_EQ(calls, 3);
  ASSERT_OK_AND_ASSIGN(auto latest, cs.ReadLatest());
  EXPECT_EQ(latest->id, 4u);
  EXPECT_TRUE(latest->compactions.recent_compactions.empty());
}

// Every create's reply is lost: the put-id recognises each as ours, so a non-idempotent change
// (appending a record) is applied exactly once per Update.
TEST(VersionedStoreTest, LostRepliesApplyEachUpdateOnce) {
  FaultOptions lose;
  lose.reply_lost_rate = 1.0;
  auto faults = NewFaultInjectingObjectStore(NewMemoryObjectStore(), lose);
  CompactionsStore cs(faults, "db");
  CompactionsStore::UpdateOptions options;
  options.initial = []() -> Result<format::Compactions> { return format::Compactions{1, {}}; };
  for (uint64_t n = 1; n <= 3; ++n) {
    ASSERT_OK_AND_ASSIGN(auto written,
                         cs.Update([&](format::Compactions& c) { return Append(c, n); }, options));
    EXPECT_EQ(written.id, n);
  }
  EXPECT_GE(faults->counts().lost_replies, 3u);
  CompactionsStore fresh(faults, "db");
  ASSERT_OK_AND_ASSIGN(auto latest, fresh.ReadLatest());
  EXPECT_EQ(latest->id, 3u);
  EXPECT_EQ(latest->compactions.recent_compactions.size(), 3u);
}

// `.compactions` reads probe the next id like manifests (RFC-0032): cold LIST + GET, then one
// GET that misses while nothing changed, hits when another process wrote.
TEST(VersionedStoreTest, CompactionsReadsProbeTheNextId) {
  auto mem = NewMemoryObjectStore();
  auto counting = std::make_shared<FaultInjectingObjectStore>(mem, FaultOptions());
  auto clock = std::make_shared<ManualClock>(1'000'000);
  CompactionsStore other(mem, "db");
  ASSERT_OK(other.WriteNew(1, format::Compactions{1, {}}));
  CompactionsStore cs(counting, "db", StoreFormat{}, clock);
  ASSERT_OK_AND_ASSIGN(auto cold, cs.ReadLatest());
  EXPECT_EQ(cold->id, 1u);
  EXPECT_EQ(counting->counts().list, 1u);
  EXPECT_EQ(counting->counts().get, 1u);
  for (int i = 0; i < 10; ++i) {
    counting->ResetCounts();
    ASSERT_OK_AND_ASSIGN(auto warm, cs.ReadLatest());
    EXPECT_EQ(warm->id, 1u);
    EXPECT_EQ(counting->counts().Total(), 1u);
    EXPECT_EQ(counting->counts().get, 1u);
  }
  ASSERT_OK(other.WriteNew(2, format::Compactions{2, {}}));
  counting->ResetCounts();
  ASSERT_OK_AND_ASSIGN(auto hit, cs.ReadLatest());
  EXPECT_EQ(hit->id, 2u);
  EXPECT_EQ(hit->compactions.compactor_epoch, 2u);
  EXPECT_EQ(counting->counts().list, 0u);
  EXPECT_EQ(counting->counts().get, 2u);
}

}  // namespace
}  // namespace slatedb::manifest
