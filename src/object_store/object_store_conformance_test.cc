// One conformance suite for every ObjectStore backend. Compiled twice: without
// SLATEDB_CONFORMANCE_S3 it runs on memory and local stores; with it, on S3 (moto at
// $SLATEDB_TEST_S3_ENDPOINT, skipped if unset), with and without a store prefix.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <thread>
#include <vector>

#include "object_store/s3_object_store.h"
#include "slatedb/object_store.h"
#include "test_util.h"
#include "util/random.h"

namespace slatedb {
namespace {

std::string RandomHex(uint64_t bits = 64) {
  static std::atomic<uint64_t> counter{0};
  util::Random r(util::EntropySeed() ^ (counter.fetch_add(1) * 0x9e3779b97f4a7c15ull));
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(r.Next64()));
  return std::string(buf).substr(0, bits / 4);
}

std::string RandomBytes(size_t n, uint64_t seed) {
  util::Random r(seed);
  std::string s(n, '\0');
  for (size_t i = 0; i < n; i += 8) {
    uint64_t v = r.Next64();
    for (size_t j = 0; j < 8 && i + j < n; ++j) s[i + j] = static_cast<char>(v >> (8 * j));
  }
  return s;
}

class ConformanceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    const std::string& kind = GetParam();
    if (kind == "memory") {
      store_ = NewMemoryObjectStore();
      supports_metadata_ = true;
    } else if (kind == "local") {
      dir_ = std::filesystem::temp_directory_path() / ("slatedb-os-test-" + RandomHex());
      auto s = NewLocalObjectStore(dir_.string());
      ASSERT_OK(s) << s.status().ToString();
      store_ = *s;
    } else {
      const char* endpoint = std::getenv("SLATEDB_TEST_S3_ENDPOINT");
      if (endpoint == nullptr || *endpoint == '\0') {
        GTEST_SKIP() << "SLATEDB_TEST_S3_ENDPOINT is not set (run via scripts/test.sh to start "
                        "moto); skipping S3 conformance";
      }
      S3Config c;
      c.bucket = "slatedb-test-" + RandomHex();
      c.endpoint = endpoint;
      c.allow_http = true;
      c.access_key_id = "testing";
      c.secret_access_key = "testing";
      if (kind == "s3_prefix") c.prefix = "some/prefix";
      ASSERT_OK(CreateS3Bucket(c));
      auto s = NewS3ObjectStore(c);
      ASSERT_OK(s) << s.status().ToString();
      store_ = *s;
      supports_metadata_ = true;
      if (!c.prefix.empty()) {
        // An object outside the prefix must stay invisible.
        S3Config outside = c;
        outside.prefix.clear();
        auto o = NewS3ObjectStore(outside);
        ASSERT_OK(o);
        ASSERT_OK((*o)->Put("outside/list/x", "x"));
      }
    }
  }

  void TearDown() override {
    store_.reset();
    if (!dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }

  bool IsLocal() const { return GetParam() == "local"; }

  std::shared_ptr<ObjectStore> store_;
  std::filesystem::path dir_;
  bool supports_metadata_ = false;
};

TEST_P(ConformanceTest, PutGetAndOverwrite) {
  auto e1 = store_->Put("a/b/c.sst", "hello");
  ASSERT_OK(e1) << e1.status().ToString();
  EXPECT_FALSE(e1->empty());
  auto g = store_->Get("a/b/c.sst");
  ASSERT_OK(g) << g.status().ToString();
  EXPECT_EQ(*g, "hello");
  auto e2 = store_->Put("a/b/c.sst", "world, longer");
  ASSERT_OK(e2) << e2.status().ToString();
  EXPECT_NE(*e1, *e2);
  EXPECT_EQ(store_->Get("a/b/c.sst").value_or("?"), "world, longer");
  EXPECT_FALSE(store_->Describe().empty());
}

TEST_P(ConformanceTest, MissingObjectsAreNotFound) {
  EXPECT_TRUE(store_->Get("missing/x").status().IsNotFound());
  EXPECT_TRUE(store_->GetRange("missing/x", 0, 3).status().IsNotFound());
  EXPECT_TRUE(store_->GetSuffix("missing/x", 3).status().IsNotFound());
  EXPECT_TRUE(store_->GetSuffix("missing/x", 0).status().IsNotFound());
  EXPECT_TRUE(store_->Head("missing/x").status().IsNotFound());
  auto st = store_->Get("missing/x").status();
  EXPECT_NE(st.message().find("missing/x"), std::string::npos) << st.ToString();
}

