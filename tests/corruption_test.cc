// tests/corruption_test.cc — exhaustive corruption of small SlateDB objects read back through
// the layers that read them in the engine (issue 5, item 4).
//
// Objects (built here, stored in a memory object store): a WAL SST (values, tombstone, merge
// operand, timestamps), an L0 SST with a bloom filter spread over several blocks, the same L0
// compressed with zstd and with lz4, and a manifest (L0s, a sorted run, a checkpoint, a tracker).
// Mutations: for every byte, each of its 8 single-bit flips and the whole-byte flip (xor 0xff)
// (compressed SSTs: bits 0 and 4 and the whole byte; sanitizer builds: the whole byte only);
// every truncation (each proper prefix, including empty).
// Readers: WAL — table::ReadAllRows and wal::WalStore::Read; L0 — format::DecodeSst and
// table::SstReader (whole-object first read, and 32-byte suffix reads + block cache so every
// section is a ranged read): ReadAllRows, Get and MayContain of about every other key, forward
// and reverse iterators; manifest — manifest::ManifestStore::Read and ReadLatest.
// Invariants: no crash; every failure is kData and (for the object-store readers) its message
// names the object key; every success returns exactly the original rows / values (never wrong
// data). Manifests carry no checksum in format 0.12, so a flip inside a scalar can decode to a
// different, valid manifest: those are counted and printed ("undetectable"), not failed; every
// truncated manifest must fail.
// Each test prints "corruption cases tried: N"; the binary prints the total at exit.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "format/manifest.h"
#include "format/manifest_codec.h"
#include "format/sequence_tracker.h"
#include "format/sst.h"
#include "manifest/manifest_store.h"
#include "manifest/paths.h"
#include "slatedb/object_store.h"
#include "table/block_cache.h"
#include "table/iterator.h"
#include "table/sst_reader.h"
#include "test_util.h"
#include "util/random.h"
#include "wal/wal_store.h"

