// table/sst_reader_test.cc — SstReader, SstIterator, SortedRunIterator, SstWriter on the
// memory store, and on the peer fixtures through a (read-only) local store.
#include "table/sst_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "format/manifest_codec.h"
#include "format/test_fixtures.h"
#include "table/sorted_run_iterator.h"
#include "table/sst_writer.h"
#include "test_util.h"
#include "util/random.h"

namespace slatedb::table {
namespace {

using format::RowEntry;
using format::RowKind;
using format::SstBuilderOptions;

RowEntry R(std::string key, uint64_t seq, RowKind kind = RowKind::kValue) {
  RowEntry r;
  r.key = std::move(key);
  r.seq = seq;
  r.kind = kind;
  if (kind != RowKind::kTombstone) r.value = r.key + "@" + std::to_string(seq);
  r.create_ts = 1700000000000 + static_cast<int64_t>(seq);
  return r;
}

// Rows: keys k0000..k(n-1), each with 1..4 versions (seqs descending), some tombstones.
std::vector<RowEntry> MakeRows(int n, uint64_t seed) {
  util::Random rnd(seed);
  std::vector<RowEntry> rows;
  uint64_t seq = 100000;
  for (int i = 0; i < n; ++i) {
    char key[16];
    std::snprintf(key, sizeof(key), "k%04d", i * 2);  // odd keys are absent
    int versions = 1 + static_cast<int>(rnd.Uniform(4));
    for (int v = 0; v < versions; ++v) {
      RowKind kind = rnd.OneIn(6) ? RowKind::kTombstone : RowKind::kValue;
      rows.push_back(
          R(key, seq - static_cast<uint64_t>(v) * 3 - static_cast<uint64_t>(i) * 20, kind));
    }
  }
  return rows;
}

std::vector<std::pair<std::string, uint64_t>> Drain(RowIterator& it) {
  std::vector<std::pair<std::string, uint64_t>> out;
  while (it.Valid()) {
    out.emplace_back(it.row().key, it.row().seq);
    Status st = it.Next();
    EXPECT_OK(st) << st.ToString();
    if (!st.ok()) break;
  }
  return out;
}

std::vector<std::pair<std::string, uint64_t>> ModelDrain(const std::vector<RowEntry>& rows,
                                                         Direction dir,
                                                         std::optional<std::string> seek) {
  VectorIterator it(rows, dir);
  EXPECT_OK((seek ? it.Seek(*seek) : it.SeekToFirst()));
  return Drain(it);
}

class SstReaderTest : public ::testing::Test {
 protected:
  std::shared_ptr<ObjectStore> store_ = NewMemoryObjectStore();
};

TEST_F(SstReaderTest, GetHonoursMaxSeqAndReturnsTombstones) {
  std::vector<RowEntry> rows = {R("a", 9), R("a", 5, RowKind::kTombstone), R("a", 2),
                                R("b", 7, RowKind::kMerge), R("c", 1)};
  SstBuilderOptions opts;
  opts.min_filter_keys = 1;
  auto sst = WriteSst(*store_, "db/compacted/x.sst", rows, opts);
  ASSERT_OK(sst) << sst.status().ToString();
  auto reader = SstReader::Open(store_, "db/compacted/x.sst");
  ASSERT_OK(reader) << reader.status().ToString();
  EXPECT_EQ((*reader)->info(), sst->info);
  auto g = (*reader)->Get("a", 100);
  ASSERT_OK(g);
  ASSERT_TRUE(g->has_value());
  EXPECT_EQ((*g)->seq, 9u);
  g = (*reader)->Get("a", 8);
  ASSERT_TRUE(g.ok() && g->has_value());
  EXPECT_TRUE((*g)->is_tombstone());
  g = (*reader)->Get("a", 4);
  ASSERT_TRUE(g.ok() && g->has_value());
  EXPECT_EQ((*g)->value, "a@2");
  g = (*reader)->Get("a", 1);
  ASSERT_OK(g);
  EXPECT_FALSE(g->has_value());
  g = (*reader)->Get("b", 100);
  ASSERT_TRUE(g.ok() && g->has_value());
  EXPECT_EQ((*g)->kind, RowKind::kMerge);
  g = (*reader)->Get("bb", 100);
  ASSERT_OK(g);
  EXPECT_FALSE(g->has_value());
  auto versions = (*reader)->GetVersions("a", 8);
  ASSERT_OK(versions);
  ASSERT_EQ(versions->size(), 2u);
  EXPECT_EQ((*versions)[0].seq, 5u);
  EXPECT_EQ((*versions)[1].seq, 2u);
  EXPECT_FALSE(*(*reader)->MayContain("0"));  // before first_entry
  EXPECT_FALSE(*(*reader)->MayContain("d"));  // after last_entry
  EXPECT_TRUE(*(*reader)->MayContain("a"));
}

// Many small blocks, versions straddling block boundaries, with and without the suffix
// shortcut (a tiny suffix forces Head + ranged block reads) and with a block cache.
TEST_F(SstReaderTest, IteratorsAndGetsMatchTheModel) {
  auto rows = MakeRows(400, 7);
  for (int variant = 0; variant < 3; ++variant) {
    SCOPED_TRACE(variant);
    SstBuilderOptions opts;
    opts.block_size = 256;
    opts.compression =
        variant == 2 ? format::CompressionCodec::kLz4 : format::CompressionCodec::kNone;
    std::string key = "db/compacted/v" + std::to_string(variant) + ".sst";
    auto sst = WriteSst(*store_, key, rows, opts);
    ASSERT_OK(sst);
    SstReaderOptions ropts;
    if (variant >= 1) ropts.suffix_read_bytes = 64;
    if (variant == 1)
      ropts.cache = slatedb::BlockCache::Create(
                        {.data_capacity_bytes = 1 << 20, .meta_capacity_bytes = 1 << 20})
                        .value();
    auto reader = SstReader::Open(store_, key, ropts);
    ASSERT_OK(reader) << reader.status().ToString();
    ASSERT_GT(*(*reader)->NumBlocks(), 20u);
    auto all = (*reader)->ReadAllRows();
    ASSERT_OK(all);
    EXPECT_EQ(*all, rows);
    for (Direction dir : {Direction::kForward, Direction::kReverse}) {
      auto it = (*reader)->NewIterator(dir);
      ASSERT_OK(it->SeekToFirst());
      EXPECT_EQ(Drain(*it), ModelDrain(rows, dir, std::nullopt));
      for (int k = -1; k < 805; k += 13) {
        char target[16];
        std::snprintf(target, sizeof(target), "k%04d", k);
        ASSERT_OK(it->Seek(target));
        auto want = ModelDrain(rows, dir, std::string(target));
        auto got = Drain(*it);
        ASSERT_EQ(got, want) << target;
      }
    }
    // Point lookups at every key and several snapshot seqs.
    std::map<std::string, std::vector<RowEntry>> by_key;
    for (const auto& r : rows) by_key[r.key].push_back(r);
    for (const auto& [k, versions] : by_key) {
      for (uint64_t max_seq :
           {versions.back().seq - 1, versions.back().seq, versions[0].seq, versions[0].seq + 1}) {
        std::optional<RowEntry> want;
        for (const auto& v : versions) {
          if (v.seq <= max_seq) {
            want = v;
            break;
          }
        }
        auto got = (*reader)->Get(k, max_seq);
        ASSERT_OK(got) << got.status().ToString();
        EXPECT_EQ(*got, want) << k << " " << max_seq;
      }
      auto absent = (*reader)->Get(k + "x", UINT64_MAX);
      ASSERT_OK(absent);
      EXPECT_FALSE(absent->has_value());
    }
    if (ropts.cache) {
      EXPECT_GT(ropts.cache->GetStats().data_hits, 0u);
    }
  }
}

// One key with many versions spread over several blocks (index separator == key).
TEST_F(SstReaderTest, VersionsStraddlingBlocks) {
  std::vector<RowEntry> rows = {R("a", 500)};
  for (uint64_t s = 400; s > 340; s -= 2) rows.push_back(R("m", s));
  rows.push_back(R("z", 1));
  SstBuilderOptions opts;
  opts.block_size = 128;
  auto sst = WriteSst(*store_, "db/compacted/s.sst", rows, opts);
  ASSERT_OK(sst);
  auto decoded = format::DecodeSst(sst->bytes);
  ASSERT_OK(decoded);
  int equal_separators = 0;
  for (const auto& b : decoded->index.blocks) equal_separators += b.first_key == "m";
  ASSERT_GE(equal_separators, 2);  // "m" continues across block boundaries
  auto reader = SstReader::Open(store_, "db/compacted/s.sst");
  ASSERT_OK(reader);
  for (uint64_t max_seq = 338; max_seq <= 402; ++max_seq) {
    auto g = (*reader)->Get("m", max_seq);
    ASSERT_OK(g);
    if (max_seq < 342) {
      EXPECT_FALSE(g->has_value()) << max_seq;
    } else {
      ASSERT_TRUE(g->has_value()) << max_seq;
      EXPECT_EQ((*g)->seq, std::min<uint64_t>(400, max_seq - max_seq % 2));
    }
  }
  auto versions = (*reader)->GetVersions("m", UINT64_MAX);
  ASSERT_OK(versions);
  EXPECT_EQ(versions->size(), 30u);
  for (Direction dir : {Direction::kForward, Direction::kReverse}) {
    auto it = (*reader)->NewIterator(dir);
    for (const char* target : {"m", "l", "n", "a", "z", "0", "zz"}) {
      ASSERT_OK(it->Seek(target));
      EXPECT_EQ(Drain(*it), ModelDrain(rows, dir, std::string(target))) << target;
    }
  }
}

TEST_F(SstReaderTest, ConcurrentReadersShareLazyState) {
  auto rows = MakeRows(200, 11);
  SstBuilderOptions opts;
  opts.block_size = 256;
  opts.min_filter_keys = 10;
  ASSERT_OK(WriteSst(*store_, "db/compacted/t.sst", rows, opts));
  SstReaderOptions ropts;
  ropts.cache =
      slatedb::BlockCache::Create(
          {.data_capacity_bytes = 64 * 1024, .meta_capacity_bytes = 64 * 1024, .num_shards = 4})
          .value();
  ropts.suffix_read_bytes = 64;
  auto reader = SstReader::Open(store_, "db/compacted/t.sst", ropts);
  ASSERT_OK(reader);
  std::vector<std::thread> threads;
  std::atomic<int> found{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = static_cast<size_t>(t); i < rows.size(); i += 3) {
        auto g = (*reader)->Get(rows[i].key, rows[i].seq);
        if (g.ok() && g->has_value() && **g == rows[i]) ++found;
      }
      auto it = (*reader)->NewIterator(t % 2 ? Direction::kReverse : Direction::kForward);
      EXPECT_OK(it->SeekToFirst());
      size_t n = 0;
      while (it->Valid() && it->Next().ok()) ++n;
      EXPECT_EQ(n, rows.size());
    });
  }
  for (auto& th : threads) th.join();
  int expected = 0;
  for (int t = 0; t < 4; ++t) {
    for (size_t i = static_cast<size_t>(t); i < rows.size(); i += 3) ++expected;
  }
  EXPECT_EQ(found.load(), expected);
}