TEST_P(ConformanceTest, RangedReads) {
  ASSERT_OK(store_->Put("r", "0123456789"));
  EXPECT_EQ(store_->GetRange("r", 2, 3).value_or("?"), "234");
  EXPECT_EQ(store_->GetRange("r", 0, std::nullopt).value_or("?"), "0123456789");
  EXPECT_EQ(store_->GetRange("r", 4, std::nullopt).value_or("?"), "456789");
  EXPECT_EQ(store_->GetRange("r", 7, 100).value_or("?"), "789");  // past the end: clipped
  EXPECT_EQ(store_->GetRange("r", 9, 1).value_or("?"), "9");
  EXPECT_EQ(store_->GetRange("r", 10, std::nullopt).value_or("?"), "");  // at the end
  EXPECT_EQ(store_->GetRange("r", 10, 5).value_or("?"), "");
  EXPECT_EQ(store_->GetRange("r", 3, 0).value_or("?"), "");
  auto beyond = store_->GetRange("r", 11, 1);
  EXPECT_TRUE(beyond.status().IsInvalid()) << beyond.status().ToString();
  EXPECT_TRUE(store_->GetRange("r", 11, std::nullopt).status().IsInvalid());
  EXPECT_TRUE(store_->GetRange("r", 11, 0).status().IsInvalid());
  EXPECT_TRUE(store_->GetRange("r", 1000, 1).status().IsInvalid());
}

// GetRangeInto: exactly the asked bytes into the caller's buffer; short is kData "truncated"
// naming the object, a start past the end kInvalid, a missing object kNotFound.
TEST_P(ConformanceTest, RangedReadsIntoTheCallersBuffer) {
  ASSERT_OK(store_->Put("into/r", "0123456789"));
  std::string buf(12, '.');
  ASSERT_OK(store_->GetRangeInto("into/r", 2, 3, buf.data()));
  EXPECT_EQ(buf, "234.........");
  ASSERT_OK(store_->GetRangeInto("into/r", 0, 10, buf.data()));
  EXPECT_EQ(buf, "0123456789..");
  ASSERT_OK(store_->GetRangeInto("into/r", 10, 0, buf.data()));  // empty at the end
  Status short_read = store_->GetRangeInto("into/r", 7, 5, buf.data());
  EXPECT_TRUE(short_read.IsData()) << short_read.ToString();
  EXPECT_NE(short_read.message().find("truncated"), std::string::npos) << short_read.ToString();
  EXPECT_NE(short_read.message().find("into/r"), std::string::npos) << short_read.ToString();
  Status beyond = store_->GetRangeInto("into/r", 11, 1, buf.data());
  EXPECT_TRUE(beyond.IsInvalid()) << beyond.ToString();
  EXPECT_TRUE(store_->GetRangeInto("into/missing", 0, 1, buf.data()).IsNotFound());
}

TEST_P(ConformanceTest, SuffixReads) {
  ASSERT_OK(store_->Put("s", "0123456789"));
  EXPECT_EQ(store_->GetSuffix("s", 3).value_or("?"), "789");
  EXPECT_EQ(store_->GetSuffix("s", 10).value_or("?"), "0123456789");
  EXPECT_EQ(store_->GetSuffix("s", 100).value_or("?"), "0123456789");
  EXPECT_EQ(store_->GetSuffix("s", 0).value_or("?"), "");
}

TEST_P(ConformanceTest, ZeroByteObject) {
  auto e = store_->Put("empty", "");
  ASSERT_OK(e) << e.status().ToString();
  EXPECT_EQ(store_->Get("empty").value_or("?"), "");
  auto h = store_->Head("empty");
  ASSERT_OK(h) << h.status().ToString();
  EXPECT_EQ(h->size, 0u);
  EXPECT_EQ(store_->GetRange("empty", 0, std::nullopt).value_or("?"), "");
  EXPECT_EQ(store_->GetRange("empty", 0, 10).value_or("?"), "");
  EXPECT_EQ(store_->GetSuffix("empty", 5).value_or("?"), "");
  EXPECT_TRUE(store_->GetRange("empty", 1, 1).status().IsInvalid());
  auto a = store_->PutIfAbsent("empty2", "");
  ASSERT_OK(a) << a.status().ToString();
  EXPECT_EQ(store_->Get("empty2").value_or("?"), "");
}