namespace slatedb {
namespace {

using format::RowEntry;
using format::RowKind;

size_t g_total_cases = 0;

class TotalPrinter : public ::testing::Environment {
 public:
  void TearDown() override {
    std::printf("corruption cases tried (all tests in this run): %zu\n", g_total_cases);
  }
};
const auto* const kTotalPrinter = ::testing::AddGlobalTestEnvironment(new TotalPrinter);

// One mutation of an object: what was done, for failure messages.
struct Mutation {
  std::string bytes;
  std::string what;  // "flip byte 17 ^ 0x04" / "truncate to 12 bytes"
  bool truncation = false;
};

// Sanitizer builds (Debug + ASan, TSan) run each case ~100x slower: there every byte is flipped
// once (xor 0xff) and every truncation is tried; the full mask sets run in normal builds.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SLATEDB_CORRUPTION_REDUCED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SLATEDB_CORRUPTION_REDUCED 1
#endif
#endif

// Flip masks: every single bit and the whole byte; a reduced set for the compressed SSTs (which
// also hold fewer keys), whose decompression makes each case dearer (a fresh zstd context per
// section). Every byte is flipped in all configurations.
#ifdef SLATEDB_CORRUPTION_REDUCED
const std::vector<int> kAllMasks = {0xff};
const std::vector<int> kFewMasks = {0xff};
#else
const std::vector<int> kAllMasks = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xff};
const std::vector<int> kFewMasks = {0x01, 0x10, 0xff};
#endif

// Every flip of every byte with each of `masks`, then every proper prefix.
std::vector<Mutation> AllMutations(const std::string& original,
                                   const std::vector<int>& masks = kAllMasks) {
  std::vector<Mutation> out;
  out.reserve(original.size() * (masks.size() + 1));
  for (size_t i = 0; i < original.size(); ++i) {
    for (int mask : masks) {
      Mutation m{original, "", false};
      m.bytes[i] = static_cast<char>(m.bytes[i] ^ mask);
      char buf[64];
      std::snprintf(buf, sizeof(buf), "flip byte %zu ^ 0x%02x", i, mask);
      m.what = buf;
      out.push_back(std::move(m));
    }
  }
  for (size_t len = 0; len < original.size(); ++len) {
    out.push_back({original.substr(0, len), "truncate to " + std::to_string(len) + " bytes", true});
  }
  return out;
}

// Tallies of one test.
struct Tally {
  size_t cases = 0;
  size_t detected = 0;    // at least one reader returned kData
  size_t undetected = 0;  // every reader succeeded (and returned the original data)
  size_t wrong = 0;       // manifests only: decoded to a different valid value
  void Print(const char* object) const {
    std::printf(
        "%s: corruption cases tried: %zu (detected %zu, read back intact %zu, undetectable "
        "different value %zu)\n",
        object, cases, detected, undetected, wrong);
    g_total_cases += cases;
  }
};

// Fails the test unless `st` is OK or a kData naming `key` (when `key` is non-empty).
// Returns true when `st` is an error.
bool IsDataError(const Status& st, const std::string& key, const Mutation& m, const char* reader) {
  if (st.ok()) return false;
  EXPECT_EQ(st.code(), StatusCode::kData) << reader << " on " << m.what << ": " << st.ToString();
  if (!key.empty()) {
    EXPECT_NE(st.message().find(key), std::string::npos)
        << reader << " on " << m.what << ": error does not name the object: " << st.ToString();
  }
  return true;
}

// ---- objects -----------------------------------------------------------------------------

std::vector<RowEntry> WalRows() {
  std::vector<RowEntry> rows;
  rows.push_back({"apple", "red", 1, RowKind::kValue, std::nullopt, std::nullopt});
  rows.push_back({"banana", "", 2, RowKind::kTombstone, std::nullopt, std::nullopt});
  rows.push_back({"cherry", "+1", 3, RowKind::kMerge, std::nullopt, std::nullopt});
  rows.push_back({"apple", "green", 4, RowKind::kValue, int64_t{1700000000000}, std::nullopt});
  rows.push_back(
      {"date", "brown", 5, RowKind::kValue, int64_t{1700000000001}, int64_t{1700000600001}});
  return rows;
}

// Key-ascending, seq-descending rows: `num_keys` keys, some with two versions, tombstones,
// merge operands and timestamps.
std::vector<RowEntry> L0Rows(int num_keys = 24) {
  std::vector<RowEntry> rows;
  uint64_t seq = 100;
  for (int i = 0; i < num_keys; ++i) {
    char key[16];
    std::snprintf(key, sizeof(key), "key%03d", i * 7);
    RowEntry newest{key,         "value-" + std::to_string(i), seq--, RowKind::kValue, std::nullopt,
                    std::nullopt};
    if (i % 5 == 1) {
      newest.kind = RowKind::kTombstone;
      newest.value.clear();
    } else if (i % 7 == 3) {
      newest.kind = RowKind::kMerge;
    } else if (i % 4 == 0) {
      newest.create_ts = 1700000000000 + i;
      newest.expire_ts = 1700000900000 + i;
    }
    rows.push_back(newest);
    if (i % 3 == 0) {
      rows.push_back(
          {key, "old-" + std::to_string(i), seq - 50, RowKind::kValue, std::nullopt, std::nullopt});
    }
  }
  return rows;
}

std::string BuildL0(const std::vector<RowEntry>& rows, format::CompressionCodec codec) {
  format::SstBuilderOptions options;
  options.block_size = 128;  // several data blocks
  options.compression = codec;
  options.min_filter_keys = 1;  // always write the bloom filter
  options.sst_type = format::SstType::kCompacted;
  format::SstBuilder builder(options);
  for (const RowEntry& row : rows) EXPECT_OK(builder.Add(row));
  auto sst = builder.Finish();
  EXPECT_OK(sst) << sst.status().ToString();
  EXPECT_TRUE(sst->info.has_filter());
  return sst.ok() ? sst->bytes : std::string();
}

// ---- readers -----------------------------------------------------------------------------

// Expected rows in reverse iteration order: keys descending, versions of a key newest first.
std::vector<RowEntry> ReverseOrder(std::vector<RowEntry> rows) {
  std::stable_sort(rows.begin(), rows.end(), [](const RowEntry& a, const RowEntry& b) {
    return table::RowBefore(table::Direction::kReverse, a, b);
  });
  return rows;
}

// Reads every row of `it`; returns the error if any.
Status Drain(table::RowIterator& it, std::vector<RowEntry>* out) {
  RETURN_IF_ERROR(it.SeekToFirst());
  while (it.Valid()) {
    out->push_back(it.row());
    if (out->size() > 10000) return Status::Internal("iterator does not end");
    RETURN_IF_ERROR(it.Next());
  }
  return Status::OK();
}

// Reads the L0 at `key` through one SstReader configuration. Returns true if an error was seen.
bool ReadL0(const std::shared_ptr<ObjectStore>& store, const std::string& key,
            const table::SstReaderOptions& options, const std::vector<RowEntry>& expected,
            const Mutation& m) {
  auto reader = table::SstReader::Open(store, key, options);
  if (IsDataError(reader.status(), key, m, "SstReader::Open")) return true;
  bool error = false;
  auto rows = (*reader)->ReadAllRows();
  if (IsDataError(rows.status(), key, m, "SstReader::ReadAllRows")) {
    error = true;
  } else {
    EXPECT_EQ(*rows, expected) << "SstReader::ReadAllRows returned wrong rows after " << m.what;
  }
  for (size_t i = 0; i < expected.size(); i += 2) {
    if (i > 0 && expected[i].key == expected[i - 1].key) continue;  // newest version only
    const RowEntry& want = expected[i];
    auto may = (*reader)->MayContain(want.key);
    if (IsDataError(may.status(), key, m, "SstReader::MayContain")) {
      error = true;
    } else {
      EXPECT_TRUE(*may) << "MayContain(" << want.key << ") false after " << m.what;
    }
    auto got = (*reader)->Get(want.key, UINT64_MAX);
    if (IsDataError(got.status(), key, m, "SstReader::Get")) {
      error = true;
    } else {
      EXPECT_TRUE(got->has_value() && **got == want)
          << "Get(" << want.key << ") wrong after " << m.what;
    }
  }
  auto absent = (*reader)->Get("key000x", UINT64_MAX);  // between two keys: never present
  if (IsDataError(absent.status(), key, m, "SstReader::Get")) {
    error = true;
  } else {
    EXPECT_FALSE(absent->has_value()) << "Get of an absent key found a row after " << m.what;
  }
  for (table::Direction dir : {table::Direction::kForward, table::Direction::kReverse}) {
    auto it = (*reader)->NewIterator(dir);
    std::vector<RowEntry> seen;
    Status st = Drain(*it, &seen);
    if (IsDataError(st, key, m, "SstIterator")) {
      error = true;
    } else {
      EXPECT_EQ(seen, dir == table::Direction::kForward ? expected : ReverseOrder(expected))
          << "iterator returned wrong rows after " << m.what;
    }
  }
  return error;
}

void RunL0Corruption(format::CompressionCodec codec, const char* label, int num_keys,
                     const std::vector<int>& masks) {
  const std::vector<RowEntry> expected = L0Rows(num_keys);
  const std::string original = BuildL0(expected, codec);
  ASSERT_FALSE(original.empty());
  auto store = NewMemoryObjectStore();
  const std::string key = "db/compacted/01HZZZZZZZZZZZZZZZZZZZZZZZ.sst";

  // The intact object reads back (guards against a test that passes because nothing works).
  Mutation intact{original, "no change", false};
  ASSERT_OK(store->Put(key, original));
  ASSERT_FALSE(ReadL0(store, key, {}, expected, intact));
  auto decoded = format::DecodeSst(original);
  ASSERT_OK(decoded);
  ASSERT_EQ(decoded->rows, expected);
  ASSERT_GT(decoded->index.blocks.size(), 2u);

  table::SstReaderOptions ranged;
  ranged.suffix_read_bytes = 32;
  ranged.cache =
      BlockCache::Create(
          {.data_capacity_bytes = 1 << 20, .meta_capacity_bytes = 1 << 20, .num_shards = 1})
          .value();

  Tally tally;
  for (const Mutation& m : AllMutations(original, masks)) {
    ++tally.cases;
    ASSERT_OK(store->Put(key, m.bytes));
    bool error = false;
    auto direct = format::DecodeSst(m.bytes);
    if (IsDataError(direct.status(), "", m, "DecodeSst")) {
      error = true;
    } else {
      EXPECT_EQ(direct->rows, expected) << "DecodeSst returned wrong rows after " << m.what;
    }
    error |= ReadL0(store, key, {}, expected, m);
    // A fresh cache per case: a cached block must not hide the corruption of this case.
    ranged.cache =
        BlockCache::Create(
            {.data_capacity_bytes = 1 << 20, .meta_capacity_bytes = 1 << 20, .num_shards = 1})
            .value();
    error |= ReadL0(store, key, ranged, expected, m);
    if (m.truncation) {
      EXPECT_TRUE(error) << "truncated L0 read without error: " << m.what;
    }
    if (error) {
      ++tally.detected;
    } else {
      ++tally.undetected;
    }
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "stopping " << label << " at " << m.what;
      return;
    }
  }
  tally.Print(label);
  EXPECT_EQ(tally.cases, original.size() * (masks.size() + 1));
}