TEST_F(SstReaderTest, SortedRunIteratorOpensLazily) {
  auto rows = MakeRows(300, 3);
  // Split into 4 SSTs at key boundaries.
  std::vector<SstRef> refs;
  size_t per = rows.size() / 4;
  size_t start = 0;
  for (int i = 0; i < 4; ++i) {
    size_t end = i == 3 ? rows.size() : start + per;
    while (end < rows.size() && rows[end].key == rows[end - 1].key) ++end;
    std::vector<RowEntry> part(rows.begin() + static_cast<long>(start),
                               rows.begin() + static_cast<long>(end));
    std::string key = "db/compacted/sr" + std::to_string(i) + ".sst";
    SstBuilderOptions opts;
    opts.block_size = 512;
    auto sst = WriteSst(*store_, key, part, opts);
    ASSERT_OK(sst);
    refs.push_back({key, sst->info, format::kSstFormatVersion});
    start = end;
  }
  int opened = 0;
  auto base = MakeSstOpener(store_);
  SstOpener counting = [&](const SstRef& r) {
    ++opened;
    return base(r);
  };
  for (Direction dir : {Direction::kForward, Direction::kReverse}) {
    SortedRunIterator it(refs, counting, dir);
    ASSERT_OK(it.SeekToFirst());
    EXPECT_EQ(Drain(it), ModelDrain(rows, dir, std::nullopt));
    for (int k = -1; k < 605; k += 17) {
      char target[16];
      std::snprintf(target, sizeof(target), "k%04d", k);
      ASSERT_OK(it.Seek(target));
      EXPECT_EQ(Drain(it), ModelDrain(rows, dir, std::string(target))) << target;
    }
  }
  opened = 0;
  SortedRunIterator it(refs, counting, Direction::kForward);
  ASSERT_OK(it.Seek(*refs[2].info.first_entry));
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(opened, 1);  // only the SST holding the key
}

