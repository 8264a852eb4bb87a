// fuzz/sst_fuzzer.cc — libFuzzer target for whole SST objects: format::DecodeSst and
// table::SstReader over an in-memory object store (Open with the whole object in the first
// read and with tiny ranged reads, index / filter / stats / blocks, ReadAllRows, Get,
// MayContain, forward and reverse iterators). Input: the SST object bytes.
// Invariants: every failure is kData (the reader's message names the object key); when
// DecodeSst and the reader both succeed they return the same rows.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "format/sst.h"
#include "fuzz/fuzz_util.h"
#include "slatedb/object_store.h"
#include "table/block_cache.h"
#include "table/sst_reader.h"

namespace {

using slatedb::Status;
using slatedb::StatusCode;
using slatedb::format::RowEntry;
using slatedb::fuzz::ExpectCode;
using slatedb::table::Direction;
using slatedb::table::SstReader;

constexpr char kKey[] = "db/compacted/01ARZ3NDEKTSV4RRFFQ69G5FAV.sst";

void ExpectReaderError(const Status& st, const char* what) {
  ExpectCode(st, StatusCode::kData, what);
  if (!st.ok()) {
    FUZZ_CHECK(st.message().find(kKey) != std::string::npos, "reader error does not name the key");
  }
}

void Iterate(SstReader& reader, Direction dir, const std::vector<RowEntry>* rows) {
  auto it = reader.NewIterator(dir);
  auto st = it->SeekToFirst();
  size_t n = 0;
  while (st.ok() && it->Valid() && n < 100000) {
    ++n;
    st = it->Next();
  }
  ExpectReaderError(st, "SstIterator");
  if (rows != nullptr && !rows->empty()) {
    auto seek_it = reader.NewIterator(dir);
    ExpectReaderError(seek_it->Seek((*rows)[rows->size() / 2].key), "SstIterator::Seek");
  }
}

void ExerciseReader(const std::shared_ptr<slatedb::ObjectStore>& store,
                    const slatedb::table::SstReaderOptions& options,
                    const slatedb::Result<slatedb::format::DecodedSst>& decoded) {
  auto opened = SstReader::Open(store, kKey, options);
  if (!opened.ok()) {
    ExpectReaderError(opened.status(), "SstReader::Open");
    return;
  }
  SstReader& reader = **opened;
  ExpectReaderError(reader.Index().status(), "SstReader::Index");
  ExpectReaderError(reader.Stats().status(), "SstReader::Stats");
  auto blocks = reader.NumBlocks();
  ExpectReaderError(blocks.status(), "SstReader::NumBlocks");
  if (blocks.ok()) {
    for (size_t i = 0; i < *blocks && i < 256; ++i) {
      ExpectReaderError(reader.ReadBlock(i).status(), "SstReader::ReadBlock");
    }
  }
  auto rows = reader.ReadAllRows();
  ExpectReaderError(rows.status(), "SstReader::ReadAllRows");
  if (rows.ok() && decoded.ok()) {
    FUZZ_CHECK(*rows == decoded->rows, "SstReader and DecodeSst return different rows");
  }
  if (reader.is_wal()) return;
  ExpectReaderError(reader.MayContain("key").status(), "SstReader::MayContain");
  if (rows.ok()) {
    size_t probes = 0;
    for (const RowEntry& row : *rows) {
      if (++probes > 16) break;
      ExpectReaderError(reader.MayContain(row.key).status(), "SstReader::MayContain");
      ExpectReaderError(reader.Get(row.key, UINT64_MAX).status(), "SstReader::Get");
      ExpectReaderError(reader.GetVersions(row.key, row.seq).status(), "SstReader::GetVersions");
    }
  }
  const std::vector<RowEntry>* probe_rows = rows.ok() ? &*rows : nullptr;
  Iterate(reader, Direction::kForward, probe_rows);
  Iterate(reader, Direction::kReverse, probe_rows);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string object(reinterpret_cast<const char*>(data), size);
  auto decoded = slatedb::format::DecodeSst(object);
  ExpectCode(decoded.status(), StatusCode::kData, "DecodeSst");

  auto store = slatedb::NewMemoryObjectStore();
  if (!store->Put(kKey, object).ok()) return 0;
  // 1: whole object in the first read, no cache. 2: 16-byte suffix read (every section is a
  // ranged read) through a small block cache.
  ExerciseReader(store, slatedb::table::SstReaderOptions{}, decoded);
  slatedb::table::SstReaderOptions ranged;
  ranged.suffix_read_bytes = 16;
  ranged.cache =
      slatedb::BlockCache::Create(
          {.data_capacity_bytes = 1 << 16, .meta_capacity_bytes = 1 << 16, .num_shards = 2})
          .value();
  ExerciseReader(store, ranged, decoded);
  return 0;
}
