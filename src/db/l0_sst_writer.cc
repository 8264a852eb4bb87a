#include "db/l0_sst_writer.h"

#include <utility>

#include "db/read_path.h"
#include "table/sst_options.h"
#include "table/sst_writer.h"

namespace slatedb::db {

L0SstWriter::L0SstWriter(std::shared_ptr<ObjectStore> store, std::string db_path,
                         const Settings& settings,
                         std::shared_ptr<const PrefixExtractor> prefix_extractor)
    : tables_(std::move(store), std::move(db_path)),
      options_(table::SstBuilderOptionsFor(table::SstKind::kL0, settings,
                                           std::move(prefix_extractor))) {}

Result<std::unique_ptr<table::StreamingSstWriter>> L0SstWriter::OpenStreaming(
    const format::Ulid& id) const {
  return tables_.OpenWriter(id, options_);
}

Result<format::SstInfo> L0SstWriter::WriteRows(const format::Ulid& id,
                                               const std::vector<format::RowEntry>& rows) const {
  ASSIGN_OR_RETURN(format::EncodedSst sst, tables_.WriteRows(id, rows, options_));
  return sst.info;
}

Result<format::SstInfo> L0SstWriter::WriteMemtable(const format::Ulid& id,
                                                   const memtable::Memtable& table,
                                                   uint64_t retention_seq,
                                                   const MergeOperator* merge_operator) const {
  ASSIGN_OR_RETURN(
      format::EncodedSst sst, tables_.Write(id, options_, [&](table::StreamingSstWriter& writer) {
        return ForEachFlushRow(table, retention_seq, merge_operator,
                               [&](const format::RowEntry& r) { return writer.Add(r); });
      }));
  return sst.info;
}

}  // namespace slatedb::db