TEST_F(SstReaderTest, WalSstsAreReadWholeAndWrittenCreateOnly) {
  SstBuilderOptions opts;
  opts.sst_type = format::SstType::kWal;
  std::vector<RowEntry> rows = {R("z", 1), R("a", 2), R("m", 2), R("a", 3)};
  auto sst = WriteSst(*store_, "db/wal/00000000000000000001.sst", rows, opts);
  ASSERT_OK(sst);
  auto again = WriteSst(*store_, "db/wal/00000000000000000001.sst", rows, opts);
  EXPECT_TRUE(again.status().IsAlreadyExists());
  auto all = ReadAllRows(store_, "db/wal/00000000000000000001.sst");
  ASSERT_OK(all);
  EXPECT_EQ(*all, rows);
  auto reader = SstReader::Open(store_, "db/wal/00000000000000000001.sst");
  ASSERT_OK(reader);
  EXPECT_TRUE((*reader)->is_wal());
  EXPECT_EQ(*(*reader)->ReadAllRows(), rows);
  EXPECT_TRUE((*reader)->Get("a", 10).status().IsInvalid());
  auto it = (*reader)->NewIterator(Direction::kForward);
  EXPECT_TRUE(it->SeekToFirst().IsInvalid());
  // Fence (empty SST).
  format::SstBuilder fence_builder;
  auto fence = fence_builder.Finish();
  ASSERT_OK(fence);
  ASSERT_OK(store_->PutIfAbsent("db/wal/00000000000000000002.sst", fence->bytes));
  auto none = ReadAllRows(store_, "db/wal/00000000000000000002.sst");
  ASSERT_OK(none);
  EXPECT_TRUE(none->empty());
}