TEST(CorruptionTest, WalSst) {
  auto store = NewMemoryObjectStore();
  wal::WalStore wal(store, "db");
  const std::vector<RowEntry> expected = WalRows();
  ASSERT_OK(wal.Write(3, expected));
  const std::string key = wal.ObjectKey(3);
  auto original = store->Get(key);
  ASSERT_OK(original);
  auto intact = wal.Read(3);
  ASSERT_OK(intact) << intact.status().ToString();
  ASSERT_EQ(*intact, expected);

  Tally tally;
  for (const Mutation& m : AllMutations(*original)) {
    ++tally.cases;
    ASSERT_OK(store->Put(key, m.bytes));
    bool error = false;
    auto rows = table::ReadAllRows(store, key);
    if (IsDataError(rows.status(), key, m, "table::ReadAllRows")) {
      error = true;
    } else {
      EXPECT_EQ(*rows, expected) << "table::ReadAllRows returned wrong rows after " << m.what;
    }
    auto wal_rows = wal.Read(3);
    if (m.bytes.empty()) {
      // A zero-byte object at a WAL id is a fence by definition (docs/format.md §6.2: SlateDB can
      // leave them), so WalStore::Read gives no rows; object stores write whole objects, so this
      // is not a torn write. table::ReadAllRows above still reports it.
      ASSERT_OK(wal_rows) << wal_rows.status().ToString();
      EXPECT_TRUE(wal_rows->empty());
    } else if (IsDataError(wal_rows.status(), key, m, "WalStore::Read")) {
      error = true;
    } else {
      EXPECT_EQ(*wal_rows, expected) << "WalStore::Read returned wrong rows after " << m.what;
    }
    if (m.truncation) {
      EXPECT_TRUE(error) << "truncated WAL SST read without error: " << m.what;
    }
    error ? ++tally.detected : ++tally.undetected;
    if (HasFailure()) {
      ADD_FAILURE() << "stopping at " << m.what;
      return;
    }
  }
  tally.Print("WAL SST");
  EXPECT_EQ(tally.cases, original->size() * (kAllMasks.size() + 1));
}

