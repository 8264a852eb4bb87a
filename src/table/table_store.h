// table/table_store.h — TableStore: the one way the engine reads and writes compacted SSTs (L0
// and sorted runs) of a database: it owns the object store, the database path and the block
// cache settings, and opens readers and streaming writers for SST handles (SlateDB's
// `TableStore`).
//
// What: `OpenReader` gives an SstReader for a handle from the manifest (no I/O: the handle's
// SstInfo is used; the object is `<db>/compacted/<id>.sst`, or the key the caller resolved for a
// clone's external SST, manifest/sst_paths.h), reading through this store's block cache, key
// scope and cache counters. `OpenWriter` starts the streaming upload of `<db>/compacted/<id>.sst`
// (table::StreamingSstWriter); `WriteRows` streams a row vector into one. The builder options
// are the caller's (L0 and compaction outputs differ: table/sst_options.h). WAL SSTs are the WAL
// layer's (wal/wal_store.h).
// Thread safety: immutable after construction; every method may run concurrently.
// Ownership: shares the object store and the block cache; cheap to copy (two shared_ptrs, a
// string). Readers and writers it returns keep the store alive.
// Errors: OpenReader — kData/kInvalid for a handle whose SstInfo is unusable; OpenWriter — the
// store's; WriteRows — the builder's (kInvalid for rows out of order) and the store's, with
// "uploading <key>" as context. A failed write leaves no object.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "format/manifest.h"
#include "format/row.h"
#include "format/sst.h"
#include "format/ulid.h"
#include "slatedb/block_cache.h"
#include "slatedb/object_store.h"
#include "slatedb/status.h"
#include "table/sst_reader.h"
#include "table/sst_writer.h"

namespace slatedb::table {

// How readers opened by a TableStore use the block cache (all optional: none = no cache).
struct TableStoreOptions {
  std::shared_ptr<BlockCache> cache;
  // Key scope in `cache` (BlockCacheImpl::NewScope(), one per database instance).
  uint64_t cache_scope = 0;
  std::shared_ptr<const CacheCounters> counters;
  // SstReaderOptions::pin_metadata for the readers OpenReader gives (long-lived readers only).
  bool pin_metadata = false;
};

class TableStore {
 public:
  // `db_path` is normalised (format::NormalizeDbPath).
  TableStore(std::shared_ptr<ObjectStore> store, std::string db_path,
             TableStoreOptions options = {});

  const std::shared_ptr<ObjectStore>& object_store() const { return store_; }
  const std::string& db_path() const { return db_path_; }
  const std::shared_ptr<BlockCache>& block_cache() const { return options_.cache; }

  // `<db>/compacted/<id>.sst`.
  std::string SstPath(const format::Ulid& id) const;

  // A reader of the SST `handle` names, stored at SstPath(handle.id) or at `object_key` (a
  // clone's external SST). No I/O.
  Result<std::shared_ptr<SstReader>> OpenReader(const format::SstHandle& handle) const;
  Result<std::shared_ptr<SstReader>> OpenReader(const format::SstHandle& handle,
                                                std::string object_key) const;

  // Starts the upload of SST `id` (nothing appears until Finish; see StreamingSstWriter).
  Result<std::unique_ptr<StreamingSstWriter>> OpenWriter(
      const format::Ulid& id, const format::SstBuilderOptions& options) const;

  // Streams into SST `id` the rows `fill` adds to the writer it is given (internal order,
  // SstBuilder::Add) and publishes it; returns its info, size and row count (no `bytes`: they
  // were streamed). A failure of `fill`, of the builder or of the store is returned with
  // "uploading <key>" as context, and no object appears.
  Result<format::EncodedSst> Write(const format::Ulid& id, const format::SstBuilderOptions& options,
                                   const std::function<Status(StreamingSstWriter&)>& fill) const;
  // Write of a row vector.
  Result<format::EncodedSst> WriteRows(const format::Ulid& id,
                                       const std::vector<format::RowEntry>& rows,
                                       const format::SstBuilderOptions& options) const;

 private:
  std::shared_ptr<ObjectStore> store_;
  std::string db_path_;
  TableStoreOptions options_;
};

}  // namespace slatedb::table