TEST_P(ConformanceTest, HeadReportsSizeEtagTimeAndMetadata) {
  ObjectPutOptions opts;
  opts.metadata["color"] = "blue";
  opts.metadata["slatedbputid"] = "0123abcd";
  auto e = store_->Put("h/obj", "12345", opts);
  ASSERT_OK(e) << e.status().ToString();
  auto h = store_->Head("h/obj");
  ASSERT_OK(h) << h.status().ToString();
  EXPECT_EQ(h->key, "h/obj");
  EXPECT_EQ(h->size, 5u);
  EXPECT_EQ(h->etag, *e);
  // Plausible wall-clock time: after 2020-01-01.
  EXPECT_GT(h->last_modified_ms, 1577836800000);
  if (supports_metadata_) {
    EXPECT_EQ(h->metadata, opts.metadata);
  } else {
    EXPECT_TRUE(h->metadata.empty());
  }
}

TEST_P(ConformanceTest, ListWithPrefixIsOrderedAndComplete) {
  // Inserted out of order; byte order puts "list/a/1" < "list/a/2" < "list/a0" ('/' < '0').
  for (const char* k : {"list/c", "list/a0", "list/a/2", "lisu", "list/b", "list/a/1", "other/x"}) {
    ASSERT_OK(store_->Put(k, std::string(k))) << k;
  }
  auto all = store_->List("list/");
  ASSERT_OK(all) << all.status().ToString();
  std::vector<std::string> keys;
  for (const auto& m : *all) keys.push_back(m.key);
  EXPECT_EQ(keys,
            (std::vector<std::string>{"list/a/1", "list/a/2", "list/a0", "list/b", "list/c"}));
  for (const auto& m : *all) {
    EXPECT_EQ(m.size, m.key.size());
    auto h = store_->Head(m.key);
    ASSERT_OK(h);
    EXPECT_EQ(m.etag, h->etag) << m.key;
    EXPECT_GT(m.last_modified_ms, 1577836800000);
  }
  auto partial = store_->List("list/a");
  ASSERT_OK(partial);
  keys.clear();
  for (const auto& m : *partial) keys.push_back(m.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"list/a/1", "list/a/2", "list/a0"}));
  auto lis = store_->List("lis");
  ASSERT_OK(lis);
  EXPECT_EQ(lis->size(), 6u);
  EXPECT_EQ(lis->back().key, "lisu");
  auto none = store_->List("nothing/here/");
  ASSERT_OK(none) << none.status().ToString();
  EXPECT_TRUE(none->empty());
  auto everything = store_->List("");
  ASSERT_OK(everything);
  EXPECT_EQ(everything->size(), 7u);
  EXPECT_TRUE(store_->List("/abs").status().IsInvalid());
  EXPECT_TRUE(store_->List("a/../").status().IsInvalid());
}

TEST_P(ConformanceTest, ListPaginatesOver1100Objects) {
  constexpr int kN = 1100;
  constexpr int kThreads = 8;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < kN; i += kThreads) {
        char key[32];
        std::snprintf(key, sizeof(key), "page/k%05d", i);
        if (!store_->Put(key, std::to_string(i)).ok()) failures.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(failures.load(), 0);
  ASSERT_OK(store_->Put("pagf", "outside"));
  auto l = store_->List("page/");
  ASSERT_OK(l) << l.status().ToString();
  ASSERT_EQ(l->size(), static_cast<size_t>(kN));
  for (int i = 0; i < kN; ++i) {
    char key[32];
    std::snprintf(key, sizeof(key), "page/k%05d", i);
    ASSERT_EQ((*l)[i].key, key);
    ASSERT_EQ((*l)[i].size, std::to_string(i).size());
  }
}