TEST(CorruptionTest, L0SstWithBloomFilter) {
  RunL0Corruption(format::CompressionCodec::kNone, "L0 SST", 24, kAllMasks);
}

TEST(CorruptionTest, CompressedL0SstZstd) {
  RunL0Corruption(format::CompressionCodec::kZstd, "L0 SST (zstd)", 12, kFewMasks);
}

TEST(CorruptionTest, CompressedL0SstLz4) {
  RunL0Corruption(format::CompressionCodec::kLz4, "L0 SST (lz4)", 12, kFewMasks);
}

format::Manifest SampleManifest() {
  util::Random rng(42);
  format::Manifest m = format::Manifest::NewEmpty();
  m.writer_epoch = 3;
  m.compactor_epoch = 2;
  m.replay_after_wal_id = 11;
  m.wal_id_last_seen = 14;
  m.last_l0_clock_tick = 1700000000123;
  m.last_l0_seq = 77;
  m.recent_snapshot_min_seq = 70;
  const std::string l0 = BuildL0(L0Rows(), format::CompressionCodec::kNone);
  auto decoded = format::DecodeSst(l0);
  EXPECT_OK(decoded);
  for (int i = 0; i < 2; ++i) {
    format::SstHandle h;
    h.id = format::Ulid::New(1700000000000 + i, rng);
    h.info = decoded->info;
    h.format_version = 2;
    m.l0.push_back(h);
  }
  m.l0_last_compacted = format::Ulid::New(1699999999000, rng);
  format::SortedRun run;
  run.id = 5;
  format::SstHandle h;
  h.id = format::Ulid::New(1699999990000, rng);
  h.info = decoded->info;
  h.format_version = 2;
  run.ssts.push_back(h);
  m.compacted.push_back(run);
  format::Checkpoint cp;
  cp.id = format::Uuid::NewV4(rng);
  cp.manifest_id = 9;
  cp.create_time_s = 1700000000;
  cp.expire_time_s = 1700003600;
  cp.name = "nightly";
  m.checkpoints.push_back(cp);
  format::SequenceTracker tracker;
  tracker.Insert(10, 1700000000);
  tracker.Insert(50, 1700000100);
  tracker.Insert(77, 1700000200);
  m.sequence_tracker = tracker.Encode();
  return m;
}