TEST_F(SstReaderTest, CorruptionIsReportedWithTheObjectName) {
  auto rows = MakeRows(50, 1);
  SstBuilderOptions opts;
  opts.block_size = 256;
  auto sst = WriteSst(*store_, "db/compacted/c.sst", rows, opts);
  ASSERT_OK(sst);
  std::string bytes = sst->bytes;
  bytes[10] ^= 0x40;  // inside data block 0
  ASSERT_OK(store_->Put("db/compacted/c.sst", bytes));
  auto reader = SstReader::Open(store_, "db/compacted/c.sst");
  ASSERT_OK(reader);  // footer/info intact
  auto g = (*reader)->Get(rows[0].key, UINT64_MAX);
  ASSERT_TRUE(g.status().IsData());
  EXPECT_NE(g.status().message().find("db/compacted/c.sst"), std::string::npos);
  EXPECT_NE(g.status().message().find("checksum"), std::string::npos);
  // Corrupt info section.
  bytes = sst->bytes;
  bytes[bytes.size() - 20] ^= 0x01;
  ASSERT_OK(store_->Put("db/compacted/c.sst", bytes));
  auto bad = SstReader::Open(store_, "db/compacted/c.sst");
  ASSERT_TRUE(bad.status().IsData());
  EXPECT_NE(bad.status().message().find("db/compacted/c.sst"), std::string::npos);
  // Tiny and missing objects.
  ASSERT_OK(store_->Put("db/compacted/tiny.sst", "0123"));
  EXPECT_TRUE(SstReader::Open(store_, "db/compacted/tiny.sst").status().IsData());
  EXPECT_TRUE(SstReader::Open(store_, "db/compacted/missing.sst").status().IsNotFound());
}

// ---- the local store: one descriptor per reader ----

using slatedb::testing::OpenFdsOf;

