// TableStore: the rows it writes come back through the readers it opens (at the database's own
// compacted/<id>.sst or at a clone's external key), its readers share its block cache, and a
// failed write leaves no object and names the object.
#include "table/table_store.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "format/names.h"
#include "slatedb/object_store.h"
#include "table/sst_options.h"
#include "test_util.h"

namespace slatedb::table {
namespace {

using format::RowEntry;
using format::RowKind;

std::vector<RowEntry> Rows(int n) {
  std::vector<RowEntry> rows;
  for (int i = 0; i < n; ++i) {
    RowEntry r;
    char key[16];
    snprintf(key, sizeof key, "key%05d", i);
    r.key = key;
    r.seq = static_cast<uint64_t>(100 + i);
    r.kind = RowKind::kValue;
    r.value = "value-" + std::to_string(i) + std::string(200, 'v');
    rows.push_back(std::move(r));
  }
  return rows;
}

format::SstBuilderOptions Options() {
  SstSettings s;
  s.block_size = 1024;  // several blocks for 200 rows
  return SstBuilderOptionsFor(SstKind::kCompacted, s);
}

format::SstHandle Handle(const format::Ulid& id, const format::SstInfo& info) {
  format::SstHandle h;
  h.id = id;
  h.info = info;
  h.format_version = format::kSstFormatVersion;
  return h;
}

TEST(TableStoreTest, WrittenRowsReadBackAtTheDatabasesCompactedPath) {
  auto store = NewMemoryObjectStore();
  TableStore tables(store, "db");
  const format::Ulid id{7, 9};
  EXPECT_EQ(tables.SstPath(id), "db/compacted/" + id.ToString() + ".sst");
  const auto rows = Rows(200);
  ASSERT_OK_AND_ASSIGN(format::EncodedSst sst, tables.WriteRows(id, rows, Options()));
  EXPECT_EQ(sst.num_rows, rows.size());
  EXPECT_TRUE(sst.bytes.empty()) << "streamed, not kept";
  const format::SstInfo& info = sst.info;
  ASSERT_OK(store->Head(tables.SstPath(id)));
  ASSERT_OK_AND_ASSIGN(auto reader, tables.OpenReader(Handle(id, info)));
  EXPECT_EQ(reader->object_key(), tables.SstPath(id));
  ASSERT_OK_AND_ASSIGN(size_t blocks, reader->NumBlocks());
  EXPECT_GT(blocks, 4u);
  ASSERT_OK_AND_ASSIGN(auto all, reader->ReadAllRows());
  ASSERT_EQ(all.size(), rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(all[i].key, rows[i].key);
    EXPECT_EQ(all[i].value, rows[i].value);
    EXPECT_EQ(all[i].seq, rows[i].seq);
  }
  ASSERT_OK_AND_ASSIGN(auto got, reader->Get("key00123", UINT64_MAX));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->value, rows[123].value);
  ASSERT_OK_AND_ASSIGN(auto missing, reader->Get("key00123x", UINT64_MAX));
  EXPECT_FALSE(missing.has_value());
}

TEST(TableStoreTest, StreamingWriterPublishesOnlyAtFinish) {
  auto store = NewMemoryObjectStore();
  TableStore tables(store, "db");
  const format::Ulid id{1, 2};
  ASSERT_OK_AND_ASSIGN(auto writer, tables.OpenWriter(id, Options()));
  EXPECT_EQ(writer->object_key(), tables.SstPath(id));
  for (const auto& r : Rows(50)) ASSERT_OK(writer->Add(r));
  ASSERT_OK_AND_ASSIGN(auto listed, store->List("db/compacted/"));
  EXPECT_TRUE(listed.empty()) << "nothing is visible before Finish";
  ASSERT_OK_AND_ASSIGN(format::EncodedSst sst, writer->Finish());
  EXPECT_EQ(sst.num_rows, 50u);
  ASSERT_OK_AND_ASSIGN(listed, store->List("db/compacted/"));
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].key, tables.SstPath(id));
}

TEST(TableStoreTest, ExternalKeyIsReadWhereTheCallerResolvedIt) {
  auto store = NewMemoryObjectStore();
  TableStore parent(store, "parent");
  const format::Ulid id{3, 4};
  ASSERT_OK_AND_ASSIGN(format::EncodedSst sst, parent.WriteRows(id, Rows(20), Options()));
  const format::SstInfo& info = sst.info;
  TableStore clone(store, "clone");
  ASSERT_OK_AND_ASSIGN(auto own, clone.OpenReader(Handle(id, info)));
  EXPECT_FALSE(own->ReadAllRows().ok()) << "the clone has no object of its own";
  ASSERT_OK_AND_ASSIGN(auto ext, clone.OpenReader(Handle(id, info), parent.SstPath(id)));
  ASSERT_OK_AND_ASSIGN(auto rows, ext->ReadAllRows());
  EXPECT_EQ(rows.size(), 20u);
}

TEST(TableStoreTest, ReadersOfOneStoreShareItsBlockCache) {
  auto store = NewMemoryObjectStore();
  ASSERT_OK_AND_ASSIGN(auto cache, BlockCache::Create());
  TableStoreOptions opts;
  opts.cache = cache;
  opts.cache_scope = BlockCacheImpl::NewScope();
  TableStore tables(store, "db", opts);
  EXPECT_EQ(tables.block_cache(), cache);
  const format::Ulid id{5, 6};
  ASSERT_OK_AND_ASSIGN(format::EncodedSst sst, tables.WriteRows(id, Rows(200), Options()));
  const format::SstInfo& info = sst.info;
  {
    ASSERT_OK_AND_ASSIGN(auto first, tables.OpenReader(Handle(id, info)));
    ASSERT_OK_AND_ASSIGN(auto got, first->Get("key00042", UINT64_MAX));
    ASSERT_TRUE(got.has_value());
  }
  const BlockCacheStats before = cache->GetStats();
  EXPECT_GT(before.data_entries, 0u);
  // A second reader of the same SST finds the index, filter and block in the cache: it reads
  // the key even though the object is gone.
  ASSERT_OK(store->Delete(tables.SstPath(id)));
  ASSERT_OK_AND_ASSIGN(auto second, tables.OpenReader(Handle(id, info)));
  ASSERT_OK_AND_ASSIGN(auto again, second->Get("key00042", UINT64_MAX));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->key, "key00042");
  const BlockCacheStats after = cache->GetStats();
  EXPECT_GT(after.data_hits, before.data_hits);
  // Without a cache the same read goes to the (now missing) object.
  TableStore uncached(store, "db");
  ASSERT_OK_AND_ASSIGN(auto third, uncached.OpenReader(Handle(id, info)));
  auto st = third->Get("key00042", UINT64_MAX);
  EXPECT_FALSE(st.ok());
}

TEST(TableStoreTest, RowsOutOfOrderFailNamingTheObjectAndLeaveNothing) {
  auto store = NewMemoryObjectStore();
  TableStore tables(store, "db");
  auto rows = Rows(10);
  std::swap(rows[3], rows[7]);
  const format::Ulid id{8, 8};
  auto st = tables.WriteRows(id, rows, Options());
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.status().code(), StatusCode::kInvalid) << st.status().ToString();
  EXPECT_NE(st.status().message().find("uploading " + tables.SstPath(id)), std::string::npos)
      << st.status().ToString();
  ASSERT_OK_AND_ASSIGN(auto listed, store->List("db/compacted/"));
  EXPECT_TRUE(listed.empty());
}

}  // namespace
}  // namespace slatedb::table
