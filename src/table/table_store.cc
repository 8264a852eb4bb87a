#include "table/table_store.h"

#include <utility>

#include "format/names.h"

namespace slatedb::table {

TableStore::TableStore(std::shared_ptr<ObjectStore> store, std::string db_path,
                       TableStoreOptions options)
    : store_(std::move(store)), db_path_(std::move(db_path)), options_(std::move(options)) {}

std::string TableStore::SstPath(const format::Ulid& id) const {
  return format::CompactedSstPath(db_path_, id);
}

Result<std::shared_ptr<SstReader>> TableStore::OpenReader(const format::SstHandle& handle) const {
  return OpenReader(handle, SstPath(handle.id));
}

Result<std::shared_ptr<SstReader>> TableStore::OpenReader(const format::SstHandle& handle,
                                                          std::string object_key) const {
  SstReaderOptions opts;
  opts.cache = options_.cache;
  opts.cache_scope = options_.cache_scope;
  opts.sst_id = handle.id;
  opts.counters = options_.counters;
  opts.pin_metadata = options_.pin_metadata;
  return SstReader::OpenWithInfo(store_, std::move(object_key), handle.info,
                                 handle.format_version.value_or(1), std::move(opts));
}

Result<std::unique_ptr<StreamingSstWriter>> TableStore::OpenWriter(
    const format::Ulid& id, const format::SstBuilderOptions& options) const {
  return StreamingSstWriter::Open(*store_, SstPath(id), options);
}

Result<format::EncodedSst> TableStore::Write(
    const format::Ulid& id, const format::SstBuilderOptions& options,
    const std::function<Status(StreamingSstWriter&)>& fill) const {
  const std::string key = SstPath(id);
  auto writer = StreamingSstWriter::Open(*store_, key, options);
  if (!writer.ok()) return writer.status().WithContext("uploading " + key);
  Status st = fill(**writer);  // on failure the writer aborts on destruction
  if (!st.ok()) return st.WithContext("uploading " + key);
  auto sst = (*writer)->Finish();
  if (!sst.ok()) return sst.status().WithContext("uploading " + key);
  return sst;
}

Result<format::EncodedSst> TableStore::WriteRows(const format::Ulid& id,
                                                 const std::vector<format::RowEntry>& rows,
                                                 const format::SstBuilderOptions& options) const {
  return Write(id, options, [&](StreamingSstWriter& writer) {
    for (const auto& row : rows) RETURN_IF_ERROR(writer.Add(row));
    return Status::OK();
  });
}

}  // namespace slatedb::table
