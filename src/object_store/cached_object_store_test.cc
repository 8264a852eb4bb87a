// The disk cache (object_store/cached_object_store.h) on real local directories: what is served
// from disk (inner request counts from a counting FaultInjectingObjectStore), part boundaries,
// restart reuse, eviction order, corruption, what is never cached, deletes, streamed and plain
// uploads, preload, concurrent readers, cache-disk errors; one case on S3 (moto).
#include "object_store/cached_object_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "backend.h"
#include "object_store/fault_injecting_object_store.h"
#include "subprocess.h"
#include "test_util.h"
#include "util/random.h"

namespace slatedb::object_store {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kPart = 4096;

std::string Bytes(size_t n, uint64_t seed) {
  util::Random r(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(r.Next64() & 0xff);
  return s;
}

std::vector<std::string> PartFiles(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (it->is_regular_file() && name.size() > 1 && name[0] == 'p' && name.find('-') != name.npos)
      out.push_back(it->path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class CachedObjectStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto local = NewLocalObjectStore(store_dir_.path() + "/bucket");
    ASSERT_OK(local);
    local_ = *local;
    Reopen();
  }

  // A fresh counting wrapper and a fresh cache instance over the same directories (a restart).
  void Reopen(std::optional<uint64_t> budget = std::nullopt) {
    cache_.reset();
    counting_ = std::make_shared<FaultInjectingObjectStore>(local_, FaultOptions{});
    ObjectStoreCacheOptions o;
    o.root_folder = cache_dir_.path() + "/cache";
    o.part_size_bytes = kPart;
    o.max_cache_size_bytes = budget;
    o.cache_puts = cache_puts_;
    DiskCacheEnv env;
    env.clock = clock_;
    env.background_scan = false;
    env.log = util::Log(logger_);
    auto c = CachedObjectStore::Open(counting_, o, env);
    ASSERT_OK(c);
    cache_ = *c;
  }

  uint64_t Requests() { return counting_->counts().Total(); }

  testing::TempDir store_dir_, cache_dir_;
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(1'000'000);
  std::shared_ptr<testing::CapturingLogger> logger_ =
      std::make_shared<testing::CapturingLogger>(LogLevel::kInfo);
  std::shared_ptr<ObjectStore> local_;
  std::shared_ptr<FaultInjectingObjectStore> counting_;
  std::shared_ptr<CachedObjectStore> cache_;
  bool cache_puts_ = false;
};

TEST_F(CachedObjectStoreTest, HitAfterWarmupIssuesNoInnerRequests) {
  const std::string data = Bytes(3 * kPart, 1);
  ASSERT_OK(local_->Put("db/compacted/01A.sst", data));
  ASSERT_OK_AND_ASSIGN(std::string first, cache_->GetRange("db/compacted/01A.sst", 100, 50));
  EXPECT_EQ(first, data.substr(100, 50));
  EXPECT_EQ(counting_->counts().head, 1u);       // size and etag, once
  EXPECT_EQ(counting_->counts().get_range, 1u);  // part 0
  const uint64_t warm = Requests();
  ASSERT_OK_AND_ASSIGN(std::string again, cache_->GetRange("db/compacted/01A.sst", 100, 50));
  EXPECT_EQ(again, first);
  ASSERT_OK_AND_ASSIGN(std::string inside, cache_->GetRange("db/compacted/01A.sst", 0, kPart));
  EXPECT_EQ(inside, data.substr(0, kPart));
  ASSERT_OK_AND_ASSIGN(ObjectMeta meta, cache_->Head("db/compacted/01A.sst"));
  EXPECT_EQ(meta.size, data.size());
  EXPECT_EQ(Requests(), warm);  // all from disk
  // Parts 1 and 2 are fetched together (one ranged GET), then everything is local.
  ASSERT_OK_AND_ASSIGN(std::string whole, cache_->Get("db/compacted/01A.sst"));
  EXPECT_EQ(whole, data);
  EXPECT_EQ(Requests(), warm + 1);
  ASSERT_OK_AND_ASSIGN(std::string suffix, cache_->GetSuffix("db/compacted/01A.sst", 10));
  EXPECT_EQ(suffix, data.substr(data.size() - 10));
  ASSERT_OK_AND_ASSIGN(std::string all, cache_->Get("db/compacted/01A.sst"));
  EXPECT_EQ(all, data);
  EXPECT_EQ(Requests(), warm + 1);
  DiskCacheStats s = cache_->stats();
  EXPECT_EQ(s.cached_parts, 3u);
  EXPECT_EQ(s.part_misses, 3u);
  EXPECT_GE(s.part_hits, 6u);
}

TEST_F(CachedObjectStoreTest, RangeSpanningPartsAndLastPartialPart) {
  const std::string data = Bytes(2 * kPart + 1808, 2);  // last part is partial
  const std::string key = "db/compacted/01B.sst";
  ASSERT_OK(local_->Put(key, data));
  ASSERT_OK_AND_ASSIGN(std::string span, cache_->GetRange(key, 4000, 5000));
  EXPECT_EQ(span, data.substr(4000, 5000));  // parts 0..2
  EXPECT_EQ(counting_->counts().get_range, 1u);
  const uint64_t warm = Requests();
  for (uint64_t off : {0ull, 4095ull, 4096ull, 8191ull, 8192ull, 9999ull}) {
    ASSERT_OK_AND_ASSIGN(std::string got, cache_->GetRange(key, off, 7));
    EXPECT_EQ(got, data.substr(off, 7)) << off;  // clipped at the end like the store
  }
  ASSERT_OK_AND_ASSIGN(std::string tail, cache_->GetRange(key, 8300, std::nullopt));
  EXPECT_EQ(tail, data.substr(8300));
  ASSERT_OK_AND_ASSIGN(std::string empty, cache_->GetRange(key, data.size(), 5));
  EXPECT_EQ(empty, "");
  EXPECT_EQ(Requests(), warm);
  auto past = cache_->GetRange(key, data.size() + 1, 1);
  EXPECT_TRUE(past.status().IsInvalid()) << past.status().ToString();
  // The last part file holds exactly its 1808 bytes (plus the trailer).
  auto files = PartFiles(cache_->store_dir());
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(fs::file_size(files[2]), 1808u + 4 + 12);
}

TEST_F(CachedObjectStoreTest, RestartReusesParts) {
  const std::string data = Bytes(2 * kPart + 5, 3);
  ASSERT_OK(local_->Put("db/compacted/01C.sst", data));
  ASSERT_OK_AND_ASSIGN(std::string warm, cache_->Get("db/compacted/01C.sst"));
  EXPECT_EQ(warm, data);
  Reopen();
  EXPECT_EQ(cache_->stats().cached_parts, 3u);  // index rebuilt from the folder
  ASSERT_OK_AND_ASSIGN(std::string again, cache_->GetRange("db/compacted/01C.sst", 10, kPart));
  EXPECT_EQ(again, data.substr(10, kPart));
  ASSERT_OK_AND_ASSIGN(std::string whole, cache_->Get("db/compacted/01C.sst"));
  EXPECT_EQ(whole, data);
  EXPECT_EQ(Requests(), 0u);  // not even a Head: the sidecar has the size
}

TEST_F(CachedObjectStoreTest, EvictsLeastRecentlyAccessedUnderBudget) {
  const uint64_t file = kPart + 4 + 12;  // one full part's file
  Reopen(2 * file);
  for (const char* k : {"db/compacted/A.sst", "db/compacted/B.sst", "db/compacted/C.sst"}) {
    ASSERT_OK(local_->Put(k, Bytes(kPart, k[13])));
  }
  ASSERT_OK(cache_->Get("db/compacted/A.sst"));
  clock_->Advance(10);
  ASSERT_OK(cache_->Get("db/compacted/B.sst"));
  clock_->Advance(10);
  ASSERT_OK(cache_->Get("db/compacted/A.sst"));  // A is now newer than B
  clock_->Advance(10);
  ASSERT_OK(cache_->Get("db/compacted/C.sst"));  // evicts B
  DiskCacheStats s = cache_->stats();
  EXPECT_EQ(s.evicted_parts, 1u);
  EXPECT_EQ(s.cached_bytes, 2 * file);
  EXPECT_LE(s.cached_bytes, 2 * file);
  counting_->ResetCounts();
  ASSERT_OK(cache_->Get("db/compacted/A.sst"));
  ASSERT_OK(cache_->Get("db/compacted/C.sst"));
  EXPECT_EQ(Requests(), 0u);
  ASSERT_OK(cache_->Get("db/compacted/B.sst"));  // gone: Head + GET again
  EXPECT_EQ(counting_->counts().get_range, 1u);
  // Access order survives a restart: with room for one part, the newest (C) stays.
  clock_->Advance(10);
  ASSERT_OK(cache_->Get("db/compacted/C.sst"));  // C newest, then B
  Reopen(file);
  EXPECT_EQ(cache_->stats().cached_parts, 1u);
  EXPECT_EQ(PartFiles(cache_->store_dir()).size(), 1u);
  ASSERT_OK(cache_->Get("db/compacted/C.sst"));
  EXPECT_EQ(Requests(), 0u);
}

TEST_F(CachedObjectStoreTest, ScanEvictsToBudgetAndAdoptsOtherInstancesParts) {
  const std::string data = Bytes(3 * kPart, 4);
  ASSERT_OK(local_->Put("db/compacted/D.sst", data));
  // Another instance sharing the root writes the parts.
  ObjectStoreCacheOptions o;
  o.root_folder = cache_dir_.path() + "/cache";
  o.part_size_bytes = kPart;
  o.max_cache_size_bytes.reset();
  DiskCacheEnv env;
  env.background_scan = false;
  env.clock = clock_;
  ASSERT_OK_AND_ASSIGN(auto other, CachedObjectStore::Open(counting_, o, env));
  ASSERT_OK(other->Get("db/compacted/D.sst"));
  counting_->ResetCounts();
  EXPECT_EQ(cache_->stats().cached_parts, 0u);
  cache_->Scan();
  EXPECT_EQ(cache_->stats().cached_parts, 3u);
  ASSERT_OK_AND_ASSIGN(std::string got, cache_->Get("db/compacted/D.sst"));
  EXPECT_EQ(got, data);
  EXPECT_EQ(Requests(), 0u);
}

TEST_F(CachedObjectStoreTest, CorruptOrTruncatedPartIsDroppedAndRefetched) {
  const std::string data = Bytes(2 * kPart, 5);
  const std::string key = "db/compacted/E.sst";
  ASSERT_OK(local_->Put(key, data));
  ASSERT_OK(cache_->Get(key));
  auto files = PartFiles(cache_->store_dir());
  ASSERT_EQ(files.size(), 2u);
  {  // flip one payload byte of part 0
    std::fstream f(files[0], std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(100);
    char c = static_cast<char>(data[100] ^ 0x5a);
    f.write(&c, 1);
  }
  fs::resize_file(files[1], 1000);  // truncate part 1
  counting_->ResetCounts();
  ASSERT_OK_AND_ASSIGN(std::string got, cache_->GetRange(key, 50, 100));
  EXPECT_EQ(got, data.substr(50, 100));  // never the corrupt byte
  ASSERT_OK_AND_ASSIGN(std::string tail, cache_->GetRange(key, kPart + 5, 10));
  EXPECT_EQ(tail, data.substr(kPart + 5, 10));
  EXPECT_EQ(counting_->counts().get_range, 2u);
  EXPECT_EQ(cache_->stats().corrupt_parts, 2u);
  std::string warnings = logger_->Text(LogLevel::kWarn);
  EXPECT_NE(warnings.find("checksum mismatch"), std::string::npos) << warnings;
  EXPECT_NE(warnings.find("truncated"), std::string::npos) << warnings;
  // Rewritten: served from disk again.
  counting_->ResetCounts();
  ASSERT_OK_AND_ASSIGN(std::string whole, cache_->Get(key));
  EXPECT_EQ(whole, data);
  EXPECT_EQ(Requests(), 0u);
}

TEST_F(CachedObjectStoreTest, WalManifestAndOtherObjectsAreNeverCached) {
  EXPECT_TRUE(CachedObjectStore::IsCacheable("db/compacted/01H.sst"));
  EXPECT_TRUE(CachedObjectStore::IsCacheable("a/b/compacted/x.sst"));
  EXPECT_FALSE(CachedObjectStore::IsCacheable("db/wal/00000000000000000001.sst"));
  EXPECT_FALSE(CachedObjectStore::IsCacheable("db/manifest/00000000000000000001.manifest"));
  EXPECT_FALSE(CachedObjectStore::IsCacheable("db/compactions/00000000000000000001.compactions"));
  EXPECT_FALSE(CachedObjectStore::IsCacheable("db/gc/manifest.boundary"));
  EXPECT_FALSE(CachedObjectStore::IsCacheable("db/compacted/x.tmp"));
  const std::vector<std::string> keys = {"db/wal/00000000000000000001.sst",
                                         "db/manifest/00000000000000000001.manifest",
                                         "db/compactions/00000000000000000001.compactions"};
  for (const std::string& k : keys) ASSERT_OK(local_->Put(k, Bytes(100, 6)));
  for (int round = 0; round < 2; ++round) {
    for (const std::string& k : keys) {
      ASSERT_OK(cache_->Get(k));
      ASSERT_OK(cache_->GetRange(k, 10, 10));
      ASSERT_OK(cache_->Head(k));
    }
  }
  EXPECT_EQ(Requests(), 2u * 3u * keys.size());  // every call reached the store
  EXPECT_TRUE(PartFiles(cache_->store_dir()).empty());
  EXPECT_EQ(cache_->stats().cached_parts, 0u);
}

TEST_F(CachedObjectStoreTest, DeleteDropsPartsAndNewContentIsRead) {
  const std::string key = "db/compacted/F.sst";
  ASSERT_OK(local_->Put(key, Bytes(kPart + 10, 7)));
  ASSERT_OK(cache_->Get(key));
  EXPECT_EQ(PartFiles(cache_->store_dir()).size(), 2u);
  ASSERT_OK(cache_->Delete(key));
  EXPECT_TRUE(PartFiles(cache_->store_dir()).empty());
  EXPECT_EQ(cache_->stats().cached_parts, 0u);
  EXPECT_TRUE(cache_->Get(key).status().IsNotFound());
  const std::string fresh = Bytes(300, 8);
  ASSERT_OK(cache_->Put(key, fresh));  // a replacing Put also drops what was cached
  ASSERT_OK_AND_ASSIGN(std::string got, cache_->Get(key));
  EXPECT_EQ(got, fresh);
}

TEST_F(CachedObjectStoreTest, CachePutsCoversPutAndStreamingWriter) {
  cache_puts_ = true;
  Reopen();
  const std::string a = Bytes(2 * kPart + 3, 9);
  ASSERT_OK(cache_->Put("db/compacted/G.sst", a));
  const std::string b = Bytes(3 * kPart + 77, 10);
  {
    ASSERT_OK_AND_ASSIGN(auto w, cache_->OpenWriter("db/compacted/H.sst"));
    for (size_t off = 0; off < b.size(); off += 1000) ASSERT_OK(w->Append(b.substr(off, 1000)));
    ASSERT_OK(w->Finish());
  }
  {  // aborted: nothing cached, no temp files left
    ASSERT_OK_AND_ASSIGN(auto w, cache_->OpenWriter("db/compacted/I.sst"));
    ASSERT_OK(w->Append(Bytes(2 * kPart, 11)));
    ASSERT_OK(w->Abort());
  }
  // WAL uploads are not cached even with cache_puts.
  ASSERT_OK(cache_->Put("db/wal/00000000000000000009.sst", Bytes(100, 12)));
  counting_->ResetCounts();
  ASSERT_OK_AND_ASSIGN(std::string ga, cache_->Get("db/compacted/G.sst"));
  ASSERT_OK_AND_ASSIGN(std::string gb, cache_->GetRange("db/compacted/H.sst", 5000, 8000));
  EXPECT_EQ(ga, a);
  EXPECT_EQ(gb, b.substr(5000, 8000));
  EXPECT_EQ(Requests(), 0u);
  EXPECT_EQ(cache_->stats().cached_parts, 3u + 4u);
  for (const auto& e : fs::recursive_directory_iterator(cache_dir_.path())) {
    EXPECT_EQ(e.path().filename().string().rfind(".tmp-", 0), std::string::npos) << e.path();
  }
  // Without cache_puts an upload is not cached.
  cache_puts_ = false;
  Reopen();
  ASSERT_OK(cache_->Put("db/compacted/J.sst", Bytes(100, 13)));
  EXPECT_EQ(cache_->stats().cached_parts, 7u);
}

TEST_F(CachedObjectStoreTest, PreloadFetchesWithinBudget) {
  for (const char* k : {"db/compacted/K.sst", "db/compacted/L.sst", "db/compacted/M.sst"}) {
    ASSERT_OK(local_->Put(k, Bytes(kPart, k[13])));
  }
  uint64_t n = cache_->Preload({"db/compacted/K.sst", "db/wal/00000000000000000001.sst",
                                "db/compacted/L.sst", "db/compacted/M.sst"},
                               2 * (kPart + 16));
  EXPECT_EQ(n, 2 * kPart);  // M would exceed max_bytes
  counting_->ResetCounts();
  ASSERT_OK(cache_->Get("db/compacted/K.sst"));
  ASSERT_OK(cache_->Get("db/compacted/L.sst"));
  EXPECT_EQ(Requests(), 0u);
  ASSERT_OK(cache_->Get("db/compacted/M.sst"));
  EXPECT_EQ(counting_->counts().get_range, 1u);
}

TEST_F(CachedObjectStoreTest, ConcurrentReaders) {
  const std::string data = Bytes(16 * kPart + 123, 14);
  ASSERT_OK(local_->Put("db/compacted/N.sst", data));
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0}, errors{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      util::Random r(100 + t);
      for (int i = 0; i < 200; ++i) {
        uint64_t off = r.Next64() % data.size();
        uint64_t len = 1 + r.Next64() % (3 * kPart);
        auto got = cache_->GetRange("db/compacted/N.sst", off, len);
        if (!got.ok()) {
          ++errors;
        } else if (*got != data.substr(off, len)) {
          ++mismatches;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_EQ(cache_->stats().cached_parts, 17u);
  counting_->ResetCounts();
  ASSERT_OK_AND_ASSIGN(std::string whole, cache_->Get("db/compacted/N.sst"));
  EXPECT_EQ(whole, data);
  EXPECT_EQ(Requests(), 0u);
}

TEST_F(CachedObjectStoreTest, CacheDiskErrorsFallThroughToTheStore) {
  const std::string data = Bytes(2 * kPart, 15);
  ASSERT_OK(local_->Put("db/compacted/O.sst", data));
  ASSERT_OK(local_->Put("db/compacted/P.sst", data));
  ASSERT_OK(cache_->Get("db/compacted/O.sst"));
  // The cache's directory becomes unusable (a file where the folder was: ENOTDIR for every
  // path under it — works even as root, unlike chmod).
  fs::remove_all(cache_->store_dir());
  { std::ofstream(cache_->store_dir()) << "not a directory"; }
  counting_->ResetCounts();
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK_AND_ASSIGN(std::string o, cache_->Get("db/compacted/O.sst"));
    ASSERT_OK_AND_ASSIGN(std::string p, cache_->GetRange("db/compacted/P.sst", 10, 5000));
    EXPECT_EQ(o, data);
    EXPECT_EQ(p, data.substr(10, 5000));
  }
  EXPECT_GT(Requests(), 0u);
  EXPECT_GT(cache_->stats().disk_errors, 1u);
  size_t lines = 0;
  for (const auto& [level, line] : logger_->entries()) {
    if (level == LogLevel::kWarn && line.find("disk cache:") != std::string::npos) ++lines;
  }
  EXPECT_EQ(lines, 1u) << logger_->Text(LogLevel::kWarn);  // logged once
}

TEST_F(CachedObjectStoreTest, OpenRejectsUnusableOptions) {
  ObjectStoreCacheOptions o;
  o.root_folder = "relative/dir";
  auto rel = CachedObjectStore::Open(local_, o, {});
  EXPECT_TRUE(rel.status().IsInvalid());
  EXPECT_NE(rel.status().message().find("relative/dir"), std::string::npos);
  o.root_folder = cache_dir_.path() + "/x";
  o.part_size_bytes = 1000;
  auto part = CachedObjectStore::Open(local_, o, {});
  EXPECT_TRUE(part.status().IsInvalid());
  EXPECT_NE(part.status().message().find("part_size_bytes"), std::string::npos);
  // A root below a regular file cannot be created.
  std::string file = cache_dir_.Write("plain", "x");
  o.part_size_bytes = kPart;
  o.root_folder = file + "/cache";
  auto blocked = CachedObjectStore::Open(local_, o, {});
  EXPECT_TRUE(blocked.status().IsInvalid());
  EXPECT_NE(blocked.status().message().find("cannot create"), std::string::npos);
  // null root: no wrapper at all.
  ASSERT_OK_AND_ASSIGN(auto same, MaybeWrapWithDiskCache(local_, ObjectStoreCacheOptions{}, {}));
  EXPECT_EQ(same.get(), local_.get());
}

TEST_F(CachedObjectStoreTest, StoresSharingARootDoNotCollide) {
  auto other_local = NewLocalObjectStore(store_dir_.path() + "/other-bucket");
  ASSERT_OK(other_local);
  ASSERT_OK((*other_local)->Put("db/compacted/Q.sst", "other bucket's bytes"));
  ASSERT_OK(local_->Put("db/compacted/Q.sst", "this bucket's bytes"));
  ObjectStoreCacheOptions o;
  o.root_folder = cache_dir_.path() + "/cache";
  o.part_size_bytes = kPart;
  DiskCacheEnv env;
  env.background_scan = false;
  ASSERT_OK_AND_ASSIGN(auto other, CachedObjectStore::Open(*other_local, o, env));
  EXPECT_NE(other->store_dir(), cache_->store_dir());
  ASSERT_OK_AND_ASSIGN(std::string a, cache_->Get("db/compacted/Q.sst"));
  ASSERT_OK_AND_ASSIGN(std::string b, other->Get("db/compacted/Q.sst"));
  EXPECT_EQ(a, "this bucket's bytes");
  EXPECT_EQ(b, "other bucket's bytes");
}

TEST(CachedObjectStoreS3Test, WarmReadsOnMotoIssueNoRequests) {
  testing::TempDir dir;
  ASSERT_OK_AND_ASSIGN(testing::TestStore ts, testing::MakeTestStore("s3", dir.path(), "dcache"));
  if (!ts.skip.empty()) GTEST_SKIP() << ts.skip;
  const std::string data = Bytes(2 * kPart + 9, 16);
  ASSERT_OK(ts.store->Put("db/compacted/R.sst", data));
  ObjectStoreCacheOptions o;
  o.root_folder = dir.path() + "/cache";
  o.part_size_bytes = kPart;
  for (int run = 0; run < 2; ++run) {  // the second run is a restart
    auto counting = std::make_shared<FaultInjectingObjectStore>(ts.store, FaultOptions{});
    DiskCacheEnv env;
    env.background_scan = false;
    ASSERT_OK_AND_ASSIGN(auto cache, CachedObjectStore::Open(counting, o, env));
    ASSERT_OK_AND_ASSIGN(std::string got, cache->GetRange("db/compacted/R.sst", 4000, 5000));
    EXPECT_EQ(got, data.substr(4000, 5000));
    EXPECT_EQ(counting->counts().Total(), run == 0 ? 2u : 0u);  // Head + one ranged GET, then 0
  }
}

}  // namespace
}  // namespace slatedb::object_store
