// Streaming SST output: SstBuilder with a sink writes the same bytes as without one (random
// rows, every codec, merge rows, composite/prefix filters), holds only about one block, and
// StreamingSstWriter publishes exactly that object — or nothing when it fails or is aborted.
#include "table/sst_writer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "format/sst.h"
#include "object_store/fault_injecting_object_store.h"
#include "object_store/retrying_object_store.h"
#include "slatedb/prefix_extractor.h"
#include "subprocess.h"
#include "test_util.h"
#include "util/random.h"

namespace slatedb::table {
namespace {

using format::RowEntry;
using format::RowKind;

// Keeps every chunk it is given.
class RecordingSink : public format::SstSink {
 public:
  Status Append(std::string_view bytes) override {
    bytes_.append(bytes);
    max_chunk_ = std::max(max_chunk_, bytes.size());
    ++chunks_;
    return Status::OK();
  }
  std::string bytes_;
  size_t max_chunk_ = 0;
  size_t chunks_ = 0;
};

// Sorted (key asc, seq desc) random rows: values, tombstones and merge operands, some with
// timestamps, 1-4 versions per key, values up to `max_value` bytes.
std::vector<RowEntry> RandomRows(util::Random* rng, size_t keys, size_t max_value) {
  std::map<std::string, int> names;
  while (names.size() < keys) {
    std::string k = "k" + std::to_string(rng->Uniform(1000000));
    k.append(rng->Uniform(20), static_cast<char>('a' + rng->Uniform(26)));
    names.emplace(std::move(k), 0);
  }
  std::vector<RowEntry> rows;
  uint64_t seq = 1u << 20;
  for (const auto& [key, unused] : names) {
    const int versions = 1 + static_cast<int>(rng->Uniform(4));
    for (int v = 0; v < versions; ++v) {
      RowEntry r;
      r.key = key;
      r.seq = seq - static_cast<uint64_t>(v);
      const uint64_t kind = rng->Uniform(10);
      r.kind = kind < 6 ? RowKind::kValue : kind < 8 ? RowKind::kTombstone : RowKind::kMerge;
      if (r.kind != RowKind::kTombstone) {
        const size_t n = rng->Uniform(max_value + 1);
        for (size_t i = 0; i < n; ++i) r.value.push_back(static_cast<char>(rng->Uniform(4)));
      }
      if (rng->Uniform(2) == 0) r.create_ts = static_cast<int64_t>(rng->Uniform(1000000));
      if (rng->Uniform(4) == 0) r.expire_ts = static_cast<int64_t>(rng->Uniform(1000000));
      rows.push_back(std::move(r));
    }
    seq -= 8;
  }
  return rows;
}

TEST(StreamingSstTest, SinkOutputEqualsWholeOutputOnRandomInputs) {
  util::Random rng(20261201);
  ASSERT_OK_AND_ASSIGN(auto extractor, NewFixedPrefixExtractor(3));
  const format::CompressionCodec codecs[] = {
      format::CompressionCodec::kNone, format::CompressionCodec::kSnappy,
      format::CompressionCodec::kZlib, format::CompressionCodec::kLz4,
      format::CompressionCodec::kZstd};
  int cases = 0;
  for (auto codec : codecs) {
    for (int round = 0; round < 6; ++round) {
      SCOPED_TRACE("codec " + std::string(format::CompressionCodecName(codec)) + " round " +
                   std::to_string(round));
      format::SstBuilderOptions o;
      o.compression = codec;
      o.block_size = 64 + rng.Uniform(4096);
      o.min_filter_keys = rng.Uniform(3) == 0 ? 100000 : 1;  // with and without a filter
      if (round % 3 == 1) format::SetPrefixFilter(&o, extractor);
      if (round % 3 == 2) o.filter_format = format::FilterFormat::kComposite;
      const std::vector<RowEntry> rows = RandomRows(&rng, 1 + rng.Uniform(2000), 300);

      format::SstBuilder whole(o);
      RecordingSink sink;
      format::SstBuilder streamed(o, &sink);
      for (const auto& r : rows) {
        ASSERT_OK(whole.Add(r));
        ASSERT_OK(streamed.Add(r));
        ASSERT_EQ(whole.EstimatedSize(), streamed.EstimatedSize());
      }
      ASSERT_OK_AND_ASSIGN(format::EncodedSst a, whole.Finish());
      ASSERT_OK_AND_ASSIGN(format::EncodedSst b, streamed.Finish());
      EXPECT_TRUE(b.bytes.empty());
      EXPECT_EQ(a.size, a.bytes.size());
      EXPECT_EQ(b.size, sink.bytes_.size());
      ASSERT_EQ(sink.bytes_, a.bytes);
      EXPECT_EQ(a.info, b.info);
      EXPECT_EQ(a.num_rows, b.num_rows);
      // It decodes to the rows it was given.
      ASSERT_OK_AND_ASSIGN(format::DecodedSst d, format::DecodeSst(sink.bytes_));
      EXPECT_EQ(d.rows, rows);
      ++cases;
    }
  }
  EXPECT_EQ(cases, 30);
}

TEST(StreamingSstTest, TheBuilderHandsOverEachBlockAsItFills) {
  util::Random rng(7);
  format::SstBuilderOptions o;
  o.block_size = 4096;
  o.min_filter_keys = 1000000;  // no filter: the last chunk is index + stats + info + footer
  RecordingSink sink;
  format::SstBuilder b(o, &sink);
  std::string value(100, 'v');
  size_t max_in_flight = 0;
  for (int i = 0; i < 50000; ++i) {
    RowEntry r;
    char key[16];
    std::snprintf(key, sizeof(key), "key%08d", i);
    r.key = key;
    r.seq = 1;
    r.value = value;
    ASSERT_OK(b.Add(r));
    // Never more than the block being filled is held back.
    max_in_flight = std::max(max_in_flight, b.EstimatedSize() - sink.bytes_.size());
  }
  const size_t max_data_chunk = sink.max_chunk_;
  ASSERT_OK_AND_ASSIGN(auto sst, b.Finish());
  EXPECT_GT(sst.size, 5u << 20);
  EXPECT_GT(sink.chunks_, 1000u);
  EXPECT_LE(max_in_flight, 4096u + 200u);
  EXPECT_LE(max_data_chunk, 4096u + 200u) << "one data block per chunk";
  // The metadata sections come at Finish, one chunk each; the largest, the index of ~1,500
  // blocks, is about 1% of the SST.
  EXPECT_LE(sink.max_chunk_, sst.size / 50);
}

// Bytes of every object in `store` under `prefix`.
std::map<std::string, std::string> Objects(ObjectStore& store, std::string_view prefix) {
  std::map<std::string, std::string> out;
  auto list = store.List(prefix);
  EXPECT_OK(list);
  if (!list.ok()) return out;
  for (const auto& m : *list) out[m.key] = store.Get(m.key).value_or("?");
  return out;
}

TEST(StreamingSstTest, WriterPublishesTheSameObjectAsWriteSst) {
  util::Random rng(11);
  const std::vector<RowEntry> rows = RandomRows(&rng, 3000, 200);
  format::SstBuilderOptions o;
  o.block_size = 1024;
  o.compression = format::CompressionCodec::kLz4;
  auto store = NewMemoryObjectStore();
  ASSERT_OK_AND_ASSIGN(auto whole, WriteSst(*store, "whole.sst", rows, o));
  ASSERT_OK_AND_ASSIGN(auto w, StreamingSstWriter::Open(*store, "streamed.sst", o));
  for (const auto& r : rows) ASSERT_OK(w->Add(r));
  EXPECT_EQ(w->num_rows(), rows.size());
  ASSERT_OK_AND_ASSIGN(auto sst, w->Finish());
  EXPECT_EQ(sst.info, whole.info);
  EXPECT_EQ(sst.size, whole.bytes.size());
  EXPECT_EQ(store->Get("streamed.sst").value_or("?"), whole.bytes);
  // Finish once only; WAL SSTs are not streamed (they are create-if-absent).
  EXPECT_TRUE(w->Finish().status().IsInternal());
  format::SstBuilderOptions wal = o;
  wal.sst_type = format::SstType::kWal;
  EXPECT_TRUE(StreamingSstWriter::Open(*store, "wal.sst", wal).status().IsInvalid());
}

TEST(StreamingSstTest, AbortedOrAbandonedWritersLeaveNoObject) {
  util::Random rng(12);
  const std::vector<RowEntry> rows = RandomRows(&rng, 2000, 200);
  testing::TempDir tmp;
  ASSERT_OK_AND_ASSIGN(auto dir, NewLocalObjectStore(tmp.path() + "/store"));
  for (const auto& store : {NewMemoryObjectStore(), dir}) {
    SCOPED_TRACE(store->Describe());
    {
      ASSERT_OK_AND_ASSIGN(auto w, StreamingSstWriter::Open(*store, "a/aborted.sst", {}));
      for (const auto& r : rows) ASSERT_OK(w->Add(r));
      w->Abort();
      EXPECT_TRUE(w->Finish().status().IsInternal());
    }
    {
      ASSERT_OK_AND_ASSIGN(auto w, StreamingSstWriter::Open(*store, "a/dropped.sst", {}));
      for (const auto& r : rows) ASSERT_OK(w->Add(r));
    }  // destroyed before Finish
    EXPECT_TRUE(Objects(*store, "").empty());
  }
  // No temporary file is left in the local store either.
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(tmp.path())) {
    if (e.is_regular_file() && e.path().filename() != ".tmp.lock") files.push_back(e.path());
  }
  EXPECT_TRUE(files.empty()) << files.front();
}

TEST(StreamingSstTest, FailedPartsAreRetriedOrFailTheWriterWithoutAnObject) {
  util::Random rng(13);
  const std::vector<RowEntry> rows = RandomRows(&rng, 4000, 200);
  format::SstBuilderOptions o;
  o.block_size = 512;
  auto mem = NewMemoryObjectStore();
  ASSERT_OK_AND_ASSIGN(auto expected, WriteSst(*mem, "expected.sst", rows, o));

  // Every Append fails: the first block's upload error surfaces from Add, nothing appears.
  FaultOptions always;
  always.append_error_rate = 1.0;
  auto failing = NewFaultInjectingObjectStore(NewMemoryObjectStore(), always);
  {
    ASSERT_OK_AND_ASSIGN(auto w, StreamingSstWriter::Open(*failing, "x.sst", o));
    Status st;
    for (const auto& r : rows) {
      st = w->Add(r);
      if (!st.ok()) break;
    }
    EXPECT_TRUE(st.IsUnavailable()) << st.ToString();
    EXPECT_NE(st.message().find("injected fault"), std::string::npos) << st.ToString();
  }
  EXPECT_TRUE(Objects(*failing, "").empty());
  EXPECT_GE(failing->counts().failed_appends, 1u);

  // A third of the parts fail once or more: the retrying store retries each failed part (the
  // writer keeps its bytes) and the object comes out exactly as WriteSst's.
  FaultOptions flaky;
  flaky.seed = 5;
  flaky.append_error_rate = 0.3;
  flaky.SetErrorRate(ObjectStoreOp::kPut, 0.5);  // the publishing Finish, too
  auto inner = NewMemoryObjectStore();
  auto faults = NewFaultInjectingObjectStore(inner, flaky);
  RetryOptions ro;
  ro.max_attempts = 50;
  ro.base_delay = std::chrono::milliseconds(0);
  ro.max_delay = std::chrono::milliseconds(0);
  ro.seed = 1;
  auto retrying = NewRetryingObjectStore(faults, ro);
  ASSERT_OK_AND_ASSIGN(auto w, StreamingSstWriter::Open(*retrying, "y.sst", o));
  for (const auto& r : rows) ASSERT_OK(w->Add(r));
  ASSERT_OK_AND_ASSIGN(auto sst, w->Finish());
  EXPECT_EQ(inner->Get("y.sst").value_or("?"), expected.bytes);
  EXPECT_EQ(sst.info, expected.info);
  const RequestCounts c = faults->counts();
  EXPECT_GT(c.failed_appends, 10u);
  EXPECT_GT(c.writer_appends, c.failed_appends);
}

TEST(StreamingSstTest, AFinishWhoseReplyWasLostSucceedsWhenRetried) {
  // model_test found it: the retrying store retries a Finish whose reply the fault injector
  // dropped; the inner writer had finished, and a repeated Finish must return its etag again.
  auto inner = NewMemoryObjectStore();
  FaultOptions lost;
  lost.reply_lost_rate = 1.0;
  auto faults = NewFaultInjectingObjectStore(inner, lost);
  ASSERT_OK_AND_ASSIGN(auto w, faults->OpenWriter("lost.sst"));
  ASSERT_OK(w->Append("landed"));
  Result<std::string> first = w->Finish();
  EXPECT_TRUE(first.status().IsUnavailable()) << first.status().ToString();
  EXPECT_EQ(inner->Get("lost.sst").value_or("?"), "landed");
  faults->SetOptions({});
  ASSERT_OK_AND_ASSIGN(std::string etag, w->Finish());
  EXPECT_EQ(etag, inner->Head("lost.sst").value().etag);

  // Through the retrying store (lost replies half of the time): the streamed SST is published.
  FaultOptions half;
  half.seed = 9;
  half.reply_lost_rate = 0.5;
  faults->SetOptions(half, /*reseed=*/true);
  RetryOptions ro;
  ro.max_attempts = 20;
  ro.base_delay = std::chrono::milliseconds(0);
  ro.max_delay = std::chrono::milliseconds(0);
  ro.seed = 1;
  auto retrying = NewRetryingObjectStore(faults, ro);
  util::Random rng(14);
  const std::vector<RowEntry> rows = RandomRows(&rng, 200, 50);
  for (int i = 0; i < 8; ++i) {
    const std::string key = "retried" + std::to_string(i) + ".sst";
    ASSERT_OK_AND_ASSIGN(auto sw, StreamingSstWriter::Open(*retrying, key, {}));
    for (const auto& r : rows) ASSERT_OK(sw->Add(r));
    ASSERT_OK(sw->Finish());
    ASSERT_OK_AND_ASSIGN(auto d, format::DecodeSst(inner->Get(key).value_or("")));
    EXPECT_EQ(d.rows, rows);
  }
  EXPECT_GE(faults->counts().lost_replies, 2u);
}

}  // namespace
}  // namespace slatedb::table
