// Segments end to end (RFC-0024, Components::segment_extractor, docs/design.md "Segments"):
// L0 flushes split by the extractor's prefix into one SST per segment (short keys to the root
// tree) in one manifest update; Get, Scan (both directions, ranges across segments, prefixes),
// reopen and DbReader are exact against a std::map model; the extractor name is persisted and a
// different / missing / newly introduced extractor, or compatibility "0.12", is kInvalid; the
// compactor compacts each tree on its own and executes a DrainSegmentSpec.
#include "format/segments.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "compactor/worker.h"
#include "db/db_impl.h"
#include "format/ulid.h"
#include "manifest/manifest_store.h"
#include "slatedb/admin.h"
#include "slatedb/db.h"
#include "slatedb/prefix_extractor.h"
#include "test_settings.h"
#include "test_util.h"
#include "util/clock.h"

namespace slatedb {
namespace {

using Model = std::map<std::string, std::string>;

Settings TestSettings(bool compactor = false) {
  Settings s;
  s.flush_interval = std::chrono::milliseconds(10);
  s.manifest_poll_interval = std::chrono::milliseconds(50);
  s.garbage_collector_options.reset();
  s.compactor_options.reset();
  s.l0_max_ssts = 64;
  if (compactor) s.compactor_options = testing::EagerCompactorOptions();
  return s;
}

std::shared_ptr<const PrefixExtractor> Fixed(size_t n) {
  auto e = NewFixedPrefixExtractor(n);
  EXPECT_OK(e) << e.status().ToString();
  return e.ok() ? *e : nullptr;
}

Components Comp(std::shared_ptr<ObjectStore> store,
                std::shared_ptr<const PrefixExtractor> segments) {
  Components c;
  c.object_store = std::move(store);
  c.segment_extractor = std::move(segments);
  c.seed = 11;
  return c;
}

Result<std::unique_ptr<Db>> OpenDb(std::shared_ptr<ObjectStore> store,
                                   std::shared_ptr<const PrefixExtractor> segments,
                                   Settings settings = TestSettings()) {
  return Db::Open("db", Comp(std::move(store), std::move(segments)), settings);
}

Result<format::Manifest> Latest(const std::shared_ptr<ObjectStore>& store) {
  manifest::ManifestStore manifests(store, "db");
  ASSIGN_OR_RETURN(auto latest, manifests.ReadLatest());
  if (!latest) return Status::NotFound("no manifest");
  return latest->manifest;
}

Result<uint64_t> LatestId(const std::shared_ptr<ObjectStore>& store) {
  manifest::ManifestStore manifests(store, "db");
  ASSIGN_OR_RETURN(auto latest, manifests.ReadLatest());
  if (!latest) return Status::NotFound("no manifest");
  return latest->id;
}

const std::vector<std::string> kPrefixes = {"aaa", "bbb", "ccc", "ddd"};

// Three flushes over the segments (each flush touches a different subset, overwrites and deletes
// rows of earlier flushes) plus short keys (outside a 3-byte extractor's domain: the root tree),
// then unflushed memtable rows.
void Fill(Db& db, Model* model, int rounds = 3) {
  auto put = [&](const std::string& k, const std::string& v) {
    ASSERT_OK(db.Put(k, v));
    (*model)[k] = v;
  };
  for (int r = 0; r < rounds; ++r) {
    const std::string tag = std::to_string(r);
    for (size_t p = 0; p < kPrefixes.size(); ++p) {
      if ((p + static_cast<size_t>(r)) % 4 == 3) continue;  // each flush skips one segment
      for (int j = 0; j < 30; ++j) {
        put(kPrefixes[p] + "/k" + std::to_string(j), "v" + tag + "-" + std::to_string(j));
      }
      if (r > 0) {
        ASSERT_OK(db.Delete(kPrefixes[p] + "/k" + std::to_string(r)));
        model->erase(kPrefixes[p] + "/k" + std::to_string(r));
      }
    }
    put("a", "short" + tag);
    put("zz", "short-zz" + tag);
    put("b" + tag, "short-b" + tag);
    ASSERT_OK(db.Flush(FlushType::kMemTable));
  }
  put("ccc/mem", "memtable");
  put("q", "short-mem");
  ASSERT_OK(db.Delete("aaa/k10"));
  model->erase("aaa/k10");
}

Model InRange(const Model& model, const ScanRange& range) {
  Model out;
  for (const auto& [k, v] : model) {
    if (range.start && k < *range.start) continue;
    if (range.end && k >= *range.end) continue;
    out[k] = v;
  }
  return out;
}

Model Scanned(DbRead& db, const ScanRange& range, bool reverse) {
  ScanOptions opts;
  opts.reverse = reverse;
  Model out;
  testing::Rows rows = testing::DrainRows(db.Scan(range, opts));
  for (size_t i = 1; i < rows.size(); ++i) {
    EXPECT_TRUE(reverse ? rows[i - 1].first > rows[i].first : rows[i - 1].first < rows[i].first)
        << rows[i - 1].first << " then " << rows[i].first;
  }
  for (auto& [k, v] : rows) out[k] = v;
  EXPECT_EQ(out.size(), rows.size());
  return out;
}

// Every key (and absent ones), the whole range and ranges within / across / between segments,
// both directions, prefix scans: exactly the model.
void ExpectReads(DbRead& db, const Model& model) {
  for (const auto& [k, v] : model) {
    ASSERT_OK_AND_ASSIGN(auto got, db.Get(k));
    EXPECT_EQ(got, std::optional<std::string>(v)) << k;
  }
  for (const std::string absent : {"aaa/k1", "aaa/k10", "bbb/nope", "eee/x", "c", ""}) {
    if (model.count(absent) || absent.empty()) continue;
    ASSERT_OK_AND_ASSIGN(auto got, db.Get(absent));
    EXPECT_FALSE(got.has_value()) << absent;
  }
  std::vector<ScanRange> ranges;
  ranges.push_back({});
  ranges.push_back({std::string("aaa/k2"), std::string("aaa/k3")});
  ranges.push_back({std::string("aaa/k5"), std::string("ccc/k2")});
  ranges.push_back({std::string("b"), std::string("bbc")});
  ranges.push_back({std::string("bbb"), std::nullopt});
  ranges.push_back({std::nullopt, std::string("bbb/k1")});
  ranges.push_back({std::string("ccd"), std::string("zzz")});
  ranges.push_back({std::string("eee"), std::string("eef")});
  ranges.push_back(PrefixRange("ddd"));
  ranges.push_back(PrefixRange("bb"));
  for (const ScanRange& r : ranges) {
    const std::string what = r.start.value_or("-inf") + ".." + r.end.value_or("+inf");
    EXPECT_EQ(Scanned(db, r, false), InRange(model, r)) << what;
    EXPECT_EQ(Scanned(db, r, true), InRange(model, r)) << what << " reverse";
  }
}

TEST(SegmentsTest, FlushSplitsBySegmentAndReadsAreExact) {
  auto store = NewMemoryObjectStore();
  Model model;
  ASSERT_OK_AND_ASSIGN(auto db, OpenDb(store, Fixed(3)));
  ASSERT_NO_FATAL_FAILURE(Fill(*db, &model));
  ASSERT_NO_FATAL_FAILURE(ExpectReads(*db, model));

  // The manifest: the name, one segment per prefix in prefix order, each holding one L0 per
  // flush that touched it (3 flushes, each skipping one of the 4 segments); the root tree holds
  // the short keys only.
  ASSERT_OK_AND_ASSIGN(format::Manifest m, Latest(store));
  EXPECT_EQ(m.segment_extractor_name, std::optional<std::string>("fixed-3"));
  ASSERT_EQ(m.segments.size(), kPrefixes.size());
  size_t segment_l0s = 0;
  for (size_t i = 0; i < kPrefixes.size(); ++i) {
    const format::Segment& s = m.segments[i];
    EXPECT_EQ(s.prefix, kPrefixes[i]);
    EXPECT_TRUE(s.compacted.empty());
    EXPECT_GE(s.l0.size(), 2u);
    segment_l0s += s.l0.size();
    for (const format::SstHandle& h : s.l0) {
      ASSERT_TRUE(h.info.first_entry.has_value());
      EXPECT_TRUE(h.info.first_entry->starts_with(s.prefix)) << *h.info.first_entry;
      ASSERT_TRUE(h.info.last_entry.has_value());
      EXPECT_TRUE(h.info.last_entry->starts_with(s.prefix)) << *h.info.last_entry;
    }
    // Newest first.
    for (size_t j = 1; j < s.l0.size(); ++j) EXPECT_TRUE(s.l0[j].id < s.l0[j - 1].id);
  }
  EXPECT_EQ(segment_l0s, 9u);  // 3 flushes x 3 segments each
  ASSERT_EQ(m.l0.size(), 3u);
  for (const format::SstHandle& h : m.l0) {
    EXPECT_LT(h.info.first_entry->size(), 3u);
    EXPECT_LT(h.info.last_entry->size(), 3u);
  }
  EXPECT_EQ(format::MaxTreeL0(m), 3u);
  ASSERT_OK_AND_ASSIGN(DbStatusInfo status, db->GetStatus());
  EXPECT_EQ(status.l0_ssts, 3u);  // the root tree's
  ASSERT_OK(db->Close());

  // Reopen (the memtable rows come back from the WAL) and read again; readers with and without
  // the extractor see the same rows.
  ASSERT_OK_AND_ASSIGN(db, OpenDb(store, Fixed(3)));
  ASSERT_NO_FATAL_FAILURE(ExpectReads(*db, model));
  ASSERT_OK(db->Flush(FlushType::kMemTable));
  ASSERT_NO_FATAL_FAILURE(ExpectReads(*db, model));
  {
    ASSERT_OK_AND_ASSIGN(auto reader, DbReader::Open("db", Comp(store, nullptr)));
    ASSERT_NO_FATAL_FAILURE(ExpectReads(*reader, model));
    ASSERT_OK(reader->Close());
    ASSERT_OK_AND_ASSIGN(auto named, DbReader::Open("db", Comp(store, Fixed(3))));
    ASSERT_NO_FATAL_FAILURE(ExpectReads(*named, model));
    ASSERT_OK(named->Close());
  }
  ASSERT_OK(db->Close());
}

TEST(SegmentsTest, OneFlushIsOneManifestUpdate) {
  auto store = NewMemoryObjectStore();
  ASSERT_OK_AND_ASSIGN(auto db, OpenDb(store, Fixed(3)));
  for (const std::string& p : kPrefixes) ASSERT_OK(db->Put(p + "/x", "1"));
  ASSERT_OK(db->Put("k", "root"));
  ASSERT_OK_AND_ASSIGN(uint64_t before, LatestId(store));
  ASSERT_OK(db->Flush(FlushType::kMemTable));
  ASSERT_OK_AND_ASSIGN(uint64_t after, LatestId(store));
  EXPECT_EQ(after, before + 1) << "all 5 L0 SSTs in one manifest update";
  ASSERT_OK_AND_ASSIGN(format::Manifest m, Latest(store));
  EXPECT_EQ(m.segments.size(), kPrefixes.size());
  EXPECT_EQ(m.l0.size(), 1u);
  EXPECT_EQ(format::TotalL0(m), 5u);
  EXPECT_GT(m.last_l0_seq, 0u);
  // Only segment rows: no root SST is written.
  ASSERT_OK(db->Put("aaa/y", "2"));
  ASSERT_OK(db->Flush(FlushType::kMemTable));
  ASSERT_OK_AND_ASSIGN(m, Latest(store));
  EXPECT_EQ(m.l0.size(), 1u);
  EXPECT_EQ(m.segments[0].l0.size(), 2u);
  ASSERT_OK(db->Close());
}

TEST(SegmentsTest, ExtractorMismatchIsInvalid) {
  auto store = NewMemoryObjectStore();
  {
    ASSERT_OK_AND_ASSIGN(auto db, OpenDb(store, Fixed(3)));
    ASSERT_OK(db->Put("aaa/1", "x"));
    ASSERT_OK(db->Flush(FlushType::kMemTable));
    ASSERT_OK(db->Close());
  }
  auto other = OpenDb(store, Fixed(4));
  ASSERT_FALSE(other.ok());
  EXPECT_TRUE(other.status().IsInvalid()) << other.status().ToString();
  EXPECT_NE(other.status().ToString().find("fixed-4"), std::string::npos);
  EXPECT_NE(other.status().ToString().find("fixed-3"), std::string::npos);

  auto missing = OpenDb(store, nullptr);
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.status().IsInvalid()) << missing.status().ToString();
  EXPECT_NE(missing.status().ToString().find("fixed-3"), std::string::npos);