TEST_P(ConformanceTest, DeleteIsIdempotent) {
  ASSERT_OK(store_->Put("d/x", "1"));
  ASSERT_OK(store_->Put("d/y", "2"));
  EXPECT_OK(store_->Delete("d/x"));
  EXPECT_TRUE(store_->Get("d/x").status().IsNotFound());
  EXPECT_OK(store_->Delete("d/x"));            // already gone
  EXPECT_OK(store_->Delete("never/existed"));  // never there
  auto l = store_->List("d/");
  ASSERT_OK(l);
  ASSERT_EQ(l->size(), 1u);
  EXPECT_EQ((*l)[0].key, "d/y");
  // The key can be created again after deletion, also with PutIfAbsent.
  EXPECT_OK(store_->PutIfAbsent("d/x", "3"));
  EXPECT_EQ(store_->Get("d/x").value_or("?"), "3");
}

TEST_P(ConformanceTest, PutIfAbsentOnExistingObject) {
  ASSERT_OK(store_->PutIfAbsent("pia", "first"));
  auto again = store_->PutIfAbsent("pia", "second");
  EXPECT_TRUE(again.status().IsAlreadyExists()) << again.status().ToString();
  EXPECT_EQ(store_->Get("pia").value_or("?"), "first");
  ASSERT_OK(store_->Put("pia2", "x"));
  EXPECT_TRUE(store_->PutIfAbsent("pia2", "y").status().IsAlreadyExists());
}

TEST_P(ConformanceTest, PutIfAbsentRaceHasExactlyOneWinner) {
  constexpr int kThreads = 8;
  for (int round = 0; round < 3; ++round) {
    std::string key = "race/manifest-" + std::to_string(round);
    std::vector<Status> results(kThreads);
    std::atomic<int> ready{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        ready.fetch_add(1);
        while (ready.load() < kThreads) std::this_thread::yield();
        results[t] = store_->PutIfAbsent(key, "writer-" + std::to_string(t)).status();
      });
    }
    for (auto& th : threads) th.join();
    int winners = 0, winner = -1;
    for (int t = 0; t < kThreads; ++t) {
      if (results[t].ok()) {
        ++winners;
        winner = t;
      } else {
        EXPECT_TRUE(results[t].IsAlreadyExists()) << results[t].ToString();
      }
    }
    ASSERT_EQ(winners, 1) << "round " << round;
    EXPECT_EQ(store_->Get(key).value_or("?"), "writer-" + std::to_string(winner));
  }
}

TEST_P(ConformanceTest, PutIfMatchWithStaleAndCurrentEtags) {
  auto e1 = store_->Put("cas", "v1");
  ASSERT_OK(e1);
  auto e2 = store_->PutIfMatch("cas", "v2", *e1);
  ASSERT_OK(e2) << e2.status().ToString();
  EXPECT_NE(*e1, *e2);
  auto stale = store_->PutIfMatch("cas", "v3", *e1);
  EXPECT_TRUE(stale.status().IsPreconditionFailed()) << stale.status().ToString();
  EXPECT_EQ(store_->Get("cas").value_or("?"), "v2");
  auto e3 = store_->PutIfMatch("cas", "v3", *e2);
  ASSERT_OK(e3) << e3.status().ToString();
  EXPECT_EQ(store_->Get("cas").value_or("?"), "v3");
  EXPECT_EQ(store_->Head("cas").value().etag, *e3);
  auto missing = store_->PutIfMatch("cas-missing", "v", *e3);
  EXPECT_TRUE(missing.status().IsPreconditionFailed()) << missing.status().ToString();
  EXPECT_TRUE(store_->Get("cas-missing").status().IsNotFound());
  // Same content rewritten still changes the etag for a successful CAS to be detectable.
  auto e4 = store_->PutIfMatch("cas", "v3", *e3);
  ASSERT_OK(e4) << e4.status().ToString();
  if (GetParam().rfind("s3", 0) != 0) {  // S3 etags are content MD5s: same bytes, same etag
    EXPECT_NE(*e3, *e4);
  }
}