TEST(CorruptionTest, Manifest) {
  auto store = NewMemoryObjectStore();
  manifest::ManifestStore manifests(store, "db");
  const format::Manifest expected = SampleManifest();
  ASSERT_OK(manifests.WriteNew(4, expected));
  const std::string key = manifest::ManifestPath("db", 4);
  auto original = store->Get(key);
  ASSERT_OK(original) << original.status().ToString();
  auto intact = manifests.Read(4);
  ASSERT_OK(intact) << intact.status().ToString();
  ASSERT_EQ(*intact, expected);

  Tally tally;
  for (const Mutation& m : AllMutations(*original)) {
    ++tally.cases;
    ASSERT_OK(store->Put(key, m.bytes));
    auto read = manifests.Read(4);
    // A fresh store each time: `manifests` cached version 4 when it wrote it (objects are
    // immutable, RFC-0032), so only a cold ReadLatest decodes the mutated bytes.
    auto latest = manifest::ManifestStore(store, "db").ReadLatest();
    const bool read_error = IsDataError(read.status(), key, m, "ManifestStore::Read");
    const bool latest_error = IsDataError(latest.status(), key, m, "ManifestStore::ReadLatest");
    EXPECT_EQ(read_error, latest_error) << "Read and ReadLatest disagree after " << m.what;
    if (m.truncation) {
      EXPECT_TRUE(read_error) << "truncated manifest decoded: " << m.what;
    }
    if (read_error) {
      ++tally.detected;
    } else {
      ASSERT_TRUE(!latest_error && latest->has_value());
      EXPECT_EQ((*latest)->manifest, *read) << "Read and ReadLatest differ after " << m.what;
      // Whatever decodes must be a usable manifest: it re-encodes and decodes to itself.
      // The one exception: a flipped checkpoint-metadata tag reads as a newer union variant,
      // which is kept on read and refused (kInvalid, naming it) on rewrite.
      auto encoded = format::EncodeManifest(*read);
      if (!encoded.ok()) {
        EXPECT_TRUE(encoded.status().IsInvalid()) << encoded.status().ToString();
        EXPECT_NE(encoded.status().message().find("checkpoint metadata variant"), std::string::npos)
            << encoded.status().ToString();
      } else {
        auto again = format::DecodeManifest(*encoded);
        EXPECT_TRUE(again.ok() && *again == *read) << "decoded manifest does not round-trip";
      }
      if (*read == expected) {
        ++tally.undetected;
      } else {
        ++tally.wrong;  // no checksum in manifest format 1: a changed scalar is a valid value
      }
    }
    if (HasFailure()) {
      ADD_FAILURE() << "stopping at " << m.what;
      return;
    }
  }
  tally.Print("manifest");
  EXPECT_EQ(tally.cases, original->size() * (kAllMasks.size() + 1));
  EXPECT_GT(tally.detected, 0u);
}

// Objects of 0..32 bytes (every size the footer / header checks branch on), all bytes 0x00,
// 0xff or a seeded random pattern: never a crash, always kData naming the object.
TEST(CorruptionTest, TinyObjects) {
  auto store = NewMemoryObjectStore();
  manifest::ManifestStore manifests(store, "db");
  const std::string sst_key = "db/compacted/01HZZZZZZZZZZZZZZZZZZZZZZZ.sst";
  const std::string wal_key = "db/wal/00000000000000000001.sst";
  const std::string manifest_key = manifest::ManifestPath("db", 1);
  util::Random rng(7);
  Tally tally;
  for (size_t len = 0; len <= 32; ++len) {
    for (int pattern = 0; pattern < 3; ++pattern) {
      std::string bytes(len, pattern == 0 ? '\0' : '\xff');
      if (pattern == 2) {
        for (char& c : bytes) c = static_cast<char>(rng.Next64());
        // A valid-looking footer (version 2, metadata offset 0) on the random bytes.
        if (len >= 10) bytes[len - 2] = 0, bytes[len - 1] = 2;
      }
      Mutation m{bytes,
                 "object of " + std::to_string(len) + " bytes, pattern " + std::to_string(pattern),
                 true};
      ++tally.cases;
      ASSERT_OK(store->Put(sst_key, bytes));
      ASSERT_OK(store->Put(wal_key, bytes));
      ASSERT_OK(store->Put(manifest_key, bytes));
      auto reader = table::SstReader::Open(store, sst_key);
      EXPECT_TRUE(IsDataError(reader.status(), sst_key, m, "SstReader::Open")) << m.what;
      auto rows = table::ReadAllRows(store, wal_key);
      EXPECT_TRUE(IsDataError(rows.status(), wal_key, m, "table::ReadAllRows")) << m.what;
      auto manifest = manifests.Read(1);
      EXPECT_TRUE(IsDataError(manifest.status(), manifest_key, m, "ManifestStore::Read")) << m.what;
      ++tally.detected;
    }
  }
  tally.Print("tiny objects");
}

}  // namespace
}  // namespace slatedb