  auto reader = DbReader::Open("db", Comp(store, Fixed(4)));
  ASSERT_FALSE(reader.ok());
  EXPECT_TRUE(reader.status().IsInvalid()) << reader.status().ToString();
  EXPECT_NE(reader.status().ToString().find("fixed-4"), std::string::npos);
  EXPECT_NE(reader.status().ToString().find("fixed-3"), std::string::npos);

  // The right one still opens and reads.
  ASSERT_OK_AND_ASSIGN(auto db, OpenDb(store, Fixed(3)));
  ASSERT_OK_AND_ASSIGN(auto got, db->Get("aaa/1"));
  EXPECT_EQ(got, std::optional<std::string>("x"));
  ASSERT_OK(db->Close());
}

TEST(SegmentsTest, IntroducingAnExtractorOnExistingDataIsInvalid) {
  auto store = NewMemoryObjectStore();
  {
    ASSERT_OK_AND_ASSIGN(auto db, OpenDb(store, nullptr));
    ASSERT_OK(db->Put("aaa/1", "x"));
    ASSERT_OK(db->Flush(FlushType::kMemTable));
    ASSERT_OK(db->Close());
  }
  auto late = OpenDb(store, Fixed(3));
  ASSERT_FALSE(late.ok());
  EXPECT_TRUE(late.status().IsInvalid()) << late.status().ToString();
  EXPECT_NE(late.status().ToString().find("fixed-3"), std::string::npos);
  ASSERT_OK_AND_ASSIGN(format::Manifest m, Latest(store));
  EXPECT_FALSE(m.segment_extractor_name.has_value());

  // On a database without SSTs it is the first configuration, persisted at open.
  auto fresh = NewMemoryObjectStore();
  {
    ASSERT_OK_AND_ASSIGN(auto db, OpenDb(fresh, nullptr));
    ASSERT_OK(db->Close());
  }
  ASSERT_OK_AND_ASSIGN(auto db, OpenDb(fresh, Fixed(3)));
  ASSERT_OK_AND_ASSIGN(m, Latest(fresh));
  EXPECT_EQ(m.segment_extractor_name, std::optional<std::string>("fixed-3"));
  ASSERT_OK(db->Close());
}

TEST(SegmentsTest, Compatibility012IsInvalid) {
  Settings s = TestSettings();
  s.compatibility = "0.12";
  auto db = OpenDb(NewMemoryObjectStore(), Fixed(3), s);
  ASSERT_FALSE(db.ok());
  EXPECT_TRUE(db.status().IsInvalid()) << db.status().ToString();
  EXPECT_NE(db.status().ToString().find("compatibility"), std::string::npos);
  EXPECT_NE(db.status().ToString().find("segment_extractor"), std::string::npos);
}

}  // namespace
}  // namespace slatedb