TEST_P(ConformanceTest, LargeObject20MiB) {
  const std::string data = RandomBytes(20u << 20, 42);
  auto e = store_->Put("big/object", data);
  ASSERT_OK(e) << e.status().ToString();
  auto g = store_->Get("big/object");
  ASSERT_OK(g) << g.status().ToString();
  EXPECT_TRUE(*g == data) << "20 MiB round trip differs";
  auto h = store_->Head("big/object");
  ASSERT_OK(h);
  EXPECT_EQ(h->size, data.size());
  EXPECT_EQ(h->etag, *e);
  uint64_t off = (8u << 20) - 10;  // across the first multipart part boundary
  EXPECT_TRUE(store_->GetRange("big/object", off, 20).value_or("?") == data.substr(off, 20));
  EXPECT_TRUE(store_->GetSuffix("big/object", 100).value_or("?") == data.substr(data.size() - 100));
  // Conditional large writes.
  auto a = store_->PutIfAbsent("big/cond", data);
  ASSERT_OK(a) << a.status().ToString();
  EXPECT_TRUE(store_->PutIfAbsent("big/cond", data).status().IsAlreadyExists());
  EXPECT_TRUE(store_->Get("big/cond").value_or("?") == data);
  const std::string data2 = RandomBytes(20u << 20, 43);
  EXPECT_TRUE(
      store_->PutIfMatch("big/cond", data2, "\"stale-etag\"").status().IsPreconditionFailed());
  EXPECT_TRUE(store_->Get("big/cond").value_or("?") == data);
  auto m = store_->PutIfMatch("big/cond", data2, *a);
  ASSERT_OK(m) << m.status().ToString();
  EXPECT_TRUE(store_->Get("big/cond").value_or("?") == data2);
  EXPECT_OK(store_->Delete("big/object"));
  EXPECT_OK(store_->Delete("big/cond"));
}

TEST_P(ConformanceTest, StreamedWritesMatchTheirBytes) {
  // 20 MiB in uneven chunks: several multipart parts on S3 (8 MiB parts by default), a streamed
  // temp file on the local store.
  const std::string data = RandomBytes(20u << 20, 44);
  auto w = store_->OpenWriter("stream/big.sst");
  ASSERT_OK(w) << w.status().ToString();
  size_t off = 0;
  for (size_t step = 1; off < data.size(); step = step * 7 % 300007 + 1) {
    const size_t n = std::min(step, data.size() - off);
    ASSERT_OK((*w)->Append(std::string_view(data).substr(off, n)));
    off += n;
  }
  EXPECT_EQ((*w)->size(), data.size());
  EXPECT_TRUE(store_->Head("stream/big.sst").status().IsNotFound()) << "visible before Finish";
  auto etag = (*w)->Finish();
  ASSERT_OK(etag) << etag.status().ToString();
  EXPECT_TRUE(store_->Get("stream/big.sst").value_or("?") == data) << "20 MiB stream differs";
  auto h = store_->Head("stream/big.sst");
  ASSERT_OK(h) << h.status().ToString();
  EXPECT_EQ(h->size, data.size());
  EXPECT_EQ(h->etag, *etag);
  EXPECT_TRUE((*w)->Append("x").IsInternal());
  EXPECT_EQ((*w)->Finish().value_or("?"), *etag) << "a repeated Finish returns the same etag";

  // Small (one PUT on S3), empty, and an overwrite of an existing object.
  for (const std::string& small : {std::string("hello stream"), std::string()}) {
    auto s = store_->OpenWriter("stream/big.sst");
    ASSERT_OK(s);
    ASSERT_OK((*s)->Append(small));
    ASSERT_OK((*s)->Finish());
    EXPECT_EQ(store_->Get("stream/big.sst").value_or("?"), small);
  }
  EXPECT_TRUE(store_->OpenWriter("").status().IsInvalid());
  EXPECT_TRUE(store_->OpenWriter("a/../b").status().IsInvalid());
  EXPECT_OK(store_->Delete("stream/big.sst"));
}