TEST(SstReaderLocalTest, ReadsThroughOneDescriptorAndReportsTruncation) {
  const auto root =
      std::filesystem::temp_directory_path() / ("slatedb-sst-fds-" + std::to_string(::getpid()));
  std::filesystem::remove_all(root);
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<ObjectStore> store, NewLocalObjectStore(root.string()));
  const auto rows = MakeRows(3000, 3);  // ~200 KiB: more than the 64 KiB suffix
  for (auto codec : {format::CompressionCodec::kNone, format::CompressionCodec::kSnappy}) {
    SCOPED_TRACE(static_cast<int>(codec));
    SstBuilderOptions opts;
    opts.block_size = 1024;
    opts.compression = codec;
    const std::string key = "db/compacted/big.sst";
    const std::string path = (root / key).string();
    ASSERT_OK_AND_ASSIGN(auto sst, WriteSst(*store, key, rows, opts));
    ASSERT_GT(sst.bytes.size(), 64u * 1024);
    {
      ASSERT_OK_AND_ASSIGN(
          auto reader, SstReader::OpenWithInfo(store, key, sst.info, format::kSstFormatVersion));
      EXPECT_EQ(OpenFdsOf(path), 0);  // no I/O until the first read
      for (size_t i = 0; i < rows.size(); i += 7) {
        ASSERT_OK_AND_ASSIGN(auto got, reader->Get(rows[i].key, UINT64_MAX));
        ASSERT_TRUE(got.has_value()) << rows[i].key;
      }
      EXPECT_EQ(OpenFdsOf(path), 1);  // one descriptor for every block read
      auto it = reader->NewIterator(Direction::kForward);
      ASSERT_OK(it->SeekToFirst());
      EXPECT_EQ(Drain(*it).size(), rows.size());
      EXPECT_EQ(OpenFdsOf(path), 1);
    }
    EXPECT_EQ(OpenFdsOf(path), 0);  // closed with the reader
    // A small SST is kept whole at Open: its reader keeps no descriptor.
    ASSERT_OK(WriteSst(*store, "db/compacted/small.sst", MakeRows(20, 4), opts));
    ASSERT_OK_AND_ASSIGN(auto small, SstReader::Open(store, "db/compacted/small.sst"));
    EXPECT_EQ(OpenFdsOf((root / "db/compacted/small.sst").string()), 0);
    ASSERT_OK(small->ReadAllRows());
    // The object cut short under a reader opened with the manifest's info: a block past the new
    // end is kData naming the object and its size.
    const std::string cut = sst.bytes.substr(0, sst.bytes.size() / 2);
    ASSERT_OK(store->Put(key, cut));
    ASSERT_OK_AND_ASSIGN(auto reader,
                         SstReader::OpenWithInfo(store, key, sst.info, format::kSstFormatVersion));
    auto g = reader->Get(rows.back().key, UINT64_MAX);
    ASSERT_TRUE(g.status().IsData()) << g.status().ToString();
    EXPECT_NE(g.status().message().find(key), std::string::npos) << g.status().ToString();
    EXPECT_NE(g.status().message().find("truncated"), std::string::npos) << g.status().ToString();
    EXPECT_NE(g.status().message().find(std::to_string(cut.size()) + " bytes"), std::string::npos)
        << g.status().ToString();
  }
  std::filesystem::remove_all(root);
}

// ---- peer fixtures through a local store (read-only use) ----

