// fuzz/wal_fuzzer.cc — libFuzzer target for WAL SSTs: table::ReadAllRows and wal::WalStore::Read
// over an in-memory object store. Input: the WAL SST object bytes.
// Invariants: failures are kData naming the object key; both readers agree; rows that decode
// re-encode (WalStore::Encode) into a WAL SST that decodes to the same rows.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "format/sst.h"
#include "fuzz/fuzz_util.h"
#include "slatedb/object_store.h"
#include "table/sst_reader.h"
#include "wal/wal_store.h"

using slatedb::StatusCode;
using slatedb::fuzz::ExpectCode;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto store = slatedb::NewMemoryObjectStore();
  slatedb::wal::WalStore wal(store, "db");
  const std::string key = wal.ObjectKey(7);
  if (!store->Put(key, slatedb::fuzz::AsView(data, size)).ok()) return 0;

  auto rows = slatedb::table::ReadAllRows(store, key);
  ExpectCode(rows.status(), StatusCode::kData, "table::ReadAllRows");
  auto wal_rows = wal.Read(7);
  ExpectCode(wal_rows.status(), StatusCode::kData, "WalStore::Read");
  if (!rows.ok()) {
    FUZZ_CHECK(rows.status().message().find(key) != std::string::npos,
               "ReadAllRows error does not name the object");
  }
  if (!wal_rows.ok()) {
    FUZZ_CHECK(wal_rows.status().message().find(key) != std::string::npos,
               "WalStore::Read error does not name the object");
  }
  if (rows.ok() && wal_rows.ok()) {
    FUZZ_CHECK(*rows == *wal_rows, "ReadAllRows and WalStore::Read disagree");
  }
  if (!wal_rows.ok() || wal_rows->empty()) return 0;
  const std::vector<slatedb::format::RowView> views(wal_rows->begin(), wal_rows->end());
  auto encoded = wal.Encode(views);
  if (!encoded.ok()) return 0;  // e.g. seqs out of commit order: not writable, fine
  auto again = slatedb::format::DecodeSst(*encoded);
  FUZZ_CHECK(again.ok(), "re-encoded WAL SST does not decode");
  FUZZ_CHECK(again->rows == *wal_rows, "re-encoded WAL SST decodes to different rows");
  return 0;
}
