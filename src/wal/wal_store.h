// wal/wal_store.h — WAL SSTs and fences in the object store (docs/format.md §4, §6.1, §6.2,
// §12.3–§12.5).
//
// What: object names `<db>/wal/<id:020>.sst`; Write(id, rows) encodes rows in commit order as
// ONE WAL SST (sst_type Wal, 8-byte BE seq index keys) and creates it with PutIfAbsent;
// WriteFence(id) creates the empty fence SST; ListIds lists WAL ids; Read(id) decodes a WAL SST
// (or a fence / empty SST of either type: no rows), verifying every checksum.
// Thread safety: thread-safe (no mutable state besides the shared store).
// Ownership: shares the ObjectStore.
// Errors: kAlreadyExists from Write / WriteFence when the id is taken (= fenced, or lost a race);
// kNotFound from Read for a missing id; kData "<object key>: <what failed>" for a corrupt object;
// other object-store errors pass through with the object key as context.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "format/row.h"
#include "slatedb/object_store.h"
#include "slatedb/options.h"
#include "slatedb/status.h"
#include "table/sst_options.h"

namespace slatedb::wal {

class WalStore {
 public:
  WalStore(std::shared_ptr<ObjectStore> store, std::string db_path,
           CompressionCodec codec = CompressionCodec::kNone, uint32_t block_size = 4096);
  // WAL SSTs and fences are built with table::SstBuilderOptionsFor(kWal / kWalFence, sst).
  WalStore(std::shared_ptr<ObjectStore> store, std::string db_path, table::SstSettings sst);

  // "<db>/wal/" ("wal/" for an empty db path).
  std::string Dir() const;
  // "<db>/wal/00000000000000000007.sst".
  std::string ObjectKey(uint64_t id) const;

  // Encodes `rows` (commit order) and creates WAL SST `id`, tagged with `put_id` (metadata
  // kPutIdMetadata) when given so that the writer can recognise its own object after a lost
  // reply (IsOurs). REQUIRES: rows non-empty.
  // `rows` may be views (the WAL buffer's rows point into the memtable's arena).
  Status Write(uint64_t id, std::span<const format::RowView> rows,
               const std::string& put_id = "") const;
  Status Write(uint64_t id, const std::vector<format::RowEntry>& rows,
               const std::string& put_id = "") const {
    return Write(id, std::vector<format::RowView>(rows.begin(), rows.end()), put_id);
  }
  // Whether WAL SST `id` was created by the Write that carried `put_id` (object_store/
  // retrying_object_store.h OwnerOfConditionalPut; `rows` is only compared on backends that
  // keep no metadata). false when absent or another writer's.
  Result<bool> IsOurs(uint64_t id, const std::string& put_id,
                      std::span<const format::RowView> rows) const;
  // Creates the empty fence SST at `id`.
  Status WriteFence(uint64_t id) const;
  // Ids of listed WAL SSTs >= min_id, ascending (unparsable names ignored).
  Result<std::vector<uint64_t>> ListIds(uint64_t min_id = 0) const;
  // Rows of WAL SST `id` in commit order (none for a fence).
  Result<std::vector<format::RowEntry>> Read(uint64_t id) const;

  // Encoding alone (exposed for tests).
  Result<std::string> Encode(std::span<const format::RowView> rows) const;
  // The size of the uncompressed WAL SST of `rows`, rounded up (what Encode reserves, and what
  // the writer's backpressure counts for a WAL SST being encoded and uploaded).
  static size_t EncodedSizeEstimate(std::span<const format::RowView> rows);

 private:
  std::shared_ptr<ObjectStore> store_;
  std::string db_path_;
  table::SstSettings sst_;
};

// Parses the id of a WAL key or file name ("…/00000000000000000007.sst" → 7; exactly 20 digits,
// see format/names.h).
std::optional<uint64_t> ParseWalId(std::string_view key);

}  // namespace slatedb::wal