TEST(SstReaderFixtureTest, CompactFixtureSortedRunsAndL0s) {
  std::string root = format::testing::FixturesDir() + "/compact";
  ASSERT_TRUE(std::filesystem::exists(root)) << root;
  auto store = NewLocalObjectStore(root);
  ASSERT_OK(store) << store.status().ToString();
  // Latest manifest.
  std::string latest;
  for (const auto& e : std::filesystem::directory_iterator(root + "/db/manifest")) {
    latest = std::max(latest, e.path().filename().string());
  }
  auto bytes = (*store)->Get("db/manifest/" + latest);
  ASSERT_OK(bytes);
  auto manifest = format::DecodeManifest(*bytes);
  ASSERT_OK(manifest) << manifest.status().ToString();
  ASSERT_FALSE(manifest->compacted.empty());
  auto cache = slatedb::BlockCache::Create({.data_capacity_bytes = 4 << 20}).value();
  SstReaderOptions ropts;
  ropts.cache = cache;
  size_t total_rows = 0;
  for (const auto& run : manifest->compacted) {
    std::vector<SstRef> refs;
    std::vector<RowEntry> expected;
    for (const auto& h : run.ssts) {
      std::string key = "db/compacted/" + h.id.ToString() + ".sst";
      refs.push_back({key, h.info, h.format_version.value_or(1)});
      auto file = format::testing::ReadFile(root + "/" + key);
      ASSERT_TRUE(file.has_value()) << key;
      auto decoded = format::DecodeSst(*file);
      ASSERT_OK(decoded);
      EXPECT_EQ(decoded->info, h.info) << key;  // footer info == manifest info
      for (auto& r : decoded->rows) expected.push_back(std::move(r));
      // Footer-based open agrees with the manifest.
      auto reader = SstReader::Open(*store, key, ropts);
      ASSERT_OK(reader) << reader.status().ToString();
      EXPECT_EQ((*reader)->info(), h.info);
    }
    total_rows += expected.size();
    SortedRunIterator it(refs, MakeSstOpener(*store, ropts), Direction::kForward);
    ASSERT_OK(it.SeekToFirst());
    size_t n = 0;
    while (it.Valid()) {
      ASSERT_LT(n, expected.size());
      EXPECT_EQ(it.row(), expected[n]);
      ++n;
      ASSERT_OK(it.Next());
    }
    EXPECT_EQ(n, expected.size());
    SortedRunIterator rev(refs, MakeSstOpener(*store, ropts), Direction::kReverse);
    ASSERT_OK(rev.SeekToFirst());
    EXPECT_EQ(Drain(rev), ModelDrain(expected, Direction::kReverse, std::nullopt));
    // Point lookups through readers opened from the manifest info.
    auto opener = MakeSstOpener(*store, ropts);
    for (size_t i = 0; i < expected.size(); i += 97) {
      const RowEntry& want = expected[i];
      for (const auto& ref : refs) {
        if (*ref.info.first_entry <= want.key && want.key <= *ref.info.last_entry) {
          auto reader = opener(ref);
          ASSERT_OK(reader);
          auto got = (*reader)->Get(want.key, want.seq);
          ASSERT_OK(got) << got.status().ToString();
          ASSERT_TRUE(got->has_value()) << want.key;
          EXPECT_EQ(**got, want);
        }
      }
    }
  }
  EXPECT_GT(total_rows, 0u);
  // L0s and the WAL of the same fixture.
  for (const auto& h : manifest->l0) {
    std::string key = "db/compacted/" + h.id.ToString() + ".sst";
    auto reader = SstReader::Open(*store, key);
    ASSERT_OK(reader) << key;
    auto rows = (*reader)->ReadAllRows();
    ASSERT_OK(rows);
    ASSERT_FALSE(rows->empty());
    auto first = (*reader)->Get(rows->front().key, UINT64_MAX);
    ASSERT_TRUE(first.ok() && first->has_value());
    EXPECT_EQ(**first, rows->front());
  }
  auto wal = ReadAllRows(*store, "db/wal/00000000000000000002.sst");
  ASSERT_OK(wal) << wal.status().ToString();
}

TEST(SstReaderFixtureTest, BloomFixtureFilter) {
  std::string root = format::testing::FixturesDir() + "/bloom";
  auto store = NewLocalObjectStore(root);
  ASSERT_OK(store);
  auto reader = SstReader::Open(*store, "db/compacted/01M8BVF3RGTSFRN9H6ZAEYBXDK.sst");
  ASSERT_OK(reader) << reader.status().ToString();
  EXPECT_EQ((*reader)->info().filter_len, 10u);
  for (const char* k : {"apple", "banana", "cherry"}) EXPECT_TRUE(*(*reader)->MayContain(k));
  int rejected = 0;
  for (const char* k : {"apricot", "b", "blueberry", "cantaloupe", "ba", "c0"}) {
    rejected += !*(*reader)->MayContain(k);
  }
  EXPECT_GT(rejected, 0);
  auto g = (*reader)->Get("banana", UINT64_MAX);
  ASSERT_TRUE(g.ok() && g->has_value());
  EXPECT_EQ((*g)->value, "v");
}

}  // namespace
}  // namespace slatedb::table
