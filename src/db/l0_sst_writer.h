// db/l0_sst_writer.h — L0SstWriter: writes this database's L0 SSTs (compacted/<ULID>.sst), the
// table-writing half of the L0 flush (moved out of ReadPath, which only reads).
//
// What: streams the rows ForEachFlushRow (db/read_path.h) keeps of a frozen memtable into one
// SST through the database's table::TableStore (a StreamingSstWriter: no copy of the memtable,
// no whole-SST buffer; the upload is aborted on failure), with the builder options of this
// database's L0 SSTs (table::SstBuilderOptionsFor(kL0, settings, prefix extractor)).
// Thread safety: immutable after construction; the methods may run concurrently (the parallel
// L0 flusher's upload threads call WriteMemtable at once, for different ids).
// Ownership: shares the object store and the prefix extractor.
// Errors: the store's and the builder's, with "uploading <key>" as context.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "format/row.h"
#include "format/sst.h"
#include "format/ulid.h"
#include "memtable/memtable.h"
#include "slatedb/merge_operator.h"
#include "slatedb/object_store.h"
#include "slatedb/options.h"
#include "slatedb/prefix_extractor.h"
#include "slatedb/status.h"
#include "table/sst_writer.h"
#include "table/table_store.h"

namespace slatedb::db {

class L0SstWriter {
 public:
  L0SstWriter(std::shared_ptr<ObjectStore> store, std::string db_path, const Settings& settings,
              std::shared_ptr<const PrefixExtractor> prefix_extractor);

  // Builds a compacted SST from `rows` (internal order) and uploads compacted/<id>.sst.
  Result<format::SstInfo> WriteRows(const format::Ulid& id,
                                    const std::vector<format::RowEntry>& rows) const;
  // Streams the rows ForEachFlushRow gives for `table` into compacted/<id>.sst (the L0 flush).
  Result<format::SstInfo> WriteMemtable(const format::Ulid& id, const memtable::Memtable& table,
                                        uint64_t retention_seq,
                                        const MergeOperator* merge_operator) const;
  // Opens the streaming upload of compacted/<id>.sst with options() (a segmented L0 flush writes
  // one per tree, db/segment_flush.h).
  Result<std::unique_ptr<table::StreamingSstWriter>> OpenStreaming(const format::Ulid& id) const;
  // The builder options of this database's L0 / compacted SSTs.
  const format::SstBuilderOptions& options() const { return options_; }

 private:
  const table::TableStore tables_;  // no block cache: L0 flushes only write
  const format::SstBuilderOptions options_;
};

}  // namespace slatedb::db