TEST_P(ConformanceTest, AbortedAndAbandonedStreamsLeaveNothing) {
  ASSERT_OK(store_->Put("stream/kept", "old"));
  const std::string data = RandomBytes(12u << 20, 45);  // > one S3 part: an upload is started
  for (bool abort : {true, false}) {
    for (const char* key : {"stream/new", "stream/kept"}) {
      SCOPED_TRACE(std::string(key) + (abort ? " aborted" : " dropped"));
      auto w = store_->OpenWriter(key);
      ASSERT_OK(w);
      for (size_t off = 0; off < data.size(); off += 1u << 20) {
        ASSERT_OK((*w)->Append(std::string_view(data).substr(off, 1u << 20)));
      }
      if (abort) {
        ASSERT_OK((*w)->Abort());
        EXPECT_OK((*w)->Abort()) << "idempotent";
        EXPECT_TRUE((*w)->Finish().status().IsInternal());
      }
      w->reset();  // destroying an unfinished writer aborts it
    }
  }
  EXPECT_TRUE(store_->Head("stream/new").status().IsNotFound());
  EXPECT_EQ(store_->Get("stream/kept").value_or("?"), "old");
  auto l = store_->List("stream/");
  ASSERT_OK(l);
  EXPECT_EQ(l->size(), 1u);
  if (IsLocal()) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir_)) {
      const std::string name = e.path().filename().string();
      EXPECT_TRUE(name == ".tmp.lock" || name.rfind(".tmp.", 0) != 0) << "temp left: " << name;
    }
  }
  EXPECT_OK(store_->Delete("stream/kept"));
}

TEST_P(ConformanceTest, BadKeysAreInvalid) {
  const std::string bad[] = {
      "",       "/abs",      "a//b", "a/../b", "..", "./a", "a/.", "a/", std::string("a\0b", 3),
      ".tmp.x", "d/.tmp.123"};
  for (const std::string& k : bad) {
    SCOPED_TRACE("key '" + k + "'");
    auto p = store_->Put(k, "x");
    EXPECT_TRUE(p.status().IsInvalid()) << p.status().ToString();
    EXPECT_TRUE(store_->PutIfAbsent(k, "x").status().IsInvalid());
    EXPECT_TRUE(store_->PutIfMatch(k, "x", "etag").status().IsInvalid());
    EXPECT_TRUE(store_->Get(k).status().IsInvalid());
    EXPECT_TRUE(store_->GetRange(k, 0, 1).status().IsInvalid());
    EXPECT_TRUE(store_->GetSuffix(k, 1).status().IsInvalid());
    EXPECT_TRUE(store_->Head(k).status().IsInvalid());
    EXPECT_TRUE(store_->Delete(k).IsInvalid());
  }
  auto st = store_->Get("a/../../etc/passwd").status();
  EXPECT_NE(st.message().find("a/../../etc/passwd"), std::string::npos) << st.ToString();
  auto l = store_->List("");
  ASSERT_OK(l);
  EXPECT_TRUE(l->empty());  // nothing was written
}

TEST_P(ConformanceTest, ObjectReaderReadsRangesSuffixAndSize) {
  ASSERT_OK(store_->Put("rd/obj", "0123456789"));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<ObjectReader> r, store_->OpenReader("rd/obj"));
  EXPECT_EQ(r->ReadAt(2, 3).value_or("?"), "234");
  EXPECT_EQ(r->ReadAt(0, 10).value_or("?"), "0123456789");
  EXPECT_EQ(r->ReadAt(9, 1).value_or("?"), "9");
  EXPECT_EQ(r->ReadAt(10, 0).value_or("?"), "");
  EXPECT_EQ(r->ReadAt(4, 0).value_or("?"), "");
  EXPECT_EQ(r->ReadSuffix(3).value_or("?"), "789");
  EXPECT_EQ(r->ReadSuffix(100).value_or("?"), "0123456789");
  EXPECT_EQ(r->ReadSuffix(0).value_or("?"), "");
  EXPECT_EQ(r->Size().value_or(0), 10u);
  EXPECT_EQ(r->Size().value_or(0), 10u);  // memoized: same answer
  // A read past the end is an error naming the object and its size, never a short string.
  auto past = r->ReadAt(7, 5);
  ASSERT_FALSE(past.ok());
  EXPECT_TRUE(past.status().IsData()) << past.status().ToString();
  EXPECT_NE(past.status().message().find("rd/obj"), std::string::npos) << past.status().ToString();
  EXPECT_NE(past.status().message().find("truncated"), std::string::npos);
  EXPECT_NE(past.status().message().find("10 bytes"), std::string::npos);
  auto beyond = r->ReadAt(11, 1);  // starts past the end: kData or kInvalid (as GetRange)
  EXPECT_TRUE(beyond.status().IsData() || beyond.status().IsInvalid())
      << beyond.status().ToString();
}