namespace slatedb {
namespace {

std::vector<format::ConstTreeRef> TreesOf(const format::Manifest& m) { return format::AllTrees(m); }

// Compaction per tree: every tree's L0s become a sorted run of that tree (ids unique across
// trees, outputs hold only the tree's keys), reads stay exact; then a DrainSegmentSpec empties a
// segment (its rows are gone, the others stay) and the writer's next flush prunes the marker.
TEST(SegmentsTest, CompactionPerSegmentKeepsEveryRowAndDrainRemovesOne) {
  auto store = NewMemoryObjectStore();
  Model model;
  ASSERT_OK_AND_ASSIGN(auto db, OpenDb(store, Fixed(3), TestSettings(/*compactor=*/true)));
  ASSERT_NO_FATAL_FAILURE(Fill(*db, &model));
  format::Manifest m;
  ASSERT_TRUE(testing::WaitFor([&] {
    auto latest = Latest(store);
    if (!latest.ok()) return false;
    m = *latest;
    if (m.segments.size() != kPrefixes.size()) return false;
    for (const auto& tree : TreesOf(m)) {
      if (tree.l0->size() >= 2 || tree.compacted->empty()) return false;
    }
    return true;
  })) << "every tree compacted";
  std::set<uint32_t> run_ids;
  size_t runs = 0;
  for (const auto& tree : TreesOf(m)) {
    EXPECT_TRUE(tree.last_compacted->has_value()) << tree.prefix;
    for (const auto& run : *tree.compacted) {
      run_ids.insert(run.id);
      ++runs;
      for (const auto& sst : run.ssts) {
        if (tree.prefix.empty()) {
          EXPECT_LT(sst.info.first_entry->size(), 3u);
        } else {
          EXPECT_TRUE(sst.info.first_entry->starts_with(tree.prefix));
          EXPECT_TRUE(sst.info.last_entry->starts_with(tree.prefix));
        }
      }
    }
  }
  EXPECT_EQ(run_ids.size(), runs) << "sorted-run ids are unique across trees";
  ASSERT_NO_FATAL_FAILURE(ExpectReads(*db, model));

  // Drain "bbb": every L0 and run of it, submitted to `.compactions` as an admin would.
  const format::Segment bbb = m.segments[1];
  ASSERT_EQ(bbb.prefix, "bbb");
  format::CompactionRecord drain;
  format::UlidGenerator ulids(99);
  drain.id = ulids.Next(util::SystemClock::Default()->NowMillis());
  drain.kind = format::CompactionKind::kDrainSegment;
  drain.segment = "bbb";
  for (const auto& h : bbb.l0) drain.l0_view_ids.push_back(h.ViewId());
  for (const auto& r : bbb.compacted) drain.sorted_runs.push_back(r.id);
  manifest::CompactionsStore cs(store, "db");
  ASSERT_OK(compactor::UpdateCompactions(cs, [&](format::Compactions& c) -> Status {
              c.recent_compactions.push_back(drain);
              return Status::OK();
            }).status());
  // A flush makes the embedded compactor poll (and adopt the submission).
  ASSERT_OK(db->Put("aaa/after", "1"));
  model["aaa/after"] = "1";
  ASSERT_OK(db->Flush(FlushType::kMemTable));
  ASSERT_TRUE(testing::WaitFor([&] {
    auto latest = Latest(store);
    if (!latest.ok()) return false;
    auto at = format::FindSegment(*latest, "bbb");
    return !at || (latest->segments[*at].l0.empty() && latest->segments[*at].compacted.empty());
  })) << "bbb drained";
  // The writer reads the drained version at its next manifest poll.
  ASSERT_TRUE(testing::WaitFor([&] { return Scanned(*db, PrefixRange("bbb"), false).empty(); }));
  std::erase_if(model, [](const auto& kv) { return kv.first.starts_with("bbb"); });
  ASSERT_NO_FATAL_FAILURE(ExpectReads(*db, model));
  // The writer's next flush prunes the drain marker.
  ASSERT_OK(db->Put("ccc/after", "2"));
  model["ccc/after"] = "2";
  ASSERT_OK(db->Flush(FlushType::kMemTable));
  ASSERT_OK_AND_ASSIGN(m, Latest(store));
  EXPECT_FALSE(format::FindSegment(m, "bbb").has_value());
  EXPECT_EQ(m.segments.size(), kPrefixes.size() - 1);
  ASSERT_NO_FATAL_FAILURE(ExpectReads(*db, model));
  ASSERT_OK(db->Close());

  ASSERT_OK_AND_ASSIGN(auto reader, DbReader::Open("db", Comp(store, nullptr)));
  ASSERT_NO_FATAL_FAILURE(ExpectReads(*reader, model));
  ASSERT_OK(reader->Close());
}

// Admin's manifest view and `slatedb manifest`'s JSON show each segment (prefix, L0s, runs).
TEST(SegmentsTest, AdminViewShowsSegments) {
  auto store = NewMemoryObjectStore();
  {
    ASSERT_OK_AND_ASSIGN(auto db, OpenDb(store, Fixed(3)));
    ASSERT_OK(db->Put("aaa/1", "x"));
    ASSERT_OK(db->Put("bbb/1", "y"));
    ASSERT_OK(db->Put("k", "root"));
    ASSERT_OK(db->Flush(FlushType::kMemTable));
    ASSERT_OK(db->Put("bbb/2", "z"));
    ASSERT_OK(db->Flush(FlushType::kMemTable));
    ASSERT_OK(db->Close());
  }
  ASSERT_OK_AND_ASSIGN(auto admin, Admin::Open("db", Comp(store, nullptr)));
  ASSERT_OK_AND_ASSIGN(ManifestView v, admin->ReadManifest());
  EXPECT_EQ(v.segments, 2u);
  EXPECT_EQ(v.segment_extractor_name, std::optional<std::string>("fixed-3"));
  ASSERT_EQ(v.segment_trees.size(), 2u);
  EXPECT_EQ(v.segment_trees[0].prefix, "aaa");
  EXPECT_EQ(v.segment_trees[0].l0.size(), 1u);
  EXPECT_EQ(v.segment_trees[1].prefix, "bbb");
  EXPECT_EQ(v.segment_trees[1].l0.size(), 2u);
  EXPECT_TRUE(v.segment_trees[1].compacted.empty());
  EXPECT_EQ(v.l0.size(), 1u);
}

// An extractor breaking its contract (its prefixes nest: "a" for "a<digit>...", else two
// bytes): rows under an existing segment follow that segment, as reads route them; a new prefix
// nesting with an existing one fails the flush with kInvalid naming both.
class NestingExtractor final : public PrefixExtractor {
 public:
  std::string_view Name() const override { return "nesting"; }
  std::optional<size_t> PrefixLen(std::string_view input, PrefixTarget) const override {
    if (input.size() < 2) return std::nullopt;
    return input[1] >= '0' && input[1] <= '9' ? 1 : 2;
  }
};

TEST(SegmentsTest, NestingPrefixesFailTheFlush) {
  auto store = NewMemoryObjectStore();
  ASSERT_OK_AND_ASSIGN(auto db, OpenDb(store, std::make_shared<NestingExtractor>()));
  ASSERT_OK(db->Put("ab/1", "x"));
  ASSERT_OK(db->Flush(FlushType::kMemTable));
  ASSERT_OK(db->Put("a1", "y"));
  Status st = db->Flush(FlushType::kMemTable);
  EXPECT_TRUE(st.IsInvalid()) << st.ToString();
  EXPECT_NE(st.ToString().find("'a'"), std::string::npos) << st.ToString();
  EXPECT_NE(st.ToString().find("'ab'"), std::string::npos) << st.ToString();
  ASSERT_OK_AND_ASSIGN(format::Manifest m, Latest(store));
  ASSERT_EQ(m.segments.size(), 1u);
  EXPECT_EQ(m.segments[0].prefix, "ab");
  db->Close().PermitUnchecked();
}

// A DbReader that follows the writer (no WAL replay: it reads L0s and runs only) sees the
// segments created after it opened, exactly.
TEST(SegmentsTest, FollowingReaderSeesNewSegments) {
  auto store = NewMemoryObjectStore();
  ASSERT_OK_AND_ASSIGN(auto db, OpenDb(store, Fixed(3)));
  ASSERT_OK(db->Put("k", "root"));
  ASSERT_OK(db->Flush(FlushType::kMemTable));
  DbReaderOptions ro;
  ro.manifest_poll_interval = std::chrono::milliseconds(10);
  ro.skip_wal_replay = true;
  ASSERT_OK_AND_ASSIGN(auto reader, DbReader::Open("db", Comp(store, Fixed(3)), ro));
  Model model = {{"k", "root"}};
  ASSERT_NO_FATAL_FAILURE(Fill(*db, &model, /*rounds=*/2));
  ASSERT_OK(db->Flush(FlushType::kMemTable));
  ASSERT_TRUE(testing::WaitFor([&] { return testing::ScanToMap(*reader) == model; }));
  ASSERT_NO_FATAL_FAILURE(ExpectReads(*reader, model));
  ASSERT_OK(reader->Close());
  ASSERT_OK(db->Close());
}

// l0_flush_parallelism does not apply to a segmented flush (one SST per tree, serial): Open says
// so once in the log rather than ignoring the setting silently; without an extractor it does not.
TEST(SegmentsTest, OpenLogsThatSegmentedFlushesAreSerial) {
  for (const bool segmented : {true, false}) {
    auto logger = std::make_shared<slatedb::testing::CapturingLogger>();
    Components c = Comp(NewMemoryObjectStore(), segmented ? Fixed(4) : nullptr);
    c.logger = logger;
    Settings s = TestSettings();
    s.l0_flush_parallelism = 4;
    ASSERT_OK_AND_ASSIGN(auto db, Db::Open("db", std::move(c), s));
    EXPECT_EQ(logger->Count("L0 flushes are serial with a segment extractor"), segmented ? 1u : 0u);
    ASSERT_OK(db->Close());
  }
}

}  // namespace
}  // namespace slatedb
