// Prefix bloom filters end to end (Components::prefix_extractor, slatedb/prefix_extractor.h):
// L0 and compacted SSTs carry `_bf:p=<name>`, ScanPrefix skips the SSTs whose filter excludes
// the prefix (counted by the read path) and returns exactly the model's rows; keys outside the
// extractor's domain, another extractor on reopen, DbReader and compatibility "0.12".
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "db/db_impl.h"
#include "manifest/manifest_store.h"
#include "manifest/paths.h"
#include "slatedb/db.h"
#include "slatedb/prefix_extractor.h"
#include "table/sst_reader.h"
#include "test_settings.h"
#include "test_util.h"

namespace slatedb {
namespace {

using Model = std::map<std::string, std::string>;

constexpr int kPrefixes = 10;

Settings TestSettings(bool compactor) {
  Settings s;
  s.flush_interval = std::chrono::milliseconds(10);
  s.manifest_poll_interval = std::chrono::milliseconds(50);
  s.garbage_collector_options.reset();
  s.compactor_options.reset();
  s.min_filter_keys = 1;  // every SST gets its filters
  s.l0_max_ssts = 64;
  if (compactor) {
    s.compactor_options = testing::EagerCompactorOptions();
  }
  return s;
}

std::shared_ptr<const PrefixExtractor> Fixed(size_t n) {
  auto e = NewFixedPrefixExtractor(n);
  EXPECT_OK(e) << e.status().ToString();
  return e.ok() ? *e : nullptr;
}

Result<std::unique_ptr<Db>> OpenDb(std::shared_ptr<ObjectStore> store,
                                   std::shared_ptr<const PrefixExtractor> extractor,
                                   Settings settings = TestSettings(false)) {
  Components c;
  c.object_store = std::move(store);
  c.prefix_extractor = std::move(extractor);
  c.seed = 7;
  return Db::Open("db", std::move(c), settings);
}

const db::ReadPath& Reads(Db& db) { return static_cast<db::DbImpl&>(db).read_path(); }

std::string P(int i) { return "p00" + std::to_string(i); }  // 4-byte prefixes p000..p009

// Ten L0 SSTs. SST i holds prefixes P(i) and P(i+1) (overwriting and deleting some of what SST
// i-1 wrote under P(i)), plus "aaaa/<i>" and "zzzz/<i>" so that every SST's key range covers
// every prefix (only the filter can rule an SST out) and short keys outside the domain of a
// 4-byte extractor. Then a few unflushed memtable rows.
void Fill(Db& db, Model* model) {
  auto put = [&](const std::string& k, const std::string& v) {
    ASSERT_OK(db.Put(k, v));
    (*model)[k] = v;
  };
  for (int i = 0; i < kPrefixes; ++i) {
    const std::string tag = std::to_string(i);
    put("aaaa/" + tag, "low" + tag);
    put("zzzz/" + tag, "high" + tag);
    put("x" + tag, "short" + tag);  // 2 bytes: outside the domain
    for (int j = 0; j < 20; ++j) put(P(i) + "/k" + std::to_string(j), "a" + tag);
    if (i + 1 < kPrefixes) {
      for (int j = 0; j < 5; ++j) put(P(i + 1) + "/k" + std::to_string(j), "b" + tag);
    }
    if (i > 0) {
      ASSERT_OK(db.Delete(P(i) + "/k19"));
      model->erase(P(i) + "/k19");
    }
    ASSERT_OK(db.Flush(FlushType::kMemTable));
  }
  put(P(3) + "/mem", "memtable");
  put("x9", "short-mem");
}

Model Expected(const Model& model, const std::string& prefix) {
  Model out;
  for (const auto& [k, v] : model) {
    if (k.starts_with(prefix)) out[k] = v;
  }
  return out;
}

Model Scanned(DbRead& db, const std::string& prefix, bool reverse = false) {
  ScanOptions opts;
  opts.reverse = reverse;
  Model out;
  testing::Rows rows = testing::DrainRows(db.ScanPrefix(prefix, opts));
  for (size_t i = 1; i < rows.size(); ++i) {
    EXPECT_TRUE(reverse ? rows[i - 1].first > rows[i].first : rows[i - 1].first < rows[i].first);
  }
  for (auto& [k, v] : rows) out[k] = v;
  return out;
}

TEST(PrefixFilterTest, ScanPrefixSkipsL0sWithoutThePrefix) {
  auto store = NewMemoryObjectStore();
  ASSERT_OK_AND_ASSIGN(auto db, OpenDb(store, Fixed(4)));
  Model model;
  ASSERT_NO_FATAL_FAILURE(Fill(*db, &model));
  ASSERT_OK_AND_ASSIGN(DbStatusInfo status, db->GetStatus());
  ASSERT_EQ(status.l0_ssts, static_cast<size_t>(kPrefixes));

  // One prefix: SSTs k-1 and k hold it, the filter must rule out (nearly) all of the 8 others.
  const uint64_t neg0 = Reads(*db).prefix_filter_negatives();
  const uint64_t pos0 = Reads(*db).prefix_filter_positives();
  EXPECT_EQ(Scanned(*db, P(5)), Expected(model, P(5)));
  const uint64_t neg = Reads(*db).prefix_filter_negatives() - neg0;
  const uint64_t pos = Reads(*db).prefix_filter_positives() - pos0;
  EXPECT_EQ(neg + pos, static_cast<uint64_t>(kPrefixes)) << "every L0 consulted once";
  EXPECT_GE(neg, 7u) << "SSTs without " << P(5) << " skipped";
  EXPECT_GE(pos, 2u);

  // Every prefix, both directions, longer scan prefixes (probed with their first 4 bytes), the
  // memtable's rows, deleted and overwritten keys: exactly the model.
  for (int i = 0; i < kPrefixes; ++i) {
    EXPECT_EQ(Scanned(*db, P(i)), Expected(model, P(i))) << P(i);
    EXPECT_EQ(Scanned(*db, P(i), /*reverse=*/true), Expected(model, P(i))) << P(i);
    EXPECT_EQ(Scanned(*db, P(i) + "/k1"), Expected(model, P(i) + "/k1")) << P(i);
  }
  EXPECT_EQ(Scanned(*db, P(3)).count(P(3) + "/mem"), 1u);
  EXPECT_GT(Reads(*db).prefix_filter_negatives() - neg0, static_cast<uint64_t>(5 * kPrefixes));
  // An absent prefix: no SST may hold it; nearly all are skipped.
  const uint64_t neg1 = Reads(*db).prefix_filter_negatives();
  EXPECT_TRUE(Scanned(*db, "p777").empty());
  EXPECT_GE(Reads(*db).prefix_filter_negatives() - neg1, 9u);

  // Outside the domain (and scan prefixes shorter than 4 bytes): no filter is consulted, the
  // rows are still all there.
  const uint64_t neg2 = Reads(*db).prefix_filter_negatives();
  const uint64_t pos2 = Reads(*db).prefix_filter_positives();
  EXPECT_EQ(Scanned(*db, "x"), Expected(model, "x"));
  EXPECT_EQ(Scanned(*db, "p00"), Expected(model, "p00"));
  EXPECT_EQ(Scanned(*db, "x3"), Expected(model, "x3"));
  EXPECT_EQ(Reads(*db).prefix_filter_negatives(), neg2);
  EXPECT_EQ(Reads(*db).prefix_filter_positives(), pos2);
  EXPECT_EQ(Expected(model, "x").size(), static_cast<size_t>(kPrefixes));

  // Point reads use the whole-key hashes: every key found, deleted keys absent.
  for (const auto& [k, v] : model) {
    ASSERT_OK_AND_ASSIGN(auto got, db->Get(k));
    EXPECT_EQ(got, std::optional<std::string>(v)) << k;
  }
  ASSERT_OK_AND_ASSIGN(auto gone, db->Get(P(4) + "/k19"));
  EXPECT_FALSE(gone.has_value());
  // A plain Scan (not a prefix range) never consults prefix filters.
  const uint64_t neg3 = Reads(*db).prefix_filter_negatives();
  EXPECT_EQ(testing::ScanToMap(*db), model);
  ScanRange sub;
  sub.start = P(2);
  sub.end = P(2) + "/k5";
  Model in_sub;
  for (const auto& [k, v] : model) {
    if (k >= *sub.start && k < *sub.end) in_sub[k] = v;
  }
  EXPECT_EQ(testing::ScanToMap(*db, sub), in_sub);
  EXPECT_FALSE(in_sub.empty());
  EXPECT_EQ(Reads(*db).prefix_filter_negatives(), neg3);
  ASSERT_OK(db->Close());

  // The SSTs on disk: `_bf:p=fixed-4` in a composite block, no filter for another name.
  manifest::ManifestStore manifests(store, "db");
  ASSERT_OK_AND_ASSIGN(auto latest, manifests.ReadLatest());
  ASSERT_TRUE(latest.has_value());
  ASSERT_EQ(latest->manifest.l0.size(), static_cast<size_t>(kPrefixes));
  for (const auto& sst : latest->manifest.l0) {
    EXPECT_EQ(sst.info.filter_format, format::FilterFormat::kComposite);
    ASSERT_OK_AND_ASSIGN(auto reader,
                         table::SstReader::Open(store, manifest::CompactedSstPath("db", sst.id)));
    ASSERT_OK_AND_ASSIGN(auto here, reader->MayContainPrefix("fixed-4", "aaaa"));
    EXPECT_EQ(here, std::optional<bool>(true));
    ASSERT_OK_AND_ASSIGN(auto other, reader->MayContainPrefix("fixed-3", "aaa"));
    EXPECT_FALSE(other.has_value());
  }
}

TEST(PrefixFilterTest, AnotherExtractorOnReopenIsCorrectAndSkipsNothing) {
  auto store = NewMemoryObjectStore();
  Model model;
  {
    ASSERT_OK_AND_ASSIGN(auto db, OpenDb(store, Fixed(4)));
    ASSERT_NO_FATAL_FAILURE(Fill(*db, &model));
    ASSERT_OK(db->Close());
  }
  // "fixed-3" finds no filter of its name in the "fixed-4" SSTs; no extractor reads normally.
  for (auto extractor : {Fixed(3), std::shared_ptr<const PrefixExtractor>()}) {
    ASSERT_OK_AND_ASSIGN(auto db, OpenDb(store, extractor));
    for (int i = 0; i < kPrefixes; ++i) {
      EXPECT_EQ(Scanned(*db, P(i)), Expected(model, P(i))) << P(i);
    }
    EXPECT_EQ(Scanned(*db, "x"), Expected(model, "x"));
    EXPECT_EQ(testing::ScanToMap(*db), model);
    EXPECT_EQ(Reads(*db).prefix_filter_negatives(), 0u);
    EXPECT_EQ(Reads(*db).prefix_filter_positives(), 0u);
    ASSERT_OK(db->Close());
  }
  // Back to the extractor the SSTs were written with: the filters are used again.
  ASSERT_OK_AND_ASSIGN(auto db, OpenDb(store, Fixed(4)));
  EXPECT_EQ(Scanned(*db, P(6)), Expected(model, P(6)));
  EXPECT_GE(Reads(*db).prefix_filter_negatives(), 7u);
  ASSERT_OK(db->Close());
  // A DbReader with the extractor reads the same rows.
  Components c;
  c.object_store = store;
  c.prefix_extractor = Fixed(4);
  ASSERT_OK_AND_ASSIGN(auto reader, DbReader::Open("db", std::move(c), DbReaderOptions()));
  for (int i = 0; i < kPrefixes; ++i) {
    EXPECT_EQ(Scanned(*reader, P(i)), Expected(model, P(i))) << P(i);
  }
  ASSERT_OK(reader->Close());
}

TEST(PrefixFilterTest, CompactedSstsCarryThePrefixFilter) {
  auto store = NewMemoryObjectStore();
  Model model;
  {
    // All L0s are written before the compactor starts, so it merges them in one job: a compactor
    // running during the fill can leave the last L0 alone (the scheduler wants 2 sources).
    ASSERT_OK_AND_ASSIGN(auto filling, OpenDb(store, Fixed(4), TestSettings(false)));
    ASSERT_NO_FATAL_FAILURE(Fill(*filling, &model));
    ASSERT_OK(filling->Close());
  }
  ASSERT_OK_AND_ASSIGN(auto db, OpenDb(store, Fixed(4), TestSettings(true)));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (true) {
    ASSERT_OK_AND_ASSIGN(DbStatusInfo st, db->GetStatus());
    if (st.l0_ssts == 0 && st.sorted_runs >= 1) break;
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the compactor did not run";
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  for (int i = 0; i < kPrefixes; ++i) {
    EXPECT_EQ(Scanned(*db, P(i)), Expected(model, P(i))) << P(i);
  }
  EXPECT_TRUE(Scanned(*db, "p777").empty());
  manifest::ManifestStore manifests(store, "db");
  ASSERT_OK_AND_ASSIGN(auto latest, manifests.ReadLatest());
  ASSERT_TRUE(latest.has_value());
  size_t ssts = 0;
  for (const auto& run : latest->manifest.compacted) {
    for (const auto& sst : run.ssts) {
      ++ssts;
      EXPECT_EQ(sst.info.filter_format, format::FilterFormat::kComposite);
      ASSERT_OK_AND_ASSIGN(auto reader,
                           table::SstReader::Open(store, manifest::CompactedSstPath("db", sst.id)));
      ASSERT_OK_AND_ASSIGN(auto has, reader->MayContainPrefix("fixed-4", P(5)));
      EXPECT_EQ(has, std::optional<bool>(true));
      ASSERT_OK_AND_ASSIGN(auto absent, reader->MayContainPrefix("fixed-4", "p777"));
      EXPECT_EQ(absent, std::optional<bool>(false));
    }
  }
  EXPECT_GE(ssts, 1u);
  // The compacted run's SST covers p777's range, so the filter is what skips it.
  EXPECT_GE(Reads(*db).prefix_filter_negatives(), 1u);
  ASSERT_OK(db->Close());
}

TEST(PrefixFilterTest, Compatibility012RejectsAnExtractor) {
  auto store = NewMemoryObjectStore();
  Settings s = TestSettings(false);
  s.compatibility = "0.12";
  auto db = OpenDb(store, Fixed(4), s);
  ASSERT_FALSE(db.ok());
  EXPECT_TRUE(db.status().IsInvalid());
  const std::string msg = db.status().ToString();
  EXPECT_NE(msg.find("prefix_extractor"), std::string::npos) << msg;
  EXPECT_NE(msg.find("compatibility"), std::string::npos) << msg;
  ASSERT_OK_AND_ASSIGN(auto listed, store->List("db/"));
  EXPECT_TRUE(listed.empty()) << "rejected before any write";
  // Without an extractor "0.12" opens and writes legacy filters as before.
  ASSERT_OK_AND_ASSIGN(auto ok, OpenDb(store, nullptr, s));
  ASSERT_OK(ok->Put("abcd", "v"));
  ASSERT_OK(ok->Flush(FlushType::kMemTable));
  ASSERT_OK_AND_ASSIGN(DbStatusInfo st, ok->GetStatus());
  EXPECT_EQ(st.l0_ssts, 1u);
  ASSERT_OK(ok->Close());
  manifest::ManifestStore manifests(store, "db");
  ASSERT_OK_AND_ASSIGN(auto latest, manifests.ReadLatest());
  ASSERT_TRUE(latest.has_value());
  ASSERT_EQ(latest->manifest.l0.size(), 1u);
  EXPECT_EQ(latest->manifest.l0[0].info.filter_format, format::FilterFormat::kLegacy);
  // An extractor with an empty name is rejected too.
  class Nameless final : public PrefixExtractor {
   public:
    std::string_view Name() const override { return ""; }
    std::optional<size_t> PrefixLen(std::string_view, PrefixTarget) const override {
      return std::nullopt;
    }
  };
  auto nameless = OpenDb(NewMemoryObjectStore(), std::make_shared<Nameless>());
  ASSERT_FALSE(nameless.ok());
  EXPECT_TRUE(nameless.status().IsInvalid());
}

}  // namespace
}  // namespace slatedb