TEST_P(ConformanceTest, ObjectReaderIsSafeForConcurrentReads) {
  const std::string data = RandomBytes(64 * 1024, 7);
  ASSERT_OK(store_->Put("rd/big", data));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<ObjectReader> r, store_->OpenReader("rd/big"));
  const int kReads = GetParam().rfind("s3", 0) == 0 ? 10 : 200;
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      util::Random rng(t + 1);
      for (int i = 0; i < kReads; ++i) {
        uint64_t off = rng.Next64() % data.size();
        uint64_t len = rng.Next64() % (data.size() - off) + 1;
        auto got = r->ReadAt(off, len);
        if (!got.ok() || *got != data.substr(off, len)) mismatches.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST_P(ConformanceTest, ObjectReaderOfMissingObjectIsNotFound) {
  auto opened = store_->OpenReader("missing/reader");
  Status st;
  if (!opened.ok()) {
    st = opened.status();
  } else {  // stores that do not look at the object when opening report it at the first read
    st = (*opened)->ReadAt(0, 1).status();
    EXPECT_TRUE((*opened)->Size().status().IsNotFound());
    EXPECT_TRUE((*opened)->ReadSuffix(4).status().IsNotFound());
  }
  EXPECT_TRUE(st.IsNotFound()) << st.ToString();
  EXPECT_NE(st.message().find("missing/reader"), std::string::npos) << st.ToString();
  EXPECT_TRUE(store_->OpenReader("").status().IsInvalid() ||
              (*store_->OpenReader(""))->ReadAt(0, 1).status().IsInvalid());
}

TEST_P(ConformanceTest, ObjectReaderAfterDelete) {
  ASSERT_OK(store_->Put("rd/gone", "abcdef"));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<ObjectReader> r, store_->OpenReader("rd/gone"));
  EXPECT_EQ(r->ReadAt(1, 2).value_or("?"), "bc");
  ASSERT_OK(store_->Delete("rd/gone"));
  auto after = r->ReadAt(2, 3);
  if (IsLocal()) {
    // The reader holds its descriptor: the deleted file stays readable through it (POSIX).
    EXPECT_EQ(after.value_or("?"), "cde");
  } else {
    EXPECT_TRUE(after.status().IsNotFound()) << after.status().ToString();
  }
  // A new reader of the deleted object finds nothing.
  auto reopened = store_->OpenReader("rd/gone");
  Status st = reopened.ok() ? (*reopened)->ReadAt(0, 1).status() : reopened.status();
  EXPECT_TRUE(st.IsNotFound()) << st.ToString();
}

TEST_P(ConformanceTest, BinaryAndUnusualKeyCharacters) {
  // Characters that need percent-encoding on S3; all valid keys.
  const std::string keys[] = {"sp ace/x", "plus+eq=amp&q?", "utf8/\xc3\xa9t\xc3\xa9", "t~i-l_d.e"};
  for (const auto& k : keys) {
    std::string data = "data:" + k + std::string("\0\xff", 2);
    ASSERT_OK(store_->Put(k, data)) << k;
    EXPECT_EQ(store_->Get(k).value_or("?"), data) << k;
  }
  auto l = store_->List("");
  ASSERT_OK(l);
  std::set<std::string> got;
  for (const auto& m : *l) got.insert(m.key);
  EXPECT_EQ(got, std::set<std::string>(std::begin(keys), std::end(keys)));
}

#ifdef SLATEDB_CONFORMANCE_S3
INSTANTIATE_TEST_SUITE_P(S3, ConformanceTest, ::testing::Values("s3", "s3_prefix"),
                         [](const auto& p) { return p.param; });
#else
INSTANTIATE_TEST_SUITE_P(Local, ConformanceTest, ::testing::Values("memory", "local"),
                         [](const auto& p) { return p.param; });
#endif

}  // namespace
}  // namespace slatedb
